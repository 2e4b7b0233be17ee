"""WebP variants only for the static images the site shows: one that no page, promotion,
site.toml field or template names is copied as it is, without variants."""
from __future__ import annotations

import re
from pathlib import Path

from helpers import copy_workspace, json_lines, sk
from sitekeeper.build.plan.shown import computed_folders, names_in

NOW = "2026-03-05T12:00:00+01:00"
_IMG_RE = re.compile(r"<img\b[^>]*>")
_SRC_RE = re.compile(r'\bsrc="([^"]+)"')


def picture(path: Path, color=(180, 90, 40)) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1000, 600), color).save(path)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def site(tmp_path: Path) -> Path:
    ws = copy_workspace("mini", tmp_path)
    root = ws / "sites/mini"
    static = root / "static"
    for rel in ("images/im-text.jpg", "images/hero.jpg", "logo.png", "images/salon/a.jpg", "images/salon/b.jpg",
                "images/team/anna.jpg", "images/aktion.jpg", "images/roh.jpg", "images/unused.jpg",
                "images/archiv/alt-1.jpg", "images/archiv/alt-2.png"):
        picture(static / rel)
    append(root / "content/preise.md", "\n![Im Text](/images/im-text.jpg)\n\n<img src=\"/images/roh.jpg\" alt=\"roh\">\n\n"
           "::: gallery /images/salon/\n:::\n\n::: team\nname: Anna\nphoto: /images/team/anna.jpg\n:::\n")
    home = root / "content/index.md"
    home.write_text(home.read_text(encoding="utf-8").replace("menu: 1\n", "menu: 1\nimage: /images/hero.jpg\n", 1),
                    encoding="utf-8")
    toml = root / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[theme]\n", '[theme]\nlogo = "static/logo.png"\n', 1),
                    encoding="utf-8")
    append(ws / "campaigns/mini/fruehling.md", "\n![Aktion](/images/aktion.jpg)\n")
    return ws


def build(ws: Path) -> dict:
    run = sk("build", "mini", "--out", "out", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    return json_lines(run.stdout)[-1]


def shown_in_html(out: Path) -> dict[str, list[str]]:
    """Static picture URL -> the <img> tags of the built pages that show it."""
    found: dict[str, list[str]] = {}
    for page in out.rglob("*.html"):
        for tag in _IMG_RE.findall(page.read_text(encoding="utf-8")):
            src = _SRC_RE.search(tag)
            if src and src.group(1).startswith("/") and src.group(1).endswith((".jpg", ".png")):
                found.setdefault(src.group(1), []).append(tag)
    return found


def variants(out: Path, url: str) -> list[str]:
    stem = url.lstrip("/").rsplit(".", 1)[0]
    return sorted(p.name for p in out.glob(f"{stem}.*w.webp"))


def test_only_the_images_a_page_shows_get_variants(tmp_path):
    ws = site(tmp_path)
    assert build(ws)["written"] > 0
    out = ws / "out"
    static = ws / "sites/mini/static"
    shown = shown_in_html(out)
    # in Markdown, raw HTML, a gallery, the team, front matter (the hero), site.toml (the logo), a promotion
    assert set(shown) == {"/images/im-text.jpg", "/images/roh.jpg", "/images/salon/a.jpg", "/images/salon/b.jpg",
                          "/images/team/anna.jpg", "/images/hero.jpg", "/logo.png", "/images/aktion.jpg"}
    for url, tags in shown.items():
        stem = url.rsplit(".", 1)[0]
        assert variants(out, url) == sorted(f"{stem.rsplit('/', 1)[-1]}.{w}w.webp" for w in (480, 960, 1000)), url
        for tag in tags:
            assert f'srcset="{stem}.480w.webp 480w, {stem}.960w.webp 960w, {stem}.1000w.webp 1000w"' in tag, (url, tag)
    # nothing shows these: copied byte for byte, no variants
    for rel in ("images/unused.jpg", "images/archiv/alt-1.jpg", "images/archiv/alt-2.png"):
        assert (out / rel).read_bytes() == (static / rel).read_bytes()
        assert variants(out, "/" + rel) == [], rel
    assert build(ws)["written"] == 0  # a no-op rebuild stays a no-op


def test_an_image_gets_its_variants_when_a_page_starts_showing_it_and_loses_them_after(tmp_path):
    ws = site(tmp_path)
    build(ws)
    out = ws / "out"
    assert variants(out, "/images/unused.jpg") == []
    page = ws / "sites/mini/content/aktuelles/eroeffnung.md"
    before = page.read_text(encoding="utf-8")
    append(page, "\n![Jetzt gezeigt](/images/unused.jpg)\n")
    build(ws)
    assert variants(out, "/images/unused.jpg") == ["unused.1000w.webp", "unused.480w.webp", "unused.960w.webp"]
    html = (out / "aktuelles/eroeffnung/index.html").read_text(encoding="utf-8")
    assert "/images/unused.960w.webp 960w" in html
    assert build(ws)["written"] == 0
    page.write_text(before, encoding="utf-8")
    build(ws)
    assert variants(out, "/images/unused.jpg") == []
    assert (out / "images/unused.jpg").is_file()


def test_a_template_that_computes_a_picture_s_address_keeps_the_variants_of_its_folder(tmp_path):
    ws = site(tmp_path)
    templates = ws / "sites/mini/templates/partials"
    templates.mkdir(parents=True)
    theme = Path(__file__).resolve().parents[1] / "sitekeeper/render/templates/partials/header.html"
    (templates / "header.html").write_text(theme.read_text(encoding="utf-8") + '\n{% for n in ["1"] %}'
                                           '<img src="/images/archiv/alt-{{ n }}.jpg" alt="">{% endfor %}\n',
                                           encoding="utf-8")
    build(ws)
    out = ws / "out"
    assert variants(out, "/images/archiv/alt-1.jpg") and variants(out, "/images/archiv/alt-2.png")
    assert variants(out, "/images/unused.jpg") == []
    assert "/images/archiv/alt-1.480w.webp 480w" in (out / "index.html").read_text(encoding="utf-8")


def test_names_are_found_however_they_are_written():
    def keys(text):
        return set(names_in(text))

    assert "a.jpg" in keys("![x](/images/a.jpg)") and "a.jpg" in keys("static/images/A.JPG")
    assert "mein foto.jpg" in keys("/images/mein%20foto.jpg") and "mein foto.jpg" in keys("photo: mein foto.jpg")
    assert "b.960w.webp" in keys('<img srcset="/x/b.960w.webp 960w">')
    assert "a.jpg" not in keys("banana.jpg") and "a.jpg" not in keys("/images/a.jpgx")


def test_a_page_naming_a_variant_keeps_it(tmp_path):
    ws = site(tmp_path)
    append(ws / "sites/mini/content/aktuelles/eroeffnung.md", "\n![Klein](/images/archiv/alt-1.960w.webp)\n")
    build(ws)
    assert variants(ws / "out", "/images/archiv/alt-1.jpg") == ["alt-1.1000w.webp", "alt-1.480w.webp", "alt-1.960w.webp"]
    assert variants(ws / "out", "/images/unused.jpg") == []


def test_hostile_texts_are_read_to_their_end():
    assert list(computed_folders("<img " + "{{ x " * 50_000)) == []  # never closed: no address read
    assert list(computed_folders("{{ a ~ b " + '<img src="{{ s }}">' * 2)) == [None, None]
    text = ".jpg" * 50_000 + "/a.jpg"
    assert "a.jpg" in set(names_in(text, 16)) and len(set(names_in(text, 16))) < 10


def test_computed_addresses_name_their_folder_or_everything():
    assert list(computed_folders('<img src="/images/team/{{ name }}.jpg">')) == ["/images/team/"]
    assert list(computed_folders('<img alt="" src="{{ page.image }}">')) == []  # a value read as it is
    assert list(computed_folders('<img src="{{ name }}.jpg">')) == [None]
    assert list(computed_folders('{% set s = "/x/" ~ n %}<img src="{{ s }}">')) == [None]
    assert list(computed_folders('<a href="{{ page.url }}">')) == []  # a link shows no picture
