"""The styles' layout in a real browser (Debian chromium via Playwright), on every page of both
demo sites in each style: the footer on a phone is compact (under 300 px at 375 px wide, the
details on the contact page), and a home page without a picture opens on a real first screen
(the name, the tagline, the live promotion and how to reach the business) that says the
promotion once; the photo style's hero picture runs edge to edge, the others frame it."""
from __future__ import annotations

import pytest
from helpers import sk
from test_site_dark import CLIENTS, NOW, STYLES, _pages, set_style

pytestmark = pytest.mark.usefixtures("chromium")

FOOTER_MAX = 300


@pytest.fixture(params=STYLES)
def styled(demo_workspace, request):
    """Both demos built in one style, and the bakery once more with its home page's picture taken away."""
    style = request.param
    out = {}
    for client in CLIENTS:
        set_style(demo_workspace, client, style)
        r = sk("build", client, "--out", str(demo_workspace / "out" / client), cwd=demo_workspace, now=NOW)
        assert r.returncode == 0, r.stderr
        out[client] = demo_workspace / "out" / client
    home = demo_workspace / "sites" / CLIENTS[0] / "content" / "index.md"
    text = home.read_text(encoding="utf-8")
    assert "\nimage: " in text
    home.write_text("\n".join(line for line in text.split("\n") if not line.startswith("image: ")), encoding="utf-8")
    plain = demo_workspace / "out" / "plain"
    r = sk("build", CLIENTS[0], "--out", str(plain), cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, r.stderr
    return style, out, plain


def test_the_phone_footer_is_compact_on_every_page(styled, browser, serve_dir):
    style, built, _ = styled
    heights, tall = {}, []
    for client, root in built.items():
        base = serve_dir(root)
        page = browser.new_page(viewport={"width": 375, "height": 800})
        try:
            for url in _pages(root):
                page.goto(base + url)
                h = page.evaluate("document.querySelector('.site-footer').getBoundingClientRect().height")
                heights[client + url] = h
                if h >= FOOTER_MAX:
                    tall.append(f"{style} {client}{url}: footer {h:.0f} px")
                # The phone number and the way to the details stay; the details themselves go.
                assert page.locator(".site-footer__details").evaluate_all(
                    "els => els.every(e => getComputedStyle(e).display === 'none')")
                assert page.locator(".site-footer .business__phone").first.is_visible()
        finally:
            page.close()
    assert len(heights) > 20
    assert tall == [], "\n".join(tall)


def test_the_wide_footer_shows_the_details_except_where_the_page_does(styled, browser, serve_dir):
    _, built, _ = styled
    root = built[CLIENTS[0]]
    base = serve_dir(root)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(base + "/sortiment/")
        assert page.locator(".site-footer__details .business__address").is_visible()
        for url in ("/", "/kontakt/"):  # these show the contact block themselves
            page.goto(base + url)
            assert page.locator(".site-footer__details").count() == 0, url
            assert page.locator("main .business__address").count() == 1, url
    finally:
        page.close()


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_a_home_page_without_a_picture_opens_on_a_real_first_screen(styled, browser, serve_dir):
    style, _, plain = styled
    base = serve_dir(plain)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(base + "/")
        assert page.locator("h1").inner_text() == "Bäckerei Sonnenkorn"
        assert page.locator(".hero__tagline").inner_text() == "Frisch gebacken seit 1962"
        offer = page.locator(".hero-offer")
        assert offer.count() == 1 and "Adventsaktion" in offer.inner_text()
        assert offer.get_attribute("href") == "/promotions/adventsaktion/"
        visit = page.locator(".hero-visit")
        assert "Wühlischstraße 27" in visit.inner_text() and "+49 30 23125478" in visit.inner_text()
        # All of it on the first screen, and the promotion said once (no banner above it).
        for selector in ("h1", ".hero__tagline", ".hero-offer", ".hero-visit .business__phone", ".hero-visit .hours"):
            box = _box(page, selector)
            assert box["y"] + box["height"] <= 800, f"{style}: {selector} below the first screen"
        assert page.locator(".banners").count() == 0
        assert page.get_by_text("Adventsaktion", exact=False).count() == 1
        # ... and not again above the footer.
        assert page.locator(".home-visit").count() == 0
    finally:
        page.close()
    # A page with a picture keeps its hero and the banner.
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(base + "/sortiment/")
        assert page.locator(".banners").count() == 1
    finally:
        page.close()


def test_the_photo_hero_spans_the_whole_width_the_others_frame_the_picture(styled, browser, serve_dir):
    style, built, _ = styled
    for client, root in built.items():
        base = serve_dir(root)
        for width in (375, 1280):
            page = browser.new_page(viewport={"width": width, "height": 800})
            try:
                page.goto(base + "/")
                img, hero, text = _box(page, ".hero__image"), _box(page, ".hero"), _box(page, ".hero__title")
                if style == "photo":
                    assert img["x"] == 0 and img["width"] == width, (client, width, img)
                    # The title sits on the hero, over (wide) or right under the clear top of (phone) the picture.
                    assert hero["y"] <= text["y"] and text["y"] + text["height"] <= hero["y"] + hero["height"]
                    assert text["y"] >= img["y"] and (width < 768 or text["y"] < img["y"] + img["height"])
                else:
                    assert img["x"] > 0 and img["width"] < width, (style, client, width, img)
            finally:
                page.close()
