"""WordPress: the export file (WXR, from Tools -> Export -> All content).

Pages and posts keep their permalinks as their URLs (a file whose path is the URL, or a
`url:` key), slugs, dates, status (drafts, pending and private posts stay drafts; scheduled
ones get `publish`), categories and tags (as tags), excerpts, featured images and the main
menu. A site whose front page showed the latest posts (no page at the site's address) gets
a home page that lists them. Bodies go from HTML to Markdown (wordpress_body.py); media come
from the uploads folder, the deploy target or the old site itself (wordpress_media.py).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from .common import (ImportFailed, ImportedPage, SiteImport, date_text, line_at, natural_file, parents_of,
                     path_refusal, region_of, url_path)
from .media_fetch import MediaFetcher
from .wordpress_body import attachment_links, autop, convert
from .wordpress_media import host_re, media_on_other_hosts, own_hosts, take_uploads
from ..errors import Diagnostic
from ..locale.tags import SITE_TAG, site_tag as language_of

__all__ = ["autop", "import_wordpress", "looks_like_wxr"]

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
EXCERPT = "{http://wordpress.org/export/1.2/excerpt/}encoded"


FIX = "export again from WordPress: Tools -> Export -> All content (a .xml file), and give that file"


def looks_like_wxr(path: Path) -> bool:
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    return "wordpress.org/export/" in head


def _check_export(export: Path) -> None:
    """Stop before reading the whole file when it cannot be an export: a folder, a pipe,
    an empty file, or a file that does not start as XML (an archive, a PDF, an SQL dump)."""
    src = str(export)
    if export.is_dir():
        inside = sorted(p.name for p in export.glob("*.xml") if looks_like_wxr(p))
        hint = f"; it holds {inside[0]}, give that" if inside else ""
        raise ImportFailed([Diagnostic(src, None, f"a folder, not a WordPress export file{hint}", FIX)])
    if not export.is_file():
        raise ImportFailed([Diagnostic(src, None, "not a regular file (a pipe or a device)", FIX)])
    with open(export, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        raise ImportFailed([Diagnostic(src, None, "the file is empty" if not head else "the file holds only blank space",
                                       FIX)])
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"<"):
        kind = ("a ZIP archive" if head.startswith(b"PK") else "a gzip archive" if head.startswith(b"\x1f\x8b")
                else "a PDF" if head.startswith(b"%PDF") else "not XML")
        hint = " (unpack it first, then give the .xml inside)" if "archive" in kind else ""
        raise ImportFailed([Diagnostic(src, 1, f"not a WordPress export: the file is {kind}{hint}", FIX)])


SKIPPED_KINDS = {"revision", "custom_css", "customize_changeset", "oembed_cache", "wp_global_styles", "wp_navigation",
                 "wp_template", "wp_template_part", "wp_block", "wp_font_family", "wp_font_face", "user_request"}
"""Item kinds that are WordPress's own bookkeeping, not content: left out without a word."""


class Wxr:
    """The export as read: its wp: namespace and the lines its items start at."""

    def __init__(self, src: str, raw: str, root, wp: str):
        self.src, self.wp = src, wp
        self.item_lines = [line_at(raw, m.start()) for m in re.finditer(r"<item>", raw)]
        self.root = root

    def t(self, el, name: str, default: str = "") -> str:
        found = el.find(name if name.startswith("{") or name in ("title", "link", "description", "pubDate", "language")
                        else f"{{{self.wp}}}{name}")
        return (found.text or "").strip() if found is not None and found.text else default

    def meta_of(self, item) -> dict:
        found = {}
        for pm in item.findall(f"{{{self.wp}}}postmeta"):
            found[self.t(pm, "meta_key")] = self.t(pm, "meta_value")
        return found


@dataclass
class Items:
    """The export's items by kind."""
    attachments: dict[str, dict] = field(default_factory=dict)
    """post_id -> url, title, page, parent, line, alt of each attachment."""
    posts: list = field(default_factory=list)
    """(item, line) of each post and page."""
    menu_items: list = field(default_factory=list)
    """(item, line) of each menu entry."""


def import_wordpress(export: Path, uploads: Path | None = None, fetch: Callable[[str], bytes | None] | None = None,
                     fetch_media: bool = False, progress: Callable | None = None,
                     fetcher: MediaFetcher | None = None) -> SiteImport:
    """The SiteImport of an export; ``fetch_media`` downloads what neither ``uploads`` nor
    ``fetch`` has from the old site (``fetcher`` sets its limits; tests give smaller ones)."""
    x = _read_export(export)
    channel = x.root.find("channel")
    imp = SiteImport("wordpress")
    _site_settings(imp, x, channel)
    items = _sort_items(imp, x, channel.findall("item"))
    used_uploads: dict[str, tuple[str, int | None]] = {}
    by_pid = _pages(imp, x, items, used_uploads)
    _archives_note(imp, x, items.posts)
    _menu(imp, items.menu_items, x.t, x.meta_of, x.src, by_pid)
    for a in items.attachments.values():
        p = url_path(a["url"], imp.base_url) if a["url"] else None
        if p and p.startswith("/wp-content/uploads/"):
            used_uploads.setdefault(p, (x.src, a["line"]))
    if fetch_media and fetcher is None:
        fetcher = MediaFetcher(own_hosts(imp))
    take_uploads(imp, used_uploads, uploads, fetch, fetcher if fetch_media else None, progress)
    post_ids = {x.t(item, "post_id") for item, _ in items.posts if x.t(item, "post_type") == "post"}
    _latest_posts_home(imp, x.src, [page for pid, page in by_pid.items() if pid in post_ids])
    logo = next((url_path(a["url"], imp.base_url) for a in items.attachments.values()
                 if "logo" in (a["title"] + a["url"]).lower()), None)
    if logo and logo.lstrip("/") in imp.static:
        imp.theme["logo"] = "static" + logo
    return imp


def _read_export(export: Path) -> Wxr:
    src = str(export)
    _check_export(export)
    raw = export.read_text(encoding="utf-8", errors="replace")
    try:
        root = ET.fromstring(raw.encode("utf-8"))
    except ET.ParseError as exc:
        at = exc.position[0] if exc.position else None
        raise ImportFailed([Diagnostic(src, at, f"not a readable WordPress export: {exc}", FIX)]) from None
    wp = _wp_ns(root)
    if root.find("channel") is None or wp is None:
        raise ImportFailed([Diagnostic(src, 1, "not a WordPress export (no <channel> with wp: elements)", FIX)])
    return Wxr(src, raw, root, wp)


def _site_settings(imp: SiteImport, x: Wxr, channel) -> None:
    imp.name = x.t(channel, "title")
    imp.description = x.t(channel, "description")
    base = x.t(channel, "base_blog_url") or x.t(channel, "base_site_url") or x.t(channel, "link")
    imp.base_url = base.rstrip("/") or imp.base_url
    lang_tag = x.t(channel, "language") or "en"
    lang = language_of(lang_tag)
    imp.region = region_of(lang_tag)
    imp.languages = [lang if SITE_TAG.match(lang) else "en"]


def _sort_items(imp: SiteImport, x: Wxr, found: list) -> Items:
    items = Items()
    for n, item in enumerate(found):
        line = x.item_lines[n] if n < len(x.item_lines) else None
        kind = x.t(item, "post_type")
        if kind == "attachment":
            # WordPress.com and CDN files are the site's own /wp-content/uploads/ paths, as in the bodies
            items.attachments[x.t(item, "post_id")] = {
                "url": media_on_other_hosts(x.t(item, "attachment_url"), imp.media_urls), "title": x.t(item, "title"),
                "page": item.findtext("link") or "",
                "parent": x.t(item, "post_parent"), "line": line,
                "alt": x.meta_of(item).get("_wp_attachment_image_alt", "")}
        elif kind in ("post", "page"):
            items.posts.append((item, line))
        elif kind == "nav_menu_item":
            items.menu_items.append((item, line))
        elif kind == "wpcf7_contact_form":
            imp.note(x.src, line, f"contact form {x.t(item, 'title')!r} (Contact Form 7) cannot run on a static site",
                     "link to an email address or a form service instead")
        elif kind not in SKIPPED_KINDS:
            what = f"a `{kind}` item" if kind else "an item without <wp:post_type>"
            imp.note(x.src, line, f"{what} ({x.t(item, 'title')!r}) is not a page or a post; not imported",
                     "copy what it shows into a page by hand if the site needs it")
    return items


def _plan_urls(imp: SiteImport, x: Wxr, posts: list) -> list:
    """(item, line, URL path, status, slug) of each page and post to import, in export order."""
    from ..render.markdown import slugify

    planned = []
    taken: set[str] = set()
    for n, (item, line) in enumerate(posts, 1):
        status = x.t(item, "status")
        if status in ("trash", "auto-draft", "inherit"):
            continue
        link = x.t(item, "link")
        path = url_path(link, imp.base_url) if link else None
        kind, pid = x.t(item, "post_type") or "post", x.t(item, "post_id")
        # a draft has no post_name yet: its id; an export without either (hand-made ones): the title, else its number
        slug = (unquote(x.t(item, "post_name")) or (pid and f"{kind}-{pid}") or slugify(x.t(item, "title"))
                or f"{kind}-{n}")
        if path is not None and not _servable(unquote(path)):
            imp.note(x.src, line, f"the permalink {link!r} is not a path a static site can serve (`..`, a backslash, a "
                                  f"control character or a device name); the page is now at /{slug}/",
                     "give the page a plain permalink in WordPress, or tell search engines the new address")
            path = None
        if path is None or "?" in link or status != "publish":
            path = f"/{slug}/"  # plain permalinks (?p=12) and drafts have no pretty URL to keep
            if "?" in link and status == "publish":
                imp.note(x.src, line, f"the old URL {link} (plain permalinks) cannot be kept on a static site; "
                                      f"the page is now at {path}", "switch WordPress to pretty permalinks before "
                                      "exporting, or tell search engines the new address")
        if path == f"/{slug}/" and path in taken:  # two drafts (or plain permalinks) of one slug: both kept
            slug = f"{slug}-{n}"
            path = f"/{slug}/"
        taken.add(unquote(path))
        planned.append((item, line, unquote(path), status, slug))
    return planned


def _pages(imp: SiteImport, x: Wxr, items: Items, used_uploads: dict) -> dict[str, ImportedPage]:
    """Every page and post as an ImportedPage (a page with others below it becomes a folder's
    index.md); post_id -> page."""
    hosts = host_re(imp.base_url)

    def local(html: str) -> str:
        html = media_on_other_hosts(html, imp.media_urls)
        return hosts.sub("", html) if hosts else html

    planned = _plan_urls(imp, x, items.posts)
    parents = parents_of(p[2] for p in planned)
    by_pid: dict[str, ImportedPage] = {}
    for item, line, path, status, slug in planned:
        pid = x.t(item, "post_id")
        kind = x.t(item, "post_type")
        title = x.t(item, "title") or slug
        html = local(item.findtext(CONTENT) or "")
        status = _page_notes(imp, x, item, line, title, html, status)
        body, summary = convert(html, pid, items.attachments, imp, x.src, line)
        body = attachment_links(body, items.attachments, imp.base_url)
        meta = _front(imp, x, item, title, status, summary, items.attachments)
        relpath = natural_file(path, parents)
        if relpath is None:
            relpath = f"{kind}s/{slug}.md"
            meta["url"] = path
        for m in re.finditer(r"/wp-content/uploads/[^\s\"')\]]+", body):
            used_uploads.setdefault(m.group(0).rstrip(".,"), (x.src, line))
        if meta.get("image"):
            used_uploads.setdefault(meta["image"], (x.src, line))
        page = ImportedPage(relpath, meta, body, f"{x.src}:{line}", (path,) if status == "publish" else ())
        imp.pages.append(page)
        by_pid[pid] = page
        imp.count[kind + "s"] = imp.count.get(kind + "s", 0) + 1
    return by_pid


def _page_notes(imp: SiteImport, x: Wxr, item, line, title: str, html: str, status: str) -> str:
    """What a page's item says the new site cannot do (a password, a script); its status then."""
    if x.t(item, "post_password"):
        imp.note(x.src, line, f"{title!r} was password protected: imported as a draft",
                 "a static site cannot ask for a password; publish it only if it may be public")
        status = "draft"
    if re.search(r"<script\b", html, re.I):
        imp.note(x.src, line, f"{title!r} holds a <script>, which the conversion to Markdown leaves out",
                 "if the page needs it, add it back as raw HTML and set allow_scripts = true under [content]")
    return status


def _front(imp: SiteImport, x: Wxr, item, title: str, status: str, summary: str | None, attachments: dict) -> dict:
    """A page's front matter: title, date, publish or draft, description, tags, image, weight."""
    meta: dict = {"title": title}
    date = date_text(x.t(item, "post_date"))
    if date and not date.startswith("0000"):
        meta["date"] = date
    if status == "future":
        meta["publish"] = date
    elif status != "publish":
        meta["draft"] = True
    excerpt = (item.findtext(EXCERPT) or "").strip() if item.find(EXCERPT) is not None else ""
    if not excerpt:
        excerpt = next((el.text or "" for el in item if el.tag.endswith("}encoded") and "excerpt" in el.tag), "")
    if excerpt.strip():
        meta["description"] = re.sub(r"<[^>]+>", "", excerpt).strip()
    elif summary:
        meta["description"] = summary
    tags = [c.text.strip() for c in item.findall("category")
            if c.text and c.get("domain") in ("category", "post_tag") and c.get("nicename") not in ("uncategorized",)]
    if tags:
        meta["tags"] = list(dict.fromkeys(tags))
    thumb = x.meta_of(item).get("_thumbnail_id")
    if thumb and thumb in attachments and attachments[thumb]["url"]:
        meta["image"] = url_path(attachments[thumb]["url"], imp.base_url) or attachments[thumb]["url"]
    order = x.t(item, "menu_order")
    if x.t(item, "post_type") == "page" and order and order != "0":
        meta["weight"] = int(order) if order.lstrip("-").isdigit() else None
    return meta


def _archives_note(imp: SiteImport, x: Wxr, posts: list) -> None:
    terms = {(c.get("domain"), c.get("nicename")) for item, _ in posts for c in item.findall("category")
             if c.get("domain") in ("category", "post_tag") and x.t(item, "status") == "publish"}
    if terms:
        imp.note(x.src, None, f"{len(terms)} category and tag archives (/category/…/, /tag/…/) are not pages of the new "
                              "site: their old URLs are not kept", "link the pages that matter from a section page; "
                              "add an archive's old URL to that page's `aliases` to keep it")


def _latest_posts_home(imp: SiteImport, src: str, posts: list[ImportedPage]) -> None:
    """WordPress's default front page lists the latest posts, and no page of the export is at
    the site's address then: the new site gets a home page (content/index.md) of the site's name
    and description, which the theme's home lists the newest posts on. Without it `/` would be
    missing, though every page's logo links there."""
    if any(p.relpath == "index.md" for p in imp.pages):
        return
    posts = [p for p in posts if not p.meta.get("draft") and p.meta.get("date")]
    meta: dict = {"title": imp.name or "Home"}
    if imp.description:
        meta["description"] = imp.description
    imp.pages.append(ImportedPage("index.md", meta, "", f"{src} (the front page)", ("/",)))
    if posts:
        imp.note(src, None, f"the old front page listed the latest posts: content/index.md was made for it, and the "
                            f"home page lists the newest of the {len(posts)} posts (each post keeps its own URL)",
                 "write a welcome text in content/index.md if the home page should say more than the list")
    else:
        imp.note(src, None, "no page of the export was the front page: content/index.md was made with the site's name",
                 "write the home page's text in content/index.md")


def _menu(imp: SiteImport, menu_items, t, meta_of, src, by_pid) -> None:
    """The main menu's top level -> `menu` (order) and `menu_title` of the pages it names."""
    if not menu_items:
        return
    menus: dict[str, list] = {}
    for item, line in menu_items:
        names = [c.text for c in item.findall("category") if c.get("domain") == "nav_menu" and c.text]
        menus.setdefault(names[0] if names else "", []).append((item, line))
    preferred = ("main", "primary", "haupt", "header", "top")
    name = max(menus, key=lambda n: (any(p in n.lower() for p in preferred), len(menus[n])))
    pages_by_url = {u: page for page in imp.pages for u in page.old_urls}
    for item, line in menus[name]:
        m = meta_of(item)
        order = int(t(item, "menu_order") or 0)
        if m.get("_menu_item_menu_item_parent", "0") not in ("", "0"):
            imp.note(src, line, f"submenu entry {t(item, 'title')!r} of menu {name!r}: the navigation has one level",
                     "link to the page from its parent page instead")
            continue
        target = None
        if m.get("_menu_item_type") == "post_type":
            target = by_pid.get(m.get("_menu_item_object_id", ""))
        elif m.get("_menu_item_type") == "custom":
            path = url_path(m.get("_menu_item_url", ""), imp.base_url)
            target = pages_by_url.get(path) if path is not None else None
            if path == "/" and target is None:
                target = next((p for p in imp.pages if p.relpath == "index.md"), None)
        if target is None:
            imp.note(src, line, f"menu entry {t(item, 'title') or m.get('_menu_item_url', '')!r} of menu {name!r} "
                                "points at no imported page (a category, an outside link); it is not in the navigation",
                     "link to it from a page instead")
            continue
        target.meta["menu"] = order
        label = t(item, "title")
        if label and label != target.meta.get("title"):
            target.meta["menu_title"] = label


def _servable(path: str) -> bool:
    """Whether an old page path can be a page of the new site, as its file and its URL."""
    from ..content.pages import normalise_url

    inner = path.strip("/")
    return normalise_url(path) is not None and (not inner or path_refusal(inner) is None)


def _wp_ns(root) -> str | None:
    for el in root.iter():
        # WordPress.com and newer exports name the namespace with https://, older ones http://
        if el.tag.startswith(("{http://wordpress.org/export/", "{https://wordpress.org/export/")) and "excerpt" not in el.tag:
            return el.tag[1:].split("}")[0]
    return None
