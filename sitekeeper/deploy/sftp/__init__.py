"""The sftp:// target, over paramiko (the only package that imports it), in one room per job:

- connect.py   the TCP connection, the key exchange, the host-key check (pins, known_hosts), the login
- session.py   the logged-in session: its main channel and the small file operations with their errors
- state.py     where the state lives (beside the docroot, else the workspace store) and the state itself
- listing.py   the docroot's listing, over a few channels at once
- pipeline.py  the pipelined uploads: many files in flight per channel, renamed only when whole
- releases.py  ``mode = "atomic"``: releases/<id>, the switched symlink, pruning, rollback
- remote.py    ``SftpRemote``, the ``Remote`` the rest of sitekeeper drives, delegating to the rooms

Importing this package imports paramiko: sitekeeper imports it only when a target is sftp://.
"""
from __future__ import annotations

from .connect import fetch_host_key, fingerprint
from .pipeline import CMD_STATUS, CMD_WRITE, _Pipeline
from .remote import SftpRemote
from .state import SftpStore

__all__ = ["CMD_STATUS", "CMD_WRITE", "SftpRemote", "SftpStore", "_Pipeline", "fetch_host_key", "fingerprint"]
