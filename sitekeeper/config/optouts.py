"""campaigns/<client>/unsubscribed.csv, read one way for every command that needs it: the send,
`check`, `status`, the mailbox pull (before it appends) and the monthly report.

``parse_optouts`` is pure (text in, ``OptOuts`` out); ``load_optouts`` reads the file's bytes
(spreadsheet encodings through csvtext) and refuses a link out of the client's folder.

What it honours: a header in any case naming the address column (``email``, ``E-Mail``,
``Address``, ...), or no header at all when the first line is an address; ``,`` ``;`` or tab;
BOM, CRLF, UTF-16; an address written ``<anna@example.org>``, ``mailto:anna@example.org`` or
``<MAILTO:Anna@Example.org>``, in any case and spacing. What it refuses, each at its line: a
row whose address cell is not an address, a quote left open (it would swallow the rows after
it), a header without an address column; and a file that is not text. An ``OptOuts`` with an
error is never "a shorter list": nothing is sent for the client until it is fixed.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic
from .csvtext import RESAVE, decode_csv, sniff_delimiter
from .mail import is_address

if TYPE_CHECKING:
    from .workspace import Workspace

FILE = "unsubscribed.csv"
HEADER = ("email", "unsubscribed_at", "reason", "source")
"""The header of a new file, and the meaning of the columns of a file without one."""
ROLES = {
    "email": ("email", "emails", "e-mail", "e_mail", "email address", "addr", "e-mail address", "email_address", "emailaddress",
              "address", "mail", "e-mail-adresse", "email-adresse", "emailadresse", "adresse", "recipient", "to"),
    "unsubscribed_at": ("unsubscribed_at", "unsubscribed at", "unsubscribed", "at", "date", "time", "datetime",
                        "timestamp", "when", "opted_out_at", "optout_at", "datum", "zeit"),
    "reason": ("reason", "why", "note", "notes", "comment", "comments", "grund", "bemerkung"),
    "source": ("source", "via", "origin", "channel", "quelle"),
}
"""Column names (compared case-insensitively, spaces, `-` and `_` alike) for each meaning."""
MAX_LISTED = 20
"""Rows reported one by one; more are summed up in one more line."""
FIX_HEADER = "name the column of addresses `email` (a new file starts: email,unsubscribed_at,reason,source)"
FIX_QUOTE = "close the quote on that line, or remove it (write \"\" for a quote inside a value)"

_SQUASH = re.compile(r"[\s_-]+")
_LOOKUP = {_SQUASH.sub("", name): role for role, names in ROLES.items() for name in names}


def role_of(column: str) -> str | None:
    """The meaning of a header name (``email``, ``unsubscribed_at``, ``reason``, ``source``), if known."""
    return _LOOKUP.get(_SQUASH.sub("", column.strip().lstrip("\ufeff").lower()))


def optout_address(value: str) -> str | None:
    """The one form of an address as an opt-out list writes it, or None when it is not one:
    angle brackets, ``mailto:`` (any case, a ``?subject=`` dropped), spaces and case do not
    matter; Unicode NFC, lower-case."""
    text = (value or "").strip()
    if "<" in text and text.rstrip().endswith(">") and not text.startswith("<"):
        text = text[text.rindex("<"):]  # `Anna Muster <anna@example.org>`
    text = text.strip().strip("<>").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0]
    text = unicodedata.normalize("NFC", text.strip().strip("<>").strip()).lower()
    return text if is_address(text) else None


@dataclass(frozen=True)
class OptOut:
    address: str
    """The address, normalised (``optout_address``)."""
    line: int
    """Its line in the file."""
    at: str = ""
    """When, as written (the time column; "" when there is none)."""
    reason: str = ""
    """Why, as written."""
    source: str = ""
    """From where, as written."""


@dataclass(frozen=True)
class OptOuts:
    """What unsubscribed.csv holds, and how it is written (so an append can follow it).
    ``address in optouts`` normalises the address first."""

    path: str
    """The file relative to the workspace, for messages."""
    rows: tuple[OptOut, ...] = ()
    """Every row read, in file order (an address may appear twice)."""
    addresses: frozenset[str] = frozenset()
    """Every address, normalised."""
    columns: tuple[str, ...] | None = None
    """The header as written (None: no header; the columns mean ``HEADER`` in order)."""
    roles: tuple[str | None, ...] = ()
    """The meaning of each header column (None: one sitekeeper does not know)."""
    delimiter: str = ","
    """`,` or the `;` / tab a spreadsheet wrote."""
    newline: str = "\n"
    """The line ending it uses."""
    needs_newline: bool = False
    """True when its last line is not terminated."""
    encoding: str = "utf-8"
    """How it is written: utf-8, utf-16-le, utf-16-be or cp1252."""
    exists: bool = False
    """False when there is no file (or an empty one) yet."""
    problems: tuple[Diagnostic, ...] = ()
    """What could not be read; any error means the list is not known whole."""
    file: Path | None = None
    """The file itself (None: parsed from text)."""

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and (optout_address(address) or address.strip().lower()) in self.addresses

    def __len__(self) -> int:
        return len(self.addresses)

    @property
    def rel(self) -> str:
        """The file relative to the workspace (as ``path``)."""
        return self.path

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.problems if d.is_error]

    @property
    def readable(self) -> bool:
        """Whether every row was read (nothing may be sent otherwise)."""
        return not self.errors


def _layout(text: str) -> tuple[str, str, bool]:
    first = text.split("\n", 1)[0]
    newline = "\r\n" if "\r\n" in text else "\r" if "\r" in text and "\n" not in text else "\n"
    return sniff_delimiter(first), newline, not text.endswith(("\n", "\r"))


def _header(first: list[str], path: str, line: int) -> tuple[tuple[str, ...] | None, tuple[str | None, ...], list[Diagnostic]]:
    """(columns or None for no header, their roles, problems) from the first row."""
    if first and optout_address(first[0]):
        return None, HEADER, []
    columns = tuple(c.strip().lstrip("\ufeff") for c in first)
    roles = tuple(role_of(c) for c in columns)
    seen: set[str] = set()
    firsts: list[str | None] = []
    for r in roles:  # the first column of each meaning
        firsts.append(r if r and r not in seen else None)
        if r:
            seen.add(r)
    roles = tuple(firsts)
    if "email" not in roles:
        shown = ", ".join(repr(c) for c in columns) or "(empty)"
        return columns, roles, [Diagnostic(path, line, f"the first line names no column of addresses ({shown}), and "
                                           "is not an address either: the list cannot be read", FIX_HEADER)]
    return columns, roles, []


def _row_problem(row: list[str], roles: tuple[str | None, ...], path: str, start: int, end: int) -> Diagnostic | str:
    """The row's address, or the Diagnostic of a row that cannot be read."""
    if any("\n" in cell or "\r" in cell for cell in row):
        return Diagnostic(path, start, f"a quote opened on line {start} is not closed on that line: the lines to "
                          + (f"line {end}" if end > start else "the end of the file")
                          + " would be read as one value and their opt-outs lost", FIX_QUOTE)
    idx = roles.index("email")
    cell = row[idx].strip() if idx < len(row) else ""
    if not cell:
        return Diagnostic(path, start, "the row has no address (the column "
                          f"{'of addresses' if idx else 'first'} is empty)",
                          "write the address in it, or delete the row")
    address = optout_address(cell)
    if address is None:
        return Diagnostic(path, start, f"{cell[:80]!r} is not an email address: the row cannot be honoured",
                          "correct the address (e.g. anna@example.org), or delete the row")
    return address


def parse_optouts(text: str, path: str, *, encoding: str = "utf-8") -> OptOuts:
    """Every row of the file's text; pure. A row that cannot be read is an error at its line."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        return OptOuts(path, exists=bool(text), needs_newline=bool(text), encoding=encoding)
    delimiter, newline, needs_newline = _layout(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Diagnostic] = []
    rows: list[OptOut] = []
    columns: tuple[str, ...] | None = None
    roles: tuple[str | None, ...] = ()
    bad = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad += 1
            problems.append(Diagnostic(path, start, f"the row is not valid CSV ({exc})", FIX_QUOTE))
            continue
        if not any(cell.strip() for cell in row):
            continue
        if not roles:
            columns, roles, found = _header(row, path, start)
            if found:
                return OptOuts(path, (), frozenset(), columns, roles, delimiter, newline, needs_newline, encoding,
                               True, tuple(found))
            if columns is not None:
                continue
        got = _row_problem(row, roles, path, start, reader.line_num)
        if isinstance(got, Diagnostic):
            bad += 1
            if bad <= MAX_LISTED:
                problems.append(got)
            continue
        values = {role: row[i].strip() for i, role in enumerate(roles) if role and i < len(row)}
        rows.append(OptOut(got, start, values.get("unsubscribed_at", ""), values.get("reason", ""),
                           values.get("source", "")))
    if bad > MAX_LISTED:
        problems.append(Diagnostic(path, None, f"{bad - MAX_LISTED} more rows cannot be read",
                                   "fix the rows above, then run `sitekeeper check` again"))
    return OptOuts(path, tuple(rows), frozenset(r.address for r in rows), columns, roles, delimiter, newline,
                   needs_newline, encoding, True, tuple(problems))


def _binary(data: bytes, path: str) -> Diagnostic | None:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return Diagnostic(path, None, "is a spreadsheet workbook (.xlsx/.xls), not CSV text: no opt-out in it can be "
                          "read", "open it in Excel or LibreOffice and save it as CSV (UTF-8) under this name")
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Diagnostic(path, None, "is not text (it holds binary data): no opt-out in it can be read", RESAVE)
    return None


def _encoding(data: bytes, text_kind: str) -> str:
    if data.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be"
    return text_kind


def read_optouts(file: Path, rel: str) -> OptOuts:
    """The list at ``file`` (``rel`` names it in messages): missing or empty is an empty list;
    unreadable, binary or undecodable is a list with an error."""
    return replace(_read(file, rel), file=file)


def _read(file: Path, rel: str) -> OptOuts:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return OptOuts(rel)
    except OSError as exc:
        return OptOuts(rel, exists=True, problems=(Diagnostic(rel, None, f"cannot be read ({exc.strerror})",
                                                              "check its permissions"),))
    if not data.strip():
        return OptOuts(rel, exists=bool(data), needs_newline=bool(data))
    binary = _binary(data, rel)
    if binary is not None:
        return OptOuts(rel, exists=True, problems=(binary,))
    text, problems = decode_csv(data, rel)
    if text is None:
        return OptOuts(rel, exists=True, problems=tuple(problems))
    book = parse_optouts(text, rel, encoding=_encoding(data, "cp1252" if problems else "utf-8"))
    return replace(book, problems=tuple(problems) + book.problems)


def load_optouts(ws: Workspace, client: str) -> OptOuts:
    """campaigns/<client>/unsubscribed.csv of the workspace; a link out of the client's
    campaigns folder is an error (never read)."""
    from .paths import FIX as LINK_FIX
    from .paths import escape_of

    folder = ws.campaigns_dir / client
    path = folder / FILE
    rel = ws.rel(path)
    if path.is_symlink() or path.exists():
        real = escape_of(path, folder)
        if real:
            return OptOuts(rel, exists=True, file=path, problems=(
                Diagnostic(rel, None, f"is a link to {real}, outside {ws.rel(folder)}/", LINK_FIX),))
    return read_optouts(path, rel)


def empty(path: str = FILE) -> OptOuts:
    """No opt-outs (where none are read)."""
    return OptOuts(path)


__all__ = ["FILE", "HEADER", "OptOut", "OptOuts", "empty", "load_optouts", "optout_address", "parse_optouts",
           "read_optouts", "role_of"]
