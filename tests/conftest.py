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
    monkeypatch.chdir(ws)
    return ws


@pytest.fixture(autouse=True)
def _no_ambient_clock(monkeypatch):
    # Tests set the clock explicitly; a developer's SITEKEEPER_NOW must not leak in.
    monkeypatch.delenv("SITEKEEPER_NOW", raising=False)
