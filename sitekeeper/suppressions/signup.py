"""Sign-up by double opt-in, read from the client's mailbox: the kinds ``signup_request`` and
``signup_confirmed`` of ``mailbox pull`` (``[mail] signup = true``).

1. A request is a mail whose subject is the site's sign-up subject in one of its languages
   (render/newsletter.py: "Newsletter abonnieren", "Subscribe to the newsletter", …): the
   mailto of /newsletter/ and the footer block. Its sender gets a confirmation in that language
   (mail/confirmation.py, sent through mail/notice.py) whose Subject carries a token
   ``sk-<16 hex>.<22 base64url>``: the first part names the pending request (a hash of the
   address), the second is an HMAC, keyed with the client's secret (``unsubscribe_key_env``),
   of the address and the confirmation's Message-ID. The pending request is a sealed record in
   the state store (``<client>/signup/pending/<hash>.json``), never in a docroot. One address
   gets at most one confirmation a day, however often it is asked for.
2. A confirmation is any mail holding such a token (a reply to the confirmation carries it in
   its Subject): when it verifies for a pending request that is not older than
   ``PENDING_DAYS``, the address is appended to audience.csv (append-only, fsync'ed) with
   ``consented_at`` = when the confirmation was sent, ``lang`` = the page's language and
   ``consent_source`` (else ``source``) = ``double opt-in <Message-ID of the confirmation>``;
   the pending record is removed, so a second confirmation adds nothing. A token that does
   not verify adds nothing and is reported; automatic replies and bounces (which quote the
   confirmation's Subject) never confirm.
3. Pending requests whose last confirmation is older than ``PENDING_DAYS`` count for nothing
   (a late reply adds nothing; a new request gets a new confirmation) and are removed by the
   next pull that reads sign-up mail: they were never on audience.csv, so no campaign reached them.

An address on unsubscribed.csv that signs up again gets a confirmation like anyone, and only
the confirmed opt-in brings it back: its new row's ``consented_at`` is after the opt-out, and
`campaign send`, `check` and `campaign list` then count it as a recipient (mail/audience.py ``opted_in_again``); the pull says so.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from ..config.mail import is_address, normalize_address
from ..errors import Diagnostic, SitekeeperError, SuppressionError
from ..fsutil import append_durably
from ..state.keys import signup_pending_key, signup_pending_prefix
from .kinds import Claim, register

PENDING_DAYS = 30
"""An unconfirmed request is forgotten after this many days."""
RESEND_HOURS = 24
"""A new request for a pending address sends another confirmation only after this long."""
MAX_PER_PULL = 50
"""Confirmations one pull sends at most (the rest wait for the next pull): a flood of forged
requests cannot turn the client's mailbox into a mass mailer."""
TOKEN = re.compile(r"\bsk-([0-9a-f]{16})\.([A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])")
FORMULA_START = "=+-@"
"""An address beginning so is never signed up: Excel and LibreOffice read such a cell as a formula."""
NEW_HEADER = ("email", "name", "lang", "tags", "consented_at", "consent_source")


def address_hash(address: str) -> str:
    return hashlib.sha256(normalize_address(address).encode("utf-8")).hexdigest()[:16]


def _mac(key: bytes, address: str, message_id: str) -> str:
    import base64

    digest = hmac.new(key, f"signup\n{normalize_address(address)}\n{message_id}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:22]


def make_token(key: bytes, address: str, message_id: str) -> str:
    return f"sk-{address_hash(address)}.{_mac(key, address, message_id)}"


def pending_key(client: str, address: str | None = None, digest: str | None = None) -> str:
    return signup_pending_key(client, digest or address_hash(address or ''))


# ---------------------------------------------------------------- reading the mailbox (pure)


def _enabled(cfg) -> bool:
    return cfg is not None and bool(getattr(cfg.mail, "signup", False))


def _ordinary(message) -> tuple[str, str] | None:
    """(sender, subject) of a message a person wrote; None for bounces, complaints and robots."""
    from .bounces import is_arf, looks_like_bounce
    from .dsn import is_dsn
    from .messages import _header, is_automatic

    if is_dsn(message) or is_arf(message) or looks_like_bounce(message, _header) or is_automatic(message):
        return None
    return normalize_address(parseaddr(_header(message, "From"))[1]), _header(message, "Subject")


def _own_addresses(cfg) -> set[str]:
    from ..render.newsletter import signup_mailbox

    mail = cfg.mail
    values = (mail.from_, mail.reply_to, mail.unsubscribe_mailto or "", signup_mailbox(cfg))
    return {normalize_address(parseaddr(v)[1]) for v in values if v}


def classify_confirmation(message, raw: bytes, cfg) -> Claim | None:
    """A mail holding a sign-up token (its Subject, else its text): a confirmation to verify."""
    if not _enabled(cfg):
        return None
    found = _ordinary(message)
    if found is None:
        return None
    sender, subject = found
    if sender in _own_addresses(cfg):
        return None
    hit = TOKEN.search(subject)
    if hit is None:
        from .messages import body_text

        hit = TOKEN.search(body_text(message)[:20000])
    if hit is None:
        return None
    return Claim("signup_confirmed", {"digest": hit.group(1), "mac": hit.group(2), "sender": sender},
                 note=f"a sign-up confirmation from {sender}")


def classify_request(message, raw: bytes, cfg) -> Claim | None:
    """A mail whose subject is the site's sign-up subject in one of its languages."""
    if not _enabled(cfg):
        return None
    from ..render.newsletter import fold, signup_subjects

    found = _ordinary(message)
    if found is None:
        return None
    sender, subject = found
    folded = fold(subject)
    lang = next((lg for s, lg in signup_subjects(cfg).items() if s and s in folded), None)
    if lang is None or not is_address(sender) or sender in _own_addresses(cfg):
        return None
    from .phrases import find_request, languages_for

    if find_request(subject, languages_for(cfg.languages), subject=True):
        return None  # "unsubscribe … subscribe to the newsletter": an opt-out, for the built-in rules
    if sender[:1] in FORMULA_START:
        return None  # a spreadsheet would run it as a formula when audience.csv is opened: left alone
    from .messages import _header

    return Claim("signup_request", {"address": sender, "lang": lang,
                                    "request_id": _header(message, "Message-ID").strip()},
                 note=f"a sign-up request from {sender} ({lang})")


# ---------------------------------------------------------------- the pending requests


@dataclass
class Pending:
    address: str
    """Normalised."""
    lang: str
    """The language of the page the request came from."""
    requested_at: str
    """ISO time of the first request."""
    confirmations: list
    """[{"message_id": "<…>", "sent_at": ISO time}], oldest first."""

    def to_bytes(self) -> bytes:
        from ..state.record import seal

        body = {"address": self.address, "lang": self.lang, "requested_at": self.requested_at,
                "confirmations": self.confirmations}
        return seal(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))

    def last_sent(self) -> datetime | None:
        return datetime.fromisoformat(self.confirmations[-1]["sent_at"]) if self.confirmations else None


def load_pending(store, key: str) -> Pending | None:
    """The pending request at ``key`` (None: there is none); DamagedRecord when it cannot be read whole."""
    from ..state.record import damaged, load_json

    got = store.read(key)
    if got is None:
        return None
    where = store.describe(key)
    fix = "remove it (the person may ask again); nothing else depends on it"
    data = load_json(got[0], where, fix, "the pending sign-up")
    try:
        return Pending(str(data["address"]), str(data["lang"]), str(data["requested_at"]), list(data["confirmations"]))
    except (KeyError, TypeError) as exc:
        raise damaged(where, "the pending sign-up", f"it lacks {exc}", fix) from exc


def expire(store, client: str, now: datetime) -> int:
    """Remove pending requests whose last confirmation is older than PENDING_DAYS; how many."""
    gone = 0
    for key in store.list(signup_pending_prefix(client)):
        try:
            pending = load_pending(store, key)
        except SitekeeperError:
            continue  # reported when its address asks or confirms; never taken as expired
        last = pending.last_sent() if pending is not None else None
        if pending is not None and (last is None or now - last > timedelta(days=PENDING_DAYS)):
            store.delete(key)
            gone += 1
    return gone


def _expired(store, client: str, now: datetime) -> list:
    gone = expire(store, client, now)
    return [f"{gone} unconfirmed sign-up request{'s' if gone != 1 else ''} older than {PENDING_DAYS} days "
            "forgotten"] if gone else []


# ---------------------------------------------------------------- audience.csv


def _require_key(cfg) -> bytes:
    from ..mail.tokens import key_of

    key = key_of(cfg.mail)
    if key is None:
        name = cfg.mail.unsubscribe_key_env or "unsubscribe_key_env"
        raise SuppressionError(f"sign-up mail waits: the environment variable {name} (the secret that keys the "
                               "confirmation's token) is not set",
                               f"set {name} to the client's secret; the messages stay in the mailbox for the next pull",
                               path=cfg.path, line=cfg.line_of("mail", "unsubscribe_key_env"))
    return key


def _audience_state(ws, cfg, address: str, now: datetime) -> tuple[str, str]:
    """("listed" | "unsubscribed" | "new", when unsubscribed) for ``address`` on the client's lists."""
    from ..mail.audience import load_audience, load_unsubscribed, unsubscribed_now

    aud = load_audience(ws, cfg.client, now)
    optouts = load_unsubscribed(ws, cfg.client)
    rows = [s for s in aud.subscribers if normalize_address(s.email) == address]
    if any(s.consented and not unsubscribed_now(s, optouts) for s in rows) or (
            rows and not cfg.mail.require_consent and not any(unsubscribed_now(s, optouts) for s in rows)):
        return "listed", ""
    if address in optouts:
        times = [o.at for o in optouts.rows if o.address == address]
        return "unsubscribed", max(times) if times else ""
    return "new", ""


def append_subscriber(ws, cfg, address: str, lang: str, consented_at: str, source: str) -> bool:
    """Append one row to campaigns/<client>/audience.csv in the file's own columns, delimiter and
    line ending (a new file: NEW_HEADER), flushed and fsync'ed. False when a row of the address
    with this ``source`` is there already. A file it cannot append to whole (not UTF-8, no
    `email` or `consented_at` column, no `consent_source` or `source` column, a link out of the
    client's folder) is an error naming the fix; nothing is written then."""
    from ..config.csvtext import sniff_delimiter
    from ..config.paths import escape_of
    from ..mail.audience import _names

    folder = ws.campaigns_dir / cfg.client
    path = folder / "audience.csv"
    rel = ws.rel(path)
    values = {"email": address, "lang": lang, "consented_at": consented_at}
    if escape_of(path, folder):
        raise SuppressionError(f"{rel} is a link out of campaigns/{cfg.client}/: sign-ups are not appended to it",
                               "make it a plain file", path=rel)
    if not path.exists():
        values["consent_source"] = source
        data = (",".join(NEW_HEADER) + "\n" + _csv_line([values.get(c, "") for c in NEW_HEADER], ",", "\n")).encode()
        _append(path, rel, data)
        return True
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SuppressionError(f"{rel} is not UTF-8 text: a sign-up cannot be appended without mixing two encodings",
                               "re-save it as UTF-8 (in Excel: CSV UTF-8), then run again; the confirmation stays "
                               "in the mailbox", path=rel) from None
    first = text.split("\n", 1)[0].rstrip("\r")
    delimiter = sniff_delimiter(first)
    columns = _names(next(csv.reader([first], delimiter=delimiter), []))
    where = "consent_source" if "consent_source" in columns else "source" if "source" in columns else ""
    missing = [c for c in ("email", "consented_at") if c not in columns] + ([] if where else ["consent_source"])
    if missing:
        raise SuppressionError(f"{rel} has no `{'`, `'.join(missing)}` column: a confirmed sign-up cannot be recorded "
                               "with its consent", f"add the column{'s' if len(missing) > 1 else ''} to the header "
                               "(other rows may leave it empty), then run again", path=rel, line=1)
    values[where] = source
    idx = columns.index("email")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if len(row) == len(columns) and normalize_address(row[idx]) == address and source in row:
            return False
    newline = "\r\n" if "\r\n" in text else "\n"
    lead = "" if text.endswith(("\n", "\r")) or not text else newline
    _append(path, rel, (lead + _csv_line([values.get(c, "") for c in columns], delimiter, newline)).encode())
    return True


def _csv_line(cells: list[str], delimiter: str, newline: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerow(cells)
    return buf.getvalue()


def _append(path, rel: str, data: bytes) -> None:
    try:
        append_durably(path, data)
    except OSError as exc:
        raise SuppressionError(f"cannot append to {rel} ({exc.strerror})",
                               "check the folder's permissions and free space, then run again", path=rel) from exc


# ---------------------------------------------------------------- acting on them


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def act_requests(ws, cfg, claims, now: datetime, reporter) -> list:
    """Answer each request with a confirmation (at most one per address a day, MAX_PER_PULL a pull)."""
    from ..mail.confirmation import compose_confirmation
    from ..mail.notice import send_notice
    from ..state import open_workspace_store

    key = _require_key(cfg)
    store = open_workspace_store(ws)
    notes: list = _expired(store, cfg.client, now)
    sent = 0
    seen: set[str] = set()
    for claim, _ref in claims:
        address, lang = claim.data["address"], claim.data["lang"]
        if address in seen:
            continue
        seen.add(address)
        state, since = _audience_state(ws, cfg, address, now)
        if state == "listed":
            notes.append(f"sign-up request of {address}: already on audience.csv; no confirmation sent")
            continue
        pkey = pending_key(cfg.client, address)
        pending = load_pending(store, pkey)
        last = pending.last_sent() if pending is not None else None
        if last is not None and now - last < timedelta(hours=RESEND_HOURS):
            notes.append(f"sign-up request of {address}: a confirmation went out at {_stamp(last)}; not sent again "
                         f"within {RESEND_HOURS} hours")
            continue
        if sent >= MAX_PER_PULL:
            raise SuppressionError(f"{MAX_PER_PULL} sign-up confirmations sent in this pull; the other requests wait",
                                   "they are answered by the next pull")
        domain = parseaddr(cfg.mail.from_)[1].rpartition("@")[2] or None
        message_id = make_msgid("signup", domain=domain)
        token = make_token(key, address, message_id)
        msg = compose_confirmation(cfg, address, lang, token, PENDING_DAYS)
        msg["Message-ID"] = message_id
        previous = pending
        sent_now = [{"message_id": message_id, "sent_at": _stamp(now)}]
        pending = Pending(address, lang, previous.requested_at if previous else _stamp(now),
                          ((previous.confirmations if previous else []) + sent_now)[-5:])
        store.write(pkey, pending.to_bytes())  # first: a reply can only be verified against it
        try:
            send_notice(ws, cfg, msg, now=now, folder="signup", name=f"confirm-{address_hash(address)}-{now:%Y%m%dT%H%M%S}")
        except SitekeeperError:
            if previous is None:
                store.delete(pkey)
            else:
                store.write(pkey, previous.to_bytes())
            raise
        sent += 1
        again = f" (unsubscribed at {since}: only this confirmed opt-in brings the address back)" if state == "unsubscribed" else ""
        notes.append(f"sign-up request of {address} ({lang}): confirmation sent{again}")
        reporter.info(f"{cfg.client}: sign-up confirmation sent to {address} ({lang})")
    return notes


def act_confirmations(ws, cfg, claims, now: datetime, reporter) -> list:
    """Append each verified confirmation's address to audience.csv (once)."""
    from ..state import open_workspace_store

    key = _require_key(cfg)
    store = open_workspace_store(ws)
    notes: list = _expired(store, cfg.client, now)
    for claim, _ref in claims:
        digest, mac, sender = claim.data["digest"], claim.data["mac"], claim.data["sender"]
        pkey = pending_key(cfg.client, digest=digest)
        pending = load_pending(store, pkey)
        if pending is None:
            notes.append(f"sign-up confirmation from {sender}: no pending request for its token (confirmed before, "
                         f"expired after {PENDING_DAYS} days, or never asked for); nothing added")
            continue
        match = next((c for c in pending.confirmations
                      if hmac.compare_digest(_mac(key, pending.address, c["message_id"]), mac)), None)
        if match is None:
            notes.append(Diagnostic(cfg.path, None, f"a sign-up confirmation from {sender} carries a token that was "
                                    "not made for that request (forged or mistyped): nothing added",
                                    "nothing to do; the pending request stays until it is confirmed or expires",
                                    "warning"))
            continue
        sent_at = datetime.fromisoformat(match["sent_at"])
        if now - sent_at > timedelta(days=PENDING_DAYS):
            store.delete(pkey)
            notes.append(f"sign-up confirmation of {pending.address}: its request expired ({PENDING_DAYS} days after "
                         f"{match['sent_at']}); nothing added")
            continue
        state, since = _audience_state(ws, cfg, pending.address, now)
        if state == "listed":
            store.delete(pkey)
            notes.append(f"sign-up confirmation of {pending.address}: already on audience.csv; nothing added")
            continue
        added = append_subscriber(ws, cfg, pending.address, pending.lang, match["sent_at"],
                                  f"double opt-in {match['message_id']}")
        store.delete(pkey)
        if added:
            back = (f"; it was unsubscribed at {since}, and this confirmed opt-in brings it back"
                    if state == "unsubscribed" else "")
            notes.append(f"sign-up confirmed: {pending.address} ({pending.lang}) added to audience.csv{back}")
            reporter.info(f"{cfg.client}: {pending.address} confirmed the sign-up and was added to audience.csv")
    return notes


# A confirmation (a reply quoting the request's subject) is told before a request.
register("signup_confirmed", classify_confirmation, act_confirmations)
register("signup_request", classify_request, act_requests)
