"""Bounces that are not RFC 3464 reports, and complaints (ARF, RFC 5965): pure, message in, events out.

The plain-text and HTML bounces of Exim, Postfix, Sendmail, qmail, Google, Microsoft
Exchange/365, Yahoo and many more are read by flufl.bounce (Mailman's detectors):
``all_failures`` answers (temporary, permanent) address sets. A message is handed to it only
when it looks like a non-delivery notice (from MAILER-DAEMON or postmaster, an empty
Return-Path, a report, a failure subject), so an ordinary letter quoting an address is never
read as a bounce. The status ("5.1.1") is taken from the text where it stands; else "".

An ARF report (multipart/report; report-type=feedback-report) names the complainer in
``Original-Rcpt-To`` of its machine part, else in the To of the original it carries; its
``Feedback-Type`` (abuse, fraud, ...) is the detail.
"""
from __future__ import annotations

import re
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr
from typing import cast

from ..config.mail import is_address, normalize_address

_DAEMONS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "mdaemon", "mail.delivery.system",
            "mail-delivery-system", "mail-delivery-subsystem", "bounce", "bounces", "nobody"}
_FAILURE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status notification|failure|has failed|notification)|failure (?:notice|delivery)|"
    r"returned mail|mail delivery failed|delivery failed|non[- ]?delivery|could not be delivered|"
    r"unzustellbar|nicht zustellbar|non remis|non recapitabile|no se puede entregar|nedoručitel",
    re.IGNORECASE)
_STATUS = re.compile(r"(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d.])")


def looks_like_bounce(message: Message, header) -> bool:
    """True for what a mail server sends back about a delivery, not for a person's letter."""
    if message.get_content_type() == "multipart/report":
        return True
    local = parseaddr(header(message, "From"))[1].partition("@")[0].lower()
    if local in _DAEMONS:
        return True
    path = header(message, "Return-Path").strip()
    if path == "<>" or path.strip("<>").lower().startswith("mailer-daemon"):
        return True
    return bool(_FAILURE_SUBJECT.search(header(message, "Subject")))


def _status_for(text: str, address: str, permanent: bool) -> str:
    """The status code nearest after the address in the text, of the right class; "" if none."""
    want = "5" if permanent else "4"
    at = text.lower().find(address.lower())
    for start in ((at, 0) if at >= 0 else (0,)):
        for m in _STATUS.finditer(text, start):
            if m.group(1) == want:
                return ".".join(m.groups())
    return ""


def _all_text(message: Message) -> str:
    out = []
    for part in message.walk():
        if part.is_multipart():
            continue
        raw = part.get_payload(decode=True)
        if isinstance(raw, bytes):
            out.append(raw.decode(part.get_content_charset() or "utf-8", "replace")
                       if _known(part.get_content_charset()) else raw.decode("latin-1"))
    return "\n".join(out)


def _known(charset: str | None) -> bool:
    import codecs

    try:
        codecs.lookup(charset or "utf-8")
        return True
    except LookupError:
        return False


def detect(message: Message) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(permanent, temporary) failures as (address, status) pairs; both empty when none was found."""
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(message)
    except Exception:  # a detector that trips over a strange message: nothing found, as Mailman does
        return [], []
    text = _all_text(message)
    perm, temp = [], []
    for raw in sorted(permanent):
        address = normalize_address(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
        if is_address(address):
            perm.append((address, _status_for(text, address, True)))
    for raw in sorted(temporary - permanent):
        address = normalize_address(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
        if is_address(address) and address not in {a for a, _ in perm}:
            temp.append((address, _status_for(text, address, False)))
    return perm, temp


def is_arf(message: Message) -> bool:
    return (message.get_content_type() == "multipart/report"
            and cast(str, message.get_param("report-type") or "").lower() == "feedback-report")


def parse_arf(message: Message) -> tuple[str, str] | None:
    """(complainer, feedback type) of an ARF report; None when it names nobody."""
    fields: dict[str, str] = {}
    original_to = ""
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/feedback-report":
            payload = part.get_payload()
            if isinstance(payload, list):
                for block in cast("list[Message]", payload):
                    fields.update({k.lower(): str(v) for k, v in block.items()})
            else:
                raw = part.get_payload(decode=True)
                text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
                fields.update({k.lower(): str(v) for k, v in HeaderParser().parsestr(text).items()})
        elif ctype in ("message/rfc822", "text/rfc822-headers") and not original_to:
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                original_to = str(cast(Message, inner[0]).get("To") or "")
            else:
                raw = part.get_payload(decode=True)
                text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(inner)
                original_to = str(HeaderParser().parsestr(text).get("To") or "")
    kind = (fields.get("feedback-type") or "abuse").strip().lower() or "abuse"
    named = fields.get("original-rcpt-to") or fields.get("removal-recipient") or original_to
    for _, addr in getaddresses([named]):
        address = normalize_address(addr)
        if is_address(address):
            return address, kind
    return None
