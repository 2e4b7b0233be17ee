"""`sitekeeper serve`: a real HTTP server on 127.0.0.1 that rebuilds after an edit."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import pytest

from helpers import copy_workspace

from sitekeeper.clock import Clock
from sitekeeper.config import find_workspace
from sitekeeper.report import RecordingReporter
from sitekeeper.serve import RELOAD_PATH, serve


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.servers  # sitekeeper's own HTTP server, in-process
def test_serve_shows_the_site_and_rebuilds_after_an_edit(tmp_path):
    ws_dir = copy_workspace("mini", tmp_path)
    ws = find_workspace(ws_dir)
    ready, stop, urls = threading.Event(), threading.Event(), []
    clock = Clock.from_value("2026-03-05T12:00:00+01:00")
    thread = threading.Thread(target=serve, kwargs=dict(
        ws=ws, client="mini", clock=clock, reporter=RecordingReporter(), port=0, poll=0.1, stop=stop,
        on_ready=lambda u: (urls.append(u), ready.set())), daemon=True)
    thread.start()
    try:
        assert ready.wait(60)
        base = urls[0]
        assert base.startswith("http://127.0.0.1:")
        status, body = get(base + "preise/")
        assert status == 200 and "2,50" in body and RELOAD_PATH in body
        status, body = get(base + "nirgendwo/")
        assert status == 404
        _, version = get(base + RELOAD_PATH.lstrip("/"))
        page = ws_dir / "sites/mini/content/preise.md"
        page.write_text(page.read_text().replace("2,50", "2,70"))
        deadline = time.time() + 120
        while time.time() < deadline and get(base + RELOAD_PATH.lstrip("/"))[1] == version:
            time.sleep(0.1)
        assert "2,70" in get(base + "preise/")[1]
        assert RELOAD_PATH not in (ws_dir / ".sitekeeper/build/mini/preise/index.html").read_text()
        page.write_text("---\ntitle: [broken\n---\n")
        deadline = time.time() + 120
        while time.time() < deadline and get(base + "preise/")[0] != 500:
            time.sleep(0.1)
        status, body = get(base + "preise/")
        assert status == 500 and "preise.md" in body
    finally:
        stop.set()
        thread.join(10)
