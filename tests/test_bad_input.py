"""Bad and unusual input as users write it: each gives a clear `path:line: message` or works."""
from __future__ import annotations

from pathlib import Path

from helpers import copy_workspace, sk, tree

NOW = "2026-03-05T12:00:00+01:00"


def _to_crlf(root: Path) -> int:
    changed = 0
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in {".md", ".toml", ".csv", ".html"}:
            data = path.read_bytes()
            assert b"\r" not in data
            path.write_bytes(data.replace(b"\n", b"\r\n"))
            changed += 1
    return changed


def test_windows_line_endings_build_the_same_site(tmp_path):
    lf = copy_workspace("mini", tmp_path / "lf")
    crlf = copy_workspace("mini", tmp_path / "crlf")
    assert _to_crlf(crlf) >= 5
    assert sk("check", cwd=crlf, now=NOW).returncode == 0
    for ws in (lf, crlf):
        run = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
        assert run.returncode == 0, run.stderr
    assert tree(crlf / "out") == tree(lf / "out")
