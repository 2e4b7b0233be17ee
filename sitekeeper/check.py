"""`sitekeeper check`: everything a build or a send would refuse, found without writing."""
from __future__ import annotations

from .build import BuildCache, default_out, prepare
from .config import Workspace, load_site
from .errors import Problems, SitekeeperError


def check_client(ws: Workspace, client: str, clock) -> Problems:
    problems = Problems()
    try:
        cfg = load_site(ws, client)
    except SitekeeperError as exc:
        problems.extend(exc.diagnostics())
        return problems
    # Reuse the build cache read-only: parsing is memoised, nothing is written.
    cache = BuildCache.load(default_out(ws, client))
    plan, content, found = prepare(ws, cfg, clock, cache)
    problems.extend(found.items)
    problems.extend(_secrets_in_files(ws, cfg))
    try:
        from .mail.check import check_campaigns
    except ImportError:
        check_campaigns = None
    if check_campaigns is not None:
        problems.extend(check_campaigns(ws, cfg, content.promotions, clock))
    return problems


def _secrets_in_files(ws: Workspace, cfg) -> list:
    """Key material anywhere in the client's text files (site.toml is checked on load)."""
    from . import secrets
    from .errors import Diagnostic

    found = []
    roots = [cfg.content_dir, cfg.templates_dir, cfg.static_dir, ws.campaigns_dir / cfg.client]
    text_ext = {".md", ".html", ".txt", ".csv", ".toml", ".yaml", ".yml", ".json", ".css", ".js", ".xml", ".env"}
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or (path.suffix.lower() not in text_ext and path.suffix):
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            for line, kind in secrets.scan_text(text):
                found.append(Diagnostic(ws.rel(path), line, f"{kind} is written in this file", secrets.FIX_MATERIAL))
            if path.suffix == ".md" and text.startswith("---"):
                found.extend(_secret_keys_in_front_matter(ws, path, text))
    return found


def _secret_keys_in_front_matter(ws, path, text) -> list:
    import re

    from . import secrets
    from .errors import Diagnostic

    end = text.find("\n---", 3)
    head = text[: end if end > 0 else 0]
    out = []
    for no, line in enumerate(head.splitlines(), 1):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(\S.*)?$", line)
        if m and m.group(2) and secrets.is_secret_key(m.group(1)):
            out.append(Diagnostic(ws.rel(path), no, f"`{m.group(1)}` holds a literal secret", secrets.FIX_KEY))
    return out


def check_clients(ws: Workspace, clients, clock, reporter, strict: bool = False) -> bool:
    ok = True
    total_err = total_warn = 0
    for client in clients:
        problems = check_client(ws, client, clock)
        reporter.problems(problems.items)
        errors = len(problems.errors) + (len(problems.warnings) if strict else 0)
        total_err += len(problems.errors)
        total_warn += len(problems.warnings)
        ok = ok and errors == 0
        reporter.event("checked", client=client, errors=len(problems.errors), warnings=len(problems.warnings))
        if errors == 0:
            reporter.info(f"{client}: ok" + (f" ({len(problems.warnings)} warnings)" if problems.warnings else ""))
    reporter.result({"checked": list(clients), "ok": ok, "errors": total_err, "warnings": total_warn})
    if not ok:
        reporter.info(f"{total_err} errors, {total_warn} warnings")
    return ok
