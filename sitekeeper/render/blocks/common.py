"""What every block shares: its source lines, its records, its problems and its tokens.

A block is a fenced container in Markdown (``::: team`` … ``:::``). Its body is read either as
Markdown (FAQ, price list) or as records: groups of ``field: value`` lines split by blank lines,
where any other line is the record's text (team, reviews, map, gallery captions).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from markdown_it.token import Token

_FIELD_RE = re.compile(r"^([a-z]+)\s*:\s*(.*)$")


@dataclass
class Block:
    name: str
    """The block's name: `gallery`, `team` …"""
    arg: str
    """What follows the name on the opening line."""
    line: int
    """The opening line, 0-based within the body."""
    lines: list[tuple[int, str]]
    """(line, text) of the body between the fences."""
    inner: list[Token]
    """The body parsed as Markdown (for the blocks that hold Markdown)."""
    md: object
    env: dict
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def email(self) -> bool:
        return bool(self.env.get("email"))

    def error(self, line: int, message: str, fix: str) -> None:
        self.problems.append((line, message, fix))

    def link(self, target: str, line: int, kind: str) -> None:
        """A link, picture or gallery folder for the checker (as ``Rendered.links``)."""
        self.env.setdefault("block_links", []).append((target, line, kind))

    def inline(self, text: str, line: int) -> Token:
        """``text`` as an inline Markdown token (links in it are checked and rewritten as any)."""
        tok = Token("inline", "", 0, content=text, map=[line, line + 1], children=[])
        self.md.inline.parse(text, self.md, self.env, tok.children)  # type: ignore[attr-defined]
        return tok


@dataclass
class Record:
    line: int
    fields: dict[str, tuple[str, int]]
    """field -> (value, line)."""
    text: list[tuple[int, str]]
    """(line, text) of the lines that are not fields."""

    def get(self, key: str) -> str:
        return self.fields.get(key, ("", self.line))[0]

    def line_of(self, key: str) -> int:
        return self.fields.get(key, ("", self.line))[1]

    @property
    def body(self) -> str:
        return " ".join(t.strip() for _, t in self.text).strip()


def records(block: Block, keys: frozenset[str]) -> list[Record]:
    """The block's records; a ``word:`` line whose word is not one of ``keys`` is text."""
    found: list[Record] = []
    current: Record | None = None
    for line, text in block.lines:
        if not text.strip():
            current = None
            continue
        if current is None:
            current = Record(line, {}, [])
            found.append(current)
        m = _FIELD_RE.match(text.strip())
        if m and m.group(1) in keys and not current.text:
            if m.group(1) in current.fields:
                block.error(line, f"`{m.group(1)}:` twice in one entry of the {block.name} block",
                            "leave a blank line between two entries")
            current.fields[m.group(1)] = (m.group(2).strip(), line)
        else:
            current.text.append((line, text))
    return found


def html_token(content: str) -> Token:
    """Generated HTML (not the author's: the [content] policy has nothing to check in it)."""
    return Token("block_html", "", 0, content=content)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


PATH_FIX = "write a path from the site's root to a file under static/, e.g. /images/team/anna.jpg"


def site_path_problem(value: str) -> str | None:
    """Why ``value`` is not a path to a file of the client's static folder, or None."""
    v = value.strip()
    if not v:
        return "is empty"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", v) or v.startswith("//"):
        return "is not a path on this site (pictures of a block come from the client's static/ folder)"
    if any(part == ".." for part in v.replace("\\", "/").split("/")):
        return "contains `..`: a block's pictures stay inside the client's static/ folder"
    if "\\" in v:
        return "uses `\\`: write paths with `/`"
    return None


def site_path(value: str) -> str:
    """``images/a.jpg`` and ``static/images/a.jpg`` as the site serves them: ``/images/a.jpg``."""
    v = value.strip()
    if v.startswith("static/"):
        v = v[len("static/"):]
    return v if v.startswith("/") else "/" + v


def markdown_tokens(block: Block, text: str, line: int) -> list[Token]:
    """``text`` parsed as Markdown (for the plain email version), its lines counted from ``line``."""
    sub = block.md.parse(text, block.env)  # type: ignore[attr-defined]
    for tok in sub:
        if tok.map:
            tok.map = [tok.map[0] + line, tok.map[1] + line]
    return sub


def md_escape(text: str) -> str:
    """Text placed in generated Markdown as it is (no emphasis, links or HTML made of it)."""
    return re.sub(r"([\\`*_\[\]<>#|!~])", r"\\\1", text)
