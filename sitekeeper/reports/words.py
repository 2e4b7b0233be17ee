"""The report's own words (the ``[report]`` table of each catalog), dates and numbers, per language.

Every key exists in every shipped catalog; tests hold them to that. Placeholders in braces
(``{n}``, ``{date}``) are filled by ``say``.
"""
from __future__ import annotations

from datetime import datetime

from ..locale import catalog, dates as _dates

_T: dict[str, dict[str, str]] = catalog.table("report")
LANGUAGES: tuple[str, ...] = tuple(_T)
"""The languages the report is written in: every shipped catalog (locale/catalogs/<lang>.toml, [report])."""
KEYS: tuple[str, ...] = catalog.keys("report")

def base(lang: str) -> str:
    """The catalog the report in ``lang`` is written from (`zh-TW`: `zh-Hant`; English without one)."""
    return catalog.catalog_for(lang) or "en"


def say(lang: str, key: str, **values) -> str:
    """The report's word ``key`` in ``lang`` (English for a language not listed), filled in."""
    text = _T[base(lang)][key]
    return text.format(**values) if values else text


def strings(lang: str) -> dict[str, str]:
    return dict(_T[base(lang)])


def month_title(year: int, month: int, lang: str) -> str:
    return _dates.month_title(year, month, lang)


def date(when: datetime | None, lang: str) -> str:
    """15. November 2026 / 15 November 2026 / 2026. november 15. ..."""
    return "–" if when is None else _dates.long_date(when, lang)


def short_date(when: datetime | None, lang: str) -> str:
    """15.11.2026 / 15/11/2026 / 2026.11.15. / 15-11-2026: for tables."""
    return "–" if when is None else _dates.short_date(when, lang)


def date_time(when: datetime | None, lang: str) -> str:
    if when is None:
        return "–"
    return f"{short_date(when, lang)} {when:%H:%M}"


def number(n: int | float, lang: str, decimals: int = 0) -> str:
    return _dates.number(n, lang, decimals)


def size(nbytes: int, lang: str) -> str:
    """1,2 MB in German, 1.2 MB in English."""
    value = float(nbytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{number(value, lang, 0 if unit == 'B' else 1)} {unit}"
        value /= 1024
    return str(nbytes)
