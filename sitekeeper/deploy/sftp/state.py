"""Where an SFTP target keeps its state, and the state itself: manifest, journals, lock.

``locate`` finds the docroot and the state folder ``.sitekeeper-<name>`` beside it, when the
account may create it there (with ``tmp/`` for files on their way and, in atomic mode,
``releases/``). Never inside the docroot: when the account cannot write beside it (a chrooted
account) or ``state = "store"``, the manifest, journals and lock go to the workspace state
store, and temporary files to ``<docroot>/.sitekeeper-tmp/``, which exists only while files
are on their way. A docroot on a disk of its own (a mount) gets the same in-docroot
temporary folder, since a rename cannot cross disks.

``SftpStore`` is the state folder as a Store, on which target_state.py keeps the manifest,
journals and lock (as it keeps them in the workspace store's area when the state is there).
"""
from __future__ import annotations

import errno
import posixpath
import stat as statmod
import uuid
from dataclasses import dataclass

from ...config.deploy import Target
from ...report import Reporter
from ...state.store import Store, content_version, valid_key
from ..target_state import WorkspaceStore, state_in_workspace
from .session import Session, statvfs

@dataclass(frozen=True)
class Layout:
    """The folders of one SFTP target, found once per publish."""

    root: str
    """The docroot (in atomic mode: the symlink to the live release)."""
    atomic: bool
    """``mode = "atomic"``: releases/<id> and a switched symlink."""
    state: str
    """The state folder beside the docroot (or the in-docroot temporary folder, when the state
    is in the workspace store)."""
    tmp: str
    """Where uploads wait for their rename (inside the docroot when it is a disk of its own)."""
    state_tmp: str
    """Where the state's own files wait for their rename."""
    releases: str = ""
    """``<state>/releases`` (made and used in atomic mode); "" when the state is in the workspace."""
    workspace: Store | None = None
    """The workspace state store's area, when the state cannot be on the target."""

    def in_root(self, path: str) -> bool:
        return path.startswith(self.root.rstrip("/") + "/")


def locate(session: Session, target: Target, client: str, reporter: Reporter,
           workspace_store: WorkspaceStore | None) -> Layout:
    """Find the docroot and the state folder (outside the docroot where allowed)."""
    root, atomic = _docroot(session, target)
    parent, base = posixpath.split(root)
    if atomic and session.lstat(parent) is None:
        session.makedirs(session.sftp, parent)
    sibling = posixpath.join(parent, f".sitekeeper-{base}")
    state, why = _state_beside(session, target, sibling, atomic, root)
    if state is None:
        # Never inside the docroot: the state goes to the workspace store, and temporary
        # files to a folder that exists only while files are on their way.
        ws_store = state_in_workspace(workspace_store, client, target, reporter, why)
        tmp = posixpath.join(root, ".sitekeeper-tmp")
        session.mkdir_once(tmp)
        return Layout(root, atomic, tmp, tmp, tmp, workspace=ws_store)
    tmp = state_tmp = posixpath.join(state, "tmp")
    releases = posixpath.join(state, "releases")
    for folder in (tmp,) + ((releases,) if atomic else ()):
        session.mkdir_once(folder)
    if not atomic:
        # A docroot on a disk of its own (a mount) cannot take a rename from the folder
        # beside it: the temporary files go into the docroot then, under a .sitekeeper
        # name, in a folder that exists only while files are on their way.
        here, there = statvfs(session.sftp, tmp), statvfs(session.sftp, root)
        if here and there and here.fsid != there.fsid:
            tmp = posixpath.join(root, ".sitekeeper-tmp")  # the state's files: state_tmp
            session.mkdir_once(tmp)
    return Layout(root, atomic, state, tmp, state_tmp, releases)


def _docroot(session: Session, target: Target) -> tuple[str, bool]:
    """The docroot's path (``/~/`` is the login folder), made when missing (in-place mode)."""
    path = target.path
    if path.startswith("/~/"):
        path = posixpath.join(session.sftp.normalize("."), path[3:])
    root = session.root = path.rstrip("/") or "/"
    atomic = target.mode == "atomic"
    st = session.lstat(root)
    if st is None and not atomic:
        session.makedirs(session.sftp, root)
    elif st is not None and not atomic and statmod.S_ISREG(st.st_mode):
        raise session.err(f"{root} is a file, not a folder", "point the url at the docroot folder")
    return root, atomic


def _state_beside(session: Session, target: Target, sibling: str, atomic: bool, root: str) -> tuple[str | None, str]:
    """(the state folder beside the docroot, or None; why not)."""
    if target.state == "store":
        if atomic:
            raise session.err("mode = \"atomic\" keeps its releases beside the docroot and cannot use state = \"store\"",
                              "remove state = \"store\", or use mode = \"in-place\"")
        return None, "state = \"store\""
    try:
        if session.lstat(sibling) is None:
            session.sftp.mkdir(sibling)
        return sibling, ""
    except OSError as exc:
        made = session.lstat(sibling)  # by another publish, meanwhile?
        if made is not None and statmod.S_ISDIR(made.st_mode):
            return sibling, ""
        why = f"this account may not create {sibling} beside the docroot"
        if atomic:
            raise session.err(
                f"mode = \"atomic\" keeps its releases beside the docroot, and {why} "
                f"(a chrooted account, as shared hosts give, cannot write to {posixpath.dirname(root)})",
                "use mode = \"in-place\" (each file still switches atomically, and the state goes to the "
                "workspace state store); or, if the hosting panel lets you choose the site's document "
                f"root, point it at a folder below {root} and the url at that folder") from exc
        return None, why


def write_small(session: Session, layout: Layout, final: str, blob: bytes) -> None:
    """Write ``blob`` whole to a temporary name, then rename it to ``final``."""
    tmp = posixpath.join(layout.tmp if layout.in_root(final) else layout.state_tmp, f"{uuid.uuid4().hex}.part")
    try:
        with session.sftp.open(tmp, "wb") as fh:
            fh.set_pipelined(True)
            fh.write(blob)
        session.rename(session.sftp, tmp, final)
    except OSError as exc:
        raise session.io(exc, f"writing {final}") from exc


class SftpStore:
    """The remote's state folder as a Store (sitekeeper.state.store): manifest, journals, lock.

    ``create`` writes the blob whole to a fresh temporary name (SFTP open with CREAT|EXCL)
    and renames it with plain SFTP RENAME, which, unlike posix-rename, fails when the key
    exists: exclusive, and a reader never sees an empty lock. ``replace_if`` moves the old
    blob aside (one rename: of two racers only one gets it), checks it is the version judged
    (its sha256), and creates the new one exclusively."""

    def __init__(self, session: Session, layout: Layout):
        self.s, self.layout = session, layout
        self.folder = layout.state

    def describe(self, key: str) -> str:
        return posixpath.join(self.folder, key)

    def _path(self, key: str) -> str:
        return posixpath.join(self.folder, valid_key(key))

    def read(self, key: str) -> tuple[bytes, str] | None:
        blob = self.s.read(self._path(key))
        return (blob, content_version(blob)) if blob is not None else None

    def create(self, key: str, data: bytes) -> bool:
        s, final = self.s, self._path(key)
        tmp = posixpath.join(self.folder, f"{posixpath.basename(final)}.tmp-{uuid.uuid4().hex}")
        try:
            with s.sftp.open(tmp, "wx") as fh:
                fh.write(data)
        except OSError as exc:
            raise s.io(exc, f"creating {final}") from exc
        try:
            s.sftp.rename(tmp, final)
            return True
        except OSError as exc:
            try:
                s.sftp.remove(tmp)
            except OSError:
                pass
            if s.lstat(final) is not None:
                return False
            raise s.io(exc, f"creating {final}") from exc

    def replace_if(self, key: str, version: str, data: bytes) -> bool:
        s, final = self.s, self._path(key)
        aside = f"{final}.stale-{uuid.uuid4().hex}"
        try:
            s.sftp.rename(final, aside)
        except OSError:
            return False  # gone, or moved aside by a racer
        moved = s.read(aside) or b""
        if content_version(moved) != version:
            try:
                s.sftp.rename(aside, final)  # plain rename: never overwrites a newer one
            except OSError:
                pass
            return False
        try:
            s.sftp.remove(aside)
        except OSError as exc:
            raise s.io(exc, f"removing {aside}") from exc
        return self.create(key, data)

    def write(self, key: str, data: bytes) -> None:
        write_small(self.s, self.layout, self._path(key), data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            self.s.sftp.remove(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if getattr(exc, "errno", None) != errno.ENOENT:
                raise self.s.io(exc, f"removing {path}") from exc

    def list(self, prefix: str = "") -> list[str]:
        try:
            names = self.s.sftp.listdir(self.folder)
        except OSError as exc:
            raise self.s.io(exc, f"listing {self.folder}") from exc
        return sorted(n for n in names if n.startswith(prefix) and ".tmp-" not in n and ".stale-" not in n)
