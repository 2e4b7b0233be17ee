"""`sitekeeper serve CLIENT`: a local preview with live reload.

Builds the site (incrementally, into the usual build folder), serves it on 127.0.0.1
the way a static host does (``/path/`` -> ``/path/index.html``, unknown paths ->
``404.html`` with status 404), and watches the client's files: after an edit it
rebuilds and every open page reloads itself. The reload script is added to pages
as they are served; the files on disk stay exactly what a publish would upload.
A build error is shown in the terminal and in the browser, and the last good
site keeps being served.
"""
from __future__ import annotations

import html
import http.server
import os
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .build import build_client, default_out, inputs_signature
from .config import load_site
from .errors import SitekeeperError

RELOAD_PATH = "/.sitekeeper/reload"
_SCRIPT = (
    "<script>(function(){var v=null;function poll(){fetch('" + RELOAD_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t;"
    "setTimeout(poll,700)}).catch(function(){setTimeout(poll,1500)})}poll()})();</script>"
)


class _State:
    def __init__(self):
        self.version = 0
        self.error = ""
        self.lock = threading.Lock()


def _handler(root: Path, state: _State):
    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "sitekeeper-serve"

        def log_message(self, format, *args):  # noqa: A002 - quiet: the terminal shows rebuilds
            pass

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):  # noqa: N802
            self.do_GET()

        def do_GET(self):  # noqa: N802
            path = unquote(urlsplit(self.path).path)
            if path == RELOAD_PATH:
                return self._send(200, f"{state.version}:{bool(state.error)}".encode(), "text/plain")
            if state.error:
                page = (f"<!doctype html><meta charset=utf-8><title>Build error</title><body style='font:16px/1.5 "
                        f"system-ui;padding:2rem'><h1>The site did not build</h1><pre style='white-space:pre-wrap'>"
                        f"{html.escape(state.error)}</pre>{_SCRIPT}").encode()
                return self._send(500, page, "text/html; charset=utf-8")
            target = (root / path.lstrip("/")).resolve()
            if root not in target.parents and target != root:
                return self._send(404, b"not found", "text/plain")
            if target.is_dir():
                target = target / "index.html"
            status = 200
            if not target.is_file() or any(p.startswith(".sitekeeper") for p in target.relative_to(root).parts):
                target, status = root / "404.html", 404
                if not target.is_file():
                    return self._send(404, b"not found", "text/plain")
            data = target.read_bytes()
            ctype = _content_type(target.name)
            if ctype.startswith("text/html"):
                data = data.replace(b"</body>", _SCRIPT.encode() + b"</body>", 1)
            return self._send(status, data, ctype)

    return Handler


def _content_type(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    return {
        ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8", ".xml": "application/xml; charset=utf-8",
        ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon",
        ".json": "application/json", ".pdf": "application/pdf", ".woff2": "font/woff2",
    }.get(ext, "application/octet-stream")


def serve(ws, client: str, clock, reporter, port: int = 8000, out: Path | None = None,
          poll: float = 0.5, stop: threading.Event | None = None, on_ready=None) -> None:
    cfg = load_site(ws, client)
    out_dir = (out or default_out(ws, client)).resolve()
    state = _State()

    def rebuild(first: bool = False) -> None:
        started = time.perf_counter()
        try:
            result = build_client(ws, client, clock, reporter, out=out_dir)
        except SitekeeperError as exc:
            state.error = "\n".join(str(d) for d in exc.diagnostics())
            reporter.problems(exc.diagnostics())
        else:
            state.error = ""
            if result.written or result.deleted:
                reporter.info(f"{'built' if first else 'rebuilt'}: {len(result.written)} written, {len(result.deleted)} deleted "
                              f"in {time.perf_counter() - started:.2f} s")
        state.version += 1

    rebuild(first=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(out_dir, state))
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    reporter.info(f"serving {client} at {url}  (Ctrl+C stops)")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    if on_ready is not None:
        on_ready(url)
    stop = stop or threading.Event()
    signature = inputs_signature(ws, cfg, out_dir)
    try:
        while not stop.wait(poll):
            now_sig = inputs_signature(ws, cfg, out_dir)
            if now_sig != signature:
                try:
                    cfg = load_site(ws, client)
                except SitekeeperError:
                    pass
                rebuild()
                signature = inputs_signature(ws, cfg, out_dir)
    finally:
        server.shutdown()
        server.server_close()
