"""YAML front matter: split a Markdown text into metadata and body, with line numbers.

``parse_document`` is pure (text in, ``Document`` or ``FrontMatterError`` out). Dates
are left as strings (the YAML timestamp resolver is off) so every date goes through
one parser that knows the site's timezone.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _yaml() -> tuple[Any, Any]:
    """PyYAML and a safe loader without the timestamp resolver (dates stay strings).

    Imported lazily: a rebuild where nothing changed never parses YAML.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for ch, resolvers in base.yaml_implicit_resolvers.items()
    }
    return yaml, Loader

_KEY_LINE_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.M)


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str, fix: str):
        super().__init__(message)
        self.line = line
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class Document:
    meta: dict[str, Any]
    """The front matter mapping (empty when there is none)."""
    body: str
    """The Markdown after the front matter."""
    body_line: int
    """1-based line of the file where ``body`` starts."""
    key_lines: dict[str, int] = field(default_factory=dict)
    """Front matter key -> 1-based line in the file."""

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def parse_document(text: str) -> Document:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # Windows (CRLF) or old Mac (CR) line endings: one form for every parser after
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("---"):
        if text.startswith("+++"):
            raise FrontMatterError(1, "TOML front matter (+++) is not supported",
                                   "write the front matter as YAML between two lines of ---")
        return Document({}, text, 1, {})
    first_nl = text.find("\n")
    if first_nl == -1 or text[:first_nl].strip() != "---":
        raise FrontMatterError(1, "the first line must be exactly `---` to start the front matter",
                               "put `---` alone on the first line, then `title: ...`, then `---`")
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(text, first_nl + 1)
    if not m:
        raise FrontMatterError(1, "the front matter is not closed",
                               "did you forget the closing `---` line after the front matter?")
    raw = text[first_nl + 1 : m.start()]
    body_start = m.end() + 1 if m.end() < len(text) else m.end()
    body_line = text.count("\n", 0, body_start) + 1
    meta = simple_yaml(raw)
    if meta is not None:
        return Document(meta, text[body_start:], body_line, {k: n + 2 for n, k in _iter_keys(raw)})
    yaml, loader = _yaml()
    key_lines = {k: n + 2 for n, k in _iter_keys(raw)}
    try:
        meta = _load(yaml, loader, raw, key_lines) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(line, f"front matter is not valid YAML: {problem}",
                               "check the quotes and the `key: value` layout on that line; "
                               "a value containing `: ` or starting with a quote needs quoting") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(2, "front matter must be `key: value` lines",
                               "write e.g. `title: About us` between the --- lines")
    return Document(meta, text[body_start:], body_line, key_lines)


def _load(yaml: Any, loader_class: Any, raw: str, key_lines: dict[str, int]) -> Any:
    """The YAML value of ``raw``, after ``_walk_keys`` refused duplicate keys and put the line of
    every key into ``key_lines`` (nested ones by their dotted path: 'params.cta_url')."""
    loader = loader_class(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _walk_keys(yaml, node, "", key_lines, set())
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _walk_keys(yaml: Any, node: Any, prefix: str, key_lines: dict[str, int], seen_nodes: set[int]) -> None:
    if id(node) in seen_nodes:  # an alias of a node already walked (or a recursive one)
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk_keys(yaml, item, f"{prefix}{i}.", key_lines, seen_nodes)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    first: dict[tuple[str, str], int] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            continue  # `<<: *defaults` may be overridden: that is what merging is for
        line = key_node.start_mark.line + 2
        name = prefix + key_node.value
        ident = (key_node.tag, key_node.value)
        if ident in first:
            raise FrontMatterError(line, f"`{name}` is given twice in the front matter (first on line {first[ident]})",
                                   "keep one of the two: YAML would use the last one without a word")
        first[ident] = line
        key_lines[name] = line
        _walk_keys(yaml, value_node, name + ".", key_lines, seen_nodes)


_SIMPLE_LINE_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(\S(?:.*\S)?)[ \t]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_INT_RE = re.compile(r"^(?:0|-?[1-9][0-9]{0,15})$")
_WORD_RE = re.compile(r"^[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f-]*$")
_PLAIN_RE = re.compile(r"^[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f ,.!?()/'&+-]*$")
_SPECIAL_WORDS = {
    "yes", "no", "on", "off", "y", "n", "true", "false", "null", "~",
}
_NOPE = object()


def _simple_scalar(value: str) -> object:
    if value[0] == '"':
        inner = value[1:-1]
        return inner if value.endswith('"') and len(value) > 1 and '"' not in inner and "\\" not in inner else _NOPE
    if value[0] == "'":
        inner = value[1:-1]
        return inner if value.endswith("'") and len(value) > 1 and "'" not in inner else _NOPE
    if value[0] == "[":
        if not value.endswith("]"):
            return _NOPE
        inner = value[1:-1].strip()
        if not inner:
            return []
        items = [item.strip() for item in inner.split(",")]
        if all(_WORD_RE.match(i) and i.lower() not in _SPECIAL_WORDS for i in items):
            return items
        return _NOPE
    if _DATE_RE.match(value):
        return value  # dates stay strings, as with the YAML loader
    if _INT_RE.match(value):
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    if value.lower() in _SPECIAL_WORDS or not _PLAIN_RE.match(value) or " #" in value or ": " in value:
        return _NOPE
    return value


def simple_yaml(raw: str) -> dict[str, Any] | None:
    """Front matter of plain `key: value` lines without YAML's help, or None to ask YAML.

    Most pages hold only quoted titles, dates, numbers and `[word, word]` lists; reading
    those directly is several times faster than PyYAML. Anything else (nesting, block
    lists, escapes, comments, YAML's special words) returns None and YAML decides, so
    the result is always what YAML would say (a property test holds it to that).
    """
    meta: dict[str, Any] = {}
    for line in raw.split("\n"):
        if not line.strip():
            continue
        m = _SIMPLE_LINE_RE.match(line)
        if not m or m.group(1) in meta or m.group(1).lower() in _SPECIAL_WORDS:
            return None
        value = _simple_scalar(m.group(2))
        if value is _NOPE:
            return None
        meta[m.group(1)] = value
    return meta


def _iter_keys(raw: str) -> Iterator[tuple[int, str]]:
    for m in _KEY_LINE_RE.finditer(raw):
        yield raw.count("\n", 0, m.start()), m.group(1)


def replace_keys(text: str, updates: dict[str, str]) -> str:
    """Set front matter keys (already YAML-formatted values) without touching the rest.

    Existing keys are rewritten on their own line; new keys are appended before the
    closing ``---``. Used by `campaign approve`.
    """
    if not text.startswith("---"):
        raise FrontMatterError(1, "no front matter to update", "add a front matter block first")
    first_nl = text.find("\n")
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(text, first_nl + 1)
    if not m:
        raise FrontMatterError(1, "the front matter is not closed", "add the closing `---` line")
    raw = text[first_nl + 1 : m.start()]
    lines = raw.splitlines(keepends=True)
    pending = dict(updates)
    for i, line in enumerate(lines):
        km = _KEY_LINE_RE.match(line)
        if km and km.group(1) in pending:
            nl = "\n" if line.endswith("\n") else ""
            lines[i] = f"{km.group(1)}: {pending.pop(km.group(1))}{nl}"
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines += [f"{k}: {v}\n" for k, v in pending.items()]
    return text[: first_nl + 1] + "".join(lines) + text[m.start():]
