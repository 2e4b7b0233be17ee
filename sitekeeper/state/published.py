"""What a publish remembers of each target in the workspace state store (keys in keys.py):
the last publish (signature, visible pages, validity, time, commit), which tick, status and
reports read, and the files the target received, which status --check-live compares with.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..errors import DamagedRecord
from .keys import deployed_key, published_key
from .store import Store


def last_published(store: Store, client: str, target: str) -> dict[str, Any] | None:
    """What ``target`` last received: signature, visible, valid, at, commit (or None)."""
    got = store.read(published_key(client, target))
    if got is None:
        return None
    try:
        rec = json.loads(got[0])
        return rec if isinstance(rec, dict) else None
    except ValueError:
        return None


def deployed_files(store: Store, client: str, target: str) -> dict[str, str] | None:
    """path -> sha256 of what ``target`` last received (None: no publish recorded them)."""
    got = store.read(deployed_key(client, target))
    if got is None:
        return None
    try:
        files = json.loads(got[0])["files"]
        if isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            return files
    except (ValueError, KeyError, TypeError):
        pass
    raise DamagedRecord(f"the record of what {client}'s target {target} received ({deployed_key(client, target)}) "
                        "cannot be read", "publish the client again: it writes the record anew")


def write_published(store: Store, client: str, target: str, signature: str, visible: str, valid: tuple[float, float],
                    at: datetime, commit: str) -> None:
    lo, hi = valid
    store.write(published_key(client, target), json.dumps({
        "signature": signature, "visible": visible, "valid": [_finite(lo), _finite(hi)],
        "at": at.isoformat(timespec="seconds"), "commit": commit,
    }).encode())


def _finite(x: float) -> float | None:
    return None if x in (float("inf"), float("-inf")) else x
