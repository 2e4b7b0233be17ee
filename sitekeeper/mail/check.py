"""`sitekeeper check` for campaigns: what a send would refuse, found without sending.

Called by sitekeeper/check.py with the promotions it already loaded. Relative links
are checked by the site build; here only links written as full URLs on the client's
domain are checked (against the site as it will be at ``send_at``). A void approval
is a warning while the campaign is not due, an error once it is.
"""
from __future__ import annotations

from ..errors import Diagnostic, SitekeeperError


def check_campaigns(ws, cfg, promotions, clock, *, for_send: bool = True, content=None) -> list[Diagnostic]:
    """Every problem of the client's campaigns and audience. ``for_send=False`` (a build or a
    publish): approval only gates the email, so a void approval stays a warning. ``content``:
    the site's loaded content, which the links to the site are checked against."""
    from .campaign import is_due, load_client, validate

    if not promotions and not (ws.campaigns_dir / cfg.client / "audience.csv").is_file():
        return []
    try:
        cc = load_client(ws, cfg.client, promotions=promotions, problems=[])
    except SitekeeperError as exc:
        return exc.diagnostics()
    out: list[Diagnostic] = list(cc.audience.problems)
    now = clock.now(cfg.tz)
    for promo in promotions:
        if promo.draft:
            continue
        _, diags = validate(ws, cc, promo, now, all_links=False, content=content,
                            approval_severity="error" if for_send and is_due(promo, now) else "warning")
        for d in diags:
            if d not in out:
                out.append(d)
    return out
