"""Approval by reply, end to end on real servers: `campaign request-approval` mails the campaign
to a real SMTP server (aiosmtpd on 127.0.0.1), the client's reply is appended to a real IMAP
mailbox (Dovecot on 127.0.0.1) as a mail program would send it, and `mailbox pull` reads it:
the approval recorded in the front matter (or not), the by_kind counts, the confirmation mailed
back, the request's record in the state store."""
from __future__ import annotations

import email
import json
import email.policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from helpers import json_lines, sk
from sitekeeper.suppressions.imap import KEYWORD

BAKERY, SLUG = "baeckerei-sonnenkorn", "adventsaktion"
DENTIST, DSLUG = "zubni-ordinace-novakova", "zimni-usmev"
JANA = "jana@example.org"
NOW = "2026-11-20T10:00:00+01:00"
KEY = "a-long-random-client-secret-for-tests"
ARRIVED = "\"21-Nov-2026 08:16:00 +0100\""
OWN = {BAKERY: "info@baeckerei-sonnenkorn.example", DENTIST: "recepce@zubni-novakova.example"}


def _configure(ws, client: str, smtp_port: int, imap_url: str) -> None:
    path = ws / "sites" / client / "site.toml"
    text = path.read_text(encoding="utf-8")
    extra = (f'transport = "smtp://127.0.0.1:{smtp_port}"\ntls = "none"\nunsubscribe_key_env = "CLIENT_KEY"\n'
             f'imap = "{imap_url}"\nimap_user_env = "CLIENT_IMAP_USER"\nimap_password_env = "CLIENT_IMAP_PASSWORD"\n')
    path.write_text(text.replace("[mail]\n", "[mail]\n" + extra, 1), encoding="utf-8")


def _env(account) -> dict:
    return {"CLIENT_KEY": KEY, "CLIENT_IMAP_USER": account.user, "CLIENT_IMAP_PASSWORD": account.password}


@pytest.fixture
def setup(demo_workspace, smtp_server, imap_account):
    for client in (BAKERY, DENTIST):
        _configure(demo_workspace, client, smtp_server.port, imap_account.server.url())
    return demo_workspace, smtp_server, imap_account


def _request(ws, account, spec=f"{BAKERY}/{SLUG}", *extra, proof=False):
    r = sk("campaign", "request-approval", spec, "--to", JANA, *extra, *([] if proof else ["--no-proof"]), "--json",
           cwd=ws, now=NOW, env=_env(account))
    assert r.returncode == 0, r.stderr + r.stdout
    return json_lines(r.stdout)[-1]


def _parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def _reply(request_msg: EmailMessage, body: str, *, sender: str = f"Jana Brandt <{JANA}>", html: bool = False,
           to: str = OWN[BAKERY], subject: str | None = None, date: str = "Sat, 21 Nov 2026 08:15:00 +0100") -> bytes:
    """A reply as a mail program writes it: Re: subject, In-Reply-To and References, the quote."""
    m = EmailMessage()
    m["From"], m["To"] = sender, to
    m["Subject"] = subject if subject is not None else "Re: " + str(request_msg["Subject"])
    m["Date"] = date
    m["Message-ID"] = make_msgid(domain="mail.example.org")
    m["In-Reply-To"] = request_msg["Message-ID"]
    m["References"] = request_msg["Message-ID"]
    if html:
        m.set_content(body, subtype="html")
    else:
        m.set_content(body)
    return bytes(m)


def _quote(request_msg: EmailMessage, intro: str) -> str:
    text = request_msg.get_body(("plain",)).get_content()
    return f"\n\n{intro}\n" + "".join(f"> {line}\n" for line in text.splitlines()[:12])


def _pull(ws, account, client=BAKERY):
    """One client's pull (each client has its own mailbox; here both share the test's one)."""
    r = sk("mailbox", "pull", client, "--json", cwd=ws, now="2026-11-21T09:00:00+01:00", env=_env(account))
    assert r.returncode == 0, r.stderr + r.stdout
    lines = json_lines(r.stdout)
    return lines, lines[-1]


def _front(ws, client=BAKERY, slug=SLUG) -> str:
    return (ws / "campaigns" / client / f"{slug}.md").read_text(encoding="utf-8").split("\n---", 1)[0]


def _campaign_row(ws, account, spec: str) -> dict:
    r = sk("campaign", "list", "--json", cwd=ws, now=NOW, env=_env(account))
    assert r.returncode == 0, r.stderr
    return next(ln for ln in json_lines(r.stdout) if ln.get("campaign") == spec)


# ---------------------------------------------------------------- the request


@pytest.mark.usefixtures("chromium")  # the PNG proofs need Debian's chromium
def test_the_request_on_the_wire_carries_the_token_the_note_every_language_and_the_proofs(setup):
    ws, smtp, account = setup
    result = _request(ws, account, proof=True)
    assert result["proofs"] is True and result["languages"] == ["de", "en"]
    (got,) = smtp.messages
    assert got.rcpt_tos == [JANA] and got.mail_from == "news@baeckerei-sonnenkorn.example"
    msg = got.message
    token = result["token"]
    assert msg["Subject"] == f"[Approval] Adventsaktion 2026 – bitte freigeben [{token}]"
    assert token in msg["Message-ID"] and msg["Reply-To"] == OWN[BAKERY]
    head = got.data.split(b"\r\n\r\n", 1)[0]
    assert b"List-Unsubscribe" not in head and b"Precedence" not in head
    text = msg.get_body(("plain",)).get_content()
    assert "Zur Freigabe antworten Sie einfach mit OK." in text and "Geplanter Versand: 24. November 2026, 09:00" in text
    assert "Unsere Adventsaktion: 10 % auf Stollen" in text and "Our Advent offer: 10% off stollen" in text
    html = msg.get_body(("html",)).get_content()
    assert "Bitte freigeben: Adventsaktion 2026" in html and html.count('src="cid:proof-') == 4
    pngs = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    names = sorted(p.get_filename() for p in pngs)
    assert names == sorted(f"{SLUG}-{lang}-{kind}.png" for lang in ("de", "en")
                           for kind in ("600", "600-dark", "375", "375-dark"))
    assert all(p.get_content().startswith(b"\x89PNG") for p in pngs)
    inner = [p for p in msg.iter_attachments() if p.get_content_type() == "message/rfc822"]
    assert [p.get_filename() for p in inner] == [f"{SLUG}-de.eml", f"{SLUG}-en.eml"]
    de, en = (p.get_content() for p in inner)
    assert de["Subject"] == "Unsere Adventsaktion: 10 % auf Stollen und Plätzchen"
    assert de["List-Unsubscribe"] and en["Subject"] != de["Subject"]
    assert "Stollen" in de.get_body(("html",)).get_content()
    # recorded, and shown
    row = _campaign_row(ws, account, f"{BAKERY}/{SLUG}")
    assert row["approval_requested"] == "approval requested (2026-11-20)" and row["approval"] == "not approved"
    st = sk("status", BAKERY, "--json", cwd=ws, now=NOW, env=_env(account))
    assert st.returncode == 0, st.stderr
    assert json_lines(st.stdout)[-1]["clients"][0]["approvals_requested"] == {SLUG: "approval requested (2026-11-20)"}


def test_the_note_is_in_the_language_asked_and_english_when_there_is_none(setup):
    ws, smtp, account = setup
    _request(ws, account, f"{BAKERY}/{SLUG}", "--lang", "fr")
    _request(ws, account, f"{BAKERY}/{SLUG}", "--lang", "ja")
    fr, ja = (m.message for m in smtp.messages)
    assert fr["Subject"].startswith("[Approval] Adventsaktion 2026 – à valider [ska-")
    assert "Pour le valider, répondez à ce message par OK." in fr.get_body(("plain",)).get_content()
    assert "To approve it, reply to this message with OK." in ja.get_body(("plain",)).get_content()
    # without proofs the emails are attached all the same, and the note says so
    assert "Chaque version linguistique est jointe" in fr.get_body(("plain",)).get_content()
    assert len([p for p in fr.iter_attachments() if p.get_content_type() == "message/rfc822"]) == 2


def test_a_request_is_refused_before_anything_goes_without_a_key_or_for_a_broken_campaign(setup):
    ws, smtp, account = setup
    r = sk("campaign", "request-approval", f"{BAKERY}/{SLUG}", "--to", JANA, "--no-proof", cwd=ws, now=NOW,
           env={"CLIENT_IMAP_USER": "x"})
    assert r.returncode == 1 and "CLIENT_KEY" in r.stderr and "Traceback" not in r.stderr
    r = sk("campaign", "request-approval", f"{BAKERY}/{SLUG}", "--to", "jana@", cwd=ws, now=NOW, env=_env(account))
    assert r.returncode == 2 and "--to" in r.stderr
    md = ws / "campaigns" / BAKERY / f"{SLUG}.md"
    md.write_text(md.read_text(encoding="utf-8").replace("Jetzt vorbestellen", "{{ vorname }}", 1), encoding="utf-8")
    r = sk("campaign", "request-approval", f"{BAKERY}/{SLUG}", "--to", JANA, "--no-proof", cwd=ws, now=NOW,
           env=_env(account))
    assert r.returncode == 1 and "vorname" in r.stderr and f"{SLUG}.md:" in r.stderr
    assert smtp.messages == []
    assert not (ws / ".sitekeeper" / "state" / "approvals").exists()


# ---------------------------------------------------------------- the replies


YES_REPLIES = [
    ("de", BAKERY, SLUG, "Passt so!\n\nViele Grüße\nJana Brandt\nBäckerei Sonnenkorn",
     "Am 20.11.2026 um 10:00 schrieb Bäckerei Sonnenkorn <news@baeckerei-sonnenkorn.example>:", False),
    ("cs", DENTIST, DSLUG, "Schváleno, děkuji.\n\n-- \nMUDr. Jana Nováková",
     "Dne pá 20. 11. 2026 10:00 Zubní ordinace <ordinace@zubni-novakova.example> napsal(a):", False),
    ("fr", BAKERY, SLUG, "oui", "Le ven. 20 nov. 2026 à 10:00, Bäckerei Sonnenkorn a écrit :", False),
    ("en", BAKERY, SLUG, "OK, go ahead\n\nSent from my iPhone",
     "On Fri, Nov 20, 2026 at 10:00 AM Bäckerei Sonnenkorn <news@baeckerei-sonnenkorn.example> wrote:", False),
    ("de", BAKERY, SLUG, '<div dir="ltr">Freigegeben, danke!</div><br><div class="gmail_quote">Am 20.11.2026 schrieb '
     'Bäckerei Sonnenkorn:<blockquote class="gmail_quote"><p>Zur Freigabe antworten Sie einfach mit OK.</p>'
     '<p>Alles andere gilt als Änderungswunsch</p></blockquote></div>', "", True),
]
CONFIRMED = {"de": "Freigegeben: ", "cs": "Schváleno: ", "fr": "Validé : ", "en": "Approved: "}


@pytest.mark.parametrize("lang,client,slug,words,intro,html", YES_REPLIES,
                         ids=["de-passt-so", "cs-schvaleno", "fr-oui", "en-ok-go-ahead", "de-html-only"])
def test_a_yes_from_the_address_asked_records_the_approval_and_confirms_it(setup, lang, client, slug, words, intro,
                                                                           html):
    ws, smtp, account = setup
    result = _request(ws, account, f"{client}/{slug}", "--lang", lang)
    (req,) = smtp.messages
    body = words if html else words + _quote(req.message, intro)
    account.append(_reply(req.message, body, html=html, to=OWN[client]), when=ARRIVED)
    lines, pulled = _pull(ws, account, client)
    by_kind = pulled["by_kind"]
    assert by_kind["approval"] == 1 and by_kind["approval_declined"] == 0 and by_kind["ignored"] == 0, json.dumps(pulled)
    front = _front(ws, client, slug)
    assert "approved: true" in front
    assert f'approved_by: "Jana Brandt <{JANA}>"' in front
    offset = "+01:00"
    assert 'approved_at: "2026-11-21T08:15:00' + offset + '"' in front
    assert f'approved_hash: "{result["approval_hash"]}"' in front
    assert any(ln.get("event") == "approval" and ln["campaign"] == f"{client}/{slug}" for ln in lines)
    assert all(KEYWORD in flags for flags in account.flags().values())  # marked processed
    # the confirmation, in her language, without the token
    conf = smtp.messages[-1]
    assert len(smtp.messages) == 2 and conf.rcpt_tos == [JANA]
    assert conf.message["Subject"].startswith(CONFIRMED[lang]) and conf.message["Auto-Submitted"] == "auto-replied"
    assert result["token"] not in conf.data.decode("ascii", "replace")
    row = _campaign_row(ws, account, f"{client}/{slug}")
    assert row["approval"] == "approved" and row["approval_requested"] is None
    # read once: the next pull finds nothing new and approves nothing twice
    _, again = _pull(ws, account, client)
    assert sum(again["by_kind"].values()) == 0 and len(smtp.messages) == 2


def test_a_no_is_declined_reported_with_its_text_and_left_in_the_mailbox(setup):
    ws, smtp, account = setup
    _request(ws, account, f"{BAKERY}/{SLUG}", "--lang", "en")
    (req,) = smtp.messages
    raw = _reply(req.message, "no, change the date to 5 December please\n\nJana"
                 + _quote(req.message, "On Fri, Nov 20, 2026 Bäckerei Sonnenkorn wrote:"))
    account.append(raw, when=ARRIVED)
    lines, result = _pull(ws, account)
    by_kind = result["by_kind"]
    assert by_kind["approval_declined"] == 1 and by_kind["approval"] == 0
    assert "approved: false" in _front(ws)
    declined = [ln for ln in lines if ln.get("event") == "approval_declined"]
    assert declined and "change the date to 5 December" in declined[0]["text"]
    assert "reply to this message with OK" not in declined[0]["text"]
    assert all(KEYWORD not in flags for flags in account.flags().values())  # left as it was
    conf = smtp.messages[-1].message
    assert conf["Subject"] == "Changes received: Advent offer 2026" and conf["To"] == JANA
    assert "change the date to 5 December" in conf.get_body(("plain",)).get_content()
    row = _campaign_row(ws, account, f"{BAKERY}/{SLUG}")
    assert row["approval"] == "not approved" and row["approval_requested"] == "changes asked (2026-11-21)"


def test_a_yes_from_another_address_approves_nothing_and_is_reported(setup):
    ws, smtp, account = setup
    _request(ws, account)
    (req,) = smtp.messages
    account.append(_reply(req.message, "OK" + _quote(req.message, "Am 20.11.2026 schrieb Bäckerei Sonnenkorn:"),
                          sender="Max Brandt <max@example.net>"), when=ARRIVED)
    lines, result = _pull(ws, account)
    assert result["by_kind"]["ignored"] == 1 and result["by_kind"]["approval"] == 0
    assert "approved: false" in _front(ws)
    assert any("max@example.net" in p["message"] and "nothing approved" in p["message"] for p in result["problems"])
    assert len(smtp.messages) == 1  # nothing goes to a stranger


def test_a_yes_after_the_text_changed_approves_nothing_and_she_hears_why(setup):
    ws, smtp, account = setup
    _request(ws, account)
    (req,) = smtp.messages
    md = ws / "campaigns" / BAKERY / f"{SLUG}.md"
    md.write_text(md.read_text(encoding="utf-8").replace("10 % auf alle Stollen", "15 % auf alle Stollen"),
                  encoding="utf-8")
    account.append(_reply(req.message, "Passt!" + _quote(req.message, "Am 20.11.2026 schrieb Bäckerei Sonnenkorn:")),
                   when=ARRIVED)
    _, result = _pull(ws, account)
    assert result["by_kind"]["ignored"] == 1 and result["by_kind"]["approval"] == 0
    assert "approved: false" in _front(ws)
    assert any("text changed" in p["message"] for p in result["problems"])
    conf = smtp.messages[-1].message
    assert len(smtp.messages) == 2 and conf["Subject"] == "Noch nicht freigegeben: Adventsaktion 2026"


@pytest.mark.parametrize("forge", ["made-up", "wrong-mac"])
def test_a_forged_token_approves_nothing(setup, forge):
    ws, smtp, account = setup
    result = _request(ws, account)
    (req,) = smtp.messages
    token = result["token"]
    fake = "ska-" + "a" * 22 if forge == "made-up" else token[:12] + ("b" * 14 if token[12:] != "b" * 14 else "c" * 14)
    m = _parse(_reply(req.message, "OK"))
    m.replace_header("Subject", f"Re: [Approval] Adventsaktion 2026 [{fake}]")
    for h in ("In-Reply-To", "References"):
        m.replace_header(h, f"<approval.{fake}@baeckerei-sonnenkorn.example>")
    account.append(bytes(m), when=ARRIVED)
    _, result = _pull(ws, account)
    assert result["by_kind"]["approval"] == 0 and result["by_kind"]["ignored"] == 1
    assert "approved: false" in _front(ws)
    assert any("not genuine" in p["message"] for p in result["problems"])
    assert len(smtp.messages) == 1


def test_a_damaged_request_record_approves_nothing_and_is_named(setup):
    ws, smtp, account = setup
    _request(ws, account)
    (req,) = smtp.messages
    (record,) = (ws / ".sitekeeper" / "state" / "approvals" / BAKERY / SLUG).glob("*.json")
    record.write_bytes(record.read_bytes().replace(b'"to": "jana@', b'"to": "mall@'))
    account.append(_reply(req.message, "OK" + _quote(req.message, "Am 20.11.2026 schrieb Bäckerei Sonnenkorn:")),
                   when=ARRIVED)
    _, result = _pull(ws, account)
    assert result["by_kind"]["approval"] == 0 and "approved: false" in _front(ws)
    assert any(record.name in p["message"] and "damaged" in p["message"] for p in result["problems"])
    r = sk("campaign", "list", BAKERY, cwd=ws, now=NOW, env=_env(account))
    assert r.returncode == 1 and record.name in r.stderr and "Traceback" not in r.stderr


def test_every_language_of_the_theme_has_every_word_of_the_request_and_the_confirmations():
    from sitekeeper.approvals import words

    from sitekeeper.locale import catalog

    assert {"en", "de", "cs", "sk", "ro", "nl", "it", "fr", "es", "pl", "hu", "pt"} <= set(words.LANGUAGES)
    for lang in words.LANGUAGES:
        table = catalog.lookup("approval", lang)
        assert set(table) == set(words.KEYS), lang
        assert "OK" in words.say(lang, "yes"), lang
        for key in ("ok_body", "no_body", "changed_body"):
            assert "{title}" in table[key] and words.say(lang, key, title="T", by="B", at="A"), (lang, key)
    assert words.say("pt-BR", "yes") == words.say("pt", "yes")
    # a catalog without the approval words, and a language without a catalog, write English
    assert words.language("ja") == words.language("gd") == "en" and words.say("gd", "yes") == words.say("en", "yes")


def test_an_approval_by_reply_holds_on_a_fresh_checkout_until_the_text_changes(setup):
    """In CI the pull's edit of the front matter stays on the runner; the state store keeps the answer."""
    ws, smtp, account = setup
    md = ws / "campaigns" / BAKERY / f"{SLUG}.md"
    checkout = md.read_text(encoding="utf-8")
    _request(ws, account)
    (req,) = smtp.messages
    account.append(_reply(req.message, "OK" + _quote(req.message, "Am 20.11.2026 schrieb Bäckerei Sonnenkorn:")),
                   when=ARRIVED)
    _pull(ws, account)
    assert "approved: true" in _front(ws)
    md.write_text(checkout, encoding="utf-8")  # the next runner's checkout
    row = _campaign_row(ws, account, f"{BAKERY}/{SLUG}")
    assert row["approval"] == "approved" and row["approved_by"] == f"Jana Brandt <{JANA}>"
    sent_before = len(smtp.messages)
    r = sk("campaign", "send", f"{BAKERY}/{SLUG}", "--json", cwd=ws, now="2026-11-24T09:30:00+01:00", env=_env(account))
    assert r.returncode == 0, r.stderr + r.stdout
    assert json_lines(r.stdout)[-1]["sent"] == len(smtp.messages) - sent_before > 0
    # an edit voids it, as it voids one in the front matter
    md.write_text(checkout.replace("10 % auf alle Stollen", "15 % auf alle Stollen"), encoding="utf-8")
    assert _campaign_row(ws, account, f"{BAKERY}/{SLUG}")["approval"] == "not approved"


def test_tick_reads_the_yes_and_sends_the_campaign_in_the_same_run(setup):
    ws, smtp, account = setup
    _request(ws, account)
    (req,) = smtp.messages
    account.append(_reply(req.message, "Passt so, danke!\n\nJana"
                          + _quote(req.message, "Am 20.11.2026 schrieb Bäckerei Sonnenkorn:")), when=ARRIVED)
    r = sk("tick", cwd=ws, now="2026-11-24T09:30:00+01:00", env=_env(account))
    assert r.returncode == 0, r.stderr + r.stdout
    assert "approved by Jana Brandt <jana@example.org> by reply" in r.stdout + r.stderr
    # the dentist's pull reads the same test mailbox: another client's reply is none of its business
    assert "not genuine" not in r.stdout + r.stderr
    assert "approved: true" in _front(ws)
    to_readers = [m for m in smtp.messages[1:] if m.rcpt_tos != [JANA]]
    assert to_readers and all(m.message["Subject"].startswith(("Unsere Adventsaktion", "Our Advent offer"))
                              for m in to_readers)


def test_a_request_the_server_refuses_is_not_recorded(demo_workspace, smtp_fault_server, imap_account):
    ws = demo_workspace
    _configure(ws, BAKERY, smtp_fault_server.port, imap_account.server.url())
    smtp_fault_server.cues[JANA] = ["550"]
    r = sk("campaign", "request-approval", f"{BAKERY}/{SLUG}", "--to", JANA, "--no-proof", cwd=ws, now=NOW,
           env=_env(imap_account))
    assert r.returncode == 1 and "refused the recipient" in r.stderr and "Traceback" not in r.stderr
    assert list((ws / ".sitekeeper" / "state").rglob("approvals/**/*.json")) == []
    assert _campaign_row(ws, imap_account, f"{BAKERY}/{SLUG}")["approval_requested"] is None
