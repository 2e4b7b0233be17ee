"""Publish a built folder to a target: lock, read, plan, confirm, apply exactly the plan.

Every kind of target sits behind the small ``Remote`` interface (remote.py; dir.py, sftp/,
ftps/, s3.py implement it, chosen here by the URL's scheme), and its manifest, journals and
lock behind ``TargetState`` (target_state.py, on the remote's state store); this module
holds the order of events, which is the same for all of them:

1. connect (SFTP checks the host key here, before any write) and take the target's lock;
2. read the target's manifest and list it once (or, when a recent full listing and a sample
   of files vouch for the manifest, take the manifest as the listing: trusted.py);
   ``plan_deploy`` (pure) decides;
3. refuse deletes over the cap, ask before deletes (the caller decides how);
4. upload phase by phase (assets, pages, indexes), each file under a temporary name and
   renamed into place, checkpointing the manifest as files land, so an interrupted run
   resumes where it stopped; deletes last; final manifest; target-specific finish
   (the symlink switch of atomic mode, a CDN invalidation);
5. release the lock (sitekeeper.state.lock on the target's own store); a lock that cannot
   be removed is an error, or a warning when the publish already failed for another reason.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import DamagedRecord, DeployError, LockBusy, SitekeeperError, StateError
from ..report import Reporter, human_bytes
from ..state.lock import Lock, busy_message, machine_lock_store, ttl_seconds
from . import faults
from .headers import headers_for
from .local import scan_folder
from .plan import (CHANGED_AT_TARGET, JOURNAL_COMPACT_AT, DeployPlan, ManifestEntry, Upload,
                   journal_to_bytes, load_manifest, manifest_to_bytes, plan_deploy)
from .remote import Remote, SendItem, TargetFull  # SendItem: also imported from here by callers
from .target_state import JOURNAL_PREFIX, TargetState, WorkspaceStore, move_old_state
from .trusted import can_trust, last_verified, record_verified, trusted_listing
from ..config.deploy import Target

CHECKPOINT_FILES = 200
"""A journal after this many files at least, or a quarter of the publish's uploads when that is
more: a first upload then leaves a few journals, under JOURNAL_COMPACT_AT, and its entries
are sent once (not once in journals and again in a compacted manifest)."""
CHECKPOINT_SECONDS = 10.0
"""A journal (and a lock refresh) at least this often while files land; never less often than
a tenth of the lock's time to live."""


@dataclass
class DeployReport:
    client: str
    """The client published."""
    target: str
    """The target's name."""
    url: str
    """The target's URL."""
    dry_run: bool
    """True when nothing was changed."""
    plan: DeployPlan
    """What was planned."""
    uploaded: list[str] = field(default_factory=list)
    """Paths sent (planned ones, in a dry run)."""
    deleted: list[str] = field(default_factory=list)
    """Paths removed (planned ones, in a dry run)."""
    release: str = ""
    """Id of this publish."""
    seconds: float = 0.0
    """Wall time of the deploy."""
    resent_bytes: int = 0
    """Bytes of unchanged files sent again (atomic mode where the server cannot hard-link)."""
    files: dict[str, str] = field(default_factory=dict)
    """path -> sha256 of every file the target holds after this publish (would hold, in a dry run)."""

    def as_json(self) -> dict:
        sent = set(self.uploaded)
        return {
            "client": self.client, "target": self.target, "url": self.url, "dry_run": self.dry_run,
            "uploaded": self.uploaded, "deleted": self.deleted, "unchanged": self.plan.unchanged,
            "bytes_uploaded": sum(u.size for u in self.plan.uploads if u.path in sent) + self.resent_bytes,
            "release": self.release,
        }

    def summary(self) -> str:
        verb = "would upload" if self.dry_run else "uploaded"
        gone = "would delete" if self.dry_run else "deleted"
        return (f"{self.client} -> {self.target} ({self.url}): {verb} {len(self.uploaded)} files "
                f"({human_bytes(self.plan.bytes)}), {gone} {len(self.deleted)}, {self.plan.unchanged} unchanged"
                + ("" if self.dry_run else f" in {self.seconds:.1f} s"))


def open_remote(target: Target, client: str, reporter: Reporter,
                workspace_store: WorkspaceStore | None = None) -> Remote:
    """The Remote for a target, by its URL's scheme; vendor SDKs are imported only when needed.
    ``workspace_store`` opens the workspace state store, for targets whose state lives there."""
    if target.kind == "dir":
        from .dir import DirRemote

        return DirRemote(target, client, reporter, workspace_store)
    if target.kind == "sftp":
        from .sftp import SftpRemote

        return SftpRemote(target, client, reporter, workspace_store)
    if target.kind in ("ftps", "ftp"):
        from .ftps import FtpRemote

        return FtpRemote(target, client, reporter, workspace_store)
    if target.kind == "s3":
        from .s3 import S3Remote

        return S3Remote(target, client, reporter, workspace_store)
    raise DeployError(f"{client}: target {target.name} has unknown kind {target.kind!r}")  # pragma: no cover


def headers_function(target: Target):
    if target.kind != "s3":
        return lambda path: None
    rules = target.cache_control
    return lambda path: headers_for(path, rules)


def new_release_id() -> str:
    import uuid

    now = time.time()  # sortable ids: releases are ordered by name (rollback picks the one before)
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z-" + uuid.uuid4().hex[:6]


def acquire_lock(remote: Remote, client: str, target: Target, reporter: Reporter) -> Lock:
    """The target's lock, held; raises DeployError naming the owner when it is busy."""
    store = remote.state_store()
    fallback = machine_lock_store(target.url) if target.options.get("lock") == "local" else None
    lock = Lock(store, fallback=fallback)
    try:
        lock.acquire()
    except LockBusy as exc:
        raise DeployError(busy_message(client, target.name, exc.record, where=lock.store.describe(lock.key))) from exc
    except StateError as exc:
        raise DeployError(f"{client}: could not take the lock of target {target.name}: {exc.message}",
                          exc.fix) from exc
    if lock.degraded:
        reporter.warn(f"{client}: target {target.name}: {lock.degraded}")
    if lock.took_over is not None:
        reporter.warn(f"{client}: took over the lock of target {target.name} left by "
                      f"{lock.took_over.owner()}, which is no longer running")
    return lock


def release_lock(lock: Lock | None, client: str, target: Target, reporter: Reporter, failing: bool) -> None:
    """Release; a failure is raised (or, when the run already failed, warned): never swallowed."""
    if lock is None or not lock.held:
        return
    where = lock.store.describe(lock.key)
    try:
        lock.release()
    except SitekeeperError as exc:
        message = (f"{client}: the lock of target {target.name} could not be removed ({exc}); other publishes "
                   f"of this target are refused until it expires in {int(ttl_seconds())} s")
        fix = f"remove {where} by hand once no publish is running"
        if failing:
            reporter.warn(f"{message}; fix: {fix}")
            return
        raise DeployError(message, fix) from exc


def read_state(state: TargetState, client: str = "", target: Target | None = None, names: list[str] | None = None
               ) -> tuple[dict[str, ManifestEntry], list[str], str]:
    """(manifest as of its last journal, journal names, a token that changes when either does).
    ``names``: the keys of the state area, when they were just listed.

    A damaged manifest or journal raises DamagedRecord naming where it lives and the fix: the
    publish stops there, before anything is planned, uploaded or deleted."""
    base = state.read_manifest()
    journals = state.read_journals(names)
    token = hashlib.sha256((base or b"") + "|".join(n for n, _ in journals).encode()).hexdigest()
    try:
        files = load_manifest(base, journals, where=lambda key: _describe(state, key))
    except DamagedRecord as exc:
        head = f"{client}: target {target.name}: " if client and target is not None else ""
        what = exc.message[len(exc.record) + 2:] if exc.message.startswith(f"{exc.record}: ") else exc.message
        raise DamagedRecord(f"{head}{what}; nothing was published (a damaged manifest is never read as an empty "
                            "one)", exc.fix, record=exc.record, why=exc.why) from exc
    return files, [n for n, _ in journals], token


def unchanged_since(state: TargetState, remote: Remote, journals: list[str]) -> bool:
    """After taking the lock: has no other publish finished since the state was read? A publish
    that changes anything leaves a journal or compacts them all away, so the journals' names
    tell, in one listing; targets that rewrite the whole manifest each time are read again."""
    if getattr(remote, "always_compact", False) or (state.old is not None and state.old.present):
        return False
    return sorted(n for n in state.names() if n.startswith(JOURNAL_PREFIX) and n.endswith(".json")) == sorted(journals)


def _describe(state: TargetState, key: str) -> str:
    try:
        return state.describe(key)
    except SitekeeperError:
        return key


def publish_folder(
    folder: Path, target: Target, client: str, reporter: Reporter, *, dry_run: bool = False,
    allow_deletes: bool = False, confirm_deletes: Callable[[DeployPlan], bool] = lambda plan: True,
    show_plan: Callable[[DeployPlan], None] | None = None, deletes_first: bool = False,
    workspace_store: WorkspaceStore | None = None,
) -> DeployReport:
    """Make ``target`` hold exactly the files of ``folder``. See the module docstring.

    ``deletes_first``: remove the files the build no longer has before uploading (for a
    target whose disk or quota is too full to take the new files first)."""
    started = time.monotonic()
    started_wall = time.time()
    folder = Path(folder)
    if not folder.is_dir():
        raise DeployError(f"{client}: nothing to publish: {folder} is not a folder; build the site first")
    local = scan_folder(folder, headers_function(target))
    if not local:
        raise DeployError(f"{client}: the build folder {folder} is empty; refusing to publish an empty site "
                          f"to {target.name} (it would delete everything); check the build")
    remote = open_remote(target, client, reporter, workspace_store)
    state = TargetState.of(remote)
    lock = None
    failing = True
    max_deletes = target.max_deletes
    try:
        if not dry_run:
            move_old_state(remote)  # state an older layout kept inside the docroot
        # Plan first without the lock: a publish with nothing to do only reads. The manifest
        # stands in for the listing when a recent full listing and a sample vouch for it.
        names = state.names()
        files, journals, token = read_state(state, client, target, names)
        verified_at = last_verified(remote, state, target, files, names)
        listing = trusted_listing(remote, files, target, verified_at)
        listed_in_full = listing is None
        if listing is None:
            listing = remote.list_files()
        plan = plan_deploy(local, files, listing, max_deletes)
        if not dry_run and not plan.empty:
            lock = acquire_lock(remote, client, target, reporter)
            if not unchanged_since(state, remote, journals):
                files, journals, token2 = read_state(state, client, target)
            else:
                token2 = token
            if token2 != token:  # another publish finished meanwhile: look again, in full
                listing = remote.list_files()
                listed_in_full = True
                plan = plan_deploy(local, files, listing, max_deletes)
        release = new_release_id()
        report = DeployReport(client, target.name, target.url, dry_run, plan, release=release,
                              files={path: f.sha256 for path, f in local.items()})
        if show_plan is not None:
            show_plan(plan)
        if plan.deletes_over_cap and not allow_deletes:
            raise DeployError(
                f"{client}: publishing to {target.name} would delete {len(plan.deletes)} of {plan.site_files} files, "
                f"over the cap of {plan.delete_cap}; nothing was changed. If the build is complete, run again with "
                f"--allow-deletes (or raise max_deletes in [deploy.{target.name}])")
        if dry_run:
            report.uploaded = [u.path for u in plan.uploads]
            report.deleted = list(plan.deletes)
            failing = False
            return report
        if plan.deletes and not confirm_deletes(plan):
            raise DeployError(f"{client}: {len(plan.deletes)} deletes on {target.name} not confirmed; nothing was "
                              "changed. Run again and answer yes, or pass --yes")
        if not plan.empty:
            assert lock is not None  # taken above for every publish that changes something
            _apply(remote, state, plan, local, folder, files, journals, release, lock, report, reporter, deletes_first)
        if listed_in_full and can_trust(remote, target):
            record_verified(state, started_wall)  # the target holds what the manifest says, as listed now
        report.seconds = time.monotonic() - started
        failing = False
        return report
    finally:
        try:
            release_lock(lock, client, target, reporter, failing)
        finally:
            remote.close()


def _apply(remote: Remote, state: TargetState, plan: DeployPlan, local, folder: Path, files: dict[str, ManifestEntry],
           journals: list[str], release: str, lock: Lock, report: DeployReport,
           reporter: Reporter, deletes_first: bool = False) -> None:
    files = dict(files)
    pending: dict[str, ManifestEntry | None] = {}
    for path in plan.forget:
        files.pop(path, None)
        pending[path] = None
    for u in plan.uploads:
        if u.reason == CHANGED_AT_TARGET:
            # the target no longer holds what the manifest says: forget it until re-sent
            files.pop(u.path, None)
            pending[u.path] = None
    sending = {u.path for u in plan.uploads}
    keep = [SendItem(Upload(p, local[p].size, "unchanged", 0), folder / p, local[p].sha256, None)
            for p in sorted(local) if p not in sending]
    guard = threading.Lock()

    def resent(item: SendItem, stamp: str) -> None:
        lf = local[item.upload.path]
        with guard:
            files[lf.path] = pending[lf.path] = ManifestEntry(lf.sha256, lf.size, lf.headers, stamp, release)
            report.resent_bytes += lf.size

    remote.prepare(plan, release, keep, resent)
    ticks = {"at": time.monotonic(), "refreshed": time.monotonic(), "seq": 0}
    every_files = max(CHECKPOINT_FILES, len(plan.uploads) // 4 + 1)
    every_seconds = min(CHECKPOINT_SECONDS, ttl_seconds() / 10)
    journals = list(journals)

    def checkpoint() -> None:
        """Record what landed since the last checkpoint (a small journal) and refresh the lock."""
        if pending:
            ticks["seq"] += 1
            name = f"journal-{release}-{ticks['seq']:04d}.json"
            state.write_journal(name, journal_to_bytes(pending, release))
            journals.append(name)
            pending.clear()
        if time.monotonic() - ticks["refreshed"] > every_seconds:
            try:
                lock.refresh()
            except StateError as exc:
                raise DeployError(f"{report.client}: target {report.target}: {exc.message}", exc.fix) from exc
            ticks["refreshed"] = time.monotonic()
        ticks["at"] = time.monotonic()
        faults.hit("manifest")

    def remove_deleted() -> None:
        remote.delete(list(plan.deletes))
        for path in plan.deletes:
            files.pop(path, None)
            pending[path] = None
            report.deleted.append(path)
            reporter.event("delete", path=path)

    hdr = headers_function_from_items
    try:
        if plan.deletes and deletes_first:
            remove_deleted()
        with reporter.progress("uploading", total=len(plan.uploads), unit="files") as bar:
            for _phase, uploads in plan.phases():
                items = [SendItem(u, folder / u.path, local[u.path].sha256, hdr(remote, u.path)) for u in uploads]

                def done(item: SendItem, stamp: str) -> None:
                    lf = local[item.upload.path]
                    with guard:
                        entry = ManifestEntry(lf.sha256, lf.size, lf.headers, stamp, release)
                        files[lf.path] = pending[lf.path] = entry
                        report.uploaded.append(lf.path)
                        bar.advance(1, lf.size)
                        reporter.event("upload", path=lf.path, reason=item.upload.reason, bytes=lf.size)
                        if len(pending) >= every_files or time.monotonic() - ticks["at"] > every_seconds:
                            checkpoint()
                    faults.hit("upload-done")

                remote.upload(items, done)
        if plan.deletes and not deletes_first:
            remove_deleted()
    except DeployError as exc:
        # Record what landed before the failure, so the next run does not send it again (on
        # a full target, sending it again would fail the same way).
        if pending and not getattr(remote, "always_compact", False):  # atomic: nothing is live yet
            try:
                with guard:
                    checkpoint()
            except SitekeeperError:
                pass
        if isinstance(exc, TargetFull) and plan.deletes and not deletes_first and not report.deleted:
            exc.fix += (f" (this publish would delete {len(plan.deletes)} files the site no longer has: "
                        "--deletes-first removes them before the uploads)")
        raise
    with guard:
        checkpoint()
    if len(journals) >= JOURNAL_COMPACT_AT or getattr(remote, "always_compact", False):
        through = max(journals) if journals else ""
        state.write_manifest(manifest_to_bytes(files, release, through=through))
        state.remove_journals(journals)
    remote.finish(plan, release, report.uploaded, report.deleted)


def headers_function_from_items(remote, path: str):
    fn = getattr(remote, "headers_for", None)
    return fn(path) if fn else None


def rollback_target(target: Target, client: str, reporter: Reporter,
                    workspace_store: WorkspaceStore | None = None) -> str:
    """Switch an atomic SFTP target back to its previous release; returns that release's id."""
    if target.kind != "sftp" or target.mode != "atomic":
        raise DeployError(f"{client}: --rollback needs an sftp:// target with mode = \"atomic\"; target "
                          f"{target.name} is {target.kind} {target.mode}: publish the older content instead")
    remote = open_remote(target, client, reporter, workspace_store)
    lock = None
    failing = True
    try:
        lock = acquire_lock(remote, client, target, reporter)
        from .sftp import SftpRemote

        assert isinstance(remote, SftpRemote)  # the only kind with releases (checked above)
        previous = remote.rollback()
        failing = False
        return previous
    finally:
        try:
            release_lock(lock, client, target, reporter, failing)
        finally:
            remote.close()
