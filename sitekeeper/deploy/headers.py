"""HTTP headers of deployed files: our own Content-Type table and Cache-Control rules.

Never the OS ``mimetypes`` database: what a server or bucket sends must not depend on
the machine that published. Text types carry ``charset=utf-8`` (the builder writes UTF-8).
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from typing import Mapping

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".vcf": "text/vcard; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".wav": "audio/wav",
    ".wasm": "application/wasm",
}
DEFAULT_TYPE = "application/octet-stream"

IMMUTABLE = "public, max-age=31536000, immutable"
HTML = "public, max-age=300, must-revalidate"
OTHER = "public, max-age=3600"
# style.3f2a9c1b.css, app-4f5e6a7b8c.js: a content hash in the name means the bytes never change
_FINGERPRINTED = re.compile(r"[.-][0-9a-f]{8,64}\.[A-Za-z0-9]+$")


def content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return CONTENT_TYPES.get(name[dot:], DEFAULT_TYPE) if dot >= 0 else DEFAULT_TYPE


def cache_control(path: str, rules: Mapping[str, str] | None = None) -> str:
    """User rules (fnmatch patterns, first match wins) before the defaults."""
    for pattern, value in (rules or {}).items():
        if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern):
            return value
    ctype = content_type(path)
    if ctype.startswith("text/html"):
        return HTML
    if _FINGERPRINTED.search(path):
        return IMMUTABLE
    return OTHER


def headers_for(path: str, rules: Mapping[str, str] | None = None) -> dict[str, str]:
    return {"Content-Type": content_type(path), "Cache-Control": cache_control(path, rules)}


def fingerprint(headers: Mapping[str, str] | None) -> str:
    """Short stable digest of a header set ("" when a target sends no headers of its own)."""
    if not headers:
        return ""
    blob = json.dumps(dict(sorted(headers.items())), separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
