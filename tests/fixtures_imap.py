"""A real IMAP server for the opt-out tests: Dovecot on 127.0.0.1, started by the test suite.

``dovecot -F -c CONFIG`` runs from a temporary folder with its own base_dir, state_dir and
log, a passwd-file passdb and a static userdb (uid 65534: Dovecot refuses uid 0 for mail
users), ``ssl = no`` (loopback only). Every test gets its own user (``imap_account``), so
mailboxes never leak from one test into another. ``dovecot_tls`` is a second server with
TLS as providers run it: imaps (TLS from the first byte) on its own port and STARTTLS on
the plain one, with a self-signed certificate made here for 127.0.0.1. Skipped, with the reason, only when
Dovecot is not installed (CI installs it: scripts/setup.sh --test).
"""
from __future__ import annotations

import getpass
import imaplib
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import need

from fixtures_deploy import _wait_port, free_port, stop

NOBODY = 65534


@dataclass
class Dovecot:
    host: str
    """Always 127.0.0.1."""
    port: int
    """The plain IMAP port (loopback: no TLS)."""
    folder: Path
    """The server's own folder (config, log, mail homes)."""
    passwd: Path
    """The folder of its users' passwd-files (one per user)."""
    proc: subprocess.Popen
    """The dovecot master process."""
    imaps_port: int = 0
    """The imaps port (0: started without TLS)."""
    cert: Path | None = None
    """The self-signed certificate (PEM) of a TLS server."""

    def url(self, mailbox: str = "", scheme: str = "imap") -> str:
        port = self.imaps_port if scheme == "imaps" else self.port
        return f"{scheme}://{self.host}:{port}" + (f"/{mailbox}" if mailbox else "")

    def add_user(self, user: str, password: str) -> None:
        # One passwd-file per user: Dovecot re-reads a changed file only when its mtime moves,
        # which two users added within one second would not do.
        (self.passwd / user).write_text(f"{user}:{{PLAIN}}{password}::::::\n", encoding="utf-8")

    def connect(self, user: str, password: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(user, password)
        return conn


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def start_dovecot(folder: Path, tls: bool = False) -> Dovecot:
    exe = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if exe is None:
        raise FileNotFoundError("dovecot")
    folder.mkdir(parents=True, exist_ok=True)
    homes = folder / "homes"
    homes.mkdir(exist_ok=True)
    os.chown(homes, NOBODY, NOBODY) if os.geteuid() == 0 else None
    passwd = folder / "passwd"
    passwd.mkdir(exist_ok=True)
    port = free_port()
    imaps_port = free_port() if tls else 0
    cert = key = None
    if tls:
        cert, key = _self_signed(folder)
        os.chmod(key, 0o600)
    ssl_lines = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n" if tls else "ssl = no\n"
    log = folder / "dovecot.log"
    config = folder / "dovecot.conf"
    # As root, Dovecot's own unprivileged users (made by the package); otherwise the current one.
    me = None if os.geteuid() == 0 else getpass.getuser()
    users = "" if me is None else f"default_internal_user = {me}\ndefault_login_user = {me}\n"
    config.write_text(f"""\
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {log}
info_log_path = {log}
protocols = imap
listen = 127.0.0.1
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = plain login
{users}mail_location = maildir:~/Maildir
first_valid_uid = {NOBODY if os.geteuid() == 0 else os.getuid()}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = {passwd}/%u
}}
userdb {{
  driver = static
  args = uid={NOBODY if os.geteuid() == 0 else os.getuid()} gid={NOBODY if os.geteuid() == 0 else os.getgid()} home={homes}/%u
}}
""")
    proc = subprocess.Popen([exe, "-F", "-c", str(config)], stdout=open(folder / "stdout.log", "wb"),
                            stderr=subprocess.STDOUT)
    _wait_port(port, proc, log if log.exists() else folder / "stdout.log", 20)
    if tls:
        _wait_port(imaps_port, proc, log, 20)
    return Dovecot("127.0.0.1", port, folder, passwd, proc, imaps_port, cert)


def _serve(tls: bool):
    # Not under pytest's tmp folder: that is private to its owner (0700), and Dovecot's
    # unprivileged processes must reach the passwd-file and the mail homes.
    folder = Path(tempfile.mkdtemp(prefix="sitekeeper-dovecot-"))
    folder.chmod(0o755)
    try:
        server = start_dovecot(folder, tls)
    except FileNotFoundError:
        shutil.rmtree(folder, ignore_errors=True)
        need("Dovecot is not installed here", "apt-get install dovecot-imapd")
    yield server
    stop(server.proc)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot_server():
    yield from _serve(tls=False)


@pytest.fixture(scope="session")
def dovecot_tls():
    yield from _serve(tls=True)


@dataclass
class ImapAccount:
    server: Dovecot
    """The server the account lives on."""
    user: str
    """Login name."""
    password: str
    """Its password."""

    def connect(self) -> imaplib.IMAP4:
        return self.server.connect(self.user, self.password)

    def append(self, raw: bytes, mailbox: str = "INBOX", when: str = '"01-Mar-2026 09:00:00 +0100"') -> None:
        conn = self.connect()
        try:
            if mailbox != "INBOX":
                conn.create(mailbox)
            typ, data = conn.append(mailbox, None, when, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, mailbox: str = "INBOX") -> dict[str, str]:
        """Message-ID -> the message's flags, for every message in the mailbox."""
        conn = self.connect()
        try:
            conn.select(f"\"{mailbox}\"", readonly=True)
            typ, data = conn.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            out = {}
            for item in data:
                if isinstance(item, tuple):
                    meta, header = item
                    flags = meta.decode().split("FLAGS (", 1)[1].split(")", 1)[0]
                    mid = header.decode().partition(":")[2].strip()
                    out[mid] = flags
            return out
        finally:
            conn.logout()

    def count(self, mailbox: str = "INBOX") -> int:
        conn = self.connect()
        try:
            typ, data = conn.select(f"\"{mailbox}\"", readonly=True)
            return int(data[0])
        finally:
            conn.logout()


@pytest.fixture
def imap_account(dovecot_server) -> ImapAccount:
    """A fresh, empty mailbox on the session's Dovecot."""
    user = f"u{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex
    dovecot_server.add_user(user, password)
    return ImapAccount(dovecot_server, user, password)
