"""The web copy of a sent newsletter (/newsletter/<slug>/) says when it was sent."""
from __future__ import annotations

import re

from helpers import copy_workspace, sk


def test_newsletter_web_copy_shows_its_send_date(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    assert sk("campaign", "approve", "mini/fruehling", "--by", "Frau Weber", cwd=ws,
              now="2026-02-20T10:00:00+01:00").returncode == 0
    send_at = re.search(r"^send_at:\s*(\S+)", (ws / "campaigns/mini/fruehling.md").read_text(encoding="utf-8"), re.M)
    assert send_at, "the approved campaign has a send_at"
    built = sk("build", "mini", "--out", "after", cwd=ws, now="2026-06-01T10:00:00+02:00")
    assert built.returncode == 0, built.stderr
    for copy in ("after/newsletter/fruehling/index.html", "after/en/newsletter/fruehling/index.html"):
        page = (ws / copy).read_text(encoding="utf-8")
        m = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', page)
        assert m, f"{copy}: no date shown"
        assert m.group(1).startswith(send_at.group(1)[:10]), (m.group(1), send_at.group(1))
