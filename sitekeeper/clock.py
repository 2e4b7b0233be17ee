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


def get_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadDate(f"unknown timezone {name!r}") from exc


def _localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz``. A wall time skipped by a DST jump (02:30 on a spring-forward night)
    is read with the offset before the jump, i.e. moves forward past the gap (03:30)."""
    return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)


def parse_when(value, tz: ZoneInfo) -> datetime:
    """Parse a front-matter or CLI date into an aware datetime in ``tz``.

    Accepts ``2026-03-01``, ``2026-03-01 08:00``, ``2026-03-01T08:00:00+01:00`` and
    YAML's own date/datetime values. Raises BadDate with a readable reason.
    """
    if isinstance(value, datetime):
        return _localize(value, tz) if value.tzinfo is None else value.astimezone(tz)
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
        if off == "Z":
            offset = timedelta(0)
        else:
            sign = -1 if off[0] == "-" else 1
            digits = off[1:].replace(":", "")
            offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return naive.replace(tzinfo=timezone(offset)).astimezone(tz)
    return _localize(naive, tz)


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
        if m.group(7):
            return cls(instant=parse_when(value, ZoneInfo("UTC")))
        return cls(wall=parse_when(value, ZoneInfo("UTC")).replace(tzinfo=None))
