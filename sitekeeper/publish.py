"""The publish use case: build, plan and deploy several clients' sites.

``publish_clients`` is what ``sitekeeper publish`` (and anything else that publishes,
such as a scheduled run) calls. Clients are independent: one client's broken page or
unreachable host is reported through the reporter, nothing of that client is deployed,
and the others still go out; the returned ``PublishReport`` says who failed and why.
No printing and no exit codes here: the caller decides what a failure means for it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Sequence

from . import network
from .config import Workspace, load_site
from .errors import DeployError, Diagnostic, SitekeeperError
from .report import Reporter, human_bytes
from .build import BuildResult
from .check import build_checked
from .deploy.apply import DeployReport, publish_folder, rollback_target
from .deploy.plan import PHASE_NAMES, DeployPlan
from .config.deploy import Target, choose_target
from .state.keys import deployed_key
from .state.published import deployed_files as deployed_files  # live.py reads it from here
from .state.published import write_published

if TYPE_CHECKING:
    from .state.store import Store

ConfirmDeletes = Callable[[str, str, DeployPlan], bool]
"""Asks whether the plan's deletes may go ahead: (client, target name, plan) -> yes."""


@dataclass(frozen=True)
class ClientPublished:
    client: str
    """The client published."""
    target: str
    """The name of the target it went to."""
    deploy: DeployReport | None = None
    """What the deploy did (None for a rollback)."""
    rollback: str = ""
    """The release that is live after a rollback ("" for a deploy)."""
    build_seconds: float = 0.0
    """Wall time of the build before the deploy."""
    build: BuildResult | None = None
    """The build that was deployed (None for a rollback)."""
    at: datetime | None = None
    """When the deploy ended, on the one clock, in the site's timezone."""

    def as_json(self) -> dict:
        if self.deploy is None:
            return {"client": self.client, "target": self.target, "rollback": self.rollback}
        return self.deploy.as_json()

    def summary(self) -> str:
        if self.deploy is None:
            return f"{self.client} -> {self.target}: live release is now {self.rollback}"
        text = self.deploy.summary()
        return text + (f" (after a {self.build_seconds:.1f} s build)" if self.build_seconds >= 0.05 else "")


@dataclass(frozen=True)
class ClientFailed:
    client: str
    """The client that was not published."""
    problems: tuple[Diagnostic, ...]
    """Why: every problem found (config, content, target)."""


@dataclass(frozen=True)
class PublishReport:
    clients: tuple[str, ...]
    """The clients asked for, in order."""
    published: tuple[ClientPublished, ...] = ()
    """The clients that went out (or would, in a dry run)."""
    failed: tuple[ClientFailed, ...] = ()
    """The clients that did not, with their problems."""

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def failed_clients(self) -> list[str]:
        return [f.client for f in self.failed]


def publish_clients(
    ws: Workspace, clients: Sequence[str], clock, reporter: Reporter, *, target: str | None = None,
    dry_run: bool = False, yes: bool = False, allow_deletes: bool = False, rollback: bool = False,
    confirm_deletes: ConfirmDeletes | None = None, deletes_first: bool = False, jobs: int = 1,
) -> PublishReport:
    """Build and deploy each client to ``target`` (default: the client's first target).

    Deletes at a target need ``yes`` or a ``confirm_deletes`` that says so; without
    either they are refused (nothing changed) with the fix. ``rollback`` switches
    atomic SFTP targets back to their previous release instead of building. A dry run
    reports the plan of each client (every upload with its reason) and changes nothing.
    ``deletes_first`` removes the files a build no longer has before the uploads (a full quota).
    ``jobs`` clients at once (sitekeeper.jobs: forked workers, each client's lines kept together
    and reported in the clients' order).
    """
    from .jobs import run_each

    if confirm_deletes is not None and not yes:
        jobs = 1  # a question on the terminal: one client at a time
    store = _workspace_store(ws)  # opened once, when first needed, for all clients (per worker)
    commit: list[str] = []  # the workspace's commit, asked of git once for all clients
    if jobs > 1 and len(clients) > 1 and not dry_run:
        commit.append(workspace_commit(ws))  # before the fork, so no worker asks again

    def one(client: str, rep: Reporter):
        return _publish_and_record(ws, client, clock, rep, target, dry_run, yes, allow_deletes, rollback,
                                   confirm_deletes, deletes_first, store, commit)

    done = run_each(list(clients), one, jobs, reporter)
    published = tuple(d for d in done if isinstance(d, ClientPublished))
    failed = tuple(d for d in done if isinstance(d, ClientFailed))
    return PublishReport(tuple(clients), published, failed)


def _publish_and_record(ws: Workspace, client: str, clock, reporter: Reporter, target: str | None, dry_run: bool,
                        yes: bool, allow_deletes: bool, rollback: bool, confirm_deletes: ConfirmDeletes | None,
                        deletes_first: bool, store, commit: list[str]) -> ClientPublished | ClientFailed:
    """One client of publish_clients: published and recorded, or its problems reported."""
    from .jobs import ClientLockError, client_lock

    try:
        with client_lock(client_locks(ws), client, waiting=lambda: reporter.info(
                f"{client}: waiting for another sitekeeper run that works on this client")):
            return _publish_locked(ws, client, clock, reporter, target, dry_run, yes, allow_deletes, rollback,
                                   confirm_deletes, deletes_first, store, commit)
    except ClientLockError as exc:
        problems = (Diagnostic(str(client_locks(ws)), None, str(exc),
                               "check that the workspace's .sitekeeper folder may be written"),)
        reporter.problems(problems)
        reporter.event("client-failed", client=client)
        return ClientFailed(client, problems)


def client_locks(ws: Workspace):
    """The folder of the per-client locks of this workspace (local: they guard the local build)."""
    return ws.root / ".sitekeeper" / "locks"


def _publish_locked(ws: Workspace, client: str, clock, reporter: Reporter, target: str | None, dry_run: bool,
                    yes: bool, allow_deletes: bool, rollback: bool, confirm_deletes: ConfirmDeletes | None,
                    deletes_first: bool, store, commit: list[str]) -> ClientPublished | ClientFailed:
    try:
        done = _publish_one(ws, client, clock, reporter, target, dry_run, yes, allow_deletes, rollback,
                            confirm_deletes, deletes_first, store)
    except SitekeeperError as exc:
        problems = tuple(exc.diagnostics())
        reporter.problems(problems)
        reporter.event("client-failed", client=client)
        return ClientFailed(client, problems)
    reporter.output(done.summary())
    if done.deploy is not None and not done.deploy.dry_run:
        if not commit:
            commit.append(workspace_commit(ws))
        _record(store, done, reporter, commit[0])
    return done


def workspace_commit(ws: Workspace) -> str:
    """The workspace's git commit (with "+changes" when the tree differs from it), or ""."""
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(ws.root), "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return ""
        dirty = subprocess.run(["git", "-C", str(ws.root), "status", "--porcelain", "--", "sites", "campaigns"],
                               capture_output=True, text=True, timeout=30)
        return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return ""


def _record(opener, done: ClientPublished, reporter: Reporter, commit: str) -> None:
    """The publish in the activity record and as the target's last publish (what a scheduled
    run compares with); a failure to record is said, never silent."""
    from .state import activity

    d, now = done.deploy, done.at
    assert d is not None and now is not None  # called for deploys only (never a rollback), which have a time
    try:
        store = opener()
        if done.build is not None:
            write_published(store, done.client, d.target, done.build.signature, done.build.visible,
                            done.build.valid, now, commit)
        if d.files:  # what status --check-live compares the public site with
            store.write(deployed_key(done.client, d.target), json.dumps(
                {"at": now.isoformat(timespec="seconds"), "release": d.release, "files": d.files},
                sort_keys=True).encode())
        activity.record(store, done.client, "publish", {
            "target": d.target, "url": d.url, "commit": commit, "release": d.release,
            "uploaded": len(d.uploaded), "deleted": len(d.deleted), "unchanged": d.plan.unchanged,
            "bytes": d.plan.bytes, "pages": [p for p in d.uploaded if p.endswith(".html")][:200],
        }, at=now)
    except SitekeeperError as exc:
        reporter.warn(f"{done.client}: published, but the activity record could not be written: "
                      f"{exc.diagnostics()[0].message}")


def _publish_one(ws: Workspace, client: str, clock, reporter: Reporter, target_name: str | None, dry_run: bool,
                 yes: bool, allow_deletes: bool, rollback: bool,
                 confirm_deletes: ConfirmDeletes | None, deletes_first: bool = False,
                 store=None) -> ClientPublished:
    site = load_site(ws, client)
    tgt = choose_target(site, ws.root, target_name)
    try:
        done = _deploy(ws, client, clock, reporter, tgt, dry_run, yes, allow_deletes, rollback, confirm_deletes,
                       deletes_first, store)
        return dataclasses.replace(done, at=clock.now(site.tz))
    except DeployError as exc:
        # A failure of the target is reported at the target's url in site.toml.
        if exc.path is None and tgt.source:
            exc.path, exc.line = tgt.source, tgt.url_line
        raise


def _deploy(ws: Workspace, client: str, clock, reporter: Reporter, tgt: Target, dry_run: bool, yes: bool,
            allow_deletes: bool, rollback: bool, confirm_deletes: ConfirmDeletes | None,
            deletes_first: bool = False, store=None) -> ClientPublished:
    store = store or _workspace_store(ws)
    if rollback:
        with _host_slot(tgt, client, reporter):
            return ClientPublished(client, tgt.name, rollback=rollback_target(tgt, client, reporter, store))
    started = time.monotonic()
    built = build_checked(ws, client, clock, reporter)
    folder = built.out
    build_seconds = time.monotonic() - started
    with _host_slot(tgt, client, reporter):
        report = publish_folder(
            folder, tgt, client, reporter, dry_run=dry_run, allow_deletes=allow_deletes,
            confirm_deletes=_deletes_allowed(client, tgt.name, yes, confirm_deletes),
            show_plan=(lambda plan: report_plan(reporter, client, tgt, plan)) if dry_run else None,
            deletes_first=deletes_first, workspace_store=store,
        )
    return ClientPublished(client, tgt.name, deploy=report, build_seconds=build_seconds, build=built)


def _host_slot(tgt: Target, client: str, reporter: Reporter):
    """One of the host's max_connections_per_host slots for the whole deploy (an SFTP or FTP(S)
    host; S3 is exempt: its endpoints are built for many connections)."""
    if tgt.kind not in ("sftp", "ftps", "ftp"):
        return contextlib.nullcontext()
    return network.connection_slot(tgt.host, tgt.port, waiting=lambda host: reporter.info(
        f"{client}: waiting for a free connection to {host} (max_connections_per_host in sitekeeper.toml)"))


def _workspace_store(ws: Workspace):
    """Opens the workspace state store once, when first needed (a target that keeps its state
    there, the record of a publish); a failed open is tried again at the next need."""
    opened: dict[int, Store] = {}  # by process: a forked worker never uses the parent's connections

    def open_it():
        pid = os.getpid()
        if pid not in opened:
            from .state.store import open_workspace_store

            opened[pid] = open_workspace_store(ws)
        return opened[pid]

    return open_it


def _deletes_allowed(client: str, target_name: str, yes: bool,
                     confirm: ConfirmDeletes | None) -> Callable[[DeployPlan], bool]:
    def allowed(plan: DeployPlan) -> bool:
        if yes:
            return True
        if confirm is None:
            raise DeployError(
                f"{client}: publishing to {target_name} deletes {len(plan.deletes)} files "
                f"({', '.join(plan.deletes[:3])}{', ...' if len(plan.deletes) > 3 else ''}) and there is no terminal "
                "to confirm; nothing was changed. Check with --dry-run, then pass --yes")
        return confirm(client, target_name, plan)

    return allowed


def changed_clients_since(ws: Workspace, ref: str, reporter: Reporter) -> list[str]:
    """The clients whose sites/ or campaigns/ folders changed between git ``ref`` and the working tree."""
    from .deploy.changes import changed_clients

    changes = changed_clients(ws.root, ref, ws.clients())
    for name in changes.removed:
        reporter.warn(f"{name}: changed since {ref} but has no sites/{name}/site.toml any more; nothing "
                      "to publish for it (its target is left as it is)")
    if changes.clients:
        why = "sitekeeper.toml changed: all clients" if changes.everything else "changed"
        reporter.event("changed", ref=ref, clients=changes.clients, all=changes.everything)
        reporter.info(f"since {ref}, {why}: {', '.join(changes.clients)}")
    return changes.clients


def report_plan(reporter: Reporter, client: str, target: Target, plan: DeployPlan) -> None:
    """A dry run's plan: every upload with its reason and size, every delete, the totals."""
    reporter.output(f"{client} -> {target.name} ({target.url}): plan")
    for phase, uploads in plan.phases():
        reporter.output(f"  {PHASE_NAMES[phase]}:")
        for u in uploads:
            reporter.output(f"    upload {u.path}  ({u.reason}, {human_bytes(u.size)})")
            reporter.event("plan-upload", path=u.path, reason=u.reason, bytes=u.size)
    for path in plan.deletes:
        reporter.output(f"    delete {path}")
        reporter.event("plan-delete", path=path)
    reporter.output(f"  {len(plan.uploads)} uploads ({human_bytes(plan.bytes)}), {len(plan.deletes)} deletes, "
                  f"{plan.unchanged} unchanged")
    if plan.deletes_over_cap:
        reporter.warn(f"{len(plan.deletes)} deletes exceed the cap of {plan.delete_cap}: a real publish "
                      "refuses them unless --allow-deletes")
