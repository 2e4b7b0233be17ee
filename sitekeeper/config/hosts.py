"""The one rule for "this host is this machine" (loopback), used wherever a cleartext
connection is allowed only to the local machine."""
from __future__ import annotations

import ipaddress


def is_loopback(host: str | None) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1, bracketed or not). A name that merely
    starts with ``127.`` (``127.evil.example``) is a name like any other, and not loopback."""
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
