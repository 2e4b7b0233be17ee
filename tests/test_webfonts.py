"""The site's web font: `[theme] font` picks a shipped family; every build cuts it to the
characters the site's pages use (read back from the WOFF2 with fontTools), self-hosts it under
assets/ with a hash in its name, preloads the regular face and declares font-display: swap;
the cut is kept in the workspace's cache."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import sk
from sitekeeper.render.webfonts import FAMILIES, _cmap

REPO = Path(__file__).resolve().parent.parent
WIDE = "Şişli Łódź łąka Äpfel Ελληνικά Кириллица"
WIDE_LETTERS = "ŞşŁłąÄóźΕλνικάКириллца"
NEVER_WRITTEN = "ЖΩğŐ₴"  # the family has them, no page of the plain site writes them


def _site(root: Path, font: str | None, text: str, client: str = "shop") -> Path:
    site = root / "sites" / client
    (site / "content").mkdir(parents=True)
    theme = f'[theme]\nfont = "{font}"\n' if font is not None else ""
    (site / "site.toml").write_text(f'name = "Shop"\nbase_url = "https://shop.example"\nlanguages = ["en"]\n'
                                    f'timezone = "Europe/Berlin"\n{theme}', encoding="utf-8")
    (site / "content" / "index.md").write_text(f"---\ntitle: Home\n---\n\n{text}\n", encoding="utf-8")
    return root


def _build(ws: Path, client: str = "shop", out: Path | None = None) -> Path:
    args = ["build", client] + (["--out", str(out)] if out else [])
    proc = sk(*args, cwd=ws)
    assert proc.returncode == 0, proc.stderr
    return out or ws / ".sitekeeper" / "build" / client


def _fonts(out: Path) -> list[Path]:
    return sorted((out / "assets" / "fonts").glob("*.woff2"))


def _cmap_of(path: Path) -> set[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path))
    assert font.flavor == "woff2"
    return set(font.getBestCmap())


@pytest.mark.parametrize("font", ["inter", "noto-sans", "noto-serif"])
def test_the_subset_holds_every_letter_the_pages_use(tmp_path, font):
    out = _build(_site(tmp_path, font, WIDE))
    files = _fonts(out)
    assert len(files) == len(FAMILIES[font].faces)  # Inter: one variable file; Noto: regular and bold
    for path in files:
        cmap = _cmap_of(path)
        for ch in WIDE_LETTERS:
            assert ord(ch) in cmap, (path.name, ch)


def test_a_character_no_page_uses_is_not_shipped(tmp_path):
    out = _build(_site(tmp_path, "inter", "Plain English text, nothing else."))
    (path,) = _fonts(out)
    cmap = _cmap_of(path)
    for ch in NEVER_WRITTEN + WIDE_LETTERS:
        assert ord(ch) in _cmap("Inter-Variable.ttf") and ord(ch) not in cmap, ch
    assert len(cmap) < len(_cmap("Inter-Variable.ttf")) / 5
    assert path.stat().st_size < (REPO / "sitekeeper/render/fonts/Inter-Variable.ttf").stat().st_size / 5


def test_the_default_is_inter_and_system_ships_no_font(tmp_path):
    out = _build(_site(tmp_path / "a", None, "Hello"))
    assert [p.name.split(".")[0] for p in _fonts(out)] == ["inter-variable"]
    out = _build(_site(tmp_path / "b", "system", "Hello"))
    assert not (out / "assets" / "fonts").exists()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'rel="preload"' not in html and "@font-face" not in html


def test_an_unknown_font_is_an_error_at_its_line_naming_the_choices(tmp_path):
    ws = _site(tmp_path, "Comic Sans", "Hello")
    for command in ("check", "build"):
        proc = sk(command, "shop", cwd=ws)
        assert proc.returncode == 1
        text = proc.stdout + proc.stderr
        assert "sites/shop/site.toml:6" in text and "unknown `font` 'Comic Sans'" in text
        assert all(f'"{name}"' in text for name in FAMILIES)
        assert "Traceback" not in text
    assert not (ws / ".sitekeeper" / "build" / "shop").exists()


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        if tag == "link":
            self.links.append(dict(attrs))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


@pytest.mark.parametrize("font", ["inter", "noto-serif"])
def test_every_page_preloads_the_regular_face_it_declares_with_swap(tmp_path, font):
    out = _build(_site(tmp_path, font, WIDE))
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 2  # the home page and the 404 page
    regular = _fonts(out)[0] if font == "inter" else next(p for p in _fonts(out) if "regular" in p.name)
    for page in pages:
        head = _Head()
        head.feed(page.read_text(encoding="utf-8"))
        preloads = [link for link in head.links if link.get("rel") == "preload"]
        assert preloads == [{"rel": "preload", "href": f"/assets/fonts/{regular.name}", "as": "font",
                             "type": "font/woff2", "crossorigin": None}], page
        css = "".join(head.styles)
        faces = re.findall(r"@font-face\{([^}]*)\}", css)
        assert len(faces) == len(FAMILIES[font].faces)
        for face in faces:
            assert "font-display:swap" in face and f'font-family:"{FAMILIES[font].css_name}"' in face
            url = re.search(r"url\(([^)]+)\)", face).group(1)
            assert (out / url.lstrip("/")).is_file()
        assert f'--font:"{FAMILIES[font].css_name}",' in css


def test_the_name_changes_with_the_characters_and_the_old_file_goes(tmp_path):
    ws = _site(tmp_path, "inter", "Plain text")
    out = _build(ws)
    (before,) = _fonts(out)
    index = ws / "sites" / "shop" / "content" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\nЖ\n", encoding="utf-8")
    out = _build(ws)
    (after,) = _fonts(out)
    assert after.name != before.name and not before.exists()
    assert ord("Ж") in _cmap_of(after)
    assert f"/assets/fonts/{after.name}" in (out / "index.html").read_text(encoding="utf-8")


def test_a_build_into_another_folder_takes_the_subset_from_the_cache(tmp_path):
    ws = _site(tmp_path, "inter", WIDE)
    out = _build(ws)
    (first,) = _fonts(out)
    (kept,) = sorted((ws / ".sitekeeper" / "cache" / "fonts").glob("*.woff2"))
    assert kept.read_bytes() == first.read_bytes()
    # The cache is what a second output folder gets: a marked copy there comes out as it is.
    kept.write_bytes(first.read_bytes() + b"cached")
    other = _build(ws, out=tmp_path / "elsewhere")
    assert _fonts(other)[0].read_bytes().endswith(b"cached")
    # A rebuild with no change writes nothing, the font included.
    proc = sk("build", "shop", "--json", cwd=ws)
    assert proc.returncode == 0 and '"written": 0' in proc.stdout.splitlines()[-1]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chars: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        for name, value in attrs:
            if name in ("alt", "placeholder", "value", "title", "aria-label") and value:
                self.chars.update(value)

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.chars.update(data)


@pytest.mark.parametrize("client", sorted(p.parent.name for p in (REPO / "sites").glob("*/site.toml")))
def test_the_demo_clients_subset_covers_every_character_their_pages_show(tmp_path, client):
    shutil.copytree(REPO / "sites", tmp_path / "sites")
    if (REPO / "campaigns").is_dir():
        shutil.copytree(REPO / "campaigns", tmp_path / "campaigns")
    out = _build(tmp_path, client)
    text = _Text()
    for page in out.rglob("*.html"):
        text.feed(page.read_text(encoding="utf-8"))
    (font,) = _fonts(out)
    cmap = _cmap_of(font)
    family_has = _cmap("Inter-Variable.ttf")
    missing = sorted(c for c in text.chars if ord(c) in family_has and ord(c) not in cmap and not c.isspace())
    assert not missing, missing
    assert len(text.chars) > 60  # the pages were read
