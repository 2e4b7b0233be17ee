"""``::: gallery /images/salon/``: every picture of a folder of static/, as thumbnails that open large.

    ::: gallery /images/salon/
    front.jpg: The salon from the street
    chairs.jpg: Our three chairs by the window
    :::

The lines inside are optional captions (file name: caption), which are also the pictures' alt
texts; a picture without one is described by its file name (``shop-window.jpg``: "Shop window").
The pictures are shown in the order of their file names; the thumbnails are the WebP variants
the build makes of every static image. A thumbnail is a link to its picture's place on the page:
the picture opens over the page (CSS ``:target``, no script), with links to the previous and
next picture and one back to the gallery — all reachable with the keyboard.
Galleries stay on the site: a promotion's email refuses them.
"""
from __future__ import annotations

import json
import posixpath
import re

from markdown_it.token import Token

from .common import Block, esc, html_token, site_path, site_path_problem

THUMB_SIZES = "(max-width: 30em) 50vw, 16rem"
_CAPTION_RE = re.compile(r"^([^:/\\]+\.[A-Za-z0-9]{2,5})\s*:\s*(.+)$")


def build(block: Block) -> list[Token]:
    if block.email:
        block.error(block.line, "a gallery does not go into an email (its pictures open over the page, which "
                    "an email cannot do)", "put the gallery on a page of the site and link to it from here")
        return []
    folder = block.arg.strip()
    if not folder:
        block.error(block.line, "the gallery has no folder", "name it after the word: ::: gallery /images/salon/")
        return []
    why = site_path_problem(folder)
    if why:
        block.error(block.line, f"the gallery folder `{folder}` {why}",
                    "name a folder under static/ from the site's root: ::: gallery /images/salon/")
        return []
    folder = site_path(folder).rstrip("/") + "/"
    block.link(folder, block.line, "gallery")
    captions: dict[str, str] = {}
    for line, text in block.lines:
        if not text.strip():
            continue
        m = _CAPTION_RE.match(text.strip())
        if not m:
            block.error(line, f"`{text.strip()}` is not a caption of the gallery",
                        "write a caption as `file.jpg: what it shows`, one per line")
            continue
        captions[m.group(1)] = m.group(2).strip()
        block.link(folder + m.group(1), line, "image")
    n = block.env["block_count"] = block.env.get("block_count", 0) + 1
    return [html_token(f'<sk-gallery data-folder="{esc(folder)}" data-n="{n}" '
                       f'data-captions="{esc(json.dumps(captions, ensure_ascii=False))}"></sk-gallery>\n')]


def described(name: str) -> str:
    """A picture's file name as words: ``shop-window_2.jpg`` -> "Shop window 2"."""
    stem = posixpath.splitext(name)[0]
    words = " ".join(re.sub(r"[-_.]+", " ", stem).split())
    return words[:1].upper() + words[1:]


def pictures(folder: str, images: dict) -> list[tuple[str, tuple]]:
    """(URL, (width, height, variants)) of the static pictures right in ``folder``, by name."""
    return sorted((url, info) for url, info in images.items()
                  if url.startswith(folder) and "/" not in url[len(folder):])


def finish(folder: str, n: str, captions: dict[str, str], images: dict, t) -> str:
    """The gallery's HTML: ``images`` as the build planned them, ``t`` the page's words."""
    found = pictures(folder, images)
    if not found:
        return ""  # the checker has refused it already
    gid = f"gallery-{n}"
    thumbs, boxes = [], []
    last = len(found)
    for i, (url, (width, height, _variants)) in enumerate(found, 1):
        name = url[len(folder):]
        caption = captions.get(name, "")
        alt = esc(caption or described(name))
        size = f'width="{width}" height="{height}"'
        thumbs.append(f'<li id="{gid}-t{i}"><a class="gallery-thumb" href="#{gid}-{i}">'
                      f'<img src="{esc(url)}" alt="{alt}" {size} sizes="{THUMB_SIZES}" loading="lazy" '
                      f'decoding="async"></a></li>')
        nav = []
        if i > 1:
            nav.append(f'<a class="lightbox-prev" href="#{gid}-{i - 1}" rel="prev">'
                       f'<span aria-hidden="true">‹</span> {esc(t("block_previous"))}</a>')
        nav.append(f'<a class="lightbox-close" href="#{gid}-t{i}"><span aria-hidden="true">×</span> '
                   f'{esc(t("block_close"))}</a>')
        if i < last:
            nav.append(f'<a class="lightbox-next" href="#{gid}-{i + 1}" rel="next">{esc(t("block_next"))} '
                       f'<span aria-hidden="true">›</span></a>')
        boxes.append(f'<div class="lightbox" id="{gid}-{i}"><figure><img src="{esc(url)}" alt="{alt}" {size} '
                     f'loading="lazy" decoding="async">'
                     + (f"<figcaption>{esc(caption)} <span class=\"lightbox-count\">{i}/{last}</span></figcaption>"
                        if caption else f'<figcaption><span class="lightbox-count">{i}/{last}</span></figcaption>')
                     + f'</figure><p class="lightbox-nav">{"".join(nav)}</p></div>')
    return (f'<div class="block-gallery" id="{gid}"><ul class="gallery-grid">{"".join(thumbs)}</ul>'
            f'{"".join(boxes)}</div>')
