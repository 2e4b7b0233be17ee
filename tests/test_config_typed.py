"""Typed settings: deploy targets, [mail] and sitekeeper.toml are parsed once into frozen values."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sitekeeper.config import (
    MailSettings, Target, choose_target, find_workspace, parse_site, parse_workspace_settings,
)
from sitekeeper.errors import DeployError, ProblemsError

GOOD = 'name = "Acme"\nbase_url = "https://acme.example"\nlanguages = ["en"]\ntimezone = "Europe/Berlin"\n'
TOML = "sites/acme/site.toml"


def parse(text: str):
    return parse_site("acme", Path("/nonexistent"), text, TOML)


def parse_ok(text: str):
    cfg, diags = parse(text)
    assert cfg is not None, [str(d) for d in diags]
    return cfg


def errors(text: str) -> list:
    cfg, diags = parse(text)
    assert cfg is None
    return [d for d in diags if d.is_error]


# ---------------------------------------------------------------- deploy targets


def test_deploy_targets_are_typed_in_file_order_with_the_line_of_their_url():
    cfg = parse_ok(GOOD + '[deploy.live]\nmode = "atomic"\nurl = "sftp://deploy@ssh.example:2222/var/www/site"\n'
                   '\n[deploy.preview]\nurl = "s3://acme-preview/site/"\nregion = "eu-central-1"\n')
    assert list(cfg.deploy) == ["live", "preview"]
    live, preview = cfg.deploy["live"], cfg.deploy["preview"]
    assert isinstance(live, Target)
    assert (live.kind, live.user, live.host, live.port, live.path) == ("sftp", "deploy", "ssh.example", 2222, "/var/www/site")
    assert live.mode == "atomic" and live.url_line == 7 and live.source == TOML
    assert (preview.kind, preview.bucket, preview.path, preview.url_line) == ("s3", "acme-preview", "site", 10)
    assert preview.options["region"] == "eu-central-1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        live.port = 22


def test_a_bad_target_url_is_an_error_at_the_url_line_and_the_target_is_not_kept():
    [d] = errors(GOOD + '[deploy.live]\nkey_file = "~/.ssh/k"\nurl = "stfp://deploy@host/var/www"\n')
    assert d.path == TOML and d.line == 7
    assert "unknown scheme" in d.message and "did you mean `sftp:`" in d.fix


def test_an_unknown_target_key_gets_a_did_you_mean_at_its_line():
    [d] = errors(GOOD + '[deploy.live]\nurl = "dir:out"\nkeep_release = 3\n')
    assert d.line == 7 and "[deploy.live]" in d.message and "keep_releases" in d.fix


def test_choose_target_takes_the_first_target_and_resolves_a_dir_folder_in_the_workspace(tmp_path):
    cfg = parse_ok(GOOD + '[deploy.local]\nurl = "dir:out/acme"\n[deploy.other]\nurl = "dir:/srv/acme"\n')
    first = choose_target(cfg, tmp_path, None)
    assert first.name == "local" and first.path == str(tmp_path / "out" / "acme")
    assert cfg.deploy["local"].path == "out/acme"  # the parsed config keeps the path as written
    assert choose_target(cfg, tmp_path, "other").path == "/srv/acme"
    with pytest.raises(DeployError, match="known targets: local, other"):
        choose_target(cfg, tmp_path, "nope")


def test_without_deploy_tables_the_target_is_the_embedded_public_folder(tmp_path):
    target = choose_target(parse_ok(GOOD), tmp_path, None)
    assert (target.name, target.kind, target.url) == ("default", "dir", "dir:public/acme")
    assert target.path == str(tmp_path / "public" / "acme")


# ---------------------------------------------------------------- [mail]


def test_mail_settings_are_typed_with_the_transport_parsed():
    cfg = parse_ok(GOOD + '[mail]\nfrom = "Acme <news@acme.example>"\ntransport = "smtp://smtp.acme.example:2525"\n'
                   'rate_per_second = 5\nunsubscribe_mailto = "mailto:bye@acme.example"\nrequire_consent = false\n'
                   'username_env = "ACME_SMTP_USER"\n')
    mail = cfg.mail
    assert isinstance(mail, MailSettings)
    assert (mail.transport.kind, mail.transport.host, mail.transport.port, mail.tls) == \
        ("smtp", "smtp.acme.example", 2525, "starttls")
    assert mail.from_ == "Acme <news@acme.example>" and mail.reply_to == ""
    assert mail.rate_per_second == 5.0 and isinstance(mail.rate_per_second, float)
    assert mail.unsubscribe_mailto == "bye@acme.example"
    assert mail.require_consent is False and mail.utm is False
    assert mail.username_env == "ACME_SMTP_USER" and mail.password_env is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        mail.utm = True


@pytest.mark.parametrize("table, expected", [
    ("", ("outbox", "", 0)),
    ('transport = "ses"\nregion = "eu-west-1"\n', ("ses", "", 0)),
    ('transport = "smtps://mail.acme.example"\n', ("smtp", "mail.acme.example", 465)),
    ('transport = "smtp://127.0.0.1:1025"\ntls = "none"\n', ("smtp", "127.0.0.1", 1025)),
])
def test_each_transport_kind_is_parsed(table, expected):
    transport = parse_ok(GOOD + "[mail]\n" + table).mail.transport
    assert (transport.kind, transport.host, transport.port) == expected


def test_a_site_without_mail_gets_default_settings():
    mail = parse_ok(GOOD).mail
    assert mail.transport.kind == "outbox" and mail.require_consent is True and mail.postal_address == ""


def test_a_bad_transport_is_an_error_at_its_line():
    [d] = errors(GOOD + '[mail]\npostal_address = "Main St 1"\ntransport = "smtq://smtp.example"\n')
    assert d.line == 7 and "unknown transport" in d.message and "smtp://" in d.fix


def test_a_bad_imap_url_is_an_error_at_its_line():
    [d] = errors(GOOD + '[mail]\nimap = "imap.example.com"\n')
    assert d.line == 6 and "imaps://" in d.fix


# ---------------------------------------------------------------- sitekeeper.toml


def test_a_state_that_is_neither_a_folder_nor_s3_is_an_error_at_its_line():
    with pytest.raises(ProblemsError) as exc:
        parse_workspace_settings('# workspace settings\nstate = "ftp://x"\n')
    [d] = exc.value.problems
    assert (d.path, d.line) == ("sitekeeper.toml", 2)
    assert "ftp://x" in d.message and "s3://bucket/prefix" in d.fix


def test_an_s3_state_is_typed_with_region_and_endpoint():
    data, settings = parse_workspace_settings(
        'state = "s3://acme-state/ci"\nregion = "eu-central-1"\nendpoint_url = "http://127.0.0.1:9000"\n')
    assert data["state"] == "s3://acme-state/ci"
    assert settings.state == "s3://acme-state/ci" and not settings.state_is_local
    assert (settings.region, settings.endpoint_url, settings.state_line) == ("eu-central-1", "http://127.0.0.1:9000", 1)


def test_region_for_a_local_state_is_an_error_at_its_line():
    with pytest.raises(ProblemsError) as exc:
        parse_workspace_settings('state = "var/state"\n\nregion = "eu-central-1"\n')
    [d] = exc.value.problems
    assert d.line == 3 and "s3://" in d.message


def test_state_dir_is_the_local_folder_and_an_error_for_an_s3_state(tmp_path):
    (tmp_path / "sites").mkdir()
    assert find_workspace(tmp_path).state_dir == tmp_path.resolve() / ".sitekeeper" / "state"
    (tmp_path / "sitekeeper.toml").write_text('state = "shared/state"\n')
    ws = find_workspace(tmp_path)
    assert ws.state_dir == tmp_path.resolve() / "shared" / "state" and ws.settings.get("state") == "shared/state"
    (tmp_path / "sitekeeper.toml").write_text('\nstate = "s3://acme-state/ci"\n')
    ws = find_workspace(tmp_path)
    assert ws.settings.get("state") == "s3://acme-state/ci"
    with pytest.raises(ProblemsError) as exc:
        ws.state_dir
    [d] = exc.value.problems
    assert d.line == 2 and "not a local folder" in d.message
