"""Shared test set-up. Server fixtures live in their own plugin modules:
fixtures_deploy (OpenSSH sshd, S3 server), fixtures_ftp (ProFTPD: FTPS, SFTP, quota), fixtures_mail (SMTP),
fixtures_imap (Dovecot), fixtures_browser (Chromium).

Markers (pyproject.toml [tool.pytest.ini_options]): a test that uses one of SERVER_FIXTURES is marked
`servers`, one that uses one of BROWSER_FIXTURES `browser`, here at collection, so the quick run
`pytest -m "not servers and not browser"` needs no server binary and no Chromium."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["fixtures_deploy", "fixtures_ftp", "fixtures_mail", "fixtures_imap", "fixtures_browser"]

REPO = Path(__file__).resolve().parent.parent

# Fixtures that start a server on 127.0.0.1 (directly or through the fixtures they use: pytest's
# fixture closure holds both). The plugin modules' first, then the few test files' own.
SERVER_FIXTURES = frozenset({
    "sshd_server", "sshd_chroot", "s3_server", "s3rver_server",  # fixtures_deploy: OpenSSH, moto, s3rver
    "proftpd_server", "proftpd_bare", "proftpd_plain", "proftpd_quota", "proftpd_implicit",
    "proftpd_list_only", "proftpd_www_only",  # fixtures_ftp: ProFTPD
    "smtp_server", "smtp_tls_server", "smtp_fault_server",  # fixtures_mail: aiosmtpd
    "dovecot_server", "dovecot_tls", "imap_account",  # fixtures_imap: Dovecot
    "serve_dir",  # fixtures_browser: an HTTP server
    "queueing_smtp", "postfix", "counting_smtp",  # test_client_report_send, test_mail_notice, test_tick: aiosmtpd
    "served",  # test_judges, test_live: an HTTP server
    "stalling",  # test_network: a server that never greets (each test waits out a timeout)
})
# Fixtures that drive Debian's chromium.
BROWSER_FIXTURES = frozenset({"chromium", "browser", "watched_page", "lighthouse"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SERVER_FIXTURES:
            item.add_marker(pytest.mark.servers)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


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
