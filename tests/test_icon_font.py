"""The generated icons draw every initial with a real glyph: the demo clients' initials and
the accented, Greek and Cyrillic letters a business name may start with, each compared with
the box (the .notdef glyph) a font without that letter draws."""
from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest

from sitekeeper.render.icons import ICON_FONT, icon_png, initials

REPO = Path(__file__).resolve().parent.parent
LETTERS = ["Ș", "Č", "Š", "Ž", "Ł", "Ä", "Ő", "Ω", "Ж", "Я"]
NOT_IN_ANY_SHIPPED_FONT = "\U0001F9EA"  # a test tube emoji: no text font has it, so it is the box


def _demo_names() -> list[str]:
    names = []
    for toml in sorted((REPO / "sites").glob("*/site.toml")):
        names.append(tomllib.loads(toml.read_text(encoding="utf-8"))["name"])
    return names


def _pixels(png: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        return im.convert("L").tobytes()


@pytest.fixture(scope="module")
def box() -> bytes:
    return _pixels(icon_png(192, None, NOT_IN_ANY_SHIPPED_FONT, "#0e6e78", "#ffffff"))


@pytest.fixture(scope="module")
def blank() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (192, 192), "#0e6e78").save(out, "PNG")
    return _pixels(out.getvalue())


def test_demo_names_exist():
    assert len(_demo_names()) >= 2


@pytest.mark.parametrize("name", _demo_names() + LETTERS)
def test_initial_is_drawn_with_a_glyph_not_a_box(name, box, blank):
    drawn = _pixels(icon_png(192, None, name, "#0e6e78", "#ffffff"))
    assert drawn != blank, f"{initials(name)!r} drew nothing"
    assert drawn != box, f"{initials(name)!r} drew the box of a missing glyph"


def test_each_letter_draws_differently_from_its_base_letter():
    # Ș is not S: the mark is drawn (a font that fell back to the base letter would pass the box test).
    for accented, base in [("Ș", "S"), ("Č", "C"), ("Ž", "Z"), ("Ä", "A"), ("Ł", "L")]:
        assert _pixels(icon_png(192, None, accented, "#333333", "#ffffff")) != \
               _pixels(icon_png(192, None, base, "#333333", "#ffffff")), accented


def test_the_icon_font_is_shipped_inside_the_package_with_its_licence():
    assert ICON_FONT.is_file() and ICON_FONT.stat().st_size < 300_000
    assert (ICON_FONT.parent / "LICENSE-DejaVu.txt").is_file()
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(ICON_FONT)).getBestCmap()
    for ch in "ȘČŠŽŁÄŐΩЖЯ€ăâîșț":
        assert ord(ch) in cmap, ch
