"""``::: reviews``: what customers say, each with its stars, name and where it was said.

    ::: reviews
    stars: 5
    name: Jana K.
    source: Google, March 2026
    The best rye bread in town, and always a friendly word.
    :::

The stars are shown as text (★★★★☆) beside their number (4/5), which is what a screen
reader says; the glyphs are hidden from it.
"""
from __future__ import annotations

from markdown_it.token import Token

from .common import Block, esc, html_token, markdown_tokens, md_escape, records

KEYS = frozenset({"name", "stars", "source"})


def stars_of(block: Block, value: str, line: int) -> int | None:
    if not value:
        return None
    try:
        n = int(value)
    except ValueError:
        n = -1
    if not 1 <= n <= 5:
        block.error(line, f"`stars: {value}` is not a whole number from 1 to 5", "write e.g. `stars: 5`")
        return None
    return n


def build(block: Block) -> list[Token]:
    found = records(block, KEYS)
    if not found:
        block.error(block.line, "the reviews block is empty", "add each review: its text, `name:` and `stars:`")
    out: list[Token] = [] if block.email else [html_token('<div class="block-reviews">\n')]
    for review in found:
        text = review.body
        if not text:
            block.error(review.line, "a review without its text", "write what the customer said below its fields")
            continue
        stars = stars_of(block, review.get("stars"), review.line_of("stars"))
        who = ", ".join(x for x in (review.get("name"), review.get("source")) if x)
        shown = "★" * stars + "☆" * (5 - stars) if stars else ""
        if block.email:
            tail = " ".join(x for x in (f"{shown} {stars}/5" if stars else "", f"– {md_escape(who)}" if who else "")
                            if x)
            md = f"> {text}" + (f"\\\n> {tail}" if tail else "")
            out += markdown_tokens(block, md, review.line)
            continue
        out += [html_token('<figure class="review"><blockquote><p>'), block.inline(text, review.text[0][0]),
                html_token("</p></blockquote>")]
        caption = ""
        if stars:
            caption += (f'<span class="review-stars"><span aria-hidden="true">{shown}</span> '
                        f'<span class="review-score">{stars}/5</span></span>')
        if who:
            caption += f'<span class="review-name">{esc(who)}</span>'
        if caption:
            out.append(html_token(f"<figcaption>{caption}</figcaption>"))
        out.append(html_token("</figure>\n"))
    if not block.email:
        out.append(html_token("</div>\n"))
    return out
