"""Dates and numbers for people, in any language, for the site, the mails and the reports: CLDR
through Babel (locale/cldr.py), all through one function, ``write``.

CLDR names the months and orders the parts. Where sitekeeper's pages have always written a date
otherwise than CLDR's pattern, ``HOUSE`` keeps that pattern (still with CLDR's month names):
tables show four-digit years, Polish writes "15. listopada 2026", a Dutch month heading starts
with a capital. A bare `en` is written as in the United Kingdom and a bare `pt` as in Portugal
(the words the catalogs use); a tag with a region (`en-US`, `pt-BR`, `de-AT`) is written as that
region writes it. A tag CLDR does not know is written in English.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from . import cldr
from .tags import base, normalise

STYLES = ("long", "short", "month", "month_name", "month_name_in_date")
"""``long`` 15 November 2026; ``short`` 15/11/2026 (tables); ``month`` November 2026 (a heading);
``month_name`` November; ``month_name_in_date`` listopadu (inflected where the language does)."""

_DEFAULT_REGION = {"en": "en-GB", "pt": "pt-PT"}

# Babel date patterns (LDML) per language and style, where sitekeeper differs from CLDR's own.
# (A short date always has a four-digit year: `yy` in CLDR's short pattern becomes `y`.)
HOUSE: dict[str, dict[str, str]] = {
    "cs": {"short": "d. M. y"},
    "es": {"short": "dd/MM/y"},
    "pl": {"short": "dd.MM.y", "long": "d. MMMM y"},
}
_CAPITAL_HEADING = frozenset({"nl"})

# Digit grouping where sitekeeper's reports differ from CLDR (Portugal: a narrow no-break space).
_GROUP = {"pt": "\u202f"}


@lru_cache(maxsize=256)
def _locale(tag: str):
    """The Babel locale a tag is written in (English for a tag CLDR does not know)."""
    tag = normalise(tag)
    return cldr.locale_for(_DEFAULT_REGION.get(tag, tag)) or cldr.locale_for("en-GB")


def write(when: date | datetime, style: str, tag: str) -> str:
    """``when`` in ``tag``'s words, in one of ``STYLES``."""
    from babel.dates import format_date, format_skeleton

    loc = _locale(tag)
    day = when.date() if isinstance(when, datetime) else when
    if style == "month_name":
        return loc.months["stand-alone"]["wide"][day.month]
    if style == "month_name_in_date":
        return loc.months["format"]["wide"][day.month]
    own = HOUSE.get(base(tag), {}).get(style)
    if style == "short" and own is None:
        own = re.sub(r"(?<!y)yy(?!y)", "y", loc.date_formats["short"].pattern)
    if style in ("long", "short"):
        return format_date(day, format=own or style, locale=loc)
    if style == "month":
        text = format_skeleton("yMMMM", datetime(day.year, day.month, 1), locale=loc)
        return text[:1].upper() + text[1:] if base(tag) in _CAPITAL_HEADING else text
    raise ValueError(f"unknown date style {style!r} (one of {', '.join(STYLES)})")


def long_date(when: datetime, lang: str) -> str:
    """15. November 2026 / 15 November 2026 / 2026. november 15. / 15 de novembro de 2026."""
    return write(when, "long", lang)


def short_date(when: datetime, lang: str) -> str:
    """15.11.2026 / 15/11/2026 / 2026. 11. 15. / 15. 11. 2026: for tables."""
    return write(when, "short", lang)


def month_title(year: int, month: int, lang: str) -> str:
    """November 2026 / 2026. november / noviembre de 2026: a heading for a month."""
    return write(date(year, month, 1), "month", lang)


def month_name(month: int, lang: str, inside_date: bool = False) -> str:
    return write(date(2000, month, 1), "month_name_in_date" if inside_date else "month_name", lang)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """1.234,5 / 1,234.5 / 1 234,5 / ١٬٢٣٤٫٥: a number as the language writes it, with
    ``decimals`` digits after the mark."""
    from babel.numbers import format_decimal

    loc = _locale(lang)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(value, format=pattern, locale=loc, decimal_quantization=True)
    group = _GROUP.get(normalise(lang))
    return text.replace(loc.number_symbols["latn"]["group"], group) if group else text


def day_range(first: date, last: date, tag: str) -> str:
    """24. Dez. / 24.–26. Dez. / 31. Dez. – 1. Jan.: a day or a run of days without the year,
    as CLDR writes an interval in ``tag`` (for closed days in the coming weeks)."""
    from babel.dates import format_interval, format_skeleton

    loc = _locale(tag)
    if first == last:
        return format_skeleton("MMMd", first, locale=loc)
    return format_interval(first, last, "MMMd", locale=loc)


def day_runs(days, tag: str) -> list[tuple[date, date, str]]:
    """Sorted ``days`` as runs of consecutive days: (first, last, ``day_range`` text) each."""
    runs: list[list[date]] = []
    for d in sorted(set(days)):
        if runs and (d - runs[-1][1]).days == 1:
            runs[-1][1] = d
        else:
            runs.append([d, d])
    return [(a, b, day_range(a, b, tag)) for a, b in runs]
