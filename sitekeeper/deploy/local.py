"""Read the built site folder: every file with the sha256 of its exact bytes."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable, Mapping

from .headers import fingerprint
from .plan import LocalFile, is_private


def scan_folder(root: Path, headers: Callable[[str], Mapping[str, str] | None] = lambda p: None) -> dict[str, LocalFile]:
    """path (relative, '/') -> LocalFile for every regular file under ``root``.

    Symlinks are followed for files (a build may link static assets); anything under a
    top-level ``.sitekeeper*`` name is sitekeeper's own and never deployed.
    """
    out: dict[str, LocalFile] = {}
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/")
        if not rel_dir:
            dirnames[:] = [d for d in dirnames if not d.startswith(".sitekeeper")]
        dirnames.sort()
        for name in sorted(filenames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if is_private(rel):
                continue
            full = os.path.join(dirpath, name)
            if not os.path.isfile(full):
                continue
            with open(full, "rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
                size = fh.tell()
            out[rel] = LocalFile(rel, digest, size, fingerprint(headers(rel)))
    return out
