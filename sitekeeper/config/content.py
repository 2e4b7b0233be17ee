"""The [content] table of site.toml: what raw HTML a client's pages may hold, and the one
URL policy for every URL a site shows (``unsafe_scheme``, ``ContentPolicy.url_problem``):
the body's links, front matter, site.toml and the client's templates all go through it."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import Problems
from .toml import check_keys

CONTENT_KEYS = {"allow_scripts", "embeds", "default_language_in_subfolder"}
_HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


_CONTROL_RE = re.compile(r"[\x00-\x20]+")

SCRIPTS_FIX = ("remove it, or set `allow_scripts = true` under [content] in site.toml if this site "
               "really needs scripts")


def unsafe_scheme(value: str, image: bool = False) -> str | None:
    """``javascript``, ``vbscript`` or ``data`` when a browser would run ``value`` or open it as a
    document of its own, else None. ``image``: the URL is a picture's, where ``data:image/...``
    is only a picture. Spaces, controls and character references are read as browsers read them."""
    v = _CONTROL_RE.sub("", html.unescape(value or "")).lower()
    for scheme in ("javascript", "vbscript"):
        if v.startswith(scheme + ":"):
            return scheme
    if v.startswith("data:") and not (image and v.startswith("data:image/")):
        return "data"
    return None


@dataclass(frozen=True)
class ContentPolicy:
    allow_scripts: bool = False
    """<script>, on*= handlers and javascript: URLs are allowed in raw HTML (web only)."""
    embeds: frozenset[str] = frozenset()
    """Hosts an <iframe> (or <object>/<embed>) may load from, lower-case."""
    default_language_in_subfolder: bool = False
    """The default language lives under /<lang>/ too, and / redirects."""

    def url_problem(self, value: str, image: bool = False) -> str | None:
        """Why the site may not show the URL ``value`` (a sentence without its place), or None."""
        if self.allow_scripts:
            return None
        scheme = unsafe_scheme(value, image)
        if scheme is None:
            return None
        if scheme == "data":
            what = "a `data:` URL that is not an image" if image else "a `data:` URL"
            return f"{what} ({shorten(value)}): a browser opens it as a page of its own"
        return f"a `{scheme}:` URL ({shorten(value)}): it runs a script when clicked"


def shorten(value: str, limit: int = 60) -> str:
    """A URL for a message: one line, at most ``limit`` characters."""
    one = " ".join(str(value).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def parse_content(data: Any, lines: Mapping[tuple[str, str], int], path: str, problems: Problems) -> ContentPolicy:
    if not data:
        return ContentPolicy()
    if not isinstance(data, dict):
        problems.error(path, lines.get(("", "content")), "`content` must be a table", "write it as a [content] section")
        return ContentPolicy()
    check_keys(data, CONTENT_KEYS, "content", lines, path, problems)
    flags = {}
    for key in ("allow_scripts", "default_language_in_subfolder"):
        value = data.get(key, False)
        if not isinstance(value, bool):
            problems.error(path, lines.get(("content", key)), f"`{key}` must be true or false",
                           f"write `{key} = false`")
            value = False
        flags[key] = value
    embeds = data.get("embeds", [])
    hosts = set()
    if not isinstance(embeds, list):
        problems.error(path, lines.get(("content", "embeds")), "`embeds` must be a list of host names",
                       'write embeds = ["www.openstreetmap.org", "www.youtube-nocookie.com"]')
        embeds = []
    for host in embeds:
        if not isinstance(host, str) or not _HOST_RE.match(host.strip()):
            problems.error(path, lines.get(("content", "embeds")), f"`embeds` entry {host!r} is not a host name",
                           'write just the host, e.g. "www.youtube-nocookie.com" (no https://, no path)')
            continue
        hosts.add(host.strip().lower())
    return ContentPolicy(flags["allow_scripts"], frozenset(hosts), flags["default_language_in_subfolder"])
