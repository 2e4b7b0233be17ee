"""Responsive images: `srcset` of WebP variants, width and height on every static raster image.

The build makes the variants (build/plan/assets.py ``image_variants``) and hands the page's HTML and
the map of static images here: each ``<img src="/images/x.jpg">`` gets ``width``/``height``
(no layout shift while it loads), ``srcset`` with the WebP variants and the original, and
``sizes``. An image the author already gave a ``srcset`` keeps it.
"""
from __future__ import annotations

import io
import re

_IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_SRC_RE = re.compile(r"""\bsrc\s*=\s*(["'])([^"']+)\1""", re.I)
SIZES = "(max-width: 72rem) 100vw, 72rem"
"""The widest the theme shows an image: its grid's width."""


def responsive(html: str, images: dict) -> str:
    """``images``: URL -> (width, height, ((variant width, variant URL), ...))."""
    if not images or "<img" not in html:
        return html

    def one(m: re.Match) -> str:
        tag = m.group(0)
        src = _SRC_RE.search(tag)
        if not src:
            return tag
        found = images.get(src.group(2).split("?", 1)[0].split("#", 1)[0])
        if found is None:
            return tag
        width, height, variants = found
        low = tag.lower()
        extra = ""
        if " width=" not in low and " height=" not in low:
            extra += f' width="{width}" height="{height}"'
        if "srcset=" not in low and variants:
            srcset = ", ".join(f"{url} {w}w" for w, url in variants)
            # A picture shown smaller than the page (a thumbnail, a photo) says its own sizes.
            extra += f' srcset="{srcset}"' + ("" if " sizes=" in low else f' sizes="{SIZES}"')
        if not extra:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + extra + tag[end:]

    return _IMG_RE.sub(one, html)


def webp_variant(path, width: int, quality: int = 80) -> bytes:
    """The image at ``path`` scaled to ``width`` pixels wide (never up), as WebP."""
    from PIL import Image

    with Image.open(path) as opened:
        opened.load()
        im: Image.Image = opened
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() or im.mode == "P" else "RGB")
        if im.width > width:
            im = im.resize((width, max(1, round(im.height * width / im.width))), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        im.save(out, "WEBP", quality=quality, method=4)
        return out.getvalue()
