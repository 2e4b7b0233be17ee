"""``::: map``: where the business is, on OpenStreetMap, loaded only when the visitor asks.

    ::: map
    address: Hauptstraße 12, 79098 Freiburg
    lat: 47.9959
    lon: 7.8522
    zoom: 17
    :::

The page shows a frame that holds only a local placeholder (its ``srcdoc``: the address and a
button); nothing is fetched from OpenStreetMap until the visitor presses the button, which
loads the map into that frame. Below it, the address and a link to the place on
openstreetmap.org. In an email: the address and that link.
"""
from __future__ import annotations

import math

from markdown_it.token import Token

from .common import Block, esc, html_token, markdown_tokens, md_escape, records

KEYS = frozenset({"address", "lat", "lon", "zoom"})


def _number(block: Block, rec, key: str, low: float, high: float, example: str) -> float | None:
    value = rec.get(key)
    if not value:
        block.error(rec.line, f"the map block has no `{key}:`", f"add `{key}: {example}` (from openstreetmap.org: "
                    "right-click the place, “Show address”)")
        return None
    try:
        n = float(value.replace(",", "."))
    except ValueError:
        n = math.nan
    if not low <= n <= high:
        block.error(rec.line_of(key), f"`{key}: {value}` is not a number from {low:g} to {high:g}",
                    f"write it as a decimal number, e.g. `{key}: {example}`")
        return None
    return n


def links(lat: float, lon: float, zoom: int) -> tuple[str, str]:
    """(the embed's URL, the place's page) on openstreetmap.org."""
    dlon = 360 / 2 ** zoom * 1.2
    dlat = dlon * math.cos(math.radians(lat)) * 0.6
    bbox = f"{lon - dlon:.5f}%2C{lat - dlat:.5f}%2C{lon + dlon:.5f}%2C{lat + dlat:.5f}"
    embed = (f"https://www.openstreetmap.org/export/embed.html?bbox={bbox}&layer=mapnik"
             f"&marker={lat:.5f}%2C{lon:.5f}")
    page = f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map={zoom}/{lat:.5f}/{lon:.5f}"
    return embed, page


def build(block: Block) -> list[Token]:
    found = records(block, KEYS)
    if len(found) != 1:
        block.error(block.line, "a map block holds one place" if found else "the map block is empty",
                    "write its `address:`, `lat:` and `lon:` lines (one map per block)")
        return []
    rec = found[0]
    address = rec.get("address")
    if not address:
        block.error(rec.line, "the map block has no `address:`", "add `address: Street 1, Town`")
    lat = _number(block, rec, "lat", -90, 90, "47.9959")
    lon = _number(block, rec, "lon", -180, 180, "7.8522")
    zoom = _number(block, rec, "zoom", 1, 19, "17") if rec.get("zoom") else 17.0
    if rec.text:
        block.error(rec.text[0][0], f"`{rec.text[0][1].strip()}` is not a field of the map block",
                    "a map block holds only `address:`, `lat:`, `lon:` and `zoom:` lines")
    if lat is None or lon is None or zoom is None or not address:
        return []
    embed, page = links(lat, lon, int(zoom))
    if block.email:
        return markdown_tokens(block, f"{md_escape(address)}\\\n[OpenStreetMap]({page})", block.line)
    return [html_token(f'<sk-map data-address="{esc(address)}" data-embed="{esc(embed)}" '
                       f'data-page="{esc(page)}"></sk-map>\n')]


def finish(address: str, embed: str, page: str, label: str, lang: str) -> str:
    """The map's HTML on a page in ``lang``, whose button says ``label``."""
    inner = (f'<!DOCTYPE html><html lang="{esc(lang)}"><meta charset="utf-8"><title>{esc(address)}</title>'
             f"<style>{_FRAME_CSS}</style><p>{esc(address)}</p>"
             f'<p><a href="{esc(embed)}">{esc(label)}</a></p><p class="by">© OpenStreetMap</p>')
    return (f'<figure class="block-map"><iframe class="map-frame" title="OpenStreetMap: {esc(address)}" '
            f'srcdoc="{esc(inner)}"></iframe>'
            f'<figcaption>{esc(address)} · <a href="{esc(page)}">OpenStreetMap</a></figcaption></figure>')


# The placeholder's own page: neutral colours in both schemes (a frame does not inherit the theme).
_FRAME_CSS = ("html{color-scheme:light dark;height:100%}body{margin:0;height:100%;display:flex;flex-direction:"
              "column;align-items:center;justify-content:center;gap:.25rem;font:16px/1.4 system-ui,sans-serif;"
              "background:repeating-linear-gradient(45deg,rgb(128 128 128/.08) 0 12px,transparent 12px 24px),"
              "Canvas;color:CanvasText;text-align:center;padding:1rem;box-sizing:border-box}p{margin:0}"
              "a{display:inline-block;margin-top:.5rem;padding:.6rem 1.1rem;border-radius:.5rem;"
              "background:CanvasText;color:Canvas;text-decoration:none;font-weight:600}"
              "a:focus-visible{outline:3px solid Highlight;outline-offset:3px}.by{font-size:.8rem;opacity:.75}")
