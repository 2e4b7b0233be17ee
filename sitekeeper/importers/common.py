"""What every importer shares: the imported site as a value, HTML -> Markdown, the main
content of an HTML page, front matter out, and the shortcodes common to Hugo and Jekyll.

An importer reads its source and returns a ``SiteImport`` (pages, static files, settings,
problems); ``write.py`` turns that value into a client folder. Nothing here writes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import Diagnostic

LANG_RE = re.compile(r"^[a-z]{2,3}$")


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


def read_html_page(html: str) -> HtmlPage:
    """Title, description and language from the head, the main content from the body:
    <main>, an <article>, [role=main], #content, else the body without its header, nav,
    footer and aside (the parts every page repeats)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = ""
    og = soup.find("meta", attrs={"property": "og:title"})
    if og and og.get("content"):
        title = og["content"].strip()
    elif soup.title and soup.title.string:
        title = soup.title.string.strip()
        for sep in (" | ", " – ", " — ", " - ", " · "):
            if sep in title:
                title = title.split(sep)[0].strip()
                break
    desc = soup.find("meta", attrs={"name": "description"})
    description = desc["content"].strip() if desc and desc.get("content") else ""
    html_tag = soup.find("html")
    lang = (html_tag.get("lang") or "").split("-")[0].lower() if html_tag else ""
    color_meta = soup.find("meta", attrs={"name": "theme-color"})
    color = color_meta["content"].strip() if color_meta and color_meta.get("content") else None
    canonical = soup.find("link", rel="canonical")
    canonical = canonical.get("href") if canonical else None
    logo = None
    header = soup.find("header") or soup.find(class_=re.compile(r"header|logo|brand", re.I))
    if header is not None:
        img = header.find("img")
        if img is not None and img.get("src"):
            logo = img["src"]
    main = (soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find(id="content")
            or soup.find("article") or soup.body or soup)
    for tag in main.find_all(["script", "style", "noscript"]):
        tag.decompose()
    if main is soup.body or main is soup:
        for tag in main.find_all(["header", "nav", "footer", "aside"]):
            tag.decompose()
    # The page's own h1 becomes its title; leave it out of the body
    first_h1 = main.find("h1")
    if first_h1 is not None:
        heading = first_h1.get_text(" ", strip=True)
        if not title or heading == title:
            title = title or heading
            first_h1.decompose()
    return HtmlPage(title, description, lang if LANG_RE.match(lang) else "", main.decode_contents(), logo, color,
                    canonical)


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
