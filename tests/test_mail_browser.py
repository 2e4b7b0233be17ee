"""The email in a real browser (Debian chromium via Playwright): it fits a phone and a
desktop column, loads nothing from the network, and shows the address and unsubscribe link."""
from __future__ import annotations

import json

import pytest

from helpers import sk

pytestmark = pytest.mark.usefixtures("chromium")  # Debian's chromium, or need() it

SPEC = "baeckerei-sonnenkorn/adventsaktion"


@pytest.fixture
def preview(demo_workspace, tmp_path):
    out = tmp_path / "proofs"
    r = sk("campaign", "preview", SPEC, "--out", str(out), "--json", "--at", "2026-11-01T10:00:00+01:00",
           cwd=demo_workspace)
    assert r.returncode == 0, r.stderr
    return out, json.loads(r.stdout.splitlines()[-1])


def test_email_fits_without_horizontal_scroll_and_shows_address_and_unsubscribe(preview):
    from sitekeeper.mail.proof import Browser

    out, _ = preview
    with Browser() as browser:
        for lang in ("de", "en"):
            for width in (375, 600):
                _check_page(browser, out, lang, width)


def _check_page(browser, out, lang, width):
        page, failed = browser.open(out / f"{lang}.local.html", width)
        try:
            scroll = page.evaluate("document.scrollingElement.scrollWidth")
            assert scroll <= width, f"horizontal scroll at {width}px: content is {scroll}px wide"
            assert [u for u in failed if not u.split("?")[0].endswith((".png", ".jpg", ".jpeg", ".gif", ".svg"))] == []
            assert page.get_by_text("Wühlischstraße 27").first.is_visible()
            unsubscribe = page.get_by_role("link", name={"de": "Abmelden", "en": "Unsubscribe"}[lang])
            assert unsubscribe.is_visible()
            page_url = "https://baeckerei-sonnenkorn.example/" + {"de": "", "en": "en/"}[lang] + "newsletter/unsubscribe/#t="
            assert unsubscribe.get_attribute("href").startswith(page_url)
            button = page.get_by_role("link", name={"de": "Jetzt vorbestellen", "en": "Order now"}[lang])
            assert button.is_visible()
            broken = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
            assert broken == 0, "local proof images did not load"
        finally:
            page.close()


def test_preview_writes_png_proofs_at_desktop_and_phone_width(preview):
    out, result = preview
    for lang in ("de", "en"):
        for width in (600, 375):
            png = out / f"{lang}-{width}.png"
            data = png.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
            assert w == width * 2 and h > w  # device scale 2, full height
        assert result["files"][lang]["png_600"].endswith(f"{lang}-600.png")
