"""The build's entry points: build a client's site, or answer what it shows at an instant."""
from __future__ import annotations

import gc
import hashlib
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

from .. import __version__
from ..config import SiteConfig, Workspace, load_site
from ..errors import Diagnostic, Problems, ProblemsError
from ..render.env import ASSETS_DIR, template_dirs
from ..render.i18n import language_problems
from .cache import CACHE_VERSION, BuildCache, LastBuild, cache_folder, load_last, remove_old_cache, save_last
from .links import check_links
from .outputs import write_outputs
from .parallel import Parallel
from .plan import PageJob, SitePlan, next_change_in, plan_site, visible_fingerprint
from .sources import SiteContent, confinement_problems, html_policy_problems, limits, load_content, secrets_in_files, walk

BIG_SITE = 500
"""Content files from which a build says it has started (it takes about a second or more)."""



@dataclass
class BuildResult:
    client: str
    """The client built."""
    out: Path
    """The output folder."""
    pages: int
    """HTML pages in the site."""
    written: list[str] = field(default_factory=list)
    """Outputs written this time (paths relative to out)."""
    unchanged: int = 0
    """Outputs left as they were."""
    deleted: list[str] = field(default_factory=list)
    """Outputs removed because their source is gone."""
    warnings: list[Diagnostic] = field(default_factory=list)
    """Problems that did not stop the build."""
    signature: str = ""
    """inputs_signature() of the build: equal means no input file was touched."""
    visible: str = ""
    """visible_fingerprint() of what the site shows."""
    valid: tuple[float, float] = (float("-inf"), float("inf"))
    """Timestamps between which the built site stays what it should show."""

    def as_json(self) -> dict:
        return {
            "client": self.client, "out": str(self.out), "pages": self.pages, "written": len(self.written),
            "unchanged": self.unchanged, "deleted": len(self.deleted),
            "written_paths": self.written, "deleted_paths": self.deleted,
            "warnings": [w.as_json() for w in self.warnings],
        }

    def summary(self) -> str:
        try:
            shown = self.out.relative_to(Path.cwd())
        except ValueError:
            shown = self.out
        return (f"{self.client}: {self.pages} pages, {len(self.written)} written, {self.unchanged} unchanged"
                f"{', ' + str(len(self.deleted)) + ' deleted' if self.deleted else ''} -> {shown}")


class Checked(NamedTuple):
    """A site loaded, planned and checked, nothing written."""

    plan: SitePlan
    content: SiteContent
    problems: Problems


def default_out(ws: Workspace, client: str) -> Path:
    return ws.root / ".sitekeeper" / "build" / client


def build_cache(ws: Workspace, out_dir: Path) -> Path:
    """Where the builds into ``out_dir`` keep their cache (never inside it)."""
    return cache_folder(ws.cache_dir, out_dir.resolve())


def _prepare(ws: Workspace, cfg: SiteConfig, now: datetime, cache: BuildCache, parallel: Parallel,
             walked: dict | None = None) -> Checked:
    """Load, plan and check a site (the cache updated in memory). Raises nothing."""
    problems = Problems()
    content, diags = load_content(ws, cfg, cache, parallel, walked)
    problems.extend(diags)
    plan = plan_site(cfg, content, now)
    problems.extend(plan.problems)
    found, cache.links, changed = check_links(plan, content, cache.links)
    cache.dirty = cache.dirty or changed
    problems.extend(found)
    problems.extend(secrets_in_files(ws, cfg))
    problems.extend(confinement_problems(ws, cfg))
    problems.extend(html_policy_problems(cfg, content))
    problems.extend(language_problems(cfg))
    problems.extend(_placeholder_address(cfg))
    return Checked(plan, content, problems)


PLACEHOLDER_URLS = ("https://www.example.com", "http://www.example.com")


def _placeholder_address(cfg: SiteConfig) -> list[Diagnostic]:
    """A warning while `base_url` is the placeholder an import writes when the old site named no domain."""
    if cfg.base_url not in PLACEHOLDER_URLS:
        return []
    return [Diagnostic(cfg.path, cfg.line_of("", "base_url"),
                       f"`base_url` is still the placeholder {cfg.base_url}: canonical links, the sitemap "
                       "and the feed point there",
                       'set the real address: `base_url = "https://www.client-domain.example"`', severity="warning")]


def check_site(ws: Workspace, cfg: SiteConfig, now: datetime) -> Checked:
    """Everything a build at ``now`` would refuse, found without writing (the build cache
    is read, to skip parsing unchanged files, and never saved)."""
    return _prepare(ws, cfg, now, BuildCache.load(build_cache(ws, default_out(ws, cfg.client))),
                    Parallel.from_env())


def load_site_content(ws: Workspace, cfg: SiteConfig) -> tuple[SiteContent, list[Diagnostic]]:
    """The client's parsed content and the problems found (read-only, as check_site)."""
    return load_content(ws, cfg, BuildCache.load(build_cache(ws, default_out(ws, cfg.client))), Parallel.from_env())


def site_outputs(ws: Workspace, cfg: SiteConfig, at: datetime) -> SitePlan:
    """What the site shows at ``at``: its plan (nothing rendered or written)."""
    content, _ = load_site_content(ws, cfg)
    return plan_site(cfg, content, at.astimezone(cfg.tz))


def next_change(ws: Workspace, cfg: SiteConfig, after: datetime) -> datetime | None:
    """The first instant after ``after`` at which the site's visible output changes by
    itself (a page's publish/expires, a promotion's starts/ends, the midnight after a
    closed day of [business], New Year in the site's timezone for the footer), in the
    site's timezone."""
    content, _ = load_site_content(ws, cfg)
    return next_change_in(content.pages, content.promotions, after, cfg.tz, cfg.business)


def inputs_signature(ws: Workspace, cfg: SiteConfig, out_dir: Path, walked: dict | None = None) -> str:
    """One hash over the stat of every input file: equal means nothing was touched.

    ``walked`` receives each folder's listing, so the build need not list it again."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}|{CACHE_VERSION}|{out_dir}|{sys.version_info[:2]}".encode())
    bounds = limits(ws, cfg)
    folders = [cfg.content_dir, cfg.static_dir, ws.campaigns_dir / cfg.client, ASSETS_DIR,
               *template_dirs(cfg.templates_dir)]
    for folder in folders:
        h.update(f"\0{folder}\0".encode())
        listing = walk(folder, bounds.get(folder, folder))
        if walked is not None:
            walked[folder] = listing
        for rel, e in listing:
            st = e.stat()
            h.update(f"{rel}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_size}|{st.st_ino}\n".encode())
    from ..locale.catalog import files as catalog_files  # the theme's and the newsletter pages' words

    for extra in (cfg.root / "site.toml", *catalog_files()):
        try:
            st = extra.stat()
            h.update(f"{extra}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_size}\n".encode())
        except FileNotFoundError:
            pass
    return h.hexdigest()


def _quick_noop(out_dir: Path, cached: Path, signature: str, now: datetime) -> LastBuild | None:
    """The last build if no input changed, its time window holds and its outputs are all
    still there; else None."""
    last = load_last(cached)
    if last is None or last.signature != signature:
        return None
    lo, hi = last.valid
    if not (lo <= now.timestamp() < hi):
        return None
    root = str(out_dir) + os.sep
    for path, size in last.sizes.items():
        try:
            if os.stat(root + path).st_size != size:
                return None
        except FileNotFoundError:
            return None
    return last


ExtraCheck = Callable[[SiteConfig, SiteContent], "list[Diagnostic]"]
"""More validation run on the loaded content before anything is written (the campaign
checks, from the layer above); its errors stop the build like the build's own."""


def build_client(ws: Workspace, client: str, clock, reporter, out: Path | None = None,
                 checks: Sequence[ExtraCheck] = (), cfg: SiteConfig | None = None) -> BuildResult:
    """Build ``client``'s site into ``out``. ``cfg``: the site's settings as loaded, changed
    (a private preview's base_url); the output folder must then be one of its own, since the
    quick no-change check compares the input files only."""
    # Parsing Markdown allocates hundreds of thousands of short-lived, acyclic tokens;
    # the cyclic collector only slows that down (about 5 %). It runs again afterwards.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_client(ws, client, clock, reporter, out, checks, cfg)
    finally:
        if gc_was_enabled:
            gc.enable()


def _build_client(ws: Workspace, client: str, clock, reporter, out: Path | None,
                  checks: Sequence[ExtraCheck], cfg: SiteConfig | None = None) -> BuildResult:
    cfg = cfg or load_site(ws, client)
    out_dir = (out or default_out(ws, client)).resolve()
    if out_dir == ws.root.resolve() or out_dir in (cfg.root.resolve(), ws.sites_dir.resolve()):
        raise ProblemsError([Diagnostic("--out", None, f"refusing to build into {out_dir}: it holds sources",
                                        "choose an empty or build folder, e.g. --out build/" + client)])
    walked: dict = {}
    signature = inputs_signature(ws, cfg, out_dir, walked)
    now = clock.now(cfg.tz)
    cached = build_cache(ws, out_dir)
    last = _quick_noop(out_dir, cached, signature, now)
    if last is not None:
        for w in last.warnings:
            reporter.warn(str(w))
        return BuildResult(client, out_dir, last.pages, [], len(last.sizes), [], last.warnings,
                           signature, last.visible, last.valid)
    cache = BuildCache.load(cached)
    parallel = Parallel.from_env()
    sources = len(walked.get(cfg.content_dir, ()))
    if sources >= BIG_SITE:  # a second or more: say so before the wait
        reporter.info(f"{client}: building {sources} content files ...")
    plan, content, problems = _prepare(ws, cfg, now, cache, parallel, walked)
    for check in checks:
        problems.extend(check(cfg, content))
    if problems.errors:
        raise ProblemsError(problems.items)
    for w in problems.warnings:
        reporter.warn(str(w))
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_old_cache(out_dir)
    written, unchanged, deleted = write_outputs(ws, plan, cache, out_dir, parallel)
    live_html = set(content.sha.values()) | {o.job.body_key for o in plan.outputs.values()
                                             if o.kind == "page" and isinstance(o.job, PageJob)
                                             and o.job.body_key.startswith("promo:")}
    cache.save(live_html)
    visible = visible_fingerprint(plan)
    save_last(cached, LastBuild(signature, plan.valid, plan.page_count, problems.warnings,
                                 {path: cache.outputs[path].size for path in plan.outputs}, visible))
    return BuildResult(client, out_dir, plan.page_count, written, unchanged, deleted, problems.warnings,
                       signature, visible, plan.valid)
