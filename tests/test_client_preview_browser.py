"""A private preview in Chromium: served from a host root that holds nothing but the preview's
folder, so any link, image or stylesheet pointing outside it would fail. The client's clicks
stay inside the preview, at phone and desktop widths."""
from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from helpers import json_lines, sk

CLIENT = "baeckerei-sonnenkorn"
NOW = "2026-10-01T10:00:00+02:00"


@pytest.fixture
def preview_site(demo_workspace, tmp_path):
    if not (demo_workspace / "sites" / CLIENT).is_dir():
        pytest.skip(f"demo client {CLIENT} not shipped")
    proc = sk("preview", CLIENT, "--at", "2026-12-01T10:00:00+01:00", "--json", cwd=demo_workspace, now=NOW)
    assert proc.returncode == 0, proc.stderr
    res = json_lines(proc.stdout)[-1]
    host = tmp_path / "host"
    host.mkdir()
    shutil.copytree(demo_workspace / "public" / CLIENT / res["folder"], host / res["folder"])
    return host, res


@pytest.mark.parametrize("width", [375, 1280])
def test_every_link_of_the_preview_home_stays_inside_the_preview_and_loads(preview_site, serve_dir, watched_page, width):
    host, res = preview_site
    folder = res["folder"]
    base = serve_dir(host)
    w = watched_page(width=width)
    w.goto(f"{base}/{folder}/")
    page = w.page
    assert page.eval_on_selector("meta[name=robots]", "m => m.content") == "noindex, nofollow"
    assert page.eval_on_selector_all("meta[name=robots]", "ms => ms.length") == 1
    assert page.eval_on_selector("link[rel=canonical]", "l => l.href") == res["url"]
    assert page.eval_on_selector("meta[name=referrer]", "m => m.content") == "same-origin"
    # the stylesheet loaded from the preview: the page is styled (the header band has its colour)
    assert page.eval_on_selector("link[rel=stylesheet]", "l => l.sheet !== null && l.sheet.cssRules.length > 0")
    links = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    inside = sorted({h.split("#")[0] for h in links if h.startswith(base)})
    assert len(inside) >= 8 and all(urlsplit(h).path.startswith(f"/{folder}/") for h in inside)
    pages = [h for h in inside if urlsplit(h).path.endswith(("/", ".html"))]  # not the feed
    assert len(pages) >= 8
    for href in pages:
        w.goto(href)
        assert urlsplit(page.url).path.startswith(f"/{folder}/")
        assert page.eval_on_selector("meta[name=robots]", "m => m.content") == "noindex, nofollow"
    assert w.problems == []
    # the promotion of the --at date is in the preview
    w.goto(f"{base}/{folder}/promotions/adventsaktion/")
    assert "Advent" in page.title()


def test_a_request_to_another_site_from_the_preview_carries_no_referrer(preview_site, serve_dir, watched_page):
    import http.server
    import threading

    seen: list[dict] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - quiet
            pass

        def do_GET(self):  # noqa: N802 - the http.server name
            seen.append(dict(self.headers))
            self.send_response(204)
            self.end_headers()

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        host, res = preview_site
        w = watched_page(width=1280)
        w.goto(f"{serve_dir(host)}/{res['folder']}/kontakt/")
        w.page.evaluate("u => fetch(u, {mode: 'no-cors'})", f"http://127.0.0.1:{other.server_address[1]}/pixel")
        w.page.wait_for_timeout(300)
    finally:
        other.shutdown()
        other.server_close()
    assert len(seen) == 1
    assert not any(k.lower() == "referer" for k in seen[0])  # the preview's address stays with the client
