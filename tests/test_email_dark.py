"""Email contrast in a real browser (Debian chromium via Playwright), light and dark.

For every demo campaign and language, every element that shows text is measured: its
computed colour against its effective background (the nearest ancestor with a background,
blended when translucent, else the page canvas of that scheme). Normal text needs 4.5:1,
large text (24px, or 18.66px bold) 3:1 (WCAG 2 AA).

Three ways of reading the same HTML:
- light: ``prefers-color-scheme: light``;
- dark: ``prefers-color-scheme: dark`` (Apple Mail, iOS Mail, Outlook.com and others that
  honour the media query);
- outlook: Outlook's apps do not run the media query; they mark the body with
  ``data-ogsc`` (text recoloured) and ``data-ogsb`` (backgrounds recoloured) and let the
  email's own ``[data-ogsc]`` / ``[data-ogsb]`` rules win. The app's own recolouring cannot
  run here, so this reading checks that the email's hooks, applied together, are readable.
"""
from __future__ import annotations

import json

import pytest

from helpers import sk

pytestmark = pytest.mark.usefixtures("chromium")  # Debian's chromium, or need() it

CAMPAIGNS = ["baeckerei-sonnenkorn/adventsaktion", "zubni-ordinace-novakova/zimni-usmev"]
AT = "2026-11-01T10:00:00+01:00"

MEASURE = r"""
() => {
  const parse = (s) => {
    // color-mix() computes to color(srgb r g b [/ a]) with channels 0..1
    const c = s.match(/color\(srgb ([^)]+)\)/);
    if (c) {
      const p = c[1].split(/[ \/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    const m = s.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const probe = document.createElement('div');
  probe.style.background = 'Canvas';
  document.body.appendChild(probe);
  const canvas = parse(getComputedStyle(probe).backgroundColor);
  probe.remove();
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = canvas;
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TITLE', 'IMG'].includes(el.tagName)) continue;
    const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own) continue;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    // The hidden preheader (display:none, or 0-size / max-height 0 / opacity 0) is not seen.
    if (cs.display === 'none' || cs.visibility === 'hidden' || r.width < 1 || r.height < 1) continue;
    let hidden = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.opacity === '0' || s.maxHeight === '0px') { hidden = true; break; }
    }
    // MJML sets font-size 0 on column wrappers (inline-block spacing), so only the element's own counts.
    if (parseFloat(cs.fontSize) < 2) hidden = true;
    if (hidden) continue;
    const fg = over(parse(cs.color), background(el));
    const size = parseFloat(cs.fontSize), weight = parseInt(cs.fontWeight, 10);
    const large = size >= 24 || (size >= 18.66 && weight >= 700);
    out.push({tag: el.tagName.toLowerCase(), text: own.slice(0, 40), ratio: ratio(fg, background(el)),
              large, color: cs.color, bg: background(el).slice(0, 3).map(Math.round).join(',')});
  }
  return out;
}
"""


@pytest.fixture
def previews(demo_workspace, tmp_path):
    out = []
    for spec in CAMPAIGNS:
        folder = tmp_path / spec.replace("/", "--")
        r = sk("campaign", "preview", spec, "--out", str(folder), "--json", "--at", AT, cwd=demo_workspace)
        assert r.returncode == 0, r.stderr
        out.append((spec, folder, json.loads(r.stdout.splitlines()[-1])))
    return out


def _read(browser, html_file, scheme: str):
    page, _ = browser.open(html_file, 600)
    try:
        page.emulate_media(color_scheme="light" if scheme == "outlook" else scheme)
        if scheme == "outlook":
            page.evaluate("document.body.setAttribute('data-ogsc', ''); document.body.setAttribute('data-ogsb', '')")
        return page.evaluate(MEASURE)
    finally:
        page.close()


def test_every_text_in_every_demo_email_reaches_aa_contrast_light_dark_and_outlook(previews):
    from sitekeeper.mail.proof import Browser

    failures, measured = [], 0
    with Browser() as browser:
        for spec, folder, result in previews:
            for lang in result["languages"]:
                for scheme in ("light", "dark", "outlook"):
                    items = _read(browser, folder / f"{lang}.local.html", scheme)
                    # Headings, the business name, the banner, the button and the footer are all there.
                    texts = " ".join(i["text"] for i in items)
                    assert len(items) >= 10, f"{spec} {lang} {scheme}: only {len(items)} texts found"
                    measured += len(items)
                    for i in items:
                        need = 3.0 if i["large"] else 4.5
                        if i["ratio"] < need:
                            failures.append(f"{spec} {lang} {scheme}: <{i['tag']}> {i['text']!r} "
                                            f"{i['ratio']:.2f}:1 < {need}:1 ({i['color']} on rgb({i['bg']}))")
                    assert texts
    assert measured > 100
    assert failures == [], "\n".join(failures)


def test_dark_mode_changes_the_card_so_the_dark_reading_is_really_dark(previews):
    from sitekeeper.mail.proof import Browser

    _spec, folder, _result = previews[0]
    with Browser() as browser:
        light = _read(browser, folder / "de.local.html", "light")
        dark = _read(browser, folder / "de.local.html", "dark")
    heading = lambda items: next(i for i in items if i["tag"] == "h2")  # noqa: E731
    assert heading(light)["bg"] != heading(dark)["bg"]
    assert heading(light)["color"] != heading(dark)["color"]


def test_preview_writes_light_and_dark_png_proofs(previews):
    for _spec, folder, result in previews:
        for lang in result["languages"]:
            entry = result["files"][lang]
            for width in (600, 375):
                light, dark = folder / entry[f"png_{width}"], folder / entry[f"png_{width}_dark"]
                assert light != dark
                for png in (light, dark):
                    data = png.read_bytes()
                    assert data[:8] == b"\x89PNG\r\n\x1a\n"
                    assert int.from_bytes(data[16:20], "big") == width * 2
                assert light.read_bytes() != dark.read_bytes()
