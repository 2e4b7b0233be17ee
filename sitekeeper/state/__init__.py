"""Where sitekeeper keeps what it must remember between runs: stores and locks.

``store.py``: a small versioned blob store (local folder or S3 prefix) and ``open_store``;
``lock.py``: one lock algorithm on any store (deploy targets run it on their own store).
``keys.py``: every key sitekeeper keeps in the workspace store; ``published.py``: what a publish
remembers of each target (read by tick, status and reports).
Depends only on errors (and sitekeeper.aws for S3); never on deploy, mail or cli.
"""
from __future__ import annotations

from .store import LocalStore, S3Store, Store, open_store, open_workspace_store

__all__ = ["LocalStore", "S3Store", "Store", "open_store", "open_workspace_store"]
