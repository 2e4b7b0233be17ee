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
from datetime import datetime
from collections.abc import Container
from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from zoneinfo import ZoneInfo

from ..config.csvtext import RESAVE, decode_csv, sniff_delimiter
from ..config.paths import FIX as LINK_FIX, escape_of
from ..clock import BadDate, Clock, parse_when
from ..errors import Diagnostic
from ..config.mail import is_address
from ..config.optouts import OptOuts, load_optouts

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

    from ..config.workspace import Workspace

KNOWN_COLUMNS = ("email", "name", "lang", "tags", "consented_at", "source")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_COND_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(!=|=|~)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Subscriber:
    email: str
    """The address (as written, stripped)."""
    line: int
    """Line in audience.csv."""
    fields: dict[str, str] = field(compare=False, hash=False)
    """Every column of the row, by header name (email included)."""
    consent: str | None = field(default=None, compare=False, hash=False)
    """Why ``consented_at`` is not consent ("" when it is; None: not judged yet, see ``consent_state``)."""

    @property
    def name(self) -> str:
        return self.fields.get("name", "")

    @property
    def lang(self) -> str:
        return self.fields.get("lang", "").strip().lower()

    @property
    def consented(self) -> bool:
        """Only an ISO date or date-time, not in the future, is consent."""
        state = self.consent if self.consent is not None else consent_state(self.fields.get("consented_at", ""), None)
        return state == ""

    def tags(self) -> set[str]:
        return {t.lower() for t in re.split(r"[;,|\s]+", self.fields.get("tags", "")) if t}


CONSENT_FIX = ("write the date the person agreed, as an ISO date (2026-03-01) or date-time "
               "(2026-03-01T09:30:00+01:00); until then the row is not mailed")


def consent_state(value: str, now: datetime | None) -> str:
    """"" when ``value`` is consent (an ISO date or date-time, an offset or Z allowed, not after
    ``now``); "missing" when it is empty; otherwise why not. A date without an offset is read
    in ``now``'s timezone (UTC when it is not a named zone). ``now`` None: the clock's
    (SITEKEEPER_NOW, else the real time)."""
    value = (value or "").strip()
    if not value:
        return "missing"
    if not _ISO_RE.match(value):
        return f"`consented_at` {value[:40]!r} is not a date"
    utc = ZoneInfo("UTC")
    if now is None:
        try:
            now = Clock.from_value(None).now(utc)
        except BadDate:
            now = datetime.now(utc)
    try:
        when = parse_when(value, now.tzinfo if isinstance(now.tzinfo, ZoneInfo) else utc)
    except (ValueError, OverflowError):  # BadDate, an offset like +25:00, year 1 moved before year 1
        return f"`consented_at` {value[:40]!r} is not a date"
    if when > now:
        return f"`consented_at` {value} is in the future"
    return ""


DOUBLE_OPT_IN = "double opt-in"
"""How a row that a confirmed sign-up appended begins its `consent_source` (or `source`)."""


def consent_source(fields: dict[str, str]) -> str:
    """A row's `consent_source`, else its `source`."""
    return (fields.get("consent_source") or fields.get("source") or "").strip()


def opted_in_again(sub: Subscriber, optouts: Container[str]) -> bool:
    """True when ``sub`` is a confirmed sign-up (double opt-in) made after the address's last row
    in unsubscribed.csv: that opt-in wins (the person asked again and confirmed it); an opt-out
    after it wins in turn. A row without a readable time on either side does not win."""
    if not confirmed_again(sub) or not hasattr(optouts, "rows"):
        return False
    from ..config.optouts import optout_address

    address = optout_address(sub.email) or sub.email.strip().lower()
    times = [o.at for o in getattr(optouts, "rows", ()) if o.address == address]
    try:
        consented = datetime.fromisoformat(sub.fields.get("consented_at", "").strip().replace("Z", "+00:00"))
        latest = max(datetime.fromisoformat(t.strip().replace("Z", "+00:00")) for t in times) if times else None
    except (ValueError, TypeError):
        return False
    if latest is None:
        return True
    if (consented.tzinfo is None) != (latest.tzinfo is None):
        return False
    return consented > latest


def confirmed_again(sub: Subscriber) -> bool:
    """A row a confirmed sign-up (double opt-in) appended, with its consent."""
    return consent_source(sub.fields).lower().startswith(DOUBLE_OPT_IN) and sub.consented


def unsubscribed_now(sub: Subscriber, optouts: Container[str]) -> bool:
    """On unsubscribed.csv, and not back through a confirmed sign-up after it (``opted_in_again``)."""
    return sub.email.lower() in optouts and not opted_in_again(sub, optouts)


def consent_column_problem(columns: tuple[str, ...], path: str, severity: str) -> Diagnostic | None:
    """The Diagnostic of an audience without a `consented_at` column while consent is required."""
    if "consented_at" in columns:
        return None
    return Diagnostic(path, 1, "audience.csv has no `consented_at` column and [mail] requires consent: nobody "
                      "is mailed", "add the column with the date each person agreed (2026-03-01), or set "
                      "`require_consent = false` under [mail] in site.toml if every address on the list has "
                      "agreed elsewhere", severity)


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


def _names(header: list[str]) -> tuple[str, ...]:
    """The header's names; the known ones in any case (`Email`, `CONSENTED_AT`, as spreadsheets
    capitalise them) under their own name."""
    columns = [h.strip().lstrip("\ufeff") for h in header]
    return tuple(c.lower() if c.lower() in KNOWN_COLUMNS and c.lower() not in columns else c for c in columns)


def _header(reader: CsvReader, path: str) -> tuple[tuple[str, ...] | None, list[Diagnostic]]:
    try:
        header = next(reader)
    except StopIteration:
        return None, [Diagnostic(path, 1, "audience.csv is empty", "write a header row: email,name,lang,tags,consented_at,source")]
    except csv.Error as exc:
        return None, [Diagnostic(path, 1, f"the header row is not valid CSV: {exc}", "fix the quotes on that line")]
    columns = _names(header)
    if "email" not in columns:
        return columns, [Diagnostic(path, 1, "audience.csv has no `email` column",
                                    "the first line must name the columns, e.g. email,name,lang,tags,consented_at,source")]
    return columns, []


def _swallowed(row: list[str], columns: tuple[str, ...], delimiter: str) -> bool:
    """Whether a value spanning lines holds what reads as rows of the file (a quote left open
    there, not a cell written over two lines)."""
    idx = columns.index("email")
    for cell in row:
        for inner in cell.splitlines()[1:]:
            parts = next(csv.reader([inner], delimiter=delimiter), [])
            if len(parts) > idx and is_address(parts[idx].strip().strip('"').strip()):
                return True
    return len(row) > idx and ("\n" in row[idx] or "\r" in row[idx])


def _rows(reader: CsvReader, columns: tuple[str, ...], path: str, now: datetime | None) -> Iterator[Subscriber | Diagnostic]:
    """Each data row: a ``Subscriber`` with a valid address, or the ``Diagnostic`` of a row
    skipped (a warning; an error when a quote left open swallows the rows after it).
    Duplicates are left to the caller."""
    delimiter = reader.dialect.delimiter
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Diagnostic(path, line, f"row is not valid CSV: {exc}; skipped", "close the quotes on this row", "warning")
            continue
        start, line = line, reader.line_num  # a quoted field may span lines; report where the row ends
        if line > start and _swallowed(row, columns, delimiter):
            yield Diagnostic(path, start, f"a quote opened on line {start} is not closed on that line: the rows to "
                             f"line {line} are read as one value and would not be mailed or checked",
                             "close the quote on that line, or remove it (write \"\" for a quote inside a value)")
            continue
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
        yield Subscriber(email, line, fields, consent_state(fields.get("consented_at", ""), now))


def parse_audience(text: str, path: str, now: datetime | None = None) -> Audience:
    """``now``: the clock's time in the site's zone, against which `consented_at` is judged."""
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
    for item in _rows(reader, aud.columns, path, now):
        if isinstance(item, Diagnostic):
            aud.problems.append(item)
            continue
        if item.email.lower() in seen:
            if confirmed_again(item):
                # a confirmed sign-up appended after an older row of the address: the newer consent
                aud.subscribers = [s for s in aud.subscribers if s.email.lower() != item.email.lower()] + [item]
                continue
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
        decoder: codecs.IncrementalDecoder = codecs.getincrementaldecoder("utf-8")()
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
    now: datetime | None = None
    """The clock's time in the site's zone (`consented_at` after it is not consent)."""

    def __iter__(self) -> Iterator[Subscriber | Diagnostic]:
        if not self.exists or self.encoding is None or any(d.is_error for d in self.problems):
            return iter(())
        return self._iterate()

    def _iterate(self) -> Iterator[Subscriber | Diagnostic]:
        with open(self.path, encoding=self.encoding, newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            reader = csv.reader(fh, delimiter=sniff_delimiter(first.lstrip("\ufeff")))
            _header(reader, self.rel)
            yield from _rows(reader, self.columns, self.rel, self.now)


def open_audience(ws: Workspace, client: str, now: datetime | None = None) -> AudienceStream:
    """audience.csv for streaming; reads only the header (and checks the encoding) now."""
    path = ws.campaigns_dir / client / "audience.csv"
    stream = AudienceStream(path, ws.rel(path), now=now)
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


def load_audience(ws: Workspace, client: str, now: datetime | None = None) -> Audience:
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
    aud = parse_audience(text, rel, now)
    aud.problems[:0] = problems
    return aud


def load_unsubscribed(ws: Workspace, client: str) -> OptOuts:
    """unsubscribed.csv through its one reader (config.optouts): ``address in`` it normalises
    the address; its ``problems`` say what could not be read (then nothing may be sent)."""
    return load_optouts(ws, client)


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
    skipped: dict[str, int]
    """reason -> count: filtered, no_consent, unsubscribed."""


def select(aud: Audience, conds: list[Condition], unsubscribed: set[str], require_consent: bool) -> Selection:
    recipients, skipped = [], {"filtered": 0, "no_consent": 0, "unsubscribed": 0}
    for sub in aud.subscribers:
        if not all(c.matches(sub) for c in conds):
            skipped["filtered"] += 1
        elif sub.email.lower() in unsubscribed and not opted_in_again(sub, unsubscribed):
            skipped["unsubscribed"] += 1
        elif require_consent and not sub.consented:
            skipped["no_consent"] += 1
        else:
            recipients.append(sub)
    return Selection(recipients, skipped)
