"""site.toml loading: every problem at once, with its line, a did-you-mean and the fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from sitekeeper.config import find_workspace, load_site, parse_site, toml_lines
from sitekeeper.errors import ProblemsError, UnknownClientError, WorkspaceNotFound


def parse(text: str, root: Path = Path("/nonexistent")):
    return parse_site("acme", root, text, "sites/acme/site.toml")


GOOD = 'name = "Acme"\nbase_url = "https://acme.example"\nlanguages = ["en", "de"]\ntimezone = "Europe/Berlin"\n'


def test_valid_site_toml_gives_a_frozen_config():
    cfg, diags = parse(GOOD)
    assert cfg is not None and not [d for d in diags if d.is_error]
    assert cfg.default_language == "en" and cfg.languages == ("en", "de")
    assert cfg.tz.key == "Europe/Berlin"
    with pytest.raises(Exception):
        cfg.name = "other"  # frozen


def test_unknown_key_is_flagged_with_its_line_and_a_did_you_mean():
    cfg, diags = parse(GOOD + 'timezon = "UTC"\n')
    assert cfg is None
    [d] = [d for d in diags if "timezon" in d.message]
    assert d.line == 5 and "did you mean `timezone`" in d.fix


def test_unknown_key_inside_a_table_names_the_table():
    cfg, diags = parse(GOOD + '[theme]\nprimary_colour = "#123456"\n')
    [d] = diags
    assert d.line == 6 and "[theme]" in d.message and "primary_color" in d.fix


def test_all_errors_are_reported_at_once():
    cfg, diags = parse('base_url = "ftp://x"\nlanguages = "en"\ntimezone = "Mars/Olympus"\n')
    messages = " | ".join(d.message for d in diags)
    assert "`name` is missing" in messages
    assert "not an http(s) URL" in messages
    assert "list of language codes" in messages
    assert "unknown timezone" in messages
    assert len(diags) >= 4


@pytest.mark.parametrize("line", ['password = "hunter2-very-secret"', 'smtp_token = "abc123abc123"'])
def test_a_literal_secret_is_refused_without_echoing_it(line):
    text = GOOD + "[mail]\n" + line + "\n"
    cfg, diags = parse(text)
    assert cfg is None
    d = next(d for d in diags if "secret" in d.message)
    assert d.line == 6
    secret = line.split('"')[1]
    assert all(secret not in str(x) for x in diags)
    assert "_env" in d.fix


def test_private_key_material_is_refused_with_its_line():
    text = GOOD + '# -----BEGIN OPENSSH PRIVATE KEY-----\n'
    cfg, diags = parse(text)
    assert cfg is None
    assert diags[0].line == 5 and "private key" in diags[0].message


def test_password_env_names_a_variable_and_is_allowed():
    cfg, diags = parse(GOOD + '[deploy.live]\nurl = "sftp://me@host.example/www"\npassword_env = "ACME_PW"\n')
    assert cfg is not None, diags


def test_malformed_toml_names_the_line():
    cfg, diags = parse('name = "x"\nbase_url = https://x\n')
    assert cfg is None and diags[0].line == 2 and "TOML" in diags[0].message


def test_toml_lines_maps_keys_of_tables():
    lines = toml_lines('a = 1\n[deploy.prod]\nurl = "x"\n[mail]\nfrom = "y"\n')
    assert lines[("", "a")] == 1
    assert lines[("deploy.prod", "url")] == 3
    assert lines[("mail", "from")] == 5


def test_workspace_is_found_from_a_subfolder(tmp_path):
    (tmp_path / "sites" / "acme" / "content" / "deep").mkdir(parents=True)
    (tmp_path / "sites" / "acme" / "site.toml").write_text(GOOD)
    ws = find_workspace(tmp_path / "sites" / "acme" / "content" / "deep")
    assert ws.root == tmp_path.resolve()
    assert ws.clients() == ["acme"]
    assert load_site(ws, "acme").name == "Acme"


def test_unknown_client_lists_the_known_ones(tmp_path):
    (tmp_path / "sites" / "bakery").mkdir(parents=True)
    (tmp_path / "sites" / "bakery" / "site.toml").write_text(GOOD)
    ws = find_workspace(tmp_path)
    with pytest.raises(UnknownClientError) as exc:
        load_site(ws, "bakrey")
    assert "bakery" in str(exc.value) and "did you mean" in str(exc.value)


def test_no_workspace_says_what_a_workspace_is(tmp_path):
    with pytest.raises(WorkspaceNotFound) as exc:
        find_workspace(tmp_path)
    assert "sites/" in str(exc.value)


def test_load_site_raises_all_problems(tmp_path):
    (tmp_path / "sites" / "acme").mkdir(parents=True)
    (tmp_path / "sites" / "acme" / "site.toml").write_text('nam = "x"\n')
    with pytest.raises(ProblemsError) as exc:
        load_site(find_workspace(tmp_path), "acme")
    assert len(exc.value.problems) >= 2
