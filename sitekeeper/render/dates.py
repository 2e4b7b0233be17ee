"""Dates and language names for the pages, in the page's language (CLDR through locale/)."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..locale import dates as _dates
from ..locale.cldr import display_name

__all__ = ["format_date", "language_name", "last_day"]

def format_date(when: datetime | None, lang: str) -> str | None:
    """The site's date, in the same words as the reports (the table in locale/dates.py)."""
    if when is None:
        return None
    return _dates.long_date(when, lang)


def last_day(ends: datetime) -> datetime:
    """The last moment inside an exclusive end: 2026-03-15 00:00 -> 14 March."""
    return ends - timedelta(microseconds=1)


def language_name(lang: str) -> str:
    return display_name(lang)
