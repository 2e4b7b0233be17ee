"""``mode = "atomic"``: the docroot is a symlink to ``<state>/releases/<id>``.

A publish makes a new release folder, hard-links unchanged files from the live one with
``hardlink@openssh.com`` (re-sending them when the server refuses), uploads the changes into
it, and switches the symlink with one rename; the release's manifest is kept beside it as
``<id>.manifest.json``, and releases beyond ``keep_releases`` are pruned. ``rollback``
switches back to the release before the live one.
"""
from __future__ import annotations

import posixpath
import stat as statmod
import uuid
from typing import Sequence

import paramiko

from ...report import Reporter
from ..remote import Done, SendItem
from ..target_state import TargetState
from .pipeline import Sender
from .session import Session, extended
from .state import Layout, write_small


class Releases:
    """The release folders of one atomic target and the symlink that picks the live one."""

    def __init__(self, session: Session, layout: Layout, state: TargetState):
        self.s, self.layout, self.state = session, layout, state
        self.folder = layout.releases
        self.root = layout.root

    def start(self, release: str, keep: Sequence[SendItem], reporter: Reporter, sender: Sender,
              resent: Done | None) -> str:
        """A new release folder: unchanged files hard-linked from the live release (or sent
        again where the server cannot); returns its path."""
        s = self.s
        release_dir = posixpath.join(self.folder, release)
        s.makedirs(s.sftp, release_dir)
        live = self.live()
        resend = []
        for item in keep:
            dst = posixpath.join(release_dir, item.upload.path)
            s.makedirs(s.sftp, posixpath.dirname(dst))
            try:
                if live is None:
                    raise OSError("no live release")
                extended(s.sftp, "hardlink@openssh.com", posixpath.join(live, item.upload.path), dst)
            except (OSError, paramiko.SSHException):
                resend.append(item)
        if resend:
            reporter.warn(f"{s.client}: {len(resend)} unchanged files could not be hard-linked on "
                          f"{s.name} and are sent again")
            sender.send_all(resend, resent or (lambda item, stamp: None))
        return release_dir

    def live(self) -> str | None:
        """The live release's folder (where the docroot's symlink points), or None."""
        try:
            link = self.s.sftp.readlink(self.root)
        except OSError:
            return None
        if not link:
            return None
        return link if link.startswith("/") else posixpath.join(posixpath.dirname(self.root), link)

    def finish(self, release_dir: str, release: str, keep_releases: int) -> None:
        """Make ``release`` live, keep its manifest beside it, prune the oldest."""
        try:
            self.switch_to(release_dir)
        except OSError as exc:
            raise self.s.io(exc, f"switching {self.root} to release {release}") from exc
        blob = self.state.read_manifest()
        if blob is not None:
            write_small(self.s, self.layout, posixpath.join(self.folder, f"{release}.manifest.json"), blob)
        self._prune(keep=keep_releases, current=release)

    def switch_to(self, release_dir: str) -> None:
        """Point the docroot at ``release_dir`` with one rename of a fresh symlink."""
        s = self.s
        link = posixpath.join(self.layout.tmp, f"{uuid.uuid4().hex}.link")
        rel = posixpath.relpath(release_dir, posixpath.dirname(self.root))
        s.sftp.symlink(rel, link)
        st = s.lstat(self.root)
        # ProFTPD's lstat of a symlink to a folder answers "directory": readlink tells the truth
        if st is not None and statmod.S_ISDIR(st.st_mode) and self.live() is None:
            # First atomic publish over a plain folder: keep it as a release (a brief gap, once).
            s.sftp.rename(self.root, posixpath.join(self.folder, "0-initial"))
        was_link = self.live() is not None
        try:
            s.rename(s.sftp, link, self.root)
            switched = s.readlink(self.root) == rel
        except OSError:
            if not was_link:
                raise
            switched = False
        if not switched:
            # ProFTPD follows the old link rather than replacing it ("File is a directory", or
            # nothing happens): remove the link itself, then rename (a moment without the docroot)
            if s.lstat(link) is None:
                s.sftp.symlink(rel, link)
            s.sftp.remove(self.root)
            s.sftp.rename(link, self.root)

    def names(self, complete_only: bool = False) -> list[str]:
        """Release folders by age; ``complete_only``: those that went live (a killed publish
        leaves a folder without its ``.manifest.json``, never to be rolled back to)."""
        try:
            names = self.s.sftp.listdir(self.folder)
        except OSError:
            return []
        done = {n[: -len(".manifest.json")] for n in names if n.endswith(".manifest.json")}
        folders = sorted(n for n in names if not n.endswith(".json"))
        return [n for n in folders if n in done or n == "0-initial"] if complete_only else folders

    def rollback(self) -> str:
        """Switch the docroot back to the release before the live one; returns its id."""
        live = self.live()
        current = posixpath.basename(live.rstrip("/")) if live else None
        names = self.names(complete_only=True)
        older = [n for n in names if current is None or n < current]
        if not older:
            raise self.s.err("there is no earlier release to roll back to", "publish the older content instead")
        previous = older[-1]
        try:
            self.switch_to(posixpath.join(self.folder, previous))
        except OSError as exc:
            raise self.s.io(exc, f"switching {self.root} back to release {previous}") from exc
        blob = self.s.read(posixpath.join(self.folder, f"{previous}.manifest.json"))
        self.state.remove_journals([n for n, _ in self.state.read_journals()])
        if blob is not None:
            self.state.write_manifest(blob)
        else:
            self.state.remove_manifest()  # self-heals on the next publish
        return previous

    def _prune(self, keep: int, current: str) -> None:
        names = [n for n in self.names() if n != current]
        for name in names[: max(0, len(names) - max(keep - 1, 1))]:
            self._rmtree(posixpath.join(self.folder, name))
            try:
                self.s.sftp.remove(posixpath.join(self.folder, f"{name}.manifest.json"))
            except OSError:
                pass

    def _rmtree(self, path: str) -> None:
        sftp = self.s.sftp
        try:
            entries = sftp.listdir_attr(path)
        except OSError:
            return
        for attr in entries:
            full = posixpath.join(path, attr.filename)
            if statmod.S_ISDIR(attr.st_mode or 0):
                self._rmtree(full)
            else:
                try:
                    sftp.remove(full)
                except OSError:
                    pass
        try:
            sftp.rmdir(path)
        except OSError:
            pass
