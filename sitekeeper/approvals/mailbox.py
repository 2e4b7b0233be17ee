"""Replies to approval requests, read by `mailbox pull` (registered with suppressions.kinds).

A message is one of these when it carries a request's token (``ska-…``: in its Subject,
In-Reply-To, References or text) and is not an automatic one (an out-of-office, a bounce: the
built-in rules read those). Then, by what reply.py reads:

``approval``           from the address asked, the token genuine (made with the client's key for
                       that request), the campaign's text unchanged since (its approval hash is
                       the one the token is bound to), and a yes in her first line before the
                       quote: the approval is recorded in the promotion's front matter as
                       `campaign approve` does (approved_by = her name and address,
                       approved_at = the reply's Date, approved_hash = the token's hash) and in
                       the activity record; the request's record says so; she gets a
                       confirmation; the message is marked processed.
``approval_declined``  the same, but her words are not a yes: her text is reported as the
                       changes she asks for, she gets a confirmation that nothing is sent, and
                       the message is left in the mailbox as it was, for the VA to read.
``ignored``            a token that is not genuine (made up, or its record altered), a reply from
                       another address, or one after the text changed: nothing is approved; it
                       is reported as a problem (a warning) and left in the mailbox. After a
                       change, the address asked gets a note that a new proof will follow.

A reply read before (its Message-ID is among the request's answers) changes nothing again.
The confirmations go through mail/notice.py, in the language of the request, with
``Auto-Submitted: auto-replied`` and without the token (so a reply to them is no answer).
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage

from ..state.keys import approvals_prefix
from ..suppressions.kinds import Claim, register
from . import words
from .records import find_token

_LAST: dict = {}
"""The last message read (its sha256 and client -> what it was): the classifiers of the three
kinds read the same message in turn."""


def _token_of(message: EmailMessage) -> str | None:
    from ..suppressions.messages import _header, body_text

    heads = " ".join(_header(message, h) for h in ("Subject", "In-Reply-To", "References"))
    return find_token(heads) or find_token(body_text(message)[:20000])


def _automatic(message: EmailMessage) -> bool:
    from ..suppressions.bounces import is_arf, looks_like_bounce
    from ..suppressions.dsn import is_dsn
    from ..suppressions.messages import _header, is_automatic

    return is_automatic(message) or is_dsn(message) or is_arf(message) or looks_like_bounce(message, _header)


def _workspace(cfg):
    from ..config import find_workspace

    return find_workspace(cfg.root)


def _current_hash(ws, cfg, slug: str) -> str | None:
    from ..content.promotions import load_promotions

    promos, _ = load_promotions(ws, cfg)
    return next((p.approval_hash() for p in promos if p.slug == slug), None)


def read(message: EmailMessage, raw: bytes, cfg) -> dict | None:
    """What an approval reply is (see the module's docstring); None: not one."""
    if cfg is None:  # no client to read it for
        return None
    digest = (cfg.client, hashlib.sha256(raw).digest())
    if digest in _LAST:
        return _LAST[digest]
    out = _read(message, cfg)
    _LAST.clear()
    _LAST[digest] = out
    return out


def _elsewhere(store, token: str) -> bool:
    """Another client of this workspace has a request with this token's id."""
    from .records import token_id

    return any(key.endswith(f"/{token_id(token)}.json") for key in store.list(approvals_prefix()))


def _read(message: EmailMessage, cfg) -> dict | None:
    from ..mail.tokens import key_of
    from ..state import open_workspace_store
    from ..suppressions.messages import _header
    from .records import find, genuine
    from .reply import Pending, read_reply

    token = _token_of(message)
    if token is None or _automatic(message):
        return None
    ws = _workspace(cfg)
    store = open_workspace_store(ws)
    req = find(store, cfg.client, token)
    if req is None and _elsewhere(store, token):
        return None  # a reply to another client's request, in a mailbox the two share: that client reads it
    mid = _header(message, "Message-ID").strip()
    base = {"token": token, "message_id": mid}
    if req is None or not genuine(token, key_of(cfg.mail), req):
        why = "no request of this client has it" if req is None else (
            "it was not made with the client's key for that request" if key_of(cfg.mail) else
            f"the client's key ({cfg.mail.unsubscribe_key_env or 'unsubscribe_key_env'}) is not set, so it cannot be checked")
        return {**base, "kind": "ignored", "outcome": "forged",
                "note": f"a reply carrying the approval token {token}, which is not genuine ({why}): nothing approved; "
                        "left in the mailbox"}
    current = _current_hash(ws, cfg, req.slug)
    outcome = read_reply(message, [Pending(token, req.campaign, req.to, req.approval_hash)], lambda _c: current)
    data = {**base, "campaign": req.campaign, "by": outcome.by, "at": outcome.at, "text": outcome.text[:2000],
            "outcome": outcome.kind, "approval_hash": req.approval_hash}
    quoted = " ".join(outcome.text.split())[:160]
    if outcome.kind == "approved":
        return {**data, "kind": "approval", "note": f"{req.campaign}: approved by reply from {outcome.by}"}
    if outcome.kind == "declined":
        return {**data, "kind": "approval_declined",
                "note": f"{req.campaign}: {outcome.by} asks for changes: “{quoted}” (left in the mailbox)"}
    if outcome.kind == "wrong_sender":
        note = (f"{req.campaign}: a reply to the approval request from {outcome.by}, not from {req.to} who was "
                f"asked: nothing approved (“{quoted}”); left in the mailbox")
    else:
        note = (f"{req.campaign}: {outcome.by} answered (“{quoted}”) after the campaign's text changed: nothing "
                "approved; ask again with `sitekeeper campaign request-approval`; left in the mailbox")
    return {**data, "kind": "ignored", "note": note}


def _claim(kind: str):
    def classify(message, raw, cfg) -> Claim | None:
        got = read(message, raw, cfg)
        if got is None or got["kind"] != kind:
            return None
        return Claim(kind, got, got["note"], leave=kind != "approval", warning=kind == "ignored")

    classify.__name__ = f"classify_{kind}"
    return classify


classify_approval = _claim("approval")
classify_declined = _claim("approval_declined")
classify_other = _claim("ignored")


# ---------------------------------------------------------------- acting on them


def _reply_time(data: dict, cfg, now: datetime) -> datetime:
    try:
        return datetime.fromisoformat(data["at"]).astimezone(cfg.tz).replace(microsecond=0)
    except (KeyError, TypeError, ValueError):
        return now.replace(microsecond=0)


def _answered(req, data: dict) -> bool:
    return bool(data.get("message_id")) and any(a.get("message_id") == data["message_id"] for a in req.answers)


def _load(ws, cfg, data: dict):
    from ..state import open_workspace_store
    from .records import find

    store = open_workspace_store(ws)
    return store, find(store, cfg.client, data["token"])


def act_approval(ws, cfg, claims, now: datetime, reporter) -> None:
    from ..fsutil import atomic_write
    from ..mail.approval import approved_text
    from ..mail.campaign import find as find_campaign
    from ..state import activity
    from .records import save

    _LAST.clear()  # classification is over: the next pull reads afresh
    for claim, _ref in claims:
        data = claim.data
        store, req = _load(ws, cfg, data)
        if req is None or _answered(req, data):
            continue
        _, promo = find_campaign(ws, req.campaign, audience=False)
        if promo.approval_hash() != req.approval_hash:  # changed between reading and acting
            reporter.warn(f"{req.campaign}: the text changed while the reply was read; nothing approved")
            continue
        when = _reply_time(data, cfg, now)
        if promo.approval_state() == "approved" and promo.approved_hash == req.approval_hash:
            reporter.output(f"{req.campaign}: approved already; the reply from {data['by']} changes nothing")
        else:
            path = ws.root / promo.source
            atomic_write(path, approved_text(path.read_text(encoding="utf-8"), promo, data["by"], when).encode("utf-8"))
            activity.record(store, cfg.client, "approval", {"campaign": promo.slug, "approved_by": data["by"],
                                                           "approved_hash": req.approval_hash, "via": "reply"}, at=now)
            reporter.output(f"{req.campaign}: approved by {data['by']} by reply on {when.isoformat()} "
                            f"(recorded in {promo.source})")
        reporter.event("approval", campaign=req.campaign, approved_by=data["by"], approved_at=when.isoformat(),
                       approved_hash=req.approval_hash, file=promo.source)
        req.state = "approved"
        _confirm(ws, cfg, req, data, "ok", now, reporter, by=_shown(data["by"]), at=when)
        save(store, req)


def act_declined(ws, cfg, claims, now: datetime, reporter) -> None:
    from .records import save

    _LAST.clear()  # classification is over: the next pull reads afresh
    for claim, _ref in claims:
        data = claim.data
        store, req = _load(ws, cfg, data)
        if req is None or _answered(req, data):
            continue
        reporter.warn(f"{req.campaign}: {data['by']} asks for changes:\n    " + data["text"].replace("\n", "\n    "))
        reporter.event("approval_declined", campaign=req.campaign, by=data["by"], at=data["at"], text=data["text"])
        if req.state != "approved":
            req.state = "declined"
        _confirm(ws, cfg, req, data, "no", now, reporter)
        save(store, req)


def act_other(ws, cfg, claims, now: datetime, reporter) -> None:
    """After a change, the address asked hears that a new proof follows; nothing else is sent."""
    from .records import save

    _LAST.clear()  # classification is over: the next pull reads afresh
    for claim, _ref in claims:
        data = claim.data
        if data.get("outcome") != "changed":
            continue
        store, req = _load(ws, cfg, data)
        if req is None or _answered(req, data):
            continue
        if req.state == "requested":
            req.state = "changed"
        _confirm(ws, cfg, req, data, "changed", now, reporter)
        save(store, req)


def _shown(by: str) -> str:
    """Her name as the confirmation shows it (the address when the reply named none)."""
    from email.utils import parseaddr

    name, addr = parseaddr(by)
    return name or addr


def _confirm(ws, cfg, req, data: dict, which: str, now: datetime, reporter, by: str = "", at=None) -> None:
    """Mail her the confirmation and note the answer in the request (a failure to send is
    reported, never undoes what was recorded)."""
    from ..errors import SitekeeperError
    from ..mail.notice import send_notice

    answer = {"message_id": data.get("message_id", ""), "kind": which, "at": data.get("at", ""),
              "by": data.get("by", ""), "text": data.get("text", "")[:500], "read_at": now.isoformat()}
    msg = compose_confirmation(cfg, req, data, which, by=by, at=at)
    try:
        sent = send_notice(ws, cfg, msg, now=now, folder="approvals", name=f"confirm-{req.slug}-{which}-{now:%H%M%S}")
        answer["confirmation"] = sent.id
    except SitekeeperError as exc:
        answer["confirmation"] = ""
        reporter.warn(f"{req.campaign}: the confirmation to {req.to} could not be sent: {exc.diagnostics()[0].message}")
    req.answers.append(answer)


def compose_confirmation(cfg, req, data: dict, which: str, by: str = "", at=None) -> EmailMessage:
    """The confirmation (pure): "approved", "changes received" or "changed since", in the request's
    language; without the token, so that a reply to it answers nothing."""
    import email.policy

    from ..locale.dates import long_date

    lang = req.lang
    title = req.title or req.slug
    when = f"{long_date(at, lang)}, {at:%H:%M}" if at is not None else ""
    body = words.say(lang, f"{which}_body", title=title, by=by, at=when)
    subject = words.say(lang, f"{which}_subject", title=title)
    own = data.get("text", "").strip()
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["To"] = req.to
    msg["Subject"] = " ".join(subject.split())
    msg["Auto-Submitted"] = "auto-replied"
    msg["Content-Language"] = lang
    if data.get("message_id"):
        msg["In-Reply-To"] = data["message_id"]
        msg["References"] = data["message_id"]
    text = body + "\n"
    if own:
        text += "\n" + words.say(lang, "your_reply") + "\n" + "\n".join("> " + ln for ln in own.splitlines()) + "\n"
    text += f"\n-- \n{cfg.name}\n"
    msg.set_content(text)
    msg.add_alternative(_confirmation_html(cfg, lang, subject, body, own), subtype="html")
    return msg


def _confirmation_html(cfg, lang: str, subject: str, body: str, own: str) -> str:
    import html

    from .request import FONT

    e = html.escape
    primary = cfg.theme.primary_color
    quote = (f'<p class="label">{e(words.say(lang, "your_reply"))}</p><blockquote>{e(own).replace(chr(10), "<br>")}'
             "</blockquote>") if own else ""
    return f"""<!doctype html>
<html lang="{e(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>{e(subject)}</title>
<style>
body{{margin:0;padding:0;background:#f2f0ec;color:#1d1d1d;font-family:{FONT};-webkit-text-size-adjust:100%}}
.wrap{{max-width:600px;margin:0 auto;padding:16px 12px 24px}}
.card{{background:#ffffff;border-top:5px solid {primary};border-radius:8px;padding:18px 20px;font-size:16px;line-height:1.5}}
h1{{font-size:20px;line-height:1.3;margin:0 0 10px}}
p{{margin:0 0 10px}}
.label{{color:#555555;font-size:14px;margin:16px 0 4px}}
blockquote{{margin:0;padding:4px 0 4px 12px;border-left:3px solid #d9d6d0;color:#333333}}
.sig{{color:#6b6b6b;font-size:14px;margin:18px 0 0}}
@media (prefers-color-scheme: dark){{
body{{background:#161616;color:#ececec}}
.card{{background:#242424}}
.label,.sig{{color:#a8a8a8}}
blockquote{{border-color:#4a4a4a;color:#d6d6d6}}
}}
</style></head>
<body><div class="wrap"><div class="card"><h1>{e(subject)}</h1><p>{e(body)}</p>{quote}
<p class="sig">{e(cfg.name)}</p></div></div></body></html>
"""


register("approval", classify_approval, act_approval)
register("approval_declined", classify_declined, act_declined)
register("ignored", classify_other, act_other)
