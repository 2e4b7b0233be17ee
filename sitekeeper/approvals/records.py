"""Approval requests in the state store: one sealed record each, and the token that names it.

``approvals/<client>/<slug>/<id>.json`` holds one request (state/record.py's checksum
trailer: a damaged record stops the work, it is never read as "no request"): its token, the
address it went to, when, the language of the note, the campaign's approval hash then, the
request's Message-ID and the transport's id, and, once answered, the answers read
(``answers``: each reply's Message-ID, what it was, when) and ``state``.

The token is ``ska-`` + an 8-character id (random) + a 14-character MAC: HMAC-SHA256, keyed with
the client's secret (the variable named by ``[mail] unsubscribe_key_env``: one secret per
client keys every token sitekeeper makes for it), over the campaign, the approval hash, the
address and the id, in base32. Only sitekeeper can make one, and a token names exactly one
request for one text: a reply carrying a made-up token, or one whose record was altered,
approves nothing.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from ..state.keys import approval_key, approvals_prefix
from ..state.record import load_json, seal

TOKEN = re.compile(r"\bska-([a-z2-7]{8})([a-z2-7]{14})\b", re.I)
FIX = "remove the damaged record (the request is then forgotten) and ask again with `sitekeeper campaign request-approval`"


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=").lower()


def _mac(key: bytes, campaign: str, approval_hash: str, to: str, ident: str) -> str:
    msg = "\0".join(("sitekeeper-approval", campaign, approval_hash, to.strip().lower(), ident)).encode()
    return _b32(hmac.new(key, msg, hashlib.sha256).digest())[:14]


def make_token(key: bytes, campaign: str, approval_hash: str, to: str) -> str:
    ident = _b32(secrets.token_bytes(5))
    return f"ska-{ident}{_mac(key, campaign, approval_hash, to, ident)}"


def find_token(text: str) -> str | None:
    """The first token in ``text`` (a Subject, In-Reply-To, a reply's body), lower-cased."""
    m = TOKEN.search(text or "")
    return m.group(0).lower() if m else None


def token_id(token: str) -> str:
    return token[4:12]


def genuine(token: str, key: bytes | None, req: "Request") -> bool:
    """The token was made with ``key`` for exactly this request (campaign, hash, address)."""
    if key is None or not hmac.compare_digest(token, req.token):
        return False
    return hmac.compare_digest(token[12:], _mac(key, req.campaign, req.approval_hash, req.to, token_id(token)))


@dataclass
class Request:
    token: str
    """ska-…: in the Subject, the Message-ID and the text of the request."""
    campaign: str
    """client/slug."""
    to: str
    """The address asked (only a reply from it counts)."""
    requested_at: str
    """ISO 8601, the site's timezone."""
    approval_hash: str
    """The campaign's approval hash when it was asked."""
    lang: str
    """The language of the note (and of the confirmations)."""
    title: str = ""
    """The promotion's title, for the confirmations."""
    subject: str = ""
    """The request's Subject."""
    message_id: str = ""
    """The request's Message-ID."""
    sent_id: str = ""
    """The transport's id (SMTP queue id, SES MessageId, outbox path)."""
    state: str = "requested"
    """sending (not yet taken by the transport) | requested | approved | declined | changed."""
    answers: list = field(default_factory=list)
    """Replies read: {message_id, kind, at, by, text}."""

    @property
    def client(self) -> str:
        return self.campaign.split("/", 1)[0]

    @property
    def slug(self) -> str:
        return self.campaign.split("/", 1)[1]

    def as_json(self) -> dict:
        return dict(self.__dict__)


def key_for(client: str, slug: str, ident: str) -> str:
    return approval_key(client, slug, ident)


def save(store, req: Request) -> None:
    blob = json.dumps(req.as_json(), ensure_ascii=False, indent=1).encode("utf-8")
    store.write(key_for(req.client, req.slug, token_id(req.token)), seal(blob))


def _parse(data: bytes, where: str) -> Request:
    from ..state.record import damaged

    value = load_json(data, where, FIX, "the approval request")
    try:
        return Request(**value)
    except TypeError as exc:
        raise damaged(where, "the approval request", f"it does not hold a request ({exc})", FIX) from exc


def load(store, client: str, slug: str, ident: str) -> Request | None:
    key = key_for(client, slug, ident)
    got = store.read(key)
    return None if got is None else _parse(got[0], store.describe(key))


def requests(store, client: str, slug: str | None = None) -> list[Request]:
    """The client's requests (of one campaign), oldest first; a damaged one raises DamagedRecord."""
    prefix = approvals_prefix(client, slug)
    out = []
    for key in store.list(prefix):
        if key.endswith(".json"):
            got = store.read(key)
            if got is not None:
                out.append(_parse(got[0], store.describe(key)))
    return sorted(out, key=lambda r: r.requested_at)


def find(store, client: str, token: str) -> Request | None:
    """The request ``token`` names, among the client's (None: no such request)."""
    ident = token_id(token)
    for key in store.list(approvals_prefix(client)):
        if key.endswith(f"/{ident}.json"):
            got = store.read(key)
            if got is not None:
                return _parse(got[0], store.describe(key))
    return None


def latest(store, client: str, asked: list[Request] | None = None) -> dict[str, Request]:
    """slug -> the campaign's latest request (of ``asked``, when the caller has read them)."""
    out: dict[str, Request] = {}
    for req in (asked if asked is not None else requests(store, client)):
        if req.state != "sending":  # a send that never finished is no request
            out[req.slug] = req
    return out


def requested_label(req: Request | None, current_hash: str) -> str:
    """"approval requested (2026-11-20)" while a request for the current text waits; "" otherwise."""
    if req is None or req.state in ("approved", "sending") or req.approval_hash != current_hash:
        return ""
    if req.state == "declined":
        return f"changes asked ({_day(req.answers[-1].get('at', '')) if req.answers else _day(req.requested_at)})"
    return f"approval requested ({_day(req.requested_at)})"


def _day(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).date().isoformat()
    except ValueError:
        return iso[:10]


def with_reply_approval(store, promo, asked: list[Request] | None = None):
    """``promo`` as approved when its front matter records no valid approval but the state
    store holds a reply that approved its text as it is now (a request answered yes, with the
    approval hash it still has): so a send from a runner that never saw the pull's edit of
    the front matter (a fresh CI checkout) still knows. Otherwise ``promo`` itself. ``asked``:
    the client's requests when the caller has read them already."""
    if promo.approval_state() == "approved":
        return promo
    current = promo.approval_hash()
    mine = [r for r in (asked if asked is not None else requests(store, promo.client, promo.slug))
            if r.slug == promo.slug]
    for req in reversed(mine):
        if req.state != "approved" or req.approval_hash != current:
            continue
        yes = next((a for a in reversed(req.answers) if a.get("kind") == "ok"), None)
        if yes is None:
            continue
        from dataclasses import replace

        return replace(promo, approved=True, approved_by=yes.get("by", ""), approved_at=yes.get("at", ""),
                       approved_hash=current)
    return promo
