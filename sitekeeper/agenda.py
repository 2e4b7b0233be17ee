"""`sitekeeper calendar`: what is scheduled across clients, as one iCalendar file (RFC 5545).

``entries`` is pure: a client's config, pages and promotions in, a list of ``Entry`` out.
``to_ics`` turns entries into the file's bytes (icalendar is imported there only). Each
entry's UID names what it is about (client, kind, page or promotion), never its dates, so
a calendar that subscribes to the file moves an event that changed instead of adding a
second one. Times are written in the site's own zone, with its VTIMEZONE.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .config.site import SiteConfig
    from .content.pages import Page
    from .content.promotions import Promotion

UID_DOMAIN = "sitekeeper.invalid"
"""The UID's right-hand side: not a real host, so no UID can clash with another program's."""


ZONE_FROM, ZONE_TO = date(2020, 1, 1), date(2040, 1, 1)
"""The years each VTIMEZONE spells out (report days repeat from January 2020)."""


@dataclass(frozen=True)
class Entry:
    uid: str
    """Stable across runs: client, kind and subject, never the dates."""
    kind: str
    """promotion | send | page-publish | page-expires | closed | report."""
    client: str
    """The client's folder name."""
    summary: str
    """The event's title."""
    start: datetime | date
    """An aware time in the site's zone, or a day (all-day events)."""
    end: datetime | date | None = None
    """The end (exclusive for days); None: a moment."""
    monthly_day: int | None = None
    """Repeats every month on this day (report days)."""
    description: str = ""
    """More words for the event."""


def _uid(client: str, kind: str, subject: str) -> str:
    digest = hashlib.sha256(f"{client}\0{kind}\0{subject}".encode()).hexdigest()[:20]
    return f"{kind}-{digest}@{UID_DOMAIN}"


def _promotion_entries(client: str, name: str, promos: Sequence[Promotion]) -> list[Entry]:
    out = []
    for p in promos:
        if p.draft:
            continue
        title = p.default.title or p.slug
        one_end = p.starts or p.ends
        if p.starts and p.ends:
            out.append(Entry(_uid(client, "promotion", p.slug), "promotion", client, f"{name}: {title}",
                             p.starts, p.ends, description=f"promotion {p.slug} on the site"))
        elif one_end is not None:
            word = "starts" if p.starts else "ends"
            out.append(Entry(_uid(client, f"promotion-{word}", p.slug), "promotion", client,
                             f"{name}: {title} {word}", one_end, description=f"promotion {p.slug}"))
        if p.send_at:
            state = p.approval_state()
            out.append(Entry(_uid(client, "send", p.slug), "send", client,
                             f"{name}: send {p.default.subject or title}", p.send_at,
                             description=f"campaign {client}/{p.slug} ({state})"))
    return out


def _page_entries(client: str, name: str, pages: Sequence[Page], default_language: str) -> list[Entry]:
    # one event per page (its translations share the key), titled in the site's default language
    by_key: dict[str, list[Page]] = {}
    for page in pages:
        if not page.draft:
            by_key.setdefault(page.key, []).append(page)
    out = []
    for key, group in sorted(by_key.items()):
        group.sort(key=lambda pg: (pg.lang != default_language, pg.lang))
        title = group[0].title
        for field, kind, word in (("publish", "page-publish", "goes live"), ("expires", "page-expires", "comes off")):
            moments = sorted({getattr(pg, field) for pg in group if getattr(pg, field)})
            for i, at in enumerate(moments):
                langs = ", ".join(pg.lang for pg in group if getattr(pg, field) == at)
                subject = key if i == 0 else f"{key}\0{at.isoformat()}"
                out.append(Entry(_uid(client, kind, subject), kind, client, f"{name}: page “{title}” {word}",
                                 at, description=f"content/{key} ({langs})"))
    return out


def entries(cfg: SiteConfig, pages: Sequence[Page], promos: Sequence[Promotion]) -> list[Entry]:
    """Everything scheduled for one client, in its site's zone."""
    client, name = cfg.client, cfg.name
    out = _promotion_entries(client, name, promos)
    out += _page_entries(client, name, pages, cfg.default_language)
    if cfg.business is not None:
        for day in cfg.business.closed:
            out.append(Entry(_uid(client, "closed", day.isoformat()), "closed", client, f"{name}: closed",
                             day, day + timedelta(days=1), description="a closed day in [business] closed"))
    if cfg.report_day:
        first = _first_report_day(cfg.report_day)
        out.append(Entry(_uid(client, "report", "monthly"), "report", client, f"{name}: monthly report",
                         first, first + timedelta(days=1), monthly_day=cfg.report_day,
                         description=f"sitekeeper report {client} --send"))
    return sorted(out, key=lambda e: (_sort_key(e.start), e.client, e.uid))


def _first_report_day(day: int) -> date:
    # a fixed first occurrence (January 2020), so the event does not change from run to run
    return date(2020, 1, day)


def _sort_key(value: datetime | date) -> str:
    return value.isoformat() if isinstance(value, datetime) else f"{value.isoformat()}T00:00:00"


def to_ics(per_client: Sequence[tuple[SiteConfig, list[Entry]]], stamp: datetime) -> bytes:
    """The iCalendar file of the clients' entries: one VTIMEZONE per zone used, one VEVENT each."""
    from icalendar import Calendar, Event, Timezone

    cal = Calendar()
    cal.add("prodid", "-//sitekeeper//calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "sitekeeper")
    zones = []
    for cfg, _ in per_client:
        if cfg.timezone not in zones:
            zones.append(cfg.timezone)
    for zone in zones:
        cal.add_component(Timezone.from_tzid(zone, first_date=ZONE_FROM, last_date=ZONE_TO))
    for cfg, items in per_client:
        tz = cfg.tz
        for e in items:
            ev = Event()
            ev.add("uid", e.uid)
            ev.add("dtstamp", stamp)
            ev.add("summary", e.summary)
            ev.add("categories", [e.kind])
            if e.description:
                ev.add("description", e.description)
            if isinstance(e.start, datetime):
                ev.add("dtstart", e.start.astimezone(tz))
                if isinstance(e.end, datetime):
                    ev.add("dtend", e.end.astimezone(tz))
                ev.add("transp", "TRANSPARENT")
            else:
                ev.add("dtstart", e.start)
                ev.add("dtend", e.end or e.start + timedelta(days=1))
                ev.add("transp", "TRANSPARENT")
            if e.monthly_day:
                ev.add("rrule", {"freq": "monthly", "bymonthday": e.monthly_day})
            cal.add_component(ev)
    ics: bytes = cal.to_ical()  # icalendar is not typed: it returns the file as bytes
    return ics
