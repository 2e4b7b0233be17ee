"""The campaign core: find a promotion, validate it, and list, preview, test-send or approve it.

Each command in cli/campaign.py calls one function here. Validation is shared by `check`
(check.py), preview, test and approve, so a problem is reported the same way
everywhere: ``path:line: message`` with the fix. Nothing is sent or written while any
error stands.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..clock import Clock
from ..config import SiteConfig, load_site
from ..content.promotions import Promotion, load_promotions
from ..fsutil import atomic_write
from ..errors import Diagnostic, MailError, ProblemsError, SitekeeperError, did_you_mean
from ..render.merge import for_site
from . import merge
from ..config.optouts import OptOuts, empty as empty_optouts
from ..config.paths import FIX as LINK_FIX, escaping_links
from .approval import approval, approved_text, unrecorded_diagnostic, void_diagnostic
from .audience import KNOWN_COLUMNS, Audience, load_audience, load_unsubscribed, parse_filter, select
from .message import HeaderError, merge_record, message_bytes, sender
from .compose import GMAIL_CLIP_BYTES, CompiledEmail, compile_email

SUBJECT_WARN = 78
SUBJECT_MAX = 200
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass
class ClientCampaigns:
    cfg: SiteConfig
    """The client's SiteConfig."""
    promotions: list[Promotion]
    """Promotions that parsed."""
    problems: list[Diagnostic]
    """Problems found while parsing the promotion files."""
    audience: Audience
    """audience.csv as parsed."""
    unsubscribed: OptOuts = field(default_factory=empty_optouts)
    """unsubscribed.csv: ``address in`` it is never mailed; its problems stop a send."""
    links: list[Diagnostic] = field(default_factory=list)
    """Links in campaigns/<client>/ that lead outside it: nothing is sent while there is one."""


def load_client(ws, client: str, promotions=None, problems=None, *, audience: bool = True,
                clock: Clock | None = None) -> ClientCampaigns:
    """The client's campaigns; ``audience=False``: without reading audience.csv and
    unsubscribed.csv (a send streams them itself), so ``audience`` is empty. ``clock``: the
    time `consented_at` is judged against (default: SITEKEEPER_NOW, else now)."""
    cfg = load_site(ws, client)
    if promotions is None:
        promotions, problems = load_promotions(ws, cfg)
    confined = escaping_campaign_links(ws, client)
    if audience:
        now = clock.now(cfg.tz) if clock is not None else None
        aud, unsubscribed = load_audience(ws, client, now), load_unsubscribed(ws, client)
    else:
        aud, unsubscribed = Audience(ws.rel(ws.campaigns_dir / client / "audience.csv")), empty_optouts()
    return ClientCampaigns(cfg, list(promotions), confined + list(problems or []), aud, unsubscribed, confined)


def escaping_campaign_links(ws, client: str) -> list[Diagnostic]:
    """Each link in campaigns/<client>/ that leads outside it (an unsubscribed.csv linked to
    another client's, say), as an error at the link."""
    folder = ws.campaigns_dir / client
    return [Diagnostic(ws.rel(link), None, f"is a link to {real}, outside {ws.rel(folder)}/", LINK_FIX)
            for link, real in escaping_links(folder, folder)]


def find(ws, spec: str, *, audience: bool = True) -> tuple[ClientCampaigns, Promotion]:
    """``client/slug`` -> (campaigns of the client, the promotion). Raises with the parse problems.
    ``audience=False``: as in ``load_client``."""
    if "/" not in spec:
        raise ProblemsError([Diagnostic("CLIENT/SLUG", None, f"{spec!r} does not name a campaign",
                                        "write it as client/slug, e.g. baeckerei-sonnenkorn/adventsaktion "
                                        "(`sitekeeper campaign list` shows them)")])
    client, slug = spec.split("/", 1)
    slug = slug.removesuffix(".md")
    cc = load_client(ws, client, audience=audience)
    mine = [d for d in cc.problems if Path(d.path).name.split(".")[0] == slug]
    for promo in cc.promotions:
        if promo.slug == slug:
            if any(d.is_error for d in mine):
                raise ProblemsError(mine)
            return cc, promo
    if mine:
        raise ProblemsError(mine)
    known = [p.slug for p in cc.promotions]
    hint = did_you_mean(slug, known)
    raise ProblemsError([Diagnostic(ws.rel(ws.campaigns_dir / client), None, f"no promotion {slug!r} for {client}",
                                    hint or f"known: {', '.join(known) or f'none yet (create campaigns/{client}/{slug}.md)'}")])


def recipients(cc: ClientCampaigns, promo):
    conds, _ = parse_filter(promo.audience)
    require = cc.cfg.mail.require_consent
    # select() asks only `address in unsubscribed`, which OptOuts answers (normalising the address)
    return select(cc.audience, conds or [], cc.unsubscribed, require) if conds is not None else None  # type: ignore[arg-type]


def recipient_language(cfg, promo, sub) -> str:
    lang = sub.lang
    return lang if lang in promo.languages else promo.default.lang


def sample_record(cc: ClientCampaigns, promo, lang: str, address: str | None = None) -> tuple[str, dict]:
    """(address, merge values) of a sample recipient: the given address's row, else the first
    consented subscriber reading ``lang``, else a placeholder with empty fields."""
    subs = cc.audience.subscribers
    if address:
        for sub in subs:
            if sub.email.lower() == address.lower():
                return address, merge_record(sub.fields, address, cc.cfg.mail, cc.cfg, lang)
    sel = recipients(cc, promo)
    for sub in (sel.recipients if sel else []):
        if recipient_language(cc.cfg, promo, sub) == lang:
            return address or sub.email, merge_record(sub.fields, address or sub.email, cc.cfg.mail, cc.cfg, lang)
    to = address or "reader@example.com"
    return to, merge_record({c: "" for c in cc.audience.columns}, to, cc.cfg.mail, cc.cfg, lang)


def is_due(promo, now) -> bool:
    return bool(promo.send_at and promo.ends and promo.send_at <= now < promo.ends)


# ---------------------------------------------------------------- validation


def _line_in(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def validate(ws, cc: ClientCampaigns, promo, now, *, all_links: bool = True, approval_severity: str | None = None,
             site_outputs=None, content=None) -> tuple[dict[str, CompiledEmail], list[Diagnostic]]:
    """Everything a send would refuse, plus warnings. Returns the compiled emails per language."""
    out: list[Diagnostic] = []
    _settings_problems(out, cc, promo)
    _subject_problems(out, promo)
    _merge_field_problems(out, cc, promo)
    _audience_problems(out, cc, promo)
    compiled: dict[str, CompiledEmail] = {}
    outputs = site_outputs
    for lang in promo.languages:
        email, problems = compile_email(ws, cc.cfg, promo, lang)
        out.extend(problems)
        if email is None:
            continue
        compiled[lang] = email
        _size_problems(out, cc, promo, lang, email)
        outputs = _link_problems(out, ws, cc.cfg, promo, email, all_links, outputs, content)
    if approval_severity and approval(promo).state == "void":
        out.append(void_diagnostic(promo, approval_severity))
    if approval(promo).state == "unrecorded":
        out.append(unrecorded_diagnostic(promo, approval_severity or "warning"))
    return compiled, out


def _settings_problems(out: list[Diagnostic], cc: ClientCampaigns, promo) -> None:
    """What [mail] and the audience must have for any campaign to go out."""
    cfg, mail = cc.cfg, cc.cfg.mail

    def mail_line(key: str = "") -> int:
        return cfg.line_of("mail", key) or cfg.line_of("mail") or 1

    if not mail.postal_address.strip():
        out.append(Diagnostic(cfg.path, mail_line(), "[mail] has no `postal_address`: every promotional email must show "
                              "the business's postal address", 'add postal_address = "Hauptstr. 1, 10115 Berlin" under [mail]'))
    if not mail.unsubscribe_mailto and not mail.unsubscribe_url:
        out.append(Diagnostic(cfg.path, mail_line(), "[mail] has no unsubscribe route: every email needs a working "
                              "unsubscribe link", 'add unsubscribe_mailto = "unsubscribe@example.com" '
                              '(and optionally unsubscribe_url = "https://.../unsubscribe?t={token}") under [mail]'))
    if not sender(cfg, promo)[0]:
        out.append(Diagnostic(cfg.path, mail_line(), "[mail] has no `from` address",
                              f'add from = "{cfg.name} <news@example.com>" under [mail]'))
    if not cc.audience.exists:
        out.append(Diagnostic(cc.audience.path, None, "there is no audience.csv: the campaign has nobody to go to",
                              "create it with a header row: email,name,lang,tags,consented_at,source", "warning"))


def _subject_problems(out: list[Diagnostic], promo) -> None:
    for text in [promo.default, *promo.translations.values()]:
        subject = text.subject
        if not subject.strip():
            if text is promo.default:
                out.append(Diagnostic(text.source, 1, "the promotion has no `subject`",
                                      'add `subject: "Spring sale: 20 % off"` to the front matter'))
            else:
                out.append(Diagnostic(text.source, 1, f"the translation has no `subject`; the {promo.default.lang} "
                                      "subject is used", "add `subject: ...` in this language", "warning"))
            continue
        if text is promo.default and not text.preheader.strip():
            out.append(Diagnostic(text.source, 1, "the promotion has no `preheader`: mail apps show the first words "
                                  "of the email (often \"View in browser\") beside the subject instead",
                                  'add `preheader: "Only until 15 March"` to the front matter', "warning"))
        shown = for_site(subject)
        if len(shown) > SUBJECT_MAX:
            out.append(Diagnostic(text.source, text.line_of("subject"), f"`subject` is {len(shown)} characters long",
                                  f"shorten it to under {SUBJECT_WARN} characters: mail apps cut long subjects"))
        elif len(shown) > SUBJECT_WARN:
            out.append(Diagnostic(text.source, text.line_of("subject"), f"`subject` is {len(shown)} characters long; "
                                  "mail apps show about 40-70", f"shorten it to under {SUBJECT_WARN} characters", "warning"))


def _merge_field_problems(out: list[Diagnostic], cc: ClientCampaigns, promo) -> None:
    """Merge fields: only columns audience.csv has."""
    columns = set(cc.audience.columns if cc.audience.exists else KNOWN_COLUMNS) | merge.BUILTIN
    for text in [promo.default, *promo.translations.values()]:
        spots = [(text.line_of(k), getattr(text, k)) for k in ("subject", "preheader", "title", "banner")]
        for line, value in spots:
            _merge_problems(out, text.source, value, lambda off, line=line: line, columns, cc)
        _merge_problems(out, text.source, text.body, lambda off, t=text: t.body_line + _line_in(t.body, off), columns, cc)


def _audience_problems(out: list[Diagnostic], cc: ClientCampaigns, promo) -> None:
    """The audience filter, and the translations its readers need (once nothing else is wrong)."""
    conds, problem = parse_filter(promo.audience)
    aline = promo.default.line_of("audience")
    if conds is None:
        out.append(Diagnostic(promo.source, aline, problem,
                              'write `audience: all`, `audience: "lang=de"`, `audience: "tags~cakes"` or combine with commas'))
        return
    if not (cc.audience.exists and cc.audience.columns):
        return
    for c in conds:
        if c.column not in cc.audience.columns:
            hint = did_you_mean(c.column, cc.audience.columns)
            out.append(Diagnostic(promo.source, aline, f"the audience filter uses the column `{c.column}`, which "
                                  f"{cc.audience.path} does not have",
                                  hint or f"use one of its columns: {', '.join(cc.audience.columns)}"))
    sel = recipients(cc, promo)
    if sel is None or any(d.is_error for d in out):
        return
    cfg = cc.cfg
    need = Counter(s.lang or promo.default.lang for s in sel.recipients)
    for lang, n in sorted(need.items()):
        if lang not in promo.languages:
            readers = "reader" if n == 1 else "readers"
            out.append(Diagnostic(promo.source, None, f"missing translation: {n} {readers} with lang={lang} "
                                  f"get the {promo.default.lang} text",
                                  f"add campaigns/{cfg.client}/{promo.slug}.{lang}.md"
                                  + ("" if lang in cfg.languages else f" and add \"{lang}\" to languages in {cfg.path}"),
                                  "warning"))


def _size_problems(out: list[Diagnostic], cc: ClientCampaigns, promo, lang: str, email: CompiledEmail) -> None:
    _, record = sample_record(cc, promo, lang)
    size = len(email.personalize(record).html.encode())
    if size > GMAIL_CLIP_BYTES:
        out.append(Diagnostic(email.source, None, f"the HTML email is {size // 1024} KB: Gmail clips messages over 102 KB",
                              "shorten the text or move details to the promotion page", "warning"))


def _link_problems(out: list[Diagnostic], ws, cfg, promo, email: CompiledEmail, all_links: bool, outputs, content):
    """Images not in static/ (or SVG), and links to pages the site will not have at send time.
    Returns the site's outputs when it had to plan them (so the next language reuses them)."""
    seen = set()
    for ref in email.links:
        if (ref.url, ref.line) in seen:
            continue
        seen.add((ref.url, ref.line))
        if ref.kind == "image" and ref.site_path is not None:
            _image_problem(out, ws, cfg, ref)
        elif ref.kind == "link" and ref.site_path is not None and (all_links or _SCHEME_RE.match(ref.written)):
            if outputs is None:
                outputs = site_outputs_at(ws, cfg, promo, content)
            if not _exists(outputs, ref.site_path):
                out.append(Diagnostic(ref.source, ref.line, f"broken link: {ref.written} is not a page of the site "
                                      "when the campaign is sent", "correct the link, or create the page it points to"))
    return outputs


def _image_problem(out: list[Diagnostic], ws, cfg, ref) -> None:
    if ref.local is None or not ref.local.is_file():
        out.append(Diagnostic(ref.source, ref.line, f"image {ref.written} is not in static/",
                              f"put the file at {ws.rel(ref.local) if ref.local else 'sites/' + cfg.client + '/static/'}"
                              " or correct the path"))
    elif ref.local.suffix.lower() == ".svg":
        out.append(Diagnostic(ref.source, ref.line, f"image {ref.written} is an SVG, which most mail apps "
                              "do not show", f"add a PNG or JPEG next to it ({ref.local.with_suffix('.png').name}): "
                              "the email uses it automatically", "warning"))


def _merge_problems(out, source, value, line_of, columns, cc) -> None:
    for off, snippet in merge.malformed(value):
        out.append(Diagnostic(source, line_of(off), f"cannot read the merge field {snippet}",
                              'write {{ name }} or {{ name or "fallback" }} (a column of audience.csv, '
                              'double quotes around the fallback)'))
    for use in merge.uses(value):
        if use.name not in columns:
            hint = did_you_mean(use.name, columns)
            out.append(Diagnostic(source, line_of(use.offset), f"merge field {{{{ {use.name} }}}} is not a column of "
                                  f"{cc.audience.path}", hint or f"use one of: {', '.join(sorted(columns))}, "
                                  "or add the column to audience.csv"))


def site_outputs_at(ws, cfg, promo, content=None) -> set[str]:
    """Output paths of the client's site as it will be when the campaign goes out; planned from
    ``content`` when the caller has the site's content loaded already (a build, a check)."""
    from ..build import site_outputs
    from ..build.plan import plan_site

    when = promo.send_at or promo.starts or Clock().now(cfg.tz)
    if content is not None:
        return set(plan_site(cfg, content, when.astimezone(cfg.tz)).outputs)
    return set(site_outputs(ws, cfg, when).outputs)


def _exists(outputs, site_path: str) -> bool:
    import unicodedata

    path = unicodedata.normalize("NFC", site_path.split("#", 1)[0].split("?", 1)[0].lstrip("/"))
    if path == "" or path.endswith("/"):
        return (path + "index.html") in outputs
    return path in outputs or (path + "/index.html") in outputs


def validated(ws, cc, promo, now, reporter, **kw) -> dict[str, CompiledEmail]:
    """validate(), raising on any error and reporting warnings."""
    mine = [d for d in cc.problems if d.path in {t.source for t in (promo.default, *promo.translations.values())}]
    compiled, diags = validate(ws, cc, promo, now, **kw)
    # What `check` reports of audience.csv (no email column, not text) and of links leading out
    # of the campaigns folder stops a send here too.
    # An opt-out list that cannot be read whole stops the send (never "a shorter list").
    optouts = [d for d in getattr(cc.unsubscribed, "problems", ()) if d not in cc.links]
    diags = mine + [d for d in cc.links if d not in mine] + optouts + list(cc.audience.problems) + diags
    if any(d.is_error for d in diags):
        raise ProblemsError(diags)
    if diags:
        reporter.problems(diags)
    return compiled


# ---------------------------------------------------------------- list


def send_state(counts: dict | None) -> str:
    """"not sent", "sent to 120", "sent to 118, 2 uncertain, 1 failed" from the ledger's counts."""
    if not counts or not any(counts.values()):
        return "not sent"
    out = f"sent to {counts['sent']}"
    for key in ("uncertain", "failed"):
        if counts.get(key):
            out += f", {counts[key]} {key}"
    return out


def list_campaigns(ws, clients, clock) -> tuple[list[dict], list[Diagnostic]]:
    from ..approvals.records import latest, requested_label, requests, with_reply_approval
    from ..state import open_workspace_store
    from ..state.ledger import Ledger

    rows, problems = [], []
    store = open_workspace_store(ws)
    for client in clients:
        cc = load_client(ws, client, clock=clock)
        problems += cc.problems + cc.audience.problems + list(cc.unsubscribed.problems)
        now = clock.now(cc.cfg.tz)
        every = requests(store, client) if cc.promotions else []
        asked = latest(store, client, every)
        for promo in cc.promotions:
            sel = recipients(cc, promo)
            promo = with_reply_approval(store, promo, every)
            appr = approval(promo)
            rows.append({
                "campaign": f"{client}/{promo.slug}", "title": promo.default.title,
                "starts": promo.starts.isoformat() if promo.starts else None,
                "ends": promo.ends.isoformat() if promo.ends else None,
                "send_at": promo.send_at.isoformat() if promo.send_at else None,
                "languages": promo.languages, "audience": promo.audience,
                "recipients": len(sel.recipients) if sel else None,
                "skipped": sel.skipped if sel else None,
                "approval": appr.state, "approved_by": appr.by or None, "approved_at": appr.at or None,
                "approval_requested": requested_label(asked.get(promo.slug), promo.approval_hash()) or None,
                "due": is_due(promo, now), "live": promo.live(now), "draft": promo.draft,
                **(counts := Ledger(store, client, promo.slug).load().counts()),
                "send_state": send_state(counts),
            })
    return rows, problems


# ---------------------------------------------------------------- preview


def preview(ws, spec: str, clock, reporter, lang: str | None = None, out: Path | None = None,
            proofs: bool = True) -> dict:
    cc, promo = find(ws, spec)
    cfg = cc.cfg
    now = clock.now(cfg.tz)
    langs = _languages(cfg, promo, lang)
    compiled = validated(ws, cc, promo, now, reporter, approval_severity="warning")
    folder = out or ws.root / ".sitekeeper" / "preview" / cfg.client / promo.slug
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, str]] = {}
    jobs = []
    for code in langs:
        email = compiled[code]
        to, record = sample_record(cc, promo, code)
        parts = email.personalize(record)
        out_msg = message_bytes(cfg, promo, parts, to, now)
        names = {"html": f"{code}.html", "text": f"{code}.txt", "eml": f"{code}.eml"}
        _write(folder / names["html"], parts.html.encode())
        _write(folder / names["text"], parts.text.encode())
        _write(folder / names["eml"], out_msg.data)
        if proofs:
            from .proof import local_html

            local = folder / f"{code}.local.html"
            _write(local, local_html(parts.html, email.links).encode())
            # The client approves what her readers see: light, and dark as their mail app shows it.
            for width in (600, 375):
                for scheme, suffix in (("light", ""), ("dark", "-dark")):
                    png = folder / f"{code}-{width}{suffix}.png"
                    names[f"png_{width}{suffix.replace('-', '_')}"] = png.name
                    jobs.append((local, png, width, scheme))
        files[code] = {k: str(folder / v) for k, v in names.items()}
        files[code]["subject"] = parts.subject
        files[code]["recipient"] = to
    proof_skipped = ""
    if jobs:
        from .proof import screenshot_all

        with reporter.progress("proofs", total=len(jobs), unit="PNGs"):
            try:
                screenshot_all(jobs)
            except MailError as exc:
                # The HTML, text and .eml are written; proofs are a convenience, never the failure.
                proof_skipped = exc.message
        if proof_skipped:
            reporter.warn(f"PNG proofs skipped: {proof_skipped}; to get them: bash scripts/setup.sh --proofs")
            for entry in files.values():
                for key in ("png_600", "png_375", "png_600_dark", "png_375_dark"):
                    entry.pop(key, None)
    return {"campaign": f"{cfg.client}/{promo.slug}", "out": str(folder), "languages": langs, "files": files,
            "approval": approval(promo).state, "proofs_skipped": proof_skipped or None}


def _languages(cfg, promo, lang: str | None) -> list[str]:
    if lang is None:
        return promo.languages
    if lang not in promo.languages:
        raise ProblemsError([Diagnostic("--lang", None, f"{promo.slug} has no {lang!r} version",
                                        f"choose one of {', '.join(promo.languages)}, or add "
                                        f"campaigns/{cfg.client}/{promo.slug}.{lang}.md")])
    return [lang]


def _write(path: Path, data: bytes) -> None:
    """A preview file, atomically (the one atomic_write), so a reader never sees half of it."""
    atomic_write(path, data)


# ---------------------------------------------------------------- test send


def test_send(ws, spec: str, to: str, clock, reporter, lang: str | None = None) -> dict:
    from ..config.mail import is_address
    from .transport import open_transport

    if not is_address(to):
        raise ProblemsError([Diagnostic("--to", None, f"{to!r} is not an email address", "write e.g. --to you@example.com")])
    cc, promo = find(ws, spec)
    cfg = cc.cfg
    now = clock.now(cfg.tz)
    code = _languages(cfg, promo, lang)[0] if lang else promo.default.lang
    compiled = validated(ws, cc, promo, now, reporter)
    email = compiled[code]
    _, record = sample_record(cc, promo, code, address=to)
    parts = email.personalize(record)
    from .dkim import signer_for

    try:
        out = message_bytes(cfg, promo, parts, to, now, test=True, dkim=signer_for(ws, cfg))
    except HeaderError as exc:
        raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("mail") or None, str(exc),
                                        "remove the line break from the value")]) from exc
    transport = open_transport(ws, cfg, label=f"{now:%Y%m%dT%H%M%S}-{promo.slug}-{code}-test")
    try:
        where = transport.send(out)
    finally:
        transport.close()
    return {"campaign": f"{cfg.client}/{promo.slug}", "to": to, "lang": code, "subject": "[TEST] " + parts.subject,
            "transport": transport.name, "delivered": where, "message_id": out.message_id}


# ---------------------------------------------------------------- approve


def approve(ws, spec: str, by: str, clock, reporter) -> dict:
    by = " ".join(by.split())
    if not by:
        raise ProblemsError([Diagnostic("--by", None, "whose approval is it?", 'write --by "Frau Weber"')])
    cc, promo = find(ws, spec)
    cfg = cc.cfg
    now = clock.now(cfg.tz)
    validated(ws, cc, promo, now, reporter)
    path = ws.root / promo.source
    text = path.read_text(encoding="utf-8")
    new = approved_text(text, promo, by, now.replace(microsecond=0))
    _write(path, new.encode("utf-8"))
    from ..state import activity, open_workspace_store
    from .approval import content_hash

    try:
        activity.record(open_workspace_store(ws), cfg.client, "approval",
                        {"campaign": promo.slug, "approved_by": by, "approved_hash": content_hash(promo)}, at=now)
    except SitekeeperError as exc:
        reporter.warn(f"approval recorded in {promo.source}, but not in the activity record: "
                      f"{exc.diagnostics()[0].message}")
    return {"campaign": f"{cfg.client}/{promo.slug}", "approved_by": by,
            "approved_at": now.replace(microsecond=0).isoformat(), "approved_hash": content_hash(promo),
            "file": promo.source}
