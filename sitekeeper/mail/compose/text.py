"""The plain-text part: Markdown tokens -> readable text wrapped at 76 columns, links as
numbered footnotes listed at the end, headings underlined, lists and quotes indented."""
from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from typing import Any

from ...render.typography import nbsp_text

_TAG_RE = re.compile(r"<[^>]+>")


class TextWriter:
    """Markdown tokens -> readable plain text; links become [n] with a list at the end."""

    WIDTH = 76

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.urls: list[str] = []
        self.prefixes: list[list] = []  # [first, continuation, used]
        self.lists: list[list] = []  # [ordered, counter]
        self._heading: str | None = None
        self._row: list[str] | None = None

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1

    def inline(self, children: list) -> str:
        out: list[str] = []
        stack: list[tuple[str, int]] = []
        for ch in children:
            t = ch.type
            if t == "text" or t == "code_inline":
                out.append(ch.content)
            elif t == "softbreak":
                out.append(" ")
            elif t == "hardbreak":
                out.append("\n")
            elif t == "link_open":
                stack.append((ch.attrGet("href") or "", len(out)))
            elif t == "link_close" and stack:
                href, start = stack.pop()
                self._link_close(out, href, "".join(out[start:]).strip())
            elif t == "image":
                alt = ch.content or ch.attrGet("alt") or ""
                if alt:
                    out.append(f"[{alt}]")
            elif t == "html_inline" and re.match(r"<br\b", ch.content, re.I):
                out.append("\n")
            elif t == "footnote_ref":
                out.append(f"[^{ch.meta.get('label', ch.meta.get('id', ''))}]")
        return "".join(out)

    def _link_close(self, out: list[str], href: str, label: str) -> None:
        if href.startswith("mailto:"):
            if label != href[7:].split("?")[0]:
                out.append(f" <{href[7:].split('?')[0]}>")
        elif href and label != href:
            out.append(f" [{self.number(href)}]")

    def _blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    lang = ""
    """The email's language: its typography keeps "20 %" on one line before wrapping."""

    def emit(self, text: str, tight: bool = False, wrap: bool = True) -> None:
        if self.lang and wrap:
            text = nbsp_text(text, self.lang)
        if not tight:
            self._blank()
        for _n, hard in enumerate(text.split("\n")):
            first = "".join(p[1] if p[2] else p[0] for p in self.prefixes)
            for p in self.prefixes:
                p[2] = True
            cont = "".join(p[1] for p in self.prefixes)
            if wrap and hard.strip():
                wrapped = textwrap.wrap(hard, width=max(20, self.WIDTH - len(cont)), break_long_words=False,
                                        break_on_hyphens=False) or [""]
            else:
                wrapped = [hard]
            for k, piece in enumerate(wrapped):
                self.lines.append(((first if k == 0 else cont) + piece).rstrip())

    def write(self, tokens: list) -> None:
        """Write the body's tokens: each token type has its step (a dispatch table)."""
        self._heading = None
        self._row = None
        for tok in tokens:
            step = _STEPS.get(tok.type)
            if step is not None:
                step(self, tok)

    _tight = False

    # --- the steps, one per token type

    def _heading_open(self, tok: Any) -> None:
        self._heading = tok.tag

    def _heading_close(self, tok: Any) -> None:
        self._heading = None

    def _inline_token(self, tok: Any) -> None:
        text = self.inline(tok.children or [])
        if self._heading:
            self.emit(text, wrap=False)
            if self._heading in ("h1", "h2"):
                self.lines.append(("=" if self._heading == "h1" else "-") * min(len(text), self.WIDTH))
        elif self._row is not None:
            self._row.append(" ".join(text.split()))
        else:
            in_tight_item = bool(self.lists) and tok.map is not None and self._tight
            self.emit(text, tight=in_tight_item)

    def _paragraph_open(self, tok: Any) -> None:
        self._tight = tok.hidden

    def _list_open(self, tok: Any) -> None:
        if not self.lists:
            self._blank()
        ordered = tok.type == "ordered_list_open"
        start = int(tok.attrGet("start") or 1) if ordered else 1
        self.lists.append([ordered, start - 1])

    def _list_close(self, tok: Any) -> None:
        self.lists.pop()

    def _item_open(self, tok: Any) -> None:
        lst = self.lists[-1]
        lst[1] += 1
        marker = f"{lst[1]}. " if lst[0] else "- "
        self.prefixes.append([marker, " " * len(marker), False])

    def _prefix_close(self, tok: Any) -> None:
        self.prefixes.pop()

    def _quote_open(self, tok: Any) -> None:
        self.prefixes.append(["> ", "> ", False])

    def _code(self, tok: Any) -> None:
        self.emit("\n".join("    " + ln for ln in tok.content.rstrip("\n").split("\n")), wrap=False)

    def _rule(self, tok: Any) -> None:
        self.emit("-" * 24, wrap=False)

    def _html_block(self, tok: Any) -> None:
        text = _TAG_RE.sub("", tok.content).strip()
        if text:
            self.emit(" ".join(text.split()))

    def _row_open(self, tok: Any) -> None:
        self._row = []

    def _row_close(self, tok: Any) -> None:
        if self._row is not None:
            self.emit(" | ".join(self._row), tight=True, wrap=False)
            self._row = None

    def _table_open(self, tok: Any) -> None:
        self._blank()

    def _footnote_open(self, tok: Any) -> None:
        self.prefixes.append([f"[^{tok.meta.get('label', tok.meta.get('id', ''))}] ", "    ", False])


_STEPS: dict[str, Callable[[TextWriter, Any], None]] = {
    "heading_open": TextWriter._heading_open, "heading_close": TextWriter._heading_close,
    "inline": TextWriter._inline_token, "paragraph_open": TextWriter._paragraph_open,
    "bullet_list_open": TextWriter._list_open, "ordered_list_open": TextWriter._list_open,
    "bullet_list_close": TextWriter._list_close, "ordered_list_close": TextWriter._list_close,
    "list_item_open": TextWriter._item_open, "list_item_close": TextWriter._prefix_close,
    "blockquote_open": TextWriter._quote_open, "blockquote_close": TextWriter._prefix_close,
    "fence": TextWriter._code, "code_block": TextWriter._code, "hr": TextWriter._rule,
    "html_block": TextWriter._html_block, "tr_open": TextWriter._row_open, "tr_close": TextWriter._row_close,
    "table_open": TextWriter._table_open, "footnote_block_open": TextWriter._rule,
    "footnote_open": TextWriter._footnote_open, "footnote_close": TextWriter._prefix_close,
}


def text_part(cfg: Any, writer: TextWriter, t: dict[str, str], unsubscribe: str, context: dict) -> str:
    """The whole text part: the site's name, the banner and title, the body, the offer's link,
    the numbered links, and the footer with the unsubscribe link."""
    head = [context["site_name"]]
    if context["banner"]:
        head += ["", context["banner"]]
    title = context["title"]
    head += ["", title, "=" * min(len(title), TextWriter.WIDTH)]
    if context["valid_until"]:
        head += [context["valid_until"]]
    body = "\n".join(writer.lines).strip("\n")
    out = "\n".join(head) + "\n\n" + body + "\n"
    if context["blocks"] and context["blocks"][-1]["kind"] == "button" and context["blocks"][-1]["label"] == t["see_offer"]:
        out += f"\n{t['see_offer']}: {context['blocks'][-1]['href']}\n"
    if writer.urls:
        out += f"\n{t['links']}:\n" + "\n".join(f"[{n}] {u}" for n, u in enumerate(writer.urls, 1)) + "\n"
    footer = ["", "-- ", context["site_name"], context["postal_address"], cfg.base_url + "/", "",
              *textwrap.wrap(context["reason"], TextWriter.WIDTH), f"{t['unsubscribe_text']}: {unsubscribe}"]
    return out + "\n".join(footer) + "\n"
