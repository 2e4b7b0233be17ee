"""The [mail] table: validation without importing any transport.

``validate_mail`` runs while site.toml loads, so it must stay cheap: no SDKs, no
network. ``MailSettings`` is the parsed view the mail code works with.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

TLS_MODES = ("starttls", "implicit", "none")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ADDR_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


def is_address(value: str) -> bool:
    return bool(_ADDR_RE.match(value or ""))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Transport:
    kind: str
    """"outbox", "smtp" or "ses"."""
    host: str = ""
    """SMTP host."""
    port: int = 0
    """SMTP port."""
    tls: str = "starttls"
    """starttls | implicit | none."""


def parse_transport(mail) -> tuple[Transport | None, str, str]:
    """(transport, key, problem): the transport, or the key at fault and the problem."""
    value = mail.get("transport", "outbox")
    if not isinstance(value, str):
        return None, "transport", "`transport` must be \"outbox\", \"ses\" or \"smtp://host:port\""
    if value == "outbox":
        return Transport("outbox"), "", ""
    if value == "ses":
        return Transport("ses"), "", ""
    parts = urlsplit(value)
    if parts.scheme in ("smtp", "smtps") and parts.hostname:
        if parts.username or parts.password:
            return None, "transport", "the transport URL holds a user name or password"
        default_tls = "implicit" if parts.scheme == "smtps" else "starttls"
        tls = mail.get("tls", default_tls)
        if tls not in TLS_MODES:
            return None, "tls", f"`tls` must be one of {', '.join(TLS_MODES)}"
        try:
            port = parts.port or (465 if tls == "implicit" else 587)
        except ValueError:
            return None, "transport", f"the port in {value!r} is not a number"
        if tls == "none" and not is_loopback(parts.hostname):
            return None, "tls", f"`tls = \"none\"` sends passwords and mail in clear text to {parts.hostname}"
        return Transport("smtp", parts.hostname, port, tls), "", ""
    return None, "transport", f"unknown transport {value!r}"


def validate_mail(mail: dict) -> list[tuple[str, str, str]]:
    """Problems of the [mail] table as (key, message, fix)."""
    out: list[tuple[str, str, str]] = []
    _, key, problem = parse_transport(mail)
    if problem:
        fixes = {
            "tls": 'use tls = "starttls" (port 587) or "implicit" (port 465); "none" only for a relay on 127.0.0.1',
            "transport": 'write transport = "smtp://smtp.example.com:587", "ses" or "outbox"; '
                         "credentials go in username_env/password_env",
        }
        out.append((key, problem, fixes[key]))
    for key in ("from", "reply_to"):
        if key in mail:
            value = mail[key]
            if not isinstance(value, str) or not is_address(parseaddr(value)[1]):
                out.append((key, f"`{key}` {value!r} is not an email address",
                            f'write it as {key} = "Business Name <news@example.com>"'))
    if "unsubscribe_mailto" in mail:
        value = mail["unsubscribe_mailto"]
        if not isinstance(value, str) or not is_address(value.removeprefix("mailto:")):
            out.append(("unsubscribe_mailto", f"`unsubscribe_mailto` {value!r} is not an email address",
                        'write it as unsubscribe_mailto = "unsubscribe@example.com"'))
    if "unsubscribe_url" in mail:
        value = mail["unsubscribe_url"]
        if not isinstance(value, str) or not value.startswith("https://"):
            out.append(("unsubscribe_url", "`unsubscribe_url` must be an https:// URL",
                        'write it as unsubscribe_url = "https://example.com/unsubscribe?t={token}"'))
        elif "{token}" not in value:
            out.append(("unsubscribe_url", "`unsubscribe_url` has no {token}: every reader would unsubscribe the same address",
                        'put {token} where the reader\'s token goes, e.g. "https://example.com/unsubscribe?t={token}"'))
    if "postal_address" in mail and (not isinstance(mail["postal_address"], str) or not mail["postal_address"].strip()):
        out.append(("postal_address", "`postal_address` must be the business's postal address",
                    'write it as postal_address = "Hauptstr. 1, 10115 Berlin"'))
    for key in ("username_env", "password_env", "imap_user_env", "imap_password_env"):
        if key in mail and not (isinstance(mail[key], str) and _ENV_RE.match(mail[key])):
            out.append((key, f"`{key}` must name an environment variable",
                        f'write e.g. {key} = "CLIENT_SMTP_{key.split("_")[0].upper()}" and set that variable'))
    if "rate_per_second" in mail:
        value = mail["rate_per_second"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            out.append(("rate_per_second", "`rate_per_second` must be a positive number", "write e.g. rate_per_second = 10"))
    for key in ("require_consent", "utm"):
        if key in mail and not isinstance(mail[key], bool):
            out.append((key, f"`{key}` must be true or false", f"write {key} = true"))
    return out
