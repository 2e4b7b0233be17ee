"""Markdown tokens -> the email's blocks: the first link standing alone in a paragraph
becomes the call-to-action button, a picture alone becomes an image block, the rest runs
together as HTML; and the inbox preview for an email written without a preheader."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_PLAIN_INLINE = ("text", "strong_open", "strong_close", "em_open", "em_close", "code_inline")


def inline_plain(children: list) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline"))


def meaningful(children: list) -> list:
    return [c for c in children if not (c.type == "softbreak" or (c.type == "text" and not c.content.strip()))]


def top_blocks(tokens: list) -> Iterator[list]:
    """Split a token stream into its top-level blocks."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.nesting == 1:
            depth, j = 0, i
            while j < len(tokens):
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
            yield tokens[i : j + 1]
            i = j + 1
        else:
            yield [tok]
            i += 1


def first_sentence(tokens: list, limit: int = 150) -> str:
    """The first sentence of the body's first paragraph, as plain text (cut at a word near
    ``limit``): the inbox preview of an email written without a preheader."""
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and i + 1 < len(tokens) and tokens[i + 1].type == "inline":
            plain = " ".join(inline_plain(tokens[i + 1].children or []).split())
            if not plain:
                continue
            # A sentence ends after a letter (not "6." of a date), and not within its first 30
            # characters (not "Dr." of a name).
            match = re.match(r"(.{30,}?[^\d\s][.!?…])(\s|$)", plain)
            sentence = match.group(1) if match else plain
            if len(sentence) > limit:
                sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
            return sentence
    return ""


def _button(kids: list) -> dict | None:
    """A paragraph that is one link (its text plain or emphasised): the call to action."""
    if (len(kids) >= 3 and kids[0].type == "link_open" and kids[-1].type == "link_close"
            and all(k.type in _PLAIN_INLINE for k in kids[1:-1])):
        return {"kind": "button", "href": kids[0].attrGet("href"), "label": inline_plain(kids[1:-1]).strip()}
    return None


def _image(kids: list) -> dict | None:
    """A paragraph that is one picture, linked or not."""
    img = kids[1] if len(kids) == 3 and kids[0].type == "link_open" else (kids[0] if len(kids) == 1 else None)
    if img is not None and img.type == "image" and (len(kids) == 1 or kids[2].type == "link_close"):
        return {"kind": "image", "src": img.attrGet("src"), "alt": img.content or "",
                "href": kids[0].attrGet("href") if len(kids) == 3 else None}
    return None


def body_blocks(tokens: list, md: Any, env: dict) -> tuple[list[dict], bool]:
    """The blocks of the body, and whether one of them is the call-to-action button."""
    blocks: list[dict] = []
    cta_done = False
    for block in top_blocks(tokens):
        if block[0].type == "paragraph_open" and len(block) == 3:
            kids = meaningful(block[1].children or [])
            button = None if cta_done else _button(kids)
            if button is not None:
                blocks.append(button)
                cta_done = True
                continue
            image = _image(kids)
            if image is not None:
                blocks.append(image)
                continue
        html = md.renderer.render(block, md.options, env)
        if blocks and blocks[-1]["kind"] == "text":
            blocks[-1]["html"] += html
        else:
            blocks.append({"kind": "text", "html": html})
    return blocks, cta_done
