"""`[theme] font`: which shipped family the site's pages, icons and link previews are set in.

The names are kept here, at the config layer, so that site.toml is checked without loading
any font; render/webfonts.py holds the families themselves under the same names."""
from __future__ import annotations

from ..errors import Problems, did_you_mean
from .toml import Lines

FONTS: dict[str, str] = {
    "inter": "Inter, a neutral sans-serif (the default)",
    "noto-sans": "Noto Sans, a humanist sans-serif",
    "noto-serif": "Noto Serif, a serif for text",
    "system": "the visitor's own system fonts, nothing to download",
}
"""Each choice of `[theme] font`, with what it is."""
DEFAULT_FONT = "inter"


def parse_font(value: object, lines: Lines, relpath: str, problems: Problems) -> str:
    """The font named, or the default after an error at its line naming the choices."""
    if isinstance(value, str) and value in FONTS:
        return value
    choices = ", ".join(f'"{name}"' for name in FONTS)
    hint = did_you_mean(value, set(FONTS)) if isinstance(value, str) else None
    problems.error(relpath, lines.get(("theme", "font")), f"unknown `font` {value!r}",
                   (hint + " " if hint else "") + f"use one of: {choices} (default \"{DEFAULT_FONT}\")")
    return DEFAULT_FONT
