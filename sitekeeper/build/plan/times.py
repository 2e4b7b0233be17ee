"""When the visible site changes by itself: publish and expiry times, promotions' windows,
approved campaigns' send times, closed days and New Year. Pure."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta, tzinfo

from ...config.business import Business
from ...content.pages import Page
from ...content.promotions import Promotion
from ..sources import SiteContent


def change_times(pages: Iterable[Page], promotions: Sequence[Promotion], business: Business | None = None,
                 tz: tzinfo | None = None) -> list[datetime]:
    """Every instant at which a page or promotion appears or goes, and (with ``business``
    and ``tz``) each midnight after a closed day, when that day leaves the pages' list."""
    times = [t for p in pages if not p.draft for t in (p.publish, p.expires) if t]
    times += [t for pr in promotions if not pr.draft for t in (pr.starts, pr.ends) if t]
    # An approved campaign's email becomes readable on the site at its send time.
    times += [pr.send_at for pr in promotions if not pr.draft and pr.send_at and pr.approval_state() == "approved"]
    if business is not None and tz is not None:
        times += [datetime.combine(d + timedelta(days=1), time(0), tzinfo=tz) for d in business.closed]
    return times


def year_start(t: datetime, years: int = 0) -> datetime:
    return t.replace(year=t.year + years, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def next_change_in(pages: Iterable[Page], promotions: Sequence[Promotion], after: datetime, tz: tzinfo,
                   business: Business | None = None) -> datetime | None:
    """The first instant after ``after`` at which the visible site changes: a page's
    publish/expires, a promotion's starts/ends, an approved campaign's send_at (its newsletter
    page), or New Year in ``tz`` (the footer's year)."""
    local = after.astimezone(tz)
    later = [t for t in change_times(pages, promotions, business, tz) if t > after]
    later.append(year_start(local, 1))
    return min(later).astimezone(tz)


def valid_between(content: SiteContent, now: datetime, business: Business | None = None,
                  tz: tzinfo | None = None) -> tuple[float, float]:
    """The timestamps between which a plan made at ``now`` stays true."""
    stamps = [t.timestamp() for t in change_times(content.pages, content.promotions, business, tz)]
    stamps.append(year_start(now, 1).timestamp())
    stamps.append(year_start(now).timestamp())
    t = now.timestamp()
    return (max((x for x in stamps if x <= t), default=float("-inf")),
            min((x for x in stamps if x > t), default=float("inf")))
