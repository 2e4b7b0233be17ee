"""Favicons and the web manifest of a site: from the logo when there is one, otherwise the
business's initials in its primary colour. Pillow is imported only when a PNG is drawn."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

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


def initials_svg(name: str, background: str, foreground: str, font: str = DEFAULT_FONT) -> bytes:
    """The favicon as SVG: the initials drawn as outlines of the site's family (an SVG icon
    cannot load the site's web font, and the machine showing it may have no such letters)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
            f'<rect width="64" height="64" rx="14" fill="{background}"/>'
            f'<path fill="{foreground}" d="{_outline(initials(name), font, 64)}"/></svg>\n').encode()


def _outline(text: str, font: str, box: int) -> str:
    """``text`` in the bold of ``font`` as one SVG path, centred in a ``box``-unit square:
    shaped by HarfBuzz (kerning, marks), its letters at about 42 % of the box's height."""
    import uharfbuzz as hb
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    from .webfonts import drawing_family

    path, axes = drawing_family(font).bold_face()
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    hbfont = hb.Font(face)
    if axes:
        hbfont.set_variations(axes)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(hbfont, buf)
    glyphs, x = [], 0
    left, right, top, bottom = float("inf"), float("-inf"), float("-inf"), float("inf")
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions):
        gx, gy = x + pos.x_offset, pos.y_offset
        ext = hbfont.get_glyph_extents(info.codepoint)
        if ext is not None and ext.width:
            left, right = min(left, gx + ext.x_bearing), max(right, gx + ext.x_bearing + ext.width)
            top, bottom = max(top, gy + ext.y_bearing), min(bottom, gy + ext.y_bearing + ext.height)
        glyphs.append((info.codepoint, gx, gy))
        x += pos.x_advance
    if left == float("inf"):
        return ""
    scale = box * 0.42 / face.upem * (1.0 if len(text) <= 2 else 0.8)
    scale = min(scale, box * 0.8 / (right - left))  # a wide pair still fits
    dx = box / 2 - (left + right) / 2 * scale
    dy = box / 2 + (top + bottom) / 2 * scale
    pen = SVGPathPen(None, ntos=lambda v: f"{v:.2f}".rstrip("0").rstrip("."))
    for gid, gx, gy in glyphs:
        # font units (y up) -> the icon's (y down), each glyph at its shaped place
        hbfont.draw_glyph_with_pen(gid, TransformPen(pen, (scale, 0, 0, -scale, dx + gx * scale, dy - gy * scale)))
    return pen.getCommands()


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
