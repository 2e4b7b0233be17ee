"""The site's dark mode in a real browser (Debian chromium via Playwright): with the visitor's
setting on dark, every page of both demo sites, in each of the three styles, has a dark page background, and every text set
on a plain background reaches 4.5:1 (3:1 when large), measured on computed colours. Text over
a picture or a gradient (the hero) is left to the light-mode checks: its background has no
single colour. The light reading is measured the same way, so the dark mode takes nothing
from it."""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import sk
from test_email_dark import MEASURE

pytestmark = pytest.mark.usefixtures("chromium")  # Debian's chromium, or need() it

CLIENTS = ["baeckerei-sonnenkorn", "zubni-ordinace-novakova"]
STYLES = ["classic", "photo", "minimal"]
NOW = "2026-11-25T10:00:00+01:00"

# Marks texts whose background chain holds an image or gradient before any solid colour.
MARK_PICTURED = r"""
() => {
  for (const el of document.body.querySelectorAll('*')) {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      const t = s.backgroundColor;
      const alpha = t === 'transparent' || /, 0\)$|\/ 0\)$/.test(t) ? 0 : (/\/ 0?\.|, 0?\.\d+\)$/.test(t) ? 0.5 : 1);
      if (s.backgroundImage !== 'none') { el.setAttribute('data-pictured', ''); break; }
      if (alpha >= 1) break;
    }
  }
}
"""


def _pages(root: Path) -> list[str]:
    return sorted("/" + str(p.relative_to(root)).removesuffix("index.html") for p in root.rglob("index.html"))


def set_style(ws: Path, client: str, style: str) -> None:
    """[theme] style = STYLE in the client's site.toml (the demos set none: classic)."""
    toml = ws / "sites" / client / "site.toml"
    text = toml.read_text(encoding="utf-8")
    assert "[theme]\n" in text and "style =" not in text
    toml.write_text(text.replace("[theme]\n", f'[theme]\nstyle = "{style}"\n', 1), encoding="utf-8")


@pytest.fixture(params=STYLES)
def built(demo_workspace, request):
    out = {}
    for client in CLIENTS:
        set_style(demo_workspace, client, request.param)
        r = sk("build", client, "--out", str(demo_workspace / "out" / client), cwd=demo_workspace, now=NOW)
        assert r.returncode == 0, r.stderr
        out[client] = demo_workspace / "out" / client
    return out


def _measure(page) -> list[dict]:
    page.evaluate(MARK_PICTURED)
    items = page.evaluate(MEASURE.replace("const own =", "if (el.closest('[data-pictured]')) continue;\n    const own ="))
    return items


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_page_of_the_demo_sites_is_readable_in_the_visitors_scheme(built, browser, serve_dir, scheme):
    failures, measured = [], 0
    for client, root in built.items():
        base = serve_dir(root)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        try:
            for url in _pages(root):
                page.goto(base + url)
                body_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
                dark_page = page.evaluate("""() => { const s = getComputedStyle(document.body).backgroundColor;
                    const m = s.match(/[\\d.]+/g).map(Number); return s.startsWith('color(')
                    ? m[0] + m[1] + m[2] < 0.6 : m[0] + m[1] + m[2] < 150; }""")
                assert dark_page == (scheme == "dark"), f"{client}{url} {scheme}: page background {body_bg}"
                items = _measure(page)
                measured += len(items)
                for i in items:
                    need = 3.0 if i["large"] else 4.5
                    if i["ratio"] < need:
                        failures.append(f"{client}{url} {scheme}: <{i['tag']}> {i['text']!r} {i['ratio']:.2f}:1 "
                                        f"({i['color']} on rgb({i['bg']}))")
        finally:
            page.close()
    assert measured > 200
    assert failures == [], "\n".join(failures[:40])
