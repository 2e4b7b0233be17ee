"""Downloading an old site's media while it still runs (`import --fetch-media`).

Only http and https, and only the hosts the caller names (the site's own, and WordPress's
media hosts of the same site): a redirect to another host is not followed and is said, and
so is one to another scheme. Each file is capped (``MAX_FILE``, by its Content-Length before
any byte is read, and again while reading) and so is the whole run (``MAX_TOTAL``); every
step waits at most the [timeouts] of sitekeeper.toml, and one file at most ``FILE_SECONDS``
in all (a server that drips a byte a second does not hold the import). Nothing is written
here: the bytes go back to the importer, whose files land under the client's static/ through
the one confined writer. A failure is a sentence, never an exception.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from .. import network

MAX_FILE = 25 << 20
"""Bytes of one media file at most (WordPress's own upload limit is usually lower)."""
MAX_TOTAL = 1 << 30
"""Bytes of one import's downloads at most."""
FILE_SECONDS = 120.0
"""Seconds one file may take in all, however steadily it arrives."""
MAX_REDIRECTS = 3
"""Redirects followed on the same host (http -> https, a moved folder)."""
CHUNK = 64 << 10


@dataclass
class Fetched:
    url: str
    """The URL asked for."""
    data: bytes | None = None
    """The file, or None when it could not be had."""
    why: str = ""
    """What went wrong, as the report says it."""


@dataclass
class MediaFetcher:
    hosts: frozenset[str]
    """Host names (lower case) that may be asked; any other is refused."""
    max_file: int = MAX_FILE
    """Bytes of one file at most."""
    max_total: int = MAX_TOTAL
    """Bytes of all files at most."""
    file_seconds: float = FILE_SECONDS
    """Seconds one file may take in all."""
    received: int = 0
    """Bytes received so far."""
    log: list[str] = field(default_factory=list)
    """URLs asked, in order (what the server saw, for the report and tests)."""

    def allowed(self, url: str) -> str:
        """'' when ``url`` may be fetched, else why not."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"not http or https ({parts.scheme or 'no scheme'}:)"
        host = (parts.hostname or "").lower()
        if host not in self.hosts:
            return f"on another host ({host or 'none'}), not the site's own"
        if parts.username or parts.password:
            return "carries a user name or password"
        return ""

    def get(self, url: str) -> Fetched:
        """The file at ``url``, following redirects on the allowed hosts only."""
        why = self.allowed(url)
        if why:
            return Fetched(url, None, why)
        if self.received >= self.max_total:
            return Fetched(url, None, f"not fetched: the import's downloads reached {_mib(self.max_total)}")
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            outcome = self._one(current)
            if isinstance(outcome, bytes):
                self.received += len(outcome)
                return Fetched(url, outcome)
            kind, detail = outcome
            if kind != "redirect":
                return Fetched(url, None, detail)
            target = urljoin(current, detail)
            why = self.allowed(target)
            if why:
                return Fetched(url, None, f"the server redirects to {target}, {why}: not followed")
            current = target
        return Fetched(url, None, f"more than {MAX_REDIRECTS} redirects: not followed")

    def _one(self, url: str) -> bytes | tuple[str, str]:
        """The body of one GET, or ('redirect', location) or ('error', why)."""
        import http.client
        import ssl

        parts = urlsplit(url)
        limits = network.timeouts()
        port = parts.port or (443 if parts.scheme == "https" else 80)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname or "", port, timeout=limits.connect,
                                               context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", port, timeout=limits.connect)
        target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~") + (f"?{parts.query}" if parts.query else "")
        self.log.append(url)
        try:
            with network.connection_slot(parts.hostname or "", port):
                return self._exchange(conn, target)
        except TimeoutError:
            return "error", f"no answer within {limits.read:g} s"
        except ssl.SSLError as exc:
            return "error", f"TLS failed: {exc.reason or exc}"
        except (OSError, http.client.HTTPException) as exc:
            return "error", f"{type(exc).__name__}: {exc}"
        finally:
            conn.close()

    def _exchange(self, conn, target: str) -> bytes | tuple[str, str]:
        conn.connect()
        if conn.sock is not None:
            conn.sock.settimeout(network.timeouts().read)
        conn.request("GET", target, headers={"User-Agent": "sitekeeper-import", "Accept-Encoding": "identity"})
        return self._answer(conn.getresponse())

    def _answer(self, response) -> bytes | tuple[str, str]:
        if response.status in (301, 302, 303, 307, 308):
            location = response.getheader("Location") or ""
            return ("redirect", location) if location else ("error", f"HTTP {response.status} without a Location")
        if response.status != 200:
            return "error", f"HTTP {response.status} {response.reason}".rstrip()
        cap = min(self.max_file, self.max_total - self.received)
        length = response.getheader("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > cap:
            return "error", self._too_big(int(length))
        return self._read(response, cap)

    def _read(self, response, cap: int) -> bytes | tuple[str, str]:
        started = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = response.read(CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                return "error", self._too_big(cap, while_reading=True)
            if time.monotonic() - started > self.file_seconds:
                return "error", f"took longer than {self.file_seconds:g} s in all: stopped"
            chunks.append(chunk)

    def _too_big(self, size: int, while_reading: bool = False) -> str:
        """Why a file of ``size`` bytes (its Content-Length), or one that passed the cap ``size``
        while arriving, is not taken."""
        whole = self.max_total - self.received < self.max_file
        if while_reading:
            limit = f"the import's limit of {_mib(self.max_total)} in all" if whole else f"the limit of {_mib(size)} a file"
            return f"more than {limit} arrived; not fetched"
        if whole:
            return f"{_mib(size)}: the import's downloads would pass {_mib(self.max_total)}; not fetched"
        return f"{_mib(size)}, over the limit of {_mib(self.max_file)} a file; not fetched"


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n:,} bytes"
