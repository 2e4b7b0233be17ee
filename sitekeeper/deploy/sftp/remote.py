"""``SftpRemote``: the sftp:// target as a ``Remote`` (sitekeeper.deploy.remote), the face of
the rooms beside it. It holds no protocol of its own: it opens the session (session.py,
connect.py), finds the docroot and the state (state.py), and hands each step of a publish to
the room that does it: the listing (listing.py), the pipelined uploads (pipeline.py), the
release folders and the switched symlink of ``mode = "atomic"`` (releases.py).
"""
from __future__ import annotations

import errno
import posixpath
import stat as statmod
from typing import Sequence

import paramiko

from ...config.deploy import Target
from ...report import Reporter
from ...state.store import Store
from ..plan import DeployPlan, RemoteEntry
from ..remote import Done, SendItem, emptied_folders
from ..target_state import LockFile, TargetState, WorkspaceStore
from .listing import list_files
from .pipeline import Sender
from .releases import Releases
from .session import Session
from .state import SftpStore, locate


class SftpRemote(LockFile):
    def __init__(self, target: Target, client: str, reporter: Reporter,
                 workspace_store: WorkspaceStore | None = None):
        self.target, self.client, self.reporter = target, client, reporter
        self.name = target.name
        self.always_compact = target.mode == "atomic"  # each release keeps a whole manifest
        self._release_dir = ""
        self.session = Session(target, client)
        try:
            self.layout = locate(self.session, target, client, reporter, workspace_store)
        except BaseException:
            self.session.transport.close()
            raise
        self.root, self.atomic = self.layout.root, self.layout.atomic
        self.ws_store = self.layout.workspace
        """The workspace state store's area, when the state cannot be on the target."""
        self._store: Store = self.ws_store if self.ws_store is not None else SftpStore(self.session, self.layout)
        self._releases = Releases(self.session, self.layout, TargetState(self.state_store))
        self._sender = Sender(self.session, self.layout.tmp, self._final)

    @property
    def sftp(self) -> paramiko.SFTPClient:
        """The main SFTP channel."""
        return self.session.sftp

    @property
    def _posix_rename(self) -> bool:
        return self.session.posix_rename

    @_posix_rename.setter
    def _posix_rename(self, value: bool) -> None:  # tests play a server without posix-rename
        self.session.posix_rename = value

    # ---------------------------------------------------------------- state

    def state_store(self) -> Store:
        """The state folder beside the docroot, or the workspace store's area (target_state.py)."""
        return self._store

    # ---------------------------------------------------------------- files

    def list_files(self) -> dict[str, RemoteEntry]:
        """Walk the docroot (the live release in atomic mode), a few folders at a time."""
        return list_files(self.session, self.root)

    def stat_files(self, paths: Sequence[str]) -> dict[str, RemoteEntry | None]:
        """Size and stamp (mtime) of single files of the docroot, one LSTAT each (trusted.py)."""
        out: dict[str, RemoteEntry | None] = {}
        for path in paths:
            attr = self.session.lstat(posixpath.join(self.root, path))
            regular = attr is not None and statmod.S_ISREG(attr.st_mode or 0)
            out[path] = RemoteEntry(attr.st_size or 0, str(attr.st_mtime or "")) if attr is not None and regular else None
        return out

    def known_folders(self, listing) -> None:
        """The folders holding the files of a trusted listing exist: uploads create none of them."""
        folders = set()
        for rel in listing:
            folder = posixpath.dirname(rel)
            while folder and folder not in folders:
                folders.add(folder)
                folder = posixpath.dirname(folder)
        with self.session.dirs_lock:
            self.session.dirs.add(self.root)
            self.session.dirs.update(posixpath.join(self.root, f) for f in folders)

    def prepare(self, plan: DeployPlan, release: str, keep: Sequence[SendItem] = (),
                resent: Done | None = None) -> None:
        self._clean_tmp()
        if not self.atomic:
            return
        self._release_dir = posixpath.join(self.layout.releases, release)
        self._releases.start(release, keep, self.reporter, self._sender, resent)

    def _clean_tmp(self) -> None:
        sftp = self.session.sftp
        for folder in dict.fromkeys((self.layout.tmp, self.layout.state_tmp)):
            try:
                for name in sftp.listdir(folder):
                    try:
                        sftp.remove(posixpath.join(folder, name))
                    except OSError:
                        pass
            except OSError as exc:
                raise self.session.io(exc, f"listing {folder}") from exc

    def _final(self, path: str) -> str:
        return posixpath.join(self._release_dir if self.atomic else self.root, path)

    def upload(self, items: list[SendItem], done: Done) -> None:
        self._sender.send_all(items, done)

    def delete(self, paths: list[str]) -> None:
        if self.atomic:
            return  # the new release simply does not contain them
        s = self.session
        for path in paths:
            full = posixpath.join(self.root, path)
            try:
                s.sftp.remove(full)
            except FileNotFoundError:
                pass
            except OSError as exc:
                if getattr(exc, "errno", None) != errno.ENOENT:
                    raise s.io(exc, f"deleting {path}") from exc
        for folder in emptied_folders(paths):
            full = posixpath.join(self.root, folder)
            try:
                s.sftp.rmdir(full)  # fails while not empty: fine
            except OSError:
                continue
            with s.dirs_lock:  # uploads after these deletes (--deletes-first) make it again
                s.dirs.discard(full)

    # ---------------------------------------------------------------- releases

    def finish(self, plan: DeployPlan, release: str, uploaded: list[str], deleted: list[str]) -> None:
        if self.atomic:
            self._releases.finish(self._release_dir, release, self.target.keep_releases)

    def switch_to(self, release_dir: str) -> None:
        """Point the docroot at ``release_dir`` with one rename of a fresh symlink."""
        self._releases.switch_to(release_dir)

    def releases_list(self, complete_only: bool = False) -> list[str]:
        return self._releases.names(complete_only)

    def rollback(self) -> str:
        """Switch the docroot back to the release before the live one; returns its id."""
        if not self.atomic:
            raise self.session.err("--rollback needs mode = \"atomic\"", f"set mode = \"atomic\" in [deploy.{self.name}] "
                                   "and publish; in-place targets keep no earlier release")
        return self._releases.rollback()

    def close(self) -> None:
        s, tmp = self.session, self.layout.tmp
        if self.layout.in_root(tmp):
            try:  # the temporary folder inside the docroot exists only while files are on their way
                for name in s.sftp.listdir(tmp):
                    s.sftp.remove(posixpath.join(tmp, name))
                s.sftp.rmdir(tmp)
            except (OSError, paramiko.SSHException):
                pass
        s.close()
