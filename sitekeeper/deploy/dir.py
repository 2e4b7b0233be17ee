"""The dir: target: a local folder, written like a remote one.

The folder holds exactly the site: what sitekeeper keeps for it (manifest, journals, lock,
temporary files) lives beside it, in ``.sitekeeper-<folder name>/`` (a web server pointed at
the folder never serves it). Each file is written under that sibling's ``tmp/`` and moved
into place with ``os.replace`` (atomic on one filesystem; a folder on a disk of its own gets
a ``.sitekeeper-tmp/`` inside it instead, only while files are on their way). Where nothing
can be created beside the folder (or with ``state = "store"``) the state goes to the
workspace state store. An older layout's ``<folder>/.sitekeeper/`` is moved out on the first
publish. Each file is written by sitekeeper.fsutil (a unique temporary name in that
``tmp/``). The state area is a ``LocalStore`` (exclusive create by link()); every OSError
becomes a DeployError naming the target and the fix.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

from ..errors import DeployError
from ..fsutil import atomic_write_chunks, temp_owner
from ..report import Reporter
from ..state.lock import pid_alive
from ..state.store import LocalStore, Store
from . import faults
from .plan import RemoteEntry, is_private
from .remote import SendItem, hashing_reader
from .target_state import OLD_STATE, LockFile, OldState, WorkspaceStore, beside_name, state_in_workspace

INSIDE_TMP = ".sitekeeper-tmp"
"""Temporary files inside the folder, when the sibling is on another filesystem or absent."""


def _writable_from(path: Path) -> bool:
    """Could this account create ``path``? (Its first existing ancestor is writable.)"""
    place = path
    while not place.exists() and place != place.parent:
        place = place.parent
    return place.is_dir() and os.access(place, os.W_OK | os.X_OK)


class DirRemote(LockFile):
    def __init__(self, target, client: str, reporter: Reporter | None = None,
                 workspace_store: WorkspaceStore | None = None):
        self.target, self.client = target, client
        self.reporter = reporter or Reporter()
        self.workspace_store = workspace_store
        self.root = Path(os.path.abspath(target.path))
        # Nothing is created before the first write (a dry run writes nothing), but a target
        # that could never be created is reported now, before anything is planned.
        place = self.root
        while not place.exists() and place != place.parent:
            place = place.parent
        if not place.is_dir():
            raise DeployError(f"{client}: cannot create the target folder {self.root} for {target.name}: "
                              f"{place} is a file; point url at a folder")
        label = f"{client}: target {target.name}"
        self.why = self._why_not_beside()
        self._store: Store | None = None
        if self.why:
            self.state = None
            self.tmp = self.root / INSIDE_TMP
        else:
            self.state = self.root.parent / beside_name(self.root.name)
            self.tmp = self.state / "tmp"
            self._store = LocalStore(self.state, tmp=self.tmp, error=DeployError, label=label)
        old = self.root / OLD_STATE
        self.old_path = old
        self.old_state = OldState(LocalStore(old, tmp=old / "tmp", error=DeployError, label=label),
                                  old.is_dir() and not old.is_symlink())
        self._prepared = False

    def _why_not_beside(self) -> str:
        """Why the state cannot live beside the folder ("" when it can)."""
        if self.target.state == "store":
            return 'state = "store"'
        if not self.root.name:
            return f"{self.root} is the root of the filesystem"
        beside = self.root.parent / beside_name(self.root.name)
        if beside.is_dir() or _writable_from(beside):
            return ""
        return f"this account may not create {beside} beside the folder"

    def state_store(self) -> Store:
        if self._store is None:  # opened on first use: a read-only user (an import) needs none
            self._store = state_in_workspace(self.workspace_store, self.client, self.target, self.reporter, self.why)
        return self._store

    def _ensure_state(self) -> None:
        """Create the target and its state folder, on the first write (a dry run writes nothing)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeployError(f"{self.client}: cannot create the target folder {self.root} for {self.target.name}: "
                              f"{exc.strerror}; fix its permissions or point url at a writable folder") from exc

    def _fail(self, what: str, exc: OSError) -> NoReturn:
        raise DeployError(f"{self.client}: {what} on target {self.target.name} ({self.root}): {exc.strerror or exc}; "
                          "check the folder's permissions and free space") from exc

    # ---- state (read falling back to an older layout's, until it is moved: target_state.py)
    def move_old_state(self) -> None:
        """Take ``<folder>/.sitekeeper/`` (an older layout) out of the folder."""
        old = self.old_state
        if not old.present:
            return
        old.check_unlocked(self.client, self.target.name)
        self._ensure_state()
        old.move_to(self.state_store())
        try:
            shutil.rmtree(self.old_path)  # what is left: its temporary files
        except FileNotFoundError:
            pass
        except OSError as exc:
            self._fail(f"cannot remove the old state folder {self.old_path}", exc)
        self.reporter.info(f"{self.client}: target {self.target.name}: moved its state out of the folder "
                           f"({self.old_path} -> {self.state_store().describe('')}); the folder now holds only the site")

    def list_files(self) -> dict[str, RemoteEntry]:
        try:
            return self._list_files()
        except OSError as exc:
            self._fail("cannot list the files", exc)

    def _list_files(self) -> dict[str, RemoteEntry]:
        out = {}

        def unreadable(exc: OSError):
            if not isinstance(exc, FileNotFoundError):  # no folder yet: nothing there
                raise exc

        for dirpath, dirnames, filenames in os.walk(self.root, onerror=unreadable):
            rel_dir = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir
            if not rel_dir:
                dirnames[:] = [d for d in dirnames if not d.startswith(".sitekeeper")]
            for name in filenames:
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if is_private(rel):
                    continue
                st = os.lstat(os.path.join(dirpath, name))
                out[rel] = RemoteEntry(st.st_size, str(st.st_mtime_ns))
        return out

    # ---- changes
    def prepare(self, plan, release, keep=(), resent=None) -> None:
        self._ensure_state()
        self._prepared = True
        try:
            if self.state is not None and os.stat(self.tmp).st_dev != os.stat(self.root).st_dev:
                # os.replace cannot cross filesystems: stage inside the folder, only while uploading
                self.tmp = self.root / INSIDE_TMP
                self.tmp.mkdir(exist_ok=True)
            for leftover in self.tmp.iterdir():  # temporary files of a run that was killed
                owner = temp_owner(leftover)
                if owner is not None and owner != os.getpid() and pid_alive(owner):
                    continue  # another run's, on its way into the state store (a lock it tries to take)
                leftover.unlink(missing_ok=True)
        except OSError as exc:
            self._fail("cannot clean the temporary folder", exc)

    def upload(self, items: list[SendItem], done) -> None:
        for item in items:
            final = self.root / item.upload.path

            def not_a_folder(final: Path = final, item: SendItem = item) -> None:
                if final.is_dir():
                    raise DeployError(f"{self.client}: {item.upload.path} is a folder on target {self.target.name}; "
                                      "remove it by hand, then publish again")

            try:
                # No fsync: a file lost to a power cut is listed with another size or time than the
                # manifest's, so the next publish sends it again (a changed file at the target).
                atomic_write_chunks(final, self._chunks(item), fsync=False, tmp_dir=self.tmp,
                                    before_rename=not_a_folder)
                st = os.stat(final)
            except OSError as exc:
                self._fail(f"cannot write {item.upload.path}", exc)
            done(item, str(st.st_mtime_ns))

    def _chunks(self, item: SendItem):
        for i, block in enumerate(hashing_reader(item.source, item.sha256, self.client)):
            yield block
            if i == 0:
                faults.hit("mid-upload")  # the first block is written

    def delete(self, paths: list[str]) -> None:
        for path in paths:
            final = self.root / path
            try:
                final.unlink(missing_ok=True)
            except OSError as exc:
                self._fail(f"cannot delete {path}", exc)
            parent = final.parent
            while parent != self.root:
                try:
                    parent.rmdir()  # only succeeds when empty
                except OSError:
                    break
                parent = parent.parent

    def finish(self, plan, release, uploaded, deleted) -> None:
        pass

    def close(self) -> None:
        inside = self.root / INSIDE_TMP
        if self._prepared and self.tmp == inside:
            shutil.rmtree(inside, ignore_errors=True)  # the folder keeps only the site
