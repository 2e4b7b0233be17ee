"""Build a client's site: content -> outputs, incrementally.

The pipeline:

1. ``load_content``: every content file is stat-ed; a file whose (mtime, size) matches
   the cache is not even read; the others are parsed (front matter + Markdown).
2. ``plan_site``: which pages are visible *now*, their URLs, menus, translations,
   banners, sections, feeds, sitemap; every output gets a fingerprint of exactly the
   inputs that shape it. Internal links are checked here.
3. ``write_outputs``: an output whose fingerprint is unchanged and whose file is still
   there is skipped without rendering; the rest are rendered (in parallel when many)
   and written atomically (temp + rename) only if the bytes differ. Outputs of
   removed pages are deleted.

A no-op rebuild reads one cache file and stats the sources and outputs: no YAML,
Markdown or Jinja2 is imported. The cache lives in the output folder under
``.sitekeeper-build/`` (the one name deploys skip), so it always describes that folder.
"""
from __future__ import annotations

import dataclasses
import gc
import hashlib
import marshal
import os
import pickle
import posixpath
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin

from . import __version__
from .config import secrets
from .config import SiteConfig, Workspace, load_site
from .content.pages import Page, default_url, output_path, parse_page, translation_url
from .content.promotions import Promotion, load_promotions
from .errors import Diagnostic, Problems, ProblemsError, did_you_mean
from .render.colors import mix, on_color, readable_on
from .render.env import ASSETS_DIR, page_templates, templates_fingerprint

CACHE_DIR = ".sitekeeper-build"
CACHE_VERSION = 4
PARALLEL_MIN = 200  # below this, forking costs more than it saves


# ---------------------------------------------------------------- results


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


# ---------------------------------------------------------------- cache


@dataclass
class SourceEntry:
    stat: tuple
    sha: str
    page: Page | None
    diags: list
    links: tuple | None = None  # (target, body line, kind) once rendered


@dataclass
class BuildCache:
    path: Path
    sources: dict = field(default_factory=dict)  # relpath -> SourceEntry
    outputs: dict = field(default_factory=dict)  # out path -> (fingerprint, sha, size)
    static: dict = field(default_factory=dict)  # relpath -> (stat, sha)
    html: dict | None = None  # source sha -> html (loaded lazily)
    html_dirty: bool = False
    templates_fp: tuple | None = None  # (stat signature, fingerprint)
    dirty: bool = False  # anything to save?

    @classmethod
    def load(cls, out: Path) -> "BuildCache":
        path = out / CACHE_DIR
        try:
            with open(path / "cache.pickle", "rb") as fh:
                data = pickle.load(fh)
            if data.get("version") != (CACHE_VERSION, __version__):
                raise ValueError("old cache")
            return cls(path, data["sources"], data["outputs"], data["static"], None, False, data.get("templates_fp"))
        except Exception:
            return cls(path, dirty=True)

    def get_html(self) -> "HtmlStore":
        if self.html is None:
            self.html = HtmlStore(self.path / "html")
        return self.html

    def save(self) -> None:
        if not (self.dirty or self.html_dirty):
            return
        self.path.mkdir(parents=True, exist_ok=True)
        data = {"version": (CACHE_VERSION, __version__), "sources": self.sources, "outputs": self.outputs,
                "static": self.static, "templates_fp": self.templates_fp}
        _atomic_write(self.path / "cache.pickle", pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        if self.html_dirty and self.html is not None:
            self.html.save({e.sha for e in self.sources.values()})


class HtmlStore:
    """Rendered Markdown bodies by source hash, in 16 marshal files (by the hash's last
    digit), each read on first use and written only when it changed.

    Not one file per page: creating thousands of small files costs more than a few big
    ones. Not one file either: a one-page edit reads and writes a sixteenth of it.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.shards: dict[str, dict[str, str]] = {}
        self.dirty: set[str] = set()

    def _shard(self, key: str) -> dict[str, str]:
        name = key[-1]
        shard = self.shards.get(name)
        if shard is None:
            try:
                with open(self.folder / f"{name}.marshal", "rb") as fh:
                    shard = marshal.load(fh)
            except (FileNotFoundError, EOFError, ValueError, TypeError):
                shard = {}
            self.shards[name] = shard
        return shard

    def get(self, key: str) -> str | None:
        return self._shard(key).get(key)

    def __setitem__(self, key: str, value: str) -> None:
        self._shard(key)[key] = value
        self.dirty.add(key[-1])

    def __contains__(self, key: str) -> bool:
        return key in self._shard(key)

    def save(self, live: set) -> None:
        for name in sorted(self.dirty):
            kept = {k: v for k, v in self.shards[name].items() if k in live or k.startswith("promo:")}
            self.shards[name] = kept
            _atomic_write(self.folder / f"{name}.marshal", marshal.dumps(kept))
        self.dirty.clear()


def _atomic_write(path: Path, data: bytes) -> None:
    """The one place outputs reach the disk: a temp file in the same folder, then rename."""
    tmp = path.with_name(f".{path.name}.sk-tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)


def _sha(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _fp(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


# ---------------------------------------------------------------- content


@dataclass
class SiteContent:
    pages: list[Page]
    """Every parsed page, drafts included."""
    promotions: list[Promotion]
    """Every parsed promotion."""
    static: list[tuple[str, Path]]
    """(relpath, file) under static/."""
    sha: dict
    """relpath -> content hash of each page source."""


def _walk(folder: Path):
    """(relpath, DirEntry) of the files under folder, sorted, skipping hidden names."""
    found = []
    stack = [(folder, "")]
    while stack:
        d, prefix = stack.pop()
        try:
            entries = list(os.scandir(d))
        except FileNotFoundError:
            continue
        for e in entries:
            if e.name.startswith(".") or e.name.endswith("~"):
                continue
            if e.is_dir():
                stack.append((e.path, prefix + e.name + "/"))
            else:
                found.append((prefix + e.name, e))
    found.sort(key=lambda x: x[0])
    return found


def _parse_source(args):
    """Read, parse and render one content file: (relpath, SourceEntry, html or None)."""
    relpath, path, sig, source, old_sha, languages, deflang, tz = args
    data = Path(path).read_bytes()
    sha = _sha(data)
    if sha == old_sha:
        return relpath, None, sha, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags = [Diagnostic(source, line, "the file is not UTF-8 text", "save it as UTF-8 in your editor")]
        return relpath, SourceEntry(sig, sha, None, diags), sha, None
    page, diags = parse_page(relpath, source, text, languages, deflang, tz)
    diags = diags + secrets.scan_document(source, text)
    if page is None or any(d.is_error for d in diags):
        return relpath, SourceEntry(sig, sha, None, diags), sha, None
    rendered = _render_md(page.body)
    # The cache keeps metadata only; the body lives in the file and its HTML in the html store.
    entry = SourceEntry(sig, sha, dataclasses.replace(page, body=""), diags, rendered.links)
    return relpath, entry, sha, rendered.html


def secrets_in_files(ws: Workspace, cfg: SiteConfig) -> list[Diagnostic]:
    """Secrets in the client's text files other than pages (those are scanned as parsed)."""
    text_ext = {".md", ".html", ".txt", ".csv", ".toml", ".yaml", ".yml", ".json", ".css", ".js", ".xml",
                ".env", ".mjml", ".svg", ""}
    found = []
    for root in (cfg.templates_dir, cfg.static_dir, ws.campaigns_dir / cfg.client):
        for rel, entry in _walk(root):
            if os.path.splitext(rel)[1].lower() not in text_ext:
                continue
            try:
                with open(entry.path, encoding="utf-8") as fh:
                    text = fh.read()
            except (UnicodeDecodeError, OSError):
                continue
            found.extend(secrets.scan_document(ws.rel(entry.path), text))
    return found


def _parse_in(args):
    return [_parse_source(a) for a in args]


def load_content(ws: Workspace, cfg: SiteConfig, cache: BuildCache, problems: Problems,
                 walked: dict | None = None) -> SiteContent:
    pages, shas = [], {}
    new_sources = {}
    content_rel = ws.rel(cfg.content_dir)
    stale = []
    listing = walked.get(cfg.content_dir) if walked else None
    if listing is None:
        listing = _walk(cfg.content_dir)
    for relpath, entry in listing:
        if not relpath.endswith(".md"):
            continue
        relpath = _nfc(relpath)
        st = entry.stat()
        sig = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        cached = cache.sources.get(relpath)
        if cached is None or cached.stat != sig:
            stale.append((relpath, entry.path, sig, f"{content_rel}/{relpath}", cached.sha if cached else None,
                          cfg.languages, cfg.default_language, cfg.tz))
        new_sources[relpath] = cached
    if stale:
        cache.dirty = True
        html = cache.get_html()
        if len(stale) >= PARALLEL_MIN and _can_fork():
            import multiprocessing as mp

            n = _workers()
            chunks = [stale[i::n * 4] for i in range(n * 4)]
            with mp.get_context("fork").Pool(n) as pool:
                results = [r for chunk in pool.imap_unordered(_parse_in, chunks) for r in chunk]
        else:
            results = [_parse_source(a) for a in stale]
        sigs = {a[0]: a[2] for a in stale}
        for relpath, entry, sha, body_html in results:
            if entry is None:  # same bytes, new stat: keep the parse
                new_sources[relpath].stat = sigs[relpath]
                continue
            new_sources[relpath] = entry
            if body_html is not None:
                html[sha] = body_html
                cache.html_dirty = True
    for relpath, cached in new_sources.items():
        problems.extend(cached.diags)
        if cached.page is not None:
            pages.append(cached.page)
            shas[relpath] = cached.sha
    if set(cache.sources) != set(new_sources):
        cache.dirty = True
    cache.sources = new_sources
    promos, diags = load_promotions(ws, cfg)
    problems.extend(diags)
    static_listing = walked.get(cfg.static_dir) if walked else None
    if static_listing is None:
        static_listing = _walk(cfg.static_dir)
    static = [(_nfc(rel), Path(e.path)) for rel, e in static_listing]
    return SiteContent(pages, promos, static, shas)


def _nfc(s: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", s)


# ---------------------------------------------------------------- plan


@dataclass
class Output:
    path: str
    """Path under the output folder, '/' separated."""
    fingerprint: str
    """Hash of every input that shapes the bytes."""
    kind: str
    """'page' | 'static' | 'asset' | 'feed' | 'sitemap' | 'robots' | '404'."""
    source: str = ""
    """Where it comes from, for messages."""
    job: object = None
    """What to render: a PageJob, a file Path, or bytes."""


@dataclass
class PageJob:
    lang: str
    url: str
    kind: str
    template: str
    title: str
    source: str
    body_key: str  # key into the html store
    body: str  # Markdown (promotions) or the source file to re-read when the html store lacks it
    page: Page | None
    promo: Promotion | None
    translations: tuple
    children: tuple
    description: str


@dataclass
class SitePlan:
    cfg: SiteConfig
    now: datetime
    outputs: dict  # path -> Output
    page_count: int
    global_ctx: dict
    links: list  # (source, line, target, page url)
    valid: tuple = (float("-inf"), float("inf"))  # the times between which this plan stays true


def _static_url(value: str | None) -> str | None:
    if not value:
        return None
    return "/" + value[len("static/"):] if value.startswith("static/") else "/" + value


def _title_from_folder(folder: str) -> str:
    name = folder.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")
    return name[:1].upper() + name[1:]


def plan_site(ws: Workspace, cfg: SiteConfig, content: SiteContent, now: datetime, cache: BuildCache,
              problems: Problems) -> SitePlan:
    langs = cfg.languages
    deflang = cfg.default_language
    outputs: dict[str, Output] = {}

    def add(out: Output) -> None:
        prev = outputs.get(out.path)
        if prev is not None:
            if out.kind == "robots" and prev.kind == "static":
                return  # the client's own static/robots.txt wins over the generated default
            problems.error(out.source or prev.source, None,
                           f"two outputs at /{out.path}: {prev.source} and {out.source}",
                           "give one of them another file name or a different `slug`")
            return
        outputs[out.path] = out

    # --- pages: URLs from every parsed page (a draft keeps its URL stable), visibility from now
    by_key: dict[str, dict[str, Page]] = {}
    for p in content.pages:
        by_key.setdefault(p.key, {})
        if p.lang in by_key[p.key]:
            other = by_key[p.key][p.lang]
            problems.error(p.source, None, f"{p.source} and {other.source} are the same page in `{p.lang}`",
                           "remove one of them (about.md and about.<default>.md are the same page)")
            continue
        by_key[p.key][p.lang] = p
    urls: dict[tuple[str, str], str] = {}
    for key, versions in by_key.items():
        d = versions.get(deflang)
        d_url = default_url(key, d.slug) if d else None
        for lang, p in versions.items():
            urls[(key, lang)] = d_url if lang == deflang else translation_url(lang, key, p.slug, d_url)
    visible = [p for p in content.pages if p.visible(now) and by_key[p.key].get(p.lang) is p]
    vis_by_key: dict[str, dict[str, Page]] = {}
    for p in visible:
        vis_by_key.setdefault(p.key, {})[p.lang] = p

    # sections without an index page get a generated listing
    folders_by_lang: dict[str, set[str]] = {lang: set() for lang in langs}
    index_folders = {(p.folder, p.lang) for p in visible if p.is_index}
    for p in visible:
        parts = p.folder.split("/") if p.folder else []
        upto = len(parts) - (1 if p.is_index else 0)
        for i in range(1, upto + 1):
            folders_by_lang[p.lang].add("/".join(parts[:i]))
    synthetic = []
    for lang, folders in folders_by_lang.items():
        for folder in sorted(folders):
            if (folder, lang) in index_folders:
                continue
            key = f"{folder}/index"
            if lang == deflang:
                url = default_url(key, None)
            else:
                d = by_key.get(key, {}).get(deflang)
                url = translation_url(lang, key, None, default_url(key, d.slug) if d else None)
            synthetic.append((folder, lang, url))

    # templates
    tnames = set(page_templates(cfg.templates_dir))
    tstat = _templates_stat(cfg)
    if cache.templates_fp and cache.templates_fp[0] == tstat:
        tfp = cache.templates_fp[1]
    else:
        tfp = templates_fingerprint(cfg.templates_dir)
        cache.templates_fp = (tstat, tfp)
        cache.dirty = True

    # assets: theme assets and the client's own CSS/JS get fingerprinted names
    asset_urls: dict[str, str] = {}
    asset_files = []
    for folder, prefix in ((ASSETS_DIR, ""),):
        for rel, entry in _walk(folder):
            asset_files.append((rel, Path(entry.path), "theme"))
    for rel, path in content.static:
        if rel.endswith((".css", ".js")):
            asset_files.append((rel, path, "static"))
    for rel, path, origin in asset_files:
        sha = _static_sha(cache, "asset:" + str(path), path)
        stem, dot, ext = rel.rpartition(".")
        out_rel = f"assets/{stem}.{sha[:10]}.{ext}"
        asset_urls[rel] = "/" + out_rel
        add(Output(out_rel, sha, "asset", str(path), path))

    # static files, copied as they are
    static_rel = ws.rel(cfg.static_dir)
    for rel, path in content.static:
        sha = _static_sha(cache, rel, path)
        add(Output(rel, sha, "static", f"{static_rel}/{rel}", path))

    # --- promotions live now
    live = [pr for pr in content.promotions if pr.live(now)]
    banners = {
        lang: tuple(
            (for_site(pr.text(lang).banner or pr.text(lang).title), pr.url(lang, deflang) if pr.page else None,
             for_site(pr.text(lang).title), pr.slug)
            for pr in live
        )
        for lang in langs
    }

    # --- menus per language (a page without a translation shows in its default language)
    menus = {}
    for lang in langs:
        items = []
        for key, versions in vis_by_key.items():
            p = versions.get(lang) or (versions.get(deflang) if lang != deflang else None)
            if p is None or p.menu is None:
                continue
            items.append((p.menu, p.title, urls[(key, p.lang)]))
        items.sort(key=lambda x: (x[0], x[1]))
        menus[lang] = tuple(items)

    theme = cfg.theme
    logo_url = _static_url(theme.logo)
    global_ctx = {
        "name": cfg.name, "base_url": cfg.base_url, "languages": list(langs), "default_language": deflang,
        "description": cfg.description,
        "theme": {
            "primary_color": theme.primary_color, "accent_color": theme.accent_color,
            "on_primary": on_color(theme.primary_color), "on_accent": on_color(theme.accent_color),
            # links sit on white and on a 7 % tint of the primary colour: AA against the tint
            "link_color": readable_on(mix(theme.primary_color, "#ffffff", 0.93), mix(theme.primary_color, "#000000", 0.18)),
            "tagline": theme.tagline, "logo_url": logo_url, "favicon_url": _static_url(theme.favicon),
        },
        "asset_urls": asset_urls, "menus": menus, "banners": banners, "year": now.year,
    }
    # Only what pages show: a change to [mail] or [deploy] re-renders nothing.
    site_fp = (cfg.name, cfg.base_url, cfg.languages, cfg.timezone, cfg.description, cfg.theme)
    gfp = _fp(__version__, site_fp, tfp, sorted(asset_urls.items()), menus, banners, now.year)

    # --- page jobs
    translations_memo: dict[str, tuple] = {}  # the same for every language of a page

    def translations_of(key: str, promo: Promotion | None = None) -> tuple:
        if promo is not None:
            return tuple((lg, promo.url(lg, deflang), promo.text(lg).title) for lg in langs
                         if lg == deflang or lg in promo.translations)
        found = translations_memo.get(key)
        if found is None:
            versions = vis_by_key.get(key, {})
            if len(versions) == 1:
                (lg, p), = versions.items()
                found = ((lg, urls[(key, lg)], p.title),)
            else:
                found = tuple((lg, urls[(key, lg)], versions[lg].title) for lg in langs if lg in versions)
            translations_memo[key] = found
        return found

    def child_row(p: Page) -> tuple:
        return (p.title, urls[(p.key, p.lang)], p.date.isoformat() if p.date else None, p.description,
                p.date.timestamp() if p.date else None)

    def sort_children(rows):
        return tuple(sorted(rows, key=lambda r: (-(r[4] or 0), r[0])))

    children_by = {}
    for p in visible:
        if p.is_index:
            parent = p.folder.rsplit("/", 1)[0] if "/" in p.folder else ""
            if p.folder:
                children_by.setdefault((parent, p.lang), []).append(child_row(p))
        else:
            children_by.setdefault((p.folder, p.lang), []).append(child_row(p))
    for folder, lang, url in synthetic:
        parent = folder.rsplit("/", 1)[0] if "/" in folder else ""
        children_by.setdefault((parent, lang), []).append((_title_from_folder(folder), url, None, "", None))

    latest = {}
    for lang in langs:
        dated = [child_row(p) for p in visible if p.lang == lang and p.date and not p.is_index]
        latest[lang] = sort_children(dated)[:3]

    links = []
    page_count = 0
    for p in visible:
        url = urls[(p.key, p.lang)]
        is_home = p.key == "index"
        kind = "home" if is_home else ("section" if p.is_index else "page")
        template = p.template or f"{kind}.html"
        if template not in tnames:
            problems.error(p.source, p.line_of("template"), f"unknown template `{template}`",
                           f"use one of: {', '.join(sorted(tnames))}, or add sites/{cfg.client}/templates/{template}")
            continue
        if is_home:
            children = latest[p.lang]
        elif p.is_index:
            children = sort_children(children_by.get((p.folder, p.lang), []))
        else:
            children = ()
        sha = content.sha[p.relpath]
        job = PageJob(p.lang, url, kind, template, p.title, p.source, sha, p.relpath, p, None,
                      translations_of(p.key), children, p.description)
        fp = _fp(gfp, "page", sha, url, template, job.translations, children)
        add(Output(output_path(url), fp, "page", p.source, job))
        page_count += 1
        entry = cache.sources.get(p.relpath)
        if entry is not None:
            links.append((p, entry, url))

    for folder, lang, url in synthetic:
        children = sort_children(children_by.get((folder, lang), []))
        title = _title_from_folder(folder)
        job = PageJob(lang, url, "section", "section.html", title, f"{ws.rel(cfg.content_dir)}/{folder}/", "", "",
                      None, None, (), children, "")
        add(Output(output_path(url), _fp(gfp, "section", url, children), "page", job.source, job))
        page_count += 1

    for pr in live:
        if not pr.page:
            continue
        for lang in [deflang, *sorted(pr.translations)]:
            if lang not in langs:
                continue
            text = pr.text(lang)
            url = pr.url(lang, deflang)
            body = for_site(text.body)
            body_key = "promo:" + _sha(body.encode())
            job = PageJob(lang, url, "promotion", "promotion.html", for_site(text.title), text.source, body_key, body,
                          None, pr, translations_of("", pr), (), for_site(text.description or text.banner))
            dates = (pr.starts.isoformat(), pr.ends.isoformat())
            add(Output(output_path(url), _fp(gfp, "promo", body_key, text, dates, job.translations),
                       "page", text.source, job))
            page_count += 1

    # --- 404, feeds, sitemap, robots
    add(Output("404.html", _fp(gfp, "404"), "404", "", PageJob(deflang, "/404.html", "404", "404.html", "", "", "",
                                                               "", None, None, (), (), "")))
    for lang in langs:
        dated = sorted((p for p in visible if p.lang == lang and p.date), key=lambda p: p.date, reverse=True)[:30]
        rows = tuple((p.title, urls[(p.key, p.lang)], p.date.isoformat(), p.description) for p in dated)
        prefix = "" if lang == deflang else f"{lang}/"
        add(Output(f"{prefix}feed.xml", _fp(gfp, "feed", lang, rows), "feed", "", ("feed", lang, rows)))
    entries = []
    for key, versions in vis_by_key.items():
        alts = tuple((lg, urls[(key, lg)]) for lg in langs if lg in versions)
        for lg, p in versions.items():
            entries.append((urls[(key, lg)], p.date.date().isoformat() if p.date else None, alts if len(alts) > 1 else ()))
    for folder, lang, url in synthetic:
        entries.append((url, None, ()))
    for pr in live:
        if pr.page:
            alts = tuple((lg, pr.url(lg, deflang)) for lg in langs if lg == deflang or lg in pr.translations)
            for lg, u in alts:
                entries.append((u, None, alts if len(alts) > 1 else ()))
    entries.sort()
    add(Output("sitemap.xml", _fp(gfp, "sitemap", entries), "sitemap", "", ("sitemap", entries)))
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {cfg.base_url}/sitemap.xml\n".encode()
    add(Output("robots.txt", _sha(robots), "robots", "", robots))

    # The plan holds until the next publish/expires/promotion boundary (or New Year: the footer).
    stamps = [t.timestamp() for p in content.pages if not p.draft for t in (p.publish, p.expires) if t]
    stamps += [t.timestamp() for pr in content.promotions if not pr.draft for t in (pr.starts, pr.ends) if t]
    stamps.append(now.replace(year=now.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())
    stamps.append(now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())
    t = now.timestamp()
    valid = (max((x for x in stamps if x <= t), default=float("-inf")), min((x for x in stamps if x > t), default=float("inf")))
    return SitePlan(cfg, now, outputs, page_count, global_ctx, links, valid)


def _templates_stat(cfg: SiteConfig) -> tuple:
    from .render.env import template_dirs

    sig = []
    for folder in template_dirs(cfg.templates_dir):
        for rel, e in _walk(folder):
            st = e.stat()
            sig.append((rel, st.st_mtime_ns, st.st_size))
    return tuple(sig)


def _static_sha(cache: BuildCache, key: str, path: Path) -> str:
    st = path.stat()
    sig = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    hit = cache.static.get(key)
    if hit and hit[0] == sig:
        return hit[1]
    sha = _sha(path.read_bytes())
    cache.static[key] = (sig, sha)
    cache.dirty = True
    return sha


# ---------------------------------------------------------------- links


_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def check_links(plan: SitePlan, cache: BuildCache, content: SiteContent, problems: Problems) -> None:
    """Every internal link or image must point at an output that will exist."""
    outputs = plan.outputs
    # A page's verdict depends only on the set of outputs, its links and its URL: while
    # the set of outputs stays the same, only pages that changed are checked again.
    outputs_key = _fp(sorted(outputs))
    memo = cache.static.get("link-check")
    old_pages = memo[1] if memo and memo[0] == outputs_key else {}
    new_pages: dict = {}
    page_urls = None
    def exists(path: str) -> bool:
        path = path.lstrip("/")
        if path == "" or path.endswith("/"):
            return (path + "index.html") in outputs
        return path in outputs or (path + "/index.html") in outputs

    def check(source: str, line: int, target: str, base_url: str, kind: str) -> None:
        if not target or target.startswith(("#", "//")) or _SCHEME_RE.match(target):
            return
        path = target.split("#", 1)[0].split("?", 1)[0]
        if not path:
            return
        if path[0] == "/" and "%" not in path and "/." not in path and "//" not in path:
            if exists(_nfc(path)):  # a site path needs no resolving
                return
        resolved = unquote(urljoin(base_url, path))
        resolved = posixpath.normpath(resolved) + ("/" if resolved.endswith("/") and resolved != "/" else "")
        if exists(_nfc(resolved)):
            return
        what = "image" if kind == "image" else "link"
        if path.endswith(".md"):
            fix = "link to the page's URL (about.md -> /about/), not to its file"
        elif kind == "image":
            fix = f"put the file under sites/{plan.cfg.client}/static{resolved} or correct the path"
        else:
            nonlocal page_urls
            if page_urls is None:
                page_urls = sorted("/" + p[: -len("index.html")] for p in outputs if p.endswith("index.html"))
            hint = did_you_mean(resolved, page_urls)
            fix = hint or "correct the link, or create the page it points to (a draft or expired page does not count)"
        problems.error(source, line, f"broken internal {what}: {target} goes nowhere in this build", fix)

    for page, entry, url in plan.links:
        key = (entry.sha, url)
        found = old_pages.get(page.relpath)
        if found is None or found[0] != key:
            before = len(problems.items)
            for target, line, kind in entry.links or ():
                check(page.source, page.body_line + line, target, url, kind)
            found = (key, problems.items[before:])
            cache.dirty = True
        else:
            problems.extend(found[1])
        new_pages[page.relpath] = found
    cache.static["link-check"] = (outputs_key, new_pages)
    for pr in content.promotions:
        for text in (pr.default, *pr.translations.values()):
            memo = "links:" + _sha(text.body.encode())
            found = cache.static.get(memo)
            if found is None:
                found = cache.static[memo] = _render_md(text.body).links
                cache.dirty = True
            url = pr.url(text.lang, plan.cfg.default_language)
            for target, line, kind in found:
                check(text.source, text.body_line + line, target, url, kind)


def _render_md(body: str):
    from .render.markdown import render_markdown

    return render_markdown(body)


# ---------------------------------------------------------------- render + write


class _Renderer:
    """Turns outputs into bytes. Created lazily: imports Jinja2 only when needed."""

    def __init__(self, plan: SitePlan, cache: BuildCache):
        from .render.env import make_env

        self.plan = plan
        self.cfg = plan.cfg
        self.cache = cache
        self.env = make_env(self.cfg.templates_dir, cache.path / "jinja")
        self.html = cache.get_html()
        try:
            from .render import i18n
        except ImportError:  # pragma: no cover
            i18n = None
        self.i18n = i18n

    def t(self, lang: str):
        i18n = self.i18n

        def t(key: str) -> str:
            return i18n.t(lang, key) if i18n else key

        return t

    def asset(self, name: str) -> str:
        url = self.plan.global_ctx["asset_urls"].get(name)
        if url is None:
            raise KeyError(f"no asset named {name!r} (theme assets and the client's static CSS/JS)")
        return url

    def body_html(self, job: PageJob) -> str:
        if not job.body_key:
            return ""
        html = self.html.get(job.body_key)
        if html is None:
            body = job.body
            if job.page is not None:  # the store lost it: read the page again
                from .content.frontmatter import parse_document

                body = parse_document((self.cfg.content_dir / job.body).read_text(encoding="utf-8")).body
            html = _render_md(body).html
            self.html[job.body_key] = html
            self.cache.html_dirty = True
        return html

    def page_bytes(self, job: PageJob) -> bytes:
        from markupsafe import Markup

        from .render.dates import format_date, language_name, last_day

        g = self.plan.global_ctx
        cfg = self.cfg
        lang = job.lang
        page = job.page
        date = page.date if page else None
        translations = [
            {"lang": lg, "url": u, "title": title, "label": language_name(lg), "current": lg == lang}
            for lg, u, title in job.translations
        ]
        children = [
            {"title": title, "url": u, "date_iso": d, "description": desc,
             "date_display": format_date(datetime.fromisoformat(d), lang) if d else None}
            for title, u, d, desc, _ in job.children
        ]
        promo = None
        if job.promo is not None:
            pr = job.promo
            text = pr.text(lang)
            promo = {
                "title": text.title, "banner": text.banner,
                "starts_display": format_date(pr.starts, lang), "ends_display": format_date(last_day(pr.ends), lang),
                "starts_iso": pr.starts.isoformat(), "ends_iso": pr.ends.isoformat(),
            }
        t = self.t(lang)
        title = job.title if job.kind != "404" else t("page_not_found")
        ctx = {
            "site": {**{k: g[k] for k in ("name", "base_url", "languages", "default_language", "description")},
                     "theme": g["theme"], "lang": lang},
            "page": {
                "title": title, "url": job.url, "permalink": cfg.base_url + job.url, "lang": lang, "kind": job.kind,
                "date": date, "date_iso": date.isoformat() if date else None,
                "date_display": format_date(date, lang), "description": job.description or "",
                "tags": list(page.tags) if page else [], "content": Markup(self.body_html(job)),
                "children": children, "translations": translations, "promotion": promo,
            },
            "menu": [{"title": mt, "url": mu, "active": mu == job.url or (mu != "/" and mu != f"/{lang}/"
                                                                             and job.url.startswith(mu))}
                     for _, mt, mu in g["menus"][lang]],
            "banners": [{"text": bt, "url": bu, "title": btitle} for bt, bu, btitle, _ in g["banners"][lang]],
            "feed_url": "/feed.xml" if lang == cfg.default_language else f"/{lang}/feed.xml",
            "home_url": "/" if lang == cfg.default_language else f"/{lang}/",
            "asset": self.asset, "t": t, "now": self.plan.now, "year": g["year"],
        }
        template = self.env.get_template(job.template)
        return template.render(ctx).encode("utf-8")

    def feed_bytes(self, lang: str, rows) -> bytes:
        from xml.sax.saxutils import escape

        cfg = self.cfg
        prefix = "" if lang == cfg.default_language else f"/{lang}"
        self_url = f"{cfg.base_url}{prefix}/feed.xml"
        updated = rows[0][2] if rows else self.plan.now.replace(microsecond=0).isoformat()
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n',
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">\n',
            f"  <title>{escape(cfg.name)}</title>\n",
            f'  <link href="{escape(cfg.base_url + prefix + "/")}"/>\n',
            f'  <link rel="self" href="{escape(self_url)}"/>\n',
            f"  <id>{escape(self_url)}</id>\n",
            f"  <updated>{updated}</updated>\n",
            f"  <author><name>{escape(cfg.name)}</name></author>\n",
        ]
        for title, url, date, desc in rows:
            link = escape(cfg.base_url + url)
            parts.append(
                f"  <entry>\n    <title>{escape(title)}</title>\n    <link href=\"{link}\"/>\n"
                f"    <id>{link}</id>\n    <updated>{date}</updated>\n"
                + (f"    <summary>{escape(desc)}</summary>\n" if desc else "")
                + "  </entry>\n"
            )
        parts.append("</feed>\n")
        return "".join(parts).encode("utf-8")

    def sitemap_bytes(self, entries) -> bytes:
        from xml.sax.saxutils import escape, quoteattr

        from urllib.parse import quote

        base = self.cfg.base_url
        out = ['<?xml version="1.0" encoding="utf-8"?>\n',
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
               'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n']
        for url, lastmod, alts in entries:
            out.append(f"  <url><loc>{escape(base + quote(url))}</loc>")
            if lastmod:
                out.append(f"<lastmod>{lastmod}</lastmod>")
            for lg, u in alts:
                out.append(f'<xhtml:link rel="alternate" hreflang="{lg}" href={quoteattr(base + quote(u))}/>')
            out.append("</url>\n")
        out.append("</urlset>\n")
        return "".join(out).encode("utf-8")

    def render(self, out: Output) -> bytes:
        job = out.job
        if isinstance(job, PageJob):
            return self.page_bytes(job)
        if isinstance(job, Path):
            return job.read_bytes()
        if isinstance(job, bytes):
            return job
        if job[0] == "feed":
            return self.feed_bytes(job[1], job[2])
        if job[0] == "sitemap":
            return self.sitemap_bytes(job[1])
        raise ValueError(out)


def for_site(text: str) -> str:
    """A promotion text as a web page shows it: merge fields ({{ name or "..." }}) become
    their fallback, since a page has no recipient."""
    if "{{" not in text:
        return text
    from .mail.merge import for_site as merge_for_site

    return merge_for_site(text)


def _template_problem(exc: Exception, out: Output, ws: Workspace) -> Diagnostic:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    where = ws.rel(name) if name else "template"
    return Diagnostic(where, line, f"rendering {out.source or out.path} failed: {type(exc).__name__}: {exc}",
                      "fix the template (a name the page context lacks, or a syntax error)")


# Forked workers read this module global instead of pickling the renderer.
_WORK: tuple | None = None


def _render_chunk(indices):
    renderer, outs, root = _WORK
    previous = renderer.cache.outputs
    done = []
    for i in indices:
        out = outs[i]
        try:
            data = renderer.render(out)
        except Exception as exc:  # reported by the parent with the template's line
            done.append((i, None, None, repr(exc), None))
            continue
        sha = _sha(data)
        prev = previous.get(out.path)
        target = root / out.path
        if not (prev is not None and prev[1] == sha and _same_file(target, data)):
            _atomic_write(target, data)
        done.append((i, sha, len(data), None, None))
    return done


def write_outputs(ws: Workspace, plan: SitePlan, cache: BuildCache, out_dir: Path) -> tuple:
    outputs = plan.outputs
    todo: list[Output] = []
    unchanged = 0
    root = str(out_dir) + os.sep
    for path, out in outputs.items():
        prev = cache.outputs.get(path)
        if prev is not None and prev[0] == out.fingerprint:
            try:
                if os.stat(root + path).st_size == prev[2]:
                    unchanged += 1
                    continue
            except FileNotFoundError:
                pass
        todo.append(out)

    written: list[str] = []
    problems = Problems()
    if todo:
        cache.dirty = True
        renderer = _Renderer(plan, cache)
        # Render everything first, then write: a template error leaves the old site intact.
        heavy = [o for o in todo if isinstance(o.job, PageJob)]
        results: dict[str, tuple] = {}
        if len(heavy) >= PARALLEL_MIN and _can_fork():
            results.update(_parallel_render(renderer, heavy, out_dir, cache, problems))
            todo = [o for o in todo if not isinstance(o.job, PageJob)]
        rendered: list[tuple[Output, bytes]] = []
        for out in todo:
            try:
                rendered.append((out, renderer.render(out)))
            except Exception as exc:
                problems.items.append(_template_problem(exc, out, ws))
        problems.raise_if_errors()
        for path, (sha, size, was) in results.items():
            cache.outputs[path] = (outputs[path].fingerprint, sha, size)
            if was:
                written.append(path)
            else:
                unchanged += 1
        for out, data in rendered:
            sha = _sha(data)
            prev = cache.outputs.get(out.path)
            target = out_dir / out.path
            if prev is not None and prev[1] == sha and _same_file(target, data):
                unchanged += 1
            else:
                _atomic_write(target, data)
                written.append(out.path)
            cache.outputs[out.path] = (out.fingerprint, sha, len(data))

    deleted = []
    for path in list(cache.outputs):
        if path not in outputs:
            del cache.outputs[path]
            try:
                (out_dir / path).unlink()
                deleted.append(path)
            except FileNotFoundError:
                pass
            _prune_dirs(out_dir, path)
    if written or deleted:
        cache.dirty = True
    return sorted(written), unchanged, sorted(deleted)


def _jobs() -> int:
    """Worker processes: SITEKEEPER_JOBS, else one per core (at most 4)."""
    try:
        return max(1, int(os.environ["SITEKEEPER_JOBS"]))
    except (KeyError, ValueError):
        return max(1, min(os.cpu_count() or 1, 4))


def _can_fork() -> bool:
    return _jobs() > 1 and sys.platform.startswith("linux")


def _workers() -> int:
    return _jobs()


def _same_file(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def _prune_dirs(root: Path, path: str) -> None:
    parent = (root / path).parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def _parallel_render(renderer, heavy, out_dir, cache, problems):
    """Render and write pages in two forked workers; returns path -> (sha, size, written)."""
    import multiprocessing as mp

    global _WORK
    # Writing happens in the workers: compare with what is there first so unchanged
    # bytes are not rewritten. Pages whose old file matches are detected by sha below.
    _WORK = (renderer, heavy, out_dir)
    n = len(heavy)
    workers = _workers()
    # Compile the templates once, before forking, instead of once per worker.
    for name in {o.job.template for o in heavy}:
        renderer.env.get_template(name)
    # Contiguous runs of outputs (sorted by path): each worker writes into its own folders.
    order = sorted(range(n), key=lambda i: heavy[i].path)
    size = max(1, -(-n // (workers * 4)))
    chunks = [order[i:i + size] for i in range(0, n, size)]
    results = {}
    ctx = mp.get_context("fork")
    try:
        with ctx.Pool(workers) as pool:
            for done in pool.imap_unordered(_render_chunk, chunks):
                for i, sha, size, err, body in done:
                    out = heavy[i]
                    if err is not None:
                        problems.error(out.source or out.path, None, f"rendering failed: {err}",
                                       "fix the template or the page")
                        continue
                    prev = cache.outputs.get(out.path)
                    results[out.path] = (sha, size, not (prev and prev[1] == sha and prev[2] == size))
                    if body is not None and out.job.body_key not in renderer.html:
                        renderer.html[out.job.body_key] = body
                        cache.html_dirty = True
    finally:
        _WORK = None
    return results


# ---------------------------------------------------------------- entry points


def default_out(ws: Workspace, client: str) -> Path:
    return ws.root / ".sitekeeper" / "build" / client


def prepare(ws: Workspace, cfg: SiteConfig, clock, cache: BuildCache, walked: dict | None = None):
    """Load and plan a site; returns (plan, content, problems). Raises nothing."""
    problems = Problems()
    content = load_content(ws, cfg, cache, problems, walked)
    now = clock.now(cfg.tz)
    plan = plan_site(ws, cfg, content, now, cache, problems)
    check_links(plan, cache, content, problems)
    problems.extend(secrets_in_files(ws, cfg))
    return plan, content, problems


def _inputs_signature(ws: Workspace, cfg: SiteConfig, out_dir: Path, walked: dict | None = None) -> str:
    """One hash over the stat of every input file: equal means nothing was touched.

    ``walked`` receives each folder's listing, so the build need not list it again."""
    from .render.env import template_dirs

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{__version__}|{CACHE_VERSION}|{out_dir}|{sys.version_info[:2]}".encode())
    folders = [cfg.content_dir, cfg.static_dir, ws.campaigns_dir / cfg.client, ASSETS_DIR,
               *template_dirs(cfg.templates_dir)]
    for folder in folders:
        h.update(f"\0{folder}\0".encode())
        listing = _walk(folder)
        if walked is not None:
            walked[folder] = listing
        for rel, e in listing:
            st = e.stat()
            h.update(f"{rel}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_size}|{st.st_ino}\n".encode())
    for extra in (cfg.root / "site.toml", Path(__file__).parent / "render" / "i18n.py"):
        try:
            st = extra.stat()
            h.update(f"{extra}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_size}\n".encode())
        except FileNotFoundError:
            pass
    return h.hexdigest()


def _quick_noop(out_dir: Path, signature: str, now: datetime):
    """The result of the last build if no input changed, its time window holds and its
    outputs are all still there; else None."""
    try:
        with open(out_dir / CACHE_DIR / "quick.pickle", "rb") as fh:
            quick = pickle.load(fh)
    except Exception:
        return None
    if quick.get("signature") != signature:
        return None
    lo, hi = quick["valid"]
    if not (lo <= now.timestamp() < hi):
        return None
    root = str(out_dir) + os.sep
    for path, size in quick["sizes"].items():
        try:
            if os.stat(root + path).st_size != size:
                return None
        except FileNotFoundError:
            return None
    return quick


def build_client(ws: Workspace, client: str, clock, reporter, out: Path | None = None) -> BuildResult:
    # Parsing Markdown allocates hundreds of thousands of short-lived, acyclic tokens;
    # the cyclic collector only slows that down (about 5 %). It runs again afterwards.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_client(ws, client, clock, reporter, out)
    finally:
        if gc_was_enabled:
            gc.enable()


def _build_client(ws: Workspace, client: str, clock, reporter, out: Path | None) -> BuildResult:
    cfg = load_site(ws, client)
    out_dir = (out or default_out(ws, client)).resolve()
    if out_dir == ws.root.resolve() or out_dir in (cfg.root.resolve(), ws.sites_dir.resolve()):
        raise ProblemsError([Diagnostic("--out", None, f"refusing to build into {out_dir}: it holds sources",
                                        "choose an empty or build folder, e.g. --out build/" + client)])
    walked: dict = {}
    signature = _inputs_signature(ws, cfg, out_dir, walked)
    now = clock.now(cfg.tz)
    quick = _quick_noop(out_dir, signature, now)
    if quick is not None:
        for w in quick["warnings"]:
            reporter.warn(str(w))
        return BuildResult(client, out_dir, quick["pages"], [], len(quick["sizes"]), [], quick["warnings"])
    cache = BuildCache.load(out_dir)
    plan, content, problems = prepare(ws, cfg, clock, cache, walked)
    if problems.errors:
        raise ProblemsError(problems.items)
    for w in problems.warnings:
        reporter.warn(str(w))
    out_dir.mkdir(parents=True, exist_ok=True)
    written, unchanged, deleted = write_outputs(ws, plan, cache, out_dir)
    cache.save()
    quick = {"signature": signature, "valid": plan.valid, "pages": plan.page_count, "warnings": problems.warnings,
             "sizes": {path: cache.outputs[path][2] for path in plan.outputs}}
    _atomic_write(out_dir / CACHE_DIR / "quick.pickle", pickle.dumps(quick, protocol=pickle.HIGHEST_PROTOCOL))
    return BuildResult(client, out_dir, plan.page_count, written, unchanged, deleted, problems.warnings)
