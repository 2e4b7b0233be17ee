"""`sitekeeper tick`: all due work for all clients, safe to run every few minutes.

For each client, in order:
1. publish, when what the site shows now differs from what its default target last received
   (a promotion started or ended, a page's publish or expires date passed, content changed);
2. pull opt-outs and bounces, when the client has a mailbox or an SES queue configured;
3. send every due, approved campaign (at most once per subscriber: the send ledger);
4. mail last month's report, once, from the client's `report_day` on;
5. remove the client's private previews that expired (sitekeeper.previews; the state store's
   previews/ is listed once per tick, so a client without one costs nothing more).

Cheap when idle: whether a site is due is decided from the client's files and the clock
alone. The last publish is kept in the state store with the input signature (a stat of every
source file) and the time window its output holds; while neither changed, nothing is parsed,
no host is contacted, nothing is written. One client's failure is reported and the others go
on. A workspace lock in the state store keeps two ticks (cron and a slow run, two CI
runners) from overlapping: the second says who holds it and exits 0.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

from .config import SiteConfig, Workspace, load_site
from .errors import Diagnostic, LockBusy, SitekeeperError
from .report import Reporter
from .state.keys import tick_lock_key

"""The tick's lock's key in the state store (a sharded tick locks ``locks/tick-I-of-N``: the
shards never wait on each other, two runners of one shard exclude each other; the clients'
own work is guarded per client by the deploy, send and opt-out locks)."""
PULL_EVERY = 3600.0
"""Seconds between two opt-out pulls of a client by tick (a due send always pulls first)."""
DEFAULT = object()


def pull_step(ws, cfg, clock, reporter, dry_run):
    """Opt-outs and bounces from the client's mailbox and SES queue, at most every PULL_EVERY
    seconds (so most ticks contact no host). Returns (reason -> count, problems)."""
    if not (cfg.mail.imap or cfg.mail.ses_events_queue):
        return None, []
    from .state import open_workspace_store
    from .suppressions.pull import pull_suppressions, seconds_since_pull

    now = clock.now(cfg.tz)
    since = seconds_since_pull(open_workspace_store(ws), cfg.client, now)
    if since is not None and since < PULL_EVERY:
        return None, []
    if dry_run:
        return {"would_pull": 1}, []
    report = pull_suppressions(ws, cfg, reporter, now)
    return {k: v for k, v in report.counts().items() if v}, list(report.problems)


def send_step(ws, cfg, clock, reporter, dry_run):
    """Every due, approved campaign of the client, at most once per subscriber (the ledger).
    Returns (the results of campaigns that sent or would send, problems)."""
    from .mail.send import send

    results, problems = send(ws, cfg.client, clock, reporter, dry_run=dry_run)
    return [r for r in results if r.get("state") == "due" and (r.get("sent") or dry_run)], problems


def report_step(ws, cfg, clock, reporter, dry_run):
    """The last month's report, mailed once, from the client's `report_day` of this month on
    (a tick missed on the day sends it on the next). Returns (the send's record, problems)."""
    if not cfg.report_day:
        return None, []
    from .state import open_workspace_store
    from .reports.send import already_sent

    now = clock.now(cfg.tz)
    if now.day < cfg.report_day:
        return None, []
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    period = f"{year}-{month:02d}"
    store = open_workspace_store(ws)
    if already_sent(store, cfg.client, period):
        return None, []
    if dry_run:
        return {"would_send": period}, []
    from .mail.transport import open_transport
    from .reports import make_report, write_report
    from .reports.send import recipient, send_report

    to = recipient(cfg, None)
    transport = open_transport(ws, cfg, label=f"{now:%Y%m%dT%H%M%S}", folder="reports")
    report = make_report(ws, cfg.client, clock, month=period)
    written = write_report(report, ws.root / ".sitekeeper" / "reports" / cfg.client)
    if written.pdf is None:
        reporter.warn(f"{cfg.client}: the report goes without its PDF ({written.pdf_skipped})")
    reporter.info(f"{cfg.client}: mailing the report for {period} to {to}")
    return send_report(transport, cfg, store, report, written, to, now, ws=ws), []


@dataclass(frozen=True)
class ClientTick:
    client: str
    """The client."""
    published: str = ""
    """Why the site was (or, in a dry run, would be) published; "" when it was not due."""
    sent: tuple = ()
    """Campaign send results (their JSON), one per campaign sent."""
    pulled: dict | None = None
    """Opt-outs pulled: reason -> count (None when no mailbox or queue is configured)."""
    problems: tuple[Diagnostic, ...] = ()
    """What failed for this client."""
    reported: dict | None = None
    """The month's report mailed (its record), or in a dry run the period it would send."""
    previews_removed: tuple[str, ...] = ()
    """Ids of the expired private previews removed (in a dry run: that would be)."""
    live: dict | None = None
    """The live site's check (tick --check-live, at most daily): counts of changed, missing, extra."""

    @property
    def did_something(self) -> bool:
        return bool(self.published or self.sent or (self.pulled and any(self.pulled.values())) or self.reported
                    or self.previews_removed or self.live)

    def as_json(self) -> dict:
        return {"client": self.client, "published": self.published or None, "sent": list(self.sent),
                "pulled": self.pulled, "report": self.reported, "previews_removed": list(self.previews_removed),
                "live": self.live, "ok": not self.problems, "problems": [d.as_json() for d in self.problems]}


@dataclass(frozen=True)
class TickReport:
    dry_run: bool
    """Nothing was changed."""
    clients: tuple[ClientTick, ...] = ()
    """One entry per client looked at."""
    held_by: str = ""
    """Another tick holds the workspace lock (nothing was done)."""
    lock_problem: tuple[Diagnostic, ...] = field(default=())
    """The state store could not be used for the lock."""
    shard: str = ""
    """The shard taken ("I/N"), "" for every client."""

    @property
    def ok(self) -> bool:
        return not self.lock_problem and all(not c.problems for c in self.clients)

    @property
    def idle(self) -> bool:
        return not any(c.did_something or c.problems for c in self.clients)

    def as_json(self) -> dict:
        return {"tick": True, "dry_run": self.dry_run, "ok": self.ok, "idle": self.idle,
                "held_by": self.held_by or None, "shard": self.shard or None, "clients": [c.as_json() for c in self.clients],
                "problems": [d.as_json() for c in self.clients for d in c.problems]
                + [d.as_json() for d in self.lock_problem]}


def publish_due(ws: Workspace, cfg: SiteConfig, now: datetime, store, *, refresh: bool = True) -> str:
    """Why the client's default target should be published now, or "" when it holds what the
    site shows. Reads the state store and stats the client's files; parses only when an input
    changed or the last publish's time window ran out. With ``refresh`` (what tick does), a
    touched-but-unchanged site is remembered in the state store; without, nothing is written."""
    from .build import default_out, inputs_signature
    from .config.deploy import choose_target
    from .state.published import last_published, write_published

    target = choose_target(cfg, ws.root, None)
    last = last_published(store, cfg.client, target.name)
    if last is None:
        return f"no publish to {target.name} is recorded in the state store yet"
    signature = inputs_signature(ws, cfg, default_out(ws, cfg.client).resolve())
    lo, hi = last.get("valid") or (None, None)
    lo = float("-inf") if lo is None else lo
    hi = float("inf") if hi is None else hi
    if signature == last.get("signature") and lo <= now.timestamp() < hi:
        return ""
    from .build import site_outputs
    from .build.plan import visible_fingerprint

    plan = site_outputs(ws, cfg, now)
    if visible_fingerprint(plan) == last.get("visible"):
        if not refresh:
            return ""
        # Touched but the same (a checkout, a save without change): remember, so the next tick is cheap.
        write_published(store, cfg.client, target.name, signature, last["visible"], plan.valid,
                        datetime.fromisoformat(last["at"]), last.get("commit", ""))
        return ""
    if signature != last.get("signature"):
        return "content changed since the last publish"
    return f"a date in its content or promotions passed at {datetime.fromtimestamp(hi, cfg.tz):%Y-%m-%d %H:%M %Z}"


def tick(ws: Workspace, clock, reporter: Reporter, *, dry_run: bool = False,
         pull=DEFAULT, send=DEFAULT, shard=None, jobs: int = 1, check_live: bool = False) -> TickReport:
    """Do (or, with ``dry_run``, say) all due work for every client. ``pull`` and ``send`` are
    the opt-out and campaign steps, ``(ws, cfg, clock, reporter, dry_run) -> (result, problems)``
    (default: pull_step and send_step; None leaves a step out). ``shard`` (a Shard) takes only
    its clients. ``jobs`` clients at once (sitekeeper.jobs), under the one tick lock.
    ``check_live``: also compare each public site with its last deploy, at most daily (live.py)."""
    pull_step_ = pull_step if pull is DEFAULT else pull
    send_step_ = send_step if send is DEFAULT else send
    from .state import open_workspace_store
    from .state.lock import workspace_lock

    try:
        store = open_workspace_store(ws)
    except SitekeeperError as exc:
        return TickReport(dry_run, lock_problem=tuple(exc.diagnostics()))
    lock = None
    if not dry_run:
        lock = workspace_lock(ws, store, tick_lock_key(None if shard is None else shard.lock_name))
        try:
            lock.acquire()
            if lock.degraded:
                reporter.warn(f"tick: {lock.degraded}")
        except LockBusy as exc:
            who = exc.record.owner() if exc.record is not None else "another run"
            return TickReport(dry_run, held_by=who)
        except SitekeeperError as exc:
            return TickReport(dry_run, lock_problem=tuple(exc.diagnostics()))
    clients = ws.clients() if shard is None else shard.select(ws.clients())
    from .jobs import run_each
    from .previews.make import expiry_step

    expire = expiry_step(ws, store)  # the store listed once, here, for every client (and worker)
    from .live import live_step

    live = live_step if check_live else None

    parent = os.getpid()
    if jobs > 1 and len(clients) > 1:
        # Imported once here rather than once in each worker after the fork.
        from .build import plan as _plan, site_outputs as _outputs  # noqa: F401
        from .mail import send as _send  # noqa: F401
        from .publish import publish_clients as _publish  # noqa: F401
        from .suppressions import pull as _pull  # noqa: F401

    stores = {parent: store}

    def one(client: str, rep: Reporter) -> ClientTick:
        # A forked worker opens its own store, once: the parent's connections are not shared.
        own = stores.get(os.getpid()) or stores.setdefault(os.getpid(), open_workspace_store(ws))
        return _tick_client(ws, client, clock, rep, own, dry_run, pull_step_, send_step_, expire, live)

    try:
        return TickReport(dry_run, tuple(run_each(clients, one, jobs, reporter, light_first=True)),
                          shard=str(shard) if shard else "")
    finally:
        if lock is not None:
            try:
                lock.release()
            except SitekeeperError as exc:
                reporter.warn(str(exc))


def _tick_client(ws, client, clock, reporter, store, dry_run, pull_step, send_step, expire_step=None,
                 live_step=None) -> ClientTick:
    from .jobs import ClientLockError, client_lock
    from .publish import client_locks

    try:
        with client_lock(client_locks(ws), client, waiting=lambda: reporter.info(
                f"{client}: waiting for another sitekeeper run that works on this client")):
            return _tick_locked(ws, client, clock, reporter, store, dry_run, pull_step, send_step, expire_step,
                                live_step)
    except ClientLockError as exc:
        return ClientTick(client, problems=(Diagnostic(str(client_locks(ws)), None, str(exc),
                                                       "check that the workspace's .sitekeeper folder may be written"),))


def _tick_locked(ws, client, clock, reporter, store, dry_run, pull_step, send_step, expire_step=None,
                 live_step=None) -> ClientTick:
    problems: list[Diagnostic] = []
    try:
        cfg = load_site(ws, client)
        now = clock.now(cfg.tz)
        why = publish_due(ws, cfg, now, store)
    except SitekeeperError as exc:
        return ClientTick(client, problems=tuple(exc.diagnostics()))
    published = ""
    if why:
        if dry_run:
            published = why
        else:
            from .publish import publish_clients

            reporter.info(f"{client}: publishing: {why}")
            report = publish_clients(ws, [client], clock, reporter, yes=True)
            if report.failed:
                problems.extend(report.failed[0].problems)
            else:
                published = why
    pulled = sent = reported = expired = None
    results: dict[str, object] = {}
    for step, name in ((pull_step, "pull"), (send_step, "send"), (report_step, "report"), (expire_step, "previews"),
                       (live_step, "live")):
        if step is None:
            continue
        try:
            result, found = step(ws, cfg, clock, reporter, dry_run)
        except SitekeeperError as exc:
            result, found = None, exc.diagnostics()
        problems.extend(found)
        if name == "pull":
            pulled = result
        elif name == "send":
            sent = result
        elif name == "report":
            reported = result
        elif name == "previews":
            expired = result
        else:
            results[name] = result
    return ClientTick(client, published, tuple(sent or ()), pulled, tuple(problems), reported, tuple(expired or ()),
                      live=results.get("live"))  # type: ignore[arg-type]
