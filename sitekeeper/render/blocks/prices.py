"""``::: prices Caption``: a Markdown table shown as a price list, with the caption as its title.

    ::: prices Haircuts
    | Service        | Price |
    |----------------|------:|
    | Cut and finish | 32 €  |
    :::

A page that is only a price list takes its meta description from the caption (or its title).
"""
from __future__ import annotations

from markdown_it.token import Token

from .common import Block, esc, html_token, markdown_tokens, md_escape


def build(block: Block) -> list[Token]:
    tokens = block.inner
    tables = [i for i, t in enumerate(tokens) if t.type == "table_open"]
    if not tables:
        block.error(block.line, "the price list holds no table",
                    "write the prices as a Markdown table: | Service | Price | with a |---|---:| line below it")
        return tokens
    caption = block.arg.strip()
    if block.email:
        head = markdown_tokens(block, f"**{md_escape(caption)}**", block.line) if caption else []
        return head + tokens
    first = tables[0]
    out = [html_token('<div class="block-prices">\n'), *tokens[:first + 1]]
    if caption:
        out.append(html_token(f"<caption>{esc(caption)}</caption>\n"))
    return out + tokens[first + 1:] + [html_token("</div>\n")]
