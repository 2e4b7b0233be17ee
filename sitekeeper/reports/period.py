"""The period a report covers: a calendar month, or a range of days, in the site's timezone."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class BadPeriod(ValueError):
    """A --month, --from or --to the report cannot use (a usage error)."""

    def __init__(self, where: str, message: str, fix: str):
        super().__init__(message)
        self.where, self.message, self.fix = where, message, fix


@dataclass(frozen=True)
class Period:
    start: datetime
    """First instant (site timezone), inclusive."""
    end: datetime
    """First instant after it, exclusive."""
    month: tuple[int, int] | None = None
    """(year, month) when the period is one calendar month."""

    def __contains__(self, when: datetime) -> bool:
        return self.start <= when < self.end

    @property
    def slug(self) -> str:
        """2026-11, or 2026-11-03_2026-11-17: the report's file names."""
        if self.month:
            return f"{self.month[0]}-{self.month[1]:02d}"
        return f"{self.start:%Y-%m-%d}_{(self.end - timedelta(days=1)):%Y-%m-%d}"

    def utc_months(self) -> list[str]:
        """The UTC months (YYYY-MM) whose activity can fall in the period."""
        out, y, m = [], self.start.year, self.start.month
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        last = (self.end.year, self.end.month)
        while True:
            out.append(f"{y}-{m:02d}")
            if (y, m) >= last:
                return out
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def month_period(value: str, tz: ZoneInfo, now: datetime | None = None) -> Period:
    """``YYYY-MM`` -> the calendar month in ``tz``; a BadPeriod when it begins after ``now``
    (an empty report for a month to come would read as a month without work)."""
    found = _MONTH_RE.match(value.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise BadPeriod("--month", f"{value!r} is not a month", "write it as YYYY-MM, e.g. --month 2026-11")
    y, m = int(found.group(1)), int(found.group(2))
    nxt = (y + 1, 1) if m == 12 else (y, m + 1)
    if now is not None and datetime(y, m, 1, tzinfo=tz) > now:
        current = now.astimezone(tz)
        raise BadPeriod("--month", f"{y}-{m:02d} has not begun; it is {current:%Y-%m} now",
                        f"give --month {current:%Y-%m} (the month so far) or an earlier month")
    return Period(datetime(y, m, 1, tzinfo=tz), datetime(nxt[0], nxt[1], 1, tzinfo=tz), (y, m))


def previous_month(now: datetime) -> Period:
    """The last complete calendar month before ``now`` (what one bills for)."""
    y, m = (now.year - 1, 12) if now.month == 1 else (now.year, now.month - 1)
    return month_period(f"{y}-{m:02d}", now.tzinfo)  # type: ignore[arg-type]


def range_period(start: str | None, end: str | None, tz: ZoneInfo, now: datetime) -> Period:
    """--from DATE --to DATE (both days included); --to defaults to today."""
    def day(value: str, where: str) -> date:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise BadPeriod(where, f"{value!r} is not a date", f"write it as YYYY-MM-DD, e.g. {where} 2026-11-03") \
                from None

    if start is None:
        raise BadPeriod("--to", "--to needs --from", "give both, e.g. --from 2026-11-03 --to 2026-11-17")
    first = day(start, "--from")
    last = day(end, "--to") if end else now.date()
    if first > now.date():
        raise BadPeriod("--from", f"--from {first} has not come yet; today is {now.date()}", "give a day up to today")
    if last < first:
        raise BadPeriod("--to", f"--to {last} is before --from {first}", "swap them")
    return Period(datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz))
