"""The report's words: every language of the site theme has every key, with the same
placeholders; dates, numbers and periods come out as each language writes them."""
from __future__ import annotations

import string
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitekeeper.render.i18n import STRINGS
from sitekeeper.reports import words
from sitekeeper.reports.model import mask_addresses, optout_kind
from sitekeeper.reports.period import BadPeriod, month_period, previous_month, range_period

BERLIN = ZoneInfo("Europe/Berlin")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_of_the_theme_has_every_report_word():
    assert set(words.LANGUAGES) == set(STRINGS)
    for lang in words.LANGUAGES:
        table = words.strings(lang)
        assert [k for k in words.KEYS if k not in table] == [], lang
        assert [k for k in table if k not in words.KEYS] == [], lang
        for key in words.KEYS:
            assert table[key].strip(), (lang, key)
            assert _fields(table[key]) == _fields(words.say("en", key)), (lang, key)


@pytest.mark.parametrize("lang, day, title", [
    ("de", "15. November 2026", "November 2026"), ("en", "15 November 2026", "November 2026"),
    ("cs", "15. listopadu 2026", "listopad 2026"), ("hu", "2026. november 15.", "2026. november"),
    ("es", "15 de noviembre de 2026", "noviembre de 2026"), ("pl", "15. listopada 2026", "listopad 2026"),
])
def test_dates_are_written_as_the_language_writes_them(lang, day, title):
    when = datetime(2026, 11, 15, 9, 5, tzinfo=BERLIN)
    assert words.date(when, lang) == day
    assert words.month_title(2026, 11, lang) == title


def test_numbers_group_digits_per_language():
    assert words.number(12345, "de") == "12.345"
    assert words.number(12345, "en") == "12,345"
    assert words.size(1536, "de") == "1,5 KB"
    assert words.number(12345, "cs") == "12\u00a0345"


def test_a_month_is_the_calendar_month_in_the_sites_zone():
    p = month_period("2026-03", BERLIN)
    assert p.start == datetime(2026, 3, 1, tzinfo=BERLIN) and p.end == datetime(2026, 4, 1, tzinfo=BERLIN)
    assert datetime(2026, 3, 31, 23, 59, tzinfo=BERLIN) in p and datetime(2026, 4, 1, tzinfo=BERLIN) not in p
    assert p.utc_months() == ["2026-02", "2026-03", "2026-04"]
    assert previous_month(datetime(2026, 1, 5, tzinfo=BERLIN)).slug == "2025-12"
    r = range_period("2026-11-03", "2026-11-17", BERLIN, datetime(2026, 12, 1, tzinfo=BERLIN))
    assert r.slug == "2026-11-03_2026-11-17" and datetime(2026, 11, 17, 23, 0, tzinfo=BERLIN) in r
    for bad in ("2026-13", "2026-1", "Nov"):
        with pytest.raises(BadPeriod):
            month_period(bad, BERLIN)


def test_addresses_in_free_text_are_masked_and_reasons_sorted():
    assert mask_addresses("as asked by anna.b+x@example.co.uk today") == "as asked by …@example.co.uk today"
    assert optout_kind("unsubscribe (reply: abmelden)") == "unsubscribe"
    assert optout_kind("bounce 5.1.1") == "bounce"
    assert optout_kind("soft-bounce: 3 temporary failures") == "soft_bounce"
    assert optout_kind("complaint") == "complaint"
    assert optout_kind("moved away") == "other"
