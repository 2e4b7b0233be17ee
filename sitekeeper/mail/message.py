"""One email message: headers and the two parts, ready for any transport.

Every message is multipart/alternative (text/plain, then text/html, both UTF-8 and
quoted-printable: MJML output has lines of thousands of characters), with From,
Reply-To, To, Subject (RFC 2047 by email.policy), Date, a Message-ID on the client's
domain and List-Unsubscribe. Transports serialise with ``email.policy.SMTP`` (CRLF).

The unsubscribe token is base64url of the lower-cased address without padding. It is
not a secret (anyone can compute it); an unsubscribe endpoint should treat it as an
identifier only. ``{token}`` in ``unsubscribe_url`` is replaced by it.
"""
from __future__ import annotations

import base64
import email.policy
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import quote, urlsplit


def unsubscribe_token(address: str) -> str:
    return base64.urlsafe_b64encode(address.strip().lower().encode()).decode().rstrip("=")


def token_address(token: str) -> str:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


def unsubscribe_links(mail, address: str) -> tuple[str | None, str | None]:
    """(mailto URL, https URL) for ``address``; either may be None when not configured."""
    mailto = url = None
    if mail.unsubscribe_mailto:
        box = mail.unsubscribe_mailto
        mailto = f"mailto:{box}?subject={quote('unsubscribe ' + address)}"
    if mail.unsubscribe_url:
        url = mail.unsubscribe_url.replace("{token}", unsubscribe_token(address))
    return mailto, url


def merge_record(fields: dict, address: str, mail) -> dict:
    """The values merge fields see for one recipient."""
    mailto, url = unsubscribe_links(mail, address)
    return {**fields, "email": address, "unsubscribe_url": url or mailto or ""}


def sender(cfg, promo) -> tuple[str, str]:
    """(From, Reply-To) from [mail], the promotion's front matter overriding."""
    mail = cfg.mail
    meta = promo.meta if promo is not None else {}
    return str(meta.get("from") or mail.from_), str(meta.get("reply_to") or mail.reply_to)


def build_message(cfg, promo, parts, to: str, now: datetime, test: bool = False) -> EmailMessage:
    from_, reply_to = sender(cfg, promo)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = from_
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["To"] = to
    msg["Subject"] = ("[TEST] " if test else "") + parts.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(idstring=f"{promo.slug}" if promo else None, domain=urlsplit(cfg.base_url).hostname)
    mailto, url = unsubscribe_links(cfg.mail, to)
    msg["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in (url, mailto) if u)
    if url:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["MIME-Version"] = "1.0"
    if promo is not None:
        msg["X-Sitekeeper-Campaign"] = f"{cfg.client}/{promo.slug}"
    msg.set_content(parts.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(parts.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    return msg.as_bytes(policy=email.policy.SMTP)
