"""Opt-outs, the pure parts: phrases per language, DSNs, mailbox messages, SES notices, the
rules that turn events into rows, and unsubscribed.csv's append-only format."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from sitekeeper.suppressions.dsn import MalformedDSN, parse_dsn
from sitekeeper.suppressions.events import BOUNCE, COMPLAINT, DELIVERY, TEMPORARY, UNSUBSCRIBE, Event
from sitekeeper.suppressions.messages import Rules, classify
from sitekeeper.suppressions.phrases import PHRASES, find_request, languages_for
from sitekeeper.suppressions.pull import decide, mask
from sitekeeper.suppressions.record import TEMPORARY_LIMIT, Book, Row, Temporary, append, parse_book
from sitekeeper.suppressions.sqs import parse_notice

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
ALL = tuple(PHRASES)


@pytest.mark.parametrize("lang, text", [
    ("en", "Please unsubscribe me"), ("de", "Bitte abmelden"), ("de", "Bitte melden Sie mich vom Newsletter ab"),
    ("cs", "Prosím odhlásit z odběru"), ("cs", "prosim odhlasit"), ("sk", "Chcem sa odhlásiť"),
    ("ro", "Vă rog dezabonare"), ("ro", "Dezabonați-mă"), ("nl", "Graag afmelden"), ("nl", "Schrijf mij uit a.u.b."),
    ("it", "Disiscrivimi per favore"), ("fr", "Merci de me désabonner"), ("es", "Quiero darme de baja"),
    ("pl", "Proszę mnie wypisać"), ("pl", "Rezygnuję z newslettera"), ("hu", "Szeretnék leiratkozni"),
    ("pt", "Quero cancelar a inscrição"), ("pt", "Não quero mais receber"),
])
def test_a_request_to_unsubscribe_is_found_in_each_language(lang, text):
    assert find_request(text, (lang,)) is not None


def test_at_least_twelve_languages_have_phrases():
    assert {"en", "de", "cs", "sk", "ro", "nl", "it", "fr", "es", "pl", "hu", "pt"} <= set(PHRASES)


@pytest.mark.parametrize("text", ["Danke für das Angebot, ich komme Samstag!", "Can you send me the price list?",
                                  "Objednávám dvě housky", "Il pane era ottimo"])
def test_ordinary_mail_asks_for_nothing(text):
    assert find_request(text, ALL) is None


def test_a_one_word_subject_counts_only_as_the_whole_subject():
    assert find_request("Re: STOP", ("en",), subject=True) == "stop"
    assert find_request("Baja", ("es",), subject=True) == "baja"
    assert find_request("Stop by our shop", ("en",), subject=True) is None


def test_client_languages_and_english_are_matched():
    assert languages_for(("cs", "en")) == ("cs", "en")
    assert languages_for(("de-AT",)) == ("de", "en")
    assert find_request("dezabonare", languages_for(("de",))) is None


# ---------------------------------------------------------------- DSNs


def dsn(recipients: list[tuple[str, str, str]], *, extra: str = "", subject="Undelivered Mail Returned to Sender",
        mid="<dsn-1@mx.example>", date="Mon, 09 Mar 2026 10:00:00 +0000") -> bytes:
    """An RFC 3464 report: (address, action, status) per recipient."""
    blocks = "Reporting-MTA: dns; mx.example\r\nArrival-Date: " + date + "\r\n"
    for address, action, status in recipients:
        blocks += f"\r\nFinal-Recipient: rfc822; {address}\r\nAction: {action}\r\n"
        if status:
            blocks += f"Status: {status}\r\nDiagnostic-Code: smtp; {status[0]}50 mailbox problem\r\n"
    blocks += extra
    return (
        "From: MAILER-DAEMON@mx.example\r\nTo: news@baeckerei.example\r\n"
        f"Subject: {subject}\r\nMessage-ID: {mid}\r\nDate: {date}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n" + blocks + "\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nSubject: Spring sale\r\n\r\n--B--\r\n"
    ).encode()


def test_a_dsn_tells_permanent_from_temporary_failures_and_delays():
    from sitekeeper.suppressions.messages import parse_bytes

    fates = parse_dsn(parse_bytes(dsn([("Gone@Example.com", "failed", "5.1.1"), ("full@example.com", "failed", "4.2.2"),
                                       ("slow@example.com", "delayed", "4.4.1")])))
    assert [(f.address, f.permanent, f.temporary) for f in fates] == [
        ("gone@example.com", True, False), ("full@example.com", False, True), ("slow@example.com", False, False)]


def test_a_dsn_without_a_recipient_is_malformed():
    from sitekeeper.suppressions.messages import parse_bytes

    with pytest.raises(MalformedDSN):
        parse_dsn(parse_bytes(dsn([])))
    with pytest.raises(MalformedDSN):
        parse_dsn(parse_bytes(dsn([("x@example.com", "failed", "")]).replace(b"Diagnostic-Code", b"X-Nothing")))


RULES = Rules(("de", "en"), "abmelden@baeckerei.example", frozenset({"news@baeckerei.example", "abmelden@baeckerei.example"}))


def mail(subject: str, body: str, *, sender="kunde@example.com", to="news@baeckerei.example", charset="utf-8",
         headers: dict | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = sender, to, subject, "<m1@example.com>"
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(body, charset=charset)
    return bytes(m)


def test_a_reply_asking_to_unsubscribe_names_its_sender():
    found = classify(mail("Re: Frühlingsaktion", "Bitte abmelden.\n\n> Abmelden: https://x"), RULES)
    assert found.handled and [(e.kind, e.address) for e in found.events] == [(UNSUBSCRIBE, "kunde@example.com")]


def test_the_list_unsubscribe_mailto_names_the_address_in_its_subject():
    found = classify(mail("unsubscribe Emily@Example.com", "", sender="other@example.org",
                          to="abmelden@baeckerei.example"), RULES)
    assert [(e.kind, e.address, e.detail) for e in found.events] == [(UNSUBSCRIBE, "emily@example.com", "mailto")]


def test_a_reply_in_latin2_is_read():
    found = classify(mail("Dotaz", "Prosím odhlásit.\n", charset="iso-8859-2"),
                     Rules(("cs", "en")))
    assert found.handled and found.events[0].address == "kunde@example.com"


def test_the_quoted_campaign_footer_is_not_a_request():
    body = "Danke, ich komme Samstag!\n\nAm 01.03.2026 schrieb Bäckerei:\n> Abmelden: https://x\n"
    assert classify(mail("Re: Frühlingsaktion", body), RULES).handled is False


def test_an_auto_reply_is_left_alone_even_when_it_quotes_the_footer():
    found = classify(mail("Abwesenheitsnotiz: Frühlingsaktion", "Ich bin bis 20.3. nicht da.\nAbmelden\n",
                          headers={"Auto-Submitted": "auto-replied"}), RULES)
    assert found.handled is False and found.events == []


def test_mail_from_the_client_itself_is_never_an_opt_out():
    assert classify(mail("unsubscribe", "test", sender="news@baeckerei.example"), RULES).events == []


def test_a_malformed_dsn_is_left_in_the_mailbox_with_a_warning():
    found = classify(dsn([]), RULES)
    assert found.handled is False and found.warning and "cannot be read" in found.note


# ---------------------------------------------------------------- SES notices


def sns(notice: dict) -> str:
    return json.dumps({"Type": "Notification", "MessageId": "x", "Message": json.dumps(notice)})


def ses_bounce(address: str, kind="Permanent", source="news@baeckerei.example", fid="fb-1") -> dict:
    return {"notificationType": "Bounce", "mail": {"source": source, "timestamp": "2026-03-09T10:00:00.000Z",
                                                   "messageId": "m-1", "destination": [address]},
            "bounce": {"bounceType": kind, "bounceSubType": "General", "feedbackId": fid,
                       "timestamp": "2026-03-09T10:00:05.000Z",
                       "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1" if kind == "Permanent" else "4.4.7"}]}}


def test_ses_notices_say_bounce_complaint_temporary_or_delivery():
    own = frozenset({"news@baeckerei.example"})
    assert [e.kind for e in parse_notice(sns(ses_bounce("a@example.com")), own).events] == [BOUNCE]
    assert [e.kind for e in parse_notice(json.dumps(ses_bounce("a@example.com", "Transient")), own).events] == [TEMPORARY]
    complaint = {"eventType": "Complaint", "mail": {"source": "news@baeckerei.example"},
                 "complaint": {"complainedRecipients": [{"emailAddress": "c@example.com"}], "complaintFeedbackType": "abuse"}}
    assert [(e.kind, e.detail) for e in parse_notice(sns(complaint), own).events] == [(COMPLAINT, "abuse")]
    delivery = {"notificationType": "Delivery", "mail": {"source": "news@baeckerei.example"},
                "delivery": {"recipients": ["d@example.com"], "timestamp": "2026-03-09T10:00:00Z"}}
    assert [e.kind for e in parse_notice(sns(delivery), own).events] == [DELIVERY]


def test_a_message_that_is_not_an_ses_notice_stays_in_the_queue():
    for body in ("hello", json.dumps({"foo": 1}), json.dumps({"Type": "Notification", "Message": "not json"})):
        found = parse_notice(body)
        assert found.handled is False and found.warning


def test_a_notice_of_another_sender_is_put_back_for_its_own_client():
    found = parse_notice(sns(ses_bounce("a@example.com", source="info@zahnarzt.example")),
                         frozenset({"news@baeckerei.example"}))
    assert found.handled is False and found.note == "other sender"


# ---------------------------------------------------------------- rules


def ev(kind, address, days_ago=0.0, ref=None, detail="x"):
    return ("test", Event(kind, address, detail, NOW - timedelta(days=days_ago), ref or f"{kind}{address}{days_ago}"))


def test_temporary_failures_suppress_only_after_the_limit_on_different_days():
    tracker, audience = Temporary(), frozenset({"t@example.com"})
    same_day = [ev(TEMPORARY, "t@example.com", 1 + i / 100) for i in range(TEMPORARY_LIMIT)]
    assert decide(same_day, frozenset(), audience, tracker, NOW).rows == []
    spread = [ev(TEMPORARY, "t@example.com", d) for d in range(2, 2 + TEMPORARY_LIMIT)]
    rows = decide(spread, frozenset(), audience, tracker, NOW).rows
    assert [(s.address, s.reason) for s, _ in rows] == [("t@example.com", "soft-bounce")]


def test_a_delivery_resets_the_count_of_temporary_failures():
    tracker, audience = Temporary(), frozenset({"t@example.com"})
    events = [ev(TEMPORARY, "t@example.com", 5), ev(TEMPORARY, "t@example.com", 4), ev(DELIVERY, "t@example.com", 3),
              ev(TEMPORARY, "t@example.com", 2)]
    assert decide(events, frozenset(), audience, tracker, NOW).rows == []
    assert tracker.count("t@example.com", NOW) == 1


def test_the_same_temporary_notice_counts_once():
    tracker = Temporary()
    assert tracker.fail("t@example.com", "ref", NOW) and not tracker.fail("t@example.com", "ref", NOW)


def test_a_bounce_of_an_address_not_on_the_list_is_reported_not_recorded_but_a_request_always_is():
    d = decide([ev(BOUNCE, "stranger@example.com"), ev(UNSUBSCRIBE, "asker@example.com")],
               frozenset(), frozenset(), Temporary(), NOW)
    assert [s.address for s, _ in d.rows] == ["asker@example.com"]
    assert "not on the audience list" in d.ignored[0] and "stranger" not in d.ignored[0]


def test_an_address_unsubscribed_before_is_not_added_again():
    d = decide([ev(UNSUBSCRIBE, "a@example.com"), ev(BOUNCE, "a@example.com")], frozenset({"a@example.com"}),
               frozenset({"a@example.com"}), Temporary(), NOW)
    assert d.rows == [] and d.already == 2


def test_addresses_are_masked_for_the_report():
    assert mask("martina.krueger@example.com") == "m***@example.com"


# ---------------------------------------------------------------- unsubscribed.csv


def book_of(path: Path) -> Book:
    from sitekeeper.suppressions.record import read_book

    class Ws:
        campaigns_dir = path.parent.parent

        def rel(self, p):
            return str(p)

    return read_book(Ws(), path.parent.name)


def test_append_keeps_existing_bytes_and_the_file_s_own_format(tmp_path):
    path = tmp_path / "campaigns" / "c" / "unsubscribed.csv"
    path.parent.mkdir(parents=True)
    before = b"email;note\r\nold@example.com;asked at the till"  # no final newline, ; and CRLF
    path.write_bytes(before)
    written = append(book_of(path), [Row("new@example.com", "2026-03-10T12:00:00+00:00", "bounce 5.1.1", "ses:q"),
                                     Row("old@example.com", "t", "r", "s")])
    assert [r.email for r in written] == ["new@example.com"]
    data = path.read_bytes()
    # The file's own `note` column gets the reason (the columns are mapped by name).
    assert data.startswith(before) and data.endswith(b"\r\nnew@example.com;bounce 5.1.1\r\n")


def test_a_new_file_gets_the_header_the_sender_reads(tmp_path):
    from sitekeeper.mail.audience import load_unsubscribed

    path = tmp_path / "campaigns" / "c" / "unsubscribed.csv"
    path.parent.mkdir(parents=True)
    append(book_of(path), [Row("Émile@Example.com".lower(), "2026-03-10T12:00:00+00:00", "unsubscribe (mailto)", "imap:INBOX")])
    assert path.read_text(encoding="utf-8").splitlines()[0] == "email,unsubscribed_at,reason,source"

    class Ws:
        campaigns_dir = tmp_path / "campaigns"

        def rel(self, p):
            return str(p)

    assert load_unsubscribed(Ws(), "c").addresses == {"émile@example.com"}
    assert parse_book(path.read_text(encoding="utf-8"))[0] == {"émile@example.com"}


def test_a_file_that_is_not_utf8_is_refused_not_mixed(tmp_path):
    from sitekeeper.errors import SuppressionError

    path = tmp_path / "campaigns" / "c" / "unsubscribed.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes("email,reason\nx@example.com,Grüße\n".encode("cp1252"))
    with pytest.raises(SuppressionError, match="not UTF-8"):
        book_of(path)
