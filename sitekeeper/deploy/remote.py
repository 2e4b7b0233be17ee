"""The ``Remote`` interface every kind of target implements, and what they share.

apply.py drives a Remote; dir.py, sftp/ and s3.py implement it and import only this
module (not apply.py), so the adapters and the order of events do not import each other.

Each remote also exposes ``state_store()``: a small versioned store (sitekeeper.state.store)
over its own ``.sitekeeper`` state area on the target, with the exclusive create that
target kind offers. The lock (sitekeeper.state.lock) runs on that store: it stays on the
target, so two machines publishing one target exclude each other, and its algorithm is
written once.
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

LOCK_KEY = "lock"


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

    def state_store(self) -> Store: ...                      # the target's own .sitekeeper area
    def read_manifest(self) -> bytes | None: ...
    def list_files(self) -> dict[str, RemoteEntry]: ...
    # keep: the unchanged files; resent(item, stamp): one of them had to be sent again (atomic
    # mode without server-side hard links), so the manifest records its new stamp
    def prepare(self, plan: DeployPlan, release: str, keep: list[SendItem], resent: Done | None = None) -> None: ...
    def upload(self, items: list[SendItem], done: Done) -> None: ...
    def delete(self, paths: list[str]) -> None: ...
    def write_manifest(self, blob: bytes) -> None: ...
    def read_journals(self) -> list[tuple[str, bytes]]: ...  # (name, content) of journal-*.json, sorted
    def write_journal(self, name: str, blob: bytes) -> None: ...
    def remove_journals(self, names: list[str]) -> None: ...
    def finish(self, plan: DeployPlan, release: str, uploaded: list[str], deleted: list[str]) -> None: ...
    def close(self) -> None: ...


class LockFile:
    """Direct access to a target's lock blob, for tools and tests (publishes use state.lock)."""

    def state_store(self) -> Store:  # pragma: no cover - provided by the remote
        raise NotImplementedError

    def lock_create(self, blob: bytes) -> bool:
        return self.state_store().create(LOCK_KEY, blob)

    def lock_read(self) -> tuple[bytes | None, str]:
        got = self.state_store().read(LOCK_KEY)
        return got if got is not None else (None, "")

    def lock_remove(self) -> None:
        self.state_store().delete(LOCK_KEY)


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


MANIFEST_KEY = "manifest.json"


class PrefixStore:
    """A view of ``store`` under ``prefix/``: a target's state kept in the workspace state store
    (``state = "store"``, or when nothing can live beside the docroot)."""

    def __init__(self, store: Store, prefix: str):
        self.inner, self.prefix = store, prefix.strip("/") + "/"
        probe = getattr(store, "conditional_writes", None)
        if probe is not None:
            # The lock's probe: whether the store under the view keeps two runners apart.
            self.conditional_writes = probe

    def _k(self, key: str) -> str:
        return self.prefix + key

    def describe(self, key: str) -> str:
        return self.inner.describe(self._k(key))

    def read(self, key: str):
        return self.inner.read(self._k(key))

    def create(self, key: str, data: bytes) -> bool:
        return self.inner.create(self._k(key), data)

    def replace_if(self, key: str, version: str, data: bytes) -> bool:
        return self.inner.replace_if(self._k(key), version, data)

    def write(self, key: str, data: bytes) -> None:
        self.inner.write(self._k(key), data)

    def delete(self, key: str) -> None:
        self.inner.delete(self._k(key))

    def list(self, prefix: str = "") -> list[str]:
        return [k[len(self.prefix):] for k in self.inner.list(self.prefix + prefix)]


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


def store_key_prefix(client: str, target_name: str) -> str:
    """Where a target's state lives in the workspace store."""
    return f"targets/{client}/{target_name}"


class StoreState:
    """Manifest and journals as keys of ``self.store`` (a Store): for targets whose state
    area is a Store rather than files the adapter writes itself."""

    store: Store

    def state_store(self) -> Store:
        return self.store

    def read_manifest(self) -> bytes | None:
        got = self.store.read(MANIFEST_KEY)
        return got[0] if got else None

    def write_manifest(self, blob: bytes) -> None:
        self.store.write(MANIFEST_KEY, blob)

    def read_journals(self) -> list[tuple[str, bytes]]:
        return journals_in(self.store)

    def write_journal(self, name: str, blob: bytes) -> None:
        self.store.write(name, blob)

    def remove_journals(self, names: list[str]) -> None:
        for name in names:
            self.store.delete(name)


def journals_in(store: Store) -> list[tuple[str, bytes]]:
    """(name, content) of the journal-*.json at the top of ``store``, sorted by name."""
    out = []
    for name in store.list("journal-"):
        if "/" in name or not name.endswith(".json"):
            continue
        got = store.read(name)
        if got is not None:
            out.append((name, got[0]))
    return sorted(out)


OLD_STATE = ".sitekeeper"
"""Where earlier versions kept a target's state: inside the docroot, where it was served with the site."""


def beside_name(docroot_name: str) -> str:
    """The state folder (or prefix) beside a docroot: ``.sitekeeper-<docroot name>``."""
    return f".sitekeeper-{docroot_name}"


class OldState:
    """A target's state as an older layout kept it inside the docroot (``<docroot>/.sitekeeper/``).

    Until it is moved, reads fall back to it (a dry run over the old layout plans what the real
    publish will do); ``move_to`` carries the manifest and journals to the new place and
    removes every key of it, so the first publish after the upgrade sends nothing new."""

    def __init__(self, store: Store, present: bool):
        self.store = store
        self.present = present
        """Whether anything is there (checked once, when the target is opened)."""

    def manifest(self, current: bytes | None) -> bytes | None:
        if current is not None or not self.present:
            return current
        got = self.store.read(MANIFEST_KEY)
        return got[0] if got else None

    def journals(self, current: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        if not self.present:
            return current
        have = {name for name, _ in current}
        return sorted(current + [j for j in journals_in(self.store) if j[0] not in have])

    def check_unlocked(self, client: str, target_name: str) -> None:
        """An older sitekeeper publishing right now holds the old lock: then leave its state alone."""
        from ..state.lock import busy_message, parse_record, stale

        got = self.store.read(LOCK_KEY)
        if got is None:
            return
        record = parse_record(got[0])
        if record is not None and not stale(record):
            raise DeployError(busy_message(client, target_name, record) + " (with an older sitekeeper)")

    def move_to(self, new: Store) -> None:
        """Copy what the new place lacks, then delete the old keys (copying again is harmless,
        so a move cut short is finished by the next publish)."""
        keys = self.store.list()
        if new.read(MANIFEST_KEY) is None:
            got = self.store.read(MANIFEST_KEY)
            if got is not None:
                new.write(MANIFEST_KEY, got[0])
        have = set(new.list("journal-"))
        for name, blob in journals_in(self.store):
            if name not in have:
                new.write(name, blob)
        for key in sorted(keys, key=lambda k: k == LOCK_KEY):  # the lock last
            self.store.delete(key)
        self.present = False


def move_old_state(remote: "Remote") -> None:
    """Move the state an older layout kept inside the docroot out of it (targets that had one)."""
    move = getattr(remote, "move_old_state", None)
    if move is not None:
        move()


WorkspaceStore = Callable[[], Store]
"""Opens the workspace state store (sitekeeper.toml `state`) when a target needs it."""


def state_in_workspace(opener: "WorkspaceStore | None", client: str, target, reporter, why: str) -> Store:
    """The target's state area in the workspace store, or an error when there is none to use."""
    if opener is None:
        raise DeployError(f"{client}: target {target.name}: {why}, and no workspace state store is available",
                          "publish from the workspace (sitekeeper publish) so its state store can be used")
    store = PrefixStore(opener(), store_key_prefix(client, target.name))
    if target.state != "store" and not any(k == MANIFEST_KEY or k.startswith("journal-") for k in store.list()):
        # said once: from the next publish on the manifest is there (one listing, not a read of it)
        reporter.warn(f"{client}: target {target.name}: {why}; its manifest, journals and lock are kept in the "
                      f"workspace state store ({store.describe('')}) instead, never inside the docroot. "
                      f"Set state = \"store\" in [deploy.{target.name}] to make this explicit; on CI, use an "
                      "S3 state store (sitekeeper.toml state = \"s3://...\") so every runner sees it")
    return store
