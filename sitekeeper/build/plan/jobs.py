"""The plan's values: what to render for each output (a job), the output with the fingerprint
of its inputs, and the plan itself. Frozen where they can be; no logic beyond hashing."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Union

from ...config import SiteConfig
from ...content.pages import Page
from ...content.promotions import Promotion
from ...errors import Diagnostic
from ...render.webfonts import Face


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
    translations: tuple[Any, ...]
    """(lang, url, title) of each language version."""
    children: tuple[Any, ...]
    """(title, url, date iso, description, timestamp) of listed pages."""
    description: str
    md_links: tuple[Any, ...] = ()
    """(target as written, page URL) of each link to a page's file (`kontakt.md`)."""


@dataclass(frozen=True, slots=True)
class CopyJob:
    """A file copied as it is."""

    file: Path


@dataclass(frozen=True, slots=True)
class JoinJob:
    """Files joined into one, in order (the theme's stylesheet: the base and the chosen style)."""

    files: tuple[Path, ...]


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
class FontJob:
    """A face of the site's font family cut to the characters its pages show (WOFF2)."""

    face: Face
    chars: str


@dataclass(frozen=True, slots=True)
class ImageJob:
    """A smaller WebP of a static image, for `srcset`."""

    file: Path
    width: int


@dataclass(frozen=True, slots=True)
class FeedJob:
    """An Atom feed of one language."""

    lang: str
    rows: tuple[Any, ...]
    """(title, url, date iso, description), newest first."""


@dataclass(frozen=True, slots=True)
class SitemapJob:
    """sitemap.xml."""

    entries: tuple[Any, ...]
    """(url, lastmod date or None, ((lang, url) alternates))."""


Job = Union[PageJob, CopyJob, JoinJob, BytesJob, IconJob, ImageJob, FeedJob, SitemapJob, FontJob]


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
    global_ctx: dict[str, Any]
    """What every page's template sees of the site."""
    links: list[tuple[Page, str]]
    """(page, its URL) of each rendered page, for the link checker."""
    valid: tuple[float, float] = (float("-inf"), float("inf"))
    """Timestamps between which this plan stays true."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Errors found planning (two outputs on one path, unknown templates)."""
    images: dict[str, Any] = field(default_factory=dict)
    """Static image URL -> (width, height, ((variant width, variant URL), ...)), for srcset."""


def fingerprint(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def visible_fingerprint(plan: SitePlan) -> str:
    """One hash of what the site shows: every output path with the fingerprint of its inputs.
    Equal for two plans means the same bytes would be deployed."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(plan.outputs):
        h.update(f"{path}\0{plan.outputs[path].fingerprint}\n".encode())
    return h.hexdigest()
