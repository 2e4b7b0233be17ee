"""The publish lock: one publish of a target at a time.

Each target stores a small JSON lock object next to its manifest, created with exclusive
semantics (O_EXCL on dir:, SFTP's EXCL open flag, ``IfNoneMatch='*'`` on S3). A lock whose
owner is gone can be taken over:

- same hostname and the pid is not running: the owner died on this machine -> at once;
- another machine: only once ``refreshed`` is older than the TTL (the owner refreshes it at
  every manifest checkpoint), and the message names the owner meanwhile.
"""
from __future__ import annotations

import getpass
import json
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass

TTL_SECONDS = float(os.environ.get("SITEKEEPER_LOCK_TTL", "600"))


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
          alive=pid_alive, ttl: float | None = None) -> bool:
    """May this lock be taken over? An unreadable lock counts as stale after the TTL only."""
    now = time.time() if now is None else now
    ttl = TTL_SECONDS if ttl is None else ttl
    if record is None:
        return False
    if record.host == (host or socket.gethostname()) and not alive(record.pid):
        return True
    return now - record.refreshed > ttl


def busy_message(client: str, target: str, record: LockRecord | None, ttl: float | None = None) -> str:
    ttl = TTL_SECONDS if ttl is None else ttl
    if record is None:
        return (f"{client}: target {target} is locked by another publish (unreadable lock); "
                f"wait for it to finish, or retry after {int(ttl)} s when the lock expires")
    expires = time.strftime("%H:%M:%S UTC", time.gmtime(record.refreshed + ttl))
    return (f"{client}: target {target} is being published by {record.owner()}; wait for it to finish "
            f"(a lock from a machine that died expires at {expires})")
