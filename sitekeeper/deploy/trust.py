"""`sitekeeper trust`: observe an SFTP server's host key and pin it in site.toml.

``pin_host_key_text`` is pure: it edits just the ``host_key`` line of one [deploy.NAME]
table (or inserts one after its ``url``), leaving every other byte of the file as it was.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import DeployError

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_HOST_KEY = re.compile(r"^(\s*)host_key\s*=")
_URL = re.compile(r"^\s*url\s*=")


def observe(target, client: str) -> tuple[str, str]:
    if target.kind != "sftp":
        raise DeployError(f"{client}: target {target.name} is {target.kind}:, not sftp://; only SSH servers have "
                          "host keys to trust")
    from .sftp import fetch_host_key

    return fetch_host_key(target.host, target.port, client, target.name)


def _table_name(header: str) -> str:
    return ".".join(p.strip().strip("\"'") for p in header.split("."))


def pin_host_key_text(text: str, table: str, fp: str) -> str:
    """``text`` with host_key = "fp" in [deploy.<table>]; raises ValueError if the table is not there."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    want = f"deploy.{table}"
    start = None
    for i, line in enumerate(lines):
        m = _HEADER.match(line.rstrip("\r\n"))
        if m and _table_name(m.group(1)) == want:
            start = i
            break
    if start is None:
        raise ValueError(f"no [deploy.{table}] table header")
    end = len(lines)
    for j in range(start + 1, len(lines)):
        if _HEADER.match(lines[j].rstrip("\r\n")) or lines[j].lstrip().startswith("[["):
            end = j
            break
    url_line = None
    for j in range(start + 1, end):
        m = _HOST_KEY.match(lines[j])
        if m:
            stop = j
            if "[" in lines[j].split("=", 1)[1] and "]" not in lines[j].split("=", 1)[1]:
                while stop + 1 < end and "]" not in lines[stop]:
                    stop += 1
            eol = newline if lines[stop].endswith(("\n", "\r")) else ""
            lines[j:stop + 1] = [f'{m.group(1)}host_key = "{fp}"{eol}']
            break
        if _URL.match(lines[j]):
            url_line = j
    else:
        at = (url_line if url_line is not None else start) + 1
        if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
            lines[at - 1] += newline
        lines.insert(at, f'host_key = "{fp}"{newline}')
    out = "".join(lines)
    data = tomllib.loads(out)
    if data.get("deploy", {}).get(table, {}).get("host_key") != fp:
        raise ValueError("the edited file does not read back as intended")
    return out


def pin_host_key_file(path: Path, table: str, fp: str) -> None:
    text = path.read_bytes().decode("utf-8")
    try:
        new = pin_host_key_text(text, table, fp)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DeployError(f"cannot pin the host key in {path} automatically ({exc}); add the line "
                          f'host_key = "{fp}" to [deploy.{table}] by hand') from exc
    tmp = path.with_name(path.name + ".sitekeeper-tmp")
    tmp.write_bytes(new.encode("utf-8"))
    tmp.replace(path)
