"""The automatic palettes (config/palettes.py): every curated palette readable and calm, the
kinds of business apart in hue, the kind read from `[business] type` or the site's own words,
and the banner of a site built with each palette measured in Chromium, light and dark."""
from __future__ import annotations

import colorsys
import math
from pathlib import Path

import pytest

from helpers import sk
from sitekeeper.build.run import build_client
from sitekeeper.clock import Clock
from sitekeeper.config.business import default_palette
from sitekeeper.config.workspace import find_workspace
from sitekeeper.config.palettes import PALETTES, kind_of, palette_for
from sitekeeper.render.colors import contrast, on_color, readable_on
from sitekeeper.report import RecordingReporter

NOW = "2026-11-10T10:00:00+01:00"
ALL = [(kind, i, p) for kind, ps in PALETTES.items() for i, p in enumerate(ps)]


def _oklch(hex_color: str) -> tuple[float, float, float]:
    """(lightness, chroma, hue in degrees) in OKLCH: how colourful a colour looks, by eye."""
    r, g, b = (int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = lin(r), lin(g), lin(b)
    lm = [(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3),
          (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3),
          (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)]
    L = 0.2104542553 * lm[0] + 0.7936177850 * lm[1] - 0.0040720468 * lm[2]
    a = 1.9779984951 * lm[0] - 2.4285922050 * lm[1] + 0.4505937099 * lm[2]
    bb = 0.0259040371 * lm[0] + 0.7827717662 * lm[1] - 0.8086757660 * lm[2]
    return L, math.hypot(a, bb), math.degrees(math.atan2(bb, a)) % 360


@pytest.mark.parametrize("kind,index,palette", ALL, ids=[f"{k}-{i}" for k, i, _ in ALL])
def test_each_palette_reads_at_aa_and_is_not_neon(kind, index, palette):
    # white on the brand band (header, buttons) and the banner's text on the accent
    assert contrast(palette.primary, "#ffffff") >= 4.5
    assert contrast(palette.accent, on_color(palette.accent)) >= 4.5
    # the site moves the banner's colour only when it must: a curated accent needs no move
    assert readable_on(on_color(palette.accent), palette.accent) == palette.accent
    # no neon: the light accents stay soft, the primaries deep
    assert _oklch(palette.accent)[1] <= 0.12, palette.accent
    assert _oklch(palette.primary)[1] <= 0.14, palette.primary
    assert _oklch(palette.primary)[0] <= 0.55, palette.primary


def test_the_old_neon_green_would_fail_the_neon_rule():
    assert _oklch("#75f096")[1] > 0.12
    # and the HSL reading of it: a light, fully saturated green
    h, lightness, s = colorsys.rgb_to_hls(0x75 / 255, 0xF0 / 255, 0x96 / 255)
    assert lightness > 0.6 and s > 0.75


def test_two_kinds_never_share_a_hue():
    hues = {kind: [_oklch(p.primary)[2] for p in ps] for kind, ps in PALETTES.items()}
    closest = []
    for a, ha in hues.items():
        for b, hb in hues.items():
            if a < b:
                gap = min(min(abs(x - y), 360 - abs(x - y)) for x in ha for y in hb)
                closest.append((gap, a, b))
    gap, a, b = min(closest)
    assert gap >= 20, f"{a} and {b} are only {gap:.0f} degrees apart"


@pytest.mark.parametrize("btype,texts,kind", [
    ("Bakery", (), "bakery"),
    ("Dentist", (), "dental"),
    ("HairSalon", (), "salon"),
    ("Plumber", (), "trades"),
    ("ClothingStore", (), "shop"),
    ("Restaurant", (), "restaurant"),
    (None, ("Bäckerei Sonnenkorn", "Frisch gebacken seit 1962"), "bakery"),
    (None, ("Zubní ordinace MUDr. Nováková",), "dental"),
    (None, ("Friseursalon Lena",), "salon"),
    (None, ("Elektro Hoffmann GmbH", "Ihr Meisterbetrieb"), "trades"),
    (None, ("Trattoria da Marco",), "restaurant"),
    (None, ("Kadeřnictví Petra",), "salon"),
    (None, ("Boutique Anna", "Mode und Accessoires"), "shop"),
    (None, ("Lékárna U Anděla",), "health"),
    (None, ("Müller & Partner",), "neutral"),
    ("LocalBusiness", ("Blumen Weber",), "garden"),
])
def test_the_kind_comes_from_the_type_or_the_sites_words(btype, texts, kind):
    assert kind_of(btype if btype != "LocalBusiness" else None, texts) == kind


def test_same_kind_may_differ_and_different_kinds_always_do():
    bakeries = {palette_for("Bakery", f"Bäckerei {n}").primary for n in ("Kraus", "Weber", "Sonne", "Korn", "Lind")}
    assert len(bakeries) == 2  # both of the kind's palettes are in use
    dentist = default_palette("Dentist", "Zahnarzt Kraus")["primary_color"]
    assert dentist not in bakeries


def _name_for(kind: str, index: int) -> str:
    word = {"restaurant": "Trattoria", "bakery": "Bäckerei", "lodging": "Hotel", "sport": "Fitness",
            "garden": "Blumen", "health": "Apotheke", "dental": "Zahnarzt", "trades": "Elektro",
            "office": "Kanzlei", "shop": "Boutique", "neutral": "Müller", "salon": "Friseur"}[kind]
    for n in range(200):
        name = f"{word} {chr(65 + n % 26)}{n}"
        if kind_of(None, (name,)) == kind and palette_for(None, name) == PALETTES[kind][index]:
            return name
    raise AssertionError(f"no name picks {kind} {index}")


@pytest.fixture(scope="module")
def palette_sites(tmp_path_factory) -> dict[str, Path]:
    """One site per palette, without [theme] colours and without [business], each with a live banner."""
    ws = tmp_path_factory.mktemp("palettes")
    (ws / "sites").mkdir()
    out = {}
    for kind, index, _ in ALL:
        client = f"{kind}-{index}"
        site = ws / "sites" / client
        (site / "content").mkdir(parents=True)
        (site / "site.toml").write_text(
            f'name = "{_name_for(kind, index)}"\nbase_url = "https://{client}.example"\nlanguages = ["de"]\n'
            f'timezone = "Europe/Berlin"\n\n[mail]\nfrom = "X <news@{client}.example>"\n'
            f'postal_address = "Hauptstr. 1, 10115 Berlin"\nunsubscribe_mailto = "ab@{client}.example"\n',
            encoding="utf-8")
        (site / "content" / "index.md").write_text("---\ntitle: Start\n---\nWillkommen.\n", encoding="utf-8")
        # the banner strip shows on pages other than a home page without a picture (whose first
        # screen shows the promotion itself)
        (site / "content" / "info.md").write_text("---\ntitle: Info\n---\nHallo.\n", encoding="utf-8")
        promo = ws / "campaigns" / client
        promo.mkdir(parents=True)
        (promo / "herbst.md").write_text(
            "---\ntitle: Herbst\nstarts: 2026-11-01\nends: 2026-12-01\nbanner: \"10 % auf alles – bis 30. November\"\n"
            "page: true\nsubject: Herbst\n---\nText.\n", encoding="utf-8")
    # One build through the command line (what a user runs), the rest in this process (the same
    # build_client the command calls), so 24 sites take seconds.
    first = ALL[0][0] + "-0"
    r = sk("build", first, "--out", str(ws / "out" / first), cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    workspace = find_workspace(ws)
    for kind, index, _ in ALL:
        client = f"{kind}-{index}"
        if client != first:
            build_client(workspace, client, Clock.from_value(NOW), RecordingReporter(), out=ws / "out" / client)
        out[client] = ws / "out" / client
    return out


@pytest.mark.usefixtures("chromium")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_banner_of_every_palette_reads_at_aa_in_the_browser(palette_sites, browser, serve_dir, scheme):
    from test_email_dark import MEASURE

    failures, seen = [], set()
    page = browser.new_page(viewport={"width": 375, "height": 800}, color_scheme=scheme)
    try:
        for client, root in palette_sites.items():
            page.goto(serve_dir(root) + "/info/")
            seen.add(page.evaluate("getComputedStyle(document.querySelector('.site-header') || document.body)"
                                   ".backgroundColor"))
            items = page.evaluate(MEASURE.replace("const own =", "if (!el.closest('.banner')) continue;\n    const own ="))
            assert any("10" in i["text"] for i in items), f"{client}: no banner text measured"
            failures += [f"{client} {scheme}: {i['text']!r} {i['ratio']:.2f}:1 ({i['color']} on rgb({i['bg']}))"
                         for i in items if i["ratio"] < 4.5]
    finally:
        page.close()
    assert failures == [], "\n".join(failures)
