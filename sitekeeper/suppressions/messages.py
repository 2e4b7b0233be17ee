"""What a message in the client's mailbox is: pure, bytes in, a ``Finding`` out.

In this order:

1. a delivery status notification (dsn.py): permanent failures and temporary ones become
   events; a DSN that cannot be read is left alone and reported (``warning``);
   a complaint report (ARF, RFC 5965) suppresses the complainer (``complaint abuse``);
   any other message that looks like a non-delivery notice is read by flufl.bounce
   (bounces.py: Exim, Postfix, Sendmail, qmail, Google, Microsoft, Yahoo and more);
2. an automatic message (``Auto-Submitted``, ``X-Autoreply``, ``Precedence: auto_reply``,
   an out-of-office): left alone, whatever it quotes;
3. a request to unsubscribe: sent to the ``unsubscribe_mailto`` address, or asking in the
   subject or the first lines of the text (before any quoted original, which would hold the
   campaign's own "unsubscribe" link) in one of the client's languages (phrases.py). The
   address is the one the List-Unsubscribe mailto names in its subject ("unsubscribe
   <address>"), else the sender's;
4. anything else: left alone (not marked, so the mailbox looks as before).
"""
from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from ..config.mail import is_address, normalize_address
from .bounces import detect, is_arf, looks_like_bounce, parse_arf
from .dsn import MalformedDSN, is_dsn, parse_dsn
from .events import BOUNCE, COMPLAINT, TEMPORARY, UNSUBSCRIBE, Event, Finding
from .phrases import find_request

FIRST_LINES = 5
"""How many non-empty lines of a reply are read for a request (the rest is usually quoted)."""
_QUOTE_START = re.compile(
    r"^\s*(?:>|-{2,}\s*(?:original|ursprüngliche|původní|pôvodná|originale|oorspronkelijk|mensaje original|message d'origine)"
    r"|_{5,}|(?:from|von|od|de|van|da|från|feladó|de la)\s*:\s|on .+ wrote:|am .+ schrieb|le .+ a écrit|"
    r"el .+ escribió|il .+ ha scritto|op .+ schreef|dne .+ napsal|w dniu .+ napisał|em .+ escreveu|în .+ a scris)",
    re.IGNORECASE)
_AUTO_SUBJECT = re.compile(r"\b(?:out of (?:the )?office|automatic reply|auto(?:matische)?[- ]?(?:reply|antwort)|"
                           r"abwesenheit|abwesenheitsnotiz|nepřítomnost|automatická odpověď|absence|"
                           r"afwezig|fuori sede|risposta automatica|respuesta automática|fuera de la oficina|"
                           r"resposta automática|automatyczna odpowiedź|házon kívül|automatikus válasz|răspuns automat)\b",
                           re.IGNORECASE)


@dataclass(frozen=True)
class Rules:
    languages: tuple[str, ...]
    """Languages whose phrases count (the client's, plus English)."""
    mailto: str = ""
    """The unsubscribe_mailto address, normalised ("" : none)."""
    own: frozenset[str] = frozenset()
    """The client's own addresses (from, reply_to, the mailto): never unsubscribed."""
    cfg: object = None
    """The client's site config, for registered classifiers (kinds.register)."""
    keyed: bool = False
    """``[mail] unsubscribe_key_env`` is set: a request naming an address other than its sender's
    counts only with a token made with ``key``."""
    key: bytes | None = None
    """The client's secret (None: the variable is unset; no named request then counts)."""


def parse_bytes(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _header(message, name: str) -> str:
    try:
        value = message.get(name)
        return str(value) if value is not None else ""
    except (ValueError, LookupError, UnicodeError, TypeError, IndexError):
        raw = message.get_all(name, failobj=[None])[0] if hasattr(message, "get_all") else None
        return str(raw or "")


def subject_of(raw: bytes) -> str:
    """The subject (its first 60 characters), to name a message in the report."""
    try:
        return _header(parse_bytes(raw.split(b"\r\n\r\n", 1)[0][:8192]), "Subject")[:60]
    except Exception:  # only a label: never a reason to fail
        return ""


def _when(message):
    try:
        value = _header(message, "Date")
        return parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None


def _text(part) -> str:
    """The decoded text of a part, in whatever charset it says (unknown charsets: Latin-1)."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, KeyError, AssertionError, ValueError):
        raw = part.get_payload(decode=True) or b""
        for charset in (part.get_content_charset() or "", "utf-8", "cp1252"):
            try:
                return raw.decode(charset) if charset else raw.decode("utf-8")
            except (LookupError, UnicodeError):
                continue
        return raw.decode("latin-1")


def body_text(message: EmailMessage) -> str:
    """The message's own text: its text/plain part, else its HTML with the tags taken out."""
    part = None
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, LookupError, ValueError):
        part = None
    if part is None:
        return ""
    text = _text(part)
    if part.get_content_subtype() == "html":
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"(?i)<blockquote\b.*", "", text, flags=re.S)  # the quoted original
        text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
        text = re.sub(r"<[^>]+>", " ", text)
        import html

        text = html.unescape(text)
    return text if isinstance(text, str) else ""


def first_lines(text: str, n: int = FIRST_LINES) -> str:
    """The first ``n`` non-empty lines, stopping where a quoted original begins."""
    out = []
    for line in text.splitlines():
        if _QUOTE_START.match(line):
            break
        if line.strip():
            out.append(line.strip())
            if len(out) >= n:
                break
    return "\n".join(out)


def is_automatic(message: EmailMessage) -> bool:
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    if _header(message, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk", "list"):
        return True
    return bool(_AUTO_SUBJECT.search(_header(message, "Subject")))


def _recipients(message) -> set[str]:
    values = [_header(message, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")]
    return {normalize_address(a) for _, a in getaddresses([v for v in values if v]) if a}


def _detected(message, ref: str, when) -> Finding | None:
    """A bounce in any MTA's dialect (bounces.py); None when no failed address was found."""
    permanent, temporary = detect(message)
    events = [Event(BOUNCE, a, status, when, f"{ref}#{i}") for i, (a, status) in enumerate(permanent)]
    events += [Event(TEMPORARY, a, status, when, f"{ref}#t{i}") for i, (a, status) in enumerate(temporary)]
    return Finding(True, events) if events else None


def _complaint(message, ref: str, when) -> Finding:
    found = parse_arf(message)
    if found is None:
        return Finding(False, note="a complaint report (ARF) that names no recipient; left in the mailbox for you "
                                   "to look at", warning=True)
    address, kind = found
    return Finding(True, [Event(COMPLAINT, address, kind, when, ref)])


def _claimed(message, raw: bytes, rules: Rules) -> Finding | None:
    """The first registered classifier's claim on the message (kinds.register); None: no claim."""
    from .kinds import registered

    for entry in registered():
        try:
            claim = entry.classify(message, raw, rules.cfg)
        except Exception as exc:  # one module's classifier must not stop the whole pull
            return Finding(False, note=f"the {entry.kind} reader failed on it ({exc.__class__.__name__}: {exc}); "
                                       "left in the mailbox", warning=True)
        if claim is not None:
            return Finding(not getattr(claim, "leave", False), note=claim.note, claim=claim,
                           warning=getattr(claim, "warning", False))
    return None


def _forged(rules: Rules, address: str, sender: str, token: str | None) -> str:
    """Why a request to unsubscribe ``address`` is not believed ("" : it is)."""
    if not rules.keyed:
        return ""
    from ..mail.tokens import verify

    if token and rules.key is not None and verify(token, address, rules.key):
        return ""
    if address == sender and not token:
        return ""  # the person asked from their own address
    why = "its token does not match the address" if token else "it carries no token"
    return (f"asks to unsubscribe {address} but {why} (not made by sitekeeper for that address): nothing "
            "changed; left in the mailbox for you to look at")


def classify(raw: bytes, rules: Rules) -> Finding:
    try:
        message = parse_bytes(raw)
    except Exception as exc:  # the parser is lenient; this is a last guard for one message
        return Finding(False, note=f"cannot be read as an email ({exc.__class__.__name__})", warning=True)
    claimed = _claimed(message, raw, rules)
    if claimed is not None:
        return claimed
    ref = _header(message, "Message-ID").strip()
    when = _when(message)
    if is_arf(message):
        return _complaint(message, ref, when)
    if is_dsn(message):
        try:
            fates = parse_dsn(message)
        except MalformedDSN as exc:
            found = _detected(message, ref, when)
            if found is not None:
                return found
            return Finding(False, note=f"a delivery status notification that cannot be read: {exc}; left in the "
                                       "mailbox for you to look at", warning=True)
        events = []
        for i, fate in enumerate(fates):
            if fate.permanent:
                events.append(Event(BOUNCE, fate.address, fate.status, when, f"{ref}#{i}"))
            elif fate.temporary:
                events.append(Event(TEMPORARY, fate.address, fate.status, when, f"{ref}#{i}"))
        if not events:
            actions = ", ".join(sorted({f.action for f in fates}))
            return Finding(True, note=f"delivery status notification ({actions}): nothing to suppress")
        return Finding(True, events)
    if looks_like_bounce(message, _header):
        found = _detected(message, ref, when)
        if found is not None:
            return found
    if is_automatic(message):
        return Finding(False, note="an automatic reply: left alone")
    sender = normalize_address(parseaddr(_header(message, "From"))[1])
    subject = _header(message, "Subject")
    to_mailto = bool(rules.mailto) and rules.mailto in _recipients(message)
    phrase = find_request(subject, rules.languages, subject=True)
    if phrase is None and not to_mailto:
        phrase = find_request(first_lines(body_text(message)), rules.languages)
    if phrase is None and not to_mailto:
        return Finding(False)
    named = re.search(r"unsubscribe\s+<?([^\s<>]+@[^\s<>]+)>?(?:\s+([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?))?",
                      subject, re.IGNORECASE)
    address = normalize_address(named.group(1)) if named and is_address(normalize_address(named.group(1))) else sender
    forged = _forged(rules, address, sender, named.group(2) if named else None)
    if forged:
        return Finding(False, note=forged, warning=True)
    if not is_address(address):
        return Finding(False, note=f"asks to unsubscribe but names no valid address ({address or 'no From'})",
                       warning=True)
    if address in rules.own:
        return Finding(False, note=f"from the client's own address {address}: left alone")
    detail = "mailto" if to_mailto else f"reply: {phrase}"
    return Finding(True, [Event(UNSUBSCRIBE, address, detail, when, ref)])
