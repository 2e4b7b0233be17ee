"""One service message to one person, through the client's own transport.

A notice is not a campaign: it has no audience, no ledger, no ``List-Unsubscribe`` and no
``Precedence: bulk``; it is the month's report, an approval request, the confirmation of an
approval, a sign-up confirmation. The caller writes the message (``To``, ``Subject``, the
body and any attachment, any header of its own such as ``Auto-Submitted``) as an
``email.message.EmailMessage``; ``send_notice`` fills in what every notice carries when the
caller did not set it:

    From        [mail] from (an error naming site.toml when it is not set)
    Reply-To    [mail] reply_to, when set
    Date        now
    Message-ID  a new one on the From address's domain

then serialises it (CRLF, lines up to 998 characters, so no header turns into an encoded-word),
signs it with the client's DKIM key when ``[mail] dkim_selector`` is set, and sends it through
the transport of ``[mail] transport`` (outbox, SMTP or SES), or the one given. It returns a
``SentNotice`` with the id the server gave: the SMTP server's queue id ("queued as …"; its
whole answer when it names none), SES's MessageId, or the outbox file's path.

    from email.message import EmailMessage
    from sitekeeper.mail.notice import send_notice

    msg = EmailMessage()
    msg["To"] = "owner@example.com"
    msg["Subject"] = "Please confirm"
    msg.set_content("…")
    sent = send_notice(ws, cfg, msg)        # sent.id, sent.message_id, sent.transport

Errors are the transports' (``MailError`` and its kinds, see transport.py), and a
``ProblemsError`` for a message that cannot go (no From, not exactly one recipient, a header
with a line break).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr

from ..errors import Diagnostic, ProblemsError
from .message import Outgoing

QUEUED = re.compile(r"queued as\s+([A-Za-z0-9._-]+)", re.I)


@dataclass(frozen=True)
class SentNotice:
    to: str
    """The one recipient (the address alone)."""
    subject: str
    """The Subject as written."""
    message_id: str
    """The Message-ID header, <...>."""
    transport: str
    """The transport's name: outbox, smtp://host:port, ses."""
    id: str
    """What the transport said: the SMTP queue id (or its whole answer), SES's MessageId, the outbox path."""

    def as_json(self) -> dict:
        return {"to": self.to, "subject": self.subject, "message_id": self.message_id,
                "transport": self.transport, "id": self.id}


def compose_notice(ws, cfg, msg: EmailMessage, now: datetime | None = None, name: str | None = None,
                   sign: bool = True) -> Outgoing:
    """The message's bytes and envelope, with From, Reply-To, Date and Message-ID filled in
    (``msg`` is changed in place), DKIM-signed when the client signs (``sign``)."""
    import email.policy

    now = now or datetime.now(timezone.utc)
    if msg["From"] is None:
        if not cfg.mail.from_:
            raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("mail") or None,
                                            "the message cannot be sent: [mail] from is not set",
                                            'add `from = "Name <news@example.com>"` under [mail]')])
        msg["From"] = cfg.mail.from_
    if msg["Reply-To"] is None and cfg.mail.reply_to:
        msg["Reply-To"] = cfg.mail.reply_to
    if msg["Date"] is None:
        msg["Date"] = format_datetime(now)
    sender = parseaddr(str(msg["From"]))[1]
    if msg["Message-ID"] is None:
        msg["Message-ID"] = make_msgid("notice", domain=sender.rpartition("@")[2] or None)
    to = [a for _, a in getaddresses([str(v) for v in msg.get_all("To", [])]) if a]
    if len(to) != 1 or msg.get_all("Cc") or msg.get_all("Bcc"):
        raise ProblemsError([Diagnostic("To", None, f"a notice goes to exactly one address, not {len(to)}",
                                        "give one address")])
    message_id = str(msg["Message-ID"])
    try:
        data = msg.as_bytes(policy=email.policy.SMTP.clone(max_line_length=998))
    except ValueError as exc:  # a header with a line break, say
        raise ProblemsError([Diagnostic("the message", None, f"it cannot be written: {exc}",
                                        "remove line breaks from the header values")]) from exc
    if sign:
        from .dkim import signer_for

        signer = signer_for(ws, cfg)
        if signer is not None:
            data = signer.sign(data)
    stem = name or f"{to[0].replace('@', '_at_').replace('/', '_')}-{message_id.strip('<>').split('@')[0][:16]}"
    return Outgoing(data, sender, to[0], message_id, stem)


def send_notice(ws, cfg, msg: EmailMessage, *, transport=None, now: datetime | None = None,
                folder: str = "notices", name: str | None = None, sign: bool = True) -> SentNotice:
    """Send ``msg`` (see the module's docstring) and say what the server answered.

    ``transport``: one from ``transport.open_transport`` (default: the client's, its outbox
    writing under outbox/<client>/<folder>/); it is opened and closed here. ``name``: the
    outbox file's stem."""
    now = now or datetime.now(timezone.utc)
    out = compose_notice(ws, cfg, msg, now, name, sign)
    if transport is None:
        from .transport import open_transport

        transport = open_transport(ws, cfg, label=f"{now:%Y%m%dT%H%M%S}", folder=folder)
    try:
        transport.open()
        delivered = transport.send(out)
    finally:
        transport.close()
    reply = getattr(transport, "last_reply", "")
    found = QUEUED.search(reply or "")
    return SentNotice(out.to, str(msg["Subject"] or ""), out.message_id, transport.name,
                      found.group(1) if found else (reply or delivered))
