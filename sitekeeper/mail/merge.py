"""Merge fields: ``{{ name }}`` and ``{{ name or "fallback" }}`` in subject, preheader and body.

The syntax is deliberately tiny (a column name and an optional quoted fallback), so a
promotion can never run code. Before rendering, each field is swapped for an
alphanumeric placeholder that Markdown and MJML pass through untouched; the compiled
email is then personalised by plain string replacement, per recipient: HTML-escaped in
the HTML part, raw in the text part and the subject.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

# The syntax lives in the render layer, beside the site-side rendering of fields.
from ..render.merge import FIELD_RE

LOOSE_RE = re.compile(r"\{\{.*?\}\}", re.S)
# Letters and digits only: no Markdown emphasis, no HTML escaping, no URL encoding touches it.
_PLACEHOLDER = "zzskmerge{}zz"
PLACEHOLDER_RE = re.compile(r"zzskmerge(\d+)zz")

BUILTIN = {"email", "unsubscribe_url"}
"""Fields every recipient has, whatever the columns of audience.csv."""


@dataclass(frozen=True)
class Field:
    name: str
    """Column name."""
    default: str
    """Used when the recipient's value is empty."""


@dataclass(frozen=True)
class FieldUse:
    name: str
    """Column name."""
    offset: int
    """Character offset in the text it was found in."""


class Fields:
    """The placeholder table of one compiled email: index -> Field."""

    def __init__(self):
        self.items: list[Field] = []
        self._index: dict[Field, int] = {}

    def placeholder(self, field: Field) -> str:
        if field not in self._index:
            self._index[field] = len(self.items)
            self.items.append(field)
        return _PLACEHOLDER.format(self._index[field])

    def protect(self, text: str) -> str:
        """Replace every merge field in ``text`` by its placeholder."""
        return FIELD_RE.sub(lambda m: self.placeholder(Field(m.group(1), m.group(2) or m.group(3) or "")), text)

    def values(self, record: dict, escape: bool) -> list[str]:
        out = []
        for f in self.items:
            value = str(record.get(f.name) or "") or f.default
            out.append(html.escape(value, quote=True) if escape else value)
        return out

    def fill(self, text: str, values: list[str]) -> str:
        return PLACEHOLDER_RE.sub(lambda m: values[int(m.group(1))], text)


def uses(text: str) -> list[FieldUse]:
    return [FieldUse(m.group(1), m.start()) for m in FIELD_RE.finditer(text)]


def malformed(text: str) -> list[tuple[int, str]]:
    """``{{ ... }}`` that is not a merge field: (offset, snippet)."""
    return [(m.start(), m.group(0)) for m in LOOSE_RE.finditer(text) if not FIELD_RE.fullmatch(m.group(0))]

