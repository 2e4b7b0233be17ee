"""[theme] style: the three built-in styles (classic, photo, minimal), checked when site.toml is
read and built into one stylesheet per site (the base, then the style's layer)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import copy_workspace, edit, sk

from sitekeeper.config import parse_site
from sitekeeper.config.site import STYLES
from sitekeeper.render.env import ASSETS_DIR

GOOD = 'name = "Acme"\nbase_url = "https://acme.example"\n'
NOW = "2026-03-05T12:00:00+01:00"


def parse(text: str):
    return parse_site("acme", Path("/nonexistent"), text, "sites/acme/site.toml")


def test_without_a_style_the_site_is_classic():
    cfg, _ = parse(GOOD)
    assert cfg is not None and cfg.theme.style == "classic"


@pytest.mark.parametrize("style", STYLES)
def test_each_built_in_style_is_accepted(style):
    cfg, diags = parse(GOOD + f'[theme]\nstyle = "{style}"\n')
    assert cfg is not None and cfg.theme.style == style, diags


@pytest.mark.parametrize("value", ['"modern"', '"Photo"', "3"])
def test_an_unknown_style_is_an_error_at_its_line_naming_the_three(value):
    cfg, diags = parse(GOOD + f'[theme]\nprimary_color = "#123456"\nstyle = {value}\n')
    assert cfg is None
    [d] = [d for d in diags if d.is_error]
    assert d.line == 5 and "`style`" in d.message
    assert all(f'"{s}"' in d.fix for s in ("classic", "photo", "minimal")), d.fix


def test_check_names_the_line_and_the_choices(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    edit(ws / "sites/mini/site.toml", "[theme]\n", '[theme]\nstyle = "fancy"\n')
    proc = sk("check", "mini", cwd=ws, now=NOW)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "site.toml:13" in out and "fancy" in out and "minimal" in out and "Traceback" not in out


def _stylesheets(site: Path) -> list[Path]:
    return sorted((site / "assets").glob("*.css"))


def _links(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


@pytest.mark.parametrize("style", STYLES)
def test_each_style_is_one_stylesheet_the_base_then_its_layer(tmp_path, style):
    ws = copy_workspace("mini", tmp_path)
    edit(ws / "sites/mini/site.toml", "[theme]\n", f'[theme]\nstyle = "{style}"\n')
    proc = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
    assert proc.returncode == 0, proc.stderr
    site = ws / "out"
    [css] = _stylesheets(site)
    assert not (site / "assets" / "styles").exists(), "a style's layer is not served on its own"
    base = (ASSETS_DIR / "style.css").read_bytes()
    layer = ASSETS_DIR / "styles" / f"{style}.css"
    expected = base if style == "classic" else base + b"\n" + layer.read_bytes()
    assert css.read_bytes() == expected
    for page in site.rglob("*.html"):
        assert _links(page.read_text(encoding="utf-8")) == ["/assets/" + css.name], page


def test_changing_the_style_changes_the_stylesheets_name(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    names = []
    for style in STYLES:
        toml = ws / "sites/mini/site.toml"
        text = re.sub(r'style = "\w+"\n', "", toml.read_text(encoding="utf-8"))
        toml.write_text(text.replace("[theme]\n", f'[theme]\nstyle = "{style}"\n'), encoding="utf-8")
        assert sk("build", "mini", "--out", "out", cwd=ws, now=NOW).returncode == 0
        [css] = _stylesheets(ws / "out")
        names.append(css.name)
        assert _links((ws / "out" / "index.html").read_text(encoding="utf-8")) == ["/assets/" + css.name]
    assert len(set(names)) == 3


@pytest.mark.parametrize("primary", ["#7a3e1d", "#0d6e7a", "#f0b429", "#2f5d50", "#75f096", "#ffffff", "#000000",
                                     "#c8553d", "#6b4fa0", "#e6e6e6"])
def test_the_photo_shade_keeps_the_hero_text_at_4_5_over_any_picture(primary):
    from sitekeeper.render.colors import contrast, mix, on_color
    from sitekeeper.render.styles import PHOTO_OVERLAY, photo_shade

    text = on_color(primary)
    shade = photo_shade(primary, text)
    # The picture shows through by 12 %: black, white and the text's own colour are the extremes.
    for picture in ("#000000", "#ffffff", text):
        assert contrast(text, mix(shade, picture, 1 - PHOTO_OVERLAY)) >= 4.5, (primary, shade, picture)
