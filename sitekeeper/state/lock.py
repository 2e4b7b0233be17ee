"""One lock algorithm, on any Store: one holder at a time (one publish of a target, one
sender of a campaign).

The lock is a small JSON record (owner token, host, pid, user, started, refreshed) made with
the store's exclusive ``create`` (link() on a folder, SFTP's exclusive rename, a conditional
put on S3 read back). A lock whose owner is gone can be taken over, with ``replace_if`` on
exactly the version judged stale, so two that judge it at once cannot both win:

- same hostname and the pid is not running: the owner died on this machine -> at once;
- another machine: only once ``refreshed`` is older than the TTL (the owner refreshes it at
  every checkpoint), and the message names the owner meanwhile.

``release`` raises when the lock cannot be removed (it would otherwise block the target
for a whole TTL without anyone knowing); the caller reports it.
"""
from __future__ import annotations

import getpass
import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ..errors import LockBusy, StateError
from ..settings import tuning

if TYPE_CHECKING:
    from ..config.workspace import Workspace
    from .store import LocalStore, Store



def ttl_seconds() -> float:
    """Seconds a lock lives without a refresh (SITEKEEPER_LOCK_TTL: sitekeeper.settings)."""
    return tuning().lock_ttl


@dataclass(frozen=True)
class LockRecord:
    token: str
    """Random id of this holder."""
    host: str
    """Hostname of the holder."""
    pid: int
    """Process id on that host."""
    user: str
    """Login name, for messages."""
    started: float
    """Unix time the publish began."""
    refreshed: float
    """Unix time of the last sign of life."""

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    def refreshed_now(self) -> "LockRecord":
        return LockRecord(self.token, self.host, self.pid, self.user, self.started, time.time())

    def owner(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.started))
        return f"{self.user}@{self.host} (pid {self.pid}, since {when})"


def new_record() -> LockRecord:
    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry in some containers
        user = "unknown"
    now = time.time()
    return LockRecord(uuid.uuid4().hex, socket.gethostname(), os.getpid(), user, now, now)


def parse_record(blob: bytes | None) -> LockRecord | None:
    try:
        data = json.loads(blob or b"")
        return LockRecord(str(data["token"]), str(data["host"]), int(data["pid"]), str(data.get("user", "?")),
                          float(data["started"]), float(data.get("refreshed", data["started"])))
    except (ValueError, KeyError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale(record: LockRecord | None, now: float | None = None, host: str | None = None,
          alive: Callable[[int], bool] = pid_alive, ttl: float | None = None) -> bool:
    """May this lock be taken over? An unreadable lock never is: it names no owner and no time
    (the messages say to remove it by hand once no run is going)."""
    now = time.time() if now is None else now
    ttl = ttl_seconds() if ttl is None else ttl
    if record is None:
        return False
    if record.host == (host or socket.gethostname()) and not alive(record.pid):
        return True
    return now - record.refreshed > ttl


def busy_message(client: str, target: str, record: LockRecord | None, ttl: float | None = None,
                 where: str = "") -> str:
    ttl = ttl_seconds() if ttl is None else ttl
    if record is None:
        # A lock that cannot be read names no owner and no time: it never expires by itself.
        return (f"{client}: target {target} is locked by a lock that cannot be read; wait for any publish of it "
                f"to finish; if none is running, remove {where or 'the target lock'} by hand")
    expires = time.strftime("%H:%M:%S UTC", time.gmtime(record.refreshed + ttl))
    return (f"{client}: target {target} is being published by {record.owner()}; wait for it to finish "
            f"(a lock from a machine that died expires at {expires})")


def machine_lock_store(*parts: str) -> LocalStore:
    """A store on this machine for locks that would otherwise live on a store without
    conditional writes (``lock = "local"``): under $XDG_STATE_HOME/sitekeeper/locks."""
    import hashlib
    from pathlib import Path

    from .store import LocalStore

    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "sitekeeper" / "locks"
    name = hashlib.blake2b("\0".join(parts).encode(), digest_size=8).hexdigest()
    return LocalStore(base / name)


def workspace_lock(ws: Workspace, store: Store, key: str, **kw: Any) -> "Lock":
    """A lock in the workspace state store; with sitekeeper.toml `lock = "local"`, held on this
    machine instead when the store ignores conditional writes."""
    settings = getattr(ws, "settings", None) or {}
    fallback = machine_lock_store(str(settings.get("state", "")), str(ws.root)) if settings.get("lock") == "local" else None
    return Lock(store, key, fallback=fallback, **kw)


class Lock:
    """The lock under ``key`` of ``store``. ``acquire`` -> ``refresh``* -> ``release``."""

    def __init__(self, store: Store, key: str = "lock", *, ttl: float | None = None, host: str | None = None,
                 alive: Callable[[int], bool] = pid_alive, clock: Callable[[], float] = time.time, attempts: int = 5,
                 fallback: Store | None = None):
        self.store, self.key = store, key
        self.fallback = fallback
        """A store on this machine to lock in when ``store`` ignores conditional writes (opted in)."""
        self.degraded = ""
        """Why the lock is only machine-local (for the caller's warning); "" when it is not."""
        self.ttl = ttl_seconds() if ttl is None else ttl
        self.host, self.alive, self.clock, self.attempts = host, alive, clock, attempts
        self.record: LockRecord | None = None
        """Ours, while held."""
        self.took_over: LockRecord | None = None
        """The stale record replaced by ``acquire``, if any (for the caller's warning)."""

    @property
    def held(self) -> bool:
        return self.record is not None

    def acquire(self, record: LockRecord | None = None) -> LockRecord:
        """Take the lock or raise ``LockBusy`` (its ``record`` names the live owner, or None).

        On a store that ignores conditional writes (probed: ``store.conditional_writes()``) two
        runners could both "take" it: refused with the fix, unless a ``fallback`` store on this
        machine was given, which then holds the lock (``degraded`` says so)."""
        mine = record or new_record()
        probe = getattr(self.store, "conditional_writes", None)
        if probe is not None and not self.degraded and not probe():
            where = self.store.describe("")
            if self.fallback is None:
                raise StateError(
                    f"{where} ignores conditional writes (a put with If-None-Match or If-Match overwrites an "
                    "existing object): a lock there cannot keep two runners apart, so nothing was done",
                    "use a store that honours them (AWS S3, MinIO from 2024, Ceph 18, Garage 1.0), or, if only "
                    "this machine ever runs this, set lock = \"local\" (in the [deploy.NAME] table for a target, "
                    "in sitekeeper.toml for the state store): a lock on this machine, with a warning each run")
            self.degraded = (f"{where} ignores conditional writes: locked on this machine only "
                             f"({self.fallback.describe(self.key)}); runs from other machines are not kept out")
            self.store = self.fallback
        for _ in range(self.attempts):
            if self.store.create(self.key, mine.to_bytes()):
                self.record = mine
                return mine
            got = self.store.read(self.key)
            if got is None:
                continue  # released between our two requests: try again
            blob, version = got
            old = parse_record(blob)
            if not stale(old, now=self.clock(), host=self.host, alive=self.alive, ttl=self.ttl):
                raise LockBusy(f"{self.store.describe(self.key)} is held by "
                               f"{old.owner() if old else 'an unreadable lock'}",
                               "wait for it to finish", record=old)
            if self.store.replace_if(self.key, version, mine.to_bytes()):
                self.took_over = old
                self.record = mine
                return mine
        raise StateError(f"could not take the lock {self.store.describe(self.key)}: another holder keeps "
                         "taking it", "wait for it to finish and run again")

    def refresh(self) -> LockRecord:
        """A sign of life; raises ``StateError`` if the lock is no longer ours."""
        if self.record is None:
            raise StateError(f"the lock {self.store.describe(self.key)} is not held", "acquire it first")
        got = self.store.read(self.key)
        current = parse_record(got[0]) if got else None
        if current is None or current.token != self.record.token:
            who = current.owner() if current else "nobody"
            self.record = None
            raise StateError(f"the lock {self.store.describe(self.key)} was lost (it is now held by {who}); "
                             "this run stopped writing", "check that no two runs share the target, then run again")
        fresh = self.record.refreshed_now()
        # A plain atomic write: replace_if on a folder store moves the key aside for a moment,
        # and a refresh must never leave a gap another holder could create a lock in.
        self.store.write(self.key, fresh.to_bytes())
        self.record = fresh
        return fresh

    def release(self) -> None:
        """Remove our lock (not one that someone took over meanwhile). Raises on failure."""
        if self.record is None:
            return
        mine, self.record = self.record, None
        got = self.store.read(self.key)
        if got is None:
            return
        current = parse_record(got[0])
        if current is not None and current.token != mine.token:
            return  # taken over after we went stale: it is theirs now
        self.store.delete(self.key)
