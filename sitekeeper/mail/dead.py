"""Which refusals at send time mean the mailbox is gone: pure, the server's answer in, a status out.

An answer whose enhanced status code (RFC 3463) says the mailbox does not exist or is disabled
(``DEAD``) marks the address dead for the whole client, not just for this campaign; a 550
without an enhanced code counts only when its text says so ("user unknown", "no such user").
Every other 5xx stays in the campaign's ledger as before: a full mailbox, a message refused as
spam or a policy block are about this message, not about the address.
"""
from __future__ import annotations

import re

DEAD = frozenset({"5.1.1", "5.1.2", "5.1.6", "5.1.10", "5.2.1"})
"""Bad mailbox, bad domain, mailbox moved, null MX (RFC 7505), mailbox disabled."""
_STATUS = re.compile(r"(?<![\d.])(5\.\d{1,3}\.\d{1,3})(?![\d.])")
_UNKNOWN = re.compile(r"\b550\b.*\b(?:user unknown|unknown user|no such (?:user|mailbox)|mailbox (?:does not|doesn't) "
                      r"exist|recipient (?:address )?rejected: user unknown|address rejected|does not exist)",
                      re.IGNORECASE | re.S)


def dead_status(answer: str) -> str | None:
    """"5.1.1" when ``answer`` (the server's reply to this recipient) says the mailbox is gone; else None."""
    text = answer.strip()
    m = _STATUS.search(text)
    if m:
        return m.group(1) if m.group(1) in DEAD else None
    return "5.1.1" if _UNKNOWN.search(text) else None
