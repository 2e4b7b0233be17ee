"""The Atom feed of each language and sitemap.xml (with hreflang alternates), written
through an XML writer so every text and attribute is escaped."""
from __future__ import annotations

import io
from datetime import datetime
from urllib.parse import quote

from ..config import SiteConfig

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


class _Xml:
    """A thin layer over XMLGenerator: elements with text, and the site's indentation."""

    def __init__(self):
        # Imported here: saxutils pulls in urllib.request, too slow for a no-op rebuild.
        from xml.sax.saxutils import XMLGenerator

        self.buf = io.StringIO()
        self.gen = XMLGenerator(self.buf, encoding="utf-8", short_empty_elements=True)
        self.gen.startDocument()

    def raw(self, text: str) -> None:
        self.gen.ignorableWhitespace(text)

    def start(self, name: str, attrs: dict | None = None) -> None:
        self.gen.startElement(name, attrs or {})

    def end(self, name: str) -> None:
        self.gen.endElement(name)

    def element(self, name: str, text: str | None = None, attrs: dict | None = None) -> None:
        self.gen.startElement(name, attrs or {})
        if text:
            self.gen.characters(text)
        self.gen.endElement(name)

    def bytes(self) -> bytes:
        self.gen.endDocument()
        return self.buf.getvalue().encode("utf-8")


def feed_bytes(cfg: SiteConfig, lang: str, rows, now: datetime) -> bytes:
    """Atom: rows are (title, url, date iso, description), newest first."""
    home = cfg.base_url + cfg.home_url(lang)
    self_url = f"{home}feed.xml"
    updated = rows[0][2] if rows else now.replace(microsecond=0).isoformat()
    x = _Xml()
    x.start("feed", {"xmlns": ATOM_NS, "xml:lang": lang})
    x.raw("\n  ")
    x.element("title", cfg.name)
    x.raw("\n  ")
    x.element("link", attrs={"href": home})
    x.raw("\n  ")
    x.element("link", attrs={"rel": "self", "href": self_url})
    x.raw("\n  ")
    x.element("id", self_url)
    x.raw("\n  ")
    x.element("updated", updated)
    x.raw("\n  ")
    x.start("author")
    x.element("name", cfg.name)
    x.end("author")
    x.raw("\n")
    for title, url, date, desc in rows:
        link = cfg.base_url + url
        x.raw("  ")
        x.start("entry")
        x.raw("\n    ")
        x.element("title", title)
        x.raw("\n    ")
        x.element("link", attrs={"href": link})
        x.raw("\n    ")
        x.element("id", link)
        x.raw("\n    ")
        x.element("updated", date)
        x.raw("\n")
        if desc:
            x.raw("    ")
            x.element("summary", desc)
            x.raw("\n")
        x.raw("  ")
        x.end("entry")
        x.raw("\n")
    x.end("feed")
    x.raw("\n")
    return x.bytes()


def sitemap_bytes(base_url: str, entries) -> bytes:
    """entries are (url, lastmod date or None, ((lang, url) alternates))."""
    x = _Xml()
    x.start("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
    x.raw("\n")
    for url, lastmod, alts in entries:
        x.raw("  ")
        x.start("url")
        x.element("loc", base_url + quote(url))
        if lastmod:
            x.element("lastmod", lastmod)
        for lg, u in alts:
            x.element("xhtml:link", attrs={"rel": "alternate", "hreflang": lg, "href": base_url + quote(u)})
        x.end("url")
        x.raw("\n")
    x.end("urlset")
    x.raw("\n")
    return x.bytes()
