"""Shared test set-up. Server fixtures live in their own plugin modules:
fixtures_deploy (OpenSSH sshd, S3 server), fixtures_ftp (ProFTPD: FTPS, SFTP, quota), fixtures_mail (SMTP),
fixtures_imap (Dovecot), fixtures_browser (Chromium)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["fixtures_deploy", "fixtures_ftp", "fixtures_mail", "fixtures_imap", "fixtures_browser"]

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo_workspace(tmp_path, monkeypatch) -> Path:
    """A private copy of the shipped demo workspace (sites/ and campaigns/), as cwd."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("sites", "campaigns"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, ws / name)
    # The shipped demo audiences are clean (a new user's first publish warns about nothing);
    # the tests' copy gets one invalid row per client, at line 8, to see it skipped and reported.
    for client, row in INVALID_DEMO_ROWS.items():
        audience = ws / "campaigns" / client / "audience.csv"
        if audience.is_file():
            lines = audience.read_text(encoding="utf-8").splitlines(keepends=True)
            audience.write_text("".join(lines[:7] + [row + "\n"] + lines[7:]), encoding="utf-8")
    monkeypatch.chdir(ws)
    return ws


INVALID_DEMO_ROWS = {
    "baeckerei-sonnenkorn": "hans.at.example.com,Hans Becker,de,brot,2025-05-05T08:00:00+02:00,Ladenformular",
    "zubni-ordinace-novakova": "vaclav.rehak.example.com,Václav Řehák,cs,hygiena,2025-07-07T10:00:00+02:00,recepce",
}


@pytest.fixture(autouse=True)
def _no_ambient_clock(monkeypatch):
    # Tests set the clock explicitly; a developer's SITEKEEPER_NOW must not leak in.
    monkeypatch.delenv("SITEKEEPER_NOW", raising=False)
