"""The ftps:// and ftp:// targets, with the standard library's ftplib (remote.py holds them whole)."""
from __future__ import annotations

from .remote import FtpRemote, FtpStore, _list_time, fetch_certificate

__all__ = ["FtpRemote", "FtpStore", "_list_time", "fetch_certificate"]
