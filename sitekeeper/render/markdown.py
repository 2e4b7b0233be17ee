"""Markdown -> HTML with markdown-it-py and mdit-py-plugins.

CommonMark plus tables, strikethrough, footnotes, heading anchors, attributes
(``{.class}``), task lists and the blocks of render/blocks/ (``::: gallery`` …). ``render_markdown`` returns the HTML and every link and
image target with its line in the body, so the checker can point at the exact line
of a broken link. Raw HTML in Markdown is allowed within the site's `[content]` policy:
every raw fragment is returned with its line for render/htmlpolicy.py to check.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Rendered:
    html: str
    """The HTML body."""
    links: tuple[tuple[str, int, str], ...]
    """(target, line within the body (0-based), kind 'link'|'image')."""
    first_image: str | None = None
    """First image source, for social previews."""
    raw_html: tuple[tuple[int, str], ...] = ()
    """(line within the body (0-based), fragment) of every raw HTML block and inline tag."""
    headings: tuple[tuple[int, int], ...] = ()
    """(line within the body (0-based), level) of every Markdown heading, in order."""
    problems: tuple[tuple[int, str, str], ...] = ()
    """(line within the body (0-based), message, fix) of bad input in the blocks."""


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return re.sub(r"[\s]+", "-", text)


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    from .blocks import plugin as blocks_plugin

    _silence_rule_logging()
    md = (
        MarkdownIt("commonmark", {"html": True, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify, permalinkSymbol="#")
        .use(attrs_plugin)
        .use(attrs_block_plugin)
        .use(tasklists_plugin)
        .use(blocks_plugin)
    )
    default_image = md.renderer.rules.get("image")

    def image(self, tokens, idx, options, env):
        # Lazy-load images and keep layout stable: pages stay fast on phones.
        token = tokens[idx]
        if token.attrGet("loading") is None:
            token.attrSet("loading", "lazy")
        if token.attrGet("decoding") is None:
            token.attrSet("decoding", "async")
        return default_image(tokens, idx, options, env)

    md.add_render_rule("image", image)

    def table_open(self, tokens, idx, options, env):
        return '<div class="table-wrap">' + self.renderToken(tokens, idx, options, env)

    def table_close(self, tokens, idx, options, env):
        return self.renderToken(tokens, idx, options, env) + "</div>"

    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    return md


class _NoLog:
    def debug(self, *args, **kwargs) -> None:
        pass


def _silence_rule_logging() -> None:
    """markdown-it-py's block rules call LOGGER.debug on every attempt (hundreds of
    thousands of calls for a large site, about a tenth of the parse time) even when
    debug logging is off; swap those module loggers for a no-op."""
    import importlib
    import pkgutil

    import markdown_it.rules_block as rules

    for info in pkgutil.iter_modules(rules.__path__):
        module = importlib.import_module(f"{rules.__name__}.{info.name}")
        if hasattr(module, "LOGGER"):
            module.__dict__["LOGGER"] = _NoLog()  # the rule modules log through it


_HTML_LINK_RE = re.compile(r"""<(?:a|img)\b[^>]*?\b(href|src)\s*=\s*["']([^"']+)["']""", re.I)


def _collect_links(tokens, raw: list | None = None) -> list[tuple[str, int, str]]:
    links = []
    for tok in tokens:
        if tok.type == "html_block" and tok.map:
            if raw is not None:
                raw.append((tok.map[0], tok.content))
            for m in _HTML_LINK_RE.finditer(tok.content):
                kind = "image" if m.group(1).lower() == "src" else "link"
                links.append((m.group(2), tok.map[0] + tok.content.count("\n", 0, m.start()), kind))
        if tok.type != "inline" or not tok.children or tok.map is None:
            continue
        line = tok.map[0]
        for child in tok.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                href = child.attrGet("href")
                if href:
                    links.append((str(href), line, "link"))
            elif child.type == "image":
                src = child.attrGet("src")
                if src:
                    links.append((str(src), line, "image"))
            elif child.type == "html_inline":
                if raw is not None:
                    raw.append((line, child.content))
                for m in _HTML_LINK_RE.finditer(child.content):
                    kind = "image" if m.group(1).lower() == "src" else "link"
                    links.append((m.group(2), line, kind))
            elif child.type == "text" and "\n" in child.content:
                line += child.content.count("\n")
    return links


def markdown_parser():
    """The configured markdown-it parser (shared, built once): for callers that walk tokens."""
    return _md()


def render_markdown(body: str) -> Rendered:
    md = _md()
    env: dict = {}
    tokens = md.parse(body, env)
    html = md.renderer.render(tokens, md.options, env)
    raw: list = []
    links = _collect_links(tokens, raw) + env.get("block_links", [])
    first_image = next((t for t, _, k in links if k == "image"), None)
    headings = tuple((t.map[0], int(t.tag[1])) for t in tokens if t.type == "heading_open" and t.map)
    return Rendered(html=html, links=tuple(links), first_image=first_image, raw_html=tuple(raw), headings=headings,
                    problems=tuple(env.get("block_problems", ())))


def outline_problems(headings, first_line: int) -> list[tuple[int, str, str]]:
    """(line, message, fix) for headings that break the page's outline, which screen readers
    navigate by: the page's title is its only h1, and a level is never skipped on the way down."""
    found = []
    previous = 1  # the title
    for line, level in headings:
        if level == 1:
            found.append((first_line + line, "a top-level heading (#) in the body: the page's title is already its "
                          "heading", "start the body's headings at ##"))
        elif level > previous + 1:
            after = "the page's title (level 1)" if previous == 1 else f"level {previous}"
            found.append((first_line + line, f"heading level {level} ({'#' * level}) follows {after}: a level is "
                          "skipped, which screen readers announce as a missing section",
                          f"write it as {'#' * (previous + 1)}"))
        previous = max(level, 1)
    return found
