"""Dates written in running text ("bis 6. Januar", "do 6. 1. 2027", "until January 6th"), found
in a language's own words: numeric forms (6.1., 6. 1. 2027, 2027-01-06, and 6/1/2027 read as the
language writes it, month first in en-US; without a year only after an "until") and month names from CLDR (wide and abbreviated, in
dates and stand-alone: "6. ledna", "6 Jan", "January 6"). Pure: text in, found dates out.

``check`` compares the dates of a banner and a preheader with the promotion's last day;
``without_date`` takes a date (and the "until" before it) off the end of an offer line, where
the page or email says the date once, on its own line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from . import cldr
from .tags import base, normalise


@dataclass(frozen=True)
class FoundDate:
    start: int
    """Offset of the date's first character in the text."""
    end: int
    """Offset after its last character."""
    day: int
    """Day of the month."""
    month: int
    """Month, 1..12."""
    year: int | None
    """The year when the text writes one."""

    def matches(self, when: date) -> bool:
        """Is this the day ``when`` (the year too, when written)?"""
        return (self.day, self.month) == (when.day, when.month) and self.year in (None, when.year)


# "until" and its kin, per language: taken off with a date at an offer's end.
_UNTIL = {
    "de": r"(?:nur\s+)?(?:noch\s+)?bis(?:\s+(?:zum|einschließlich))?", "cs": r"(?:jen\s+|pouze\s+)?(?:do|až\s+do)",
    "sk": r"(?:len\s+)?do", "en": r"(?:only\s+)?(?:until|till|through|to|ends?)", "fr": r"(?:jusqu'au|jusqu’au)",
    "it": r"(?:fino\s+al|entro\s+il)", "es": r"(?:hasta\s+el)", "pl": r"(?:do)", "nl": r"(?:t/m|tot(?:\s+en\s+met)?)",
    "pt": r"(?:até)", "hu": r"(?:-ig)", "ro": r"(?:până\s+la|pana\s+la)",
}


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


@lru_cache(maxsize=64)
def _months(tag: str) -> tuple[dict[str, int], re.Pattern[str] | None]:
    loc = cldr.locale_for(normalise(tag)) or cldr.locale_for("en-GB")
    names: dict[str, int] = {}
    if loc is not None:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in loc.months[context][width].items():
                    key = name.casefold().rstrip(".")
                    if len(key) >= 3:
                        names.setdefault(key, number)
    # English names are understood in every language: banners mix them in ("Black Friday, 27 Nov").
    en = cldr.locale_for("en-GB")
    if en is not None:
        for width in ("wide", "abbreviated"):
            for number, name in en.months["format"][width].items():
                names.setdefault(name.casefold().rstrip("."), number)
        names.setdefault("sept", 9)
    if not names:
        return names, None
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return names, re.compile(rf"(?<!\w)({alternation})\.?(?!\w)", re.IGNORECASE)


_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4}|\d{2})(?![\d.]))?")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/%])")


def find_dates(text: str, tag: str) -> list[FoundDate]:
    """Every date written in ``text``, read in ``tag``'s words, in order."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, day: int, month: int, year: int | None) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        try:
            date(year or 2000, month, day)
        except ValueError:
            return
        taken.append((start, end))
        found.append(FoundDate(start, end, day, month, year))

    for m in _ISO.finditer(text):
        add(m.start(), m.end(), int(m.group(3)), int(m.group(2)), int(m.group(1)))
    names, month_re = _months(tag)
    if month_re is not None:
        for m in month_re.finditer(text):
            month = names[m.group(1).casefold()]
            before, after = text[:m.start()], text[m.end():]
            # day first: "6. Januar", "6 January", "6. ledna 2027", "6th of January"
            d = re.search(r"(?<!\d)(\d{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?$", before)
            y = re.match(r",?\s*(\d{4})(?!\d)", after)
            if d:
                add(d.start(1), m.end() + (y.end() if y else 0), int(d.group(1)), month, _year(y.group(1) if y else None))
                continue
            # month first: "January 6", "Jan 6th, 2027"
            d2 = re.match(r"\s*(\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s*(\d{4})(?!\d))?", after)
            if d2:
                add(m.start(), m.end() + d2.end(), int(d2.group(1)), month, _year(d2.group(2)))
    for m in _DOTTED.finditer(text):
        add(m.start(), m.end(), int(m.group(1)), int(m.group(2)), _year(m.group(3)))
    month_first = normalise(tag) in ("en-US", "en-PH", "en-CA") or base(tag) in ("fil",)
    until = _UNTIL.get(base(tag))
    for m in _SLASHED.finditer(text):
        # 6/1 without a year is a date only after an "until" ("open 24/7" is not 24 July)
        if not m.group(3) and not (until and re.search(rf"\b(?:{until})\s*$", text[:m.start()], re.IGNORECASE)):
            continue
        a, b = int(m.group(1)), int(m.group(2))
        day, month = (b, a) if month_first else (a, b)
        add(m.start(), m.end(), day, month, _year(m.group(3)))
    return sorted(found, key=lambda f: f.start)


def without_date(text: str, when: date, tag: str) -> str:
    """``text`` without a closing date that is ``when`` and the "until" before it:
    "10 % auf alle Stollen – bis 6. Januar" -> "10 % auf alle Stollen". A date inside the
    sentence stays, and so does the text when nothing would be left."""
    dates = [f for f in find_dates(text, tag) if f.matches(when)]
    if not dates:
        return text
    last = dates[-1]
    if text[last.end:].strip(" .!)") != "":
        return text
    head = text[:last.start]
    until = _UNTIL.get(base(tag), "")
    pattern = rf"(?:\s*[–—-]\s*|\s*,\s*|\s+)?(?:\b(?:{until})\s*)?$" if until else r"(?:\s*[–—-]\s*|\s*,\s*|\s+)?$"
    head = re.sub(pattern, "", head, flags=re.IGNORECASE).rstrip(" –—-,:")
    return head if len(head) >= 3 else text
