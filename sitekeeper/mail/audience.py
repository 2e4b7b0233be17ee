"""audience.csv and unsubscribed.csv: who a campaign goes to.

``parse_audience`` is pure (text in, ``Audience`` with diagnostics out): a bad row is
reported with its line and skipped, never fatal for the rest. ``parse_filter`` reads
the promotion's ``audience:`` value:

    all                      everyone
    lang=de                  a column equals a value (case-insensitive)
    lang!=de                 ... does not equal
    tags~cakes               a list column (tags split on ; , | or spaces) contains a value
    lang=de, tags~cakes      every part must hold (AND)
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..config.csvtext import RESAVE, decode_csv, sniff_delimiter
from ..config.paths import FIX as LINK_FIX, escape_of
from ..errors import Diagnostic
from ..config.mail import is_address

KNOWN_COLUMNS = ("email", "name", "lang", "tags", "consented_at", "source")
_COND_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(!=|=|~)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Subscriber:
    email: str
    """The address (as written, stripped)."""
    line: int
    """Line in audience.csv."""
    fields: dict = field(compare=False, hash=False)
    """Every column of the row, by header name (email included)."""

    @property
    def name(self) -> str:
        return self.fields.get("name", "")

    @property
    def lang(self) -> str:
        return self.fields.get("lang", "").strip().lower()

    @property
    def consented(self) -> bool:
        return bool(self.fields.get("consented_at", "").strip())

    def tags(self) -> set[str]:
        return {t.lower() for t in re.split(r"[;,|\s]+", self.fields.get("tags", "")) if t}


@dataclass
class Audience:
    path: str
    """audience.csv relative to the workspace."""
    columns: tuple[str, ...] = ()
    """Header names."""
    subscribers: list[Subscriber] = field(default_factory=list)
    """Valid rows in file order (first occurrence of an address only)."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Rows skipped and header problems."""
    exists: bool = True
    """False when the file is missing."""


def _header(reader, path: str) -> tuple[tuple[str, ...] | None, list[Diagnostic]]:
    try:
        header = next(reader)
    except StopIteration:
        return None, [Diagnostic(path, 1, "audience.csv is empty", "write a header row: email,name,lang,tags,consented_at,source")]
    except csv.Error as exc:
        return None, [Diagnostic(path, 1, f"the header row is not valid CSV: {exc}", "fix the quotes on that line")]
    columns = tuple(h.strip() for h in header)
    if "email" not in columns:
        return columns, [Diagnostic(path, 1, "audience.csv has no `email` column",
                                    "the first line must name the columns, e.g. email,name,lang,tags,consented_at,source")]
    return columns, []


def _rows(reader, columns: tuple[str, ...], path: str) -> Iterator[Subscriber | Diagnostic]:
    """Each data row: a ``Subscriber`` with a valid address, or the ``Diagnostic`` (a
    warning) of a row skipped. Duplicates are left to the caller."""
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Diagnostic(path, line, f"row is not valid CSV: {exc}; skipped", "close the quotes on this row", "warning")
            continue
        line = reader.line_num  # a quoted field may span lines; report where the row ends
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield Diagnostic(path, line, f"row has {len(row)} values for {len(columns)} columns; skipped",
                             "quote values that contain a comma", "warning")
            continue
        fields = {c: v.strip() for c, v in zip(columns, row)}
        email = fields["email"]
        if not is_address(email):
            yield Diagnostic(path, line, f"invalid address {email!r}; skipped", "correct the address or delete the row",
                             "warning")
            continue
        yield Subscriber(email, line, fields)


def parse_audience(text: str, path: str) -> Audience:
    aud = Audience(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    columns, problems = _header(reader, path)
    aud.columns = columns or ()
    aud.problems.extend(problems)
    if problems:
        return aud
    seen: set[str] = set()
    for item in _rows(reader, aud.columns, path):
        if isinstance(item, Diagnostic):
            aud.problems.append(item)
            continue
        if item.email.lower() in seen:
            aud.problems.append(Diagnostic(path, item.line, f"{item.email} is listed twice; the later row is ignored",
                                           "delete one of the rows", "warning"))
            continue
        seen.add(item.email.lower())
        aud.subscribers.append(item)
    return aud


def detect_encoding(path: Path, rel: str, chunk: int = 1 << 20) -> tuple[str | None, list[Diagnostic]]:
    """The encoding ``decode_csv`` would choose, found by streaming the file (never whole in memory)."""
    with open(path, "rb") as fh:
        head = fh.read(2)
        if head in (b"\xff\xfe", b"\xfe\xff"):
            return "utf-16", []
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines = 0
        while True:
            data = fh.read(chunk)
            try:
                decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                line = lines + data.count(b"\n", 0, max(exc.start, 0)) + 1
                break
            if not data:
                return "utf-8-sig", []
            lines += data.count(b"\n")
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            while data := fh.read(chunk):
                decoder.decode(data)
        except UnicodeDecodeError:
            return None, [Diagnostic(rel, line, "the file is not UTF-8 text (and not Windows-1252 either)", RESAVE)]
    return "cp1252", [Diagnostic(rel, line, "the file is not UTF-8: read it as Windows-1252 (what Excel writes as plain CSV)",
                                 RESAVE, "warning")]


@dataclass
class AudienceStream:
    """audience.csv opened for streaming: ``columns`` and header ``problems`` now, rows on
    iteration (each time afresh: a plan pass, then a send pass)."""

    path: Path
    """The file."""
    rel: str
    """The file relative to the workspace, for messages."""
    columns: tuple[str, ...] = ()
    """Header names."""
    problems: list[Diagnostic] = field(default_factory=list)
    """Encoding and header problems (an error here stops a send)."""
    encoding: str | None = None
    """The encoding found."""
    exists: bool = True
    """False when the file is missing."""

    def __iter__(self) -> Iterator[Subscriber | Diagnostic]:
        if not self.exists or self.encoding is None or any(d.is_error for d in self.problems):
            return iter(())
        return self._iterate()

    def _iterate(self):
        with open(self.path, encoding=self.encoding, newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            reader = csv.reader(fh, delimiter=sniff_delimiter(first.lstrip("\ufeff")))
            _header(reader, self.rel)
            yield from _rows(reader, self.columns, self.rel)


def open_audience(ws, client: str) -> AudienceStream:
    """audience.csv for streaming; reads only the header (and checks the encoding) now."""
    path = ws.campaigns_dir / client / "audience.csv"
    stream = AudienceStream(path, ws.rel(path))
    if not path.is_file():
        stream.exists = False
        return stream
    stream.encoding, stream.problems = detect_encoding(path, stream.rel)
    if stream.encoding is None:
        return stream
    with open(path, encoding=stream.encoding, newline="") as fh:
        first = fh.readline().lstrip("\ufeff")
        fh.seek(0)
        columns, problems = _header(csv.reader(fh, delimiter=sniff_delimiter(first)), stream.rel)
    stream.columns = columns or ()
    stream.problems.extend(problems)
    return stream


def load_audience(ws, client: str) -> Audience:
    path = ws.campaigns_dir / client / "audience.csv"
    rel = ws.rel(path)
    if not path.is_file():
        aud = Audience(rel, exists=False)
        return aud
    real = escape_of(path, ws.campaigns_dir / client)
    if real:
        return Audience(rel, problems=[Diagnostic(rel, None, f"is a link to {real}, outside campaigns/{client}/", LINK_FIX)])
    text, problems = decode_csv(path.read_bytes(), rel)
    if text is None:
        return Audience(rel, problems=problems)
    aud = parse_audience(text, rel)
    aud.problems[:0] = problems
    return aud


def load_unsubscribed(ws, client: str) -> set[str]:
    """Lower-cased addresses from unsubscribed.csv (first column or `email` column)."""
    path = ws.campaigns_dir / client / "unsubscribed.csv"
    if not path.is_file():
        return set()
    out = set()
    if escape_of(path, ws.campaigns_dir / client):
        return out  # reported by load_audience's caller through the campaigns folder check
    text, _ = decode_csv(path.read_bytes(), ws.rel(path))
    text = (text or "").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0])))
    idx = 0
    if rows and "email" in [c.strip() for c in rows[0]]:
        idx = [c.strip() for c in rows[0]].index("email")
        rows = rows[1:]
    for row in rows:
        if len(row) > idx and "@" in row[idx]:
            out.add(row[idx].strip().lower())
    return out


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: str

    def matches(self, sub: Subscriber) -> bool:
        if self.op == "~":
            if self.column == "tags":
                return self.value.lower() in sub.tags()
            return self.value.lower() in sub.fields.get(self.column, "").lower()
        equal = sub.fields.get(self.column, "").strip().lower() == self.value.lower()
        return equal if self.op == "=" else not equal


def parse_filter(value: str) -> tuple[list[Condition] | None, str]:
    """(conditions, problem). ``all`` is an empty list."""
    value = (value or "all").strip()
    if value.lower() == "all":
        return [], ""
    conds = []
    for part in value.split(","):
        m = _COND_RE.match(part)
        if not m or not m.group(3):
            return None, f"cannot read the audience filter part {part.strip()!r}"
        conds.append(Condition(m.group(1), m.group(2), m.group(3).strip("\"'")))
    return conds, ""


@dataclass
class Selection:
    recipients: list[Subscriber]
    """Who would get the campaign."""
    skipped: dict
    """reason -> count: filtered, no_consent, unsubscribed."""


def select(aud: Audience, conds: list[Condition], unsubscribed: set[str], require_consent: bool) -> Selection:
    recipients, skipped = [], {"filtered": 0, "no_consent": 0, "unsubscribed": 0}
    for sub in aud.subscribers:
        if not all(c.matches(sub) for c in conds):
            skipped["filtered"] += 1
        elif sub.email.lower() in unsubscribed:
            skipped["unsubscribed"] += 1
        elif require_consent and not sub.consented:
            skipped["no_consent"] += 1
        else:
            recipients.append(sub)
    return Selection(recipients, skipped)
