"""Dates and numbers come from CLDR (Babel) through one function, locale/dates.py ``write``: the
month names are CLDR's in every language (no table of our own to drift), sitekeeper's own
patterns stay as the pages have always shown them, and a region tag is written as written."""
from __future__ import annotations

from datetime import datetime

import pytest
from babel import Locale

from sitekeeper.locale import catalog, dates
from sitekeeper.reports import words

NOV = datetime(2026, 11, 15, 9, 5)


@pytest.mark.parametrize("lang", catalog.shipped())
def test_month_names_are_cldr_s_in_every_shipped_language(lang):
    loc = Locale.parse({"en": "en-GB", "pt": "pt-PT"}.get(lang, lang), sep="-")
    for month in range(1, 13):
        assert dates.month_name(month, lang) == loc.months["stand-alone"]["wide"][month]
        assert dates.month_name(month, lang, inside_date=True) == loc.months["format"]["wide"][month]
        if "MMMM" in loc.date_formats["long"].pattern:  # zh, ko write the month as a number
            assert loc.months["format"]["wide"][month] in dates.long_date(datetime(2026, month, 15), lang)


@pytest.mark.parametrize("lang, long, short, title", [
    ("sk", "15. novembra 2026", "15. 11. 2026", "november 2026"),
    ("hu", "2026. november 15.", "2026. 11. 15.", "2026. november"),
    ("pt", "15 de novembro de 2026", "15/11/2026", "novembro de 2026"),
    ("pl", "15. listopada 2026", "15.11.2026", "listopad 2026"),
    ("cs", "15. listopadu 2026", "15. 11. 2026", "listopad 2026"),
    ("nl", "15 november 2026", "15-11-2026", "November 2026"),
    ("en", "15 November 2026", "15/11/2026", "November 2026"),
    ("en-US", "November 15, 2026", "11/15/2026", "November 2026"),
    ("de-AT", "15. November 2026", "15.11.2026", "November 2026"),
    ("fi", "15. marraskuuta 2026", "15.11.2026", "marraskuu 2026"),
    ("qq", "15 November 2026", "15/11/2026", "November 2026"),
])
def test_dates_are_written_as_the_language_writes_them(lang, long, short, title):
    assert dates.long_date(NOV, lang) == long
    assert dates.short_date(NOV, lang) == short
    assert dates.month_title(2026, 11, lang) == title


def test_a_region_tag_gets_its_region_s_month_names():
    assert dates.long_date(datetime(2026, 1, 6), "de-AT") == "6. Jänner 2026"
    assert dates.long_date(datetime(2026, 1, 6), "de") == "6. Januar 2026"


@pytest.mark.parametrize("lang, big, small", [
    ("en", "1,234,567", "1.2 MB"), ("de", "1.234.567", "1,2 MB"), ("fr", "1\u202f234\u202f567", "1,2 MB"),
    ("cs", "1\u00a0234\u00a0567", "1,2 MB"), ("pt", "1\u202f234\u202f567", "1,2 MB"), ("nb", "1\u00a0234\u00a0567", "1,2 MB"),
])
def test_numbers_in_the_report_are_written_as_the_language_writes_them(lang, big, small):
    assert words.number(1234567, lang) == big
    assert words.size(1234567, lang) == small


def test_an_unknown_style_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown date style"):
        dates.write(NOV, "weekday", "de")


@pytest.mark.parametrize("tag, sep", [("de", ", "), ("en", ", "), ("hu", ", "), ("ar", " و"), ("ja", "、"), ("zh-TW", "、"),
                                      ("qq", ", ")])
def test_a_list_of_dates_is_joined_as_the_language_joins_a_list(tag, sep):
    from sitekeeper.locale.cldr import list_separator

    assert list_separator(tag) == sep
