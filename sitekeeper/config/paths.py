"""Confinement: nothing outside a client's own folder becomes part of its site, list or email.

A symlink is followed only while its target stays inside the client's folder
(``sites/<client>/``, or ``campaigns/<client>/`` for campaigns); anything else is an error at
the link's path, and the link is never read.
"""
from __future__ import annotations

import os
from pathlib import Path

FIX = ("copy what you need into the client's own folder instead of linking to it, or remove the link: "
       "nothing from outside a client's folder is published or sent")


def inside(real: str, limit: str) -> bool:
    """Whether the real path ``real`` is ``limit`` (a real path) or lies under it."""
    return real == limit or real.startswith(limit.rstrip(os.sep) + os.sep)


def escape_of(path: Path | str, limit: Path | str) -> str | None:
    """The real target of ``path`` when it resolves outside ``limit``, else None."""
    real = os.path.realpath(path)
    return None if inside(real, os.path.realpath(limit)) else real


def escaping_links(folder: Path, limit: Path) -> list[tuple[Path, str]]:
    """(link, real target) of every symlink under ``folder`` that resolves outside ``limit``.
    Links that stay inside are followed (once each), the others are not."""
    limit_real = os.path.realpath(limit)
    found = []
    seen = set()
    stack = [str(folder)]
    while stack:
        d = stack.pop()
        real_d = os.path.realpath(d)
        if real_d in seen:
            continue
        seen.add(real_d)
        try:
            entries = list(os.scandir(d))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for e in entries:
            if e.is_symlink():
                real = os.path.realpath(e.path)
                if not inside(real, limit_real):
                    found.append((Path(e.path), real))
                    continue
                if os.path.isdir(real):
                    stack.append(e.path)
            elif e.is_dir(follow_symlinks=False):
                stack.append(e.path)
    found.sort()
    return found
