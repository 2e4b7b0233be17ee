"""Reading a client's reply to an approval request (sitekeeper.approvals.reply, a pure
function): replies written as mail programs send them, in several languages, with quotes,
signatures and HTML-only bodies. (The request command and the mailbox that feeds these are
not built yet; this tests the reading on its own.)"""
from __future__ import annotations

import email
import email.policy

import pytest

from sitekeeper.approvals.reply import Pending, read_reply

TOKEN = "k3Jq9xT2vR"
REQ = Pending(TOKEN, "baeckerei-sonnenkorn/adventsaktion", "jana@baeckerei.example", "h1")


def _msg(body: str, *, frm: str = "Jana Brandt <jana@baeckerei.example>", html: bool = False,
         subject: str = f"Re: [Approval] Adventsaktion 2026 ({TOKEN})"):
    kind = "text/html" if html else "text/plain"
    raw = (f"From: {frm}\r\nTo: va@example.org\r\nSubject: {subject}\r\nDate: Tue, 01 Dec 2026 10:15:00 +0100\r\n"
           f"In-Reply-To: <approval.{TOKEN}@sitekeeper.invalid>\r\nContent-Type: {kind}; charset=utf-8\r\n"
           f"Content-Transfer-Encoding: 8bit\r\n\r\n{body}")
    return email.message_from_bytes(raw.encode("utf-8"), policy=email.policy.default)


def _read(msg, current="h1"):
    return read_reply(msg, [REQ], lambda campaign: current)


QUOTE_DE = "\n\nAm 30.11.2026 um 09:00 schrieb Anna VA <va@example.org>:\n> Bitte antworten Sie mit OK\n> freigegeben?\n"
QUOTE_EN = "\n\nOn Mon, Nov 30, 2026 at 9:00 AM Anna VA <va@example.org> wrote:\n> reply OK to approve\n"
QUOTE_CS = "\n\nDne po 30. 11. 2026 9:00 Anna VA <va@example.org> napsal(a):\n> odpovězte OK\n"


@pytest.mark.parametrize("body", [
    "OK" + QUOTE_EN,
    "Yes, thanks!" + QUOTE_EN,
    "Approved." + QUOTE_EN,
    "Passt so, danke!\n\nViele Grüße\nJana Brandt\nBäckerei Sonnenkorn" + QUOTE_DE,
    "Freigegeben" + QUOTE_DE,
    "ja" + QUOTE_DE,
    "Schváleno, děkuji" + QUOTE_CS,
    "Souhlasím" + QUOTE_CS,
    "Oui, merci" + QUOTE_EN,
    "Sì, va bene" + QUOTE_EN,
    "Vale, gracias" + QUOTE_EN,
    "Akkoord" + QUOTE_EN,
    "Tak, zgoda" + QUOTE_EN,
    "Da, aprob" + QUOTE_EN,
    "Igen, rendben" + QUOTE_EN,
    "Sim, obrigada" + QUOTE_EN,
    "Ok\n\n-- \nJana Brandt\nGeschäftsführerin" + QUOTE_DE,
    "OK, posílejte" + QUOTE_CS,
    "Schválené, ďakujem" + QUOTE_CS,
    "Ja, kann raus!" + QUOTE_DE,
    "Oui, vous pouvez envoyer" + QUOTE_EN,
    "Aprobat, mulțumesc" + QUOTE_EN,
    "Jóváhagyom, mehet" + QUOTE_EN,
])
def test_a_yes_before_the_quote_approves(body):
    out = _read(_msg(body))
    assert out.kind == "approved", out.text
    assert out.by == "Jana Brandt <jana@baeckerei.example>" and out.at.startswith("2026-12-01T10:15")


@pytest.mark.parametrize("body", [
    "Bitte den Preis auf 12 % ändern, sonst passt es." + QUOTE_DE,
    "OK but change the date to Friday" + QUOTE_EN,
    "Nein, noch nicht" + QUOTE_DE,
    "Bitte noch nicht versenden" + QUOTE_DE,
    "Neposílejte to ještě" + QUOTE_CS,
    "Can we talk tomorrow?" + QUOTE_EN,
    QUOTE_EN.strip(),  # only the quote (which says OK): no answer of her own
])
def test_anything_else_is_declined_with_its_text(body):
    out = _read(_msg(body))
    assert out.kind == "declined"
    assert "OK to approve" not in out.text and "freigegeben?" not in out.text


def test_an_html_only_reply_is_read_without_its_blockquote():
    body = ("<html><body><div>Passt, danke!</div><div><br></div><div>Am 30.11.2026 schrieb Anna:</div>"
            "<blockquote><p>Bitte antworten Sie mit OK</p></blockquote></body></html>")
    assert _read(_msg(body, html=True)).kind == "approved"
    body = ("<html><body><p>Lieber 15 % bitte</p><blockquote><p>OK</p></blockquote></body></html>")
    assert _read(_msg(body, html=True)).kind == "declined"


def test_another_sender_approves_nothing():
    out = _read(_msg("OK" + QUOTE_EN, frm="Someone <someone@elsewhere.example>"))
    assert out.kind == "wrong_sender"


def test_a_changed_campaign_approves_nothing():
    assert _read(_msg("OK" + QUOTE_EN), current="h2").kind == "changed"


def test_a_message_without_the_token_is_not_a_reply():
    msg = _msg("OK", subject="Re: something else")
    del msg["In-Reply-To"]
    assert _read(msg).kind == "not_a_reply"


@pytest.mark.parametrize("body,own", [
    ("Prosím zmeňte dátum na piatok.\n\nDňa pi 20. 11. 2026 o 10:00 Zubná ambulancia napísal(a):\n"
     "Na schválenie odpovedzte OK\n", "Prosím zmeňte dátum na piatok."),
    ("Vă rog schimbați prețul.\n\nÎn vin., 20 nov. 2026 la 10:00, Brutăria a scris:\nRăspundeți cu OK\n",
     "Vă rog schimbați prețul."),
    ("Kérem, módosítsák a dátumot.\n\n2026. nov. 20., P 10:00 Pékség <info@example.hu> ezt írta:\n"
     "Jóváhagyáshoz válaszoljon OK\n", "Kérem, módosítsák a dátumot."),
    ("Mudem a data, por favor.\n\nEm sex., 20 de nov. de 2026 às 10:00, Padaria escreveu:\nResponda OK\n",
     "Mudem a data, por favor."),
    ("Change the date please.\n\n________________________________\nFrom: Bakery <news@example.com>\n"
     "Sent: Friday\nreply OK to approve\n", "Change the date please."),
])
def test_the_quote_is_cut_off_in_the_languages_and_programs_the_parser_misses(body, own):
    out = _read(_msg(body))
    assert out.kind == "declined" and out.text == own
