"""One email message: headers and the two parts, ready for any transport.

Every message is multipart/alternative (text/plain, then text/html, both UTF-8 and
quoted-printable: MJML output has lines of thousands of characters), with From,
Reply-To, To, Subject (RFC 2047 when not ASCII), Date, a Message-ID derived from the
idempotency key (so a retry carries the same one), List-Id, Precedence: bulk (campaigns:
so auto-responders stay silent), List-Unsubscribe (mailto and
the https URL, plain ASCII on one line: folded, Python's email package would turn it into
an encoded-word that mail providers do not read) and List-Unsubscribe-Post. No header value
may hold a line break (``HeaderError``). ``message_bytes`` composes the bytes (CRLF) that
every transport sends as they are.

The unsubscribe token (tokens.py) is the address (base64url) and, with
``[mail] unsubscribe_key_env`` set, an HMAC of it keyed with the client's secret from that
environment variable: only sitekeeper can make one, so a request naming someone else's
address with a made-up token changes nothing. ``{token}`` in ``unsubscribe_url`` is replaced
by it, and the List-Unsubscribe mailto's subject carries it (``unsubscribe <address> <token>``).
The unsubscribe link in the email's body leads to the site's unsubscribe page with the same
token after ``#t=`` (``merge_record``), whose button is that same mailto.
"""
from __future__ import annotations

import binascii
import email
import email.policy
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, format_datetime, make_msgid, parseaddr
from functools import lru_cache
from urllib.parse import quote, urlsplit


def unsubscribe_token(address: str, key: bytes | None = None) -> str:
    from .tokens import make_token

    return make_token(address, key)


def token_address(token: str) -> str:
    from .tokens import token_address as address_of

    return address_of(token)


def unsubscribe_links(mail, address: str) -> tuple[str | None, str | None]:
    """(mailto URL, https URL) for ``address``; either may be None when not configured."""
    from .tokens import key_of

    mailto = url = None
    key = key_of(mail)
    token = unsubscribe_token(address, key)
    if mail.unsubscribe_mailto:
        box = mail.unsubscribe_mailto
        subject = f"unsubscribe {address} {token}" if key else f"unsubscribe {address}"
        mailto = f"mailto:{box}?subject={quote(subject)}"
    if mail.unsubscribe_url:
        url = mail.unsubscribe_url.replace("{token}", token)
    return mailto, url


def localized_from(cfg, from_: str, lang: str) -> str:
    """The From address with the display name in the email's language: when the name is the
    site's own name and ``[lang.<code>] name`` gives another, that one ("Sonnenkorn Bakery"
    for the English email). A name of a person, or any other name, is kept as written."""
    if not lang:
        return from_
    from ..config.business import text_for

    display, addr = parseaddr(from_)
    own = text_for(cfg, lang, "name")
    if addr and display == cfg.name and own and own != display:
        return formataddr((own, addr))
    return from_


def merge_record(fields: dict, address: str, mail, cfg=None, lang: str = "") -> dict:
    """The values merge fields see for one recipient. With the site's ``cfg`` and the email's
    ``lang``, the unsubscribe link is the site's unsubscribe page in that language with the
    reader's token (render/newsletter.py), when the site has one."""
    from ..render.newsletter import has_unsubscribe_page, unsubscribe_link

    if cfg is not None and has_unsubscribe_page(cfg):
        from .tokens import key_of

        page = unsubscribe_link(cfg, lang or cfg.default_language, unsubscribe_token(address, key_of(mail)))
        return {**fields, "email": address, "unsubscribe_url": page}
    mailto, url = unsubscribe_links(mail, address)
    return {**fields, "email": address, "unsubscribe_url": url or mailto or ""}


def sender(cfg, promo) -> tuple[str, str]:
    """(From, Reply-To) from [mail], the promotion's front matter overriding."""
    mail = cfg.mail
    meta = promo.meta if promo is not None else {}
    return str(meta.get("from") or mail.from_), str(meta.get("reply_to") or mail.reply_to)


HEADER_MAX = 998
"""RFC 5322's line limit: List-Unsubscribe stays on one plain line up to it."""


@dataclass(frozen=True)
class Outgoing:
    """One message ready for any transport: its bytes (CRLF, headers and both parts) and envelope."""

    data: bytes
    """The whole message as it goes on the wire (before SMTP dot-stuffing)."""
    sender: str
    """Envelope sender (MAIL FROM): the From address."""
    to: str
    """Envelope recipient."""
    message_id: str
    """The Message-ID header, <...>."""
    name: str
    """A file name stem for the outbox."""


class HeaderError(ValueError):
    """A header value that cannot go out (a line break in it)."""


def idempotency_key(client: str, slug: str, address: str) -> str:
    """Stable per campaign and normalised address: the ledger's key and the Message-ID's left part."""
    norm = normalise(address)
    return hashlib.sha256(f"{client}/{slug}\n{norm}".encode()).hexdigest()[:32]


def normalise(address: str) -> str:
    """The form duplicates are found by: stripped and lower-cased."""
    return address.strip().lower()


def _clean(name: str, value: str) -> str:
    value = str(value)
    if "\r" in value or "\n" in value:
        raise HeaderError(f"the {name} header would contain a line break: {value!r}")
    return value


@lru_cache(maxsize=256)  # a campaign has one subject per language: encode it once, not per message
def _encoded(name: str, value: str) -> str:
    """A text header (Subject), RFC 2047 when not ASCII, folded at 78."""
    value = _clean(name, value)
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, header_name=name).encode(linesep="\r\n")


_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$")


def _address(name: str, value: str) -> str:
    """An address header: a non-ASCII display name RFC 2047-encoded, the address as is."""
    if _PLAIN_ADDRESS.match(value):  # a recipient as audience.csv holds it: nothing to parse
        return value
    return _named_address(name, value)


@lru_cache(maxsize=64)  # From and Reply-To are the same for every message of a campaign
def _named_address(name: str, value: str) -> str:
    display, addr = parseaddr(_clean(name, value))
    if not addr:
        raise HeaderError(f"the {name} header {value!r} holds no address")
    return formataddr((display, addr), charset="utf-8") if display else addr


def _qp(text: str) -> bytes:
    body = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(body, quotetabs=False, istext=True, header=False).replace(b"\n", b"\r\n")


def message_bytes(cfg, promo, parts, to: str, now: datetime, *, message_id: str | None = None,
                  test: bool = False, dkim=None) -> Outgoing:
    """The message, composed by hand (the email package takes a millisecond per message; this
    takes a tenth of that): multipart/alternative, text then HTML, UTF-8 quoted-printable,
    CRLF; List-Unsubscribe plain on one line; optionally DKIM-signed."""
    from_, reply_to = sender(cfg, promo)
    from_ = localized_from(cfg, from_, parts.lang)
    domain = urlsplit(cfg.base_url).hostname or "localhost"
    if message_id is None:
        message_id = make_msgid(idstring=f"{promo.slug}-test" if promo else None, domain=domain)
    mailto, url = unsubscribe_links(cfg.mail, to)
    subject = ("[TEST] " if test else "") + parts.subject
    text_qp, html_qp = _qp(parts.text), _qp(parts.html)
    # the boundary follows the body (quoted-printable never holds "=_"), so two recipients of one
    # body get the same body bytes and the DKIM body hash is computed once for them
    boundary = "=_sk_" + hashlib.sha1(text_qp + b"\0" + html_qp).hexdigest()[:24]
    head = [f"From: {_address('From', from_)}"]
    if reply_to:
        head.append(f"Reply-To: {_address('Reply-To', reply_to)}")
    head += [f"To: {_address('To', to)}", f"Subject: {_encoded('Subject', subject)}",
             f"Date: {format_datetime(now)}", f"Message-ID: {_clean('Message-ID', message_id)}"]
    if promo is not None:
        head.append(f"List-Id: <{promo.slug}.{cfg.client}.{domain}>")
    unsub = ", ".join(f"<{_clean('List-Unsubscribe', u)}>" for u in (url, mailto) if u)
    if unsub:
        head.append(f"List-Unsubscribe: {unsub}")
    if url:
        head.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    if promo is not None:
        # bulk mail: out-of-office robots (and RFC 3834 responders) leave it unanswered
        head.append("Precedence: bulk")
        head.append(f"X-Sitekeeper-Campaign: {cfg.client}/{promo.slug}")
    head += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"']
    for line in head:
        if len(line) > HEADER_MAX:
            raise HeaderError(f"the header {line.split(':', 1)[0]} is {len(line)} characters long, "
                              f"over the limit of {HEADER_MAX}")
    part_head = "Content-Type: text/{}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    data = b"".join([
        "\r\n".join(head).encode("ascii"), b"\r\n\r\n",
        f"--{boundary}\r\n".encode(), part_head.format("plain").encode(), text_qp, b"\r\n",
        f"--{boundary}\r\n".encode(), part_head.format("html").encode(), html_qp, b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ])
    if dkim is not None:
        data = dkim.sign(data)
    envelope_from = _envelope(from_)
    stem = f"{to.replace('@', '_at_').replace('/', '_')}-{message_id.strip('<>').split('@')[0][:12]}"
    return Outgoing(data, envelope_from, to, message_id, stem)


@lru_cache(maxsize=64)
def _envelope(from_: str) -> str:
    return parseaddr(from_)[1]


def parse(data: bytes) -> EmailMessage:
    """The message as an object (for tests and previews)."""
    return email.message_from_bytes(data, policy=email.policy.SMTP)
