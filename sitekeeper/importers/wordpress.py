"""WordPress: the export file (WXR, from Tools -> Export -> All content).

Pages and posts keep their permalinks as their URLs (a file whose path is the URL, or a
`url:` key), slugs, dates, status (drafts, pending and private posts stay drafts; scheduled
ones get `publish`), categories and tags (as tags), excerpts, featured images and the main
menu. Attachments come from the site's wp-content/uploads folder (``--uploads``), or are
read over the client's deploy target, and keep their /wp-content/uploads/ URLs. Bodies go
from HTML to Markdown; [caption], [gallery], [embed], [youtube], [vimeo], [audio] and
[video] are converted, any other shortcode is reported.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from .common import (ImportFailed, ImportedPage, SiteImport, SourceTree, date_text, figure, html_to_markdown, line_at,
                     natural_file, parents_of, path_refusal, region_of, url_path, vimeo, youtube)
from ..errors import Diagnostic
from ..locale.tags import SITE_TAG, site_tag as language_of

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
EXCERPT = "{http://wordpress.org/export/1.2/excerpt/}encoded"
BLOCK_RE = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr|form|iframe|!--|img\s[^>]*class)", re.I)
INNER_BLOCK_RE = re.compile(r"<(?:ul|ol|table|div|blockquote|pre|h[1-6]|figure)\b", re.I)
SHORTCODE_RE = re.compile(r"\[(/?)([a-zA-Z][\w-]*)((?:\s[^\]]*)?)\](?!\()")
ATTR_RE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


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


def _attrs(text: str) -> dict:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in ATTR_RE.finditer(text)}


def autop(text: str) -> str:
    """WordPress's classic editor stores paragraphs as blank lines (wpautop adds the <p>s
    when showing them); give them back their <p>s so the converter keeps them apart."""
    if "<!-- wp:" in text:
        return text  # block editor: already HTML
    out = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        if not block.strip():
            continue
        if BLOCK_RE.match(block) or block.strip().startswith("["):
            out.append(block)
        elif (m := INNER_BLOCK_RE.search(block)) is not None:  # text, then a list or table: the text is a paragraph
            out.append("<p>" + block[: m.start()].strip().replace("\n", "<br>\n") + "</p>\n" + block[m.start():])
        else:
            out.append("<p>" + block.strip().replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)


def import_wordpress(export: Path, uploads: Path | None = None,  # noqa: C901 (over 25: to be split into its own modules)
                     fetch: Callable[[str], bytes | None] | None = None) -> SiteImport:
    src = str(export)
    _check_export(export)
    raw = export.read_text(encoding="utf-8", errors="replace")
    try:
        root = ET.fromstring(raw.encode("utf-8"))
    except ET.ParseError as exc:
        at = exc.position[0] if exc.position else None
        raise ImportFailed([Diagnostic(src, at, f"not a readable WordPress export: {exc}", FIX)]) from None
    wp = _wp_ns(root)
    channel = root.find("channel")
    if channel is None or wp is None:
        raise ImportFailed([Diagnostic(src, 1, "not a WordPress export (no <channel> with wp: elements)", FIX)])

    def t(el, name, default=""):
        found = el.find(name if name.startswith("{") or name in ("title", "link", "description", "pubDate", "language")
                        else f"{{{wp}}}{name}")
        return (found.text or "").strip() if found is not None and found.text else default

    imp = SiteImport("wordpress")
    imp.name = t(channel, "title")
    imp.description = t(channel, "description")
    base = t(channel, "base_blog_url") or t(channel, "base_site_url") or t(channel, "link")
    imp.base_url = base.rstrip("/") or imp.base_url
    lang_tag = t(channel, "language") or "en"
    lang = language_of(lang_tag)
    imp.region = region_of(lang_tag)
    imp.languages = [lang if SITE_TAG.match(lang) else "en"]
    item_lines = [line_at(raw, m.start()) for m in re.finditer(r"<item>", raw)]
    items = channel.findall("item")

    def meta_of(item) -> dict:
        found = {}
        for pm in item.findall(f"{{{wp}}}postmeta"):
            found[t(pm, "meta_key")] = t(pm, "meta_value")
        return found

    attachments: dict[str, dict] = {}
    posts = []
    menu_items = []
    for n, item in enumerate(items):
        line = item_lines[n] if n < len(item_lines) else None
        kind = t(item, "post_type")
        if kind == "attachment":
            attachments[t(item, "post_id")] = {"url": t(item, "attachment_url"), "title": t(item, "title"),
                                               "page": item.findtext("link") or "",
                                               "parent": t(item, "post_parent"), "line": line,
                                               "alt": meta_of(item).get("_wp_attachment_image_alt", "")}
        elif kind in ("post", "page"):
            posts.append((item, line))
        elif kind == "nav_menu_item":
            menu_items.append((item, line))
        elif kind not in ("revision", "custom_css", "customize_changeset", "oembed_cache", "wp_global_styles",
                          "wp_navigation", "wp_template", "wp_template_part", "wp_block", "wp_font_family",
                          "wp_font_face", "user_request", "wpcf7_contact_form"):
            imp.note(src, line, f"a `{kind}` item ({t(item, 'title')!r}) is not a page or a post; not imported",
                     "copy what it shows into a page by hand if the site needs it")
        elif kind == "wpcf7_contact_form":
            imp.note(src, line, f"contact form {t(item, 'title')!r} (Contact Form 7) cannot run on a static site",
                     "link to an email address or a form service instead")

    host_re = _host_re(imp.base_url)
    used_uploads: dict[str, tuple[str, int | None]] = {}

    def local(html: str) -> str:
        html = _media_on_other_hosts(html, imp.media_urls)
        return host_re.sub("", html) if host_re else html

    # URLs first: a page with others below it becomes a folder's index.md
    planned = []
    for item, line in posts:
        status = t(item, "status")
        if status in ("trash", "auto-draft", "inherit"):
            continue
        link = t(item, "link")
        path = url_path(link, imp.base_url) if link else None
        slug = unquote(t(item, "post_name")) or f"{t(item, 'post_type')}-{t(item, 'post_id')}"
        if path is not None and not _servable(unquote(path)):
            imp.note(src, line, f"the permalink {link!r} is not a path a static site can serve (`..`, a backslash, a "
                                f"control character or a device name); the page is now at /{slug}/",
                     "give the page a plain permalink in WordPress, or tell search engines the new address")
            path = None
        if path is None or "?" in link or status != "publish":
            path = f"/{slug}/"  # plain permalinks (?p=12) and drafts have no pretty URL to keep
            if "?" in link and status == "publish":
                imp.note(src, line, f"the old URL {link} (plain permalinks) cannot be kept on a static site; "
                                    f"the page is now at {path}", "switch WordPress to pretty permalinks before "
                                    "exporting, or tell search engines the new address")
        planned.append((item, line, unquote(path), status, slug))
    parents = parents_of(p[2] for p in planned)
    titles_by_id = {}
    by_pid: dict[str, ImportedPage] = {}

    for item, line, path, status, slug in planned:
        pid = t(item, "post_id")
        title = t(item, "title") or slug
        titles_by_id[pid] = title
        html = local(item.findtext(CONTENT) or "")
        pmeta = meta_of(item)
        if t(item, "post_password"):
            imp.note(src, line, f"{title!r} was password protected: imported as a draft",
                     "a static site cannot ask for a password; publish it only if it may be public")
            status = "draft"
        if re.search(r"<script\b", html, re.I):
            imp.note(src, line, f"{title!r} holds a <script>, which the conversion to Markdown leaves out",
                     "if the page needs it, add it back as raw HTML and set allow_scripts = true under [content]")
        body, summary = _convert(html, pid, attachments, imp, src, line)
        body = _attachment_links(body, attachments, imp.base_url)
        meta: dict = {"title": title}
        date = date_text(t(item, "post_date"))
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
        thumb = pmeta.get("_thumbnail_id")
        if thumb and thumb in attachments and attachments[thumb]["url"]:
            meta["image"] = url_path(attachments[thumb]["url"], imp.base_url) or attachments[thumb]["url"]
        order = t(item, "menu_order")
        if t(item, "post_type") == "page" and order and order != "0":
            meta["weight"] = int(order) if order.lstrip("-").isdigit() else None
        relpath = natural_file(path, parents)
        if relpath is None:
            relpath = f"{t(item, 'post_type')}s/{slug}.md"
            meta["url"] = path
        for m in re.finditer(r"/wp-content/uploads/[^\s\"')\]]+", body):
            used_uploads.setdefault(m.group(0).rstrip(".,"), (src, line))
        if meta.get("image"):
            used_uploads.setdefault(meta["image"], (src, line))
        page = ImportedPage(relpath, meta, body, f"{src}:{line}", (path,) if status == "publish" else ())
        imp.pages.append(page)
        by_pid[pid] = page
        imp.count[t(item, "post_type") + "s"] = imp.count.get(t(item, "post_type") + "s", 0) + 1

    terms = {(c.get("domain"), c.get("nicename")) for item, _ in posts for c in item.findall("category")
             if c.get("domain") in ("category", "post_tag") and t(item, "status") == "publish"}
    if terms:
        imp.note(src, None, f"{len(terms)} category and tag archives (/category/…/, /tag/…/) are not pages of the new "
                            "site: their old URLs are not kept", "link the pages that matter from a section page; "
                            "add an archive's old URL to that page's `aliases` to keep it")
    _menu(imp, menu_items, t, meta_of, src, by_pid)
    for a in attachments.values():
        p = url_path(a["url"], imp.base_url) if a["url"] else None
        if p and p.startswith("/wp-content/uploads/"):
            used_uploads.setdefault(p, (src, a["line"]))
    _uploads(imp, used_uploads, uploads, fetch)
    logo = next((url_path(a["url"], imp.base_url) for a in attachments.values()
                 if "logo" in (a["title"] + a["url"]).lower()), None)
    if logo and logo.lstrip("/") in imp.static:
        imp.theme["logo"] = "static" + logo
    return imp


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


# Media the site served from other hosts: WordPress.com's <site>.files.wordpress.com/2020/05/x.jpg,
# Jetpack's i0.wp.com/<host>/wp-content/uploads/…, a CDN's https://cdn…/wp-content/uploads/….
_WPCOM_FILES_RE = re.compile(r"https?://[\w-]+\.files\.wordpress\.com/(\d{4}/\d{2}/[^\s\"'?#)<>]+)(\?[^\s\"'#)<>]*)?")
_PHOTON_RE = re.compile(r"https?://i[0-3]\.wp\.com/[^/\s\"']+(/wp-content/uploads/[^\s\"'?#)<>]+)(\?[^\s\"'#)<>]*)?")
_ANY_UPLOADS_RE = re.compile(r"https?://[^/\s\"'<>]+(/wp-content/uploads/[^\s\"'?#)<>]+)(\?[^\s\"'#)<>]*)?")


def _media_on_other_hosts(html: str, seen: dict[str, str]) -> str:
    """Each media URL on another host becomes the site's own /wp-content/uploads/ path, so that
    --uploads (or the target) supplies the file; ``seen`` keeps where it came from."""
    if "wp-content/uploads" not in html and "wp.com" not in html and "wordpress.com" not in html:
        return html

    def files(m):
        path = "/wp-content/uploads/" + m.group(1)
        seen.setdefault(path, m.group(0).split("?", 1)[0])
        return path

    def other(m):
        seen.setdefault(m.group(1), m.group(0).split("?", 1)[0])
        return m.group(1)

    html = _WPCOM_FILES_RE.sub(files, html)
    html = _PHOTON_RE.sub(other, html)
    return _ANY_UPLOADS_RE.sub(other, html)


def _host_re(base_url: str):
    m = re.match(r"^https?://(?:www\.)?([^/]+)", base_url)
    if not m:
        return None
    return re.compile(r"https?://(?:www\.)?" + re.escape(m.group(1)) + r"(?=[/\"'#?]|$)", re.I)


def _attachment_links(body: str, attachments: dict, base_url: str) -> str:
    """Links to WordPress's attachment pages (/2010/09/10/a-post/img_0767/, an HTML page per
    image that a static site does not have) point at the image file itself."""
    if "](" not in body:
        return body
    for a in attachments.values():
        page = url_path(a.get("page") or "", base_url)
        file = url_path(a.get("url") or "", base_url) or a.get("url")  # a CDN host: the full URL
        if page and file and page != "/":
            for form in {page, page.rstrip("/")}:  # WordPress writes them with and without the slash
                body = body.replace(f"]({form})", f"]({file})")
    return body


def _convert(html: str, pid: str, attachments: dict, imp: SiteImport, src: str, line) -> tuple[str, str | None]:
    """A post's HTML (with shortcodes) -> Markdown, and the summary before <!--more-->."""
    summary = None
    m = re.search(r"<!--\s*more\s*-->", html)
    if m:
        from .common import plain_summary

        summary = plain_summary(re.sub(r"<[^>]+>", " ", html[: m.start()])) or None
        html = html[: m.start()] + "\n\n" + html[m.end():]
    html = autop(html)
    codes: list[tuple[str, str]] = []

    def keep(markdown: str) -> str:
        codes.append(("", markdown))
        return f"\n\nSKCODE{len(codes) - 1}X\n\n"

    def caption(m):
        inner = m.group(2)
        img = re.search(r"<img\b[^>]*>", inner)
        text = re.sub(r"<[^>]+>", "", inner[img.end():] if img else inner).strip()
        if not img:
            return inner
        a = _attrs(img.group(0))
        href = re.search(r'<a\b[^>]*href="([^"]+)"', inner)
        return keep(figure(a.get("src", ""), text, a.get("alt", ""), href.group(1) if href else ""))

    html = re.sub(r"\[caption([^\]]*)\](.*?)\[/caption\]", caption, html, flags=re.S)

    def gallery(m):
        a = _attrs(m.group(1))
        ids = [i.strip() for i in a.get("ids", "").split(",") if i.strip()]
        if not ids:
            ids = [k for k, v in attachments.items() if v["parent"] == pid]
        images = []
        for i in ids:
            att = attachments.get(i)
            if att is None:
                imp.note(src, line, f"[gallery] names attachment {i}, which is not in the export",
                         "add the image by hand")
                continue
            path = url_path(att["url"], imp.base_url) or att["url"]
            images.append(f"![{(att['alt'] or att['title']).replace(']', '')}]({path})")
        return keep("\n".join(images) + "\n") if images else ""

    html = re.sub(r"\[gallery([^\]]*)\]", gallery, html)

    def embed(url: str):
        url = url.strip()
        if "youtu" in url:
            code, host = youtube(url)
        elif "vimeo" in url:
            code, host = vimeo(url)
        else:
            return keep(f"[{url}]({url})\n")
        imp.embeds.add(host)
        return keep(code + "\n")

    html = re.sub(r"\[embed[^\]]*\](.*?)\[/embed\]", lambda m: embed(re.sub(r"<[^>]+>", "", m.group(1))), html, flags=re.S)
    html = re.sub(r"\[(youtube|vimeo)\s+([^\]]+)\]", lambda m: embed(_attrs(m.group(2)).get("id") or m.group(2).strip()), html)
    # oEmbed: a video URL alone on its line (or in a paragraph of its own)
    html = re.sub(r"(?m)^(?:<p>)?\s*(https?://(?:www\.)?(?:youtube\.com/watch\?v=[\w-]+|youtu\.be/[\w-]+|vimeo\.com/\d+)\S*)\s*(?:</p>)?$",
                  lambda m: embed(m.group(1)), html)

    def media(m):
        a = _attrs(m.group(2))
        source = a.get("src") or a.get("mp4") or a.get("mp3") or next((v for k, v in a.items() if k in ("webm", "ogg", "m4a")), "")
        if not source:
            return m.group(0)
        path = url_path(source, imp.base_url) or source
        return keep(f'<{m.group(1)} controls src="{path}"></{m.group(1)}>\n')

    html = re.sub(r"\[(audio|video)([^\]]*)\](?:\s*\[/\1\])?", media, html)
    body = html_to_markdown(html)
    for n, (_, markdown) in enumerate(codes):
        body = body.replace(f"SKCODE{n}X", markdown.strip("\n"))
    return body, summary


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


def _uploads(imp: SiteImport, used: dict, uploads: Path | None, fetch) -> None:
    """Media from wp-content/uploads (a folder, or the live site over its deploy target),
    read only inside that folder: an attachment URL that would step out is refused."""
    missing = []
    tree = SourceTree(uploads, imp) if uploads is not None else None
    for path, (src, line) in sorted(used.items()):
        rel = unquote(path.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        inner = rel[len("wp-content/uploads/"):]
        why = path_refusal(rel)
        if why:
            imp.note(src, line, f"the media URL {path!r} {why}: not imported",
                     "correct the attachment's URL in WordPress, or add the file by hand under static/")
            continue
        data = None
        found = tree.file(inner) if tree is not None else None
        if found is not None and tree is not None:
            data = found
            imp.origins[rel] = tree.show(inner)
        elif fetch is not None:
            data = fetch(rel)
        if data is None:
            missing.append((path, src, line))
        else:
            imp.static[rel] = data
    for path, src, line in missing:
        where = "the --uploads folder" if uploads is not None else ("the target" if fetch else "")
        imp.note(src, line, f"{path} is not " + (f"in {where}" if where else "imported (no --uploads folder given)")
                 + f": the page shows it from the old site ({imp.media_urls.get(path) or imp.base_url + path}) "
                 "until then",
                 "run the import again with --uploads PATH/TO/wp-content/uploads (or --target NAME), "
                 f"or put the file at static{path} and the page's link back to {path}")
    _point_at_old_site(imp, [path for path, _, _ in missing])


def _point_at_old_site(imp: SiteImport, paths: list[str]) -> None:
    """A missing upload is shown from the old site while it runs, so the preview builds and
    every page is there to look at; the report names each file."""
    if not paths or not imp.base_url.startswith(("http://", "https://")):
        return
    swap = re.compile(r"(?<![\w/.:-])(" + "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True))
                      + r")(?![\w/.-])")
    def where(path: str) -> str:
        return imp.media_urls.get(path) or imp.base_url + path

    for page in imp.pages:
        page.body = swap.sub(lambda m: where(m.group(1)), page.body)
        for key in ("image",):
            if isinstance(page.meta.get(key), str) and page.meta[key] in paths:
                page.meta[key] = where(page.meta[key])
