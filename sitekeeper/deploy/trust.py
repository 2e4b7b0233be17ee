"""`sitekeeper trust`: observe an SFTP server's host key, or an FTPS server's certificate,
and pin it in site.toml (``host_key`` / ``cert_fingerprint``).

``pin_host_key_text`` is pure: it edits just the pinned line of one [deploy.NAME] table (or
inserts one after its ``url``), leaving every other byte of the file as it was.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import DeployError
from ..fsutil import atomic_write

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_URL = re.compile(r"^\s*url\s*=")


def pin_key(target) -> str:
    """The site.toml key that pins what ``observe`` shows."""
    return "cert_fingerprint" if target.kind == "ftps" else "host_key"


def observe(target, client: str) -> tuple[str, str]:
    """(what the server presents, its fingerprint): an SSH host key, or an FTPS certificate."""
    if target.kind == "ftps":
        from .ftps import fetch_certificate

        subject, fp = fetch_certificate(target, client)
        return f"TLS certificate ({subject})", fp
    if target.kind != "sftp":
        raise DeployError(f"{client}: target {target.name} is {target.kind}:, not sftp:// or ftps://; only SSH "
                          "servers have host keys and FTPS servers certificates to trust")
    from .sftp import fetch_host_key

    keytype, fp = fetch_host_key(target.host, target.port, client, target.name)
    return f"{keytype} key", fp


def is_pinned(target, fp: str) -> bool:
    if target.kind == "ftps":
        from ..config.deploy import normalize_cert_fingerprint

        return target.cert_fingerprint == normalize_cert_fingerprint(fp)
    return fp.rstrip("=") in target.host_keys


def _table_name(header: str) -> str:
    return ".".join(p.strip().strip("\"'") for p in header.split("."))


def pin_host_key_text(text: str, table: str, fp: str, key: str = "host_key") -> str:
    """``text`` with key = "fp" in [deploy.<table>]; raises ValueError if the table is not there."""
    pinned = re.compile(rf"^(\s*){key}\s*=")
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
        m = pinned.match(lines[j])
        if m:
            stop = j
            if "[" in lines[j].split("=", 1)[1] and "]" not in lines[j].split("=", 1)[1]:
                while stop + 1 < end and "]" not in lines[stop]:
                    stop += 1
            eol = newline if lines[stop].endswith(("\n", "\r")) else ""
            lines[j:stop + 1] = [f'{m.group(1)}{key} = "{fp}"{eol}']
            break
        if _URL.match(lines[j]):
            url_line = j
    else:
        at = (url_line if url_line is not None else start) + 1
        if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
            lines[at - 1] += newline
        lines.insert(at, f'{key} = "{fp}"{newline}')
    out = "".join(lines)
    data = tomllib.loads(out)
    if data.get("deploy", {}).get(table, {}).get(key) != fp:
        raise ValueError("the edited file does not read back as intended")
    return out


def pin_host_key_file(path: Path, table: str, fp: str, key: str = "host_key") -> None:
    text = path.read_bytes().decode("utf-8")
    try:
        new = pin_host_key_text(text, table, fp, key)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise DeployError(f"cannot pin the fingerprint in {path} automatically ({exc}); add the line "
                          f'{key} = "{fp}" to [deploy.{table}] by hand') from exc
    atomic_write(path, new.encode("utf-8"), mkdir=False)
