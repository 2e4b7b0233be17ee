"""Merge fields as a web page shows them: ``{{ name or "fallback" }}`` becomes its fallback.

The field syntax lives here, below both the site build and the mail wing that use it.
"""
from __future__ import annotations

import re

FIELD_RE = re.compile(r"""\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(?:or\s*(?:"([^"]*)"|'([^']*)'))?\s*\}\}""")
"""A merge field: a column name and an optional quoted fallback."""


def for_site(text: str) -> str:
    """A text with every merge field replaced by its fallback: a page has no recipient."""
    if "{{" not in text:
        return text
    return FIELD_RE.sub(lambda m: m.group(2) or m.group(3) or "", text)
