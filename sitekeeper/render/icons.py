"""Favicons and the web manifest of a site: from the logo when there is one, otherwise the
business's initials in its primary colour. Pillow is imported only when a PNG is drawn."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from ..config.fonts import DEFAULT_FONT

SIZES = {"apple-touch-icon.png": 180, "icon-192.png": 192, "icon-512.png": 512}


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    # Skip generic words a business name often starts with ("Zubní ordinace MUDr. X"): the
    # first and last word give the most recognisable pair.
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper() if len(words[0]) > 1 else words[0].upper()
    return (words[0][0] + words[-1][0]).upper()


def initials_svg(name: str, background: str, foreground: str) -> bytes:
    text = escape(initials(name))
    size = 30 if len(text) <= 2 else 24
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
            f'<rect width="64" height="64" rx="14" fill="{background}"/>'
            f'<text x="32" y="{32 + size * 0.35:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="{size}" '
            f'font-weight="700" text-anchor="middle" fill="{foreground}">{text}</text></svg>\n').encode()


def drawing_font(font: str, size: int) -> Any:
    """The bold of the site's family (`[theme] font`; the default family for `system`) at
    ``size`` pixels, for Pillow: a shipped TrueType font (Pillow's default one shows a box for
    Ș, Č, Ł, Ä, Greek and Cyrillic), never one looked up on the machine."""
    from PIL import ImageFont

    from .webfonts import drawing_family

    path, axes = drawing_family(font).bold_face()
    drawn = ImageFont.truetype(str(path), size)
    if axes:
        drawn.set_variation_by_axes([axes[a["name"]] if a["name"] in axes else a["default"] for a in _axes(drawn)])
    return drawn


def _axes(font: Any) -> list[dict]:
    # Pillow names the axes by their full name ("Weight"); the family table by their tag.
    tags = {"Weight": "wght", "Width": "wdth", "Optical size": "opsz", "Slant": "slnt", "Italic": "ital"}
    return [{"name": tags.get(_name(a), _name(a)), "default": a["default"]} for a in font.get_variation_axes()]


def _name(axis: dict) -> str:
    name = axis.get("name", b"")
    return name.decode("ascii", "replace") if isinstance(name, bytes) else str(name)


def icon_png(size: int, logo: Path | None, name: str, background: str, foreground: str,
             font: str = DEFAULT_FONT) -> bytes:
    """A square PNG: the logo centred on white, or the initials on the primary colour in the
    site's family."""
    from PIL import Image, ImageDraw

    if logo is not None:
        with Image.open(logo) as opened:
            src = opened.convert("RGBA")
            canvas = Image.new("RGBA", (size, size), (255, 255, 255, 255))
            inner = int(size * 0.84)
            src.thumbnail((inner, inner), Image.Resampling.LANCZOS)
            canvas.alpha_composite(src, ((size - src.width) // 2, (size - src.height) // 2))
    else:
        canvas = Image.new("RGBA", (size, size), background)
        draw = ImageDraw.Draw(canvas)
        draw.text((size / 2, size / 2), initials(name), fill=foreground, font=drawing_font(font, int(size * 0.42)),
                  anchor="mm")
    out = io.BytesIO()
    canvas.convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()


def manifest(name: str, short_name: str, start_url: str, theme_color: str, lang: str, svg_icon: str | None) -> bytes:
    icons = [{"src": "/icon-192.png", "sizes": "192x192", "type": "image/png"},
             {"src": "/icon-512.png", "sizes": "512x512", "type": "image/png"}]
    if svg_icon:
        icons.append({"src": svg_icon, "sizes": "any", "type": "image/svg+xml"})
    data = {"name": name, "short_name": short_name[:12], "start_url": start_url, "display": "browser",
            "lang": lang, "theme_color": theme_color, "background_color": "#ffffff", "icons": icons}
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()
