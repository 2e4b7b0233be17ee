"""The blocks in a real browser (Debian's chromium via Playwright) and before the Nu HTML
Checker: the bakery demo with a page holding every block (tests/blocks_page.py), built with
the CLI and served on 127.0.0.1. The gallery's pictures open and close with the keyboard, FAQ
answers open and close, and the map sends nothing to a third party until it is asked to."""
from __future__ import annotations

import re
import urllib.parse

import pytest
from blocks_page import CLIENT, URL, add_blocks_page
from helpers import output, sk
from test_judges import describe_vnu, vnu, vnu_messages  # noqa: F401 (vnu: the checker fixture)

NOW = "2026-11-25T10:00:00+01:00"
OSM = re.compile(r"^https://www\.openstreetmap\.org/")


@pytest.fixture
def site(demo_workspace, serve_dir):
    add_blocks_page(demo_workspace)
    out = demo_workspace / "out"
    r = sk("build", CLIENT, "--out", str(out), cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, output(r)
    return out, serve_dir(out)


def test_a_page_with_every_block_passes_the_nu_html_checker(site, vnu):  # noqa: F811
    out, base = site
    sheets = [base + "/" + p.relative_to(out).as_posix() for p in (out / "assets").glob("style.*.css")]
    messages = vnu_messages(vnu, [base + URL, *sheets])
    errors = [m for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(map(describe_vnu, errors))


def _tab_to(page, selector: str, most: int = 80) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_gallery_opens_steps_and_closes_with_the_keyboard(site, browser):
    _, base = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(base + URL)
        boxes = page.locator(".lightbox")
        assert boxes.count() == 4 and not boxes.first.is_visible()
        _tab_to(page, ".gallery-thumb")
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#gallery-1-1"
        first = page.locator("#gallery-1-1")
        assert first.is_visible()
        assert first.locator("img").evaluate("i => i.getBoundingClientRect().width") > 400  # shown large
        page.wait_for_function("document.querySelector('#gallery-1-1 img').naturalWidth > 0")
        _tab_to(page, "#gallery-1-1 .lightbox-next", most=5)  # the next stop after opening is in the lightbox
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#gallery-1-2"
        assert page.locator("#gallery-1-2").is_visible() and not first.is_visible()
        _tab_to(page, "#gallery-1-2 .lightbox-close", most=5)
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#gallery-1-t2"
        assert not page.locator("#gallery-1-2").is_visible()
    finally:
        page.close()


def test_faq_answers_open_and_close_by_keyboard_and_click(site, browser):
    _, base = site
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        page.goto(base + URL)
        details = page.locator(".block-faq details").first
        answer = details.locator(".faq-answer")
        assert not answer.is_visible()
        _tab_to(page, ".block-faq summary")
        page.keyboard.press("Enter")
        assert details.evaluate("d => d.open") and answer.is_visible()
        page.keyboard.press("Space")
        assert not details.evaluate("d => d.open")
        details.locator("summary").click()
        assert answer.is_visible()
    finally:
        page.close()


def test_the_map_requests_nothing_outside_until_the_visitor_asks(site, browser):
    _, base = site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    # OpenStreetMap answered locally: the test sees the request and never leaves the machine
    context.route(OSM, lambda route: route.fulfill(status=200, content_type="text/html",
                                                   body="<!DOCTYPE html><title>map</title><p>the map</p>"))
    try:
        page = context.new_page()
        page.goto(base + URL)
        page.locator(".block-map").scroll_into_view_if_needed()
        page.mouse.wheel(0, 5000)
        page.wait_for_load_state("networkidle")
        outside = [u for u in requests if urllib.parse.urlsplit(u).hostname not in ("127.0.0.1", None)
                   and not u.startswith(("data:", "about:"))]
        assert outside == [], outside
        assert any(u.startswith(base) for u in requests)
        frame = page.frame_locator("iframe.map-frame")
        button = frame.get_by_role("link")
        assert "Karte" in button.inner_text()  # the page's language: "Auf der Karte zeigen"
        button.click()
        page.wait_for_function("() => true")
        frame.get_by_text("the map").wait_for()
        asked = [u for u in requests if OSM.match(u)]
        assert asked and asked[0].startswith("https://www.openstreetmap.org/export/embed.html?bbox=")
    finally:
        context.close()
