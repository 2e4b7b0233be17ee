"""Month names and date formats per language, for the site, the mails and the reports.

The twelve languages of tags.KNOWN keep their hand-kept words (their pages stay as they
were); any other language tag is written by CLDR through Babel (locale/cldr.py), and only a
tag CLDR does not know falls back to English."""
from __future__ import annotations

from datetime import datetime

from . import cldr
from .tags import is_known, known_or_english

# Month names as a heading ("listopad 2026") and, where the language inflects them, inside a
# date ("15. listopadu 2026"); None when both are the same word.
MONTHS: dict[str, tuple[str, str | None]] = {
    "en": ("January February March April May June July August September October November December", None),
    "de": ("Januar Februar März April Mai Juni Juli August September Oktober November Dezember", None),
    "cs": ("leden únor březen duben květen červen červenec srpen září říjen listopad prosinec",
           "ledna února března dubna května června července srpna září října listopadu prosince"),
    "sk": ("január február marec apríl máj jún júl august september október november december",
           "januára februára marca apríla mája júna júla augusta septembra októbra novembra decembra"),
    "ro": ("ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie", None),
    "nl": ("januari februari maart april mei juni juli augustus september oktober november december", None),
    "it": ("gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre", None),
    "fr": ("janvier février mars avril mai juin juillet août septembre octobre novembre décembre", None),
    "es": ("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre", None),
    "pl": ("styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień",
           "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia"),
    "hu": ("január február március április május június július augusztus szeptember október november december",
           None),
    "pt": ("janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro", None),
}
_DOTTED = ("de", "cs", "sk", "pl")  # "15. November 2026"
_OF = ("es", "pt")  # "15 de noviembre de 2026"


def _cldr(lang: str, fn, *args):
    """CLDR's answer for a language without hand-kept words, else None."""
    return None if is_known(lang) else fn(*args, lang)


def month_name(month: int, lang: str, inside_date: bool = False) -> str:
    own = None if is_known(lang) else cldr.month_name(month, lang, inside_date)
    if own is not None:
        return own
    plain, inside = MONTHS[known_or_english(lang)]
    return ((inside or plain) if inside_date else plain).split()[month - 1]


def long_date(when: datetime, lang: str) -> str:
    """15. November 2026 / 15 November 2026 / 2026. november 15. / 15 de novembro de 2026."""
    own = _cldr(lang, cldr.long_date, when)
    if own is not None:
        return own
    code = known_or_english(lang)
    name = month_name(when.month, code, inside_date=True)
    if code == "hu":
        return f"{when.year}. {name} {when.day}."
    if code in _DOTTED:
        return f"{when.day}. {name} {when.year}"
    if code in _OF:
        return f"{when.day} de {name} de {when.year}"
    return f"{when.day} {name} {when.year}"


def month_title(year: int, month: int, lang: str) -> str:
    """November 2026 / 2026. november / noviembre de 2026: a heading for a month."""
    own = _cldr(lang, cldr.month_title, year, month)
    if own is not None:
        return own
    code = known_or_english(lang)
    name = month_name(month, code)
    if code == "hu":
        return f"{year}. {name}"
    if code in _OF:
        return f"{name} de {year}"
    return f"{name[:1].upper()}{name[1:]} {year}" if code in ("en", "de", "nl") else f"{name} {year}"


def short_date(when: datetime, lang: str) -> str:
    """15.11.2026 / 15/11/2026 / 2026. 11. 15. / 15-11-2026: for tables."""
    own = _cldr(lang, cldr.short_date, when)
    if own is not None:
        return own
    code = known_or_english(lang)
    d, m, y = when.day, when.month, when.year
    if code == "hu":
        return f"{y}. {m:02d}. {d:02d}."
    if code in ("de", "ro", "pl"):
        return f"{d:02d}.{m:02d}.{y}"
    if code in ("cs", "sk"):
        return f"{d}. {m}. {y}"
    if code == "nl":
        return f"{d:02d}-{m:02d}-{y}"
    return f"{d:02d}/{m:02d}/{y}"
