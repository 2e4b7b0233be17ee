"""Sealed records: a checksum on every record that decides who is mailed or what is deployed.

A sealed record is its body followed by one trailer line::

    <body, as the writer made it>
    #sitekeeper-record sha256=<hex of the body> bytes=<length of the body>

(a newline is put between the two when the body does not end with one). ``seal`` adds the
trailer; ``open_record`` checks it and returns the body, or raises ``DamagedRecord`` naming
the record, what is wrong and the fix the caller gives. A record that is empty, cut short
or whose checksum does not match is damaged: it is never read as an empty one.

Records written before they were sealed (no trailer) are still read when they parse whole
(``load_json``: one JSON document; ``load_jsonl``: every line a JSON object), so a
workspace upgraded in place goes on; an empty one, or one with a line that does not parse
(a torn write), is damaged. An older sitekeeper skips the trailer of a JSONL record as a
line it cannot read, and reads a sealed JSON document as unreadable.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..errors import DamagedRecord

MARK = b"#sitekeeper-record "
_TRAILER = re.compile(rb"#sitekeeper-record sha256=([0-9a-f]{64}) bytes=([0-9]+)\n?\Z")


def seal(body: bytes) -> bytes:
    """``body`` with its checksum trailer."""
    sep = b"\n" if body and not body.endswith(b"\n") else b""
    return body + sep + trailer(body)


def trailer(body: bytes) -> bytes:
    return MARK + b"sha256=%s bytes=%d\n" % (hashlib.sha256(body).hexdigest().encode(), len(body))


def _last_line(data: bytes) -> tuple[int, bytes]:
    """(where the last line starts, the last line), a final newline not counted as a line end."""
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    start = data.rfind(b"\n", 0, end) + 1
    return start, data[start:]


def unseal(data: bytes) -> tuple[bytes, bool, str]:
    """(body, sealed, why it is damaged or ""): the check without raising."""
    if not data.strip():
        return data, False, "it is empty"
    start, last = _last_line(data)
    if not last.startswith(MARK):
        return data, False, ""
    m = _TRAILER.match(last)
    if m is None:
        return data[:start], True, "its checksum line cannot be read"
    size = int(m.group(2))
    body = data[:size]
    if size > start:
        return data[:start], True, f"it is cut short: its checksum line names {size} bytes, {start} are there"
    expected = (b"\n" if body and not body.endswith(b"\n") else b"") + trailer(body)
    if data[size:] not in (expected, expected[:-1]):  # the final newline alone may be lost
        return body, True, "its checksum does not match its content (changed or damaged after it was written)"
    return body, True, ""


def open_record(data: bytes, where: str, fix: str, what: str = "the record") -> tuple[bytes, bool]:
    """(body, sealed) of a record read from ``where``; ``DamagedRecord`` when it is damaged."""
    body, sealed, why = unseal(data)
    if why:
        raise damaged(where, what, why, fix)
    return body, sealed


def damaged(where: str, what: str, why: str, fix: str) -> DamagedRecord:
    return DamagedRecord(f"{where}: {what} is damaged: {why}", fix, record=where, why=why)


def load_json(data: bytes, where: str, fix: str, what: str = "the record") -> Any:
    """The JSON document of a (sealed or older) record; ``DamagedRecord`` when it is not whole."""
    body, _ = open_record(data, where, fix, what)
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise damaged(where, what, f"it is not whole JSON ({_short(exc)})", fix) from exc


def load_jsonl(data: bytes, where: str, fix: str, what: str = "the record",
               require_seal: bool = False) -> list[dict[str, Any]]:
    """Every line of a (sealed or older) JSONL record as a dict; ``DamagedRecord`` when a line
    does not parse, or when ``require_seal`` and it carries no checksum."""
    body, sealed = open_record(data, where, fix, what)
    out = []
    for n, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        rec = _line(line)
        if rec is None:
            raise damaged(where, what, f"line {n} is not a whole record" + ("" if sealed else " (cut short?)"), fix)
        out.append(rec)
    if require_seal and not sealed:
        raise damaged(where, what, "it carries no checksum, though every record beside it has one "
                      "(cut short at a line end, or written by hand)", fix)
    return out


def salvage_jsonl(data: bytes) -> tuple[list[dict[str, Any]], int]:
    """What can still be read of a damaged JSONL record: (the lines that parse whole, the
    number of lines that do not). The trailer line is neither."""
    records, lost = [], 0
    for line in data.splitlines():
        if not line.strip() or line.startswith(MARK):
            continue
        rec = _line(line)
        if rec is None:
            lost += 1
        else:
            records.append(rec)
    return records, lost


def _line(line: bytes) -> dict[str, Any] | None:
    try:
        rec = json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return rec if isinstance(rec, dict) else None


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 80 else text[:77] + "..."
