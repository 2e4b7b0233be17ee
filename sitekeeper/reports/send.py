"""`report CLIENT --send`: the month's report mailed to the client, and the send recorded.

The message is the report's HTML as the body (a short text part beside it) with the PDF
attached, in the report's language, from [mail] from through the client's own transport, to
[business] email or ``--to``. The state store keeps each period's send under
``reports/<client>/sent/<period>.json`` (when, to whom, the server's queue id for SMTP or
SES's MessageId) and the client's latest under ``reports/<client>/last.json``, which
`status` shows and `tick` reads to send a month's report once.
"""
from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from ..errors import Diagnostic, ProblemsError
from ..state.keys import report_last_key as last_key, report_sent_key as sent_key


def recipient(cfg, to: str | None) -> str:
    """--to, else [business] email; an error naming site.toml when neither is there."""
    from ..config.mail import is_address

    if to is not None:
        if not is_address(to.strip()):
            raise ProblemsError([Diagnostic("--to", None, f"{to!r} is not an email address",
                                            "give one address, e.g. --to owner@example.com")])
        return to.strip()
    email = cfg.business.email if cfg.business is not None else ""
    if not email:
        raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("business") or None,
                                        "the report has nowhere to go: [business] email is not set",
                                        'add `email = "owner@example.com"` under [business], or pass --to ADDR')])
    return email


def compose(cfg, report, html: str, pdf: Path | None, to: str, now: datetime) -> EmailMessage:
    """The report as one message (pure but for reading the PDF's bytes); mail.notice sends it."""
    import email.policy

    from . import words
    from .html import period_label

    if not cfg.mail.from_:
        raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("mail") or None,
                                        "the report cannot be sent: [mail] from is not set",
                                        'add `from = "Name <news@example.com>"` under [mail]')])
    lang = report.lang
    title = words.say(lang, "title")
    shown = period_label(report)
    sender = parseaddr(cfg.mail.from_)[1]
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = cfg.mail.from_
    msg["To"] = to
    if cfg.mail.reply_to:
        msg["Reply-To"] = cfg.mail.reply_to
    msg["Subject"] = f"{title} {shown} – {report.name}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("report", domain=sender.rpartition("@")[2] or None)
    msg["Content-Language"] = lang
    msg.set_content(f"{title} – {report.name}\n{words.say(lang, 'period')}: {shown}\n")
    msg.add_alternative(html, subtype="html")
    if pdf is not None:
        msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return msg


def send_report(transport, cfg, store, report, written, to: str, now: datetime, ws=None) -> dict:
    """Mail it through ``transport`` (the client's, from open_transport) and record the send."""
    from ..mail.notice import send_notice

    html = written.html.read_text(encoding="utf-8")
    msg = compose(cfg, report, html, written.pdf, to, now)
    sent = send_notice(ws, cfg, msg, transport=transport, now=now, name=f"report-{report.period.slug}")
    record = {"client": cfg.client, "period": report.period.slug, "to": to, "sent_at": now.isoformat(),
              "subject": sent.subject, "lang": report.lang, "transport": sent.transport,
              "message_id": sent.message_id, "pdf": written.pdf is not None,
              # SMTP: the server's queue id (or its whole answer when it names none); SES: its MessageId
              "id": sent.id}
    blob = json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")
    store.write(sent_key(cfg.client, report.period.slug), blob)
    store.write(last_key(cfg.client), blob)
    return record


def last_sent(store, client: str) -> dict | None:
    """The client's last report sent (None: none recorded); a damaged record is an error."""
    from ..errors import StateError

    got = store.read(last_key(client))
    if got is None:
        return None
    try:
        value = json.loads(got[0])
        if not isinstance(value, dict):
            raise ValueError("not an object")
        return value
    except ValueError as exc:
        raise StateError(f"{store.describe(last_key(client))}: the record of the last report sent cannot be read "
                         f"({exc})", "remove it; the next `report --send` writes it again") from exc


def already_sent(store, client: str, period_slug: str) -> bool:
    return store.read(sent_key(client, period_slug)) is not None
