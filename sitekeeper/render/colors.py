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


def mix(color: str, other: str, amount: float) -> str:
    """``color`` moved ``amount`` (0..1) of the way towards ``other``."""
    a, b = _rgb(color), _rgb(other)
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b))


def readable_on(background: str, color: str, ratio: float = 4.5) -> str:
    """``color``, darkened (or lightened on a dark background) just enough to reach WCAG AA
    contrast with ``background``: brand colours that are too pale still give readable links."""
    towards = "#000000" if luminance(background) > 0.18 else "#ffffff"
    for step in range(21):
        candidate = mix(color, towards, step / 20)
        if contrast(candidate, background) >= ratio:
            return candidate
    return towards


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
