"""`status --check-live`: what each client's public site serves, against what was deployed.

For each client: the files its default target received at the last publish (path -> sha256,
recorded in the workspace state store by every publish, see publish.deployed_files) are
compared with what the site serves (``base_url``, or the target's ``public_url``): every page (HTML) and a sample of the other files,
by hash. Then the same-host pages that a changed page links to, or a sitemap other than the
deployed one lists, that were never deployed and yet are served: extra pages, which look
injected (a hacked site, a host's parking page). A link that a page served exactly as
deployed also has is the build's own (its broken links are `check`'s to report), not extra. For an https site, the days left on its TLS
certificate (checked against the system's trust store; under ``CERT_WARN_DAYS`` is a warning).

Only that one host is ever contacted: links and redirects elsewhere are
not followed. Nothing is written. Each request waits at most [timeouts] connect/read.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin, urlsplit

from . import network
from .config import Workspace, load_site
from .errors import Diagnostic, SitekeeperError
from .state.keys import live_key

CERT_WARN_DAYS = 21
"""A certificate with fewer days left than this is reported (renewal has failed somewhere)."""
ASSET_SAMPLE = 24
"""Non-HTML files compared per client (every CSS and JS file first, then spread over the rest)."""
EXTRA_LIMIT = 50
"""Undeployed same-host URLs fetched per client at most (a page of injected spam links has thousands)."""
MAX_BODY = 20 << 20
"""Bytes read of one response at most."""


@dataclass
class LiveCheck:
    client: str
    """The client."""
    url: str = ""
    """The public site checked (base_url)."""
    target: str = ""
    """The default target whose last publish is compared."""
    checked: int = 0
    """Files fetched and compared."""
    changed: list = field(default_factory=list)
    """Deployed paths served with other bytes."""
    missing: list = field(default_factory=list)
    """Deployed paths the site does not serve (404 or 410)."""
    extra: list = field(default_factory=list)
    """Same-host paths linked from the served pages or its sitemap, served, but never deployed."""
    errors: list = field(default_factory=list)
    """{path, status or error}: answers that are neither the file nor a 404 (500s, redirects, timeouts)."""
    tls_days_left: int | None = None
    """Days until the certificate expires (https only)."""
    tls_error: str = ""
    """Why the certificate is not trusted ("" when it is, or for http)."""
    problems: list = field(default_factory=list)
    """What kept the check from running (Diagnostics)."""

    @property
    def drift(self) -> bool:
        return bool(self.changed or self.missing or self.extra)

    @property
    def ok(self) -> bool:
        cert_ok = not self.tls_error and (self.tls_days_left is None or self.tls_days_left >= CERT_WARN_DAYS)
        return not (self.drift or self.errors or self.problems) and cert_ok

    def as_json(self) -> dict:
        return {"client": self.client, "url": self.url, "target": self.target, "checked": self.checked,
                "changed": self.changed, "missing": self.missing, "extra": self.extra, "errors": self.errors,
                "tls_days_left": self.tls_days_left, "tls_error": self.tls_error or None, "drift": self.drift,
                "ok": self.ok, "problems": [d.as_json() for d in self.problems]}


def check_live(ws: Workspace, client: str, clock, store) -> LiveCheck:
    """Fetch and compare one client's public site (see the module docstring)."""
    from .config.deploy import choose_target
    from .publish import deployed_files

    result = LiveCheck(client)
    try:
        cfg = load_site(ws, client)
        target = choose_target(cfg, ws.root, None)
        # Where the target is served, when that is not base_url (its public_url).
        result.url, result.target = (target.public_url or cfg.base_url).rstrip("/") + "/", target.name
        files = deployed_files(store, client, target.name)
    except SitekeeperError as exc:
        result.problems.extend(exc.diagnostics())
        return result
    if files is None:
        result.problems.append(Diagnostic(
            f"sites/{client}/site.toml", None,
            f"{client}: no publish to {target.name} has recorded its files yet, so there is nothing to compare with",
            f"publish once (sitekeeper publish {client}); each publish records what the target received"))
        return result
    site = Fetcher(result.url)
    if site.scheme == "https":
        result.tls_days_left, result.tls_error = site.certificate_days(clock.now(timezone.utc))
    try:
        _compare(site, files, result)
    finally:
        site.close()
    return result


def _compare(site: "Fetcher", files: dict[str, str], result: LiveCheck) -> None:
    pages = sorted(p for p in files if p.endswith(".html"))
    links: set[str] = set()  # linked from a changed page or sitemap
    known: set[str] = set()  # linked from a page served as deployed: where the build links
    for path in pages + _sample(sorted(p for p in files if not p.endswith(".html"))):
        got = site.get(url_path(path))
        result.checked += 1
        if isinstance(got, str):
            result.errors.append({"path": path, "error": got})
        elif got[0] in (404, 410):
            result.missing.append(path)
        elif got[0] != 200:
            result.errors.append({"path": path, "status": got[0]})
        else:
            same = hashlib.sha256(got[1]).hexdigest() == files[path]
            if not same:
                result.changed.append(path)
            if path.endswith(".html"):
                (known if same else links).update(site.same_host_paths(got[1], url_path(path)))
    sitemap = site.get("/sitemap.xml")
    if not isinstance(sitemap, str) and sitemap[0] == 200 \
            and hashlib.sha256(sitemap[1]).hexdigest() != files.get("sitemap.xml"):
        links |= site.sitemap_paths(sitemap[1])
    for link in sorted(links - known)[:EXTRA_LIMIT * 4]:
        if deployed_as(link, files) is not None or len(result.extra) >= EXTRA_LIMIT:
            continue
        got = site.get(link)
        if not isinstance(got, str) and got[0] == 200:
            result.extra.append(link)


def _sample(assets: list[str]) -> list[str]:
    """Every stylesheet and script, then files spread evenly over the rest, ASSET_SAMPLE in all."""
    first = [p for p in assets if p.endswith((".css", ".js"))][:ASSET_SAMPLE]
    rest = [p for p in assets if p not in first]
    room = ASSET_SAMPLE - len(first)
    if room <= 0 or not rest:
        return first
    step = max(1, len(rest) // room)
    return first + rest[::step][:room]


def url_path(path: str) -> str:
    """The URL path a deployed file is served at ("about/index.html" -> "/about/")."""
    if path == "index.html":
        return "/"
    if path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def deployed_as(link: str, files: dict[str, str]) -> str | None:
    """The deployed file a same-host URL path is served from, or None."""
    path = unquote(link.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    path = posixpath.normpath(path) if path else ""
    if path in ("", "."):
        return "index.html" if "index.html" in files else None
    for candidate in (path, f"{path}/index.html", f"{path}.html"):
        if candidate in files:
            return candidate
    return None


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link", "area"):
            self.hrefs.extend(v for k, v in attrs if k == "href" and v)


class Fetcher:
    """GETs on one host only (the site's), without following redirects."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.base, self.scheme = base_url, parts.scheme
        self.host, self.port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")  # a site under a folder: https://host/shop/
        self._conn = None

    def get(self, path: str) -> tuple[int, bytes] | str:
        """(status, body) of ``path`` on the site, or what went wrong (a timeout, a refused
        connection). One connection is kept open from request to request where the server
        allows (a TLS handshake per page would cost more than the page)."""
        import http.client
        import ssl

        limits = network.timeouts()
        target = quote(self.prefix + path, safe="/%:@!$&'()*+,;=-._~")
        headers = {"User-Agent": "sitekeeper-check-live", "Accept-Encoding": "identity"}
        for attempt in (1, 2):
            reused = self._conn is not None
            try:
                conn = self._conn or self._connect(limits)
                self._conn = conn
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                body = response.read(MAX_BODY)
                if response.will_close or not response.isclosed():  # closing, or a body over MAX_BODY left
                    self.close()
                return response.status, body
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if reused and attempt == 1:
                    continue  # the server closed the kept connection meanwhile: once more on a new one
                return f"{type(exc).__name__}: {exc}"
            except TimeoutError:
                self.close()
                return f"no answer within {limits.read:g} s"
            except ssl.SSLError as exc:
                self.close()
                return f"TLS failed: {exc.reason or exc}"
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                return f"{type(exc).__name__}: {exc}"
        return "the connection kept closing"  # pragma: no cover - the loop returns

    def _connect(self, limits):
        import http.client
        import ssl

        conn: http.client.HTTPConnection
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=limits.connect,
                                               context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=limits.connect)
        conn.connect()
        conn.sock.settimeout(limits.read)
        return conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _own(self, url: str, page: str) -> str | None:
        """The path of ``url`` (relative to ``page``) when it is on this site, else None."""
        full = urljoin(f"{self.scheme}://{self.host}{self.prefix}{page}", url.strip())
        parts = urlsplit(full)
        if parts.scheme not in ("http", "https") or (parts.hostname or "") != self.host:
            return None
        path = parts.path
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return None
            path = path[len(self.prefix):]
        return path or "/"

    def same_host_paths(self, html: bytes, page: str) -> set[str]:
        parser = _Links()
        try:
            parser.feed(html.decode("utf-8", "replace"))
        except Exception:  # html.parser rarely raises; a broken page still is compared by hash
            return set()
        return {p for p in (self._own(h, page) for h in parser.hrefs) if p}

    def sitemap_paths(self, xml: bytes) -> set[str]:
        locs = re.findall(rb"<loc>\s*([^<\s]+)\s*</loc>", xml)
        return {p for p in (self._own(loc.decode("utf-8", "replace"), "/") for loc in locs) if p}

    def certificate_days(self, now: datetime) -> tuple[int | None, str]:
        """(days left, "" or why it is not trusted) of the site's certificate."""
        import socket
        import ssl

        limits = network.timeouts()
        why = ""
        der = None
        for verify in (True, False):  # unverified only to read the dates of an untrusted one
            ctx = ssl.create_default_context()
            if not verify:
                ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
            try:
                with socket.create_connection((self.host, self.port), timeout=limits.connect) as raw:
                    raw.settimeout(limits.read)
                    with ctx.wrap_socket(raw, server_hostname=self.host) as tls:
                        der = tls.getpeercert(binary_form=True)
                break
            except ssl.SSLCertVerificationError as exc:
                why = f"not trusted: {exc.verify_message or exc.reason}"
            except (OSError, ssl.SSLError) as exc:
                return None, f"no TLS connection: {exc}"
        if der is None:
            return None, why or "no certificate"
        from cryptography import x509

        ends = x509.load_der_x509_certificate(der).not_valid_after_utc
        return (ends - now).days, why


CHECK_EVERY = 24 * 3600.0
"""Seconds between two live checks of a client by `tick --check-live`."""


_stores: dict[tuple[int, str], object] = {}


def _store_of(ws: Workspace):
    """The workspace's state store, opened once per process (a tick asks for every client)."""
    import os

    from .state import open_workspace_store

    key = (os.getpid(), str(ws.root))
    if key not in _stores:
        _stores[key] = open_workspace_store(ws)
    return _stores[key]


def live_step(ws: Workspace, cfg, clock, reporter, dry_run: bool):
    """`tick --check-live`: the client's live check, at most every CHECK_EVERY seconds (a tick
    step: returns (what was checked, problems)). Drift and certificate trouble are problems."""
    import json

    store = _store_of(ws)
    now = clock.now(timezone.utc)
    got = store.read(live_key(cfg.client))
    try:
        last = datetime.fromisoformat(json.loads(got[0])["at"]) if got else None
    except (ValueError, KeyError, TypeError):
        last = None  # an unreadable note only means: check now
    if last is not None and (now - last).total_seconds() < CHECK_EVERY:
        return None, []
    if dry_run:
        return {"would_check": cfg.base_url}, []
    result = check_live(ws, cfg.client, clock, store)
    summary = {"url": result.url, "checked": result.checked, "changed": len(result.changed),
               "missing": len(result.missing), "extra": len(result.extra), "errors": len(result.errors),
               "tls_days_left": result.tls_days_left, "ok": result.ok}
    if not result.problems:
        store.write(live_key(cfg.client), json.dumps({"at": now.isoformat(timespec="seconds"), **summary}).encode())
    return summary, list(result.problems) + _drift_problems(cfg, result)


def _drift_problems(cfg, result: LiveCheck) -> list[Diagnostic]:
    if result.problems or result.ok:
        return []
    said = []
    for kind in ("changed", "missing", "extra"):
        paths = getattr(result, kind)
        if paths:
            said.append(f"{kind} {len(paths)} ({', '.join(paths[:5])}{', ...' if len(paths) > 5 else ''})")
    if result.errors:
        said.append(f"{len(result.errors)} not fetched ({result.errors[0]['path']}: "
                    f"{result.errors[0].get('error') or 'HTTP ' + str(result.errors[0].get('status'))})")
    if result.tls_error:
        said.append(f"TLS certificate {result.tls_error}")
    elif result.tls_days_left is not None and result.tls_days_left < CERT_WARN_DAYS:
        said.append(f"TLS certificate expires in {result.tls_days_left} days")
    return [Diagnostic(cfg.path, cfg.line_of("", "base_url"),
                       f"{cfg.client}: the live site {result.url} is not what was deployed to {result.target}: "
                       + "; ".join(said),
                       f"look at the site (sitekeeper status --check-live {cfg.client} lists every file) and ask "
                       "the host what changed there; a certificate is renewed at the host")]
