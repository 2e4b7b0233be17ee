"""The Markdown blocks (docs/blocks.md): each block's HTML, its plain email form, and bad
input as an error that names the file, the line and the fix."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from blocks_page import CLIENT, add_blocks_page
from helpers import output, sk

from sitekeeper.render.blocks import finish
from sitekeeper.render.markdown import render_markdown

NOW = "2026-11-25T10:00:00+01:00"


def words(key: str) -> str:
    return {"block_close": "Close", "block_previous": "Previous", "block_next": "Next",
            "show_map": "Show on the map"}[key]


def test_team_lists_each_person_with_photo_role_and_text():
    r = render_markdown("::: team\nname: Anna Nováková\nrole: Dentist\nphoto: /images/team/anna.jpg\n"
                        "Twenty years of [care](/kontakt/).\n\nname: Petr\n:::\n")
    assert r.problems == ()
    assert r.html.count('<li class="member">') == 2
    assert re.search(r'<img class="member-photo" src="/images/team/anna.jpg" alt="Anna Nováková" sizes="[^"]+"', r.html)
    assert '<p class="member-role">Dentist</p>' in r.html
    assert '<p class="member-text">Twenty years of <a href="/kontakt/">care</a>.</p>' in r.html
    # the photo and the link are checked like any (with their lines)
    assert ("/images/team/anna.jpg", 3, "image") in r.links and ("/kontakt/", 4, "link") in r.links


def test_reviews_show_stars_as_text_with_their_number():
    r = render_markdown("::: reviews\nstars: 4\nname: Jana K.\nsource: Google\nGreat *bread*.\n:::\n")
    assert r.problems == ()
    assert "<blockquote><p>Great <em>bread</em>.</p></blockquote>" in r.html
    assert '<span aria-hidden="true">★★★★☆</span> <span class="review-score">4/5</span>' in r.html
    assert '<span class="review-name">Jana K., Google</span>' in r.html


def test_price_list_is_a_table_with_its_caption():
    r = render_markdown("::: prices Haircuts\n| Service | Price |\n|---|--:|\n| Cut | 20 € |\n:::\n")
    assert r.problems == ()
    assert re.search(r'<div class="block-prices">\s*<div class="table-wrap"><table>\s*<caption>Haircuts</caption>',
                     r.html)


def test_faq_questions_are_details_and_not_page_headings():
    r = render_markdown("## Fragen\n\n::: faq\n### Do you deliver?\nYes, [in town](/kontakt/).\n\n"
                        "### Cakes?\nThree days ahead.\n:::\n")
    assert r.problems == ()
    assert r.html.count("<details>") == 2
    assert "<summary>Do you deliver?</summary>" in r.html
    assert r.headings == ((0, 2),)  # the questions are no part of the outline
    assert ("/kontakt/", 4, "link") in r.links


def test_map_loads_nothing_until_asked():
    r = render_markdown("::: map\naddress: Hauptstraße 12, Freiburg\nlat: 47.9959\nlon: 7.8522\n:::\n")
    assert r.problems == ()
    done = finish(r.html, {}, words, "de")
    assert "<sk-map" not in done
    frame = re.search(r"<iframe [^>]*>", done).group(0)
    assert " src=" not in frame and "srcdoc=" in frame  # the frame holds only its local placeholder
    assert "openstreetmap.org/export/embed.html" in frame and "Show on the map" in frame
    assert 'lang=&quot;de&quot;' in frame
    assert '<figcaption>Hauptstraße 12, Freiburg · <a href="https://www.openstreetmap.org/?mlat=47.99590' in done


def test_gallery_shows_the_folders_pictures_by_name_with_a_lightbox_each():
    r = render_markdown("::: gallery /images/salon/\nb.jpg: The chairs\n:::\n")
    assert r.problems == ()
    assert ("/images/salon/", 0, "gallery") in r.links and ("/images/salon/b.jpg", 1, "image") in r.links
    images = {"/images/salon/b.jpg": (1200, 900, ((480, "/images/salon/b.480w.webp"),)),
              "/images/salon/a-shop_window.jpg": (800, 600, ()),
              "/images/salon/sub/c.jpg": (800, 600, ()), "/images/other.jpg": (800, 600, ())}
    html = finish(r.html, images, words, "en")
    thumbs = re.findall(r'<a class="gallery-thumb" href="#(gallery-1-\d)"><img src="([^"]+)" alt="([^"]+)"', html)
    assert thumbs == [("gallery-1-1", "/images/salon/a-shop_window.jpg", "A shop window"),
                      ("gallery-1-2", "/images/salon/b.jpg", "The chairs")]
    assert html.count('<div class="lightbox"') == 2
    assert '<a class="lightbox-close" href="#gallery-1-t2">' in html
    assert '<a class="lightbox-next" href="#gallery-1-2" rel="next">Next' in html
    assert "<script" not in html


@pytest.mark.parametrize("body, line, message", [
    ("::: slider\n:::\n", 0, "unknown block `::: slider`"),
    ("::: team\nname: A\n", 0, "is not closed"),
    ("::: gallery ../secret/\n:::\n", 0, "contains `..`"),
    ("::: gallery https://example.com/x/\n:::\n", 0, "is not a path on this site"),
    ("::: gallery\n:::\n", 0, "has no folder"),
    ("::: gallery /images/a/\nno caption here\n:::\n", 1, "is not a caption"),
    ("::: team\nrole: Boss\n:::\n", 1, "has no `name:`"),
    ("::: team\nname: A\nphoto: /images/../../site.toml\n:::\n", 2, "contains `..`"),
    ("::: reviews\nstars: 7\nname: A\nGood.\n:::\n", 1, "not a whole number from 1 to 5"),
    ("::: reviews\nname: A\n:::\n", 1, "without its text"),
    ("::: prices\nno table\n:::\n", 0, "holds no table"),
    ("::: faq\nNo question.\n:::\n", 0, "has no question"),
    ("::: map\naddress: X\nlat: 100\nlon: 1\n:::\n", 2, "not a number from -90 to 90"),
    ("::: map\naddress: X\n:::\n", 1, "has no `lat:`"),
])
def test_bad_block_input_is_a_problem_at_its_line(body, line, message):
    problems = render_markdown("Text.\n\n" + body).problems
    assert any(p[0] == line + 2 and message in p[1] and p[2] for p in problems), problems


def test_email_gets_plain_content_and_refuses_a_gallery():
    from sitekeeper.render.markdown import markdown_parser

    md = markdown_parser()
    env: dict = {"email": True}
    tokens = md.parse("::: team\nname: Anna\nrole: Dentist\nHello.\n:::\n\n::: map\naddress: Street 1\nlat: 1\n"
                      "lon: 2\n:::\n\n::: faq\n### Q?\nA.\n:::\n", env)
    html = md.renderer.render(tokens, md.options, env)
    assert "<iframe" not in html and "<details" not in html and "block_html" not in {t.type for t in tokens}
    assert "<strong>Anna</strong> – Dentist" in html and "openstreetmap.org/?mlat=1.00000" in html
    env = {"email": True}
    md.parse("::: gallery /images/x/\n:::\n", env)
    assert any("does not go into an email" in p[1] for p in env["block_problems"])


@pytest.fixture
def blocks_ws(demo_workspace):
    add_blocks_page(demo_workspace)
    return demo_workspace


def test_a_page_with_every_block_builds_with_its_gallery_and_description(blocks_ws):
    out = blocks_ws / "out"
    r = sk("build", CLIENT, "--out", str(out), cwd=blocks_ws, now=NOW)
    assert r.returncode == 0, output(r)
    html = (out / "bloecke" / "index.html").read_text(encoding="utf-8")
    assert html.count('<div class="lightbox"') == 4
    # thumbnails come from the build's WebP variants, at their own sizes
    assert re.search(r'<img src="/images/galerie/brezeln.jpg" alt="Brezeln" width="1200" height="900" '
                     r'sizes="\(max-width: 30em\) 50vw, 16rem"[^>]* srcset="/images/galerie/brezeln.480w.webp 480w', html)
    assert "<sk-" not in html and "<script" not in html


def test_a_page_that_is_only_a_price_list_is_described_by_its_caption(blocks_ws):
    page = blocks_ws / "sites" / CLIENT / "content" / "preise.md"
    page.write_text("---\ntitle: Preise\n---\n\n::: prices Brot und Brötchen\n| Sorte | Preis |\n|---|--:|\n"
                    "| Schrippe | 0,55 € |\n:::\n", encoding="utf-8")
    out = blocks_ws / "out"
    r = sk("build", CLIENT, "--out", str(out), cwd=blocks_ws, now=NOW)
    assert r.returncode == 0, output(r)
    html = (out / "preise" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="Brot und Brötchen">' in html


@pytest.mark.parametrize("setup, message", [
    ("missing", "the gallery folder sites/baeckerei-sonnenkorn/static/images/galerie/ does not exist"),
    ("empty", "holds no pictures"),
    ("link", "is a link to"),
])
def test_a_gallery_without_pictures_fails_check_at_its_line(blocks_ws, tmp_path, setup, message):
    folder = blocks_ws / "sites" / CLIENT / "static" / "images" / "galerie"
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    if setup == "empty":
        folder.mkdir()
    elif setup == "link":
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "laden.jpg").write_bytes((blocks_ws / "sites" / CLIENT / "static" / "images" / "team" /
                                             "jana.jpg").read_bytes())
        os.symlink(outside, folder)
    r = sk("check", CLIENT, cwd=blocks_ws, now=NOW)
    assert r.returncode == 1
    text = output(r)
    page = Path("sites") / CLIENT / "content" / "bloecke.md"
    line = 1 + next(i for i, ln in enumerate((blocks_ws / page).read_text().splitlines()) if "::: gallery" in ln)
    assert f"{page}:{line}" in text and message in text, text
    assert "Traceback" not in text


def test_an_unknown_block_fails_check_naming_file_line_and_the_blocks(blocks_ws):
    page = blocks_ws / "sites" / CLIENT / "content" / "bloecke.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n::: slider\nx\n:::\n", encoding="utf-8")
    r = sk("check", CLIENT, cwd=blocks_ws, now=NOW)
    assert r.returncode == 1
    line = len(page.read_text(encoding="utf-8").splitlines()) - 2
    assert f"bloecke.md:{line}" in output(r) and "unknown block `::: slider`" in output(r)
    assert "faq, gallery, map, prices, reviews, team" in output(r)


PROMO_BLOCKS = """
::: reviews
stars: 5
name: Katrin M.
Der beste Stollen im Kiez.
:::

::: faq
### Kann ich vorbestellen?
Ja, im [Laden](/kontakt/).
:::

::: map
address: Wühlischstraße 27, 10245 Berlin
lat: 52.5079
lon: 13.4605
:::
"""


def test_a_promotions_email_shows_its_blocks_as_plain_content(demo_workspace):
    promo = demo_workspace / "campaigns" / CLIENT / "adventsaktion.md"
    promo.write_text(promo.read_text(encoding="utf-8") + PROMO_BLOCKS, encoding="utf-8")
    out = demo_workspace / "preview"
    r = sk("campaign", "preview", f"{CLIENT}/adventsaktion", "--lang", "de", "--no-proof", "--out", str(out),
           cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, output(r)
    html = (out / "de.html").read_text(encoding="utf-8")
    for refused in ("<iframe", "<details", "<sk-", "srcdoc", "<script", "<form"):
        assert refused not in html
    assert "Der beste Stollen im Kiez." in html and "★★★★★ 5/5 – Katrin M." in html
    assert "Kann ich vorbestellen?" in html and "https://www.openstreetmap.org/?mlat=52.50790" in html
    text = (out / "de.txt").read_text(encoding="utf-8")
    assert "> ★★★★★ 5/5 – Katrin M." in text and "Wühlischstraße 27, 10245 Berlin\nOpenStreetMap [" in text
    # the promotion's page keeps the blocks as on any page
    r = sk("build", CLIENT, "--out", str(demo_workspace / "out"), cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, output(r)
    page = (demo_workspace / "out" / "promotions" / "adventsaktion" / "index.html").read_text(encoding="utf-8")
    assert "<details>" in page and 'class="map-frame"' in page


def test_a_gallery_in_a_promotion_is_refused_for_its_email_at_its_line(blocks_ws):
    promo = blocks_ws / "campaigns" / CLIENT / "adventsaktion.md"
    promo.write_text(promo.read_text(encoding="utf-8") + "\n::: gallery /images/galerie/\n:::\n", encoding="utf-8")
    line = len(promo.read_text(encoding="utf-8").splitlines()) - 1
    r = sk("check", CLIENT, cwd=blocks_ws, now=NOW)
    assert r.returncode == 1
    assert f"adventsaktion.md:{line}: error: a gallery does not go into an email" in output(r)
    assert "link to it from here" in output(r)


def test_a_team_photo_that_is_not_there_is_a_broken_image_at_its_line(blocks_ws):
    (blocks_ws / "sites" / CLIENT / "static" / "images" / "team" / "oemer.jpg").unlink()
    page = blocks_ws / "sites" / CLIENT / "content" / "bloecke.md"
    line = 1 + next(i for i, ln in enumerate(page.read_text(encoding="utf-8").splitlines()) if "oemer.jpg" in ln)
    r = sk("check", CLIENT, cwd=blocks_ws, now=NOW)
    assert r.returncode == 1
    assert f"bloecke.md:{line}: error: broken internal image: /images/team/oemer.jpg" in output(r), output(r)
