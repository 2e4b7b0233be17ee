"""`sitekeeper check`: everything a build or a send would refuse, found without writing."""
from __future__ import annotations

from .build import check_site
from .config import Workspace, load_site
from .errors import Problems, SitekeeperError
from .mail.check import check_campaigns


def check_client(ws: Workspace, client: str, clock) -> Problems:
    problems = Problems()
    try:
        cfg = load_site(ws, client)
    except SitekeeperError as exc:
        problems.extend(exc.diagnostics())
        return problems
    # The build cache is only read: parsing is memoised, nothing is written.
    plan, content, found = check_site(ws, cfg, clock.now(cfg.tz))
    problems.extend(found.items)
    problems.extend(without_repeats(check_campaigns(ws, cfg, content.promotions, clock, content=content), found.items))
    problems.extend(large_images(ws, cfg))
    problems.extend(preview_named(plan))
    return problems


def preview_named(plan) -> list:
    """A warning for each top folder of the site named as a private preview's (`preview-` and
    22 or more token characters): a publish never deletes nor vouches for what is under one."""
    from .deploy.plan import PREVIEW_FOLDER
    from .errors import Diagnostic

    found: dict[str, str] = {}
    for path, out in plan.outputs.items():
        top = path.split("/", 1)[0]
        if "/" in path and PREVIEW_FOLDER.match(top):
            found.setdefault(top, out.source)
    return [Diagnostic(source or top, None,
                       f"the site has a folder {top}/, named as a private preview's: a publish of the live site "
                       "leaves everything under it alone (never deletes or replaces it as it changes)",
                       "give the page another slug or url (anything not starting with preview- followed by 22 "
                       "or more letters, digits, - or _)", "warning")
            for top, source in sorted(found.items())]


IMAGE_BUDGET = 500 * 1024
"""Images larger than this make pages slow on phones: check warns."""


def large_images(ws: Workspace, cfg) -> list:
    from .errors import Diagnostic

    found = []
    if cfg.static_dir.is_dir():
        for path in sorted(cfg.static_dir.rglob("*")):
            if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp", ".gif") and path.is_file():
                size = path.stat().st_size
                if size > IMAGE_BUDGET:
                    found.append(Diagnostic(ws.rel(path), None,
                                            f"image is {size // 1024} KB (over {IMAGE_BUDGET // 1024} KB): slow on phones",
                                            "resize it to at most 2000 px wide and save it as JPEG or WebP at 80 % quality",
                                            "warning"))
    return found


def without_repeats(campaign: list, site: list) -> list:
    """The campaign's problems less the refused URLs the site's check already names at the same
    line (a promotion's body is its page and its email: one URL, one error)."""
    said = {(d.path, d.line) for d in site if d.is_error and "URL" in d.message}
    return [d for d in campaign if not (d.is_error and "URL" in d.message and (d.path, d.line) in said)]


def campaign_check(ws: Workspace, clock):
    """The campaign half of `check`, as a build check: what check refuses, build and publish
    refuse (a send checks more: see mail.check)."""
    from .build.sources import html_policy_problems

    def run(cfg, content):
        found = check_campaigns(ws, cfg, content.promotions, clock, for_send=False, content=content)
        return without_repeats(found, html_policy_problems(cfg, content))

    return run


def build_checked(ws: Workspace, client: str, clock, reporter, out=None, cfg=None):
    """Build a client's site after the whole of `check` passed; nothing is written otherwise.
    ``cfg``: the site's settings, changed (see build_client)."""
    from .build import build_client

    return build_client(ws, client, clock, reporter, out=out, checks=[campaign_check(ws, clock)], cfg=cfg)


def check_clients(ws: Workspace, clients, clock, reporter, strict: bool = False) -> bool:
    ok = True
    total_err = total_warn = 0
    failing = []
    for client in clients:
        problems = check_client(ws, client, clock)
        reporter.problems(problems.items)
        errors = len(problems.errors) + (len(problems.warnings) if strict else 0)
        total_err += len(problems.errors)
        total_warn += len(problems.warnings)
        ok = ok and errors == 0
        if errors:
            failing += problems.items if strict else problems.errors
        reporter.event("checked", client=client, errors=len(problems.errors), warnings=len(problems.warnings))
        if errors == 0:
            n = len(problems.warnings)
            reporter.output(f"{client}: ok" + (f" ({n} warning{'s' if n != 1 else ''})" if n else ""))
    result = {"checked": list(clients), "ok": ok, "errors": total_err, "warnings": total_warn}
    if not ok:
        result["problems"] = [d.as_json() for d in failing]
    reporter.result(result)
    if not ok:
        reporter.output(f"{total_err} errors, {total_warn} warnings")
    return ok
