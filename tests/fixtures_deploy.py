"""Real servers for deploy tests, started by the test suite on 127.0.0.1 only.

- ``sshd_server``: OpenSSH ``sshd -D -e -f CONFIG`` on an unprivileged port, with its own
  host key, authorized_keys and an SFTP-only account (``ForceCommand internal-sftp``, as on
  shared hosting). Root may log in with the key only (CI runs as root).
- ``sshd_chroot``: OpenSSH as shared hosts set it up: an account (``nobody``) confined by
  ``ChrootDirectory`` to a root-owned folder it cannot write, with its docroot ``/www`` the
  only folder it owns (``Match User`` + ``ForceCommand internal-sftp``). Needs root; skipped
  with the reason otherwise. Module-scoped.
- ``s3_server``: moto's standalone S3-compatible server; boto3 talks real HTTP to it.

Both are session-scoped; a test is skipped (with the reason) only when the binary is
missing on a developer machine. The helpers ``start_sshd``/``start_moto`` are also used by
bench/deploy_bench.py.
"""
from __future__ import annotations

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import need


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, log: Path | None, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {log.read_text() if log else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on 127.0.0.1:{port}")


@dataclass
class Sshd:
    host: str
    """Always 127.0.0.1."""
    port: int
    """The listening port."""
    user: str
    """Login name (the current user)."""
    key_file: Path
    """Private key in authorized_keys."""
    fingerprint: str
    """Host key fingerprint, SHA256:..."""
    home: Path
    """A folder for docroots."""
    log: Path
    """sshd's stderr (LogLevel VERBOSE, sftp-server at INFO: one line per open/rename/remove...)."""
    proc: subprocess.Popen
    """The sshd process."""

    def url(self, path: str) -> str:
        return f"sftp://{self.user}@{self.host}:{self.port}{path}"


def start_sshd(folder: Path, sftp_log: Path | None = None) -> Sshd:
    """``sftp_log``: run the external sftp-server logging every request (DEBUG3) to that
    file, for counting requests in the benchmark; otherwise internal-sftp, as on shared hosting."""
    sshd = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
    if sshd is None:
        raise FileNotFoundError("sshd")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("host_ed25519", "client_ed25519"):
        if not (folder / name).exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    (folder / "authorized_keys").write_text((folder / "client_ed25519.pub").read_text())
    os.chmod(folder / "client_ed25519", 0o600)
    home = folder / "www"
    home.mkdir(exist_ok=True)
    port = free_port()
    log = folder / "sshd.log"
    config = folder / "sshd_config"
    config.write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder / 'host_ed25519'}
PidFile {folder / 'sshd.pid'}
AuthorizedKeysFile {folder / 'authorized_keys'}
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
MaxSessions 64
MaxStartups 64
LogLevel VERBOSE
{_sftp_lines(sftp_log)}
""")
    os.makedirs("/run/sshd", exist_ok=True)
    out = open(log, "wb")
    proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT)
    _wait_port(port, proc, log)
    fp = subprocess.run(["ssh-keygen", "-l", "-f", str(folder / "host_ed25519.pub")], check=True,
                        capture_output=True, text=True).stdout.split()[1]
    return Sshd("127.0.0.1", port, getpass.getuser(), folder / "client_ed25519", fp, home, log, proc)


CHROOT_USER = "nobody"


@dataclass
class ChrootSshd:
    server: Sshd
    """The sshd (its ``user`` is the chrooted account)."""
    jail: Path
    """The ChrootDirectory: "/" of the account's SFTP paths; root-owned, mode 755."""
    base: Path
    """Folder holding the jail and the account's authorized_keys (removed at the end)."""

    @property
    def docroot(self) -> Path:
        """``/www`` inside the jail, the only folder the account may write."""
        return self.jail / "www"


def chroot_refusal() -> str | None:
    """Why sshd cannot chroot an account here, or None."""
    if os.geteuid() != 0:
        return "sshd can only chroot (ChrootDirectory) when started as root"
    try:
        pwd.getpwnam(CHROOT_USER)
    except KeyError:
        return f"no {CHROOT_USER!r} account on this machine to chroot"
    if _chroot_parent() is None:
        return "no root-owned folder without group/other write access to hold a chroot (/run, /srv, /var/lib)"
    return None


def _chroot_parent() -> str | None:
    # sshd requires every component of the ChrootDirectory path to be root-owned and not
    # group/other writable: /tmp (mode 1777) cannot be on it.
    for candidate in ("/run", "/srv", "/var/lib"):
        path, ok = candidate, os.path.isdir(candidate)
        while ok and path != "/":
            st = os.stat(path)
            ok = st.st_uid == 0 and not st.st_mode & 0o022
            path = os.path.dirname(path)
        if ok:
            return candidate
    return None


def start_sshd_chroot(folder: Path) -> ChrootSshd:
    """sshd (run as root) with ``Match User nobody`` + ``ChrootDirectory`` + internal-sftp."""
    import tempfile

    sshd = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
    if sshd is None:
        raise FileNotFoundError("sshd")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("host_ed25519", "client_ed25519"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    base = Path(tempfile.mkdtemp(prefix="sitekeeper-test-chroot-", dir=_chroot_parent()))
    os.chmod(base, 0o755)
    jail = base / "jail"
    jail.mkdir(mode=0o755)
    os.chmod(jail, 0o755)  # mkdir's mode is masked by the umask
    account = pwd.getpwnam(CHROOT_USER)
    (jail / "www").mkdir()
    os.chown(jail / "www", account.pw_uid, account.pw_gid)
    keys = base / "authorized_keys"  # read by sshd as the account: outside the 0700 pytest folders
    keys.write_text((folder / "client_ed25519.pub").read_text())
    os.chmod(keys, 0o644)
    port = free_port()
    log = folder / "sshd.log"
    config = folder / "sshd_config"
    config.write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder / 'host_ed25519'}
PidFile {folder / 'sshd.pid'}
AuthorizedKeysFile {keys}
UsePAM no
StrictModes no
PermitRootLogin no
AllowUsers {CHROOT_USER}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
MaxSessions 64
MaxStartups 64
LogLevel VERBOSE
Subsystem sftp internal-sftp
Match User {CHROOT_USER}
  ChrootDirectory {jail}
  ForceCommand internal-sftp
  AllowTcpForwarding no
""")
    os.makedirs("/run/sshd", exist_ok=True)
    out = open(log, "wb")
    proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_port(port, proc, log)
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    fp = subprocess.run(["ssh-keygen", "-l", "-f", str(folder / "host_ed25519.pub")], check=True,
                        capture_output=True, text=True).stdout.split()[1]
    server = Sshd("127.0.0.1", port, CHROOT_USER, folder / "client_ed25519", fp, jail / "www", log, proc)
    return ChrootSshd(server, jail, base)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _sftp_lines(sftp_log: Path | None) -> str:
    if sftp_log is None:
        return "Subsystem sftp internal-sftp\nForceCommand internal-sftp"
    server = next(p for p in ("/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server",
                              "/usr/libexec/sftp-server") if os.path.exists(p))
    command = f"{server} -e -l DEBUG3 2>>{sftp_log}"
    return f"Subsystem sftp {command}\nForceCommand {command}"


@dataclass
class S3Server:
    endpoint: str
    """http://127.0.0.1:PORT"""
    proc: subprocess.Popen
    """The moto_server process."""
    log: Path
    """Its output: one line per HTTP request."""


def start_moto(folder: Path) -> S3Server:
    exe = shutil.which("moto_server")
    if exe is None:
        raise FileNotFoundError("moto_server")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "moto.log"
    out = open(log, "wb")
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT)
    _wait_port(port, proc, log, 30)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=2)
            break
        except Exception:
            time.sleep(0.1)
    return S3Server(endpoint, proc, log)


FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory):
    try:
        server = start_sshd(tmp_path_factory.mktemp("sshd"))
    except FileNotFoundError:
        need("OpenSSH sshd is not installed here", "apt-get install openssh-server")
    yield server
    stop(server.proc)


@pytest.fixture(scope="module")
def sshd_chroot(tmp_path_factory):
    why = chroot_refusal()
    if why:
        pytest.skip(why)
    try:
        server = start_sshd_chroot(tmp_path_factory.mktemp("sshd-chroot"))
    except FileNotFoundError:
        need("OpenSSH sshd is not installed here", "apt-get install openssh-server")
    try:
        refused = _chroot_login_refused(server)
        if refused:
            pytest.skip(f"sshd cannot chroot here: {refused}")
        yield server
    finally:
        stop(server.server.proc)
        shutil.rmtree(server.base, ignore_errors=True)


def _chroot_login_refused(chroot: ChrootSshd) -> str | None:
    """None when the chrooted account can log in and list "/"; else sshd's reason (a
    container without CAP_SYS_CHROOT, say)."""
    import paramiko

    srv = chroot.server
    try:
        with paramiko.SSHClient() as ssh:
            ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # our own server, just started
            ssh.connect(srv.host, srv.port, srv.user, key_filename=str(srv.key_file), look_for_keys=False,
                        allow_agent=False, timeout=10)
            with ssh.open_sftp() as sftp:
                sftp.listdir("/")
        return None
    except Exception as exc:  # the reason is in sshd's log
        lines = [l for l in srv.log.read_text(errors="replace").splitlines() if "chroot" in l.lower()]
        return (lines[-1] if lines else f"{type(exc).__name__}: {exc}").strip()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    try:
        server = start_moto(tmp_path_factory.mktemp("moto"))
    except FileNotFoundError:
        need("moto_server is not installed here", "pip install 'moto[server]'")
    yield server
    stop(server.proc)


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials for the local S3 server; never real ones."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)
    return dict(FAKE_AWS)


@dataclass
class S3rver:
    endpoint: str
    """http://127.0.0.1:PORT"""
    proc: subprocess.Popen
    log: Path


S3RVER_AWS = {**FAKE_AWS, "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER"}


@pytest.fixture(scope="session")
def s3rver_server(tmp_path_factory):
    """s3rver (npm): an S3-compatible store that accepts If-None-Match and If-Match on any key
    and overwrites, as older MinIO, Ceph and Garage releases do."""
    exe = Path(__file__).parent / ".node" / "node_modules" / ".bin" / "s3rver"
    if not exe.exists():
        found = shutil.which("s3rver")
        if not found:
            need("s3rver is not installed", "bash scripts/setup.sh --test installs it into tests/.node")
        exe = Path(found)
    folder = tmp_path_factory.mktemp("s3rver")
    port = free_port()
    log = folder / "s3rver.log"
    out = open(log, "wb")
    proc = subprocess.Popen([str(exe), "-d", str(folder / "data"), "-p", str(port), "-a", "127.0.0.1", "--silent"],
                            stdout=out, stderr=subprocess.STDOUT)
    _wait_port(port, proc, log, 30)
    yield S3rver(f"http://127.0.0.1:{port}", proc, log)
    stop(proc)
