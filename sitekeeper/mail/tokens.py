"""Unsubscribe tokens: ``<address, base64url>`` alone, or ``<address>.<MAC>`` when the client
has a secret (``[mail] unsubscribe_key_env`` names the environment variable holding it).

The MAC is HMAC-SHA256 of the normalised address, keyed with that secret, base64url, its first
22 characters (132 bits). ``verify`` compares in constant time. Without a secret a token is
only an identifier (anyone can make one): the mailbox pull then trusts, as before, only the
sender's own address or the address the List-Unsubscribe mailto names.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

MAC_CHARS = 22


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _mac(address: str, key: bytes) -> str:
    return _b64(hmac.new(key, address.strip().lower().encode(), hashlib.sha256).digest())[:MAC_CHARS]


def make_token(address: str, key: bytes | None = None) -> str:
    plain = _b64(address.strip().lower().encode())
    return f"{plain}.{_mac(address, key)}" if key else plain


def token_address(token: str) -> str:
    plain = token.split(".", 1)[0]
    return base64.urlsafe_b64decode(plain + "=" * (-len(plain) % 4)).decode()


def verify(token: str, address: str, key: bytes) -> bool:
    """True when ``token`` was made by sitekeeper for ``address`` with ``key``."""
    plain, _, mac = token.strip().partition(".")
    try:
        named = token_address(plain)
    except (ValueError, UnicodeError):
        return False
    if named.strip().lower() != address.strip().lower() or len(mac) != MAC_CHARS:
        return False
    return hmac.compare_digest(mac, _mac(address, key))


def key_of(mail) -> bytes | None:
    """The client's secret from the environment; None when no variable is configured or it is unset."""
    name = getattr(mail, "unsubscribe_key_env", None)
    if not name:
        return None
    value = os.environ.get(name, "")
    return value.encode("utf-8") if value else None
