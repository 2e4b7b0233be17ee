"""Rebuild sitekeeper/render/fonts/DejaVuSans-Bold-subset.ttf, the font of generated icons.

Source: Debian's fonts-dejavu-core (/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf),
licence in sitekeeper/render/fonts/LICENSE-DejaVu.txt (Bitstream Vera / DejaVu: free to
redistribute and modify). Kept: Latin with Latin Extended-A, -B and Additional, combining marks,
Greek and Cyrillic, general punctuation and the euro sign. Needs fontTools (pip install fonttools);
run once when the font is to change, never at build time.
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

SOURCE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
TARGET = Path(__file__).resolve().parent.parent / "sitekeeper" / "render" / "fonts" / "DejaVuSans-Bold-subset.ttf"
RANGES = "U+0020-007E,U+00A0-024F,U+0300-036F,U+0370-03FF,U+0400-04FF,U+1E00-1EFF,U+2000-206F,U+20AC"


def main() -> int:
    if not SOURCE.is_file():
        print(f"{SOURCE} is missing: apt-get install fonts-dejavu-core", file=sys.stderr)
        return 1
    subset.main([str(SOURCE), f"--unicodes={RANGES}", f"--output-file={TARGET}", "--layout-features=*",
                 "--no-hinting", "--desubroutinize"])
    print(f"{TARGET}: {TARGET.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
