"""The composed email as values: its links, a recipient's parts, and the compiled email
whose ``personalize`` is a string substitution per recipient."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..merge import Fields


@dataclass(frozen=True)
class LinkRef:
    url: str
    """Absolute URL as it goes out (UTM parameters included)."""
    written: str
    """The target as written in the Markdown."""
    kind: str
    """"link" or "image"."""
    source: str
    """File it was written in."""
    line: int
    """Line in that file."""
    site_path: str | None = None
    """For URLs on the client's site: the path on the site ('/images/a.png')."""
    local: Path | None = None
    """For images on the client's site: the file under static/ (may not exist)."""


@dataclass(frozen=True)
class EmailParts:
    subject: str
    """Subject, merged, one line."""
    html: str
    """HTML part, merged and escaped."""
    text: str
    """Plain-text part, merged."""
    lang: str = ""
    """The language the text is written in (its From name follows it)."""


@dataclass
class CompiledEmail:
    client: str
    """Client name."""
    slug: str
    """Promotion slug."""
    lang: str
    """Language asked for."""
    text_lang: str
    """Language of the text actually used (the default when there is no translation)."""
    source: str
    """File of that text, for messages."""
    subject: str
    """Subject with placeholders."""
    html: str
    """Compiled HTML with placeholders."""
    plain: str
    """Text part with placeholders."""
    fields: Fields
    """Placeholder table."""
    links: list[LinkRef] = field(default_factory=list)
    """Every link and image in the email, absolute."""
    template: str = ""
    """The template used (for messages)."""
    mjml: str = ""
    """The MJML source given to MRML (for debugging)."""

    def personalize(self, record: dict) -> EmailParts:
        html_values = self.fields.values(record, escape=True)
        raw_values = self.fields.values(record, escape=False)
        subject = " ".join(self.fields.fill(self.subject, raw_values).split())
        return EmailParts(subject, self.fields.fill(self.html, html_values), self.fields.fill(self.plain, raw_values),
                          self.text_lang)
