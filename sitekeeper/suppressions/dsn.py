"""Delivery status notifications (RFC 3464 multipart/report; report-type=delivery-status).

``parse_dsn(message)`` is pure: an ``email.message.EmailMessage`` in, the recipients' fates
out, or ``MalformedDSN`` saying what is missing. Per recipient (RFC 3464 section 2.3):
``Action: failed`` with a 5.x.x ``Status`` is a permanent failure, with 4.x.x a temporary
one; ``delayed``, ``delivered``, ``relayed`` and ``expanded`` are news, not failures.
Where ``Status`` is missing, the SMTP reply in ``Diagnostic-Code`` (550 -> 5, 450 -> 4) decides.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr
from typing import cast

from ..config.mail import is_address, normalize_address

_STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_RE = re.compile(r"\b([245])\d\d\b")


class MalformedDSN(ValueError):
    pass


@dataclass(frozen=True)
class Fate:
    address: str
    """The failed recipient, normalised."""
    action: str
    """failed | delayed | delivered | relayed | expanded."""
    status: str
    """"5.1.1" ("" when neither Status nor Diagnostic-Code says)."""

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")

    @property
    def temporary(self) -> bool:
        return self.action == "failed" and self.status.startswith("4")


def is_dsn(message: Message) -> bool:
    return (message.get_content_type() == "multipart/report"
            and cast(str, message.get_param("report-type") or "").lower() == "delivery-status")


def _blocks(part: Message) -> list[dict[str, str]]:
    """The header blocks of a message/delivery-status part, field names lower-cased."""
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in cast("list[Message]", payload):
            blocks.append({k.lower(): str(v) for k, v in block.items()})
        # Some parsers keep everything in the first block; split it on blank lines below.
        if len(blocks) > 1 or not payload:
            return blocks
        text = cast(Message, payload[0]).as_string() if payload else ""
    else:
        raw = part.get_payload(decode=True)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
    blocks = []
    for chunk in re.split(r"\r?\n\s*\r?\n", text.strip()):
        if chunk.strip():
            blocks.append({k.lower(): str(v) for k, v in HeaderParser().parsestr(chunk.strip() + "\n").items()})
    return blocks


def parse_dsn(message: Message) -> list[Fate]:
    """Every per-recipient block of a DSN; raises MalformedDSN when there is none."""
    if not is_dsn(message):
        raise MalformedDSN("not a multipart/report; report-type=delivery-status")
    status_part = next((p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None)
    if status_part is None:
        raise MalformedDSN("it has no message/delivery-status part")
    fates = []
    for block in _blocks(status_part):
        recipient = block.get("final-recipient") or block.get("original-recipient")
        if not recipient and "action" not in block:
            continue  # the per-message block (Reporting-MTA, Arrival-Date)
        if not recipient:
            raise MalformedDSN("a recipient block has no Final-Recipient")
        kind, _, value = recipient.partition(";")
        address = normalize_address(parseaddr(value.strip() or kind.strip())[1] or value.strip())
        if not is_address(address):
            raise MalformedDSN(f"Final-Recipient {recipient.strip()!r} is not an address")
        action = block.get("action", "").strip().lower()
        if not action:
            raise MalformedDSN(f"the block of {address} has no Action")
        m = _STATUS_RE.search(block.get("status", ""))
        status = ".".join(m.groups()) if m else ""
        if not status and action == "failed":
            smtp = _SMTP_RE.search(block.get("diagnostic-code", ""))
            if smtp is None:
                raise MalformedDSN(f"the failure of {address} has no Status and no Diagnostic-Code")
            status = f"{smtp.group(1)}.0.0"
        fates.append(Fate(address, action, status))
    if not fates:
        raise MalformedDSN("it names no recipient (no Final-Recipient)")
    return fates
