"""campaign list / preview / test / approve through the CLI, and every bad input's message."""
from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

from helpers import edit, output, sk

BAKERY = "baeckerei-sonnenkorn"
SPEC = f"{BAKERY}/adventsaktion"
BEFORE = "2026-11-01T10:00:00+01:00"  # before the window: not due
DUE = "2026-11-25T10:00:00+01:00"  # after send_at, inside the window


def run(*args: str):
    """The real command line in the current (demo) workspace."""
    return sk(*args, cwd=Path.cwd())


def promo_file(ws: Path, name: str = "adventsaktion.md") -> Path:
    return ws / "campaigns" / BAKERY / name


def site_toml(ws: Path) -> Path:
    return ws / "sites" / BAKERY / "site.toml"


# ---------------------------------------------------------------- list


def test_list_json_gives_one_object_per_promotion_and_a_result_line(demo_workspace):
    r = run("campaign", "list", BAKERY, "--json", "--at", BEFORE)
    assert r.returncode == 0, output(r)
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    rows = [x for x in lines if x.get("event") == "campaign"]
    assert [x["campaign"] for x in rows] == [SPEC]
    row = rows[0]
    assert row["languages"] == ["de", "en"] and row["approval"] == "not approved" and row["send_state"] == "not sent"
    assert row["recipients"] == 6 and row["skipped"]["no_consent"] == 1
    assert lines[-1] == {"campaigns": 1, "clients": [BAKERY]}


# ---------------------------------------------------------------- preview


def test_preview_writes_html_text_and_eml_per_language(demo_workspace, tmp_path):
    out = tmp_path / "proofs"
    r = run("campaign", "preview", SPEC, "--out", str(out), "--no-proof", "--json", "--at", BEFORE)
    assert r.returncode == 0, output(r)
    result = json.loads(r.stdout.splitlines()[-1])
    assert result["languages"] == ["de", "en"]
    for lang in ("de", "en"):
        assert (out / f"{lang}.html").read_text().startswith("<!doctype html>")
        assert "Wühlischstraße 27" in (out / f"{lang}.txt").read_text()
        assert (out / f"{lang}.eml").is_file()


def test_preview_eml_parses_back_as_multipart_alternative_with_the_right_headers(demo_workspace, tmp_path):
    edit(site_toml(demo_workspace), 'unsubscribe_mailto =',
         'unsubscribe_url = "https://baeckerei-sonnenkorn.example/abmelden?t={token}"\nunsubscribe_mailto =')
    r = run("campaign", "preview", SPEC, "--out", str(tmp_path), "--lang", "de", "--no-proof", "--at", BEFORE)
    assert r.returncode == 0, output(r)
    msg = email.message_from_bytes((tmp_path / "de.eml").read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    assert all(p["Content-Transfer-Encoding"] in ("quoted-printable", "base64") for p in msg.iter_parts())
    assert msg["Subject"] == "Unsere Adventsaktion: 10 % auf Stollen und Plätzchen"
    assert msg["From"].addresses[0].addr_spec == "news@baeckerei-sonnenkorn.example"
    assert msg["Reply-To"] == "info@baeckerei-sonnenkorn.example"
    assert msg["To"] == "martina.krueger@example.com"
    assert msg["Message-ID"].endswith("@baeckerei-sonnenkorn.example>")
    assert msg["Date"]
    unsub = msg["List-Unsubscribe"]
    assert "<mailto:abmelden@baeckerei-sonnenkorn.example?subject=" in unsub
    assert "<https://baeckerei-sonnenkorn.example/abmelden?t=" in unsub
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Wühlischstraße 27" in text and "Wühlischstraße 27" in html
    raw = (tmp_path / "de.eml").read_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]  # non-ASCII subject is RFC 2047 encoded


# ---------------------------------------------------------------- approve


def test_approve_records_who_and_when_without_disturbing_the_file(demo_workspace):
    path = promo_file(demo_workspace)
    before = path.read_text(encoding="utf-8")
    r = run("campaign", "approve", SPEC, "--by", "Frau Weber", "--at", "2026-11-10T15:30:00+01:00")
    assert r.returncode == 0, output(r)
    after = path.read_text(encoding="utf-8")
    assert "approved: true\n" in after and 'approved_by: "Frau Weber"\n' in after
    assert 'approved_at: "2026-11-10T15:30:00+01:00"\n' in after and "approved_hash: \"sha256:" in after
    body = before.split("\n---\n", 1)[1]
    assert after.endswith(body)  # the body is untouched
    untouched = [ln for ln in before.splitlines() if not ln.startswith("approved")]
    assert all(ln in after.splitlines() for ln in untouched)
    rows = [json.loads(x) for x in run("campaign", "list", BAKERY, "--json").stdout.splitlines()]
    row = next(x for x in rows if x.get("event") == "campaign")
    assert row["approval"] == "approved" and row["approved_by"] == "Frau Weber"


def test_editing_after_approval_voids_it(demo_workspace):
    assert run("campaign", "approve", SPEC, "--by", "Frau Weber", "--at", BEFORE).returncode == 0
    edit(promo_file(demo_workspace, "adventsaktion.en.md"), "10% off", "15% off")
    rows = [json.loads(x) for x in run("campaign", "list", BAKERY, "--json").stdout.splitlines()]
    assert next(x for x in rows if x.get("event") == "campaign")["approval"] == "void"
    early = run("check", BAKERY, "--at", BEFORE)
    assert early.returncode == 0, output(early)
    assert "approval is void: the content changed after approval by Frau Weber on 2026-11-01; ask for approval again" in output(early)
    due = run("check", BAKERY, "--at", DUE)
    assert due.returncode == 1
    assert "adventsaktion.md:11: error: approval is void" in output(due)


def test_approval_survives_a_change_that_is_not_content(demo_workspace):
    assert run("campaign", "approve", SPEC, "--by", "Frau Weber", "--at", BEFORE).returncode == 0
    edit(promo_file(demo_workspace), "audience: all", "audience: \"lang=de\"")
    rows = [json.loads(x) for x in run("campaign", "list", BAKERY, "--json").stdout.splitlines()]
    assert next(x for x in rows if x.get("event") == "campaign")["approval"] == "approved"


# ---------------------------------------------------------------- test send


def test_campaign_test_over_smtp_arrives_marked_test_with_both_parts(demo_workspace, smtp_server):
    edit(site_toml(demo_workspace), "[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{smtp_server.port}"\ntls = "none"\n')
    r = run("campaign", "test", SPEC, "--to", "her@example.net", "--lang", "en", "--at", BEFORE)
    assert r.returncode == 0, output(r)
    assert len(smtp_server.messages) == 1
    got = smtp_server.messages[0]
    assert got.rcpt_tos == ["her@example.net"] and got.mail_from == "news@baeckerei-sonnenkorn.example"
    msg = got.message
    assert msg["Subject"] == "[TEST] Our Advent offer: 10% off stollen and cookies"
    assert msg["To"] == "her@example.net"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert "Order now" in msg.get_body(("html",)).get_content()
    assert msg["List-Unsubscribe"]
    assert not list((demo_workspace / ".sitekeeper").glob("state/**/ledger.jsonl"))  # not recorded as a send


def test_campaign_test_over_starttls_logs_in_with_credentials_from_the_environment(
        demo_workspace, smtp_tls_server, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", smtp_tls_server.cafile)
    monkeypatch.setenv("BAKERY_SMTP_USER", "tester")
    monkeypatch.setenv("BAKERY_SMTP_PASSWORD", "s3cret-test")
    edit(site_toml(demo_workspace), "[mail]\n",
         f'[mail]\ntransport = "smtp://localhost:{smtp_tls_server.port}"\ntls = "starttls"\n'
         'username_env = "BAKERY_SMTP_USER"\npassword_env = "BAKERY_SMTP_PASSWORD"\n')
    r = run("campaign", "test", SPEC, "--to", "her@example.net", "--at", BEFORE)
    assert r.returncode == 0, output(r)
    assert smtp_tls_server.logins == ["tester"]
    assert smtp_tls_server.messages[0].message["Subject"].startswith("[TEST] Unsere Adventsaktion")
    assert "s3cret" not in output(r)


def test_campaign_test_goes_to_the_outbox_by_default(demo_workspace):
    r = run("campaign", "test", SPEC, "--to", "her@example.net", "--json", "--at", BEFORE)
    assert r.returncode == 0, output(r)
    files = list((demo_workspace / "outbox" / BAKERY).glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert msg["Subject"].startswith("[TEST] ")


def test_campaign_test_reports_a_missing_password_variable_by_name_and_sends_nothing(demo_workspace, smtp_server,
                                                                                    monkeypatch):
    monkeypatch.delenv("BAKERY_SMTP_PASSWORD", raising=False)
    edit(site_toml(demo_workspace), "[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{smtp_server.port}"\n'
         'tls = "none"\nusername_env = "BAKERY_SMTP_USER"\npassword_env = "BAKERY_SMTP_PASSWORD"\n')
    monkeypatch.setenv("BAKERY_SMTP_USER", "tester")
    r = run("campaign", "test", SPEC, "--to", "her@example.net", "--at", BEFORE)
    assert r.returncode == 1
    assert "BAKERY_SMTP_PASSWORD" in output(r) and not smtp_server.messages


# ---------------------------------------------------------------- bad input: exit 1, a clear message, nothing sent


def _bad(ws, smtp_server, expected: str, *extra: str):
    edit(site_toml(ws), "[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{smtp_server.port}"\ntls = "none"\n')
    r = run("campaign", "test", SPEC, "--to", "her@example.net", "--at", BEFORE, *extra)
    assert r.returncode == 1, output(r)
    assert expected in output(r), output(r)
    assert not smtp_server.messages
    return r


def test_subject_with_a_line_break_is_refused(demo_workspace, smtp_server):
    edit(promo_file(demo_workspace), 'subject: "Unsere Adventsaktion', 'subject: "Hi\\nBcc: all@example.com\\nUnsere Adventsaktion')
    _bad(demo_workspace, smtp_server, "adventsaktion.md:8: error: `subject` contains a line break")


def test_promotion_without_ends_is_refused(demo_workspace, smtp_server):
    edit(promo_file(demo_workspace), "ends: 2027-01-07\n", "")
    _bad(demo_workspace, smtp_server, "adventsaktion.md:1: error: the promotion has no `ends`")


def test_send_at_outside_the_window_is_refused(demo_workspace, smtp_server):
    edit(promo_file(demo_workspace), "send_at: 2026-11-24 09:00", "send_at: 2027-02-01 09:00")
    _bad(demo_workspace, smtp_server, "adventsaktion.md:7: error: `send_at` is outside the promotion window")


def test_unknown_audience_filter_column_is_refused_with_a_suggestion(demo_workspace, smtp_server):
    edit(promo_file(demo_workspace), "audience: all", 'audience: "tag~stollen"')
    r = _bad(demo_workspace, smtp_server, "adventsaktion.md:10: error: the audience filter uses the column `tag`")
    assert "did you mean `tags`?" in output(r)


def test_unknown_merge_field_is_an_error_at_check_time(demo_workspace, smtp_server):
    edit(promo_file(demo_workspace), "## Süße Vorfreude", "Hallo {{ vorname }}!\n\n## Süße Vorfreude")
    _bad(demo_workspace, smtp_server, "adventsaktion.md:14: error: merge field {{ vorname }} is not a column")
    r = run("check", BAKERY, "--at", BEFORE)
    assert r.returncode == 1 and "merge field {{ vorname }}" in output(r)


def test_mjml_that_fails_to_compile_is_refused(demo_workspace, smtp_server):
    edit(promo_file(demo_workspace), "## Süße Vorfreude", '<div class="box">\n\n## Süße Vorfreude')
    _bad(demo_workspace, smtp_server, "error: MJML does not compile")


def test_missing_postal_address_is_refused(demo_workspace, smtp_server):
    edit(site_toml(demo_workspace), 'postal_address = "Bäckerei Sonnenkorn GmbH, Wühlischstraße 27, 10245 Berlin"\n', "")
    _bad(demo_workspace, smtp_server, "site.toml:13: error: [mail] has no `postal_address`")


def test_missing_unsubscribe_route_is_refused(demo_workspace, smtp_server):
    edit(site_toml(demo_workspace), 'unsubscribe_mailto = "abmelden@baeckerei-sonnenkorn.example"\n', "")
    _bad(demo_workspace, smtp_server, "error: [mail] has no unsubscribe route")


def test_plain_smtp_to_a_remote_host_is_a_config_error(demo_workspace):
    edit(site_toml(demo_workspace), "[mail]\n", '[mail]\ntransport = "smtp://smtp.example.com:25"\ntls = "none"\n')
    r = run("campaign", "test", SPEC, "--to", "her@example.net", "--at", BEFORE)
    assert r.returncode == 1
    assert 'site.toml:15: error: `tls = "none"` sends passwords and mail in clear text to smtp.example.com' in output(r)


def test_missing_translation_for_audience_language_warns_and_falls_back(demo_workspace):
    csv = demo_workspace / "campaigns" / BAKERY / "audience.csv"
    csv.write_text(csv.read_text() + "claire@example.fr,Claire,fr,,2025-01-01,Website\n")
    r = run("check", BAKERY, "--at", BEFORE)
    assert r.returncode == 0, output(r)
    assert "warning: missing translation: 1 reader with lang=fr get the de text" in output(r)
    assert run("check", BAKERY, "--strict", "--at", BEFORE).returncode == 1


def test_invalid_audience_address_is_a_warning_with_its_line(demo_workspace):
    r = run("check", BAKERY, "--at", BEFORE)
    assert "audience.csv:8: warning: invalid address 'hans.at.example.com'; skipped" in output(r)


def test_overlong_subject_warns_and_absurd_subject_is_an_error(demo_workspace):
    edit(promo_file(demo_workspace), 'subject: "Unsere', 'subject: "' + "Sehr " * 20 + "Unsere")
    r = run("check", BAKERY, "--at", BEFORE)
    assert r.returncode == 0 and "warning: `subject` is 1" in output(r)
    edit(promo_file(demo_workspace), 'subject: "Sehr ', 'subject: "' + "Viel " * 30)
    r = run("check", BAKERY, "--at", BEFORE)
    assert r.returncode == 1 and "error: `subject` is 2" in output(r)


def test_campaign_test_through_ses_sends_one_raw_message(demo_workspace, s3_server, aws_env):
    # moto's SES server stands in for Amazon SES (no real SES can run here).
    import boto3

    ses = boto3.client("ses", region_name="eu-central-1", endpoint_url=s3_server.endpoint)
    ses.verify_domain_identity(Domain="baeckerei-sonnenkorn.example")
    edit(site_toml(demo_workspace), "[mail]\n",
         f'[mail]\ntransport = "ses"\nregion = "eu-central-1"\nendpoint_url = "{s3_server.endpoint}"\n')
    r = run("campaign", "test", SPEC, "--to", "her@example.net", "--json", "--at", BEFORE)
    assert r.returncode == 0, output(r)
    result = json.loads(r.stdout.splitlines()[-1])
    assert result["transport"] == "ses" and result["delivered"]
    import urllib.request

    state = json.dumps(json.load(urllib.request.urlopen(s3_server.endpoint + "/moto-api/data.json"))["ses"])
    assert "her@example.net" in state and result["message_id"].strip("<>").split("@")[0] in state
