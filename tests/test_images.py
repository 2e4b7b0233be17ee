"""Responsive images: WebP variants of larger static images, srcset, width and height."""
from __future__ import annotations

from helpers import copy_workspace, json_lines, sk

NOW = "2026-03-05T12:00:00+01:00"


def test_large_images_get_webp_variants_srcset_and_their_size(tmp_path):
    from PIL import Image

    ws = copy_workspace("mini", tmp_path)
    images = ws / "sites/mini/static/images"
    images.mkdir(parents=True)
    Image.new("RGB", (1200, 800), (180, 90, 40)).save(images / "laden.png")
    Image.new("RGB", (100, 50), (0, 90, 40)).save(images / "klein.png")
    page = ws / "sites/mini/content/preise.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![Der Laden](/images/laden.png)\n\n![Klein](/images/klein.png)\n",
                    encoding="utf-8")
    run = sk("build", "mini", "--out", "out", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    out = ws / "out"
    for w in (480, 960, 1200):
        with Image.open(out / f"images/laden.{w}w.webp") as im:
            assert im.format == "WEBP" and im.width == w and abs(im.height - w * 2 / 3) <= 1
    assert not list(out.glob("images/klein.*.webp"))
    html = (out / "preise/index.html").read_text(encoding="utf-8")
    laden = next(tag for tag in html.split("<img")[1:] if "laden.png" in tag)
    assert 'width="1200" height="800"' in laden
    assert ('srcset="/images/laden.480w.webp 480w, /images/laden.960w.webp 960w, /images/laden.1200w.webp 1200w"'
            in laden)
    klein = next(tag for tag in html.split("<img")[1:] if "klein.png" in tag)
    assert 'width="100" height="50"' in klein and "srcset" not in klein
    again = sk("build", "mini", "--out", "out", "--json", cwd=ws, now=NOW)
    assert json_lines(again.stdout)[-1]["written"] == 0
