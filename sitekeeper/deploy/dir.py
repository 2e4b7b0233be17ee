"""The dir: target: a local folder, written like a remote one.

Same protocol as SFTP and S3 (manifest and lock under ``<folder>/.sitekeeper/``), so the
embedded default behaves exactly like a real deploy: each file is written under
``.sitekeeper/tmp/`` and moved into place with ``os.replace`` (atomic on one filesystem).
The state area is a ``LocalStore`` (exclusive create by link()); every OSError becomes a
DeployError naming the target and the fix.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from ..errors import DeployError
from ..state.store import LocalStore
from . import faults
from .plan import RemoteEntry, is_private
from .remote import LockFile, SendItem, StoreState, hashing_reader

STATE = ".sitekeeper"


class DirRemote(StoreState, LockFile):
    def __init__(self, target, client: str):
        self.target, self.client = target, client
        self.root = Path(target.path)
        self.state = self.root / STATE
        self.tmp = self.state / "tmp"
        # Nothing is created before the first write (a dry run writes nothing), but a target
        # that could never be created is reported now, before anything is planned.
        place = self.root
        while not place.exists() and place != place.parent:
            place = place.parent
        if not place.is_dir():
            raise DeployError(f"{client}: cannot create the target folder {self.root} for {target.name}: "
                              f"{place} is a file; point url at a folder")
        self.store = LocalStore(self.state, tmp=self.tmp, error=DeployError,
                                label=f"{client}: target {target.name}")

    def _ensure_state(self) -> None:
        """Create the target and its state folder, on the first write (a dry run writes nothing)."""
        try:
            self.tmp.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeployError(f"{self.client}: cannot create the target folder {self.root} for {self.target.name}: "
                              f"{exc.strerror}; fix its permissions or point url at a writable folder") from exc

    def _fail(self, what: str, exc: OSError):
        raise DeployError(f"{self.client}: {what} on target {self.target.name} ({self.root}): {exc.strerror or exc}; "
                          "check the folder's permissions and free space") from exc

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
        try:
            for leftover in self.tmp.iterdir():  # temporary files of a run that was killed
                leftover.unlink(missing_ok=True)
        except OSError as exc:
            self._fail("cannot clean the temporary folder", exc)

    def upload(self, items: list[SendItem], done) -> None:
        for item in items:
            final = self.root / item.upload.path
            tmp = self.tmp / f"{uuid.uuid4().hex}.part"
            try:
                final.parent.mkdir(parents=True, exist_ok=True)
                with open(tmp, "wb") as out:
                    for i, block in enumerate(hashing_reader(item.source, item.sha256, self.client)):
                        out.write(block)
                        if i == 0:
                            faults.hit("mid-upload")
                if final.is_dir():
                    raise DeployError(f"{self.client}: {item.upload.path} is a folder on target {self.target.name}; "
                                      "remove it by hand, then publish again")
                os.replace(tmp, final)
                st = os.stat(final)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                self._fail(f"cannot write {item.upload.path}", exc)
            done(item, str(st.st_mtime_ns))

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
        pass
