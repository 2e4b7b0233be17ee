"""unsubscribed.csv's one reader, appends that follow the file's header, and consent."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitekeeper.config.optouts import parse_optouts, read_optouts
from sitekeeper.mail.audience import consent_state, parse_audience
from sitekeeper.suppressions.record import ListUnreadable, Row, append, read_book

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize("written", ["<anna@example.org>", "mailto:anna@example.org", "<MAILTO:Anna@Example.org>",
                                     "  Anna@EXAMPLE.org ", "< mailto: anna@example.org >"])
def test_every_written_form_of_an_address_is_the_same_opt_out(written):
    book = parse_optouts(f"Email;At\r\n{written};2026-01-01\r\n", "u.csv")
    assert book.readable and "anna@example.org" in book and "ANNA@example.org" in book


def test_a_headerless_list_and_an_upper_case_header_are_read():
    assert parse_optouts("a@example.org\nb@example.org\n", "u.csv").addresses == {"a@example.org", "b@example.org"}
    assert parse_optouts("EMAIL\nb@example.org\n", "u.csv").addresses == {"b@example.org"}


def test_an_open_quote_is_an_error_at_its_line_not_a_shorter_list():
    book = parse_optouts('email\na@example.org\n"b@example.org\nc@example.org\n', "u.csv")
    assert not book.readable and book.errors[0].line == 3


def test_a_row_that_is_not_an_address_is_an_error_at_its_line():
    book = parse_optouts("email\na@example.org\nnot an address\n", "u.csv")
    assert [(d.line, d.severity) for d in book.problems] == [(3, "error")]


def test_a_binary_file_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "unsubscribed.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    book = read_optouts(path, "campaigns/c/unsubscribed.csv")
    assert not book.readable and book.errors[0].path == "campaigns/c/unsubscribed.csv"


def test_utf16_from_excel_is_read(tmp_path):
    path = tmp_path / "unsubscribed.csv"
    path.write_bytes("email\tat\r\n<anna@example.org>\t2026-01-01\r\n".encode("utf-16"))
    assert read_optouts(path, "u.csv").addresses == {"anna@example.org"}


class _Ws:
    def __init__(self, root):
        self.campaigns_dir = root / "campaigns"

    def rel(self, p):
        return str(p)


def test_an_append_follows_the_file_s_own_columns(tmp_path):
    path = tmp_path / "campaigns" / "c" / "unsubscribed.csv"
    path.parent.mkdir(parents=True)
    path.write_text("email,at,source\nold@example.org,2026-01-01,manual\n", encoding="utf-8")
    append(read_book(_Ws(tmp_path), "c"), [Row("new@example.org", "2026-03-10T12:00:00+01:00", "unsubscribe",
                                               "imap:INBOX")])
    assert path.read_text(encoding="utf-8").splitlines()[-1] == "new@example.org,2026-03-10T12:00:00+01:00,imap:INBOX"


def test_a_header_without_an_address_column_is_refused_before_appending(tmp_path):
    path = tmp_path / "campaigns" / "c" / "unsubscribed.csv"
    path.parent.mkdir(parents=True)
    path.write_text("who,when\nx,y\n", encoding="utf-8")
    with pytest.raises(ListUnreadable):
        read_book(_Ws(tmp_path), "c")
    assert path.read_text(encoding="utf-8") == "who,when\nx,y\n"


@pytest.mark.parametrize("value", ["false", "0", "no", "garbage", "2026-03-11", "2026-03-10T12:30:00+01:00",
                                   "2026-03-01T00:00:00+25:00"])
def test_only_an_iso_date_not_in_the_future_is_consent(value):
    assert consent_state(value, NOW) != ""


@pytest.mark.parametrize("value", ["2026-03-01", "2026-03-10T11:00:00Z", "2026-03-10 12:00", "2026-03-01T09:30:00+01:00"])
def test_an_iso_date_in_the_past_is_consent(value):
    assert consent_state(value, NOW) == ""


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:00-12:00"])
def test_a_consent_at_the_calendars_edge_read_on_the_clocks_own_time_is_not_a_date(value, monkeypatch):
    # without a `now`, the clock's is used; a date moved out of Python's calendar is refused, not a crash
    monkeypatch.setenv("SITEKEEPER_NOW", "2026-03-10T12:00:00+01:00")
    assert consent_state(value, None) == f"`consented_at` {value!r} is not a date"


def test_an_open_quote_in_the_audience_is_an_error_naming_its_line():
    text = 'email,name,consented_at\na@example.org,"Ann,2026-01-01\nb@example.org,Bob,2026-01-01\nc@example.org,Cy",x\n'
    aud = parse_audience(text, "audience.csv", NOW)
    assert [(d.line, d.severity) for d in aud.problems if d.is_error] == [(2, "error")]
