"""Static HTML: a folder of HTML files, or the live site read over a deploy target.

Each page's main content becomes Markdown (the header, navigation and footer every page
repeats are left to the theme: the navigation becomes the menu, the footer's links the footer
menu, html_chrome.py); its title and description come from the head, its language from
<html lang>; translations are paired by their hreflang alternates. Forms and scripts are named
in the report, a contact form becomes a mailto: link. Every
old URL is kept as it was (`about.html` stays /about.html, `team/index.html` is /team/),
so relative links keep working. Every other file goes to static/ at its path.
"""
from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urljoin

from ..content.pages import default_url, translation_url
from .common import HtmlPage, ImportFailed, ImportedPage, SiteImport, SourceTree, html_to_markdown, read_html_page, url_path
from ..errors import Diagnostic
from .html_chrome import apply_chrome, replace_forms
from .html_page import OldPage
from ..locale.tags import SITE_TAG, site_tag as language_of

HTML_EXT = (".html", ".htm")
SKIP = {".git", ".sitekeeper", "cgi-bin", ".well-known", "node_modules"}


def _skip(rel: str, is_dir: bool) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in SKIP or name.startswith(".")


def _files_of(folder: Path, imp: SiteImport) -> dict[str, Path]:
    tree = SourceTree(folder, imp)
    out = dict(tree.files(skip=_skip))
    imp.origins.update({rel: tree.show(rel) for rel in out})
    return out


def _old_url(rel: str) -> str:
    if rel == "index.html" or rel == "index.htm":
        return "/"
    if rel.endswith(("/index.html", "/index.htm")):
        return "/" + rel.rsplit("/", 1)[0] + "/"
    return "/" + rel


Redirect = tuple[str, str]
"""An old meta-refresh page: (its path in the source, where it sends visitors)."""


def import_html(folder: Path | None, files: Mapping[str, Path | bytes] | None = None) -> SiteImport:
    imp = SiteImport("html")
    if files is None:
        if folder is None or not folder.is_dir():
            raise ImportFailed([Diagnostic(str(folder), None, "not a folder", "give the folder of the site's HTML files")])
        files = _files_of(folder, imp)
    where = str(folder) if folder is not None else "the target"
    pages, redirects = _read_files(imp, files, where)
    home = next((p for p in pages if p.old == "/"), pages[0])
    deflang = _default_language(imp, where, pages, home)
    by_old = {p.old: p for p in pages}
    _translation_keys(imp, pages, by_old, deflang)
    _convert(imp, pages, where, deflang)
    _redirects(imp, redirects, by_old, where)
    _site_settings(imp, home.page, where, files)
    apply_chrome(imp, pages, by_old, where, deflang)
    imp.count["pages"] = len(imp.pages)
    return imp


def _read_files(imp: SiteImport, files: Mapping[str, Path | bytes], where: str) -> tuple[list[OldPage], list[Redirect]]:
    """The pages and old redirects among the files; every other file goes to static/ (a server
    script named in the report)."""
    pages = []
    redirects = []
    for rel, data in files.items():
        if rel.lower().endswith(HTML_EXT):
            raw = data if isinstance(data, bytes) else Path(data).read_bytes()
            text = raw.decode("utf-8", errors="replace")
            refresh = re.search(r"<meta[^>]+http-equiv=[\"']?refresh[\"']?[^>]*content=[\"']\s*\d+\s*;\s*url=([^\"']+)",
                                text, re.I)
            if refresh and len(text) < 2000:  # an old redirect: kept as an alias of the page it names
                redirects.append((rel, refresh.group(1).strip()))
                continue
            alternates = [(language_of(m.group(1)), m.group(2)) for m in re.finditer(
                r"<link[^>]+hreflang=[\"']([\w-]+)[\"'][^>]+href=[\"']([^\"']+)[\"']", text, re.I)]
            pages.append(OldPage(rel, read_html_page(text), alternates, _old_url(unquote(rel)), text))
        else:
            imp.static[rel] = data
            if rel.endswith((".php", ".asp", ".aspx", ".cgi")):
                imp.note(f"{where}/{rel}", None, "a server script: a static site cannot run it; copied as it is",
                         "replace what it did (a form, a counter) with a link or an outside service")
    if not pages:
        raise ImportFailed([Diagnostic(where, None, "no HTML pages found", "give the folder the site is served from")])
    return pages, redirects


def _default_language(imp: SiteImport, where: str, pages: list[OldPage], home: OldPage) -> str:
    """The home page's language, else the one most pages say, else the text's; sets
    imp.languages (the default first) and each page's language."""
    langs = Counter(p.page.lang for p in pages if p.page.lang)
    deflang = next((lg for lg, _ in langs.most_common()), "") or _detected_language(imp, where, pages)
    if home.page.lang:
        deflang = home.page.lang
    imp.languages = [deflang] + sorted(lg for lg in langs if lg != deflang)
    for p in pages:
        p.lang = p.page.lang or deflang
    return deflang


def _translation_keys(imp: SiteImport, pages: list[OldPage], by_old: dict[str, OldPage], deflang: str) -> None:
    """Each page's key from its old URL; a translation's is the default-language page's (by
    hreflang), else its own without its /<lang>/ folder."""
    for p in pages:
        stem = p.old.strip("/")
        stem = re.sub(r"\.html?$", "", stem) or "index"
        if p.old.endswith("/") and p.old != "/":
            stem += "/index"
        p.key = stem
    for p in pages:
        if p.lang == deflang:
            continue
        for lg, href in p.alts:
            if lg != deflang:
                continue
            path = url_path(urljoin(p.old, href), imp.base_url)
            other = by_old.get(unquote(path)) if path else None
            if other is not None and other.lang == deflang:
                p.key = other.key
                break
        else:
            if p.key.startswith(f"{p.lang}/"):
                p.key = p.key[len(p.lang) + 1:]
            elif p.key == p.lang + "/index" or p.key == p.lang:
                p.key = "index"


def _convert(imp: SiteImport, pages: list[OldPage], where: str, deflang: str) -> None:
    """Each page as Markdown with its front matter (title, description, its old URL when the
    site's own would differ); forms become mailto: links to the site's first address."""
    found_mail = (re.search(r"""href=["']mailto:([^"'?\s>]+)""", p.html, re.I) for p in pages)
    mailto = unquote(next((m.group(1) for m in found_mail if m), ""))
    seen = set()
    for p in pages:
        relpath = p.key + ("" if p.lang == deflang else f".{p.lang}") + ".md"
        if relpath in seen:
            p.key = re.sub(r"\.html?$", "", p.rel).replace(".", "-")
            relpath = p.key + ("" if p.lang == deflang else f".{p.lang}") + ".md"
        seen.add(relpath)
        page = p.page
        meta: dict[str, object] = {"title": page.title or p.key.rsplit("/", 1)[-1].replace("-", " ").title()}
        if page.description:
            meta["description"] = page.description
        base = default_url(p.key, None)
        natural = base if p.lang == deflang else translation_url(p.lang, p.key, None, base)
        if natural != p.old:
            meta["url"] = p.old
        body = html_to_markdown(replace_forms(imp, page.content, f"{where}/{p.rel}", mailto))
        p.imported = ImportedPage(relpath, meta, body, f"{where}/{p.rel}", (p.old,))
        imp.pages.append(p.imported)


def _redirects(imp: SiteImport, redirects: list[Redirect], by_old: dict[str, OldPage], where: str) -> None:
    """Each old redirect becomes an alias of the page it names (or a line in the report)."""
    for rel, to in redirects:
        path = url_path(urljoin(_old_url(rel), to), imp.base_url)
        target = by_old.get(unquote(path)) if path else None
        if target is None:
            imp.note(f"{where}/{rel}", None, f"a redirect to {to}, which is not a page of the site; not imported",
                     "add its URL to the `aliases` of the page it should send visitors to")
            continue
        target.imported.meta.setdefault("aliases", []).append(_old_url(unquote(rel)))
        target.imported.old_urls += (_old_url(unquote(rel)),)


def _site_settings(imp: SiteImport, head: HtmlPage, where: str, files: Mapping[str, Path | bytes]) -> None:
    """The site's name, address, description, region, logo and colour, from the home page."""
    imp.name = head.title or "My site"
    origin = re.match(r"^https?://[^/]+", head.canonical) if head.canonical else None
    if origin is not None:
        imp.base_url = origin.group(0)
    else:
        _base_url_from_cname(imp, where, files)
    imp.description = head.description
    imp.region = head.region
    if head.logo:
        logo = posixpath.normpath(unquote(urljoin("/", head.logo.split("?")[0]))).lstrip("/")
        if logo in imp.static:
            imp.theme["logo"] = "static/" + logo
    if head.color and re.match(r"^#(?:[0-9a-fA-F]{3}){1,2}$", head.color):
        imp.theme["primary_color"] = head.color


def _detected_language(imp: SiteImport, where: str, pages: list[OldPage]) -> str:
    """No page says its language (<html lang>): the text's, by langdetect, and said so."""
    text = " ".join(re.sub(r"<[^>]+>", " ", p.page.content) for p in pages)[:20000]
    try:
        from langdetect import DetectorFactory, LangDetectException, detect

        DetectorFactory.seed = 0  # the same answer every run
        found = language_of(detect(text)) if text.strip() else ""
    except (ImportError, LangDetectException):
        found = ""
    if not SITE_TAG.match(found):
        imp.note(where, None, "no page says its language (<html lang>) and the text did not tell; "
                 "the site is taken as English", "set `languages = [\"…\"]` in site.toml to the site's language")
        return "en"
    imp.note(where, None, f"no page says its language (<html lang>): the text reads as {found!r}, "
             "so the site is taken as that", f"if that is wrong, change `languages = [\"{found}\"]` in site.toml")
    return found


def _base_url_from_cname(imp: SiteImport, where: str, files: Mapping[str, Path | bytes]) -> None:
    """A CNAME file (GitHub Pages and the like) names the site's domain."""
    data = files.get("CNAME")
    if data is None:
        return
    raw = data if isinstance(data, bytes) else Path(data).read_bytes()
    name = raw.decode("utf-8", errors="replace").strip().splitlines()[0].strip() if raw.strip() else ""
    if re.match(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", name.lower()):
        imp.base_url = f"https://{name.lower()}"
        imp.note(f"{where}/CNAME", None, f"base_url is {imp.base_url}, from the CNAME file",
                 "check that the site is served over https there")
