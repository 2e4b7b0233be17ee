"""At 375 px no price, percentage or Czech one-letter word ends a line in the demo promotion
(measured in Chromium: the word and what follows it are on the same line box)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fixtures_browser import browser, serve_dir, watched_page  # noqa: F401
from helpers import sk

ROOT = Path(__file__).resolve().parent.parent

# For each text node: every one-letter Czech word and every number followed by a unit or
# currency; report those whose last character sits on a higher line than the next word.
MEASURE = r"""
() => {
  const pattern = /(?:^|[\s(„])([ksvzouaiKSVZOUAI])[\s\u00a0](?=\S)|(\d)[\s\u00a0](?=(?:Kč|%|€|\d{3}))/g;
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  const bad = [];
  let checked = 0;
  const top = (node, i) => {
    const r = document.createRange();
    r.setStart(node, i); r.setEnd(node, i + 1);
    const rects = r.getClientRects();
    return rects.length ? rects[0].top : null;
  };
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent;
    for (const m of text.matchAll(pattern)) {
      const word = m[1] || m[2];
      const at = m.index + m[0].indexOf(word);
      const a = top(node, at), b = top(node, at + 2);
      if (a === null || b === null) continue;
      checked++;
      if (b - a > 4) bad.push(text.slice(Math.max(0, at - 15), at + 15));
    }
  }
  return {checked, bad};
}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ws = tmp_path_factory.mktemp("typo") / "ws"
    ws.mkdir()
    for name in ("sites", "campaigns"):
        shutil.copytree(ROOT / name, ws / name)
    (ws / "sitekeeper.toml").write_text("")
    res = sk("build", "zubni-ordinace-novakova", "--out", "out", cwd=ws, now="2026-12-01T10:00:00+01:00")
    assert res.returncode == 0, res.stderr
    return ws / "out"


@pytest.mark.parametrize("path", ["/akce/zimni-usmev/", "/en/promotions/zimni-usmev/", "/"])
def test_no_price_or_one_letter_word_ends_a_line_at_phone_width(built, serve_dir, watched_page, path):  # noqa: F811
    base = serve_dir(built)
    wp = watched_page(width=375)
    wp.page.goto(base + path)
    result = wp.page.evaluate(MEASURE)
    assert result["checked"] > 3, "the measurement found nothing to check"
    assert result["bad"] == [], f"line ends after: {result['bad']}"
