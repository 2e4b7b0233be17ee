"""Fault injection for crash tests: ``SITEKEEPER_DEPLOY_FAULT=point=N[,point=N]``.

At the N-th time a named point is reached the process kills itself with SIGKILL, exactly
as ``kill -9`` would: no cleanup, no finally blocks. Points: ``upload-done`` (a file is at its
final name), ``mid-upload`` (half of a file is written to its temporary name),
``manifest`` (a manifest checkpoint was written). Unset in normal use: one dict lookup.
"""
from __future__ import annotations

import os
import signal
import threading

_lock = threading.Lock()
_counts: dict[str, int] = {}


def _spec() -> dict[str, int]:
    raw = os.environ.get("SITEKEEPER_DEPLOY_FAULT", "")
    out = {}
    for part in raw.split(","):
        name, _, n = part.partition("=")
        if name.strip() and n.strip().isdigit():
            out[name.strip()] = int(n)
    return out


_SPEC = _spec()


def hit(point: str) -> None:
    if not _SPEC or point not in _SPEC:
        return
    with _lock:
        _counts[point] = _counts.get(point, 0) + 1
        if _counts[point] >= _SPEC[point]:
            os.kill(os.getpid(), signal.SIGKILL)


def armed(point: str) -> bool:
    """True when a fault is set for ``point`` (callers may make the moment more telling)."""
    return bool(_SPEC) and point in _SPEC
