"""`sitekeeper status`: every client at a glance, from local files and the state store only.

Per client: pages, the default target, its last publish (when, which commit, by whom or
which CI run), whether the target is behind the workspace, live and upcoming promotions,
the next send, sends done / uncertain / failed, opt-outs this month and approvals waiting.
Nothing is written and no host is contacted, unless ``check_targets`` asks to plan a
publish against each default target (a dry run: it connects, compares, changes nothing).
A client whose records cannot be read says so in its row, and makes the status not ok.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from datetime import datetime, timezone

from .config import Workspace, load_site
from .errors import Diagnostic, SitekeeperError


@dataclass
class ClientStatus:
    client: str
    """The client's folder name."""
    name: str = ""
    """The business name."""
    pages: int | None = None
    """HTML pages the site shows now."""
    target: str = ""
    """The default deploy target's name."""
    last_publish: dict | None = None
    """at, commit, by of the target's last publish (None: none recorded)."""
    behind: str | None = None
    """Why the target is behind the workspace; "" when it is not; None when unknown."""
    live: list = field(default_factory=list)
    """Promotions on the site now (slugs)."""
    upcoming: list = field(default_factory=list)
    """Promotions that start later (slugs)."""
    next_send: dict | None = None
    """campaign, at, approved: the next campaign due to be sent."""
    sends: dict = field(default_factory=lambda: {"sent": 0, "uncertain": 0, "failed": 0})
    """Over every campaign's ledger."""
    optouts_month: int = 0
    """Rows of unsubscribed.csv dated in the current month."""
    approvals_waiting: list = field(default_factory=list)
    """Campaigns still to be sent whose approval is missing or void (slugs)."""
    approvals_requested: dict = field(default_factory=dict)
    """slug -> "approval requested (date)" / "changes asked (date)" while a request for its text waits."""
    last_report: dict | None = None
    """period, to, sent_at, id of the last report mailed (None: none recorded)."""
    damaged: list = field(default_factory=list)
    """Campaigns whose send ledger is damaged (slugs): nothing is sent for them until repaired."""
    problems: list = field(default_factory=list)
    """What could not be read for this client (Diagnostics)."""

    def as_json(self) -> dict:
        return {"client": self.client, "name": self.name, "pages": self.pages, "target": self.target,
                "last_publish": self.last_publish, "behind": self.behind, "live": self.live,
                "upcoming": self.upcoming, "next_send": self.next_send, "sends": self.sends,
                "optouts_month": self.optouts_month, "approvals_waiting": self.approvals_waiting,
                "approvals_requested": self.approvals_requested,
                "last_report": self.last_report, "damaged": self.damaged,
                "ok": not self.problems, "problems": [d.as_json() for d in self.problems]}


def client_status(ws: Workspace, clients: list[str], clock, *, check_targets: bool = False) -> list[ClientStatus]:
    store, store_problem = None, None
    try:
        from .state import open_workspace_store

        store = open_workspace_store(ws)
    except SitekeeperError as exc:
        store_problem = exc.diagnostics()
    rows = []
    for client in clients:
        row = ClientStatus(client)
        try:
            _fill(ws, client, clock, store, row, check_targets)
        except SitekeeperError as exc:
            row.problems.extend(exc.diagnostics())
        if store_problem:
            row.problems.extend(store_problem)
        rows.append(row)
    return rows


def _fill(ws, client, clock, store, row: ClientStatus, check_targets: bool) -> None:
    from .build import site_outputs
    from .config.deploy import choose_target
    from .mail.approval import approval
    from .mail.campaign import is_due
    from .content.promotions import load_promotions
    from .reports.gather import optouts

    cfg = load_site(ws, client)
    now = clock.now(cfg.tz)
    row.name = cfg.name
    row.pages = site_outputs(ws, cfg, now).page_count
    row.target = choose_target(cfg, ws.root, None).name
    promos, _ = load_promotions(ws, cfg)
    shown = [p for p in promos if not p.draft]
    row.live = [p.slug for p in shown if p.live(now)]
    row.upcoming = [p.slug for p in sorted(shown, key=attrgetter("starts")) if p.starts and p.starts > now]
    try:
        row.optouts_month = sum(1 for at, _ in optouts(ws.campaigns_dir / client / "unsubscribed.csv", cfg.tz)
                                if (at.astimezone(cfg.tz).year, at.astimezone(cfg.tz).month) == (now.year, now.month))
    except SitekeeperError as exc:  # an unreadable opt-out list: said in the row, the rest still shown
        row.problems.extend(exc.diagnostics())
    pending = [p for p in shown if p.send_at and p.ends and now < p.ends]
    if store is None:
        row.approvals_waiting = [p.slug for p in pending if approval(p).state != "approved"]
        return
    from .approvals.records import requests, with_reply_approval
    from .state.ledger import Ledger

    asked = requests(store, client) if promos else []
    promos = [with_reply_approval(store, p, asked) for p in promos]
    pending = [with_reply_approval(store, p, asked) for p in pending]
    counts = {}
    for p in promos:
        ledger = Ledger(store, client, p.slug).load(tolerate=True)
        if ledger.damaged:
            # shown in its row and not ok; the counts are what the intact segments hold
            row.damaged.append(p.slug)
            row.problems.extend(ledger.damage_error().diagnostics())
        counts[p.slug] = ledger.counts()
        for key in row.sends:
            row.sends[key] += counts[p.slug][key]
    unsent = [p for p in pending if not counts[p.slug]["sent"]]
    row.approvals_waiting = [p.slug for p in unsent if approval(p).state != "approved"]
    row.approvals_requested = _requested(asked, unsent)
    nxt = min(unsent, key=attrgetter("send_at"), default=None)
    if nxt is not None and nxt.send_at is not None:  # a pending campaign has a send_at
        row.next_send = {"campaign": nxt.slug, "at": nxt.send_at.isoformat(), "due": is_due(nxt, now),
                         "approved": approval(nxt).state == "approved"}
    row.last_publish = _last_publish(store, client, row.target)
    from .reports.send import last_sent

    row.last_report = last_sent(store, client)
    if check_targets:
        row.behind = _check_target(ws, client, clock)
    else:
        from .schedule import publish_due

        why = publish_due(ws, cfg, now, store, refresh=False)
        row.behind = why if row.last_publish or not why else "never published"


def _last_publish(store, client: str, target: str) -> dict | None:
    from .state.published import last_published
    from .state import activity

    rec = last_published(store, client, target)
    if rec is None:
        return None
    out = {"at": rec.get("at"), "commit": rec.get("commit", ""), "by": None}
    try:
        at = datetime.fromisoformat(rec["at"])
    except (KeyError, TypeError, ValueError):
        return out
    # Who: the publish event recorded at that time (the record of the target has no name).
    for e in reversed(activity.read(store, client, at.astimezone(timezone.utc).strftime("%Y-%m"))):
        if e.kind == "publish" and e.data.get("target") == target and abs((e.at - at).total_seconds()) <= 120:
            out["by"] = e.by
            break
    return out


def _check_target(ws, client: str, clock) -> str:
    """Plans a publish against the live target (a dry run): what would change there."""
    from .publish import publish_clients
    from .report import RecordingReporter

    report = publish_clients(ws, [client], clock, RecordingReporter(), dry_run=True)
    if report.failed:
        raise _Failed(report.failed[0].problems)
    deploy = report.published[0].deploy
    assert deploy is not None  # None only for a rollback, which a dry-run publish is not
    plan = deploy.plan
    if not plan.uploads and not plan.deletes:
        return ""
    return f"{len(plan.uploads)} files to upload, {len(plan.deletes)} to delete at the target"


class _Failed(SitekeeperError):
    def __init__(self, problems):
        super().__init__("the target could not be checked")
        self.problems = list(problems)

    def diagnostics(self) -> list[Diagnostic]:
        return self.problems


def _requested(asked, promos) -> dict:
    """slug -> what the latest approval request (of ``asked``) of each of ``promos`` waits for."""
    from .approvals.records import latest, requested_label

    last = latest(None, "", asked)
    out = {}
    for p in promos:
        label = requested_label(last.get(p.slug), p.approval_hash())
        if label:
            out[p.slug] = label
    return out
