"""Sign-up by double opt-in without a server, on real servers: requests and replies appended to a
Dovecot mailbox as they would arrive, the confirmation caught on the wire by aiosmtpd, the
audience row it leads to, and the next campaign (request -> confirmation -> reply -> audience.csv
-> campaign, once; an unconfirmed request never); expiry after 30 days on the clock override;
a forged token adds nothing; an unsubscribed address comes back only through a confirmed opt-in."""
from __future__ import annotations

import csv
import email
import email.policy
import io
import re

from helpers import edit, json_lines, sk
from test_send import DUE, SPEC, approve, audience, site_toml, use_smtp
from test_suppressions_pull import BAKERY, configure, env_for, reply

KEY = {"BAKERY_UNSUB_KEY": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}
NEWS = "news@baeckerei-sonnenkorn.example"
T0 = "2026-11-20T10:00:00+01:00"
T1 = "2026-11-20T11:00:00+01:00"
IMAP_T0 = '"20-Nov-2026 09:30:00 +0100"'
IMAP_T1 = '"20-Nov-2026 10:30:00 +0100"'
NEW, QUIET = "nora.neumann@example.net", "quiet.reader@example.net"


def _signup(ws, imap_url: str, smtp_port: int) -> None:
    configure(ws, BAKERY, imap=imap_url)
    edit(site_toml(ws), "[mail]\n", '[mail]\nsignup = true\nunsubscribe_key_env = "BAKERY_UNSUB_KEY"\n')
    use_smtp(ws, smtp_port)


def _pull(ws, account, aws_env, now: str, *extra: str):
    r = sk("mailbox", "pull", BAKERY, "--json", "--verbose", *extra, cwd=ws, now=now,
           env={**env_for(account, aws_env), **KEY})
    assert "Traceback" not in r.stderr, r.stderr
    return r, json_lines(r.stdout)[-1]


def _rows(ws) -> list[dict]:
    return list(csv.DictReader(io.StringIO(audience(ws).read_text(encoding="utf-8"))))


def _parsed(m):
    return email.message_from_bytes(m.data, policy=email.policy.default)


def _confirmations(server) -> list:
    return [m for m in server.messages if "[sk-" in str(_parsed(m)["Subject"])]


def test_request_confirmation_reply_audience_row_and_the_next_campaign_reaches_the_new_subscriber_once(
        demo_workspace, imap_account, smtp_server, aws_env):
    ws = demo_workspace
    _signup(ws, imap_account.server.url(), smtp_server.port)
    assert sk("check", BAKERY, cwd=ws, now=T0, env=KEY).returncode == 0
    before = len(_rows(ws))
    imap_account.append(reply(NEW, "Subscribe to the newsletter", "Please add me to your newsletter.", to=NEWS),
                        when=IMAP_T0)
    imap_account.append(reply(QUIET, "Newsletter abonnieren", "Bitte nehmen Sie mich auf.", to=NEWS), when=IMAP_T0)
    r, res = _pull(ws, imap_account, aws_env, T0)
    assert r.returncode == 0, r.stderr + r.stdout
    assert res["by_kind"]["signup_request"] == 2
    assert len(_rows(ws)) == before  # nobody is on the list before they confirm
    confirmations = {m.rcpt_tos[0]: _parsed(m) for m in _confirmations(smtp_server)}
    assert set(confirmations) == {NEW, QUIET}
    mine = confirmations[NEW]
    assert mine["Auto-Submitted"] == "auto-replied" and mine["Content-Language"] == "en"
    assert "Sonnenkorn Bakery" in str(mine["Subject"]) and "Please confirm" in str(mine["Subject"])
    text = mine.get_body(preferencelist=("plain",)).get_content()
    assert "Wühlischstraße 27" in text  # the client's postal address
    html = mine.get_body(preferencelist=("html",)).get_content()
    assert "#7a3e1d" in html.lower()  # the client's look: its primary colour
    assert confirmations[QUIET]["Content-Language"] == "de" and "Bitte bestätigen" in str(confirmations[QUIET]["Subject"])
    # a second request within a day sends nothing more
    imap_account.append(reply(NEW, "Subscribe to the newsletter", "again", to=NEWS), when=IMAP_T0)
    r, _ = _pull(ws, imap_account, aws_env, T0)
    assert r.returncode == 0 and len(_confirmations(smtp_server)) == 2

    # she replies to the confirmation (her mail app puts Re: before its Subject)
    answer = reply(NEW, f"Re: {mine['Subject']}", "Yes!\n\n> Please confirm your sign-up", to=NEWS,
                   headers={"In-Reply-To": mine["Message-ID"]})
    imap_account.append(answer, when=IMAP_T1)
    r, res = _pull(ws, imap_account, aws_env, T1)
    assert r.returncode == 0, r.stderr + r.stdout
    assert res["by_kind"]["signup_confirmed"] == 1
    added = [row for row in _rows(ws) if row["email"] == NEW]
    assert len(added) == 1
    assert added[0]["lang"] == "en" and added[0]["consented_at"] == T0
    assert added[0]["source"] == f"double opt-in {mine['Message-ID']}"
    assert not [row for row in _rows(ws) if row["email"] == QUIET]
    # a second confirmation adds nothing
    imap_account.append(reply(NEW, f"Re: {mine['Subject']}", "Yes again", to=NEWS), when=IMAP_T1)
    r, _ = _pull(ws, imap_account, aws_env, T1)
    assert r.returncode == 0 and len([row for row in _rows(ws) if row["email"] == NEW]) == 1

    approve(ws)
    smtp_server.messages.clear()
    for _ in range(2):
        r = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE, env={**env_for(imap_account, aws_env), **KEY})
        assert r.returncode == 0, r.stderr + r.stdout
    to = [m.rcpt_tos[0] for m in smtp_server.messages]
    assert to.count(NEW) == 1 and QUIET not in to
    [campaign] = [_parsed(m) for m in smtp_server.messages if m.rcpt_tos[0] == NEW]
    assert "/en/newsletter/unsubscribe/#t=" in campaign.get_body(preferencelist=("plain",)).get_content()


def test_an_unconfirmed_request_expires_after_30_days_and_a_late_reply_adds_nothing(
        demo_workspace, imap_account, smtp_server, aws_env):
    ws = demo_workspace
    _signup(ws, imap_account.server.url(), smtp_server.port)
    imap_account.append(reply(NEW, "Newsletter abonnieren", "", to=NEWS), when=IMAP_T0)
    r, _ = _pull(ws, imap_account, aws_env, T0)
    assert r.returncode == 0, r.stderr + r.stdout
    [first] = [_parsed(m) for m in _confirmations(smtp_server)]
    late = "2026-12-21T10:00:00+01:00"  # 31 days later
    imap_account.append(reply(NEW, f"AW: {first['Subject']}", "Ja", to=NEWS), when='"21-Dec-2026 09:00:00 +0100"')
    r, res = _pull(ws, imap_account, aws_env, late)
    assert r.returncode == 0, r.stderr + r.stdout
    assert res["by_kind"]["signup_confirmed"] == 1
    assert not [row for row in _rows(ws) if row["email"] == NEW]
    assert "expired" in r.stderr + r.stdout
    # asked again, she gets a new confirmation, and confirming that one works
    imap_account.append(reply(NEW, "Newsletter abonnieren", "", to=NEWS), when='"21-Dec-2026 09:10:00 +0100"')
    r, _ = _pull(ws, imap_account, aws_env, late)
    second = [_parsed(m) for m in _confirmations(smtp_server)][-1]
    assert second["Message-ID"] != first["Message-ID"]
    imap_account.append(reply(NEW, f"AW: {second['Subject']}", "Ja", to=NEWS), when='"21-Dec-2026 09:20:00 +0100"')
    r, _ = _pull(ws, imap_account, aws_env, late)
    [row] = [row for row in _rows(ws) if row["email"] == NEW]
    assert row["consented_at"] == late and row["lang"] == "de"


def test_a_forged_token_adds_nothing_and_is_reported(demo_workspace, imap_account, smtp_server, aws_env):
    ws = demo_workspace
    _signup(ws, imap_account.server.url(), smtp_server.port)
    imap_account.append(reply(NEW, "Subscribe to the newsletter", "", to=NEWS), when=IMAP_T0)
    r, _ = _pull(ws, imap_account, aws_env, T0)
    [conf] = [_parsed(m) for m in _confirmations(smtp_server)]
    digest, mac = re.search(r"sk-([0-9a-f]{16})\.([A-Za-z0-9_-]{22})", str(conf["Subject"])).groups()
    wrong = ("A" if mac[0] != "A" else "B") + mac[1:]
    # someone who saw no confirmation guesses at one: the right request, a made-up MAC
    imap_account.append(reply("mallory@example.net", f"Re: confirm [sk-{digest}.{wrong}]", "", to=NEWS), when=IMAP_T1)
    # an out-of-office robot quoting the real Subject confirms nothing either
    imap_account.append(reply(NEW, f"Automatic reply: {conf['Subject']}", "I am away", to=NEWS,
                              headers={"Auto-Submitted": "auto-replied"}), when=IMAP_T1)
    r, res = _pull(ws, imap_account, aws_env, T1)
    assert r.returncode == 0, r.stderr + r.stdout
    assert not [row for row in _rows(ws) if row["email"] in (NEW, "mallory@example.net")]
    assert any("not made for that request" in p["message"] for p in res["problems"])


def test_an_unsubscribed_address_comes_back_only_through_a_confirmed_opt_in(
        demo_workspace, imap_account, smtp_server, aws_env):
    ws = demo_workspace
    _signup(ws, imap_account.server.url(), smtp_server.port)
    back = "martina.krueger@example.com"  # on the demo's audience.csv
    assert sk("unsubscribe", BAKERY, back, cwd=ws, now="2026-11-01T09:00:00+01:00").returncode == 0
    approve(ws)
    # asked for, not confirmed: still unsubscribed
    imap_account.append(reply(back, "Newsletter abonnieren", "", to=NEWS), when=IMAP_T0)
    r, _ = _pull(ws, imap_account, aws_env, T0)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "unsubscribed at 2026-11-01" in r.stderr + r.stdout
    [conf] = [_parsed(m) for m in _confirmations(smtp_server)]
    r = sk("campaign", "send", SPEC, "--dry-run", "--json", cwd=ws, now=DUE, env=KEY)
    assert json_lines(r.stdout)[-1]["skipped"]["unsubscribed"] >= 1
    imap_account.append(reply(back, f"AW: {conf['Subject']}", "Ja, gern", to=NEWS), when=IMAP_T1)
    r, _ = _pull(ws, imap_account, aws_env, T1)
    assert "brings it back" in r.stderr + r.stdout
    rows = [row for row in _rows(ws) if row["email"] == back]
    assert len(rows) == 2 and rows[-1]["source"].startswith("double opt-in <")
    check = sk("check", BAKERY, cwd=ws, now=DUE, env=KEY)
    assert "listed twice" not in check.stdout + check.stderr
    smtp_server.messages.clear()
    r = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE, env={**env_for(imap_account, aws_env), **KEY})
    assert r.returncode == 0, r.stderr + r.stdout
    assert [m.rcpt_tos[0] for m in smtp_server.messages].count(back) == 1
    # an opt-out after the new consent is recorded (a row of its own) and wins again
    later = "2026-11-27T10:00:00+01:00"
    r = sk("campaign", "send", SPEC, "--dry-run", "--json", cwd=ws, now=later, env=KEY)
    skipped = json_lines(r.stdout)[-1]["skipped"]
    u = sk("unsubscribe", BAKERY, back, "--json", cwd=ws, now="2026-11-26T09:00:00+01:00")
    assert u.returncode == 0 and json_lines(u.stdout)[-1]["added"] == [back], u.stdout
    r = sk("campaign", "send", SPEC, "--dry-run", "--json", cwd=ws, now=later, env=KEY)
    now_skipped = json_lines(r.stdout)[-1]["skipped"]
    assert now_skipped["unsubscribed"] == skipped["unsubscribed"] + 1
    assert now_skipped["already_sent"] == skipped["already_sent"] - 1


def test_the_site_offers_sign_up_on_the_newsletter_page_and_in_every_footer(demo_workspace):
    ws = demo_workspace
    edit(site_toml(ws), "[mail]\n", '[mail]\nsignup = true\nunsubscribe_key_env = "BAKERY_UNSUB_KEY"\n'
         'imap = "imaps://imap.example.net:993"\nimap_user_env = "U"\nimap_password_env = "P"\n')
    r = sk("build", BAKERY, "--out", "site", cwd=ws, now=T0)
    assert r.returncode == 0, r.stderr
    de = (ws / "site" / "newsletter" / "index.html").read_text(encoding="utf-8")
    en = (ws / "site" / "en" / "newsletter" / "index.html").read_text(encoding="utf-8")
    assert f'href="mailto:{NEWS}?subject=Newsletter%20abonnieren&amp;body=' in de
    assert f'href="mailto:{NEWS}?subject=Subscribe%20to%20the%20newsletter&amp;body=' in en
    home = (ws / "site" / "index.html").read_text(encoding="utf-8")
    assert 'class="site-footer__signup"' in home and "Newsletter%20abonnieren" in home
    leaving = (ws / "site" / "newsletter" / "unsubscribe" / "index.html").read_text(encoding="utf-8")
    assert 'class="site-footer__signup"' not in leaving  # no sign-up offered on the way out


def test_signup_without_its_key_or_mailbox_is_an_error_naming_the_line(demo_workspace):
    ws = demo_workspace
    edit(site_toml(ws), "[mail]\n", "[mail]\nsignup = true\n")
    r = sk("check", BAKERY, cwd=ws, now=T0)
    text = r.stdout + r.stderr
    assert r.returncode == 1 and "Traceback" not in text
    assert "unsubscribe_key_env" in text and "`signup = true` needs `imap`" in text and "site.toml:" in text


def test_the_sign_up_block_the_newsletter_and_unsubscribe_pages_and_the_confirmation_read_in_both_schemes(
        demo_workspace, browser, serve_dir, tmp_path):
    from test_site_dark import _measure

    from sitekeeper.config import Workspace, load_site
    from sitekeeper.mail.confirmation import compose_confirmation

    ws = demo_workspace
    edit(site_toml(ws), "[mail]\n", '[mail]\nsignup = true\nunsubscribe_key_env = "BAKERY_UNSUB_KEY"\n'
         'imap = "imaps://imap.example.net:993"\nimap_user_env = "U"\nimap_password_env = "P"\n')
    r = sk("build", BAKERY, "--out", "site", cwd=ws, now=T0)
    assert r.returncode == 0, r.stderr
    base = serve_dir(ws / "site")
    cfg = load_site(Workspace(ws), BAKERY)
    mails = []
    for lang in ("de", "en"):
        html = compose_confirmation(cfg, NEW, lang, "sk-0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUV", 30)
        path = tmp_path / f"confirm-{lang}.html"
        path.write_text(html.get_body(preferencelist=("html",)).get_content(), encoding="utf-8")
        mails.append(path.as_uri())
    failures, measured = [], 0
    for scheme in ("light", "dark"):
        page = browser.new_page(viewport={"width": 375, "height": 800}, color_scheme=scheme)
        try:
            for url in [base + u for u in ("/", "/newsletter/", "/en/newsletter/", "/newsletter/unsubscribe/#t=bm9yYUBleGFtcGxlLm5ldA")] + mails:
                page.goto(url)
                assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{url} scrolls sideways"
                for i in _measure(page):
                    measured += 1
                    if i["ratio"] < (3.0 if i["large"] else 4.5):
                        failures.append(f"{url} {scheme}: {i['text']!r} {i['ratio']:.2f}:1")
        finally:
            page.close()
    assert measured > 50
    assert failures == [], "\n".join(failures[:20])


def test_every_built_in_language_has_the_words_and_the_pull_reads_its_subjects_as_meant():
    from sitekeeper.mail import confirmation
    from sitekeeper.render import newsletter
    from sitekeeper.suppressions.phrases import find_request

    assert set(newsletter.STRINGS) == set(confirmation.STRINGS)
    folded = []
    for lang, words in newsletter.STRINGS.items():
        assert set(words) == set(newsletter.KEYS) and all(v.strip() for v in words.values()), lang
        assert set(confirmation.STRINGS[lang]) == set(confirmation.STRINGS["en"]), lang
        # the no-script unsubscribe subject is a request in its language; the sign-up subject never is
        assert find_request(words["unsub_subject"], (lang,), subject=True), lang
        assert find_request(words["signup_subject"], (lang, "en"), subject=True) is None, lang
        folded.append(newsletter.fold(words["signup_subject"]))
    assert len(set(folded)) == len(folded)  # the subject tells the page's language


def test_a_language_without_the_words_is_warned_about_and_shown_in_english(demo_workspace):
    ws = demo_workspace
    edit(site_toml(ws), 'languages = ["de", "en"]', 'languages = ["de", "en", "cy"]')
    r = sk("check", BAKERY, cwd=ws, now=T0)
    assert r.returncode == 0, r.stdout + r.stderr
    text = r.stdout + r.stderr
    assert "'cy' has no catalog" in text and "the newsletter pages' words (all " in text
    assert text.count("has no catalog") == 1


def test_a_formula_address_is_never_signed_up_and_an_opt_out_naming_the_newsletter_stays_an_opt_out(
        demo_workspace, imap_account, smtp_server, aws_env):
    ws = demo_workspace
    _signup(ws, imap_account.server.url(), smtp_server.port)
    imap_account.append(reply("=cmd|'/Ccalc'!A0@example.net", "Subscribe to the newsletter", "", to=NEWS), when=IMAP_T0)
    # and a subject that asks to unsubscribe, whatever else it says, is an opt-out, not a sign-up
    imap_account.append(reply("emily.harper@example.com", "Please unsubscribe me, I never asked to subscribe to the "
                              "newsletter", "", to=NEWS), when=IMAP_T0)
    r, res = _pull(ws, imap_account, aws_env, T0)
    assert r.returncode == 0, r.stderr + r.stdout
    assert res["by_kind"]["signup_request"] == 0 and _confirmations(smtp_server) == []
    assert res["by_kind"]["unsubscribe"] == 1


def test_a_confirmation_the_server_refused_is_sent_by_the_next_pull(demo_workspace, imap_account, smtp_server, aws_env):
    from fixtures_mail import _free_port

    ws = demo_workspace
    _signup(ws, imap_account.server.url(), smtp_server.port)
    imap_account.append(reply(NEW, "Subscribe to the newsletter", "", to=NEWS), when=IMAP_T0)
    r, _ = _pull(ws, imap_account, aws_env, T0)
    assert r.returncode == 0 and len(_confirmations(smtp_server)) == 1
    # a day and more later she asks again, while the mail server is away
    nextday, imap_next = "2026-11-21T12:00:00+01:00", '"21-Nov-2026 11:30:00 +0100"'
    edit(site_toml(ws), f"127.0.0.1:{smtp_server.port}", f"127.0.0.1:{_free_port()}")
    imap_account.append(reply(NEW, "Subscribe to the newsletter", "still waiting", to=NEWS), when=imap_next)
    r, res = _pull(ws, imap_account, aws_env, nextday)
    assert r.returncode == 1 and res["problems"], r.stdout
    assert len(_confirmations(smtp_server)) == 1
    # the server is back: the request, left in the mailbox, gets its confirmation now
    text = site_toml(ws).read_text(encoding="utf-8")
    site_toml(ws).write_text(re.sub(r'transport = "smtp://127\.0\.0\.1:\d+"', f'transport = "smtp://127.0.0.1:{smtp_server.port}"',
                                    text), encoding="utf-8")
    r, res = _pull(ws, imap_account, aws_env, nextday)
    assert r.returncode == 0, r.stderr + r.stdout
    first, second = [_parsed(m) for m in _confirmations(smtp_server)]
    # both confirmations stay valid within the 30 days: the first one confirms
    imap_account.append(reply(NEW, f"Re: {first['Subject']}", "yes", to=NEWS), when=imap_next)
    r, _ = _pull(ws, imap_account, aws_env, nextday)
    [row] = [row for row in _rows(ws) if row["email"] == NEW]
    assert row["source"] == f"double opt-in {first['Message-ID']}" and row["consented_at"] == T0


def test_an_audience_file_without_a_consent_column_stops_the_confirmation_and_the_next_pull_records_it(
        demo_workspace, imap_account, smtp_server, aws_env):
    ws = demo_workspace
    _signup(ws, imap_account.server.url(), smtp_server.port)
    edit(site_toml(ws), "[mail]\n", "[mail]\nrequire_consent = false\n")
    audience(ws).write_text("Email;Name\nalt@example.org;Alt\n", encoding="utf-8")
    imap_account.append(reply(NEW, "Newsletter abonnieren", "", to=NEWS), when=IMAP_T0)
    r, _ = _pull(ws, imap_account, aws_env, T0)
    [conf] = [_parsed(m) for m in _confirmations(smtp_server)]
    imap_account.append(reply(NEW, f"AW: {conf['Subject']}", "Ja", to=NEWS), when=IMAP_T1)
    r, res = _pull(ws, imap_account, aws_env, T1)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    [problem] = [p for p in res["problems"] if "audience.csv" in p["path"]]
    assert "consented_at" in problem["message"] and problem["line"] == 1 and "add the column" in problem["fix"]
    assert audience(ws).read_text(encoding="utf-8") == "Email;Name\nalt@example.org;Alt\n"  # nothing written
    # fixed by hand (Excel's semicolons kept); the confirmation, left in the mailbox, counts now
    audience(ws).write_text("Email;Name;consented_at;source\nalt@example.org;Alt;;\n", encoding="utf-8")
    r, res = _pull(ws, imap_account, aws_env, T1)
    assert r.returncode == 0, r.stderr + r.stdout
    assert audience(ws).read_text(encoding="utf-8").splitlines()[-1] == \
        f"{NEW};;{T0};double opt-in {conf['Message-ID']}"


def test_a_missing_audience_file_that_is_a_link_out_of_the_client_folder_is_never_created_through(
        demo_workspace, tmp_path):
    import os

    import pytest

    from sitekeeper.config.site import load_site
    from sitekeeper.config.workspace import find_workspace
    from sitekeeper.errors import SuppressionError
    from sitekeeper.suppressions.signup import append_subscriber

    audience_file = demo_workspace / "campaigns" / BAKERY / "audience.csv"
    audience_file.unlink()
    outside = tmp_path / "elsewhere.csv"
    os.symlink(outside, audience_file)
    ws = find_workspace(demo_workspace)
    cfg = load_site(ws, BAKERY)
    with pytest.raises(SuppressionError) as raised:
        append_subscriber(ws, cfg, "neu@example.net", "de", "2026-12-01T10:00:00+01:00", "double opt-in <x@y>")
    assert "link out of" in str(raised.value)
    assert not outside.exists()
