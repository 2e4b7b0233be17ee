"""Reading what a report is made of: the activity record, git, the site then and now, opt-outs.

Only reads. The site as it was at the period's start and end is taken from git (the client's
two folders extracted at those commits into a temporary folder) and planned there, so a
report made later still lists what that month changed, not what the workspace holds today.
"""
from __future__ import annotations

import base64
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from ..config import Workspace, load_site
from ..errors import SitekeeperError
from . import history
from .model import Inputs, PageInfo, sent_within
from .period import Period

PAGE_KINDS = ("home", "section", "page")


def collect(ws: Workspace, client: str, period: Period, lang: str, now: datetime) -> Inputs:
    cfg = load_site(ws, client)
    tz = cfg.tz
    now = now.astimezone(tz)
    found = Inputs(client, cfg.name, cfg.base_url, lang, cfg.timezone, period, now, theme=_theme(cfg))
    end_at = min(period.end - timedelta(microseconds=1), now)
    _history(ws, cfg, period, end_at, found)
    if not found.promotions:
        from ..content.promotions import load_promotions

        found.promotions = load_promotions(ws, cfg)[0]
    _records(ws, cfg, period, found)
    found.optouts = optouts(ws.campaigns_dir / client / "unsubscribed.csv", tz)
    return found


def _theme(cfg) -> dict:
    from ..render.colors import mix, on_color, readable_on

    primary = cfg.theme.primary_color
    logo = ""
    if cfg.theme.logo:
        path = cfg.root / cfg.theme.logo
        kinds = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".webp": "image/webp"}
        try:
            if path.suffix.lower() in kinds and path.stat().st_size < 300_000:
                logo = f"data:{kinds[path.suffix.lower()]};base64,{base64.b64encode(path.read_bytes()).decode()}"
        except OSError:
            logo = ""
    return {"primary": primary, "on_primary": on_color(primary), "accent": cfg.theme.accent_color,
            "link": readable_on("#ffffff", primary), "tint": mix(primary, "#ffffff", 0.92), "logo": logo}


def _history(ws, cfg, period: Period, end_at: datetime, found: Inputs) -> None:
    root, client = ws.root, cfg.client
    try:
        prefix = history.check_repository(root)
        found.commits = [_mark_approval(root, c, client, prefix)
                         for c in history.commits(root, period.start, period.end, prefix)]
        base = history.commit_at(root, period.start)
        end = history.commit_at(root, period.end)
        found.files_changed = history.changed_files(root, base, end, prefix, f"sites/{client}")
    except history.HistoryError as exc:
        found.commits, found.git_error = None, str(exc)
        return
    with tempfile.TemporaryDirectory(prefix="sitekeeper-report-") as tmp:
        for label, commit, at in (("start", base, period.start), ("end", end, end_at)):
            if commit is None:
                continue
            folder = Path(tmp) / label
            try:
                history.extract(root, commit, prefix, [f"sites/{client}", f"campaigns/{client}"], folder)
                pages, promotions = _site_at(Workspace(folder), client, at)
            except (history.HistoryError, SitekeeperError) as exc:
                found.history_errors.append((at, _message(exc)))
                continue
            if label == "start":
                found.pages_start = pages
            else:
                found.pages_end, found.promotions = pages, promotions


def _mark_approval(root, commit, client: str, prefix: str):
    """``commit``, marked when all it changes in the client's folders is approval fields of its
    promotions (what `campaign approve` or an approving reply writes)."""
    import dataclasses

    mine = [(s, p) for s, p in commit.files if p.startswith((f"sites/{client}/", f"campaigns/{client}/"))]
    promos = [p for s, p in mine if s == "M" and p.startswith(f"campaigns/{client}/") and p.endswith(".md")]
    if not mine or len(promos) != len(mine):
        return commit
    return dataclasses.replace(commit, approval=True) if history.approval_only(root, commit.sha, promos, prefix) \
        else commit


def _site_at(ws: Workspace, client: str, at: datetime) -> tuple[dict, list]:
    """url -> PageInfo of the pages the site (as extracted) shows at ``at``, and its promotions."""
    if not (ws.sites_dir / client / "site.toml").is_file():
        return {}, []
    from ..build import site_outputs
    from ..build.plan import PageJob
    from ..content.promotions import load_promotions

    cfg = load_site(ws, client)
    plan = site_outputs(ws, cfg, at)
    pages = {}
    for out in plan.outputs.values():
        job = out.job
        if isinstance(job, PageJob) and job.kind in PAGE_KINDS and job.page is not None:
            pages[job.url] = PageInfo(job.url, job.title, job.lang, job.source)
    return pages, load_promotions(ws, cfg)[0]


def _message(exc) -> str:
    if isinstance(exc, SitekeeperError):
        d = exc.diagnostics()
        return d[0].message if d else str(exc)
    return str(exc)


def _records(ws, cfg, period: Period, found: Inputs) -> None:
    """The activity record of the period, the last publishes, and the ledgers' totals."""
    from ..config.deploy import choose_target
    from ..state.published import last_published
    from ..state import activity, open_workspace_store
    from ..state.ledger import Ledger

    client = cfg.client
    try:
        store = open_workspace_store(ws)
        read: dict[str, list] = {}  # month -> its events: each month is read once

        def month_events(month: str) -> list:
            if month not in read:
                read[month] = activity.read(store, client, month)
            return read[month]

        found.activity = [e for month in period.utc_months() for e in month_events(month)]
        targets = list(cfg.deploy) or [choose_target(cfg, ws.root, None).name]
        found.last_published = {t: rec for t in targets if (rec := last_published(store, client, t))}
        # Sends of campaigns that may have gone out in the period: the ledger against the record.
        months: set[str] = set()
        for promo in found.promotions:
            if not sent_within(promo, period):
                continue
            found.ledger_sent[promo.slug] = Ledger(store, client, promo.slug).load().counts()["sent"]
            months.update(Period(promo.send_at or promo.starts, promo.ends + timedelta(days=1)).utc_months())
        recorded: dict[str, int] = {}
        for month in sorted(months):
            for e in month_events(month):
                if e.kind == "send":
                    slug = str(e.data.get("campaign", ""))
                    recorded[slug] = recorded.get(slug, 0) + int(e.data.get("sent", 0) or 0)
        found.recorded_sent = recorded
    except SitekeeperError as exc:
        found.activity, found.store_error = None, _message(exc)
        found.last_published, found.ledger_sent = {}, {}


def optouts(path: Path, tz) -> list[tuple[datetime, str]]:
    """(when, reason) of every row of unsubscribed.csv with a readable time; no address is kept.
    Raises ProblemsError when the list cannot be read whole (never a shorter count)."""
    from ..config.optouts import read_optouts
    from ..errors import ProblemsError

    book = read_optouts(path, "/".join(path.parts[-3:]))
    if book.errors:
        raise ProblemsError(book.errors)
    out = []
    for row in book.rows:
        try:
            at = datetime.fromisoformat(row.at)
        except ValueError:
            continue
        out.append((at if at.tzinfo else at.replace(tzinfo=tz), row.reason))
    return out
