"""Text of CSV files as spreadsheets save them: the encoding (UTF-8 with or without BOM, UTF-16,
Windows-1252) and the delimiter (comma, semicolon, tab). Shared by the audience, the
opt-out list and the report, which all read files a client's spreadsheet wrote."""
from __future__ import annotations

from ..errors import Diagnostic

RESAVE = ("re-save it as UTF-8: in Excel, File > Save As > \"CSV UTF-8 (comma delimited)\"; "
           "in LibreOffice, tick \"Edit filter settings\" and choose Unicode (UTF-8)")


def decode_csv(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """The text of a CSV file as spreadsheets write it: UTF-8 (with or without BOM), UTF-16
    with BOM (Excel's "Unicode text"), or Windows-1252 (Excel's plain "CSV" in Western Europe),
    which is read with a warning naming the first line that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None, [Diagnostic(path, line, "the file is not UTF-8 text (and not Windows-1252 either)", RESAVE)]
    return text, [Diagnostic(path, line, "the file is not UTF-8: read it as Windows-1252 (what Excel writes as plain CSV)",
                             RESAVE, "warning")]


def sniff_delimiter(header: str) -> str:
    """`,` unless the header row uses `;` (Excel in German, Czech, Romanian, Dutch, Italian ...)
    or tabs instead."""
    for sep in (",", ";", "\t"):
        if sep in header:
            return sep
    return ","
