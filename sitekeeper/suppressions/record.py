"""campaigns/<client>/unsubscribed.csv: the addresses never to mail again, append-only.

The file is ``email,unsubscribed_at,reason,source`` (the sender reads its ``email`` column,
or its first column when there is no header). It is only ever appended to: a row is written
with the file's own delimiter and line ending, flushed and fsync'ed before anything that
depends on it (an SQS message deleted, a mailbox message marked) happens. An address
already in the file is not written again. A file that is not UTF-8 (or links outside the
client's campaigns folder) is refused rather than mixed: nothing is written.

``Temporary`` keeps the temporary failures (4.x.x, SES transient bounces) per client in the
state store, so repeated ones can suppress: ``TEMPORARY_LIMIT`` failures on as many different
days within ``TEMPORARY_WINDOW_DAYS``, and none of them before the last delivery reported.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..config.csvtext import decode_csv, sniff_delimiter
from ..config.mail import normalize_address
from ..config.paths import escape_of
from ..errors import SuppressionError

HEADER = ("email", "unsubscribed_at", "reason", "source")
FILE = "unsubscribed.csv"
TEMPORARY_LIMIT = 3
"""Temporary failures (on different days) that suppress an address."""
TEMPORARY_WINDOW_DAYS = 60
"""Failures older than this no longer count."""


@dataclass(frozen=True)
class Row:
    email: str
    """The address, normalised."""
    unsubscribed_at: str
    """ISO 8601 with the offset, in the site's timezone."""
    reason: str
    """unsubscribe (reply: abmelden | mailto | by hand) | bounce 5.1.1 | complaint | soft-bounce ..."""
    source: str
    """manual | imap:<folder> | ses:<queue name>."""

    def values(self) -> dict[str, str]:
        return {"email": self.email, "unsubscribed_at": self.unsubscribed_at, "reason": self.reason,
                "source": self.source}


@dataclass(frozen=True)
class Book:
    """What unsubscribed.csv holds now, and how to append to it."""

    path: Path
    """campaigns/<client>/unsubscribed.csv."""
    rel: str
    """The same, relative to the workspace, for messages."""
    addresses: frozenset[str] = frozenset()
    """Every address in it, normalised."""
    columns: tuple[str, ...] | None = None
    """Its header (None: no header row, the address is the first column)."""
    delimiter: str = ","
    """`,` or the `;` / tab a spreadsheet wrote."""
    newline: str = "\n"
    """The line ending it uses."""
    needs_newline: bool = False
    """True when its last line is not terminated."""
    exists: bool = False
    """False when there is no file (or an empty one) yet."""


def parse_book(text: str) -> tuple[frozenset[str], tuple[str, ...] | None, str]:
    """(addresses, header or None, delimiter) of the file's text; pure."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    columns, idx = None, 0
    if rows and "email" in [c.strip().lower() for c in rows[0]]:
        columns = tuple(c.strip() for c in rows[0])
        idx = [c.lower() for c in columns].index("email")
        rows = rows[1:]
    found = {normalize_address(row[idx]) for row in rows if len(row) > idx and "@" in row[idx]}
    return frozenset(found), columns, delimiter


def read_book(ws, client: str) -> Book:
    folder = ws.campaigns_dir / client
    path = folder / FILE
    rel = ws.rel(path)
    if not path.exists():
        return Book(path, rel)
    real = escape_of(path, folder)
    if real:
        raise SuppressionError(f"{rel} is a link to {real}, outside campaigns/{client}/",
                               f"replace the link with the file itself in campaigns/{client}/", path=rel)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SuppressionError(f"{rel} cannot be read ({exc.strerror})", "check its permissions", path=rel) from exc
    if not data.strip():
        return Book(path, rel, needs_newline=bool(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SuppressionError(f"{rel} is not UTF-8 text: sitekeeper appends UTF-8 and would mix two encodings",
                               "re-save it as UTF-8 (in Excel: CSV UTF-8; in LibreOffice: Unicode (UTF-8)), then "
                               "run again", path=rel, line=line) from exc
    addresses, columns, delimiter = parse_book(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    return Book(path, rel, addresses, columns, delimiter, newline, not text.endswith(("\n", "\r")), True)


def append(book: Book, rows: list[Row]) -> list[Row]:
    """Append the rows whose address is not in the file yet; flushed and fsync'ed on return.
    Returns the rows written."""
    new, seen = [], set(book.addresses)
    for row in rows:
        if row.email not in seen:
            seen.add(row.email)
            new.append(row)
    if not new:
        return []
    buf = io.StringIO()
    if book.needs_newline:
        buf.write(book.newline)
    columns = book.columns
    writer = csv.writer(buf, delimiter=book.delimiter, lineterminator=book.newline)
    if not book.exists:
        columns = HEADER
        writer.writerow(HEADER)
    for row in new:
        values = row.values()
        if columns is None:  # no header: the address first, as the file has it
            writer.writerow([row.email, row.unsubscribed_at, row.reason, row.source])
        else:
            writer.writerow([values.get(c.strip().lower(), "") for c in columns])
    created = not book.path.exists()
    try:
        book.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(book.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, buf.getvalue().encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new name itself must survive a crash too
            dfd = os.open(book.path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    except OSError as exc:
        raise SuppressionError(f"cannot append to {book.rel} ({exc.strerror})",
                               "check the folder's permissions and free space, then run again", path=book.rel) from exc
    return new


def audience_addresses(ws, client: str) -> frozenset[str]:
    """The addresses of campaigns/<client>/audience.csv, normalised (empty when there is none).
    Only to tell whether a bounce concerns a subscriber; the sender reads the file itself."""
    path = ws.campaigns_dir / client / "audience.csv"
    if not path.is_file() or escape_of(path, ws.campaigns_dir / client):
        return frozenset()
    text, _ = decode_csv(path.read_bytes(), ws.rel(path))
    if text is None:
        return frozenset()
    addresses, columns, _ = parse_book(text)
    return addresses if columns is not None else frozenset()


# ---------------------------------------------------------------- temporary failures


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


@dataclass
class Temporary:
    """address -> {"failures": {ref: iso time}, "delivered": iso time}, with the store's version."""

    data: dict = field(default_factory=dict)
    """As stored."""
    version: str | None = None
    """The stored version read (None: nothing stored yet)."""
    changed: bool = False
    """True when there is something to save."""

    def fail(self, address: str, ref: str, at: datetime) -> bool:
        """Count one temporary failure; False when this notice was counted before."""
        entry = self.data.setdefault(address, {"failures": {}, "delivered": None})
        if ref in entry["failures"]:
            return False
        entry["failures"][ref] = _iso(at)
        self.changed = True
        return True

    def delivered(self, address: str, at: datetime) -> None:
        entry = self.data.get(address)
        if entry is None:
            return  # nothing counted: nothing to reset
        last = entry.get("delivered")
        if last is None or datetime.fromisoformat(last) < at:
            entry["delivered"] = _iso(at)
            self.changed = True

    def count(self, address: str, now: datetime) -> int:
        """Different days with a failure that still counts."""
        entry = self.data.get(address)
        if not entry:
            return 0
        delivered = datetime.fromisoformat(entry["delivered"]) if entry.get("delivered") else None
        since = now - timedelta(days=TEMPORARY_WINDOW_DAYS)
        days = set()
        for value in entry["failures"].values():
            at = datetime.fromisoformat(value)
            if at >= since and (delivered is None or at > delivered):
                days.add(at.astimezone(now.tzinfo).date())
        return len(days)

    def forget(self, address: str) -> None:
        if self.data.pop(address, None) is not None:
            self.changed = True

    def to_bytes(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def temporary_key(client: str) -> str:
    return f"{client}/suppressions/temporary.json"


def load_temporary(store, client: str) -> Temporary:
    got = store.read(temporary_key(client))
    if got is None:
        return Temporary()
    blob, version = got
    try:
        data = json.loads(blob.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError):
        # A damaged record only loses counts of temporary failures: start again, say so.
        return Temporary(version=version, changed=True)
    return Temporary(data, version)


def save_temporary(store, client: str, tracker: Temporary) -> None:
    if tracker.changed:
        store.write(temporary_key(client), tracker.to_bytes())
        tracker.changed = False
