"""A built site turned into a private preview: pure functions over a file's path and bytes.

The build already ran with base_url set to the preview's address, so canonical links, feeds,
hreflang alternates, Open Graph and redirects point into the preview. What is left is what the
build writes relative to the host's root (``/about/``, ``/assets/style.css``): those get the
preview's folder in front, so a client who clicks around stays inside the preview. An absolute
link to the live site written in a page's body goes to the preview too. Every HTML page gets
``<meta name="robots" content="noindex, nofollow">`` (replacing any robots meta it had) and a
referrer policy of ``same-origin`` (so following a link to another site does not hand it the
preview's address), the robots.txt disallows everything, and sitemaps are left out.
"""
from __future__ import annotations

import json
import re

ROBOTS_META = '<meta name="robots" content="noindex, nofollow">'
REFERRER_META = '<meta name="referrer" content="same-origin">'
"""The preview's address is its secret: a link or embed to another site never carries it."""
ROBOTS_TXT = b"# A private preview: not for search engines.\nUser-agent: *\nDisallow: /\n"

_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9:-]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_ATTR = re.compile(r"(?P<lead>\s(?P<name>href|src|srcset|imagesrcset|action|formaction|poster|data|xlink:href)"
                   r"\s*=\s*)(?P<q>[\"'])(?P<value>.*?)(?P=q)", re.I | re.S)
_REFRESH = re.compile(r"(?P<lead>url\s*=\s*)(?P<value>[^\"';\s]+)", re.I)
_CSS_URL = re.compile(r"(?P<lead>url\(\s*)(?P<q>[\"']?)(?P<value>/(?!/)[^)\"'\s]*)(?P=q)(?P<tail>\s*\))", re.I)
_ROBOTS = re.compile(r"<meta\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?\bname\s*=\s*(?P<q>[\"']?)(?:robots|googlebot|bingbot|referrer)(?P=q)"
                     r"(?=[\s/>])(?:[^>\"']|\"[^\"]*\"|'[^']*')*>[ \t]*\r?\n?", re.I)
_CHARSET = re.compile(r"<meta\s[^>]*\bcharset\s*=[^>]*>", re.I)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)
_HTML = re.compile(r"<html(?:\s[^>]*)?>", re.I)
_MANIFEST_KEYS = ("start_url", "scope", "src", "id", "url", "action")


class Moves:
    """Where a link goes in the preview: root-relative paths get ``folder`` (the preview's URL
    path, e.g. ``/preview-Ab3...``) in front; ``live`` + path (the live site's base_url)
    becomes ``preview`` + path."""

    def __init__(self, folder: str, live: str, preview: str):
        self.folder = "/" + folder.strip("/")
        self.live = live.rstrip("/")
        self.preview = preview.rstrip("/")

    def url(self, value: str) -> str:
        lead = len(value) - len(value.lstrip())
        head, rest = value[:lead], value[lead:]
        if rest.startswith("/") and not rest.startswith("//"):
            if rest == self.folder or rest.startswith(self.folder + "/"):
                return value  # already inside (a body link copied from an earlier preview)
            return head + self.folder + rest
        if _under(rest, self.preview):
            return value  # built with the preview's base_url: already there
        if self.live and _under(rest, self.live):
            return head + self.preview + rest[len(self.live):]
        return value

    def srcset(self, value: str) -> str:
        return ",".join(self._candidate(part) for part in value.split(","))

    def _candidate(self, part: str) -> str:
        stripped = part.lstrip()
        url, _, descriptor = stripped.partition(" ")
        moved = self.url(url)
        return part[:len(part) - len(stripped)] + moved + (" " + descriptor if descriptor else "")


def _under(url: str, base: str) -> bool:
    return url == base or any(url.startswith(base + c) for c in "/?#")


def _attrs(tag: str, moves: Moves) -> str:
    def one(m: re.Match) -> str:
        name, value = m.group("name").lower(), m.group("value")
        moved = moves.srcset(value) if name.endswith("srcset") else moves.url(value)
        return f"{m.group('lead')}{m.group('q')}{moved}{m.group('q')}"

    tag = _ATTR.sub(one, tag)
    if re.match(r"<meta\s", tag, re.I) and re.search(r"http-equiv\s*=\s*[\"']?refresh", tag, re.I):
        tag = _REFRESH.sub(lambda m: m.group("lead") + moves.url(m.group("value")), tag)
    return tag


def css(text: str, moves: Moves) -> str:
    """``url(/...)`` in a stylesheet (or a page's style) inside the preview."""
    return _CSS_URL.sub(lambda m: f"{m.group('lead')}{m.group('q')}{moves.url(m.group('value'))}{m.group('q')}"
                              f"{m.group('tail')}", text)


def html(text: str, moves: Moves) -> str:
    """A page of the preview: its links moved inside, and noindex, nofollow in its head."""
    text = _TAG.sub(lambda m: _attrs(m.group(0), moves), text)
    text = css(text, moves)
    return with_robots_meta(text)


def with_robots_meta(text: str) -> str:
    """``text`` with every robots (and referrer) meta removed and ours put first in the head
    (after the charset, which must stay within the first bytes)."""
    text = _ROBOTS.sub("", text)
    ours = ROBOTS_META + "\n" + REFERRER_META
    for pattern in (_CHARSET, _HEAD, _HTML):
        m = pattern.search(text)
        if m is not None:
            return text[:m.end()] + "\n" + ours + text[m.end():]
    return ours + "\n" + text


def manifest(data: bytes, moves: Moves) -> bytes:
    """A web app manifest: its start_url, scope and icons' src inside the preview."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return data

    def walk(node):
        if isinstance(node, dict):
            return {k: (moves.url(v) if k in _MANIFEST_KEYS and isinstance(v, str) else walk(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return (json.dumps(walk(doc), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def is_sitemap(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith("sitemap") and name.endswith((".xml", ".xml.gz", ".txt"))


def preview_file(path: str, data: bytes, moves: Moves) -> bytes | None:
    """The bytes of ``path`` (relative to the site's root) in the preview, or None to leave
    it out (a sitemap: a preview advertises nothing)."""
    lower = path.lower()
    if lower == "robots.txt":
        return ROBOTS_TXT
    if "/" not in path and is_sitemap(path):
        return None
    if lower.endswith((".html", ".htm")):
        return html(data.decode("utf-8", errors="surrogateescape"), moves).encode("utf-8", errors="surrogateescape")
    if lower.endswith(".css"):
        return css(data.decode("utf-8", errors="surrogateescape"), moves).encode("utf-8", errors="surrogateescape")
    if lower.endswith((".webmanifest", "manifest.json")):
        return manifest(data, moves)
    return data
