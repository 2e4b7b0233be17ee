"""The demo bakery, built with the CLI and opened in a real browser (Chromium).

Each test builds `baeckerei-sonnenkorn` from a private copy of the demo workspace with
a fixed clock (SITEKEEPER_NOW), serves the output like a static host and checks what a
visitor gets: pages without console errors or broken requests, the language switcher,
the promotion banner inside (and only inside) its window, a usable phone layout, the
skip link and the 404 page.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import sk

CLIENT = "baeckerei-sonnenkorn"
# Adventsaktion runs from 2026-11-20 08:00 to 2027-01-07 (exclusive), Europe/Berlin.
INSIDE_PROMOTION = "2026-11-25T10:00:00+01:00"
BEFORE_PROMOTION = "2026-10-15T10:00:00+02:00"
PROMOTION_URL = "/promotions/adventsaktion/"


def build(out: Path, now: str) -> Path:
    """`sitekeeper build CLIENT --out DIR` in the current (demo) workspace, with a fixed clock."""
    proc = sk("build", CLIENT, "--out", str(out), cwd=Path.cwd(), now=now)
    assert proc.returncode == 0, f"build failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    assert (out / "index.html").is_file(), f"no index.html in {out}"
    return out


def page_paths(site: Path) -> list[str]:
    """Every page of a built site as a URL path ('/', '/en/products/' ...)."""
    paths = []
    for index in sorted(site.rglob("index.html")):
        rel = index.parent.relative_to(site).as_posix()
        if not rel.startswith(".sitekeeper"):
            paths.append("/" if rel == "." else f"/{rel}/")
    return paths


@pytest.fixture
def site_in_window(demo_workspace) -> Path:
    return build(demo_workspace / "out-in-window", INSIDE_PROMOTION)


def test_every_page_loads_without_console_errors_or_failed_requests(site_in_window, serve_dir, watched_page):
    base = serve_dir(site_in_window)
    paths = page_paths(site_in_window)
    assert {"/", "/en/", "/sortiment/", "/en/products/", PROMOTION_URL} <= set(paths)
    for width in (1280, 375):
        watched = watched_page(width=width)
        for path in paths:
            watched.goto(base + path)
        assert watched.problems == [], "\n".join(watched.problems)
    # The favicon is fetched after `load` and may be cancelled by the next navigation,
    # so check it once on its own.
    icon = watched.page.get_attribute("link[rel=icon]", "href")
    assert icon and watched.page.request.get(base + icon).status == 200


def test_language_switcher_leads_to_the_english_translation(site_in_window, serve_dir, watched_page):
    base = serve_dir(site_in_window)
    watched = watched_page()
    page = watched.page
    watched.goto(base + "/sortiment/")
    assert page.get_attribute("html", "lang") == "de"

    switcher = page.get_by_role("navigation", name="Sprache")
    switcher.get_by_role("link", name="English").click()
    watched.settle()

    assert page.url == base + "/en/products/"
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Products"
    # and back again
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Deutsch").click()
    watched.settle()
    assert page.url == base + "/sortiment/"
    assert watched.problems == [], "\n".join(watched.problems)


def test_promotion_banner_is_shown_on_every_page_inside_the_window(site_in_window, serve_dir, watched_page):
    base = serve_dir(site_in_window)
    watched = watched_page()
    page = watched.page
    for path in ("/", "/sortiment/", "/kontakt/", "/impressum/"):
        watched.goto(base + path)
        banner = page.locator(".banner").first
        assert banner.is_visible(), f"no promotion banner on {path}"
        assert "Adventsaktion" in banner.inner_text()

    watched.goto(base + "/")
    page.locator(".banner").get_by_role("link").click()
    watched.settle()
    assert page.url == base + PROMOTION_URL
    assert "Adventsaktion" in page.get_by_role("heading", level=1).inner_text()

    watched.goto(base + "/en/")
    assert "Advent offer" in page.locator(".banner").first.inner_text()
    assert watched.problems == [], "\n".join(watched.problems)


def test_promotion_banner_and_page_are_absent_outside_the_window(demo_workspace, serve_dir, watched_page):
    site = build(demo_workspace / "out-before", BEFORE_PROMOTION)
    base = serve_dir(site)
    watched = watched_page()
    page = watched.page
    for path in ("/", "/sortiment/", "/en/"):
        watched.goto(base + path)
        assert page.locator(".banner").count() == 0, f"promotion banner on {path} before the window"
        assert "Adventsaktion" not in page.content()
    watched.goto(base + PROMOTION_URL, expect_status=404)
    assert watched.problems == [], "\n".join(watched.problems)


def test_phone_width_has_no_horizontal_scroll_and_the_menu_works(site_in_window, serve_dir, watched_page):
    base = serve_dir(site_in_window)
    watched = watched_page(width=375, height=740)
    page = watched.page
    for path in page_paths(site_in_window):
        watched.goto(base + path)
        scroll_width, inner_width = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width, f"{path}: {scroll_width}px wide content in a {inner_width}px window"

    watched.goto(base + "/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    contact = nav.get_by_role("link", name="Kontakt")
    assert not contact.is_visible(), "the phone menu should start closed"
    page.get_by_text("Menü", exact=True).click()
    assert contact.is_visible(), "the menu button did not open the menu"
    box = contact.bounding_box()
    assert box is not None and box["height"] >= 24 and box["x"] >= 0 and box["x"] + box["width"] <= 375
    contact.click()
    watched.settle()
    assert page.url == base + "/kontakt/"
    assert watched.problems == [], "\n".join(watched.problems)


def test_desktop_menu_is_visible_without_a_toggle(site_in_window, serve_dir, watched_page):
    base = serve_dir(site_in_window)
    watched = watched_page(width=1280)
    page = watched.page
    watched.goto(base + "/")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert nav.get_by_role("link", name="Sortiment").is_visible()
    assert not page.get_by_text("Menü", exact=True).is_visible()


def test_skip_link_is_first_and_jumps_to_main(site_in_window, serve_dir, watched_page):
    base = serve_dir(site_in_window)
    watched = watched_page()
    page = watched.page
    watched.goto(base + "/sortiment/")
    skip = page.locator("a.skip-link")
    assert skip.get_attribute("href") == "#main"
    assert page.locator("main#main").count() == 1

    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip-link", "Zum Inhalt springen"]
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    for landmark in ("banner", "main", "contentinfo"):
        assert page.get_by_role(landmark).count() >= 1, f"no {landmark} landmark"


def test_unknown_page_gets_the_friendly_404_in_the_default_language(site_in_window, serve_dir, watched_page):
    base = serve_dir(site_in_window)
    watched = watched_page()
    page = watched.page
    watched.goto(base + "/gibt-es-nicht/", expect_status=404)
    assert page.get_attribute("html", "lang") == "de"
    assert page.get_by_role("heading", level=1).inner_text() == "Seite nicht gefunden"
    page.get_by_role("link", name="Zur Startseite").click()
    watched.settle()
    assert page.url == base + "/"
    assert watched.problems == [], "\n".join(watched.problems)
