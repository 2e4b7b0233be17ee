"""One page of an old HTML site on its way to a content/ page: what html.py reads of it and
html_chrome.py uses (its URL, language, key and the page it became)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .common import HtmlPage, ImportedPage


@dataclass
class OldPage:
    """One HTML page of the old site on its way to a content/ page."""

    rel: str
    """Its path in the source ('team/index.html')."""
    page: HtmlPage
    """Its head and main content."""
    alts: list[tuple[str, str]]
    """Its hreflang alternates: (language, href)."""
    old: str
    """The URL the old site served it at ('/team/')."""
    html: str
    """Its text."""
    lang: str = ""
    """Its language (the default language's when it says none)."""
    key: str = ""
    """Its translation key: the content path without the language ('team/index')."""
    imported: ImportedPage = field(init=False)
    """The page it became (set when html.py converts it)."""
