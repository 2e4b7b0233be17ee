"""Reading a client's folders: content files parsed (memoised by stat in the cache),
promotions, static files and theme assets hashed, the templates fingerprinted."""
from __future__ import annotations

import dataclasses
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..config import secrets
from ..config import SiteConfig, Workspace
import re

from ..config.paths import FIX as LINK_FIX, escaping_links, inside
from ..content.pages import PAGE_SUFFIXES, Page, parse_page
from ..content.promotions import Promotion, load_promotions
from ..errors import Diagnostic
from ..render.env import ASSETS_DIR, page_templates, template_dirs, templates_fingerprint
from .cache import BuildCache, FileHash, SourceRecord, TemplatesRecord
from .parallel import Parallel
from .writer import content_hash


@dataclass(frozen=True)
class TemplateInfo:
    names: frozenset[str]
    """Template names a page may ask for."""
    fingerprint: str
    """Hash of every template file that can be used."""


@dataclass
class SiteContent:
    """Everything the plan needs from disk, read and parsed."""

    pages: list[Page]
    """Every parsed page, drafts included."""
    promotions: list[Promotion]
    """Every parsed promotion."""
    static: list[tuple[str, Path]]
    """(relpath, file) under static/."""
    assets: list[tuple[str, Path]]
    """(relpath, file) of the theme's assets."""
    sha: dict[str, str]
    """Page relpath -> content hash of its source."""
    links: dict[str, tuple]
    """Page relpath -> (target, body line, kind) of the links in its body."""
    raw_html: dict[str, tuple]
    """Page relpath -> (body line, fragment) of the raw HTML in its body."""
    file_sha: dict[Path, str]
    """Static or asset file -> content hash."""
    templates: TemplateInfo
    content_rel: str
    """The content folder, relative to the workspace (for messages)."""
    static_rel: str
    """The static folder, relative to the workspace."""
    image_sizes: dict = field(default_factory=dict)
    """Static raster image relpath -> (width, height)."""
    template_links: tuple = ()
    """(source, line, URL, kind 'link'|'image') of each URL written as it is in the client's templates."""
    chars: dict[str, str] = field(default_factory=dict)
    """Page relpath -> the characters of its source and rendered body (the site's font subset)."""
    theme_chars: str = ""
    """The characters of the templates and stylesheets pages are made with (the site's font subset)."""


DEPLOYED_DOTFILES = frozenset({".htaccess", ".well-known"})
"""Names starting with a dot that are part of a site: Apache's per-folder settings (redirects,
on the shared hosts many clients use) and RFC 8615's folder (security.txt, app links, ACME)."""
_JUNK_DOTFILES = (".DS_Store", ".git", ".gitignore", ".gitkeep", ".gitattributes", ".svn", ".hg", ".idea",
                  ".vscode", ".Spotlight-V100", ".Trashes", ".fseventsd", ".directory", ".keep", ".sitekeeper")
"""Hidden names that are left out without a word: operating systems, editors and version control
put them everywhere, and nobody means them for visitors."""


def _hidden(name: str) -> bool:
    return (name.startswith(".") and name not in DEPLOYED_DOTFILES) or name.endswith("~")


def walk(folder: Path, limit: Path | None = None, skipped: list | None = None) -> list:
    """(relpath, DirEntry) of the files under folder, sorted, skipping hidden names (all but
    DEPLOYED_DOTFILES).

    A symlink is followed only while it resolves inside ``limit`` (default: the folder
    itself); the others are left out here and reported by ``confinement_problems``. A link to
    the folder it is in, or to one above it, would list the same files again under ever longer
    names: it is not followed. ``skipped`` (when given) receives (link, "loop" or "missing") for
    each link inside ``limit`` that is not followed, a link to nothing being the other kind."""
    found = []
    # Each folder with the real paths of the folders it was reached through: a link back to
    # one of them is a loop, whatever the way round.
    stack: list[tuple[str, tuple[str, ...], str]] = [(str(folder), (os.path.realpath(folder),), "")]
    limit_real = os.path.realpath(limit or folder)
    followed: set[str] = set()
    while stack:
        d, chain, prefix = stack.pop()
        try:
            entries = list(os.scandir(d))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for e in entries:
            if _hidden(e.name):
                continue
            if e.is_symlink():
                real = os.path.realpath(e.path)
                if not inside(real, limit_real):
                    continue
                if not os.path.exists(real):
                    if skipped is not None:
                        skipped.append((Path(chain[-1]) / e.name, "missing"))
                    continue
                if os.path.isdir(real):
                    if any(inside(seen, real) for seen in chain):
                        if skipped is not None:
                            skipped.append((Path(chain[-1]) / e.name, "loop"))
                    elif real not in followed:  # two links to one folder: it is walked once
                        followed.add(real)
                        stack.append((e.path, chain + (real,), prefix + e.name + "/"))
                    continue
                found.append((prefix + e.name, e))
            elif e.is_dir():
                stack.append((e.path, chain + (os.path.join(chain[-1], e.name),), prefix + e.name + "/"))
            else:
                found.append((prefix + e.name, e))
    found.sort(key=lambda x: x[0])
    return found


def dropped_dotfiles(folder: Path) -> list[Path]:
    """Hidden files and folders under ``folder`` that are not published, junk aside
    (_JUNK_DOTFILES, editors' swap files)."""
    found = []
    for d, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            if not name.startswith(".") or name in DEPLOYED_DOTFILES or name in _JUNK_DOTFILES:
                continue
            if name.startswith(("._", ".~lock.")) or name.endswith((".swp", ".swo", ".tmp")):
                continue
            found.append(Path(d) / name)
        dirs[:] = [x for x in dirs if not x.startswith(".") or x in DEPLOYED_DOTFILES]
    return sorted(found)


def static_dotfile_problems(ws: Workspace, cfg: SiteConfig) -> list[Diagnostic]:
    """A warning at each hidden file of static/ that is left out of the site (say it, not drop it)."""
    found = []
    for path in dropped_dotfiles(cfg.static_dir):
        name = path.name
        if name in (".htpasswd", ".user.ini", ".env") or name.startswith(".env."):
            why = f"{name} holds server settings or passwords: it is never deployed, where anyone could read it"
            fix = "set it up on the host itself (its control panel), and remove it from static/"
        else:
            why = f"{name} starts with a dot: hidden files are not deployed (only .htaccess and .well-known/ are)"
            fix = "rename it without the leading dot if visitors should get it, or move it out of static/"
        found.append(Diagnostic(ws.rel(path), None, why, fix, "warning"))
    return found


def limits(ws: Workspace, cfg: SiteConfig) -> dict[Path, Path]:
    """Each folder of a client's sources -> the folder its symlinks must stay inside."""
    return {cfg.content_dir: cfg.root, cfg.static_dir: cfg.root, cfg.templates_dir: cfg.root,
            ws.campaigns_dir / cfg.client: ws.campaigns_dir / cfg.client}


def confinement_problems(ws: Workspace, cfg: SiteConfig) -> list[Diagnostic]:
    """An error at every symlink in the client's folders that leads outside them."""
    found = []
    for folder, limit in limits(ws, cfg).items():
        for link, real in escaping_links(folder, limit):
            found.append(Diagnostic(ws.rel(link), None, f"is a link to {real}, outside {ws.rel(limit)}/", LINK_FIX))
    for folder in (cfg.content_dir, cfg.static_dir):
        skipped: list[tuple[Path, str]] = []
        walk(folder, cfg.root, skipped)
        for link, why in sorted(set(skipped)):
            if why == "loop":
                found.append(Diagnostic(ws.rel(link), None, "is a link back to a folder it is reached from (its own, "
                                        "one above it or one linking to it): a loop; it is not followed there, so no "
                                        "file is published again under a longer path", "remove the link", "warning"))
            else:
                found.append(Diagnostic(ws.rel(link), None, f"is a link to {_target(link)}, which does not exist; "
                                        "it is not published", "remove the link, or put back what it points to",
                                        "warning"))
    return found


def _target(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:
        return "a file"


def html_policy_problems(cfg: SiteConfig, content: SiteContent) -> list[Diagnostic]:
    """Raw HTML the site's [content] policy refuses, in pages and in promotions (their page)."""
    from ..render.htmlpolicy import policy_problems

    policy = cfg.content
    found = []

    def scan(source: str, first_line: int, fragments) -> None:
        for line, fragment in fragments:
            for off, message, fix in policy_problems(fragment, allow_scripts=policy.allow_scripts,
                                                     embeds=policy.embeds):
                found.append(Diagnostic(source, first_line + line + off, message, fix))

    for page in content.pages:
        if page.relpath in content.raw_html:
            scan(page.source, page.body_line, content.raw_html[page.relpath])
    for promo in content.promotions:
        for text in (promo.default, *promo.translations.values()):
            if "<" in text.body:
                scan(text.source, text.body_line, render_md(text.body).raw_html)
            if ":::" in text.body:  # bad input in the blocks of a promotion's page
                found.extend(Diagnostic(text.source, text.body_line + line, message, fix)
                             for line, message, fix in render_md(text.body).problems)
    return found


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def render_md(body: str):
    from ..render.markdown import render_markdown

    return render_markdown(body)


def parse_source(args):
    """Read, parse and render one content file: (relpath, SourceRecord or None if the
    bytes are unchanged, sha, html or None)."""
    relpath, path, sig, source, old_sha, languages, deflang, tz = args
    data = Path(path).read_bytes()
    sha = content_hash(data)
    if sha == old_sha:
        return relpath, None, sha, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags = [Diagnostic(source, line, "the file is not UTF-8 text", "save it as UTF-8 in your editor")]
        return relpath, SourceRecord(sig, sha, None, diags), sha, None
    page, diags = parse_page(relpath, source, text, languages, deflang, tz)
    diags = diags + secrets.scan_document(source, text)
    if page is None or any(d.is_error for d in diags):
        return relpath, SourceRecord(sig, sha, None, diags), sha, None
    rendered = html_body(page.body) if page.is_html else render_md(page.body)
    if not page.is_html and rendered.problems:  # bad input in the blocks (::: gallery …)
        diags = diags + [Diagnostic(source, page.body_line + line, message, fix)
                         for line, message, fix in rendered.problems]
    if not page.is_html and rendered.headings:
        from ..render.markdown import outline_problems

        diags = diags + [Diagnostic(source, line, message, fix, "warning")
                         for line, message, fix in outline_problems(rendered.headings, page.body_line)]
    # The cache keeps metadata only; the body lives in the file and its HTML in the html store.
    chars = "".join(sorted(set(text) | set(rendered.html)))
    entry = SourceRecord(sig, sha, dataclasses.replace(page, body=""), diags, rendered.links, rendered.raw_html, chars)
    return relpath, entry, sha, rendered.html


_HTML_LINK_RE = re.compile(r"""<(a|img|link|source)\b[^>]*?\b(href|src)\s*=\s*["']([^"']+)["']""", re.I)
_TEMPLATE_URL_RE = re.compile(r"""<(\w+)\b[^>]*?\s(href|src|action|poster|formaction)\s*=\s*(["'])([^"'{}]*)\3""",
                              re.IGNORECASE | re.DOTALL)
_JINJA_COMMENT_RE = re.compile(r"\{#.*?#\}", re.DOTALL)


def template_links(ws: Workspace, cfg: SiteConfig) -> tuple:
    """(source, line, URL, kind) of every URL written as it is (no `{{ }}` in it) in the client's
    own templates: the links the theme shows on every page."""
    found = []
    for rel, entry in walk(cfg.templates_dir, cfg.root):
        if not rel.endswith((".html", ".xml", ".j2", ".jinja")):
            continue
        try:
            text = Path(entry.path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # the template loader reports what it cannot read
        text = _JINJA_COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        source = ws.rel(entry.path)
        for m in _TEMPLATE_URL_RE.finditer(text):
            tag, attr, value = m.group(1).lower(), m.group(2).lower(), m.group(4).strip()
            if value:
                kind = "image" if (tag, attr) in (("img", "src"), ("source", "src"), ("video", "poster")) else "link"
                found.append((source, text.count("\n", 0, m.start(4)) + 1, value, kind))
    return tuple(found)


@dataclass(frozen=True)
class HtmlBody:
    html: str
    links: tuple
    raw_html: tuple = ()
    """The whole body, for the [content] policy: an .html page is raw HTML throughout."""


def html_body(body: str) -> HtmlBody:
    """An .html page's body, used as it is; its links for the checker."""
    links = tuple((m.group(3), body.count("\n", 0, m.start()), "image" if m.group(2).lower() == "src" else "link")
                  for m in _HTML_LINK_RE.finditer(body))
    return HtmlBody(body, links, ((0, body),))


def _parse_chunk(_context, args):
    return [parse_source(a) for a in args]


def secrets_in_files(ws: Workspace, cfg: SiteConfig) -> list[Diagnostic]:
    """Secrets in the client's text files other than pages (those are scanned as parsed)."""
    text_ext = {".md", ".html", ".txt", ".csv", ".toml", ".yaml", ".yml", ".json", ".css", ".js", ".xml",
                ".env", ".mjml", ".svg", ""}
    found = []
    bounds = limits(ws, cfg)
    for root in (cfg.templates_dir, cfg.static_dir, ws.campaigns_dir / cfg.client):
        for rel, entry in walk(root, bounds[root]):
            if os.path.splitext(rel)[1].lower() not in text_ext:
                continue
            try:
                with open(entry.path, encoding="utf-8") as fh:
                    text = fh.read()
            except (UnicodeDecodeError, OSError):
                continue
            found.extend(secrets.scan_document(ws.rel(entry.path), text))
    return found


def _listing(folder: Path, walked: dict | None, limit: Path) -> list:
    listing = walked.get(folder) if walked else None
    return walk(folder, limit) if listing is None else listing


def load_content(ws: Workspace, cfg: SiteConfig, cache: BuildCache, parallel: Parallel,
                 walked: dict | None = None) -> tuple[SiteContent, list[Diagnostic]]:
    """Read what changed since the cache was written (updating the cache in memory)."""
    problems: list[Diagnostic] = []
    pages, shas, links, raw_html, chars = [], {}, {}, {}, {}
    new_sources: dict[str, SourceRecord | None] = {}  # None: stale, parsed below
    content_rel = ws.rel(cfg.content_dir)
    stale = []
    for relpath, entry in _listing(cfg.content_dir, walked, cfg.root):
        if not relpath.endswith(PAGE_SUFFIXES):
            problems.append(Diagnostic(f"{content_rel}/{relpath}", None,
                                       "not a page (only .md and .html files under content/ are pages); it is not published",
                                       f"move it to sites/{cfg.client}/static/{relpath} to publish it as it is",
                                       "warning"))
            continue
        relpath = nfc(relpath)
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
        if parallel.worth_it(len(stale)):
            n = parallel.workers
            chunks = [stale[i::n * 4] for i in range(n * 4)]
            results = [r for chunk in parallel.map(_parse_chunk, None, chunks) for r in chunk]
        else:
            results = [parse_source(a) for a in stale]
        sigs = {a[0]: a[2] for a in stale}
        for relpath, entry, sha, body_html in results:
            if entry is None:  # same bytes, new stat: keep the parse
                kept = new_sources[relpath]
                assert kept is not None  # same bytes: it was in the cache
                kept.stat = sigs[relpath]
                continue
            new_sources[relpath] = entry
            if body_html is not None:
                html[sha] = body_html
    parsed: dict[str, SourceRecord] = {}
    for relpath, cached in new_sources.items():
        assert cached is not None  # every stale source was parsed above
        parsed[relpath] = cached
        problems.extend(cached.diags)
        if cached.page is not None:
            pages.append(cached.page)
            shas[relpath] = cached.sha
            links[relpath] = cached.links
            chars[relpath] = cached.chars
            if cached.raw_html:
                raw_html[relpath] = cached.raw_html
    if set(cache.sources) != set(new_sources):
        cache.dirty = True
    cache.sources = parsed
    promos, diags = load_promotions(ws, cfg)
    problems.extend(diags)
    static = [(nfc(rel), Path(e.path)) for rel, e in _listing(cfg.static_dir, walked, cfg.root)]
    assets = [(rel, Path(e.path)) for rel, e in _listing(ASSETS_DIR, walked, ASSETS_DIR)]
    hashed = [path for _, path in assets] + [path for _, path in static]
    file_sha = file_hashes(cache, hashed)
    content = SiteContent(pages, promos, static, assets, shas, links, raw_html, file_sha,
                          template_info(cfg, cache), content_rel, ws.rel(cfg.static_dir),
                          image_sizes(cache, static, file_sha), template_links(ws, cfg), chars, theme_chars(cfg))
    problems.extend(static_dotfile_problems(ws, cfg))
    return content, problems


def theme_chars(cfg: SiteConfig) -> str:
    """Every character of the templates (the client's and the theme's) and the theme's stylesheet."""
    found: set[str] = set()
    for folder in [*template_dirs(cfg.templates_dir), ASSETS_DIR]:
        for _rel, entry in walk(folder, cfg.root if folder == cfg.templates_dir else folder):
            if entry.name.endswith((".html", ".css", ".xml", ".j2", ".jinja")):
                try:
                    with open(entry.path, encoding="utf-8") as fh:
                        found.update(fh.read())
                except (OSError, UnicodeDecodeError):
                    continue
    return "".join(sorted(found))


RASTER = (".jpg", ".jpeg", ".png", ".webp")
"""Images that get resized variants (SVG scales by itself)."""


def image_sizes(cache: BuildCache, static, file_sha) -> dict[str, tuple[int, int]]:
    """Static raster image relpath -> (width, height), from the cache while its bytes are unchanged
    (Pillow reads only the header)."""
    found = {}
    for rel, path in static:
        if not rel.lower().endswith(RASTER):
            continue
        sha = file_sha[path]
        size = cache.image_sizes.get(sha)
        if size is None:
            try:
                from PIL import Image

                with Image.open(path) as im:
                    size = im.size
            except Exception:  # not an image after all: copied as it is, no variants
                continue
            cache.image_sizes[sha] = size
            cache.dirty = True
        found[rel] = size
    return found


def file_hashes(cache: BuildCache, paths) -> dict[Path, str]:
    """path -> content hash, from the cache while a file's stat is unchanged."""
    found = {}
    files = cache.files
    for path in paths:
        st = path.stat()
        sig = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        key = str(path)
        hit = files.get(key)
        if hit is None or hit.stat != sig:
            hit = files[key] = FileHash(sig, content_hash(path.read_bytes()))
            cache.dirty = True
        found[path] = hit.sha
    return found


def template_info(cfg: SiteConfig, cache: BuildCache) -> TemplateInfo:
    stat = []
    for folder in template_dirs(cfg.templates_dir):
        for rel, e in walk(folder, cfg.root if folder == cfg.templates_dir else folder):
            st = e.stat()
            stat.append((rel, st.st_mtime_ns, st.st_size))
    stat_key = tuple(stat)
    if cache.templates is None or cache.templates.stat != stat_key:
        cache.templates = TemplatesRecord(stat_key, templates_fingerprint(cfg.templates_dir))
        cache.dirty = True
    return TemplateInfo(frozenset(page_templates(cfg.templates_dir)), cache.templates.fingerprint)
