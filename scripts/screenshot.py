#!/usr/bin/env python3
"""Screenshot a built site at phone and desktop widths, and report what looks broken.

    sitekeeper build baeckerei-sonnenkorn --out /tmp/site
    python scripts/screenshot.py /tmp/site --out /tmp/shots            # every page
    python scripts/screenshot.py /tmp/site --out /tmp/shots / /en/ /no-such-page/
    python scripts/screenshot.py /tmp/site --out /tmp/shots --schemes light dark /

Serves DIR over http://127.0.0.1 like a static host does (/path/ -> /path/index.html,
unknown paths -> 404.html with status 404), opens each page in Debian's Chromium through
Playwright at 375 and 1280 px (full page, PNG), and prints console errors, failed
requests (4xx/5xx) and horizontal overflow. Exit status 1 if any were found.
Uses /usr/bin/chromium; never run `playwright install`.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import threading
import urllib.parse
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: directory URLs serve index.html, missing files serve 404.html."""

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and not (path / "index.html").is_file() or not path.exists():
            not_found = Path(self.directory) / "404.html"
            if not_found.is_file():
                body = not_found.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                import io
                return io.BytesIO(body)
        return super().send_head()


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(StaticHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def site_paths(root: Path) -> list[str]:
    paths = []
    for index in sorted(root.rglob("index.html")):
        rel = index.parent.relative_to(root).as_posix()
        if rel.startswith(".sitekeeper"):
            continue
        paths.append("/" if rel == "." else f"/{rel}/")
    if (root / "404.html").is_file():
        paths.append("/this-page-does-not-exist/")
    return paths


def _expected_404(message, url: str) -> bool:
    """The 404 page itself logs "Failed to load resource"; that one is expected."""
    return "status of 404" in message.text and message.location.get("url") == url


def shot_name(path: str, width: int, suffix: str = "") -> str:
    stem = urllib.parse.unquote(path).strip("/").replace("/", "_") or "home"
    return f"{stem}{suffix}_{width}.png"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", type=Path, help="a built site folder (sitekeeper build CLIENT --out DIR)")
    ap.add_argument("paths", nargs="*", help="URL paths to shoot (default: every page and a 404)")
    ap.add_argument("--out", type=Path, default=Path("screenshots"), help="folder for the PNGs")
    ap.add_argument("--widths", type=int, nargs="+", default=[375, 1280])
    ap.add_argument("--schemes", nargs="+", choices=["light", "dark"], default=["light"],
                    help="the visitor's colour scheme(s); dark shots get a -dark suffix")
    ap.add_argument("--menu", action="store_true", help="also shoot each page at phone width with the menu open")
    args = ap.parse_intermixed_args(argv)

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    root = args.site.resolve()
    paths = args.paths or site_paths(root)
    args.out.mkdir(parents=True, exist_ok=True)
    server, base = serve(root)
    problems: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for width, scheme in [(w, sc) for sc in args.schemes for w in args.widths]:
                suffix = "" if scheme == "light" else "-dark"
                page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                page.on("console", lambda m, page=page: m.type == "error" and not _expected_404(m, page.url)
                        and problems.append(f"console: {m.text} ({page.url})"))
                page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
                page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
                        and problems.append(f"HTTP {r.status}: {r.url}"))
                for path in paths:
                    page.goto(base + urllib.parse.quote(path))
                    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
                    if overflow > 0:
                        problems.append(f"{path} at {width}px: {overflow}px horizontal overflow")
                    out = args.out / shot_name(path, width, suffix)
                    page.screenshot(path=str(out), full_page=True)
                    print(out)
                    if args.menu and width < 768 and page.locator(".nav-button").count():
                        page.click(".nav-button")
                        page.wait_for_timeout(300)  # let the icon's transition finish
                        out = args.out / shot_name(path, width, suffix + "-menu")
                        page.screenshot(path=str(out))
                        print(out)
                page.close()
            browser.close()
    finally:
        server.shutdown()
    for p in problems:
        print("PROBLEM", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
