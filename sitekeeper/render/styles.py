"""Colours the built-in styles need beyond the brand colours, worked out from them. Pure."""
from __future__ import annotations

from .colors import contrast, luminance, mix

PHOTO_OVERLAY = 0.88
"""How much of the shade covers the picture behind the photo hero's text (styles/photo.css)."""


def photo_shade(primary: str, on_primary: str, alpha: float = PHOTO_OVERLAY, ratio: float = 4.5) -> str:
    """The brand colour, deepened (or lightened under dark text) until text in ``on_primary`` reaches
    ``ratio`` on it laid at ``alpha`` over any picture: the worst picture is one in the text's own
    colour, which shows through by ``1 - alpha``."""
    towards = "#000000" if luminance(on_primary) > 0.5 else "#ffffff"
    for step in range(41):
        shade = mix(primary, towards, step / 40)
        if contrast(on_primary, mix(shade, on_primary, 1 - alpha)) >= ratio:
            return shade
    return towards
