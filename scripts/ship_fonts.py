"""Rebuild the font families shipped in sitekeeper/render/fonts/ (pages, icons, link previews).

Sources, from Debian's packages (each family under the SIL Open Font License 1.1, no
Reserved Font Name; the licence files are beside the fonts):
  fonts-inter-variable   Inter (variable, wght), weights 400-800 kept
  fonts-noto-core        Noto Sans and Noto Serif, Regular and Bold
Each is cut down to Latin (Basic, Latin-1, Extended-A, -B, Additional), schwa (Azerbaijani) and the
spacing modifiers, combining marks, Greek, Cyrillic (with Supplement),
general punctuation, currency signs and a few symbols, without hinting (browsers and
FreeType draw these outlines well unhinted). Every site gets a further subset of the
characters its own pages use, at build time (sitekeeper/render/webfonts.py).

    apt-get install fonts-inter-variable fonts-noto-core
    python scripts/ship_fonts.py

Needs uharfbuzz (a runtime dependency anyway); run when a family is to change, never at
build time.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import uharfbuzz as hb

FONTS = Path(__file__).resolve().parent.parent / "sitekeeper" / "render" / "fonts"
NOTO = Path("/usr/share/fonts/truetype/noto")
INTER = Path("/usr/share/fonts/truetype/inter-vf")
# (source, shipped name, wght range of a variable font)
SOURCES = [
    (INTER / "Inter-roman.var.ttf", "Inter-Variable.ttf", (400, 800)),
    (NOTO / "NotoSans-Regular.ttf", "NotoSans-Regular.ttf", None),
    (NOTO / "NotoSans-Bold.ttf", "NotoSans-Bold.ttf", None),
    (NOTO / "NotoSerif-Regular.ttf", "NotoSerif-Regular.ttf", None),
    (NOTO / "NotoSerif-Bold.ttf", "NotoSerif-Bold.ttf", None),
]
LICENCES = [
    (Path("/usr/share/doc/fonts-inter-variable/copyright"), "LICENSE-Inter.txt"),
    (Path("/usr/share/doc/fonts-noto-core/copyright"), "LICENSE-Noto.txt"),
]
RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x259, 0x259), (0x2B0, 0x2FF), (0x300, 0x36F), (0x370, 0x3FF),
          (0x400, 0x52F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF),
          (0x2100, 0x2122), (0x2190, 0x2193), (0x2212, 0x2212), (0x2215, 0x2215), (0x2713, 0x2713),
          (0xFEFF, 0xFEFF), (0xFFFD, 0xFFFD)]
EXTRA_FEATURES = ["tnum", "pnum", "lnum", "case", "frac", "sups", "subs", "ordn", "zero"]
# copyright, family, style, id, full name, version, PostScript name, licence, licence URL,
# typographic family and style, variations PostScript prefix: the OFL's notice travels inside the font
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14, 16, 17, 25]


def tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def ship(source: Path, target: Path, wght: tuple[int, int] | None) -> int:
    face = hb.Face(hb.Blob.from_file_path(str(source)))
    keep = hb.SubsetInput()
    for lo, hi in RANGES:
        keep.sets(hb.SubsetInputSets.UNICODE).update(range(lo, hi + 1))
    keep.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).update(tag(f) for f in EXTRA_FEATURES)
    keep.sets(hb.SubsetInputSets.NAME_ID).update(NAME_IDS)
    keep.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    if wght is not None:
        keep.set_axis_range(face, "wght", wght[0], wght[1], 400)
    out = hb.subset(face, keep)
    if out is None:
        raise SystemExit(f"{source}: the subset failed")
    data = bytes(out.blob.data)
    target.write_bytes(data)
    return len(data)


def main() -> int:
    missing = [str(s) for s, _, _ in SOURCES if not s.is_file()]
    if missing:
        print("missing: " + ", ".join(missing) + "\napt-get install fonts-inter-variable fonts-noto-core", file=sys.stderr)
        return 1
    for source, name, wght in SOURCES:
        print(f"{name}: {ship(source, FONTS / name, wght)} bytes")
    for source, name in LICENCES:
        shutil.copyfile(source, FONTS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
