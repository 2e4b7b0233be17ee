"""``::: faq``: questions and answers, each question a heading, its answer the Markdown below it.

    ::: faq
    ### Do you deliver?
    Yes, within the town, from 20 €.

    ### Can I order a cake?
    Three days ahead, by [phone](/kontakt/).
    :::

On the site each question is a ``<details>`` the visitor opens (no script); in an email the
questions and answers are shown as they are.
"""
from __future__ import annotations

from markdown_it.token import Token

from .common import Block, html_token

FIX = "write each question as a heading (### Question?) with its answer below it"


def build(block: Block) -> list[Token]:
    tokens = block.inner
    base = min((t.level for t in tokens), default=0)
    questions = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == base]
    if not questions:
        block.error(block.line, "the FAQ block has no question", FIX)
        return []
    if questions[0] != 0:
        first = next((t.map[0] for t in tokens if t.map), block.line)
        block.error(first, "text before the first question of the FAQ block", FIX)
    ends = questions[1:] + [len(tokens)]
    for start, end in zip(questions, ends):
        if end - start <= 3:
            where = tokens[start].map
            block.error(where[0] if where else block.line,
                        "a question of the FAQ block has no answer", "write its answer below the question")
    if block.email:
        return tokens
    out: list[Token] = [html_token('<div class="block-faq">\n')]
    for start, end in zip(questions, ends):
        out += [html_token("<details>\n<summary>"), tokens[start + 1], html_token("</summary>\n"
                                                                                    '<div class="faq-answer">\n')]
        out += tokens[start + 3:end]
        out.append(html_token("</div>\n</details>\n"))
    out.append(html_token("</div>\n"))
    return out
