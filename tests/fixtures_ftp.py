"""ProFTPD for deploy tests, started by the suite on 127.0.0.1 only, set up as shared hosts
set it up: one virtual user (AuthUserFile, `openssl passwd -5` hash) chrooted to its home
with ``DefaultRoot ~``, FTP with explicit TLS (AUTH TLS, mod_tls, a self-signed certificate
made here; data connections must be protected and reuse the control connection's TLS
session, ProFTPD's default), and SFTP (mod_sftp) on a second port.

- ``proftpd_server``: session-scoped; ``start_proftpd`` is also used by bench/deploy_bench.py.
- ``proftpd_plain``: the same without TLS (for ftp:// to loopback).
- ``proftpd_quota``: a 3 MB quota (mod_quotatab_file) on the user, as on cheap hosting.
- ``proftpd_implicit``: FTPS with implicit TLS (TLS from the first byte, port 990 style).
- ``proftpd_list_only``: plain FTP without MLST/MLSD (not in FEAT, refused if sent): LIST only.

A test is skipped (with the reason) only when proftpd is not installed on a developer
machine (scripts/setup.sh --test installs it).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers import need

from fixtures_deploy import _wait_port, free_port, stop

MODULES = "/usr/lib/proftpd"


@dataclass
class Proftpd:
    host: str
    """Always 127.0.0.1."""
    port: int
    """FTP port (explicit TLS unless started with tls=False)."""
    sftp_port: int
    """mod_sftp port (0 when not started)."""
    user: str
    """The virtual user's login."""
    password: str
    """Its password (given to sitekeeper through password_env)."""
    home: Path
    """The user's chroot: "/" in its FTP and SFTP paths."""
    cert: Path
    """The self-signed certificate (PEM)."""
    cert_fingerprint: str
    """SHA256:... of the certificate's DER bytes, hex pairs as openssl prints them."""
    host_key_fingerprint: str
    """SHA256:... of mod_sftp's host key, as ssh-keygen prints it."""
    log: Path
    """ProFTPD's system log."""
    proc: subprocess.Popen
    """The proftpd process."""
    env: dict = field(default_factory=dict)
    """Environment variables for a publish (the password)."""

    def url(self, path: str, scheme: str = "ftps") -> str:
        port = self.sftp_port if scheme == "sftp" else self.port
        return f"{scheme}://{self.user}@{self.host}:{port}{path}"


def _hex_fp(der: bytes) -> str:
    digest = hashlib.sha256(der).hexdigest().upper()
    return "SHA256:" + ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def start_proftpd(folder: Path, *, tls: bool = True, sftp: bool = True, quota_bytes: int = 0,
                  sftp_extensions: str = "", www_only: bool = False, command_log: Path | None = None,
                  implicit: bool = False, mlsd: bool = True) -> Proftpd:
    """``www_only``: the account may write only inside ~/www (its docroot), not beside it,
    as on hosts that chroot the login to a home whose top the user cannot change.
    ``command_log``: one line per FTP command ("COMMAND BYTES"), for the benchmark's counts.
    ``implicit``: TLS from the first byte (``TLSOptions UseImplicitSSL``, as on port 990).
    ``mlsd=False``: MLST/MLSD neither advertised in FEAT nor allowed, as on servers that
    list with LIST only."""
    exe = shutil.which("proftpd") or ("/usr/sbin/proftpd" if os.path.exists("/usr/sbin/proftpd") else None)
    if exe is None or not os.path.isdir(MODULES):
        raise FileNotFoundError("proftpd")
    folder.mkdir(parents=True, exist_ok=True)
    home = folder / "home"
    home.mkdir(exist_ok=True)
    user, password = "client", uuid.uuid4().hex
    hashed = subprocess.run(["openssl", "passwd", "-5", password], check=True, capture_output=True,
                            text=True).stdout.strip()
    uid, gid = os.getuid(), os.getgid()
    (folder / "passwd").write_text(f"{user}:{hashed}:{uid}:{gid}::{home}:/bin/false\n")
    os.chmod(folder / "passwd", 0o600)
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                        "-subj", "/CN=ftp.test.invalid", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
    der = subprocess.run(["openssl", "x509", "-in", str(cert), "-outform", "DER"], check=True,
                         capture_output=True).stdout
    hostkey = folder / "ssh_host_rsa"
    if sftp and not hostkey.exists():
        # mod_sftp reads PEM host keys
        subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", str(hostkey)],
                       check=True)
    host_fp = ""
    if sftp:
        host_fp = subprocess.run(["ssh-keygen", "-l", "-f", f"{hostkey}.pub"], check=True, capture_output=True,
                                 text=True).stdout.split()[1]
    port = free_port()
    sftp_port = free_port() if sftp else 0
    limits_block = ""
    if www_only:
        (home / "www").mkdir(exist_ok=True)
        limits_block = """
<Directory ~>
  <Limit MKD XMKD STOR RNTO SITE_MKDIR>
    DenyAll
  </Limit>
</Directory>
<Directory ~/www>
  <Limit ALL>
    AllowAll
  </Limit>
</Directory>
"""
    log = folder / "proftpd.log"
    run_as = "" if uid != 0 else "User root\nGroup root\n"
    quota = ""
    if quota_bytes:
        limits, tally = folder / "ftpquota.limittab", folder / "ftpquota.tallytab"
        for p in (limits, tally):
            p.unlink(missing_ok=True)
        def ftpquota(table: Path, kind: str, *more: str) -> None:
            subprocess.run(["ftpquota", f"--table-path={table}", f"--type={kind}", *more], check=True,
                           capture_output=True)

        ftpquota(limits, "limit", "--create-table")
        ftpquota(tally, "tally", "--create-table")
        ftpquota(limits, "limit", "--add-record", f"--name={user}", "--quota-type=user",
                 f"--bytes-upload={quota_bytes}", "--units=B", "--limit-type=hard")
        quota = f"""QuotaEngine on
QuotaLimitTable file:{limits}
QuotaTallyTable file:{tally}
QuotaDisplayUnits Mb
QuotaShowQuotas on
"""
    tls_lines = ""
    if tls:
        tls_lines = f"""
LoadModule mod_tls.c
TLSEngine on
TLSLog {folder / 'tls.log'}
TLSProtocol TLSv1.2 TLSv1.3
TLSRSACertificateFile {cert}
TLSRSACertificateKeyFile {key}
TLSRequired on
TLSVerifyClient off
{"TLSOptions UseImplicitSSL" if implicit else ""}
"""
    sftp_lines = ""
    if sftp:
        ext = f"SFTPExtensions {sftp_extensions}\n" if sftp_extensions else ""
        sftp_lines = f"""
LoadModule mod_sftp.c
<VirtualHost 127.0.0.1>
  Port {sftp_port}
  SFTPEngine on
  SFTPLog {folder / 'sftp.log'}
  SFTPHostKey {hostkey}
  SFTPAuthMethods password
  {ext}
  AuthOrder mod_auth_file.c
  AuthUserFile {folder / 'passwd'}
  RequireValidShell off
  RootLogin on
  DefaultRoot ~
  AllowOverwrite on
  WtmpLog off
  UseFtpUsers off
  {quota.strip().replace(chr(10), chr(10) + '  ') if quota else ''}
  {limits_block}
</VirtualHost>
"""
    config = folder / "proftpd.conf"
    config.write_text(f"""\
ServerName "sitekeeper test"
ServerType standalone
DefaultServer on
DefaultAddress 127.0.0.1
Port {port}
{run_as}PidFile {folder / 'proftpd.pid'}
ScoreboardFile {folder / 'proftpd.scoreboard'}
DelayTable {folder / 'proftpd.delay'}
SystemLog {log}
ModulePath {MODULES}
ModuleControlsACLs insmod,rmmod allow user root
{tls_lines}
{"LoadModule mod_quotatab.c" + chr(10) + "LoadModule mod_quotatab_file.c" if quota else ""}
{quota}
AuthOrder mod_auth_file.c
AuthUserFile {folder / 'passwd'}
AuthPAM off
RequireValidShell off
RootLogin on
DefaultRoot ~
AllowOverwrite on
UseIPv6 off
UseReverseDNS off
WtmpLog off
UseFtpUsers off
MaxInstances 60
PassivePorts 40000 60000
TimeoutIdle 600
{limits_block}
{"" if mlsd else NO_MLSD}
{f'LogFormat counted "%m %b"{chr(10)}ExtendedLog {command_log} ALL counted' if command_log else ''}
{sftp_lines}
""")
    out = open(folder / "proftpd.out", "wb")
    proc = subprocess.Popen([exe, "-n", "-c", str(config)], stdout=out, stderr=subprocess.STDOUT)
    _wait_port(port, proc, folder / "proftpd.out")
    if sftp:
        _wait_port(sftp_port, proc, folder / "proftpd.out")
    env_name = "SITEKEEPER_TEST_FTP_PASSWORD"
    return Proftpd("127.0.0.1", port, sftp_port, user, password, home, cert, _hex_fp(der), host_fp, log, proc,
                   {env_name: password})


PASSWORD_ENV = "SITEKEEPER_TEST_FTP_PASSWORD"

NO_MLSD = """FactsAdvertise off
<Limit MLSD MLST>
  DenyAll
</Limit>
"""


def _start(tmp_path_factory, name: str, **kw) -> Proftpd:
    try:
        return start_proftpd(tmp_path_factory.mktemp(name), **kw)
    except FileNotFoundError:
        need("ProFTPD is not installed here",
             "apt-get install proftpd-core proftpd-mod-crypto, or scripts/setup.sh --test")


@pytest.fixture(scope="session")
def proftpd_server(tmp_path_factory):
    server = _start(tmp_path_factory, "proftpd")
    yield server
    stop(server.proc)


@pytest.fixture(scope="session")
def proftpd_bare(tmp_path_factory):
    """mod_sftp without the OpenSSH extensions (no posix-rename, no hardlink)."""
    server = _start(tmp_path_factory, "proftpd-bare", tls=True, sftp_extensions="-posixRename -hardlink")
    yield server
    stop(server.proc)


@pytest.fixture(scope="session")
def proftpd_plain(tmp_path_factory):
    server = _start(tmp_path_factory, "proftpd-plain", tls=False, sftp=False)
    yield server
    stop(server.proc)


@pytest.fixture(scope="session")
def proftpd_quota(tmp_path_factory):
    server = _start(tmp_path_factory, "proftpd-quota", quota_bytes=3 << 20)
    yield server
    stop(server.proc)


@pytest.fixture(scope="session")
def proftpd_implicit(tmp_path_factory):
    server = _start(tmp_path_factory, "proftpd-implicit", implicit=True, sftp=False)
    yield server
    stop(server.proc)


@pytest.fixture(scope="session")
def proftpd_list_only(tmp_path_factory):
    server = _start(tmp_path_factory, "proftpd-list", tls=False, sftp=False, mlsd=False)
    yield server
    stop(server.proc)


@pytest.fixture(scope="session")
def proftpd_www_only(tmp_path_factory):
    server = _start(tmp_path_factory, "proftpd-www", www_only=True)
    yield server
    stop(server.proc)


@pytest.fixture
def ftp_env(monkeypatch):
    def use(server: Proftpd) -> dict:
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        return dict(server.env)
    return use
