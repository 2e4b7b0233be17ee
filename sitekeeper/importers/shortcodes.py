"""Shortcodes and Liquid tags of Hugo and Jekyll turned into Markdown or HTML.

Each converter returns the new text and records what it did; what it does not know
stays as written (the report and `check` list it by file and line).
"""
from __future__ import annotations

import re
import shlex

from .common import figure, vimeo, youtube

# {{< name args >}} or {{% name args %}}, and the closing {{< /name >}}
HUGO_RE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)(.*?)\s*[>%]\}\}", re.S)
NOTICES = {"notice", "hint", "tip", "warning", "note", "info", "alert", "callout", "admonition", "caution", "danger"}
FILE_LINK = "SKFILELINK"


def args_of(text: str) -> tuple[list[str], dict[str, str]]:
    """Positional and named arguments of a shortcode or Liquid tag."""
    try:
        parts = shlex.split(text.strip().rstrip("/"), posix=True)
    except ValueError:
        parts = text.split()
    pos, named = [], {}
    for part in parts:
        m = re.match(r"^([\w-]+)=(.*)$", part, re.S)
        if m:
            named[m.group(1)] = m.group(2)
        else:
            pos.append(part)
    return pos, named


def hugo(body: str, embeds: set, params: dict) -> str:
    """Hugo's built-in and most common theme shortcodes, in Markdown or HTML."""
    # paired shortcodes first, innermost out
    paired = re.compile(r"\{\{([<%])\s*(" + "|".join(sorted(NOTICES | {"details", "highlight", "expand"}))
                        + r")\b(.*?)\s*[>%]\}\}(.*?)\{\{[<%]\s*/\s*\2\s*[>%]\}\}", re.S)

    def pair(m):
        name, args, inner = m.group(2), m.group(3), m.group(4).strip("\n")
        pos, named = args_of(args)
        if name == "highlight":
            lang = pos[0] if pos else ""
            return f"```{lang}\n{inner}\n```"
        if name in ("details", "expand"):
            summary = named.get("summary") or named.get("title") or (pos[0] if pos else "Details")
            return f"<details>\n<summary>{summary}</summary>\n\n{inner.strip()}\n\n</details>"
        kind = named.get("type") or named.get("style") or (pos[0] if pos else "") or name
        title = named.get("title", "")
        head = f"\n<p><strong>{title}</strong></p>\n" if title else ""
        return f'<div class="notice notice-{re.sub(r"[^a-z-]", "", kind.lower()) or "info"}">\n{head}\n{inner.strip()}\n\n</div>'

    for _ in range(3):
        new = paired.sub(pair, body)
        if new == body:
            break
        body = new

    def single(m):
        if m.group(2):
            return m.group(0)
        name, args = m.group(3), m.group(4)
        pos, named = args_of(args)
        if name == "figure":
            return figure(named.get("src", ""), named.get("caption") or named.get("title", ""),
                          named.get("alt", ""), named.get("link", "")).strip("\n")
        if name == "youtube":
            code, host = youtube(named.get("id") or (pos[0] if pos else ""))
            embeds.add(host)
            return code
        if name == "vimeo":
            code, host = vimeo(named.get("id") or (pos[0] if pos else ""))
            embeds.add(host)
            return code
        if name in ("ref", "relref"):
            target = named.get("path") or (pos[0] if pos else "")
            return f"{FILE_LINK}({target})"
        if name == "param":
            key = named.get("name") or (pos[0] if pos else "")
            value = params.get(key) if isinstance(params, dict) else None
            return str(value) if isinstance(value, (str, int, float)) else m.group(0)
        return m.group(0)

    return HUGO_RE.sub(single, body)


LIQUID_RE = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.S)


def liquid(body: str, includes: dict[str, str], page: dict, site: dict, embeds: set) -> str:
    """Jekyll's common tags: raw, highlight, include (of plain files), link, post_url,
    and the `{{ site.baseurl }}`-style variables that only prefix URLs."""
    body = re.sub(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", lambda m: m.group(1), body, flags=re.S)
    body = re.sub(r"\{%-?\s*highlight\s+(\w+)[^%]*%\}\n?(.*?)\{%-?\s*endhighlight\s*-?%\}",
                  lambda m: f"```{m.group(1)}\n{m.group(2).strip(chr(10))}\n```", body, flags=re.S)
    body = re.sub(r"\{\{-?\s*(?:site\.baseurl|site\.base_url|site\.url\s*\|\s*append:\s*site\.baseurl)\s*-?\}\}", "", body)
    body = re.sub(r"\{\{-?\s*site\.url\s*-?\}\}", site.get("url", ""), body)

    def var(m):
        expr = m.group(1).strip()
        if "|" in expr:
            return m.group(0)
        scope, _, key = expr.partition(".")
        source = page if scope == "page" else site if scope == "site" else None
        value = source.get(key) if source is not None and key and "." not in key else None
        return str(value) if isinstance(value, (str, int, float)) else m.group(0)

    body = re.sub(r"\{\{-?(.*?)-?\}\}", var, body)

    def tag(m):
        name, args = m.group(1), m.group(2)
        if name == "include":
            pos, named = args_of(args)
            text = includes.get(pos[0]) if pos else None
            if text is not None and not named and "{%" not in text and "{{" not in text:
                return text.strip("\n")
            return m.group(0)
        if name == "link":
            return f"{FILE_LINK}(/{args.strip()})"
        if name == "post_url":
            return f"{FILE_LINK}(post:{args.strip()})"
        if name in ("youtube", "vimeo"):
            pos, _ = args_of(args)
            code, host = (youtube if name == "youtube" else vimeo)(pos[0] if pos else "")
            embeds.add(host)
            return code
        return m.group(0)

    return LIQUID_RE.sub(tag, body)


def resolve_file_links(body: str, lookup) -> tuple[str, list[str]]:
    """FILE_LINK(target) -> the new content file ('/about.md#team'), by ``lookup(target)``;
    the targets not found are left as they were written and returned."""
    missing = []

    def sub(m):
        target = m.group(1)
        path, _, anchor = target.partition("#")
        found = lookup(path)
        if found is None:
            missing.append(target)
            return target
        return "/" + found + (f"#{anchor}" if anchor else "")

    return re.sub(FILE_LINK + r"\(([^)]*)\)", sub, body), missing
