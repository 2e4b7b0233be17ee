"""Rendered page bodies shaped for the theme: the call to action of a promotion as a
button, its first picture lifted into the landing's hero, a summary for link previews.
Pure functions over HTML strings from render/markdown.py."""
from __future__ import annotations

import html as _html
import re

_IMG_PARA_RE = re.compile(r"<p>\s*(<img\b[^>]*>)\s*</p>\s*", re.I)
_IMG_SRC_RE = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", re.I)
_LINK_PARA_RE = re.compile(r"<p>\s*<a\b([^>]*)>([^<]+(?:<(?:strong|em)>[^<]*</(?:strong|em)>[^<]*)*)</a>\s*</p>", re.I)
_FIRST_P_RE = re.compile(r"<p>(.*?)</p>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")


def lift_image(body: str) -> tuple[str, str]:
    """(the first paragraph that is only an image, the body without it): the landing shows it large."""
    m = _IMG_PARA_RE.search(body)
    if not m:
        return "", body
    img = m.group(1)
    # The hero picture is the first thing on screen: load it at once.
    img = re.sub(r'\sloading="lazy"', "", img)
    img = img.replace("<img ", '<img fetchpriority="high" ', 1)
    return img, body[: m.start()] + body[m.end():]


def first_image(body: str) -> str | None:
    m = _IMG_SRC_RE.search(body)
    return _html.unescape(m.group(1)) if m else None


def button_cta(body: str) -> tuple[str, bool]:
    """The first paragraph that is a single link becomes a button (as in the email)."""
    m = _LINK_PARA_RE.search(body)
    if not m:
        return body, False
    attrs = m.group(1)
    if 'class="' in attrs:
        if "button" not in attrs:
            attrs = attrs.replace('class="', 'class="button ', 1)
    else:
        attrs += ' class="button"'
    new = f'<p class="cta"><a{attrs}>{m.group(2)}</a></p>'
    return body[: m.start()] + new + body[m.end():], True


_BUTTON_RE = re.compile(r'<p class="cta"><a\b([^>]*)>(.*?)</a></p>', re.S)


def first_button(body: str) -> dict | None:
    """The first button of a body from ``button_cta`` as {"href", "label"} (label as HTML)."""
    m = _BUTTON_RE.search(body)
    if not m:
        return None
    href = re.search(r'\bhref="([^"]*)"', m.group(1))
    return {"href": _html.unescape(href.group(1)), "label": m.group(2)} if href else None


def drop_near_button(body: str, near: int = 400) -> str:
    """The body without its first button when so little text comes before it that the button at
    the top is still in view: the same button twice, a few lines apart, says it twice."""
    m = _BUTTON_RE.search(body)
    if not m or len(" ".join(_TAG_RE.sub(" ", body[:m.start()]).split())) >= near:
        return body
    return body[:m.start()] + body[m.end():]


def summary(body: str, limit: int = 160) -> str:
    """The first paragraph as plain text, cut at a word near ``limit`` characters."""
    for m in _FIRST_P_RE.finditer(body):
        text = " ".join(_html.unescape(_TAG_RE.sub("", m.group(1))).split())
        if len(text) < 20:
            continue
        if len(text) <= limit:
            return text
        cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:–-")
        return cut + "…"
    return ""


_PRICES_RE = re.compile(r'<div class="block-prices">\s*<div class="table-wrap"><table>\s*(?:<caption>(.*?)</caption>)?',
                        re.S)


def price_caption(body: str, title: str) -> str:
    """For a page without a paragraph to sum it up that holds a price list (``::: prices``):
    the list's caption, or else the page's title."""
    m = _PRICES_RE.search(body)
    if not m:
        return ""
    caption = " ".join(_html.unescape(m.group(1) or "").split())
    return caption if caption else title


def offer_line(banner: str, title: str) -> str:
    """The banner's text as the landing's line under its title, without what the title already
    says: "Adventsaktion: 10 % auf alle Stollen" under "Adventsaktion 2026" reads
    "10 % auf alle Stollen". '' when nothing is left."""
    banner, title = banner.strip(), title.strip()
    if not banner or banner.casefold() == title.casefold():
        return ""
    head, sep, rest = banner.partition(":")
    if sep and rest.strip():
        words, lead = title.casefold().split(), head.strip().casefold().split()
        if lead and words[:len(lead)] == lead:
            rest = rest.strip()
            return rest[:1].upper() + rest[1:]
    return banner
