"""The one way build outputs reach the disk: atomic writes, identical bytes left alone,
one output per path, and outputs that are gone pruned."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import Diagnostic, ProblemsError
from ..fsutil import atomic_write as _atomic_write


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """A build output, through the one atomic_write. No fsync: the folder is made again from
    its sources, and a file a crash left short differs in size, so the next build rewrites it."""
    try:
        _atomic_write(path, data, fsync=False, mkdir=False)
    except FileNotFoundError:
        _atomic_write(path, data, fsync=False)


def same_file(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


class Writer:
    """Writes the outputs of one build into ``root``.

    ``previous`` maps output path -> the hash of the bytes written there last time, so
    an unchanged output is compared with the file only when the hashes agree. A forked
    worker uses its own copy; the parent then ``claim``s the paths it wrote.
    """

    def __init__(self, root: Path, previous: dict[str, str]):
        self.root = root
        self.previous = previous
        self.claimed: set[str] = set()
        self.folders: set[str] = set()
        """Folders known to exist (made, or written into, by this writer)."""

    def claim(self, path: str) -> None:
        if path in self.claimed:
            raise ProblemsError([Diagnostic(path, None, f"two outputs at /{path} in one build",
                                            "give one of the sources another file name or `slug`")])
        self.claimed.add(path)

    def write(self, path: str, data: bytes) -> tuple[str, bool]:
        """Write ``data`` at ``path`` unless the file already holds it: (hash, written?)."""
        self.claim(path)
        sha = content_hash(data)
        target = self.root / path
        if self.previous.get(path) == sha and same_file(target, data):
            return sha, False
        folder = path.rpartition("/")[0]
        if folder not in self.folders:
            # Made once up front: a first write into a new folder would otherwise fail, mkdir, retry.
            os.makedirs(target.parent, exist_ok=True)
            self.folders.add(folder)
        atomic_write(target, data)
        return sha, True

    def prune(self, keep) -> list[str]:
        """Delete the previous outputs not in ``keep`` and the folders they leave empty."""
        deleted = []
        for path in self.previous:
            if path in keep:
                continue
            try:
                (self.root / path).unlink()
                deleted.append(path)
            except FileNotFoundError:
                pass
            self._prune_dirs(path)
        return sorted(deleted)

    def _prune_dirs(self, path: str) -> None:
        root = self.root
        parent = (root / path).parent
        while parent != root and root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                return
            parent = parent.parent
