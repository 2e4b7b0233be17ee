"""``FtpStore``: the target's state folder over FTP as a Store (sitekeeper.state.store)."""
from __future__ import annotations

import ftplib
import posixpath
import time
import uuid
from typing import Any, Protocol

from ...errors import DeployError
from ...state.store import content_version, valid_key
from .listing import _list_time, _older_than


class Requests(Protocol):
    """What the store asks of the remote (remote.FtpRemote): its connection and small requests."""

    target: Any

    @property
    def conn(self) -> Any: ...
    def _err(self, message: str, fix: str) -> Exception: ...
    def _stat(self, path: str) -> tuple[str, int, str] | None: ...
    def _read(self, path: str) -> bytes | None: ...
    def _remove(self, path: str) -> None: ...
    def _write_small(self, final: str, blob: bytes) -> None: ...
    def _entries(self, folder: str) -> list[tuple[str, str, int, str]]: ...
    def _list_lines(self, folder: str) -> list[str]: ...


CLAIM_STALE_SECONDS = 120
"""A claim folder without its key older than this: a create that was killed halfway."""
CLAIM_WAIT_SECONDS = 5.0
"""How long a create in progress (a few round trips) may take before its claim is judged."""


class FtpStore:
    """The target's state folder over FTP as a Store (sitekeeper.state.store), for the lock.

    FTP has no exclusive create, but MKD fails when the folder exists: ``create(key)`` first
    makes ``<key>.claim/`` (of two racers only one succeeds), then writes the blob under a
    temporary name and renames it into place; ``delete`` removes both. A claim without its
    key is a create that was killed halfway, taken back after ``CLAIM_STALE_SECONDS`` (its
    age from MLST, else from the LIST line: minutes, which is enough for that).
    ``replace_if`` moves the blob aside (one RNFR/RNTO: of two racers only one gets it) and
    checks it is the version judged."""

    def __init__(self, remote: Requests, folder: str):
        self.r, self.folder = remote, folder

    def describe(self, key: str) -> str:
        return f"{self.r.target.kind}://{self.r.target.host}{posixpath.join(self.folder, key)}"

    def _path(self, key: str) -> str:
        return posixpath.join(self.folder, valid_key(key))

    def read(self, key: str):
        blob = self.r._read(self._path(key))
        return (blob, content_version(blob)) if blob is not None else None

    def create(self, key: str, data: bytes) -> bool:
        final = self._path(key)
        claim = final + ".claim"
        deadline = time.monotonic() + CLAIM_WAIT_SECONDS
        for _ in range(3):
            try:
                self.r.conn.mkd(claim)
                break
            except ftplib.error_perm:
                # claimed: the key is there, or another create is writing it (wait for it, so the
                # caller can read who holds it), or a create was killed halfway (stale claim)
                while True:
                    if self.r._stat(final) is not None:
                        return False
                    st = self.r._stat(claim)
                    if st is None or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
                if st is None:
                    continue
                if not _older_than(st[2] or self._listed_modify(claim), CLAIM_STALE_SECONDS):
                    return False
                try:
                    self.r.conn.rmd(claim)
                except ftplib.Error:
                    return False
            except (OSError, EOFError, ftplib.Error) as exc:
                raise self.r._err(f"creating {final} failed ({exc})", "check the server") from exc
        else:
            return False
        self.r._write_small(final, data)
        return True

    def _listed_modify(self, path: str) -> str:
        """The time a LIST line gives ``path`` (servers without MLST), as MLST writes it; ''
        when the listing does not say."""
        try:
            lines = self.r._list_lines(posixpath.dirname(path))
        except DeployError:
            return ""
        name = posixpath.basename(path)
        for line in lines:
            parts = line.split(None, 8)
            if len(parts) == 9 and parts[8] == name:
                return _list_time(parts[5:8], time.time())
        return ""

    def replace_if(self, key: str, version: str, data: bytes) -> bool:
        final = self._path(key)
        aside = f"{final}.stale-{uuid.uuid4().hex}"
        try:
            self.r.conn.rename(final, aside)
        except (ftplib.Error, OSError):
            return False
        moved = self.r._read(aside) or b""
        if content_version(moved) != version:
            if self.r._stat(final) is None:
                try:
                    self.r.conn.rename(aside, final)
                except (ftplib.Error, OSError):
                    pass
            return False
        self.r._remove(aside)
        self.r._write_small(final, data)  # the claim folder is still ours
        return True

    def write(self, key: str, data: bytes) -> None:
        self.r._write_small(self._path(key), data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        self.r._remove(path)
        try:
            self.r.conn.rmd(path + ".claim")
        except ftplib.Error:
            pass

    def list(self, prefix: str = "") -> list[str]:
        names = [n for n, kind, _, _ in self.r._entries(self.folder) if kind == "file"]
        return sorted(n for n in names if n.startswith(prefix) and ".stale-" not in n)
