"""The report as a value: what was done for one client in one period. Pure.

``build`` turns what was read (``Inputs``: the activity record, git's commits and the site's
pages at the period's start and end, the promotions, the opt-outs) into a ``Report``. What
could not be read is a ``Gap``: stated in every output, never left out in silence.
No subscriber's address is ever in the inputs' text that reaches a report: opt-outs arrive
as (time, reason) only, and addresses in commit subjects are masked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .period import Period
from .words import say

_ADDRESS_RE = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
OPTOUT_KINDS = ("unsubscribe", "bounce", "complaint", "soft_bounce", "other")
SKIP_REASONS = ("unsubscribed", "no_consent", "invalid", "filtered")
"""Why a campaign did not go to someone (already_sent is a resumed run's bookkeeping, not a reason)."""


@dataclass(frozen=True)
class PageInfo:
    url: str
    """The page's path on the site (/about/)."""
    title: str
    """Its title."""
    lang: str
    """Its language."""
    source: str
    """Its file, relative to the workspace."""


@dataclass
class Inputs:
    """What the report is made from (read by gather.py)."""

    client: str
    name: str
    """The business name."""
    base_url: str
    lang: str
    """The report's language."""
    timezone: str
    period: Period
    now: datetime
    """When the report is made (site timezone)."""
    activity: list | None = None
    """Activity events in the period (None: the record could not be read)."""
    store_error: str = ""
    commits: list | None = None
    """git commits in the period (None: the history could not be read)."""
    git_error: str = ""
    pages_start: dict = field(default_factory=dict)
    """url -> PageInfo of what the site showed when the period began."""
    pages_end: dict = field(default_factory=dict)
    """url -> PageInfo of what it showed when the period ended (or now)."""
    files_changed: dict = field(default_factory=dict)
    """path -> A | M | D under sites/<client>/ between the period's first and last commit."""
    history_errors: list = field(default_factory=list)
    """(instant, message) of trees that could not be read."""
    promotions: list = field(default_factory=list)
    """The client's promotions (as of the period's end)."""
    optouts: list = field(default_factory=list)
    """(instant, reason text) of each opt-out recorded in the period."""
    last_published: dict = field(default_factory=dict)
    """target name -> the state store's last-publish record."""
    ledger_sent: dict = field(default_factory=dict)
    """campaign slug -> recipients the ledger has as sent (all time)."""
    recorded_sent: dict = field(default_factory=dict)
    """campaign slug -> sends the activity record holds (all time)."""
    theme: dict = field(default_factory=dict)
    """primary, on_primary, accent, logo (a data: URL or "")."""


@dataclass(frozen=True)
class PageChange:
    change: str
    """added | changed | removed."""
    title: str
    url: str
    """The full address (base_url + path)."""
    lang: str
    scheduled: bool
    """Came or went by its publish/expires date (or a promotion's window), not by an edit."""
    at: datetime | None
    """The last commit in the period that touched its file."""


@dataclass(frozen=True)
class WorkItem:
    at: datetime
    subject: str
    author: str
    commit: str
    """Short hash."""


@dataclass(frozen=True)
class Publish:
    at: datetime
    target: str
    commit: str
    uploaded: int
    deleted: int
    bytes: int
    by: str


@dataclass(frozen=True)
class PromotionRow:
    slug: str
    title: str
    starts: datetime | None
    ends: datetime | None
    """Exclusive."""
    send_at: datetime | None
    approval: str
    """approved | void | not approved | unrecorded."""
    approved_by: str


@dataclass(frozen=True)
class CampaignRow:
    slug: str
    title: str
    sent: int
    failed: int
    uncertain: int
    skipped: dict
    """reason -> count (SKIP_REASONS), the largest any run of the period saw."""
    runs: int
    first: datetime
    last: datetime
    unsent: bool = False
    """Approved and due in the period, but not sent (no send run, nothing in its ledger)."""


@dataclass(frozen=True)
class ApprovalRow:
    slug: str
    title: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Gap:
    kind: str
    """store | git | history | publish | send: the words are gap_<kind>."""
    values: dict
    """What fills the sentence."""


@dataclass(frozen=True)
class Report:
    client: str
    name: str
    base_url: str
    lang: str
    timezone: str
    period: Period
    made: datetime
    pages: tuple[PageChange, ...] = ()
    other_files: int = 0
    """Images, styles and settings changed (not pages)."""
    work: tuple[WorkItem, ...] = ()
    publishes: tuple[Publish, ...] = ()
    promotions: tuple[PromotionRow, ...] = ()
    campaigns: tuple[CampaignRow, ...] = ()
    optouts: dict = field(default_factory=dict)
    """kind (OPTOUT_KINDS) -> count."""
    pulls: int = 0
    """Opt-out pulls from the mailbox / SES queue."""
    approvals: tuple[ApprovalRow, ...] = ()
    gaps: tuple[Gap, ...] = ()
    theme: dict = field(default_factory=dict)

    def of(self, change: str) -> list[PageChange]:
        return [p for p in self.pages if p.change == change]

    @property
    def totals(self) -> dict:
        return {"pages_added": len(self.of("added")), "pages_changed": len(self.of("changed")),
                "pages_removed": len(self.of("removed")), "other_files": self.other_files,
                "commits": len(self.work), "publishes": len(self.publishes), "promotions": len(self.promotions),
                "sent": sum(c.sent for c in self.campaigns), "failed": sum(c.failed for c in self.campaigns),
                "uncertain": sum(c.uncertain for c in self.campaigns), "optouts": sum(self.optouts.values()),
                "approvals": len(self.approvals)}

    def as_json(self) -> dict:
        iso = lambda d: d.isoformat(timespec="seconds") if d else None  # noqa: E731
        return {
            "client": self.client, "lang": self.lang, "from": iso(self.period.start), "to": iso(self.period.end),
            "totals": self.totals, "complete": not self.gaps,
            "gaps": [{"kind": g.kind, **{k: str(v) for k, v in g.values.items()}} for g in self.gaps],
            "pages": [{"change": p.change, "title": p.title, "url": p.url, "lang": p.lang, "scheduled": p.scheduled,
                       "at": iso(p.at)} for p in self.pages],
            "publishes": [{"at": iso(p.at), "target": p.target, "commit": p.commit, "uploaded": p.uploaded,
                           "deleted": p.deleted, "bytes": p.bytes, "by": p.by} for p in self.publishes],
            "promotions": [{"slug": p.slug, "title": p.title, "starts": iso(p.starts), "ends": iso(p.ends),
                            "send_at": iso(p.send_at), "approval": p.approval} for p in self.promotions],
            "campaigns": [{"slug": c.slug, "title": c.title, "sent": c.sent, "failed": c.failed, "unsent": c.unsent,
                           "uncertain": c.uncertain, "skipped": c.skipped} for c in self.campaigns],
            "optouts": self.optouts,
            "approvals": [{"slug": a.slug, "by": a.by, "at": iso(a.at)} for a in self.approvals],
        }


def mask_addresses(text: str) -> str:
    """Any email address in free text (a commit subject) becomes ``…@domain``."""
    return _ADDRESS_RE.sub(lambda m: "…@" + m.group(0).rpartition("@")[2], text)


def optout_kind(reason: str) -> str:
    r = reason.strip().lower()
    for prefix, kind in (("unsubscribe", "unsubscribe"), ("soft", "soft_bounce"), ("bounce", "bounce"),
                         ("complaint", "complaint")):
        if r.startswith(prefix):
            return kind
    return "other"


def _overlaps(promo, period: Period) -> bool:
    return bool(promo.starts and promo.ends and promo.starts < period.end and promo.ends > period.start)


def _title(promo, lang: str) -> str:
    from ..render.merge import for_site

    return for_site(promo.text(lang).title) if promo is not None else ""


def build(i: Inputs) -> Report:
    tz = i.period.start.tzinfo
    events = [e for e in (i.activity or []) if e.at.astimezone(tz) in i.period]
    promos = {p.slug: p for p in i.promotions}
    content = f"sites/{i.client}/content/"
    other_files = sum(1 for path in i.files_changed if not path.startswith(content))
    publishes = _publishes(i, events)
    approvals = _approvals(i, events, promos)
    pulls = sum(1 for e in events if e.kind == "suppressions")
    return Report(i.client, i.name, i.base_url, i.lang, i.timezone, i.period, i.now, _page_changes(i), other_files,
                  _work(i), publishes, _promotion_rows(i), _campaigns(i, events, promos), _optouts(i), pulls,
                  tuple(sorted(approvals, key=lambda a: a.at)), _gaps(i, publishes, promos), dict(i.theme))


def _local(i: Inputs, d: datetime) -> datetime:
    return d.astimezone(i.period.start.tzinfo)


def _page_changes(i: Inputs) -> tuple[PageChange, ...]:
    """Website: pages that came, went or were edited, by title and address."""
    touched: dict[str, datetime] = {}
    for c in i.commits or []:
        for _, path in c.files:
            touched[path] = _local(i, c.at)
    pages: list[PageChange] = []
    full = lambda url: i.base_url.rstrip("/") + url  # noqa: E731
    for url, p in sorted(i.pages_end.items()):
        before = i.pages_start.get(url)
        status = i.files_changed.get(p.source, "")
        if before is None:
            pages.append(PageChange("added", p.title, full(url), p.lang, status not in ("A", "M"), touched.get(p.source)))
        elif status in ("A", "M") or before.source != p.source or before.title != p.title:
            pages.append(PageChange("changed", p.title, full(url), p.lang, False, touched.get(p.source)))
    for url, p in sorted(i.pages_start.items()):
        if url not in i.pages_end:
            status = i.files_changed.get(p.source, "")
            pages.append(PageChange("removed", p.title, full(url), p.lang, status not in ("D", "M"),
                                    touched.get(p.source)))
    return tuple(pages)


def _work(i: Inputs) -> tuple[WorkItem, ...]:
    work = []
    for c in i.commits or []:
        mine = [path for _, path in c.files if _is_client_path(path, i.client)]
        if not mine:
            continue
        shared = any(_owner(path) not in (None, i.client) for _, path in c.files)
        if getattr(c, "approval", False):
            # an approval recorded (often one commit for several clients): said as what it is
            subject = _approval_work(i, [p for _, p in c.files if _is_client_path(p, i.client)])
        else:
            subject = say(i.lang, "shared_commit") if shared else mask_addresses(c.subject)
        work.append(WorkItem(_local(i, c.at), subject, c.author, c.sha[:8]))
    return tuple(work)


def _approval_work(i: Inputs, paths: list[str]) -> str:
    """"Freigabe: Adventsaktion 2026 (freigegeben von Frau Sonnenkorn)" for an approval commit."""
    from ..mail.approval import approval

    promos = {p.slug: p for p in i.promotions}
    said = []
    for path in paths:
        slug = path.rsplit("/", 1)[-1].removesuffix(".md").split(".")[0]
        promo = promos.get(slug)
        title = _title(promo, i.lang) or slug
        who = approval(promo).by if promo is not None else ""
        text = f"{title} ({say(i.lang, 'approved', who=who)})" if who else title
        if text not in said:
            said.append(text)
    return f"{say(i.lang, 'approval')}: {', '.join(said)}"


def _publishes(i: Inputs, events: list) -> tuple[Publish, ...]:
    return tuple(Publish(_local(i, e.at), str(e.data.get("target", "")), str(e.data.get("commit", ""))[:12],
                         int(e.data.get("uploaded", 0) or 0), int(e.data.get("deleted", 0) or 0),
                         int(e.data.get("bytes", 0) or 0), e.by)
                 for e in events if e.kind == "publish")


def _promotion_rows(i: Inputs) -> tuple[PromotionRow, ...]:
    from ..mail.approval import approval

    local = lambda d: _local(i, d)  # noqa: E731
    shown = sorted((p for p in i.promotions if _overlaps(p, i.period) and not p.draft),
                   key=lambda p: (p.starts, p.slug))
    return tuple(PromotionRow(p.slug, _title(p, i.lang), p.starts and local(p.starts),
                              p.ends and local(p.ends), p.send_at and local(p.send_at), approval(p).state,
                              approval(p).by) for p in shown)


def _campaigns(i: Inputs, events: list, promos: dict) -> tuple[CampaignRow, ...]:
    runs: dict[str, list] = {}
    for e in events:
        if e.kind == "send":
            runs.setdefault(str(e.data.get("campaign", "")), []).append(e)
    campaigns = []
    for slug, sends in sorted(runs.items(), key=lambda kv: kv[1][0].at):
        skipped = {r: max(int((s.data.get("skipped") or {}).get(r, 0) or 0) for s in sends) for r in SKIP_REASONS}
        campaigns.append(CampaignRow(
            slug, _title(promos.get(slug), i.lang) or slug, sum(int(s.data.get("sent", 0) or 0) for s in sends),
            sum(int(s.data.get("failed", 0) or 0) for s in sends),
            sum(int(s.data.get("uncertain", 0) or 0) for s in sends),
            {k: v for k, v in skipped.items() if v}, len(sends), _local(i, sends[0].at), _local(i, sends[-1].at)))
    campaigns += _due_unsent(i, set(runs))
    return tuple(campaigns)


def _due_unsent(i: Inputs, ran: set[str]) -> list[CampaignRow]:
    """Approved campaigns that fell due in the period and were not sent: shown as such, not
    as "nothing in this period"."""
    from ..mail.approval import approval

    out = []
    for p in sorted(i.promotions, key=lambda p: (p.send_at or p.starts or i.period.start, p.slug)):
        due = p.send_at or p.starts
        if (p.draft or p.slug in ran or due is None or not (i.period.start <= due < i.period.end)
                or approval(p).state != "approved" or i.ledger_sent.get(p.slug, 0)):
            continue
        at = _local(i, due)
        out.append(CampaignRow(p.slug, _title(p, i.lang) or p.slug, 0, 0, 0, {}, 0, at, at, unsent=True))
    return out


def _optouts(i: Inputs) -> dict[str, int]:
    optouts = {k: 0 for k in OPTOUT_KINDS}
    for at, reason in i.optouts:
        if _local(i, at) in i.period:
            optouts[optout_kind(reason)] += 1
    return optouts


def _approvals(i: Inputs, events: list, promos: dict) -> list[ApprovalRow]:
    from ..mail.approval import approval

    approvals = [ApprovalRow(str(e.data.get("campaign", "")), _title(promos.get(str(e.data.get("campaign", ""))), i.lang)
                             or str(e.data.get("campaign", "")), str(e.data.get("approved_by", "")), _local(i, e.at))
                 for e in events if e.kind == "approval"]
    recorded = {a.slug for a in approvals}
    for p in i.promotions:  # approved in the file (by hand, or before the record existed)
        a = approval(p)
        if a.state == "approved" and a.at and p.slug not in recorded:
            try:
                at = datetime.fromisoformat(a.at)
            except ValueError:
                continue
            at = at if at.tzinfo else at.replace(tzinfo=i.period.start.tzinfo)
            if _local(i, at) in i.period:
                approvals.append(ApprovalRow(p.slug, _title(p, i.lang), a.by, _local(i, at)))
    return approvals


def _gaps(i: Inputs, publishes: tuple[Publish, ...], promos: dict) -> tuple[Gap, ...]:
    gaps = []
    if i.activity is None:
        gaps.append(Gap("store", {"detail": i.store_error}))
    if i.commits is None:
        gaps.append(Gap("git", {"detail": i.git_error}))
    for at, detail in i.history_errors:
        gaps.append(Gap("history", {"date": _local(i, at), "detail": detail}))
    if i.activity is not None:
        gaps += _publish_gaps(i, publishes)
        for slug, n in sorted(i.ledger_sent.items()):
            missing = n - i.recorded_sent.get(slug, 0)
            promo = promos.get(slug)
            if missing > 0 and promo is not None and sent_within(promo, i.period):
                gaps.append(Gap("send", {"n": missing, "campaign": _title(promo, i.lang) or slug}))
    return tuple(gaps)


def _publish_gaps(i: Inputs, publishes: tuple[Publish, ...]) -> list[Gap]:
    """A publish the target remembers that the activity record lacks."""
    gaps = []
    for target, rec in sorted(i.last_published.items()):
        try:
            at = _local(i, datetime.fromisoformat(rec["at"]))
        except (KeyError, TypeError, ValueError):
            continue
        if at in i.period and not any(p.target == target and abs((p.at - at).total_seconds()) <= 120
                                      for p in publishes):
            gaps.append(Gap("publish", {"target": target, "date": at}))
    return gaps


def sent_within(promo, period: Period) -> bool:
    """Could the campaign have been sent in the period (from send_at until it ended)?"""
    first = promo.send_at or promo.starts
    return bool(first and promo.ends and first < period.end and promo.ends + timedelta(days=1) > period.start)


def _owner(path: str) -> str | None:
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] in ("sites", "campaigns") else None


def _is_client_path(path: str, client: str) -> bool:
    return _owner(path) == client
