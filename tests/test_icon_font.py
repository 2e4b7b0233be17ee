"""The generated icons draw every initial with a real glyph of the site's family: the demo
clients' initials and the accented, Greek and Cyrillic letters a business name may start with,
in each shipped family, each compared with the box (the .notdef glyph) a font without that
letter draws."""
from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pytest

from sitekeeper.config.fonts import FONTS
from sitekeeper.render.icons import icon_png, initials
from sitekeeper.render.webfonts import FAMILIES, FONT_DIR, drawing_family

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
def boxes() -> dict[str, bytes]:
    return {font: _pixels(icon_png(192, None, NOT_IN_ANY_SHIPPED_FONT, "#0e6e78", "#ffffff", font)) for font in FONTS}


@pytest.fixture(scope="module")
def blank() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (192, 192), "#0e6e78").save(out, "PNG")
    return _pixels(out.getvalue())


def test_demo_names_exist():
    assert len(_demo_names()) >= 2


@pytest.mark.parametrize("font", sorted(FONTS))
@pytest.mark.parametrize("name", _demo_names() + LETTERS)
def test_initial_is_drawn_with_a_glyph_not_a_box(name, font, boxes, blank):
    drawn = _pixels(icon_png(192, None, name, "#0e6e78", "#ffffff", font))
    assert drawn != blank, f"{initials(name)!r} drew nothing in {font}"
    assert drawn != boxes[font], f"{initials(name)!r} drew the box of a missing glyph in {font}"


@pytest.mark.parametrize("font", sorted(FONTS))
def test_each_letter_draws_differently_from_its_base_letter(font):
    # Ș is not S: the mark is drawn (a font that fell back to the base letter would pass the box test).
    for accented, base in [("Ș", "S"), ("Č", "C"), ("Ž", "Z"), ("Ä", "A"), ("Ł", "L")]:
        assert _pixels(icon_png(192, None, accented, "#333333", "#ffffff", font)) != \
               _pixels(icon_png(192, None, base, "#333333", "#ffffff", font)), (font, accented)


def test_each_family_draws_its_own_letters():
    # The icon is in the site's family: Inter, Noto Sans and Noto Serif draw "Ag" three ways;
    # `system` (no web font) draws with the default family.
    drawn = {font: _pixels(icon_png(192, None, "Ag", "#333333", "#ffffff", font)) for font in FONTS}
    assert len({drawn["inter"], drawn["noto-sans"], drawn["noto-serif"]}) == 3
    assert drawn["system"] == drawn["inter"]


def test_the_variable_family_draws_bold_initials():
    from PIL import Image, ImageDraw

    from sitekeeper.render.icons import drawing_font

    def ink(font) -> int:
        im = Image.new("L", (300, 120), 0)
        ImageDraw.Draw(im).text((10, 10), "MW", fill=255, font=font)
        return sum(1 for p in im.tobytes() if p > 128)

    from PIL import ImageFont

    regular = ImageFont.truetype(str(FONT_DIR / "Inter-Variable.ttf"), 80)
    assert ink(drawing_font("inter", 80)) > ink(regular) * 1.3


def test_the_families_are_shipped_inside_the_package_with_their_licences():
    from fontTools.ttLib import TTFont

    for fam in FAMILIES.values():
        if not fam.faces:
            assert drawing_family(fam.name).faces  # `system` draws icons with the default family
            continue
        assert (FONT_DIR / fam.licence).is_file()
        assert "Open Font License" in (FONT_DIR / fam.licence).read_text(encoding="utf-8")
        for face in fam.faces:
            path = FONT_DIR / face.file
            assert path.is_file() and path.stat().st_size < 400_000, face.file
            cmap = TTFont(str(path)).getBestCmap()
            for ch in "ȘČŠŽŁÄŐΩЖЯ€ăâîșțşłğıüöäß":
                assert ord(ch) in cmap, (face.file, ch)


@pytest.mark.parametrize("font", sorted(FONTS))
def test_the_svg_favicon_draws_the_initials_as_outlines_of_the_family(font):
    import xml.etree.ElementTree as ET

    from sitekeeper.render.icons import initials_svg

    svg = initials_svg("Ștefan Łukasz", "#0e6e78", "#ffffff", font)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}text") is None  # no text for the viewer's machine to draw in its own font
    path = root.find(f"{ns}path").get("d")
    assert path.count("M") >= 3  # Ș (with its comma) and Ł: several contours
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    assert 0 < min(numbers) and max(numbers) < 64  # inside the icon
    assert initials_svg("Ștefan Łukasz", "#0e6e78", "#ffffff", font) != initials_svg("Stefan Lukasz", "#0e6e78", "#ffffff", font)


def test_the_svg_favicons_differ_between_families():
    from sitekeeper.render.icons import initials_svg

    drawn = {font: initials_svg("Ag", "#333333", "#ffffff", font) for font in FONTS}
    assert len({drawn["inter"], drawn["noto-sans"], drawn["noto-serif"]}) == 3
