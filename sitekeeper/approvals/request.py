"""`campaign request-approval CLIENT/SLUG --to ADDR [--lang L]`: the campaign mailed to the
client for her approval, and the request recorded.

The campaign is validated as `check` does first (nothing is mailed while an error stands).
The message, from [mail] from through the client's own transport (mail/notice.py), carries:

- Subject ``[Approval] <title> – <please approve> [ska-…]``: the token (records.py) that the
  reply's Subject, In-Reply-To (the request's Message-ID is ``<approval.ska-…@…>``) or text
  brings back to `mailbox pull`;
- a short note in the client's language (``--lang``, default the site's first language; the
  twelve built-in ones, else English): reply OK to approve; anything else is taken as changes;
- per language of the campaign: its Subject and preheader and the light PNG proof in the
  body (600 px; 375 px on a phone whose mail app reads media queries), the dark ones (600 and
  375 px) attached, when Chromium is there (the result says so when it is not), and the email itself attached exactly as a
  customer gets it (message/rfc822: HTML and text parts, List-Unsubscribe and all);
- the text part: the note and each language's text version.

The request is recorded (records.py) with the token, the address, the date and the campaign's
approval hash; `campaign list` and `status` show "approval requested (date)".
"""
from __future__ import annotations

import html as _html
from email.message import EmailMessage
from pathlib import Path

from ..errors import Diagnostic, MailError, ProblemsError
from . import words
from .records import Request, key_for, make_token, save, token_id

FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
"""The system font of each mail app (an email cannot count on a web font)."""


def _key(cfg) -> bytes:
    from ..mail.tokens import key_of

    key = key_of(cfg.mail)
    if key is not None:
        return key
    name = cfg.mail.unsubscribe_key_env
    var = name or f"{cfg.client.upper().replace('-', '_')}_MAIL_KEY"
    if name:
        msg = f"the environment variable {name} (the client's secret that keys approval tokens) is not set"
    else:
        msg = ("[mail] has no `unsubscribe_key_env`: approval tokens are keyed with the client's secret, so that "
               "only sitekeeper can make one")
    raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("mail", "unsubscribe_key_env") or cfg.line_of("mail") or None,
                                    msg, (f'add unsubscribe_key_env = "{var}" under [mail] and ' if not name else "")
                                    + f"set {var} to a long random secret (e.g. `openssl rand -hex 32`)")])


def note_language(cfg, lang: str | None) -> str:
    if lang is None:
        return cfg.languages[0] if cfg.languages else "en"
    from ..locale.tags import normalise

    return normalise(lang)


def _when(promo, lang: str) -> str:
    from ..locale.dates import long_date

    return words.say(lang, "send_on", date=f"{long_date(promo.send_at, lang)}, {promo.send_at:%H:%M}")


def note_lines(promo, lang: str, proofs: bool) -> list[tuple[str, str]]:
    """The note's paragraphs, in order, each with its kind (the HTML and the text part both use them)."""
    lines = [("intro", words.say(lang, "intro"))]
    if promo.send_at is not None:
        lines.append(("when", _when(promo, lang)))
    lines += [("yes", words.say(lang, "yes")), ("else", words.say(lang, "else")),
              ("proofs", words.say(lang, "proofs" if proofs else "no_proofs"))]
    return lines


def title_in(promo, lang: str) -> str:
    """The promotion's title in the client's language when it has that version, else the default's."""
    text = promo.text(lang) if lang in promo.languages else promo.default
    return text.title or promo.default.title


def _tie(text: str) -> str:
    """No line break between a number and its % or currency sign."""
    import re

    return re.sub(r"(\d) (%|€|Kč|zł|Ft|lei)", "\\1\u00a0\\2", text)


def _html_body(cfg, promo, lang: str, token: str, versions: list[dict], proofs: bool) -> str:
    from ..locale.cldr import display_name

    e = _html.escape
    primary = cfg.theme.primary_color
    paras = note_lines(promo, lang, proofs)
    blocks = []
    for v in versions:
        img = ""
        if v.get("cid"):
            # the 600 px proof; on a phone (a mail app that reads media queries) the 375 px one instead
            img = (f'<img class="proof wide" src="cid:{v["cid"]}-600" width="600" alt="{e(v["subject"])}">'
                   f'<img class="proof narrow" src="cid:{v["cid"]}-375" width="375" alt="{e(v["subject"])}" '
                   'style="display:none;max-height:0;overflow:hidden;mso-hide:all">')
        pre = f'<p class="pre">{e(_tie(v["preheader"]))}</p>' if v["preheader"] else ""
        blocks.append(f'<h2>{e(display_name(v["lang"]))}</h2><p class="subj">{e(_tie(v["subject"]))}</p>{pre}{img}')
    return f"""<!doctype html>
<html lang="{e(lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">
<title>{e(words.say(lang, "heading", title=title_in(promo, lang)))}</title>
<style>
body{{margin:0;padding:0;background:#f2f0ec;color:#1d1d1d;font-family:{FONT};-webkit-text-size-adjust:100%}}
.wrap{{max-width:600px;margin:0 auto;padding:16px 12px 24px}}
.note{{background:#ffffff;border-top:5px solid {primary};border-radius:8px;padding:18px 20px;font-size:16px;line-height:1.5}}
.note h1{{font-size:21px;line-height:1.3;margin:0 0 10px}}
.note p{{margin:0 0 10px}}
.note .yes{{font-size:18px;font-weight:bold;color:{primary}}}
h2{{font-size:14px;letter-spacing:.04em;text-transform:uppercase;color:#555555;margin:28px 0 6px}}
.subj{{font-size:17px;font-weight:bold;margin:0 0 2px}}
.pre{{color:#555555;margin:0 0 10px}}
.proof{{display:block;width:100%;max-width:600px;height:auto;border:1px solid #d9d6d0;border-radius:6px}}
.note .when{{font-weight:bold}}
@media (max-width: 480px){{
.proof.wide{{display:none !important}}
.proof.narrow{{display:block !important;max-height:none !important;max-width:375px;margin:0 auto}}
}}
.ref{{color:#6b6b6b;font-size:12px;margin:24px 0 0}}
@media (prefers-color-scheme: dark){{
body{{background:#161616;color:#ececec}}
.note{{background:#242424}}
.note .yes{{color:#ffffff}}
h2,.pre{{color:#b8b8b8}}
.proof{{border-color:#3a3a3a}}
.ref{{color:#9a9a9a}}
}}
</style></head>
<body><div class="wrap">
<div class="note"><h1>{e(words.say(lang, "heading", title=title_in(promo, lang)))}</h1>
{"".join(f'<p class="{c}">{e(t)}</p>' for c, t in paras)}</div>
{"".join(blocks)}
<p class="ref">{e(words.say(lang, "ref"))}: {e(token)}</p>
</div></body></html>
"""


def _text_body(cfg, promo, lang: str, token: str, versions: list[dict], proofs: bool) -> str:
    from ..locale.cldr import display_name

    out = [words.say(lang, "heading", title=title_in(promo, lang)), ""]
    for _kind, line in note_lines(promo, lang, proofs):
        out += [line, ""]
    for v in versions:
        out += [f"—— {display_name(v['lang'])} ——", v["subject"], "", v["text"].strip(), ""]
    out.append(f"{words.say(lang, 'ref')}: {token}")
    return "\n".join(out) + "\n"


def _proofs(folder: Path, versions: list[dict], reporter) -> str:
    """Render each version's four PNGs; "" when done, else why they were skipped."""
    from ..fsutil import atomic_write
    from ..mail.proof import local_html, screenshot_all

    jobs = []
    for v in versions:
        local = folder / f"{v['lang']}.local.html"
        atomic_write(local, local_html(v["html"], v["links"]).encode())
        v["pngs"] = {}
        for width in (600, 375):
            for scheme, suffix in (("light", ""), ("dark", "-dark")):
                png = folder / f"{v['lang']}-{width}{suffix}.png"
                v["pngs"][f"{width}{suffix}"] = png
                jobs.append((local, png, width, scheme))
    with reporter.progress("proofs", total=len(jobs), unit="PNGs"):
        try:
            screenshot_all(jobs)
        except MailError as exc:
            for v in versions:
                v.pop("pngs", None)
            return exc.message
    return ""


def _versions(ws, cc, promo, compiled, to: str, now) -> list[dict]:
    from ..mail.campaign import sample_record
    from ..mail.message import message_bytes

    cfg = cc.cfg
    out = []
    for code in promo.languages:
        email = compiled[code]
        _, record = sample_record(cc, promo, code, address=to)
        parts = email.personalize(record)
        customer = message_bytes(cfg, promo, parts, to, now)
        text = promo.text(code)
        out.append({"lang": code, "subject": parts.subject, "preheader": text.preheader or promo.default.preheader,
                    "html": parts.html, "text": parts.text, "links": email.links, "eml": customer.data})
    return out


def compose_request(cfg, promo, to: str, lang: str, token: str, versions: list[dict], proofs: bool) -> EmailMessage:
    """The request as one message (pure but for reading the PNGs)."""
    import email
    import email.policy
    from urllib.parse import urlsplit

    subject = f"[Approval] {title_in(promo, lang)} – {words.say(lang, 'subject')} [{token}]"
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["To"] = to
    msg["Subject"] = " ".join(subject.split())
    domain = urlsplit(cfg.base_url).hostname or "localhost"
    msg["Message-ID"] = f"<approval.{token}@{domain}>"
    msg["Content-Language"] = lang
    msg["X-Sitekeeper-Approval"] = f"{cfg.client}/{promo.slug}"
    for v in versions:
        v["cid"] = f"proof-{v['lang']}-{token[4:12]}" if proofs and v.get("pngs") else ""
    msg.set_content(_text_body(cfg, promo, lang, token, versions, proofs))
    msg.add_alternative(_html_body(cfg, promo, lang, token, versions, proofs), subtype="html")
    html_part = msg.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for v in versions:
        for width in ("600", "375") if v.get("cid") else ():
            html_part.add_related(v["pngs"][width].read_bytes(), maintype="image", subtype="png",
                                  cid=f"<{v['cid']}-{width}>", filename=f"{promo.slug}-{v['lang']}-{width}.png")
    for v in versions:
        for name in ("600-dark", "375-dark"):
            if v.get("pngs"):
                msg.add_attachment(v["pngs"][name].read_bytes(), maintype="image", subtype="png",
                                   filename=f"{promo.slug}-{v['lang']}-{name}.png")
        customer = email.message_from_bytes(v["eml"], policy=email.policy.SMTP)
        msg.add_attachment(customer, filename=f"{promo.slug}-{v['lang']}.eml")
    return msg


def request_approval(ws, spec: str, to: str, clock, reporter, lang: str | None = None, proofs: bool = True) -> dict:
    from ..config.mail import is_address
    from ..mail.approval import approval
    from ..mail.campaign import find, validated
    from ..mail.notice import send_notice
    from ..mail.transport import open_transport
    from ..state import open_workspace_store

    to = to.strip()
    if not is_address(to):
        raise ProblemsError([Diagnostic("--to", None, f"{to!r} is not an email address",
                                        "give the client's address, e.g. --to owner@example.com")])
    cc, promo = find(ws, spec)
    cfg = cc.cfg
    now = clock.now(cfg.tz).replace(microsecond=0)
    compiled = validated(ws, cc, promo, now, reporter, approval_severity="warning")
    key = _key(cfg)
    code = note_language(cfg, lang)
    if words.language(code) != code and words.language(code) == "en" and not code.startswith("en"):
        reporter.warn(f"no approval note in {code!r}: the client gets it in English")
    if not cfg.mail.imap:
        reporter.warn(f"{cfg.path}: [mail] has no `imap`: `mailbox pull` cannot read the client's reply; record her "
                      f"answer by hand with `sitekeeper campaign approve {cfg.client}/{promo.slug} --by NAME`")
    state = approval(promo)
    if state.ok:
        reporter.warn(f"{cfg.client}/{promo.slug} is approved already (by {state.by}); asking again")
    transport = open_transport(ws, cfg, label=f"{now:%Y%m%dT%H%M%S}", folder="approvals")  # settings checked first
    store = open_workspace_store(ws)
    campaign = f"{cfg.client}/{promo.slug}"
    approval_hash = promo.approval_hash()
    token = make_token(key, campaign, approval_hash, to)
    versions = _versions(ws, cc, promo, compiled, to, now)
    folder = ws.root / ".sitekeeper" / "approvals" / cfg.client / promo.slug / token[4:12]
    folder.mkdir(parents=True, exist_ok=True)
    skipped = _proofs(folder, versions, reporter) if proofs else "--no-proof"
    if skipped and proofs:
        reporter.warn(f"PNG proofs skipped: {skipped}; the request goes with the emails attached only "
                      "(to get proofs: bash scripts/setup.sh --proofs)")
    msg = compose_request(cfg, promo, to, code, token, versions, not skipped)
    # Recorded before it goes (a reply can never come to a request nobody kept), "sending" until
    # the transport took it; a send that fails takes the record back.
    req = Request(token, campaign, to, now.isoformat(), approval_hash, code, title_in(promo, code),
                  str(msg["Subject"]), str(msg["Message-ID"]), state="sending")
    save(store, req)
    try:
        sent = send_notice(ws, cfg, msg, transport=transport, now=now, name=f"approval-{promo.slug}-{token[4:12]}")
    except BaseException:
        store.delete(key_for(cfg.client, promo.slug, token_id(token)))
        raise
    req.subject, req.message_id, req.sent_id, req.state = sent.subject, sent.message_id, sent.id, "requested"
    save(store, req)
    return {"campaign": campaign, "to": to, "lang": code, "token": token, "subject": sent.subject,
            "message_id": sent.message_id, "transport": sent.transport, "id": sent.id,
            "requested_at": req.requested_at, "approval_hash": approval_hash, "languages": promo.languages,
            "proofs": not skipped, "proofs_skipped": skipped or None}
