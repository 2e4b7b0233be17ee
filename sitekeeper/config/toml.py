"""TOML texts with line numbers.

``tomllib`` gives values but no positions, so ``toml_lines`` maps each (table, key) to
the line it is written on; every diagnostic about a config file points at that line.
``check_keys`` flags unknown keys of a table with a did-you-mean. ``read_config_text``
reads a config file as UTF-8, naming the line and byte where it is not.
"""
from __future__ import annotations

import codecs
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

from ..errors import Diagnostic, Problems, ProblemsError, did_you_mean
from . import secrets

_HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")

Lines = Mapping[tuple[str, str], int]


def toml_lines(text: str) -> dict[tuple[str, str], int]:
    """Map (table, key) -> line for a TOML text; the table itself is (table, "")."""
    lines: dict[tuple[str, str], int] = {}
    table = ""
    for no, line in enumerate(text.splitlines(), 1):
        m = _HEADER_RE.match(line)
        if m:
            table = ".".join(p.strip().strip("\"'") for p in m.group(1).split("."))
            lines.setdefault((table, ""), no)
            continue
        m = _KEY_RE.match(line)
        if m:
            key = m.group(1).strip("\"'")
            # dotted keys: a.b = 1 inside [t] is key b of table t.a
            parts = key.split(".")
            t = ".".join([table] + parts[:-1]).strip(".")
            lines.setdefault((t, parts[-1]), no)
    return lines


def error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    """The line a TOML syntax error is at, from tomllib's message."""
    m = re.search(r"line (\d+)", str(exc))
    return int(m.group(1)) if m else None


def check_keys(table: Mapping[str, Any], known: set[str], table_name: str, lines: Lines, path: str,
               problems: Problems) -> None:
    """An error for each key of ``table`` not in ``known``, with a did-you-mean.

    Secret-named keys are left to the secret scan, which reports them with its own fix."""
    for key in table:
        if key not in known and not secrets.is_secret_key(key):
            hint = did_you_mean(key, known)
            where = f"[{table_name}]" if table_name else "site.toml"
            problems.error(
                path, lines.get((table_name, key)), f"unknown key `{key}` in {where}",
                hint or f"known keys: {', '.join(sorted(known))}",
            )


SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: Save As..., Encoding: UTF-8)"


def read_config_text(path: Path, shown: str) -> str:
    """The text of a config file; a ProblemsError at ``shown`` when it cannot be read or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProblemsError([Diagnostic(shown, None, f"cannot be read: {exc.strerror or exc}",
                                        "check that it is a file you may read")]) from exc
    return decode_config(data, shown)


def decode_config(data: bytes, shown: str) -> str:
    """UTF-8 text (a leading byte-order mark, as some Windows editors write it, is dropped)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ProblemsError([Diagnostic(shown, 1, "is saved as UTF-16, not UTF-8", SAVE_AS_UTF8)])
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        # an old editor's Latin-1 / Windows-1252 is by far the likeliest source: show what it meant
        meant = data[exc.start:exc.start + 1].decode("cp1252", errors="replace")
        guess = f" (in Latin-1 that is {meant!r})" if meant != "\ufffd" and byte >= 0x80 else ""
        raise ProblemsError([Diagnostic(
            shown, line, f"is not UTF-8: byte 0x{byte:02x} at column {column}{guess}", SAVE_AS_UTF8)]) from exc
