"""The ``Remote`` interface every kind of target implements, and what they share.

apply.py drives a Remote; dir.py, sftp/, ftps/ and s3.py implement it and import only this
module and target_state.py (not apply.py), so the adapters and the order of events do not import each other.

A Remote does file operations only, plus ``state_store()``: the store over its state area,
on which target_state.py keeps the manifest, journals and lock the same way for every kind.
"""
from __future__ import annotations

import posixpath

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Protocol

from ..errors import DeployError
from ..state.store import Store
from .plan import DeployPlan, RemoteEntry, Upload


class TargetFull(DeployError):
    """The target's disk or quota is full (the publish may finish with --deletes-first)."""


@dataclass(frozen=True)
class SendItem:
    upload: Upload
    """What and why."""
    source: Path
    """The local file."""
    sha256: str
    """The hash the plan was made with; the bytes sent are hashed again and must match."""
    headers: Mapping[str, str] | None
    """Content-Type/Cache-Control for targets that serve headers (S3), else None."""


Done = Callable[[SendItem, str], None]
"""Called once per file that is at its final name, with the target's stamp of it."""


class Remote(Protocol):
    """One kind of target. Methods raise DeployError with the client, target and fix."""

    def state_store(self) -> Store: ...  # its state area (target_state.py keeps manifest, journals, lock there)
    def list_files(self) -> dict[str, RemoteEntry]: ...
    # keep: the unchanged files; resent(item, stamp): one of them had to be sent again (atomic
    # mode without server-side hard links), so the manifest records its new stamp
    def prepare(self, plan: DeployPlan, release: str, keep: list[SendItem], resent: Done | None = None) -> None: ...
    def upload(self, items: list[SendItem], done: Done) -> None: ...
    def delete(self, paths: list[str]) -> None: ...
    def finish(self, plan: DeployPlan, release: str, uploaded: list[str], deleted: list[str]) -> None: ...
    def close(self) -> None: ...


def hashing_reader(source: Path, expected: str, client: str, chunk: int = 1 << 20):
    """Yield the chunks of ``source``; raise if its bytes are not the ones planned."""
    h = hashlib.sha256()
    try:
        fh = open(source, "rb")
    except OSError as exc:
        raise DeployError(f"{client}: cannot read {source} ({exc.strerror or exc})",
                          "run publish again once the build is done") from exc
    with fh:
        while True:
            try:
                block = fh.read(chunk)
            except OSError as exc:
                raise DeployError(f"{client}: cannot read {source} ({exc.strerror or exc})",
                                  "run publish again once the build is done") from exc
            if not block:
                break
            h.update(block)
            yield block
    if h.hexdigest() != expected:
        raise DeployError(f"{client}: {source} changed while publishing; run publish again once the build is done")


def spoken_protocol(host: str, port: int, timeout: float = 3.0) -> str | None:
    """What the server at host:port answers like ("FTP", "HTTP", "SMTP", ...), read from its
    greeting (or its reply to a blank line), for messages when it is not the protocol the url names."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            try:
                data = sock.recv(256)
            except socket.timeout:
                data = b""
            if not data:  # servers that wait for the client to speak first (HTTP, TLS)
                sock.sendall(b"\r\n\r\n")
                data = sock.recv(256)
    except OSError:
        return None
    return protocol_of_greeting(data)


def protocol_of_greeting(data: bytes) -> str | None:
    text = data[:256].decode("latin-1")
    upper = text.upper()
    if text.startswith("SSH-"):
        return "SSH"
    if upper.startswith("HTTP/") or "<HTML" in upper:
        return "HTTP"
    if text.startswith("220") and ("SMTP" in upper or "MAIL" in upper):
        return "SMTP"
    if text.startswith("220"):
        return "FTP"
    if text.startswith("* OK"):
        return "IMAP"
    if text.startswith("+OK"):
        return "POP3"
    if data[:1] == b"\x15":  # a TLS alert: a TLS-only service (HTTPS, implicit FTPS, SMTPS)
        return "TLS"
    return None


def missing_folders(path: str, known) -> list[str]:
    """The folders from the first one not in ``known`` down to ``path``, to create in order."""
    parts = []
    while path not in ("", "/") and path not in known:
        parts.append(path)
        path = posixpath.dirname(path)
    return parts[::-1]


def emptied_folders(paths) -> list[str]:
    """Every folder above ``paths`` (relative), deepest first: those a delete may leave empty."""
    folders = set()
    for path in paths:
        parent = posixpath.dirname(path)
        while parent:
            folders.add(parent)
            parent = posixpath.dirname(parent)
    return sorted(folders, key=lambda f: -f.count("/"))
