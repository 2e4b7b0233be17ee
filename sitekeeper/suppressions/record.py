"""campaigns/<client>/unsubscribed.csv: the addresses never to mail again, append-only.

A new file is ``email,unsubscribed_at,reason,source``; config.optouts is the one reader of it.
It is only ever appended to: a row is written in the file's own columns (mapped by name:
``Email;Date;Note`` gets the address, the time and the reason in those places), delimiter,
line ending and encoding, flushed and fsync'ed before anything that depends on it (an SQS
message deleted, a mailbox message marked) happens. An address already in the file is not
written again. A file that cannot be read whole (a row, a header without a column of
addresses, not text, Windows-1252, a link outside the client's campaigns folder) is refused
before anything is written.

``Temporary`` keeps the temporary failures (4.x.x, SES transient bounces) per client in the
state store, so repeated ones can suppress: ``TEMPORARY_LIMIT`` failures on as many different
days within ``TEMPORARY_WINDOW_DAYS``, and none of them before the last delivery reported.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..config import optouts
from ..config.csvtext import decode_csv, sniff_delimiter
from ..config.paths import escape_of
from ..fsutil import append_durably
from ..errors import Diagnostic, SuppressionError

FILE = optouts.FILE
HEADER = optouts.HEADER
TEMPORARY_LIMIT = 3
"""Temporary failures (on different days) that suppress an address."""
TEMPORARY_WINDOW_DAYS = 60
"""Failures older than this no longer count."""

Book = optouts.OptOuts
"""What unsubscribed.csv holds now, and how to append to it (config.optouts reads it)."""


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


class ListUnreadable(SuppressionError):
    """unsubscribed.csv cannot be read whole: nothing is appended to it (each problem at its line)."""

    def __init__(self, problems: list[Diagnostic]):
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.message, first.fix, path=first.path, line=first.line)

    def diagnostics(self) -> list[Diagnostic]:
        return list(self.problems)


def parse_book(text: str) -> tuple[frozenset[str], tuple[str, ...] | None, str]:
    """(addresses, header or None, delimiter) of the file's text; pure."""
    book = optouts.parse_optouts(text, FILE)
    return book.addresses, book.columns, book.delimiter


def read_book(ws, client: str) -> Book:
    """unsubscribed.csv, to append to. Raises ListUnreadable when a row cannot be read, when
    its header has no column of addresses, or when it is not text; and when it is Windows-1252
    (appending UTF-8 would mix two encodings)."""
    book = optouts.load_optouts(ws, client)
    if book.errors:
        raise ListUnreadable(book.errors)
    if book.encoding == "cp1252":
        line = next((d.line for d in book.problems if d.line), None)
        raise ListUnreadable([Diagnostic(book.path, line, "is not UTF-8 text: sitekeeper appends UTF-8 and would mix "
                                         "two encodings", "re-save it as UTF-8 (in Excel: CSV UTF-8; in LibreOffice: "
                                         "Unicode (UTF-8)), then run again")])
    return book


def _cells(book: Book, row: Row) -> list[str]:
    """The row in the file's own columns (a file without a header: ``HEADER``'s order)."""
    values = row.values()
    roles = book.roles if book.columns is not None else HEADER
    return [values.get(role, "") if role else "" for role in roles]


def rejoined(ws, client: str, book: Book) -> frozenset[str]:
    """Addresses in unsubscribed.csv that came back through a confirmed sign-up (double opt-in)
    after their last row there (mail.audience ``opted_in_again``): a new opt-out of theirs is
    written again, and wins in turn."""
    if not book.addresses:
        return frozenset()
    from ..config.mail import normalize_address
    from ..mail.audience import load_audience, opted_in_again

    aud = load_audience(ws, client)
    return frozenset(normalize_address(s.email) for s in aud.subscribers
                     if normalize_address(s.email) in book.addresses and opted_in_again(s, book))


def append(book: Book, rows: list[Row], again: frozenset[str] = frozenset()) -> list[Row]:
    """Append the rows whose address is not in the file yet (or is in ``again``: ``rejoined``),
    in the file's own columns, delimiter, line ending and encoding; flushed and fsync'ed on
    return. Returns the rows written."""
    new, seen = [], set(book.addresses) - set(again)
    for row in rows:
        if row.email not in seen:
            seen.add(row.email)
            new.append(row)
    if not new:
        return []
    buf = io.StringIO()
    if book.needs_newline:
        buf.write(book.newline)
    writer = csv.writer(buf, delimiter=book.delimiter, lineterminator=book.newline)
    if not book.exists:
        writer.writerow(HEADER)
    for row in new:
        writer.writerow(_cells(book, row))
    _write(book, buf.getvalue().encode(book.encoding if book.exists else "utf-8"))
    return new


def _write(book: Book, data: bytes) -> None:
    assert book.file is not None  # read_book names the file it read (or will create)
    try:
        append_durably(book.file, data)
    except OSError as exc:
        raise SuppressionError(f"cannot append to {book.path} ({exc.strerror})",
                               "check the folder's permissions and free space, then run again", path=book.path) from exc


def audience_addresses(ws, client: str) -> frozenset[str]:
    """The addresses of campaigns/<client>/audience.csv, normalised (empty when there is none).
    Only to tell whether a bounce concerns a subscriber; the sender reads the file itself."""
    path = ws.campaigns_dir / client / "audience.csv"
    if not path.is_file() or escape_of(path, ws.campaigns_dir / client):
        return frozenset()
    text, _ = decode_csv(path.read_bytes(), ws.rel(path))
    if text is None:
        return frozenset()
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    header = next(reader, [])
    roles = [optouts.role_of(c) for c in header]
    if "email" not in roles:
        return frozenset()
    idx = roles.index("email")
    found = (optouts.optout_address(row[idx]) for row in reader if len(row) > idx)
    return frozenset(a for a in found if a)


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
