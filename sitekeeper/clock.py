"""The one clock.

Everything that depends on "now" (drafts, publish/expires, promotion windows, due
campaigns) asks a ``Clock``. ``SITEKEEPER_NOW`` or ``--at`` fixes it. A value with a
UTC offset is an instant; a value without one is a wall-clock time read in each
site's own timezone (so ``--at 2026-03-01`` means that morning for every client).
Dates in content are read in the site's timezone with zoneinfo, DST included.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DATE_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


class BadDate(ValueError):
    pass


CLOCK_YEARS = (1970, 9998)
"""The years ``--at`` / SITEKEEPER_NOW may name: "now" plus a year (the footer's next New Year)
and a zone's offset must stay inside Python's calendar, which ends at 9999-12-31."""
OFFSETS = (timedelta(hours=-12), timedelta(hours=14))
"""The UTC offsets in use anywhere (Baker Island to Kiribati); beyond them is a typo."""
_EDGE = "is too close to the edge of the calendar to compute with"


def get_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadDate(f"unknown timezone {name!r}") from exc


def _localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz``. A wall time skipped by a DST jump (02:30 on a spring-forward night)
    is read with the offset before the jump, i.e. moves forward past the gap (03:30)."""
    try:
        return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)
    except (OverflowError, ValueError) as exc:  # year 1 or 9999 pushed past the calendar by the zone
        raise BadDate(f"{naive.isoformat(' ')} {_EDGE} in {tz.key}") from exc


def _offset(text: str) -> timedelta:
    """``Z``, ``+01:00`` or ``-0530`` as a timedelta; BadDate beyond the offsets in use."""
    if text == "Z":
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    offset = sign * timedelta(hours=hours, minutes=minutes)
    if minutes >= 60 or not OFFSETS[0] <= offset <= OFFSETS[1]:
        raise BadDate(f"{text!r} is not a UTC offset (they run from -12:00 to +14:00, e.g. +01:00)")
    return offset


def parse_when(value, tz: ZoneInfo) -> datetime:
    """Parse a date (see ``_parse_when``); BadDate after year 9998, where "the next New Year"
    or "a day later" would leave Python's calendar (leave ``expires`` out for "never")."""
    when = _parse_when(value, tz)
    if when.year > CLOCK_YEARS[1]:
        raise BadDate(f"{str(value)!r} is after {CLOCK_YEARS[1]}, the last year sitekeeper computes with")
    return when


def _parse_when(value, tz: ZoneInfo) -> datetime:
    """Parse a front-matter or CLI date into an aware datetime in ``tz``.

    Accepts ``2026-03-01``, ``2026-03-01 08:00``, ``2026-03-01T08:00:00+01:00`` and
    YAML's own date/datetime values. Raises BadDate with a readable reason.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return _localize(value, tz)
        try:
            return value.astimezone(tz)
        except (OverflowError, ValueError) as exc:
            raise BadDate(f"{value.isoformat(' ')} {_EDGE} in {tz.key}") from exc
    if isinstance(value, date):
        return _localize(datetime.combine(value, time()), tz)
    if not isinstance(value, str):
        raise BadDate(f"expected a date like 2026-03-01 or 2026-03-01 08:00, got {type(value).__name__} {value!r}")
    m = _DATE_RE.match(value.strip())
    if not m:
        raise BadDate(f"{value!r} is not a date")
    y, mo, d, hh, mm, ss, off = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError as exc:
        raise BadDate(f"{value!r} is not a date ({exc})") from exc
    if off:
        try:
            return naive.replace(tzinfo=timezone(_offset(off))).astimezone(tz)
        except (OverflowError, ValueError) as exc:
            if isinstance(exc, BadDate):
                raise
            raise BadDate(f"{value!r} {_EDGE} in {tz.key}") from exc
    return _localize(naive, tz)


def clock_fix(exc: BadDate, from_option: bool) -> str:
    """The fix for a bad ``--at`` (``from_option``) or SITEKEEPER_NOW."""
    text = str(exc)
    if "outside the years" in text:
        fix = f"give a time between {CLOCK_YEARS[0]} and {CLOCK_YEARS[1]}, e.g. 2026-03-01T09:30:00+01:00"
    elif "UTC offset" in text:
        fix = "write the offset as +HH:MM within -12:00 and +14:00, e.g. 2026-03-01T09:30:00+01:00"
    else:
        fix = "use ISO 8601, e.g. 2026-03-01T09:30:00+01:00"
    return fix if from_option else fix + ", or unset SITEKEEPER_NOW"


@dataclass(frozen=True)
class Clock:
    """``instant`` when the clock is an absolute time; ``wall`` when it is read per site."""

    instant: datetime | None = None
    """An aware datetime, or None."""
    wall: datetime | None = None
    """A naive datetime read in each site's timezone, or None."""

    def now(self, tz: ZoneInfo) -> datetime:
        if self.wall is not None:
            return _localize(self.wall, tz)
        if self.instant is not None:
            return self.instant.astimezone(tz)
        return datetime.now(tz)

    @property
    def fixed(self) -> bool:
        return self.instant is not None or self.wall is not None

    @classmethod
    def from_value(cls, value: str | None) -> "Clock":
        value = value if value is not None else os.environ.get("SITEKEEPER_NOW") or None
        if not value:
            return cls()
        m = _DATE_RE.match(value.strip())
        if not m:
            raise BadDate(
                f"{value!r} is not a time; use e.g. 2026-03-01T09:30:00+01:00 or 2026-03-01 09:30"
            )
        try:
            when = _parse_when(value, ZoneInfo("UTC"))
        except BadDate:
            if CLOCK_YEARS[0] <= int(m.group(1)) <= CLOCK_YEARS[1]:
                raise
            when = None  # year 1 or 9999 overflowed: said as the range below
        if when is None or not CLOCK_YEARS[0] <= when.year <= CLOCK_YEARS[1] or not (
                CLOCK_YEARS[0] <= int(m.group(1)) <= CLOCK_YEARS[1]):
            raise BadDate(f"{value!r} is outside the years the clock takes ({CLOCK_YEARS[0]} to {CLOCK_YEARS[1]})")
        if m.group(7):
            return cls(instant=when)
        return cls(wall=when.replace(tzinfo=None))
