"""`sitekeeper check` for campaigns: what a send would refuse, found without sending.

Called by sitekeeper/check.py with the promotions it already loaded. Relative links
are checked by the site build; here only links written as full URLs on the client's
domain are checked (against the site as it will be at ``send_at``). A void approval
is a warning while the campaign is not due, an error once it is; so is an audience
without a `consented_at` column while [mail] requires consent. An opt-out list that
cannot be read whole is an error at its line: nothing is sent until it is fixed.
A banner or preheader that names a date other than the window's last day (or its first)
is a warning at its line: "bis 5. Januar" while the offer runs through the 6th.
"""
from __future__ import annotations

from ..errors import Diagnostic, SitekeeperError
from .audience import CONSENT_FIX, consent_column_problem


def check_campaigns(ws, cfg, promotions, clock, *, for_send: bool = True, content=None) -> list[Diagnostic]:
    """Every problem of the client's campaigns, audience and opt-out list. ``for_send=False``
    (a build or a publish): approval and consent only gate the email, so a void approval and a
    missing `consented_at` column stay warnings. ``content``: the site's loaded content, which
    the links to the site are checked against."""
    from .campaign import is_due, load_client, validate

    folder = ws.campaigns_dir / cfg.client
    if not promotions and not (folder / "audience.csv").is_file() and not (folder / "unsubscribed.csv").exists():
        return []
    try:
        cc = load_client(ws, cfg.client, promotions=promotions, problems=[], clock=clock)
    except SitekeeperError as exc:
        return exc.diagnostics()
    out: list[Diagnostic] = [d for d in cc.unsubscribed.problems if d not in cc.links]
    out += cc.audience.problems
    now = clock.now(cfg.tz)
    due = any(is_due(p, now) for p in promotions if not p.draft)
    out += _consent(cc, "error" if for_send and due else "warning")
    if any(not p.draft for p in promotions):
        out += optout_readers(cfg, "error" if for_send and due else "warning")
    for promo in promotions:
        if promo.draft:
            continue
        out += named_dates(promo)
        _, diags = validate(ws, cc, promo, now, all_links=False, content=content,
                            approval_severity="error" if for_send and is_due(promo, now) else "warning")
        for d in diags:
            if d not in out:
                out.append(d)
    return out


def _consent(cc, severity: str) -> list[Diagnostic]:
    """With consent required: no `consented_at` column (``severity``), and each row whose
    `consented_at` is written but is not consent (a warning at its line: it is not mailed)."""
    aud = cc.audience
    if not cc.cfg.mail.require_consent or not aud.exists or "email" not in aud.columns:
        return []
    missing = consent_column_problem(aud.columns, aud.path, severity)
    if missing is not None:
        return [missing]
    return [Diagnostic(aud.path, sub.line, f"{sub.consent}: {sub.email} is not mailed (no consent)", CONSENT_FIX,
                       "warning")
            for sub in aud.subscribers if sub.consent and sub.consent != "missing"]


def optout_readers(cfg, key_severity: str) -> list[Diagnostic]:
    """A warning while `unsubscribe_url` leads where nothing sitekeeper runs reads it, or while
    keyed opt-outs arrive in a mailbox no pull reads, and the unsubscribe key's variable when
    it is named but unset (``key_severity``)."""
    from .tokens import key_of

    mail, out = cfg.mail, []
    if mail.unsubscribe_url:
        out.append(Diagnostic(cfg.path, cfg.line_of("mail", "unsubscribe_url"),
                              "`unsubscribe_url` is set, but nothing sitekeeper runs reads what it receives: "
                              "a one-click opt-out there reaches unsubscribed.csv only if your endpoint puts it there",
                              "make sure the endpoint records each opt-out (it may pass them by email to "
                              "unsubscribe_mailto), or remove unsubscribe_url", "warning"))
    name = mail.unsubscribe_key_env
    if name and not (mail.imap or mail.ses_events_queue):
        from ..render.newsletter import optout_mailbox

        out.append(Diagnostic(cfg.path, cfg.line_of("mail", "unsubscribe_key_env"),
                              f"opt-outs from the unsubscribe page and List-Unsubscribe go to {optout_mailbox(cfg)}, "
                              "but no `imap` is configured: nothing sitekeeper runs reads them or checks their tokens",
                              'add imap = "imaps://imap.example.com:993" with imap_user_env and imap_password_env '
                              "(mailbox pull then records them), or record each by hand with `sitekeeper unsubscribe`",
                              "warning"))
    if name and key_of(mail) is None:
        out.append(Diagnostic(cfg.path, cfg.line_of("mail", "unsubscribe_key_env"),
                              f"the environment variable {name} (the secret that keys unsubscribe tokens) is not set",
                              f"set {name} to the client's secret, e.g. from `openssl rand -hex 32`", key_severity))
    return out


def named_dates(promo) -> list[Diagnostic]:
    """A warning for each date a banner or preheader names that is neither the window's last
    day nor its first, read in that text's language (numeric and month-name forms)."""
    from ..locale.dates import long_date
    from ..locale.datetext import find_dates
    from ..render.dates import last_day

    if promo.ends is None:
        return []
    last = last_day(promo.ends)
    first = promo.starts.date() if promo.starts is not None else None
    out: list[Diagnostic] = []
    texts = [promo.default, *(promo.translations[lg] for lg in sorted(promo.translations))]
    for ptext in texts:
        for key in ("banner", "preheader"):
            if ptext is not promo.default and key not in ptext.key_lines:
                continue  # a translation without its own banner shows the default's, checked there
            value = getattr(ptext, key) or ""
            for found in find_dates(value, ptext.lang):
                if found.matches(last.date()) or (first is not None and found.matches(first)):
                    continue
                named = value[found.start:found.end]
                out.append(Diagnostic(
                    ptext.source, ptext.line_of(key),
                    f"the {key} names {named!r}, but the promotion's last day is {long_date(last, ptext.lang)} "
                    f"(`ends: {promo.ends.date().isoformat()}` is the first day it is gone)",
                    f"write the last day in the {key}, or set `ends` to the day after {named!r}", "warning"))
    return out
