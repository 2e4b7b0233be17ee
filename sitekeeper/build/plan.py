"""What the site shows at one instant, as a value: every output with a fingerprint of
exactly the inputs that shape it. Pure: no disk, no cache."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Union

from .. import __version__
from ..config import SiteConfig
from ..config.business import path_word, promo_words
from ..content.pages import Page, default_url, file_link, output_path, translation_url
from ..content.promotions import Promotion
from ..errors import Diagnostic
from ..render.colors import mix, on_color, readable_on
from ..render.i18n import t as ui_text
from ..render.merge import for_site
from ..render.newsletter import fingerprint_parts as mailbox_fingerprint, has_signup, has_unsubscribe_page, unsubscribe_path
from .redirects import redirect_html
from .sources import SiteContent
from .writer import content_hash


# ---------------------------------------------------------------- what to render


@dataclass(frozen=True, slots=True)
class PageJob:
    """An HTML page rendered through a template."""

    lang: str
    url: str
    kind: str
    """'home' | 'section' | 'page' | 'promotion' | 'newsletter' | '404' | 'unsubscribe'."""
    template: str
    title: str
    source: str
    body_key: str
    """Key into the HtmlStore ('' for no body)."""
    body: str
    """Markdown (promotions), or the page's relpath to read again when the store lacks it."""
    page: Page | None
    promo: Promotion | None
    translations: tuple
    """(lang, url, title) of each language version."""
    children: tuple
    """(title, url, date iso, description, timestamp) of listed pages."""
    description: str
    md_links: tuple = ()
    """(target as written, page URL) of each link to a page's file (`kontakt.md`)."""


@dataclass(frozen=True, slots=True)
class CopyJob:
    """A file copied as it is."""

    file: Path


@dataclass(frozen=True, slots=True)
class BytesJob:
    """Bytes known at planning time."""

    data: bytes


@dataclass(frozen=True, slots=True)
class IconJob:
    """A favicon PNG: the logo, or the initials in the primary colour."""

    size: int
    logo: Path | None


@dataclass(frozen=True, slots=True)
class ImageJob:
    """A smaller WebP of a static image, for `srcset`."""

    file: Path
    width: int


@dataclass(frozen=True, slots=True)
class FeedJob:
    """An Atom feed of one language."""

    lang: str
    rows: tuple
    """(title, url, date iso, description), newest first."""


@dataclass(frozen=True, slots=True)
class SitemapJob:
    """sitemap.xml."""

    entries: tuple
    """(url, lastmod date or None, ((lang, url) alternates))."""


Job = Union[PageJob, CopyJob, BytesJob, IconJob, ImageJob, FeedJob, SitemapJob]

VARIANT_WIDTHS = (480, 960, 1600)
"""Widths of the WebP variants made of each larger static image."""


DARK_BG = "#161616"  # the page background of the dark mode (style.css, prefers-color-scheme)


def image_variants(rel: str, width: int) -> list[tuple[int, str]]:
    """(width, output path) of the WebP variants of a static image ``rel`` that is ``width`` wide:
    every VARIANT_WIDTHS narrower than it, and one at its own width."""
    stem = rel.rsplit(".", 1)[0]
    widths = [w for w in VARIANT_WIDTHS if w < width] + [width]
    return [(w, f"{stem}.{w}w.webp") for w in widths]


@dataclass(frozen=True, slots=True)
class Output:
    path: str
    """Path under the output folder, '/' separated."""
    fingerprint: str
    """Hash of every input that shapes the bytes."""
    kind: str
    """'page' | 'static' | 'asset' | 'icon' | 'feed' | 'sitemap' | 'robots' | '404'."""
    source: str
    """Where it comes from, for messages."""
    job: Job
    """What to render."""


@dataclass
class SitePlan:
    cfg: SiteConfig
    now: datetime
    """The instant planned for (site timezone)."""
    outputs: dict[str, Output]
    """Output path -> output."""
    page_count: int
    """HTML pages in the site."""
    global_ctx: dict
    """What every page's template sees of the site."""
    links: list[tuple[Page, str]]
    """(page, its URL) of each rendered page, for the link checker."""
    valid: tuple[float, float] = (float("-inf"), float("inf"))
    """Timestamps between which this plan stays true."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Errors found planning (two outputs on one path, unknown templates)."""
    images: dict = field(default_factory=dict)
    """Static image URL -> (width, height, ((variant width, variant URL), ...)), for srcset."""


def fingerprint(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def visible_fingerprint(plan: "SitePlan") -> str:
    """One hash of what the site shows: every output path with the fingerprint of its inputs.
    Equal for two plans means the same bytes would be deployed."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(plan.outputs):
        h.update(f"{path}\0{plan.outputs[path].fingerprint}\n".encode())
    return h.hexdigest()


# ---------------------------------------------------------------- time


def change_times(pages, promotions, business=None, tz: tzinfo | None = None) -> list[datetime]:
    """Every instant at which a page or promotion appears or goes, and (with ``business``
    and ``tz``) each midnight after a closed day, when that day leaves the pages' list."""
    times = [t for p in pages if not p.draft for t in (p.publish, p.expires) if t]
    times += [t for pr in promotions if not pr.draft for t in (pr.starts, pr.ends) if t]
    # An approved campaign's email becomes readable on the site at its send time.
    times += [pr.send_at for pr in promotions if not pr.draft and pr.send_at and pr.approval_state() == "approved"]
    if business is not None and tz is not None:
        times += [datetime.combine(d + timedelta(days=1), time(0), tzinfo=tz) for d in business.closed]
    return times


def _year_start(t: datetime, years: int = 0) -> datetime:
    return t.replace(year=t.year + years, month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def next_change_in(pages, promotions, after: datetime, tz: tzinfo, business=None) -> datetime | None:
    """The first instant after ``after`` at which the visible site changes: a page's
    publish/expires, a promotion's starts/ends, an approved campaign's send_at (its newsletter
    page), or New Year in ``tz`` (the footer's year)."""
    local = after.astimezone(tz)
    later = [t for t in change_times(pages, promotions, business, tz) if t > after]
    later.append(_year_start(local, 1))
    return min(later).astimezone(tz)


def _valid(content: SiteContent, now: datetime, business=None, tz: tzinfo | None = None) -> tuple[float, float]:
    stamps = [t.timestamp() for t in change_times(content.pages, content.promotions, business, tz)]
    stamps.append(_year_start(now, 1).timestamp())
    stamps.append(_year_start(now).timestamp())
    t = now.timestamp()
    return (max((x for x in stamps if x <= t), default=float("-inf")),
            min((x for x in stamps if x > t), default=float("inf")))


# ---------------------------------------------------------------- plan


def _static_url(value: str | None) -> str | None:
    if not value:
        return None
    return "/" + value[len("static/"):] if value.startswith("static/") else "/" + value


def _title_from_folder(folder: str) -> str:
    name = folder.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")
    return name[:1].upper() + name[1:]


def _card_image(p: Page, links) -> str | None:
    """A page's picture for cards: its `image`, else the first site-absolute image in its text."""
    if p.image:
        return p.image
    return next((target for target, _, kind in links.get(p.relpath, ()) if kind == "image"
                 and target.startswith("/") and not target.startswith("//")), None)


def _icons(cfg: SiteConfig, content: SiteContent, add) -> dict:
    """Favicon outputs (PNG sizes, an SVG when there is no logo to use, the web manifest)."""
    from ..render import icons

    theme = cfg.theme
    logo = cfg.root / theme.logo if theme.logo else None
    png_logo = None
    if logo is not None:
        png_logo = logo if logo.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp") else logo.with_suffix(".png")
        if not png_logo.is_file():
            png_logo = None
    svg_url = _static_url(theme.logo) if logo is not None and logo.suffix.lower() == ".svg" else None
    logo_sha = content.file_sha.get(png_logo) if png_logo is not None else None
    if png_logo is not None and logo_sha is None:
        logo_sha = content_hash(png_logo.read_bytes())
    for name, size in icons.SIZES.items():
        add(Output(name, fingerprint("icon", size, logo_sha, cfg.name, theme.primary_color), "icon", cfg.path,
                   IconJob(size, png_logo)))
    if svg_url is None and png_logo is None:
        data = icons.initials_svg(cfg.name, theme.primary_color, on_color(theme.primary_color))
        add(Output("favicon.svg", content_hash(data), "icon", cfg.path, BytesJob(data)))
        svg_url = "/favicon.svg"
    data = icons.manifest(cfg.name, cfg.name.split()[0], "/", theme.primary_color, cfg.default_language, svg_url)
    add(Output("site.webmanifest", content_hash(data), "icon", cfg.path, BytesJob(data)))
    return {"icon_svg": svg_url, "icon_png": "/icon-192.png", "apple_touch_icon": "/apple-touch-icon.png",
            "manifest_url": "/site.webmanifest"}


# A generated output's kind -> the kinds of the client's own files that replace it at its path.
_CLIENTS_OWN = {"robots": ("static",), "icon": ("static",), "404": ("static", "page"), "unsubscribe": ("static", "page")}


class _Planning:
    """What plan_site's steps share while they build one plan: the inputs, the outputs so far,
    the problems found, and the pages' URLs. Lives for one call; the plan it makes is a value."""

    def __init__(self, cfg: SiteConfig, content: SiteContent, now: datetime) -> None:
        self.cfg = cfg
        self.content = content
        self.now = now
        self.langs = cfg.languages
        self.deflang = cfg.default_language
        self.outputs: dict[str, Output] = {}
        self.problems: list[Diagnostic] = []
        self.words = promo_words(cfg)
        # [content] default_language_in_subfolder: the default language under /<lang>/ too
        self.def_prefix = f"/{self.deflang}" if cfg.default_language_in_subfolder else ""
        self.by_key = self._by_key()
        self.urls = self._urls()
        self.visible = [p for p in content.pages if p.visible(now) and self.by_key[p.key].get(p.lang) is p]
        self.vis_by_key: dict[str, dict[str, Page]] = {}
        for p in self.visible:
            self.vis_by_key.setdefault(p.key, {})[p.lang] = p
        self.weights = {self.urls[(p.key, p.lang)]: p.weight for p in self.visible if p.weight is not None}
        # links to a page's file (`kontakt.md`, `../about.md#team`) -> that page's URL, in the
        # linking page's language when the target has a translation in it
        self.file_pages = {p.relpath: p for p in self.visible if self.by_key[p.key].get(p.lang) is p}
        self.translations_memo: dict[str, tuple] = {}  # the same for every language of a page
        self.page_count = 0
        self.gfp = ""

    def add(self, out: Output) -> None:
        prev = self.outputs.get(out.path)
        if prev is not None:
            # The client's own file wins over a generated default, whichever comes first:
            # static/robots.txt, an old site's favicon or manifest, its own 404 page.
            own = _CLIENTS_OWN.get(prev.kind)
            if own is not None and out.kind in own:
                self.outputs[out.path] = out
                return
            own = _CLIENTS_OWN.get(out.kind)
            if own is not None and prev.kind in own:
                return
            self.problems.append(Diagnostic(out.source or prev.source, None,
                                            f"two outputs at /{out.path}: {prev.source} and {out.source}",
                                            "give one of them another file name or a different `slug`"))
            return
        self.outputs[out.path] = out

    def add_page(self, out: Output) -> None:
        self.add(out)
        self.page_count += 1

    # --- pages: URLs from every parsed page (a draft keeps its URL stable), visibility from now

    def _by_key(self) -> dict[str, dict[str, Page]]:
        by_key: dict[str, dict[str, Page]] = {}
        for p in self.content.pages:
            by_key.setdefault(p.key, {})
            if p.lang in by_key[p.key]:
                other = by_key[p.key][p.lang]
                self.problems.append(Diagnostic(
                    p.source, None, f"{p.source} and {other.source} are the same page in `{p.lang}`",
                    "remove one of them (about.md and about.<default>.md are the same page)"))
                continue
            by_key[p.key][p.lang] = p
        return by_key

    def _urls(self) -> dict[tuple[str, str], str]:
        deflang = self.deflang
        urls: dict[tuple[str, str], str] = {}
        for key, versions in self.by_key.items():
            d = versions.get(deflang)
            d_url = (d.url or default_url(key, d.slug)) if d else None
            for lang, p in versions.items():
                if p.url:  # the page's whole path, as written
                    urls[(key, lang)] = p.url
                elif lang == deflang:
                    urls[(key, lang)] = self.def_prefix + d_url
                else:
                    urls[(key, lang)] = translation_url(lang, key, p.slug, d_url)
        return urls

    def synthetic_sections(self) -> list[tuple[str, str, str]]:
        """(folder, lang, URL) of each section without an index page: it gets a generated listing."""
        folders_by_lang: dict[str, set[str]] = {lang: set() for lang in self.langs}
        index_folders = {(p.folder, p.lang) for p in self.visible if p.is_index}
        for p in self.visible:
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
                if lang == self.deflang:
                    url = self.def_prefix + default_url(key, None)
                else:
                    d = self.by_key.get(key, {}).get(self.deflang)
                    url = translation_url(lang, key, None, default_url(key, d.slug) if d else None)
                synthetic.append((folder, lang, url))
        return synthetic

    # --- files

    def assets(self) -> dict[str, str]:
        """Theme assets and the client's own CSS/JS, under fingerprinted names: rel -> URL."""
        content = self.content
        asset_urls: dict[str, str] = {}
        asset_files = list(content.assets) + [(rel, path) for rel, path in content.static
                                              if rel.endswith((".css", ".js"))]
        for rel, path in asset_files:
            sha = content.file_sha[path]
            stem, _dot, ext = rel.rpartition(".")
            out_rel = f"assets/{stem}.{sha[:10]}.{ext}"
            asset_urls[rel] = "/" + out_rel
            self.add(Output(out_rel, sha, "asset", str(path), CopyJob(path)))
        return asset_urls

    def static(self) -> dict[str, tuple]:
        """Static files, copied as they are; raster images also as WebP variants for srcset."""
        content = self.content
        file_sha = content.file_sha
        images: dict[str, tuple] = {}
        static_paths = dict(content.static)
        for rel, path in content.static:
            self.add(Output(rel, file_sha[path], "static", f"{content.static_rel}/{rel}", CopyJob(path)))
        for rel, (width, height) in content.image_sizes.items():
            path = static_paths[rel]
            variants = []
            # A small image is sent as it is (with its size); a larger one also in narrower WebP variants.
            for w, out_rel in (image_variants(rel, width) if width > VARIANT_WIDTHS[0] else ()):
                if out_rel in self.outputs:  # the client's own file wins
                    continue
                self.add(Output(out_rel, fingerprint("variant", file_sha[path], w), "static",
                                f"{content.static_rel}/{rel}", ImageJob(path, w)))
                variants.append((w, "/" + out_rel))
            images["/" + rel] = (width, height, tuple(variants))
        return images

    # --- what every page shows

    def banners(self, live: list[Promotion]) -> dict[str, tuple]:
        return {
            lang: tuple(
                (for_site(pr.text(lang).banner or pr.text(lang).title),
                 pr.url(lang, self.deflang, self.words) if pr.page else None,
                 for_site(pr.text(lang).title), pr.slug)
                for pr in live
            )
            for lang in self.langs
        }

    def menus(self) -> dict[str, tuple]:
        """Menus per language (a page without a translation shows in its default language)."""
        menus = {}
        for lang in self.langs:
            items = []
            for key, versions in self.vis_by_key.items():
                p = versions.get(lang) or (versions.get(self.deflang) if lang != self.deflang else None)
                if p is None or p.menu is None:
                    continue
                items.append((p.menu, p.menu_title or p.title, self.urls[(key, p.lang)]))
            items.sort(key=lambda x: (x[0], x[1]))
            menus[lang] = tuple(items)
        return menus

    def global_ctx(self, asset_urls: dict, menus: dict, banners: dict) -> dict:
        cfg = self.cfg
        theme = cfg.theme
        on_accent = on_color(theme.accent_color)
        icons = _icons(cfg, self.content, self.add)
        return {
            "name": cfg.name, "base_url": cfg.base_url, "languages": list(self.langs),
            "default_language": self.deflang, "description": cfg.description,
            "theme": {
                "primary_color": theme.primary_color, "on_primary": on_color(theme.primary_color),
                # the banner's colour, moved just enough for its text to reach 4.5:1
                "accent_color": readable_on(on_accent, theme.accent_color), "on_accent": on_accent,
                # links sit on white and on a 7 % tint of the primary colour: AA against the tint
                "link_color": readable_on(mix(theme.primary_color, "#ffffff", 0.93),
                                          mix(theme.primary_color, "#000000", 0.18)),
                # dark mode: the brand colour lightened until it reads on the darkest tint it meets
                "link_dark": readable_on(mix(DARK_BG, theme.primary_color, 0.2), mix(theme.primary_color, "#ffffff", 0.5)),
                "tagline": theme.tagline, "logo_url": _static_url(theme.logo),
                "favicon_url": _static_url(theme.favicon),
                **icons,
            },
            "asset_urls": asset_urls, "menus": menus, "banners": banners, "year": self.now.year,
            "home_urls": {lg: cfg.home_url(lg) for lg in self.langs},
        }

    def global_fingerprint(self, asset_urls: dict, menus: dict, banners: dict, images: dict) -> str:
        cfg, now = self.cfg, self.now
        # Only what pages show: a change to [mail] or [deploy] re-renders nothing.
        site_fp = (cfg.name, cfg.base_url, cfg.languages, cfg.timezone, cfg.description, cfg.theme, cfg.business,
                   sorted((k, repr(v)) for k, v in cfg.lang_texts.items()),
                   cfg.business.upcoming_closed(now.date()) if cfg.business else None,
                   mailbox_fingerprint(cfg))
        return fingerprint(__version__, site_fp, self.content.templates.fingerprint, sorted(asset_urls.items()),
                           menus, banners, now.year, sorted(images.items()))

    # --- page jobs

    def translations_of(self, key: str, promo: Promotion | None = None) -> tuple:
        langs, deflang = self.langs, self.deflang
        if promo is not None:
            return tuple((lg, promo.url(lg, deflang, self.words), promo.text(lg).title) for lg in langs
                         if lg == deflang or lg in promo.translations)
        found = self.translations_memo.get(key)
        if found is None:
            versions = self.vis_by_key.get(key, {})
            if len(versions) == 1:
                (lg, p), = versions.items()
                found = ((lg, self.urls[(key, lg)], p.title),)
            else:
                found = tuple((lg, self.urls[(key, lg)], versions[lg].title) for lg in langs if lg in versions)
            self.translations_memo[key] = found
        return found

    def child_row(self, p: Page) -> tuple:
        return (p.title, self.urls[(p.key, p.lang)], p.date.isoformat() if p.date else None, p.description,
                p.date.timestamp() if p.date else None, _card_image(p, self.content.links))

    def sort_children(self, rows) -> tuple:
        # `weight` first (lower first, as in Hugo), then newest first, then by title
        weights = self.weights
        return tuple(sorted(rows, key=lambda r: (r[1] not in weights, weights.get(r[1], 0), -(r[4] or 0), r[0])))

    def md_links_of(self, p: Page) -> tuple:
        found = []
        for target, _line, _kind in self.content.links.get(p.relpath, ()):
            hit = file_link(p.relpath, target)
            if hit is None or hit[0] not in self.file_pages:
                continue
            tp = self.file_pages[hit[0]]
            lang = p.lang if p.lang in self.vis_by_key.get(tp.key, {}) else tp.lang
            found.append((target, self.urls[(tp.key, lang)] + hit[1]))
        return tuple(dict.fromkeys(found))

    def children_by_folder(self, synthetic: list) -> dict:
        children_by: dict[tuple[str, str], list] = {}
        for p in self.visible:
            if p.is_index:
                parent = p.folder.rsplit("/", 1)[0] if "/" in p.folder else ""
                if p.folder:
                    children_by.setdefault((parent, p.lang), []).append(self.child_row(p))
            else:
                children_by.setdefault((p.folder, p.lang), []).append(self.child_row(p))
        for folder, lang, url in synthetic:
            parent = folder.rsplit("/", 1)[0] if "/" in folder else ""
            children_by.setdefault((parent, lang), []).append((_title_from_folder(folder), url, None, "", None, None))
        return children_by

    def latest(self) -> dict[str, tuple]:
        latest = {}
        for lang in self.langs:
            dated = [self.child_row(p) for p in self.visible if p.lang == lang and p.date and not p.is_index]
            latest[lang] = self.sort_children(dated)[:3]
        return latest

    def page_jobs(self, children_by: dict) -> list[tuple[Page, str]]:
        """One job per visible page (and a redirect per alias); (page, URL) of each for the link checker."""
        cfg, content = self.cfg, self.content
        tnames = content.templates.names
        latest = self.latest()
        links = []
        for p in self.visible:
            url = self.urls[(p.key, p.lang)]
            is_home = p.key == "index"
            kind = "home" if is_home else ("section" if p.is_index else "page")
            template = p.template or f"{kind}.html"
            if template not in tnames:
                self.problems.append(Diagnostic(
                    p.source, p.line_of("template"), f"unknown template `{template}`",
                    f"use one of: {', '.join(sorted(tnames))}, or add sites/{cfg.client}/templates/{template}"))
                continue
            if is_home:
                children = latest[p.lang]
            elif p.is_index:
                children = self.sort_children(children_by.get((p.folder, p.lang), []))
            else:
                children = ()
            sha = content.sha[p.relpath]
            md_links = self.md_links_of(p)
            job = PageJob(p.lang, url, kind, template, p.title, p.source, sha, p.relpath, p, None,
                          self.translations_of(p.key), children, p.description, md_links)
            fp = fingerprint(self.gfp, "page", sha, url, template, job.translations, children, md_links)
            self.add_page(Output(output_path(url), fp, "page", p.source, job))
            links.append((p, url))
            self.aliases(p, url)
        if self.def_prefix and "index.html" not in self.outputs:
            data = redirect_html(cfg.base_url, f"{self.def_prefix}/", self.deflang, cfg.name)
            self.add(Output("index.html", content_hash(data), "redirect", "", BytesJob(data)))
        return links

    def aliases(self, p: Page, url: str) -> None:
        for alias in p.aliases:  # an old URL: a page that sends the visitor (and search engines) on
            if alias == url:
                continue
            data = redirect_html(self.cfg.base_url, url, p.lang, p.title)
            self.add(Output(output_path(alias), content_hash(data), "redirect", p.source, BytesJob(data)))

    def section_jobs(self, synthetic: list, children_by: dict) -> None:
        for folder, lang, url in synthetic:
            children = self.sort_children(children_by.get((folder, lang), []))
            title = _title_from_folder(folder)
            job = PageJob(lang, url, "section", "section.html", title, f"{self.content.content_rel}/{folder}/", "", "",
                          None, None, (), children, "")
            self.add_page(Output(output_path(url), fingerprint(self.gfp, "section", url, children), "page",
                                 job.source, job))

    def _promo_langs(self, pr: Promotion) -> list[str]:
        return [lang for lang in [self.deflang, *sorted(pr.translations)] if lang in self.langs]

    def promotion_jobs(self, live: list[Promotion]) -> None:
        for pr in live:
            if not pr.page:
                continue
            for lang in self._promo_langs(pr):
                text = pr.text(lang)
                url = pr.url(lang, self.deflang, self.words)
                body = for_site(text.body)
                body_key = "promo:" + content_hash(body.encode())
                job = PageJob(lang, url, "promotion", "promotion.html", for_site(text.title), text.source, body_key,
                              body, None, pr, self.translations_of("", pr), (),
                              for_site(text.description or text.banner))
                dates = (pr.starts.isoformat(), pr.ends.isoformat())
                self.add_page(Output(output_path(url), fingerprint(self.gfp, "promo", body_key, text, dates,
                                                                   job.translations), "page", text.source, job))

    def newsletter_jobs(self) -> tuple[dict[str, list], dict[str, str]]:
        """Sent campaigns stay readable: /newsletter/<slug>/ (the email's "view in browser").
        Returns the archive's rows per language and the newsletter path word per language."""
        cfg, deflang = self.cfg, self.deflang
        archive: dict[str, list] = {}
        news_words = {lang: path_word(cfg, lang, "newsletter") for lang in self.langs}
        sent = sorted((pr for pr in self.content.promotions if pr.archived(self.now)),
                      key=lambda pr: pr.send_at, reverse=True)
        for pr in sent:
            versions = tuple((lg, pr.newsletter_url(lg, deflang, news_words),
                              for_site(pr.text(lg).subject or pr.default.subject))
                             for lg in self._promo_langs(pr))
            for lang in self._promo_langs(pr):
                text = pr.text(lang)
                url = pr.newsletter_url(lang, deflang, news_words)
                body = for_site(text.body)
                body_key = "promo:" + content_hash(body.encode())
                title = for_site(text.subject or pr.default.subject or text.title)
                job = PageJob(lang, url, "newsletter", "page.html", title, text.source, body_key, body, None, pr,
                              versions, (), for_site(text.preheader or text.banner))
                self.add_page(Output(output_path(url), fingerprint(self.gfp, "newsletter", body_key, text,
                                                                   pr.send_at.isoformat(), job.translations),
                                     "page", text.source, job))
                archive.setdefault(lang, []).append((title, url, pr.send_at.isoformat(), for_site(text.preheader),
                                                     pr.send_at.timestamp(), None))
        return archive, news_words

    def archive_jobs(self, archive: dict[str, list], news_words: dict[str, str]) -> None:
        """/newsletter/ per language: the sent campaigns, and the sign-up block with ``[mail] signup``
        (then also in a language that has no sent campaign yet)."""
        if has_signup(self.cfg):
            archive = {lang: archive.get(lang, []) for lang in self.langs}
        for lang, rows in archive.items():
            url = (f"/{news_words[lang]}/" if lang == self.deflang else f"/{lang}/{news_words[lang]}/")
            if output_path(url) in self.outputs:
                continue  # the client's own page at that URL wins
            own = self.cfg.lang_texts.get(lang)
            title = ui_text(lang, "newsletters", own.strings if own else None)
            job = PageJob(lang, url, "section", "section.html", title, f"{self.content.content_rel}/", "", "",
                          None, None, (), tuple(rows), "")
            self.add_page(Output(output_path(url), fingerprint(self.gfp, "newsletters", url, tuple(rows)), "page",
                                 job.source, job))

    def unsubscribe_jobs(self) -> None:
        """/newsletter/unsubscribe/ per language when [mail] names a sender: where every campaign's
        unsubscribe link leads (render/newsletter.py). Not in the sitemap; a page of the client's
        own at that URL wins."""
        if not has_unsubscribe_page(self.cfg):
            return
        for lang in self.langs:
            url = unsubscribe_path(self.cfg, lang)
            self.add(Output(output_path(url), fingerprint(self.gfp, "unsubscribe", lang, url), "unsubscribe", "",
                            PageJob(lang, url, "unsubscribe", "unsubscribe.html", "", "", "", "", None, None, (),
                                    (), "")))

    # --- 404, feeds, sitemap, robots

    def not_found_and_feeds(self) -> None:
        for lang in self.langs:  # one per language: /404.html, /en/404.html ...
            path = "404.html" if lang == self.deflang else f"{lang}/404.html"
            self.add(Output(path, fingerprint(self.gfp, "404", lang), "404", "",
                            PageJob(lang, "/" + path, "404", "404.html", "", "", "", "", None, None, (), (), "")))
        for lang in self.langs:
            dated = sorted((p for p in self.visible if p.lang == lang and p.date), key=lambda p: p.date,
                           reverse=True)[:30]
            rows = tuple((p.title, self.urls[(p.key, p.lang)], p.date.isoformat(), p.description) for p in dated)
            self.add(Output(self.cfg.home_url(lang).lstrip("/") + "feed.xml", fingerprint(self.gfp, "feed", lang, rows),
                            "feed", "", FeedJob(lang, rows)))

    def sitemap(self, synthetic: list, live: list[Promotion], archive: dict[str, list]) -> None:
        langs, deflang, urls = self.langs, self.deflang, self.urls
        entries = []
        for key, versions in self.vis_by_key.items():
            alts = tuple((lg, urls[(key, lg)]) for lg in langs if lg in versions)
            for lg, p in versions.items():
                changed = p.lastmod or p.date
                entries.append((urls[(key, lg)], changed.date().isoformat() if changed else None,
                                alts if len(alts) > 1 else ()))
        for _folder, _lang, url in synthetic:
            entries.append((url, None, ()))
        for pr in live:
            if pr.page:
                alts = tuple((lg, pr.url(lg, deflang, self.words)) for lg in langs
                             if lg == deflang or lg in pr.translations)
                for _lg, u in alts:
                    entries.append((u, None, alts if len(alts) > 1 else ()))
        for _lang, rows in archive.items():
            for row in rows:
                entries.append((row[1], row[2][:10], ()))
        # One entry per URL (a page wins over a generated listing at the same address), by URL.
        unique: dict[str, tuple] = {}
        for entry in entries:
            unique.setdefault(entry[0], entry)
        ordered = sorted(unique.values(), key=lambda e: e[0])
        self.add(Output("sitemap.xml", fingerprint(self.gfp, "sitemap", ordered), "sitemap", "",
                        SitemapJob(tuple(ordered))))
        robots = f"User-agent: *\nAllow: /\n\nSitemap: {self.cfg.base_url}/sitemap.xml\n".encode()
        self.add(Output("robots.txt", content_hash(robots), "robots", "", BytesJob(robots)))

    def home_problems(self) -> None:
        content_dir = f"{self.content.content_rel}/"
        if not self.visible:
            self.problems.append(Diagnostic(
                content_dir, None, "the site has no page to show now (no Markdown page, "
                "or every page is a draft, not yet published or expired)",
                f"add {content_dir}index.md with `title:` front matter and some text"))
        elif not any(self.urls.get((p.key, p.lang)) == "/" for p in self.visible):
            self.problems.append(Diagnostic(
                content_dir, None, f"there is no home page ({content_dir}index.md): "
                "visitors of / get a generated list of pages", f"add {content_dir}index.md", "warning"))


def plan_site(cfg: SiteConfig, content: SiteContent, now: datetime) -> SitePlan:
    """Every output of the site at ``now``, each with the fingerprint of its inputs."""
    pl = _Planning(cfg, content, now)
    synthetic = pl.synthetic_sections()
    asset_urls = pl.assets()
    images = pl.static()
    live = [pr for pr in content.promotions if pr.live(now)]
    banners = pl.banners(live)
    menus = pl.menus()
    global_ctx = pl.global_ctx(asset_urls, menus, banners)
    pl.gfp = pl.global_fingerprint(asset_urls, menus, banners, images)
    children_by = pl.children_by_folder(synthetic)
    links = pl.page_jobs(children_by)
    pl.section_jobs(synthetic, children_by)
    pl.promotion_jobs(live)
    archive, news_words = pl.newsletter_jobs()
    pl.archive_jobs(archive, news_words)
    pl.unsubscribe_jobs()
    pl.not_found_and_feeds()
    pl.sitemap(synthetic, live, archive)
    pl.home_problems()
    # The plan holds until the next publish/expires/promotion boundary, the midnight after a closed
    # day (it leaves the footer's list) or New Year (the footer's year).
    return SitePlan(cfg, now, pl.outputs, pl.page_count, global_ctx, links,
                    _valid(content, now, cfg.business, cfg.tz), pl.problems, images)
