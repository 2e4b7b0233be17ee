"""CLDR through Babel: the locale of any language tag, numbers, language names, direction.

Dates are written by locale/dates.py (``write``), on the locales this module finds.
"""
from __future__ import annotations

from functools import lru_cache

from .tags import normalise

RTL = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"})


@lru_cache(maxsize=256)
def locale_for(tag: str):
    """The Babel locale for ``tag`` (`pt-BR` -> pt_BR, `zh-Hant` -> zh_Hant), None when CLDR
    has no data for it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(normalise(tag), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def number(value: float, tag: str) -> str:
    """`1 234,5` / `1,234.5` / `١٬٢٣٤٫٥`: a number as the language writes it."""
    loc = locale_for(tag) or locale_for("en")
    from babel.numbers import format_decimal
    return format_decimal(value, locale=loc)


def currency(value: float, code: str, tag: str) -> str:
    loc = locale_for(tag) or locale_for("en")
    from babel.numbers import format_currency
    return format_currency(value, code, locale=loc)


def language_name(tag: str) -> str | None:
    """The language named in its own words (`norsk bokmål`, `العربية`), capitalised as a
    language bar shows it; None when CLDR does not know it."""
    loc = locale_for(tag)
    if loc is None:
        return None
    name = loc.get_display_name(loc) or ""
    return name[:1].upper() + name[1:] if name else None


def direction(tag: str) -> str:
    """`rtl` for Arabic, Hebrew and the other right-to-left scripts, else `ltr`."""
    head = normalise(tag).split("-", 1)[0]
    if head in RTL:
        return "rtl"
    loc = locale_for(tag)
    return "rtl" if loc is not None and loc.character_order == "right-to-left" else "ltr"


def display_name(tag: str) -> str:
    """The language bar's name: CLDR's, in the language's own words (`Deutsch` for `de` and
    `de-AT`, `Norsk bokmål`, `العربية`, `繁體中文` for `zh-Hant`); the tag itself for a tag CLDR
    does not know."""
    parts = normalise(tag).split("-")
    unregioned = "-".join(p for i, p in enumerate(parts) if i == 0 or not (p.isupper() or p.isdigit()))
    return language_name(unregioned) or language_name(tag) or tag


@lru_cache(maxsize=256)
def list_separator(tag: str) -> str:
    """What the language writes between the items of a list (CLDR's middle list pattern):
    `, ` in most, `、` in Japanese and Chinese, ` و` in Arabic; `, ` for a tag CLDR does not know."""
    loc = locale_for(tag)
    if loc is None:
        return ", "
    middle = loc.list_patterns.get("standard", {}).get("middle", "{0}, {1}")
    return middle.replace("{0}", "", 1).replace("{1}", "", 1) or ", "
