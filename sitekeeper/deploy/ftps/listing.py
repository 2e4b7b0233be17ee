"""Reading FTP listings: MLSD/MLST facts, Unix-style LIST lines and their dates."""
from __future__ import annotations

import time


def _facts(text: str) -> dict[str, str]:
    out = {}
    for fact in text.split(";"):
        k, _, v = fact.partition("=")
        if k:
            out[k.strip().lower()] = v
    return out


def _parse_list_line(line: str) -> tuple[str, str, int, str] | None:
    """One line of a Unix-style LIST: (name, kind, size, "")."""
    parts = line.split(None, 8)
    if len(parts) < 9 or parts[0][0] not in "-dl":
        return None
    name = parts[8]
    if name in (".", ".."):
        return None
    if parts[0][0] == "l":
        return None  # links are not the site's own files
    kind = "dir" if parts[0][0] == "d" else "file"
    try:
        size = int(parts[4])
    except ValueError:
        size = 0
    return name, kind, size, ""


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), 1)}


def _list_time(fields, now: float) -> str:
    """A Unix-style LIST date ("Dec", "1", "11:30", or "Dec", "1", "2025" for older files),
    in UTC as most servers write it (ProFTPD's and vsftpd's default), as YYYYMMDDHHMMSS;
    '' when it cannot be read. A date without a year is in the last twelve months."""
    try:
        month = _MONTHS[fields[0][:3].lower()]
        day = int(fields[1])
        if ":" in fields[2]:
            hour, minute = (int(x) for x in fields[2].split(":", 1))
            year = time.gmtime(now).tm_year
            if (month, day) > (time.gmtime(now).tm_mon, time.gmtime(now).tm_mday + 1):
                year -= 1
        else:
            year, hour, minute = int(fields[2]), 0, 0
        return f"{year:04d}{month:02d}{day:02d}{hour:02d}{minute:02d}00"
    except (KeyError, ValueError, IndexError):
        return ""


def _older_than(modify: str, seconds: float) -> bool:
    """Is an MLST ``modify`` time (YYYYMMDDHHMMSS, UTC) older than ``seconds``? Unknown: yes."""
    import calendar

    try:
        then = calendar.timegm(time.strptime(modify[:14], "%Y%m%d%H%M%S"))
    except ValueError:
        return True
    return time.time() - then > seconds
