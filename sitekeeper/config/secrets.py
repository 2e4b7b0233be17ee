"""Refuse secrets in workspace files, without ever echoing them.

Two checks: keys whose name says "secret" holding a literal value (in TOML and front
matter), and key material recognisable anywhere in a text file (PEM private keys,
cloud and API token formats). Messages name the file, the line and the kind of
secret, never the value.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import Diagnostic, Problems

SECRET_KEY_NAMES = {
    "password", "passwd", "pass", "secret", "token", "api_key", "apikey", "secret_key",
    "access_key", "secret_access_key", "aws_secret_access_key", "aws_access_key_id",
    "private_key", "client_secret", "auth_token", "access_token", "smtp_password",
}
_SECRET_SUFFIXES = ("_password", "_secret", "_token", "_secret_key", "_private_key", "_api_key")

_PATTERNS = [
    (re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*\S{20,}"), "an AWS secret access key"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}\b"), "a Slack token"),
    (re.compile(r"\bsk_live_[0-9A-Za-z]{20,}\b"), "a Stripe secret key"),
    (re.compile(r"\bSG\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}\b"), "a SendGrid API key"),
]

FIX_KEY = (
    "secrets are never read from workspace files: put the value in an environment variable "
    "and name the variable instead (for example `password_env = \"CLIENT_SMTP_PASSWORD\"`), "
    "then remove the value from git history if it was committed"
)
FIX_MATERIAL = (
    "remove it from the file (and from git history if it was committed); keys stay outside the "
    "workspace, referenced by path (`key_file = \"~/.ssh/client_ed25519\"`) or through the ssh agent"
)


def is_secret_key(name: str) -> bool:
    n = name.lower()
    if n.endswith("_env") or n.endswith("_file") or n.endswith("_path"):
        return False
    return n in SECRET_KEY_NAMES or n.endswith(_SECRET_SUFFIXES)


# Cheap substring tests first: almost every file has none of these, and `in` is far
# faster than running every pattern over every page.
_HINTS = ("PRIVATE KEY", "AKIA", "ASIA", "ws_secret_access_key", "WS_SECRET_ACCESS_KEY", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "sk_live_", "SG.")  # noqa: E501


def scan_text(text: str) -> list[tuple[int, str]]:
    """(line, kind) for each piece of key material in ``text``."""
    found: list[tuple[int, str]] = []
    if not text or not any(h in text for h in _HINTS):
        return found
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            found.append((text.count("\n", 0, m.start()) + 1, kind))
    found.sort()
    return found


def scan_document(source: str, text: str) -> list[Diagnostic]:
    """Diagnostics for key material anywhere in ``text`` and for secret-named keys holding a
    value in its YAML front matter, if it has one. ``source`` names the file in messages."""
    found = [Diagnostic(source, line, f"{kind} is written in this file", FIX_MATERIAL)
             for line, kind in scan_text(text)]
    if text.startswith("---"):
        end = text.find("\n---", 3)
        head = text[: max(end, 0)]
        if any(word in head.lower() for word in ("pass", "secret", "token", "key")):
            for no, line in enumerate(head.splitlines(), 1):
                m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(\S.*)?$", line)
                if m and m.group(2) and is_secret_key(m.group(1)):
                    found.append(Diagnostic(source, no, f"`{m.group(1)}` holds a literal secret", FIX_KEY))
    return found


def scan_table(data: Mapping[str, Any], lines: Mapping[tuple[str, str], int], path: str, problems: Problems,
               table: str = "") -> None:
    """An error for each secret-named key of a TOML table (and its sub-tables) holding a value."""
    for key, value in data.items():
        if isinstance(value, dict):
            scan_table(value, lines, path, problems, f"{table}.{key}".strip("."))
        elif is_secret_key(key) and isinstance(value, str) and value:
            problems.error(path, lines.get((table, key)), f"`{key}` holds a literal secret", FIX_KEY)
