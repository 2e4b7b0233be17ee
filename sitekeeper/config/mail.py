"""The [mail] table of site.toml: validated and parsed once, without importing any transport.

``parse_mail`` runs while site.toml loads, so it stays cheap: no SDKs, no network.
``MailSettings`` is the typed, frozen view the mail code works with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, Mapping
from urllib.parse import urlsplit

from .hosts import is_loopback as is_loopback  # suppressions/imap takes it from here
from ..errors import Problems
from .toml import Lines, check_keys

MAIL_KEYS = {
    "from", "reply_to", "postal_address", "transport", "tls", "username_env", "password_env",
    "rate_per_second", "unsubscribe_mailto", "unsubscribe_url", "imap", "imap_user_env",
    "imap_password_env", "ses_events_queue", "require_consent", "utm", "region", "endpoint_url",
    "configuration_set", "dkim_selector", "dkim_domain", "dkim_key_file", "dkim_key_env",
    "dkim_ed25519_selector", "unsubscribe_key_env", "signup", "signup_mailto",
}
TLS_MODES = ("starttls", "implicit", "none")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# RFC 5321/5322 as mail providers accept it: a dot-atom local part (no leading, trailing or
# doubled dot) and a domain of at least two labels, each of letters, digits and inner hyphens
# (Unicode letters allowed: internationalised addresses).
_LOCAL_RE = re.compile(r"^[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*$")
_LABEL_RE = re.compile(r"^[^\W_](?:(?:[^\W_]|-)*[^\W_])?$")


def normalize_address(value: str) -> str:
    """The one form of an address for comparing, de-duplicating and suppressing: stripped,
    without angle brackets or a `mailto:`, Unicode NFC, lower-case (providers treat the local
    part case-insensitively in practice; audience duplicates are case-insensitive)."""
    import unicodedata

    value = (value or "").strip().removeprefix("mailto:").strip("<> \t")
    return unicodedata.normalize("NFC", value).lower()


def is_address(value: str) -> bool:
    value = value or ""
    local, at, domain = value.rpartition("@")
    if not at or len(value) > 254 or len(local) > 64 or not _LOCAL_RE.match(local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or not all(len(label) <= 63 and _LABEL_RE.match(label) for label in labels):
        return False
    return not labels[-1].isdigit()


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


@dataclass(frozen=True)
class MailSettings:
    from_: str = ""
    """`from`: the sender, "Business Name <news@example.com>"."""
    reply_to: str = ""
    """Where replies go ("" : to the sender)."""
    postal_address: str = ""
    """The business's postal address, shown in every email."""
    transport: Transport = field(default_factory=lambda: Transport("outbox"))
    """Where mail goes: the outbox folder, SES or an SMTP server."""
    username_env: str | None = None
    """SMTP: the environment variable holding the login name."""
    password_env: str | None = None
    """SMTP: the environment variable holding the password."""
    rate_per_second: float | None = None
    """At most this many messages a second (None: no limit)."""
    unsubscribe_mailto: str | None = None
    """The address opt-out mails go to (without mailto:)."""
    unsubscribe_url: str | None = None
    """A one-click https:// opt-out URL with {token}."""
    unsubscribe_key_env: str | None = None
    """The environment variable holding the client's secret that keys unsubscribe tokens."""
    imap: str | None = None
    """imaps://host:port of the mailbox opt-outs and bounces arrive in."""
    imap_user_env: str | None = None
    """The environment variable holding the IMAP login name."""
    imap_password_env: str | None = None
    """The environment variable holding the IMAP password."""
    ses_events_queue: str | None = None
    """The SQS queue URL of SES bounce and complaint notices."""
    require_consent: bool = True
    """Only mail audience rows with `consented_at`."""
    utm: bool = False
    """Add utm_* parameters to links in emails."""
    region: str | None = None
    """SES: the AWS region."""
    endpoint_url: str | None = None
    """SES: an endpoint other than AWS's."""
    configuration_set: str | None = None
    """SES: the configuration set to send with."""
    dkim_selector: str | None = None
    """DKIM: sign every message with this selector (None: no signing)."""
    dkim_domain: str | None = None
    """DKIM: the signing domain (default: the From address's domain)."""
    dkim_key_file: str | None = None
    """DKIM: a path to the PEM private key, outside the workspace."""
    dkim_key_env: str | None = None
    """DKIM: the environment variable holding the PEM private key."""
    dkim_ed25519_selector: str | None = None
    """DKIM: the selector of the Ed25519 key when the PEM holds one beside RSA (default: dkim_selector)."""
    signup: bool = False
    """Sign-up by double opt-in: /newsletter/ and the footer offer a mailto that mailbox pull answers."""
    signup_mailto: str | None = None
    """Where sign-up requests go (None: the `from` address)."""

    @property
    def tls(self) -> str:
        """The SMTP transport's TLS mode."""
        return self.transport.tls


def parse_transport(mail: Mapping[str, Any]) -> tuple[Transport | None, str, str]:
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


def validate_mail(mail: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Problems of the [mail] table as (key, message, fix)."""
    return [problem for check in (_transport_problems, _address_problems, _setting_problems, _dkim_problems, _service_problems)
            for problem in check(mail)]


def _transport_problems(mail: dict[str, Any]) -> list[tuple[str, str, str]]:
    """transport and tls."""
    out: list[tuple[str, str, str]] = []
    _, key, problem = parse_transport(mail)
    if problem:
        fixes = {
            "tls": 'use tls = "starttls" (port 587) or "implicit" (port 465); "none" only for a relay on 127.0.0.1',
            "transport": 'write transport = "smtp://smtp.example.com:587", "ses" or "outbox"; '
                         "credentials go in username_env/password_env",
        }
        out.append((key, problem, fixes[key]))
    return out


def _address_problems(mail: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Addresses, unsubscribe links, the postal address."""
    out: list[tuple[str, str, str]] = []
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
    if "unsubscribe_key_env" in mail:
        value = mail["unsubscribe_key_env"]
        if not isinstance(value, str) or not _ENV_RE.match(value):
            out.append(("unsubscribe_key_env", "`unsubscribe_key_env` must be the name of an environment variable",
                        'write it as unsubscribe_key_env = "BAKERY_UNSUBSCRIBE_KEY" and set that variable to a long '
                        "random secret (e.g. the output of `openssl rand -hex 32`)"))
    if "unsubscribe_url" in mail:
        value = mail["unsubscribe_url"]
        if not isinstance(value, str) or not value.startswith("https://"):
            out.append(("unsubscribe_url", "`unsubscribe_url` must be an https:// URL",
                        'write it as unsubscribe_url = "https://example.com/unsubscribe?t={token}"'))
        elif "{token}" not in value:
            out.append(("unsubscribe_url", "`unsubscribe_url` has no {token}: every reader would unsubscribe the same address",
                        'put {token} where the reader\'s token goes, e.g. "https://example.com/unsubscribe?t={token}"'))
    if "signup_mailto" in mail:
        value = mail["signup_mailto"]
        if not isinstance(value, str) or not is_address(value.removeprefix("mailto:")):
            out.append(("signup_mailto", f"`signup_mailto` {value!r} is not an email address",
                        'write it as signup_mailto = "newsletter@example.com" (or leave it out: the `from` address)'))
    if mail.get("signup") is True:
        if not mail.get("unsubscribe_key_env"):
            out.append(("signup", "`signup = true` needs `unsubscribe_key_env`: the confirmation's token is keyed "
                        "with that secret, so nobody can confirm an address they do not read",
                        'add unsubscribe_key_env = "CLIENT_UNSUBSCRIBE_KEY" under [mail] and set that variable to '
                        "a long random secret (e.g. from `openssl rand -hex 32`)"))
        if not mail.get("imap"):
            out.append(("signup", "`signup = true` needs `imap`: sign-up requests and their confirmations arrive "
                        "in the mailbox that mailbox pull reads",
                        'add imap = "imaps://imap.example.com:993" with imap_user_env and imap_password_env'))
    if "postal_address" in mail and (not isinstance(mail["postal_address"], str) or not mail["postal_address"].strip()):
        out.append(("postal_address", "`postal_address` must be the business's postal address",
                    'write it as postal_address = "Hauptstr. 1, 10115 Berlin"'))
    return out


def _setting_problems(mail: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Variable names, the rate, true/false settings."""
    out: list[tuple[str, str, str]] = []
    for key in ("username_env", "password_env", "imap_user_env", "imap_password_env"):
        if key in mail and not (isinstance(mail[key], str) and _ENV_RE.match(mail[key])):
            out.append((key, f"`{key}` must name an environment variable",
                        f'write e.g. {key} = "CLIENT_SMTP_{key.split("_")[0].upper()}" and set that variable'))
    if "rate_per_second" in mail:
        value = mail["rate_per_second"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            out.append(("rate_per_second", "`rate_per_second` must be a positive number", "write e.g. rate_per_second = 10"))
    for key in ("require_consent", "utm", "signup"):
        if key in mail and not isinstance(mail[key], bool):
            out.append((key, f"`{key}` must be true or false", f"write {key} = true"))
    return out


def _dkim_problems(mail: dict[str, Any]) -> list[tuple[str, str, str]]:
    """DKIM selectors and keys."""
    out: list[tuple[str, str, str]] = []
    if "dkim_selector" in mail:
        if not (isinstance(mail["dkim_selector"], str) and re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", mail["dkim_selector"])):
            out.append(("dkim_selector", "`dkim_selector` must be a DNS label such as \"sk2026\"",
                        'write dkim_selector = "sk2026" (the TXT record is at sk2026._domainkey.<domain>)'))
        elif not (mail.get("dkim_key_file") or mail.get("dkim_key_env")):
            out.append(("dkim_selector", "DKIM signing needs a private key: `dkim_key_file` or `dkim_key_env`",
                        'add dkim_key_env = "CLIENT_DKIM_KEY" (a variable holding the PEM key) or '
                        'dkim_key_file = "~/.keys/client-dkim.pem"'))
    if "dkim_ed25519_selector" in mail and not (isinstance(mail["dkim_ed25519_selector"], str) and re.match(
            r"^[A-Za-z0-9][A-Za-z0-9._-]*$", mail["dkim_ed25519_selector"])):
        out.append(("dkim_ed25519_selector", "`dkim_ed25519_selector` must be a DNS label such as \"sk2026e\"",
                    'write dkim_ed25519_selector = "sk2026e" (its TXT record holds k=ed25519)'))
    if "dkim_key_env" in mail and not (isinstance(mail["dkim_key_env"], str) and _ENV_RE.match(mail["dkim_key_env"])):
        out.append(("dkim_key_env", "`dkim_key_env` must name an environment variable",
                    'write e.g. dkim_key_env = "CLIENT_DKIM_KEY" and set that variable'))
    return out


def _service_problems(mail: dict[str, Any]) -> list[tuple[str, str, str]]:
    """SES and IMAP settings."""
    out: list[tuple[str, str, str]] = []
    for key in ("region", "configuration_set", "ses_events_queue", "dkim_domain", "dkim_key_file"):
        if key in mail and (not isinstance(mail[key], str) or not mail[key].strip()):
            out.append((key, f"`{key}` must be a non-empty string", f'write it as {key} = "..."'))
    if "endpoint_url" in mail:
        value = mail["endpoint_url"]
        if not isinstance(value, str) or not re.match(r"^https?://[^/\s]+", value):
            out.append(("endpoint_url", f"`endpoint_url` {value!r} is not an http(s) URL",
                        'write it as endpoint_url = "https://email.eu-central-1.amazonaws.com"'))
    if "imap" in mail:
        value = mail["imap"]
        parts = urlsplit(value) if isinstance(value, str) else None
        if parts is None or parts.scheme not in ("imaps", "imap") or not parts.hostname:
            out.append(("imap", f"`imap` {value!r} is not an imaps:// URL",
                        'write it as imap = "imaps://imap.example.com:993"'))
    return out


def parse_mail(table: Any, lines: Lines, path: str, problems: Problems) -> MailSettings:
    """The [mail] table as MailSettings; every problem goes to ``problems`` at its line (the
    settings returned then are the defaults)."""
    if not isinstance(table, dict):
        problems.error(path, lines.get(("", "mail")), "`mail` must be a table", "write it as [mail]")
        return MailSettings()
    check_keys(table, MAIL_KEYS, "mail", lines, path, problems)
    found = validate_mail(table)
    for key, message, fix in found:
        problems.error(path, lines.get(("mail", key)) or lines.get(("mail", "")), message, fix)
    if found:
        return MailSettings()
    transport, _, _ = parse_transport(table)
    assert transport is not None  # validate_mail found no transport problem, so there is one
    known = {k: v for k, v in table.items() if k in MAIL_KEYS and k not in ("from", "transport", "tls")}
    if "rate_per_second" in known:
        known["rate_per_second"] = float(known["rate_per_second"])
    for key in ("unsubscribe_mailto", "signup_mailto"):
        if key in known:
            known[key] = known[key].removeprefix("mailto:")
    return MailSettings(from_=table.get("from", ""), transport=transport, **known)
