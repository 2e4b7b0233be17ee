"""The unsubscribe page on the client's own site: a campaign's link leads to
/newsletter/unsubscribe/ (per language) with the reader's keyed token after #t=; the page's one
button is a prefilled mailto that a real Dovecot pull accepts, read in a real Chromium with and
without its script; a token for another address unsubscribes nobody; opening the page changes
nothing (a static page: nothing there could)."""
from __future__ import annotations

import email
import email.policy
import re
from urllib.parse import unquote, urlsplit

from helpers import edit, sk
from test_send import SPEC, approve, audience, send, site_toml, use_smtp
from test_suppressions_pull import AT, BAKERY, configure, env_for, reply, rows

from sitekeeper.mail.tokens import make_token

KEY = {"BAKERY_UNSUB_KEY": "9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e"}
BOX = "abmelden@baeckerei-sonnenkorn.example"
BASE = "https://baeckerei-sonnenkorn.example"
DE, EN = "greta.vogel@example.net", "tom.baker@example.net"


def _keyed(ws) -> None:
    edit(site_toml(ws), "[mail]\n", '[mail]\nunsubscribe_key_env = "BAKERY_UNSUB_KEY"\n')


def _text_part(data: bytes) -> str:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    return msg.get_body(preferencelist=("plain",)).get_content()


def _build(ws):
    r = sk("build", BAKERY, "--out", "site", cwd=ws, now=AT)
    assert r.returncode == 0, r.stderr
    return ws / "site"


def _button(browser, url: str, script: bool = True) -> str:
    context = browser.new_context(java_script_enabled=script)
    try:
        page = context.new_page()
        page.goto(url)
        return page.get_attribute("#unsubscribe-mailto", "href")
    finally:
        context.close()


def _subject_of(mailto: str) -> tuple[str, str]:
    parts = urlsplit(mailto)
    assert parts.scheme == "mailto"
    query = dict(p.split("=", 1) for p in parts.query.split("&"))
    return parts.path, unquote(query["subject"])


def test_every_campaign_links_to_the_unsubscribe_page_in_its_language_with_the_token_of_the_list_header(
        demo_workspace, smtp_server):
    ws = demo_workspace
    _keyed(ws)
    audience(ws).write_text("email,name,lang,tags,consented_at,source\n"
                            f"{DE},Greta,de,,2025-01-01,test\n{EN},Tom,en,,2025-01-01,test\n", encoding="utf-8")
    use_smtp(ws, smtp_server.port)
    approve(ws)
    r = send(ws, SPEC, "--json", env=KEY)
    assert r.returncode == 0, r.stderr
    by_to = {m.rcpt_tos[0]: m.data for m in smtp_server.messages}
    assert set(by_to) == {DE, EN}
    key = KEY["BAKERY_UNSUB_KEY"].encode()
    for address, path in ((DE, "/newsletter/unsubscribe/"), (EN, "/en/newsletter/unsubscribe/")):
        token = make_token(address, key)
        text = _text_part(by_to[address])
        links = re.findall(r"https://\S+/unsubscribe/\S*", text)
        assert links == [f"{BASE}{path}#t={token}"], text
        head = by_to[address].split(b"\r\n\r\n", 1)[0].decode()
        [line] = [x for x in head.split("\r\n") if x.startswith("List-Unsubscribe:")]
        assert f"subject=unsubscribe {address} {token}>" in unquote(line)
        assert "One-Click" not in head  # no unsubscribe_url: no one-click POST is promised


def test_the_page_s_button_carries_a_token_the_pull_accepts_and_another_address_s_token_unsubscribes_nobody(
        demo_workspace, browser, serve_dir, imap_account, aws_env):
    ws = demo_workspace
    _keyed(ws)
    configure(ws, BAKERY, imap=imap_account.server.url())
    key = KEY["BAKERY_UNSUB_KEY"].encode()
    site = serve_dir(_build(ws))
    before = (ws / "campaigns" / BAKERY / "unsubscribed.csv").exists()

    mine = make_token("martina.krueger@example.com", key)
    href = _button(browser, f"{site}/newsletter/unsubscribe/#t={mine}")
    to, subject = _subject_of(href)
    assert to == BOX and subject == f"unsubscribe martina.krueger@example.com {mine}"
    # the English page, and the token given as ?t= (some mail apps drop a fragment)
    href_en = _button(browser, f"{site}/en/newsletter/unsubscribe/?t={mine}")
    assert _subject_of(href_en) == (BOX, subject)
    assert (ws / "campaigns" / BAKERY / "unsubscribed.csv").exists() == before  # opening it changed nothing

    # someone copies the subject but names another subscriber with the token they were given
    theirs = make_token("joerg.weissmann@example.org", key)
    forged = f"unsubscribe emily.harper@example.com {theirs}"
    imap_account.append(reply("joerg.weissmann@example.org", forged, "", to=BOX))
    imap_account.append(reply("martina.krueger@example.com", subject, "", to=BOX))
    r = sk("mailbox", "pull", BAKERY, "--json", cwd=ws, now=AT, env={**env_for(imap_account, aws_env), **KEY})
    assert r.returncode == 0, r.stderr + r.stdout
    assert set(rows(ws, BAKERY)) == {"martina.krueger@example.com"}
    assert "emily.harper@example.com" not in rows(ws, BAKERY) and "joerg.weissmann@example.org" not in rows(ws, BAKERY)


def test_without_its_script_the_page_still_opens_a_mailto_that_unsubscribes_its_sender_only(
        demo_workspace, browser, serve_dir, imap_account, aws_env):
    ws = demo_workspace
    _keyed(ws)
    configure(ws, BAKERY, imap=imap_account.server.url())
    site = serve_dir(_build(ws))
    token = make_token("lukas.oezdemir@example.com", KEY["BAKERY_UNSUB_KEY"].encode())
    de = _button(browser, f"{site}/newsletter/unsubscribe/#t={token}", script=False)
    en = _button(browser, f"{site}/en/newsletter/unsubscribe/#t={token}", script=False)
    assert _subject_of(de) == (BOX, "abmelden") and _subject_of(en) == (BOX, "unsubscribe")
    imap_account.append(reply("lukas.oezdemir@example.com", "abmelden", "", to=BOX))
    # an unkeyed request naming someone else is not believed: only the sender's own address counts
    imap_account.append(reply("prankster@example.net", "unsubscribe emily.harper@example.com", "", to=BOX))
    r = sk("mailbox", "pull", BAKERY, "--json", cwd=ws, now=AT, env={**env_for(imap_account, aws_env), **KEY})
    assert r.returncode == 0, r.stderr + r.stdout
    assert set(rows(ws, BAKERY)) == {"lukas.oezdemir@example.com"}


def test_the_page_is_built_per_language_kept_out_of_search_and_the_sitemap(demo_workspace):
    ws = demo_workspace
    out = _build(ws)
    de = (out / "newsletter" / "unsubscribe" / "index.html").read_text(encoding="utf-8")
    en = (out / "en" / "newsletter" / "unsubscribe" / "index.html").read_text(encoding="utf-8")
    assert 'lang="de"' in de and "Vom Newsletter abmelden" in de and f'data-mailbox="{BOX}"' in de
    assert 'lang="en"' in en and "Unsubscribe from the newsletter" in en
    assert '<meta name="robots" content="noindex">' in de
    assert "unsubscribe" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_check_warns_while_no_mailbox_reads_the_keyed_opt_outs(demo_workspace):
    _keyed(demo_workspace)
    r = sk("check", BAKERY, cwd=demo_workspace, now=AT, env=KEY)
    text = r.stdout + r.stderr
    assert r.returncode == 0 and "no `imap` is configured" in text and BOX in text
    configure(demo_workspace, BAKERY, imap="imaps://imap.example.net:993")
    r = sk("check", BAKERY, cwd=demo_workspace, now=AT, env=KEY)
    assert "no `imap` is configured" not in r.stdout + r.stderr
