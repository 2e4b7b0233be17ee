"""Colour contrast (WCAG 2 relative luminance), shared by the site theme and the emails."""
from __future__ import annotations


def luminance(hex_color: str) -> float:
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def on_color(background: str, dark: str = "#111111") -> str:
    """White or a near-black text colour, whichever contrasts more with the background."""
    return "#ffffff" if contrast(background, "#ffffff") >= contrast(background, dark) else dark
