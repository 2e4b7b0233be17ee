"""The shipped font families, and each site's own cut of one: a WOFF2 file per face holding
only the characters the site's pages use, with the @font-face rules and the preload link.

The families live in render/fonts/ (pre-cut to Latin, Greek and Cyrillic by
scripts/ship_fonts.py, each with its licence); never a font of the machine, never a
download. Cutting a site's subset takes HarfBuzz's subsetter (uharfbuzz, milliseconds) and
fontTools' WOFF2 writer (brotli, a few tenths of a second); both are imported only when a
subset is made, and every subset is kept in the workspace's cache under the hash of its
inputs, so a rebuild, or a build into another folder, never makes it again.
"""
from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config.fonts import DEFAULT_FONT, FONTS

FONT_DIR = Path(__file__).resolve().parent / "fonts"

SYSTEM_STACK = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
                '"Liberation Sans", Arial, sans-serif')
"""The stack style.css falls back on (and the whole of `system`)."""
SERIF_STACK = 'Georgia, "Noto Serif", "DejaVu Serif", "Times New Roman", serif'

SUBSET_VERSION = "1"
"""Part of every subset's name: raised when the way subsets are cut changes."""


@dataclass(frozen=True)
class Face:
    """One font file of a family."""

    file: str
    """Its name in render/fonts/."""
    weight: str
    """The CSS font-weight it covers: "400 800" for a variable font, else one weight."""
    bold: dict | None = None
    """The axis values of a variable font's bold (icons and pictures); None: the file is bold or regular."""


@dataclass(frozen=True)
class Family:
    name: str
    """The `[theme] font` choice."""
    css_name: str
    """The font-family name pages use."""
    faces: tuple[Face, ...]
    """Regular first (the face every page preloads)."""
    fallback: str
    """The CSS stack shown while the font loads."""
    licence: str
    """Its licence file in render/fonts/."""

    @property
    def stack(self) -> str:
        return f'"{self.css_name}", {self.fallback}' if self.faces else self.fallback

    def bold_face(self) -> tuple[Path, dict | None]:
        """The file (and axis values) icons and link-preview pictures are drawn with."""
        face = next((f for f in self.faces if f.bold is not None or f.weight == "700"), self.faces[0])
        return FONT_DIR / face.file, face.bold


FAMILIES: dict[str, Family] = {
    "inter": Family("inter", "Inter", (Face("Inter-Variable.ttf", "400 800", {"wght": 700}),), SYSTEM_STACK,
                    "LICENSE-Inter.txt"),
    "noto-sans": Family("noto-sans", "Noto Sans", (Face("NotoSans-Regular.ttf", "400"), Face("NotoSans-Bold.ttf", "700")),
                        SYSTEM_STACK, "LICENSE-Noto.txt"),
    "noto-serif": Family("noto-serif", "Noto Serif",
                         (Face("NotoSerif-Regular.ttf", "400"), Face("NotoSerif-Bold.ttf", "700")), SERIF_STACK,
                         "LICENSE-Noto.txt"),
    "system": Family("system", "", (), SYSTEM_STACK, ""),
}
assert set(FAMILIES) == set(FONTS), "config/fonts.py and render/webfonts.py name the same families"


def family(name: str) -> Family:
    return FAMILIES.get(name) or FAMILIES[DEFAULT_FONT]


def drawing_family(name: str) -> Family:
    """The family icons and pictures are drawn with: the site's, the default for `system`."""
    fam = family(name)
    return fam if fam.faces else FAMILIES[DEFAULT_FONT]


@lru_cache(maxsize=None)
def face_sha(file: str) -> str:
    """Hash of a shipped font file (read once per process)."""
    return hashlib.sha256((FONT_DIR / file).read_bytes()).hexdigest()


@lru_cache(maxsize=None)
def _cmap(file: str) -> frozenset[int]:
    """The code points a shipped face has."""
    import uharfbuzz as hb

    return frozenset(hb.Face(hb.Blob.from_file_path(str(FONT_DIR / file))).unicodes)


def subset_key(face: Face, chars: str) -> str:
    """Names the subset of ``face`` for ``chars``: equal keys, equal bytes."""
    h = hashlib.sha256(f"{SUBSET_VERSION}\0{face_sha(face.file)}\0".encode())
    h.update(chars.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def subset_woff2(face: Face, chars: str, cache: Path | None = None) -> bytes:
    """``face`` cut to ``chars`` (those it has) as WOFF2; from ``cache`` when made before."""
    key = subset_key(face, chars)
    kept = cache / f"{key[:32]}.woff2" if cache is not None else None
    if kept is not None:
        try:
            return kept.read_bytes()
        except FileNotFoundError:
            pass
    data = _make_subset(face, chars)
    if kept is not None:
        from ..fsutil import atomic_write

        os.makedirs(kept.parent, exist_ok=True)
        atomic_write(kept, data)
    return data


def _make_subset(face: Face, chars: str) -> bytes:
    import uharfbuzz as hb
    from fontTools.ttLib import woff2

    src = hb.Face(hb.Blob.from_file_path(str(FONT_DIR / face.file)))
    keep = hb.SubsetInput()
    keep.sets(hb.SubsetInputSets.UNICODE).update(ord(c) for c in chars)
    # The licence notice (name IDs 0, 13, 14) travels with every copy, as the OFL asks.
    keep.sets(hb.SubsetInputSets.NAME_ID).update([0, 1, 2, 3, 4, 5, 6, 13, 14, 16, 17, 25])
    keep.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    cut = hb.subset(src, keep)
    if cut is None:
        raise RuntimeError(f"cutting {face.file} to the site's characters failed")
    out = io.BytesIO()
    woff2.compress(io.BytesIO(bytes(cut.blob.data)), out)
    return out.getvalue()


def file_name(face: Face, chars: str) -> str:
    """The subset's name under assets/: the face and the hash of what it holds."""
    stem = face.file.rsplit(".", 1)[0].lower()
    return f"{stem}.{subset_key(face, chars)[:10]}.woff2"


def font_face_css(fam: Family, urls: list[str]) -> str:
    """The @font-face rules of ``fam`` (one per face, each at its URL) and the stack pages use."""
    rules = [f'@font-face{{font-family:"{fam.css_name}";src:url({url}) format("woff2");font-weight:{face.weight};'
             f"font-style:normal;font-display:swap}}" for face, url in zip(fam.faces, urls)]
    return "".join(rules) + f":root{{--font:{fam.stack}}}"


def in_family(fam: Family, chars: str) -> str:
    """The characters of ``chars`` that ``fam`` draws (the others fall back to the stack)."""
    if not fam.faces:
        return ""
    have = _cmap(fam.faces[0].file)
    return "".join(sorted({c for c in chars if ord(c) in have}))
