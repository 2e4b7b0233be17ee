"""What every importer shares: the imported site as a value, HTML -> Markdown, the main
content of an HTML page, front matter out, and the shortcodes common to Hugo and Jekyll.

An importer reads its source and returns a ``SiteImport`` (pages, static files, settings,
problems); ``write.py`` turns that value into a client folder. Nothing here writes.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import Diagnostic
from ..locale.tags import SITE_TAG, site_tag as language_of

if TYPE_CHECKING:
    from bs4 import Tag

LANG_RE = SITE_TAG


@dataclass
class ImportedPage:
    relpath: str
    """Path under content/ ('about.de.md', 'posts/2020-05-01-opening.md', 'produkte.html')."""
    meta: dict
    """Front matter, in the order it is written."""
    body: str
    """Markdown (or HTML for an .html page)."""
    origin: str
    """The file (or export item) it came from, for the report."""
    old_urls: tuple[str, ...] = ()
    """Every URL the old site served this page at: each must exist or redirect after import."""


@dataclass
class SiteImport:
    kind: str
    """'wordpress' | 'hugo' | 'jekyll' | 'html'."""
    name: str = ""
    """The business name (the old site's title)."""
    base_url: str = "https://www.example.com"
    """The old site's address."""
    languages: list[str] = field(default_factory=lambda: ["en"])
    """Detected languages; the first is the default."""
    timezone: str = "UTC"
    """The site's timezone, when the source says."""
    timezone_from: str = ""
    """Where the timezone came from ('the Jekyll config'), or '' when the source does not say."""
    region: str = ""
    """The country of the site's language tag ('AT' of de-AT), when the source says."""
    description: str = ""
    """The site's description."""
    in_subfolder: bool = False
    """The default language lived under /<lang>/ too."""
    theme: dict = field(default_factory=dict)
    """Proposed [theme]: primary_color, logo (static/...), tagline."""
    embeds: set[str] = field(default_factory=set)
    """Hosts of the iframes the converted pages use (for [content] embeds)."""
    pages: list[ImportedPage] = field(default_factory=list)
    static: dict[str, object] = field(default_factory=dict)
    """Path under static/ -> a Path to copy or bytes."""
    origins: dict[str, str] = field(default_factory=dict)
    """Path under static/ -> the source file it came from, as the report names it."""
    media_urls: dict[str, str] = field(default_factory=dict)
    """A media path (/wp-content/uploads/…) -> the URL the old site served it from, when that
    was another host (WordPress.com's files.*, i0.wp.com, a CDN)."""
    templates: dict[str, str] = field(default_factory=dict)
    """Path under templates/ -> a theme override the import writes (the old footer's links)."""
    problems: list[Diagnostic] = field(default_factory=list)
    """What could not be converted (warnings) and what stopped the import (errors)."""
    count: dict[str, int] = field(default_factory=dict)
    """What was read, by kind (pages, posts, files...), for the summary."""

    def note(self, path: str, line: int | None, message: str, fix: str = "", severity: str = "warning") -> None:
        self.problems.append(Diagnostic(path, line, message, fix, severity))


class ImportFailed(Exception):
    """The source cannot be read at all (not a WordPress export, no such folder)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


# ---------------------------------------------------------------- HTML -> Markdown


def html_to_markdown(html: str) -> str:
    """HTML to Markdown with markdownify; what Markdown cannot say (tables with spans,
    iframes, forms) stays raw HTML in the Markdown, which the renderer passes on."""
    from markdownify import MarkdownConverter

    # A script's or style sheet's code is not text: without this it would show on the page.
    html = re.sub(r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>", "", html, flags=re.S | re.I)

    class Converter(MarkdownConverter):
        def convert_iframe(self, el, text, parent_tags=None, **kwargs):
            return "\n\n" + str(el) + "\n\n"

        def convert_figure(self, el, text, parent_tags=None, **kwargs):
            return "\n\n" + text.strip() + "\n\n"

        def convert_figcaption(self, el, text, parent_tags=None, **kwargs):
            return "\n\n*" + text.strip() + "*\n\n" if text.strip() else ""

    md = Converter(heading_style="ATX", bullets="-", strip=["script", "style", "noscript"],
                   escape_underscores=False, escape_asterisks=False).convert(html)
    md = re.sub(r"[ \t]+\n", "\n", md)
    md = re.sub(r"\n{3,}", "\n\n", md)
    return md.strip() + "\n"


@dataclass
class HtmlPage:
    title: str
    description: str
    lang: str
    content: str
    """The main content, as HTML."""
    logo: str | None
    """src of the header's logo image, when found."""
    color: str | None
    """theme-color, or the first colour of the header's CSS."""
    canonical: str | None
    region: str = ""
    """The country of <html lang> ('AT' of de-AT), when it names one."""


def read_html_page(html: str) -> HtmlPage:
    """Title, description and language from the head, the main content from the body:
    <main>, an <article>, [role=main], #content, else the body without its header, nav,
    footer and aside (the parts every page repeats)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = ""
    og_title = attr(soup.find("meta", attrs={"property": "og:title"}), "content")
    if og_title:
        title = og_title.strip()
    elif soup.title and soup.title.string:
        title = soup.title.string.strip()
        for sep in (" | ", " – ", " — ", " - ", " · "):
            if sep in title:
                title = title.split(sep)[0].strip()
                break
    description = attr(soup.find("meta", attrs={"name": "description"}), "content").strip()
    tag = attr(soup.find("html"), "lang").replace("_", "-")
    lang = language_of(tag)
    region = region_of(tag)
    theme_color = attr(soup.find("meta", attrs={"name": "theme-color"}), "content")
    color = theme_color.strip() if theme_color else None
    canonical_link = soup.find("link", rel="canonical")
    canonical = attr(canonical_link, "href") if canonical_link is not None and canonical_link.has_attr("href") else None
    logo = None
    header = soup.find("header") or soup.find(class_=re.compile(r"header|logo|brand", re.I))
    if header is not None:
        logo = attr(header.find("img"), "src") or None
    main = (soup.find("main") or soup.find(role="main") or soup.find(id="content")
            or soup.find("article") or soup.body or soup)
    for el in main.find_all(["script", "style", "noscript"]):
        el.decompose()
    if main is soup.body or main is soup:
        for el in main.find_all(["header", "nav", "footer", "aside"]):
            el.decompose()
    # The page's own h1 becomes its title; leave it out of the body
    first_h1 = main.find("h1")
    if first_h1 is not None:
        heading = first_h1.get_text(" ", strip=True)
        if not title or heading == title:
            title = title or heading
            first_h1.decompose()
    return HtmlPage(title, description, lang if LANG_RE.match(lang) else "", main.decode_contents(), logo, color,
                    canonical, region)


def attr(element: Tag | None, name: str) -> str:
    """An attribute of an element as text: '' when the element or the attribute is missing; the
    words of a multi-valued one (class, rel) joined by spaces, as the page wrote them."""
    if element is None:
        return ""
    value = element.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def region_of(tag: str) -> str:
    """The country of a language tag ('de-AT' -> 'AT', 'sr-Latn-RS' -> 'RS'), or ''."""
    for part in str(tag).replace("_", "-").split("-")[1:]:
        if re.match(r"^[A-Za-z]{2}$", part):
            return part.upper()
    return ""


# ---------------------------------------------------------------- front matter out


def front_matter(meta: dict) -> str:
    import yaml

    clean = {k: v for k, v in meta.items() if v not in (None, "", [], {})}
    text = yaml.safe_dump(clean, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return f"---\n{text}---\n"


def date_text(value) -> str | None:
    """A date of the source as front matter text ('2020-05-01 10:30' or with its offset)."""
    from datetime import date, datetime

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.isoformat()
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?$", text)
    if not m:
        return None
    day, hm, _sec, off = m.groups()
    if not hm:
        return day
    if off:
        if off != "Z" and ":" not in off:
            off = off[:3] + ":" + off[3:]
        return f"{day}T{hm}:{_sec or '00'}{'+00:00' if off == 'Z' else off}"
    return f"{day} {hm}"


def url_path(url: str, base_url: str = "") -> str | None:
    """The path of an old page URL on the old site ('https://x.example/a/b/' -> '/a/b/'),
    or None for another site's URL."""
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return None
    if parts.netloc:
        base = urlsplit(base_url).netloc.lower()
        if base and parts.netloc.lower().removeprefix("www.") != base.removeprefix("www."):
            return None
    path = parts.path or "/"
    return path if path.startswith("/") else "/" + path


def natural_file(url: str, parents: set[str]) -> str | None:
    """The content file whose URL is ``url`` without a `url:` key ('/a/b/' -> 'a/b.md',
    or 'a/b/index.md' when other pages live below it), or None ('/a.html')."""
    if not url.endswith("/"):
        return None
    inner = url.strip("/")
    if not inner:
        return "index.md"
    if url in parents:
        return f"{inner}/index.md"
    return f"{inner}.md"


def parents_of(urls) -> set[str]:
    """Every URL that has another URL below it."""
    found = set()
    for u in urls:
        parts = u.strip("/").split("/")
        for i in range(1, len(parts)):
            found.add("/" + "/".join(parts[:i]) + "/")
    return found


def iframe(src: str, title: str) -> str:
    from html import escape

    return (f'<iframe src="{escape(src, quote=True)}" title="{escape(title, quote=True)}" width="560" height="315" '
            'loading="lazy" allowfullscreen></iframe>')


def youtube(id_or_url: str) -> tuple[str, str]:
    """(iframe, host) of a YouTube video, from its id or URL (privacy-enhanced host)."""
    m = re.search(r"(?:v=|youtu\.be/|embed/)([\w-]{6,})", id_or_url)
    vid = m.group(1) if m else id_or_url.strip()
    return iframe(f"https://www.youtube-nocookie.com/embed/{vid}", "YouTube video"), "www.youtube-nocookie.com"


def vimeo(id_or_url: str) -> tuple[str, str]:
    m = re.search(r"(\d{5,})", id_or_url)
    vid = m.group(1) if m else id_or_url.strip()
    return iframe(f"https://player.vimeo.com/video/{vid}", "Vimeo video"), "player.vimeo.com"


def figure(src: str, caption: str = "", alt: str = "", link: str = "") -> str:
    """A figure as Markdown: the image, then its caption in italics."""
    alt = (alt or caption or "").replace("]", "")
    img = f"![{alt}]({src})"
    if link:
        img = f"[{img}]({link})"
    return f"\n{img}\n" + (f"\n*{caption.strip()}*\n" if caption.strip() else "")


def plain_summary(markdown: str, limit: int = 300) -> str:
    """The text of a summary (before `<!--more-->`), without Markdown marks."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[#*_`>]+", "", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def split_more(body: str) -> tuple[str, str | None]:
    """(body without the marker, the summary's text) of a body with `<!--more-->`."""
    m = re.search(r"<!--\s*more\s*-->", body)
    if not m:
        return body, None
    summary = plain_summary(body[: m.start()])
    return body[: m.start()].rstrip() + "\n\n" + body[m.end():].lstrip(), summary or None


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def is_static_name(path: str) -> bool:
    return Path(path).suffix.lower() in STATIC_EXT


STATIC_EXT = {
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".avif", ".bmp", ".tif", ".tiff",
    ".pdf", ".css", ".js", ".txt", ".xml", ".json", ".woff", ".woff2", ".ttf", ".otf", ".eot",
    ".mp4", ".webm", ".mp3", ".ogg", ".wav", ".zip", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
    ".csv", ".map", ".webmanifest",
}


# ---------------------------------------------------------------- reading only inside the source


def _dir_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


class SourceTree:
    """The one way an importer reads its source: only files inside ``root``.

    A symbolic link (to a file or a folder, absolute or relative) whose target lies outside
    the source folder is never followed: it is reported at its path and left out. A link
    that stays inside is followed, but each real folder is read once per walk, so a link
    loop (``loop -> ..``) or a second path to a folder already read adds nothing. Pipes,
    devices and sockets are never opened (reading one would hang or read forever).
    """

    def __init__(self, root: Path, imp: SiteImport, shown: str | None = None):
        self.root = root
        """The source folder as the user named it (what the report shows)."""
        self.real = Path(os.path.realpath(root))
        self.imp = imp
        self.shown = shown if shown is not None else str(root)
        self._reported: set[str] = set()

    def show(self, rel: str) -> str:
        return f"{self.shown}/{rel}" if rel else self.shown

    def _report(self, rel: str, message: str, fix: str) -> None:
        if rel not in self._reported:
            self._reported.add(rel)
            self.imp.note(self.show(rel), None, message, fix)

    def _resolve(self, rel: str) -> Path | None:
        """The real path of ``rel`` when it lies inside the source (else reported, None)."""
        path = self.root / rel if rel else self.root
        if not os.path.lexists(path):
            return None
        real = Path(os.path.realpath(path))
        if real != self.real and not real.is_relative_to(self.real):
            what = f"a symbolic link to {os.readlink(path)}" if path.is_symlink() else f"{real}"
            self._report(rel, f"{what}, outside the source folder: not followed, not imported",
                         "copy what it points to into the site's folder if the site needs it, or remove the link")
            return None
        return real

    def file(self, rel: str) -> Path | None:
        """The real path of the regular file ``rel`` of the source, or None."""
        if not rel or _bad_rel(rel):
            return None
        real = self._resolve(rel)
        if real is None:
            return None
        try:
            return real if stat.S_ISREG(real.stat().st_mode) else None
        except OSError:
            return None

    def is_dir(self, rel: str) -> bool:
        real = self._resolve(rel)
        return real is not None and real.is_dir()

    def files(self, sub: str = "", skip: Callable[[str, bool], bool] | None = None) -> list[tuple[str, Path]]:
        """(path relative to ``sub``, real path) of every regular file under ``sub``, sorted.
        ``skip(rel, is_folder)`` leaves a file or a whole folder out, without a word."""
        top = self._resolve(sub)
        if top is None or not top.is_dir():
            return []
        found: dict[str, Path] = {}
        done: dict[tuple[int, int], str] = {}
        links: list[tuple[str, Path]] = [("", top)]
        # Real folders first, then the links to folders: a folder is read at its own path
        # when it has one, and a link to a folder already read (a loop) is not read again.
        while links:
            rel, real = links.pop(0)
            if _dir_key(real) in done:
                first = done[_dir_key(real)]
                self._report(join_rel(sub, rel), f"a symbolic link to a folder read already (at {self.show(join_rel(sub, first))}"
                             "): a loop or a second path; not read again",
                             "remove the link, or copy the files if the site served them at both paths")
                continue
            self._scan(sub, rel, real, found, done, links, skip)
        return sorted(found.items())

    def _scan(self, sub: str, rel: str, real: Path, found: dict, done: dict, links: list, skip) -> None:
        stack = [(rel, real)]
        while stack:
            here, folder = stack.pop()
            done[_dir_key(folder)] = here
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as exc:
                self._report(join_rel(sub, here), f"cannot be read ({exc.strerror}); not imported", "check its permissions")
                continue
            for entry in entries:
                child = join_rel(here, entry.name)
                is_dir = entry.is_dir()  # follows a link, to tell what it points to
                if skip is not None and skip(child, is_dir):
                    continue
                if entry.is_symlink():
                    self._link(sub, child, found, links)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((child, Path(entry.path)))
                elif entry.is_file(follow_symlinks=False):
                    found[child] = Path(entry.path)
                else:
                    self._report(join_rel(sub, child), "not a regular file (a pipe, socket or device); not imported", "")

    def _link(self, sub: str, rel: str, found: dict, links: list) -> None:
        real = self._resolve(join_rel(sub, rel))
        if real is None:
            return
        if real.is_dir():
            links.append((rel, real))
        elif real.is_file():
            found[rel] = real
        else:
            self._report(join_rel(sub, rel), "a symbolic link to nothing (or to a pipe or device); not imported",
                         "remove the link")


def join_rel(a: str, b: str) -> str:
    return f"{a}/{b}" if a and b else a or b


# ---------------------------------------------------------------- paths an import may write

WINDOWS_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$", *(f"com{i}" for i in "123456789¹²³"),
                    *(f"lpt{i}" for i in "123456789¹²³")}
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 1024


def path_refusal(rel: str) -> str | None:
    """Why ``rel`` (a '/'-separated path an import would write under the client folder)
    cannot be written, or None. It must stay inside: no `..`, no absolute path; and it must
    be a name every system can hold: no backslash, NUL or control character, no Windows
    device name (CON, NUL, COM1…), no trailing dot or space, not overlong."""
    if not rel:
        return "is empty"
    try:
        size = len(rel.encode("utf-8"))
    except UnicodeEncodeError:
        return "is not UTF-8 text"
    if rel.startswith("/") or re.match(r"^[A-Za-z]:", rel):
        return "is absolute"
    if "\\" in rel:
        return "holds a backslash"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in rel):
        return "holds a control character"
    if size > MAX_PATH_BYTES:
        return f"is longer than {MAX_PATH_BYTES} bytes"
    for part in rel.split("/"):
        if part in ("", ".", ".."):
            return f"has a {part!r} folder name (`..`, `.` or `//`)"
        if part.split(".")[0].rstrip(" ").lower() in WINDOWS_RESERVED:
            return f"uses the Windows device name {part!r}"
        if part.endswith((".", " ")):
            return f"has a name ending in a dot or a space ({part!r})"
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            return f"has a name longer than {MAX_NAME_BYTES} bytes"
    return None


def _bad_rel(rel: str) -> bool:
    """A path asked of the source that could step outside it by its form alone."""
    return rel.startswith("/") or "\0" in rel or ".." in rel.replace("\\", "/").split("/")


# ---------------------------------------------------------------- the site's timezone

COUNTRY_ZONES = {
    "AT": "Europe/Vienna", "DE": "Europe/Berlin", "CH": "Europe/Zurich", "LI": "Europe/Vaduz",
    "LU": "Europe/Luxembourg", "BE": "Europe/Brussels", "NL": "Europe/Amsterdam", "FR": "Europe/Paris",
    "MC": "Europe/Monaco", "IT": "Europe/Rome", "SM": "Europe/San_Marino", "VA": "Europe/Vatican",
    "ES": "Europe/Madrid", "AD": "Europe/Andorra", "PT": "Europe/Lisbon", "GB": "Europe/London", "UK": "Europe/London",
    "IE": "Europe/Dublin", "CZ": "Europe/Prague", "SK": "Europe/Bratislava", "PL": "Europe/Warsaw",
    "HU": "Europe/Budapest", "SI": "Europe/Ljubljana", "HR": "Europe/Zagreb", "RO": "Europe/Bucharest",
    "BG": "Europe/Sofia", "GR": "Europe/Athens", "CY": "Asia/Nicosia", "MT": "Europe/Malta",
    "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm", "FI": "Europe/Helsinki", "EE": "Europe/Tallinn",
    "LV": "Europe/Riga", "LT": "Europe/Vilnius", "NO": "Europe/Oslo", "IS": "Atlantic/Reykjavik",
    "TR": "Europe/Istanbul", "UA": "Europe/Kyiv", "MD": "Europe/Chisinau", "RS": "Europe/Belgrade",
    "BA": "Europe/Sarajevo", "ME": "Europe/Podgorica", "MK": "Europe/Skopje", "AL": "Europe/Tirane",
    "IL": "Asia/Jerusalem", "JP": "Asia/Tokyo", "KR": "Asia/Seoul", "CN": "Asia/Shanghai", "TW": "Asia/Taipei",
    "HK": "Asia/Hong_Kong", "SG": "Asia/Singapore", "IN": "Asia/Kolkata", "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg", "AR": "America/Argentina/Buenos_Aires", "CL": "America/Santiago",
    "CO": "America/Bogota", "PE": "America/Lima", "UY": "America/Montevideo",
}
"""Countries with one timezone (or one that nearly everyone lives in)."""

LANGUAGE_COUNTRY = {
    "it": "IT", "cs": "CZ", "de": "DE", "fr": "FR", "es": "ES", "pt": "PT", "nl": "NL", "pl": "PL", "sk": "SK",
    "sl": "SI", "hr": "HR", "hu": "HU", "ro": "RO", "bg": "BG", "el": "GR", "da": "DK", "sv": "SE", "fi": "FI",
    "et": "EE", "lv": "LV", "lt": "LT", "mt": "MT", "ga": "IE", "nb": "NO", "nn": "NO", "no": "NO", "is": "IS",
    "tr": "TR", "uk": "UA", "he": "IL", "ja": "JP", "ko": "KR", "sr": "RS", "bs": "BA", "mk": "MK", "sq": "AL",
    "ca": "ES", "eu": "ES", "gl": "ES", "lb": "LU", "cy": "GB", "gd": "GB", "fy": "NL",
}
"""The country a language's sites are most likely in, for languages spoken mostly in one
country (English, Arabic, Russian or Chinese alone say too little)."""


def propose_timezone(language: str, region: str = "") -> tuple[str, str] | None:
    """(zone, why) for a site in ``language`` (of the country ``region``, when known), or None."""
    region = region.upper()
    if region in COUNTRY_ZONES:
        return COUNTRY_ZONES[region], f"the site's language and country ({language}-{region})"
    country = LANGUAGE_COUNTRY.get(language.lower())
    if country and not region:
        return COUNTRY_ZONES[country], f"the site's language ({language})"
    return None
