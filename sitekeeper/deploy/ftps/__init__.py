"""The ftps:// and ftp:// targets, with the standard library's ftplib: the control connection
(session.py), listings (listing.py), the state folder as a Store (store.py) and the Remote
(remote.py)."""
from __future__ import annotations

from .listing import _list_time
from .remote import FtpRemote
from .session import fetch_certificate
from .store import FtpStore

__all__ = ["FtpRemote", "FtpStore", "_list_time", "fetch_certificate"]
