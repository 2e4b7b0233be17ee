"""Shortcodes and template tags other generators leave in a body (Hugo ``{{< >}}``/``{{% %}}``,
Jekyll/Liquid ``{% %}``, WordPress ``[gallery]``): they would show as literal text."""
from __future__ import annotations

import re

# Cheap first pass over the whole body; the line scan below runs only when this finds something.
_ANY_RE = re.compile(
    r"\{\{[<%]|\{%|\[/?(?:gallery|caption|embed|video|audio|playlist|contact-form|contact-field|wpvideo|jetpack|"
    r"tiled-gallery|slideshow|googlemaps|vc_|et_pb_|fusion_|wpforms|su_)"
    r"|\[[a-z][\w-]*(?:\s+[a-z_-]+=(?:\"[^\"\]]*\"|'[^'\]]*'|[^\s\]]+))+\s*/?\]|\[/[a-z][\w-]*\]"
)
_CODES = (
    ("Hugo shortcode", re.compile(r"\{\{[<%].*?[>%]\}\}")),
    ("Liquid tag (Jekyll)", re.compile(r"\{%.*?%\}")),
    ("WordPress shortcode", re.compile(
        r"\[/?(?:gallery|caption|embed|video|audio|playlist|contact-form(?:-7)?|contact-field|wpvideo|jetpack\w*"
        r"|tiled-gallery|slideshow|googlemaps|vc_\w+|et_pb_\w+|fusion_\w+|wpforms|su_\w+)\b[^\]]*\]"
        r"|\[[a-z][\w-]*(?:\s+[a-z_-]+=(?:\"[^\"\]]*\"|'[^'\]]*'|[^\s\]]+))+\s*/\]"  # self-closing, even before `[`
        r"|\[[a-z][\w-]*(?:\s+[a-z_-]+=(?:\"[^\"\]]*\"|'[^'\]]*'|[^\s\]]+))+\s*\](?![(\[:])"
        r"|\[/[a-z][\w-]*\](?![(\[:])")),  # a closing tag of a paired shortcode
)
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE_RE = re.compile(r"(`+).+?\1")

FIX = ("replace it with Markdown (an image, a link, a table, a block such as `::: gallery /images/…/` or "
       "`::: map`: docs/blocks.md) or raw HTML; it is shown to visitors as written")


def find_leftovers(body: str, first_line: int = 1) -> list[tuple[int, str, str]]:
    """(line, kind, text) of each leftover code outside code blocks and inline code."""
    if not _ANY_RE.search(body):
        return []
    found = []
    fence = ""
    for offset, line in enumerate(body.split("\n")):
        m = _FENCE_RE.match(line)
        if m:
            mark = m.group(1)
            if not fence:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence):
                fence = ""
            continue
        if fence or line.startswith(("    ", "\t")):
            continue
        text = _INLINE_CODE_RE.sub("", line)
        hits = []
        for kind, rx in _CODES:
            hits += [(m.start(), kind, m.group(0)[:60]) for m in rx.finditer(text)]
            text = rx.sub(lambda m: " " * len(m.group(0)), text)  # one code, one report
        found += [(first_line + offset, kind, code) for _, kind, code in sorted(hits)]
    return found
