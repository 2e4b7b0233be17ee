"""The [content] table of site.toml: what raw HTML a client's pages may hold."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import Problems
from .toml import check_keys

CONTENT_KEYS = {"allow_scripts", "embeds", "default_language_in_subfolder"}
_HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


@dataclass(frozen=True)
class ContentPolicy:
    allow_scripts: bool = False
    """<script>, on*= handlers and javascript: URLs are allowed in raw HTML (web only)."""
    embeds: frozenset[str] = frozenset()
    """Hosts an <iframe> (or <object>/<embed>) may load from, lower-case."""
    default_language_in_subfolder: bool = False
    """The default language lives under /<lang>/ too, and / redirects."""


def parse_content(data: Any, lines: Mapping, path: str, problems: Problems) -> ContentPolicy:
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
