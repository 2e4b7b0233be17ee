"""A target's state in one place: its manifest, journals and lock, done one way for every kind.

Each remote (dir.py, sftp/, ftps/, s3.py) offers ``state_store()``: a small versioned store
(sitekeeper.state.store) over its own state area, with the exclusive create that target
kind offers (``LocalStore`` by link(), ``SftpStore`` by plain SFTP RENAME, ``FtpStore`` by
MKD, ``S3Store`` by conditional puts), or a ``PrefixStore`` in the workspace state store
when nothing can live beside the docroot. Never inside the docroot.

``TargetState`` keeps the manifest (``manifest.json``), the journals (``journal-*.json``,
read in name order), the time of the last full listing (``verified.json``) and the lock (``lock``, whose algorithm is sitekeeper.state.lock) as
keys of that store, so the publish (apply.py) reads and writes them the same way whatever
the target. A remote whose older layout kept its state inside the docroot also has
``old_state`` (an ``OldState``): reads fall back to it until ``move_old_state()`` carries it
out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from ..errors import DeployError
from ..state.keys import target_prefix as store_key_prefix
from ..state.store import Store

if TYPE_CHECKING:
    from ..config.deploy import Target
    from ..report import Reporter

MANIFEST_KEY = "manifest.json"
LOCK_KEY = "lock"
JOURNAL_PREFIX = "journal-"
VERIFIED_KEY = "verified.json"
"""When the target was last listed in full (trusted.py: until when its manifest may stand in for a listing)."""

OLD_STATE = ".sitekeeper"
"""Where earlier versions kept a target's state: inside the docroot, where it was served with the site."""

WorkspaceStore = Callable[[], Store]
"""Opens the workspace state store (sitekeeper.toml `state`) when a target needs it."""


class HasStateStore(Protocol):
    def state_store(self) -> Store: ...


def beside_name(docroot_name: str) -> str:
    """The state folder (or prefix) beside a docroot: ``.sitekeeper-<docroot name>``."""
    return f".sitekeeper-{docroot_name}"


def journals_in(store: Store, names: list[str] | None = None) -> list[tuple[str, bytes]]:
    """(name, content) of the journal-*.json at the top of ``store``, sorted by name.
    ``names``: the keys of the store, when they were just listed."""
    out = []
    for name in (store.list(JOURNAL_PREFIX) if names is None else names):
        if not name.startswith(JOURNAL_PREFIX):
            continue
        if "/" in name or not name.endswith(".json"):
            continue
        got = store.read(name)
        if got is not None:
            out.append((name, got[0]))
    return sorted(out)


class TargetState:
    """The manifest, journals and lock of one target, as keys of its state store.

    ``store`` is called on each use (a remote may open its workspace area only when first
    needed: a read-only user, such as an import, needs none)."""

    def __init__(self, store: Callable[[], Store], old: OldState | None = None):
        self._store = store
        self.old = old

    @classmethod
    def of(cls, remote: HasStateStore) -> TargetState:
        return cls(remote.state_store, getattr(remote, "old_state", None))

    @property
    def store(self) -> Store:
        return self._store()

    def describe(self, key: str) -> str:
        return self.store.describe(key)

    # ---- the manifest
    def read_manifest(self) -> bytes | None:
        got = self.store.read(MANIFEST_KEY)
        blob = got[0] if got else None
        return self.old.manifest(blob) if self.old is not None else blob

    def write_manifest(self, blob: bytes) -> None:
        self.store.write(MANIFEST_KEY, blob)

    def remove_manifest(self) -> None:
        self.store.delete(MANIFEST_KEY)

    # ---- the journals
    def names(self) -> list[str]:
        """The keys at the top of the state area (one listing: journals, lock, verified.json)."""
        return self.store.list()

    def read_journals(self, names: list[str] | None = None) -> list[tuple[str, bytes]]:
        """(name, content) of every journal, sorted by name (``names``: from ``names()``)."""
        got = journals_in(self.store, names)
        return self.old.journals(got) if self.old is not None else got

    def write_journal(self, name: str, blob: bytes) -> None:
        self.store.write(name, blob)

    def remove_journals(self, names: list[str]) -> None:
        store = self.store
        for name in names:
            store.delete(name)

    # ---- the last full listing (trusted.py)
    def read_verified(self) -> bytes | None:
        got = self.store.read(VERIFIED_KEY)
        return got[0] if got else None

    def write_verified(self, blob: bytes) -> None:
        self.store.write(VERIFIED_KEY, blob)

    # ---- the lock blob, for tools and tests (publishes take it with sitekeeper.state.lock)
    def lock_create(self, blob: bytes) -> bool:
        return self.store.create(LOCK_KEY, blob)

    def lock_read(self) -> tuple[bytes | None, str]:
        got = self.store.read(LOCK_KEY)
        return got if got is not None else (None, "")

    def lock_remove(self) -> None:
        self.store.delete(LOCK_KEY)


class LockFile:
    """Direct access to a remote's lock blob (``remote.lock_create(...)``), for tools and tests."""

    def state_store(self) -> Store:  # pragma: no cover - provided by the remote
        raise NotImplementedError

    def lock_create(self, blob: bytes) -> bool:
        return TargetState(self.state_store).lock_create(blob)

    def lock_read(self) -> tuple[bytes | None, str]:
        return TargetState(self.state_store).lock_read()

    def lock_remove(self) -> None:
        TargetState(self.state_store).lock_remove()


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

    def read(self, key: str) -> tuple[bytes, str] | None:
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


def state_in_workspace(opener: WorkspaceStore | None, client: str, target: Target, reporter: Reporter,
                       why: str) -> Store:
    """The target's state area in the workspace store, or an error when there is none to use."""
    if opener is None:
        raise DeployError(f"{client}: target {target.name}: {why}, and no workspace state store is available",
                          "publish from the workspace (sitekeeper publish) so its state store can be used")
    store = PrefixStore(opener(), store_key_prefix(client, target.name))
    if target.state != "store" and not any(k == MANIFEST_KEY or k.startswith(JOURNAL_PREFIX) for k in store.list()):
        # said once: from the next publish on the manifest is there (one listing, not a read of it)
        reporter.warn(f"{client}: target {target.name}: {why}; its manifest, journals and lock are kept in the "
                      f"workspace state store ({store.describe('')}) instead, never inside the docroot. "
                      f"Set state = \"store\" in [deploy.{target.name}] to make this explicit; on CI, use an "
                      "S3 state store (sitekeeper.toml state = \"s3://...\") so every runner sees it")
    return store


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
        have = set(new.list(JOURNAL_PREFIX))
        for name, blob in journals_in(self.store):
            if name not in have:
                new.write(name, blob)
        for key in sorted(keys, key=lambda k: k == LOCK_KEY):  # the lock last
            self.store.delete(key)
        self.present = False


def move_old_state(remote: object) -> None:
    """Move the state an older layout kept inside the docroot out of it (targets that had one)."""
    move = getattr(remote, "move_old_state", None)
    if move is not None:
        move()
