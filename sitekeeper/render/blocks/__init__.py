"""Blocks: the parts of a small business's pages written in Markdown without HTML.

One syntax for all, a fenced container (markdown-it's ``:::``)::

    ::: NAME [argument]
    body
    :::

``gallery`` (gallery.py), ``team`` (team.py), ``reviews`` (reviews.py), ``prices``
(prices.py), ``faq`` (faq.py) and ``map`` (osm.py); docs/blocks.md shows each. ``plugin``
adds them to the Markdown parser: a core rule replaces each container's tokens with the
block's own (generated HTML around the author's inline Markdown, so links in a block are
checked like any). Bad input is a problem (line within the body, message, fix) in
``env["block_problems"]``. With ``env["email"]`` set, each block becomes plain Markdown
tokens an email can show (a gallery is refused there). Two blocks need what only the build
knows (the folder's pictures, the page's language): they leave an ``<sk-gallery>`` /
``<sk-map>`` element that ``finish`` completes when the page is rendered.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from markdown_it.token import Token

from . import faq, gallery, osm, prices, reviews, team
from .common import Block

BUILDERS: dict[str, Callable[[Block], list[Token]]] = {
    "gallery": gallery.build, "team": team.build, "reviews": reviews.build, "prices": prices.build,
    "faq": faq.build, "map": osm.build,
}
_OPEN, _CLOSE = "container_block_open", "container_block_close"


def plugin(md) -> None:
    """Adds the blocks to a markdown-it parser."""
    from mdit_py_plugins.container import container_plugin

    container_plugin(md, "block", validate=lambda params, markup: True)
    md.core.ruler.after("inline", "blocks", _rule)
    md.add_render_rule("block_html", lambda self, tokens, idx, options, env: tokens[idx].content)


def _rule(state) -> None:
    if not any(t.type == _OPEN for t in state.tokens):
        return
    lines = state.src.split("\n")
    state.tokens = _replace(state.tokens, lines, state.md, state.env)


def _replace(tokens: list[Token], lines: list[str], md, env: dict) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type != _OPEN:
            out.append(tok)
            i += 1
            continue
        depth, j = 1, i + 1
        while j < len(tokens) and depth:
            depth += {_OPEN: 1, _CLOSE: -1}.get(tokens[j].type, 0)
            j += 1
        out += _one(tok, tokens[i + 1:j - 1], lines, md, env)
        i = j
    return out


def _one(tok: Token, inner: list[Token], lines: list[str], md, env: dict) -> list[Token]:
    start, end = tok.map or (0, 0)
    name, _, arg = tok.info.strip().partition(" ")
    problems = env.setdefault("block_problems", [])
    # The container's map ends at its closing line; one left open runs to the end of the text.
    closed = end < len(lines) and lines[end].strip().startswith(":::")
    if not closed:
        problems.append((start, f"the block `::: {tok.info.strip()}` is not closed",
                         "end it with a line of `:::`"))
    builder = BUILDERS.get(name)
    if builder is None:
        known = ", ".join(sorted(BUILDERS))
        problems.append((start, f"unknown block `::: {name}`" if name else "a `:::` line without a block name",
                         f"use one of: {known} (see docs/blocks.md); to show the line as text, write it "
                         "as \\:::"))
        return []
    body = [(n, lines[n]) for n in range(start + 1, min(end, len(lines)))]
    if any(t.type == _OPEN for t in inner):
        nested = next(t for t in inner if t.type == _OPEN)
        problems.append(((nested.map or (start,))[0], "a block inside a block",
                         f"close the {name} block (a line of `:::`) before the next one begins"))
        return []
    block = Block(name, arg.strip(), start, body, inner, md, env)
    made = builder(block)
    problems.extend(block.problems)
    return made


def problems(env: dict) -> list[tuple[int, str, str]]:
    """(line within the body, 0-based; message; fix) of the blocks' bad input."""
    return list(env.get("block_problems", ()))


_PENDING_RE = re.compile(r"<sk-(gallery|map)\b([^>]*)></sk-\1>\n?")
_ATTR_RE = re.compile(r'\sdata-([a-z]+)="([^"]*)"')


def finish(body_html: str, images: dict, t: Callable[[str], str], lang: str) -> str:
    """A page's body with its galleries and maps completed: ``images`` is the build's map of
    static pictures (URL -> width, height, variants), ``t`` the page's words."""
    if "<sk-" not in body_html:
        return body_html

    def one(m: re.Match) -> str:
        attrs = {k: html.unescape(v) for k, v in _ATTR_RE.findall(m.group(2))}
        if m.group(1) == "gallery":
            return gallery.finish(attrs.get("folder", "/"), attrs.get("n", "1"),
                                  json.loads(attrs.get("captions") or "{}"), images, t) + "\n"
        return osm.finish(attrs.get("address", ""), attrs.get("embed", ""), attrs.get("page", ""),
                          t("show_map"), lang) + "\n"

    return _PENDING_RE.sub(one, body_html)
