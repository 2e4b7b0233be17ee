"""PNG proofs of an email, rendered by headless Chromium (Playwright driving Debian's chromium).

Images on the client's site are swapped for ``file://`` URLs of the local static/
files (the site may not be deployed yet, and proofs must not depend on the network);
every other request that is not a local file is aborted so rendering never hangs.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import MailError

WIDTHS = {"desktop": 600, "phone": 375}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def local_html(html: str, links) -> str:
    """The HTML with images on the client's site pointing at the local files."""
    for ref in links:
        if ref.kind == "image" and ref.local is not None and ref.local.is_file():
            html = html.replace(f'"{ref.url}"', f'"{ref.local.resolve().as_uri()}"')
    return html


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not path:
        raise MailError("no Chromium found (Debian's `chromium` package)")
    return path


class Browser:
    """One headless Chromium for several proofs."""

    def __enter__(self):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise MailError("the `playwright` Python package is not installed (it drives the system "
                            "chromium; no `playwright install` is needed)") from exc
        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        except Exception as exc:
            self._pw.stop()
            raise MailError(f"could not start Chromium for the PNG proofs: {exc}") from exc
        return self

    def __exit__(self, *exc):
        self.browser.close()
        self._pw.stop()

    def open(self, html_file: Path, width: int):
        """A page showing ``html_file`` at ``width`` CSS pixels; returns (page, failed request URLs)."""
        # A short viewport: the full-page shot is as tall as the email, not a fixed canvas.
        page = self.browser.new_page(viewport={"width": width, "height": 200}, device_scale_factor=2)
        failed: list[str] = []

        def route(r):
            if r.request.url.startswith(("file:", "data:", "about:")):
                r.continue_()
            else:
                failed.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda req: failed.append(req.url) if req.url not in failed else None)
        page.goto(html_file.resolve().as_uri(), wait_until="load", timeout=20000)
        return page, failed

    def screenshot(self, html_file: Path, png: Path, width: int, scheme: str = "light") -> None:
        """A full-page PNG as a reader with ``scheme`` ("light" or "dark") set sees it."""
        page, _ = self.open(html_file, width)
        try:
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=str(png), full_page=True)
        finally:
            page.close()


def with_browser(use, name: str = "sitekeeper-browser"):
    """``use(browser)`` with one headless Chromium, in a thread of its own: Playwright's sync
    API refuses to start in a thread whose asyncio loop is running (a caller inside an event
    loop, or a test session that already drives a browser), and a fresh thread has no loop.
    An exception in ``use`` is raised in the caller's thread."""
    import threading

    errors: list[BaseException] = []

    def work() -> None:
        try:
            with Browser() as browser:
                use(browser)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=work, name=name)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def screenshot_all(jobs) -> None:
    """Render every (html file, png, width, scheme) job in one Chromium."""

    def shoot(browser) -> None:
        for local, png, width, scheme in jobs:
            browser.screenshot(local, png, width, scheme)

    with_browser(shoot, "sitekeeper-proofs")
