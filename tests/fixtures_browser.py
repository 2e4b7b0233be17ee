"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), and a static host.

- ``browser``: one Chromium per test module (skipped, with the reason, when
  /usr/bin/chromium is not installed). Never run ``playwright install``: the PyPI
  package drives the system Chromium through ``executable_path``. Module scope, not
  session: a running sync Playwright owns an event loop, and code under test in other
  modules (email proofs) starts its own sync Playwright, which refuses to run inside one.
- ``serve_dir``: ``serve_dir(folder) -> "http://127.0.0.1:PORT"`` serves a built site the
  way a static host does: ``/path/`` -> ``/path/index.html``, unknown paths -> ``404.html``
  with status 404. Servers stop at the end of the test.
- ``watched_page``: ``watched_page(width=1280) -> WatchedPage``: a fresh page that records
  console errors and failed requests (network failures and 4xx/5xx sub-resources).
"""
from __future__ import annotations

import functools
import http.server
import io
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import need

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium, or need() it. A test that drives it without the browser fixture
    (through the CLI or sitekeeper.mail.proof) asks for this one, and is marked `browser`."""
    if not Path(CHROMIUM).exists():
        need("Chromium is not installed at /usr/bin/chromium", "apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class _StaticHostHandler(http.server.SimpleHTTPRequestHandler):
    """Directory URLs serve index.html; anything missing serves 404.html with status 404."""

    def log_message(self, format, *args):  # noqa: A002 - keep test output clean
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        missing = not path.exists() or (path.is_dir() and not (path / "index.html").is_file())
        not_found = Path(self.directory) / "404.html"
        if missing and not_found.is_file():
            body = not_found.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


@pytest.fixture
def serve_dir():
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder) -> str:
        handler = functools.partial(_StaticHostHandler, directory=str(Path(folder).resolve()))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@dataclass
class WatchedPage:
    page: object
    """The Playwright page."""
    console_errors: list[str] = field(default_factory=list)
    """Console messages of type error, with the page URL."""
    failed_requests: list[str] = field(default_factory=list)
    """Requests that failed at network level, and sub-resources answered with 4xx/5xx."""
    expected_404: set[str] = field(default_factory=set)
    """Document URLs that are meant to be 404 (their own console error is ignored)."""
    pending: set = field(default_factory=set)
    """Requests in flight."""

    def goto(self, url: str, expect_status: int = 200):
        if expect_status == 404:
            self.expected_404.add(url)
        response = self.page.goto(url)
        assert response is not None and response.status == expect_status, (
            f"{url}: status {response.status if response else None}, expected {expect_status}")
        self.settle()
        return response

    def settle(self, timeout_ms: int = 5000) -> None:
        """Wait until no request is in flight: late ones (the favicon, lazy images) would
        otherwise be aborted by the next navigation and look like failures."""
        self.page.wait_for_load_state("load")
        waited = 0
        while self.pending and waited < timeout_ms:
            self.page.wait_for_timeout(20)
            waited += 20

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.failed_requests


@pytest.fixture
def watched_page(browser):
    contexts = []

    def make(width: int = 1280, height: int = 900) -> WatchedPage:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        watched = WatchedPage(page)

        def on_console(msg):
            if msg.type != "error":
                return
            if "status of 404" in msg.text and msg.location.get("url") in watched.expected_404:
                return
            watched.console_errors.append(f"{page.url}: {msg.text}")

        def on_response(response):
            if response.status >= 400 and response.request.resource_type != "document":
                watched.failed_requests.append(f"{response.status} {response.url} (on {page.url})")

        def on_request_failed(request):
            # ERR_ABORTED is the browser cancelling a request because the test moved on
            # (Chromium fetches the favicon after `load`); a missing file shows up as a
            # 4xx response instead, which on_response records.
            if request.failure != "net::ERR_ABORTED":
                watched.failed_requests.append(f"{request.url}: {request.failure} (on {page.url})")

        page.on("request", lambda req: watched.pending.add(req))
        page.on("requestfinished", lambda req: watched.pending.discard(req))
        page.on("requestfailed", lambda req: watched.pending.discard(req))
        page.on("console", on_console)
        page.on("pageerror", lambda exc: watched.console_errors.append(f"{page.url}: {exc}"))
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        return watched

    yield make
    for context in contexts:
        context.close()
