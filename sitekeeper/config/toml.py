"""TOML texts with line numbers.

``tomllib`` gives values but no positions, so ``toml_lines`` maps each (table, key) to
the line it is written on; every diagnostic about a config file points at that line.
``check_keys`` flags unknown keys of a table with a did-you-mean.
"""
from __future__ import annotations

import re
import tomllib
from typing import Mapping

from ..errors import Problems, did_you_mean
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


def check_keys(table: Mapping, known: set[str], table_name: str, lines: Lines, path: str,
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
