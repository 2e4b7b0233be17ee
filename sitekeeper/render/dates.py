"""Dates for people, in the page's language, without a locale database."""
from __future__ import annotations

from datetime import datetime, timedelta

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "cs": "ledna února března dubna května června července srpna září října listopadu prosince",
    "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
}
_DOTTED = {"de", "cs", "pl"}  # "1. März 2026"
_OF = {"es": " de "}  # "1 de marzo de 2026"

LANGUAGE_NAMES = {
    "en": "English", "de": "Deutsch", "cs": "Čeština", "ro": "Română", "fr": "Français", "es": "Español",
    "it": "Italiano", "pl": "Polski", "nl": "Nederlands", "sk": "Slovenčina", "hu": "Magyar", "pt": "Português",
    "uk": "Українська", "ru": "Русский", "tr": "Türkçe", "el": "Ελληνικά", "da": "Dansk", "sv": "Svenska",
    "fi": "Suomi", "nb": "Norsk bokmål", "hr": "Hrvatski", "sl": "Slovenščina", "bg": "Български",
}


def format_date(when: datetime | None, lang: str) -> str | None:
    if when is None:
        return None
    base = lang.split("-")[0]
    months = MONTHS.get(base, MONTHS["en"]).split()
    month = months[when.month - 1]
    if base in _DOTTED:
        return f"{when.day}. {month} {when.year}"
    if base in _OF:
        sep = _OF[base]
        return f"{when.day}{sep}{month}{sep}{when.year}"
    if base == "en":
        return f"{when.day} {month} {when.year}"
    return f"{when.day} {month} {when.year}"


def last_day(ends: datetime) -> datetime:
    """The last moment inside an exclusive end: 2026-03-15 00:00 -> 14 March."""
    return ends - timedelta(microseconds=1)


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES.get(lang.split("-")[0], lang))
