"""How sitekeeper reaches hosts: at most max_connections_per_host connections to one host at once
across every parallel client (a counting TCP proxy in front of the suite's real sshd), and a
timeout on every network step (servers on 127.0.0.1 that accept and never answer)."""
from __future__ import annotations

import shutil
import socket
import threading
from pathlib import Path

import pytest
from test_tick import SEND

from helpers import copy_workspace, json_lines, sk

CLIENTS = [f"laden-{i}" for i in range(4)]


class CountingProxy:
    """Forwards every TCP connection on 127.0.0.1 to ``upstream``, counting how many are open at
    once. ``hold`` seconds pass before each new connection is forwarded, so that connections
    that are not kept apart do overlap."""

    def __init__(self, upstream: tuple[str, int], hold: float = 0.3, freeze_after: int | None = None):
        self.upstream, self.hold = upstream, hold
        self.freeze_after = freeze_after
        """After the client sent this many bytes, nothing more is passed on either way (a server
        that hangs in the middle of an upload)."""
        self.sent = 0
        self.lock = threading.Lock()
        self.open = self.peak = self.total = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.open += 1
                self.total += 1
                self.peak = max(self.peak, self.open)
            threading.Thread(target=self._forward, args=(conn,), daemon=True).start()

    def _forward(self, conn: socket.socket) -> None:
        import time

        time.sleep(self.hold)
        up = socket.create_connection(self.upstream)
        done = threading.Event()

        def pump(a: socket.socket, b: socket.socket, counted: bool) -> None:
            try:
                while data := a.recv(65536):
                    if counted:
                        self.sent += len(data)
                    if self.freeze_after is not None and self.sent > self.freeze_after:
                        continue  # swallowed: the server seems to hang
                    b.sendall(data)
            except OSError:
                pass
            done.set()

        threading.Thread(target=pump, args=(up, conn, False), daemon=True).start()
        pump(conn, up, True)
        done.wait(5)
        for s in (conn, up):
            s.close()
        with self.lock:
            self.open -= 1

    def close(self) -> None:
        self.sock.close()


def sftp_clients(root: Path, sshd, port: int, settings: str) -> Path:
    ws = copy_workspace("mini", root)
    for name in CLIENTS:
        shutil.copytree(ws / "sites/mini", ws / "sites" / name)
        docroot = sshd.home / f"{root.name}-{name}"
        toml = ws / "sites" / name / "site.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + (
            f'\n[deploy.live]\nurl = "sftp://{sshd.user}@127.0.0.1:{port}{docroot}"\n'
            f'host_key = "{sshd.fingerprint}"\nkey_file = "{sshd.key_file}"\n'), encoding="utf-8")
    shutil.rmtree(ws / "sites/mini")
    shutil.rmtree(ws / "campaigns/mini")
    (ws / "sitekeeper.toml").write_text(settings, encoding="utf-8")
    return ws


@pytest.mark.parametrize("limit", [1, 2])
def test_parallel_clients_never_open_more_connections_to_one_host_than_allowed(tmp_path, sshd_server, limit):
    proxy = CountingProxy((sshd_server.host, sshd_server.port))
    try:
        ws = sftp_clients(tmp_path, sshd_server, proxy.port, f"max_connections_per_host = {limit}\n")
        r = sk("publish", "--all", "--yes", "--jobs", "4", "--json", cwd=ws, now=SEND)
        assert r.returncode == 0, r.stdout + r.stderr
        published = [line["client"] for line in json_lines(r.stdout) if "uploaded" in line]
        assert published == CLIENTS
        assert proxy.total >= len(CLIENTS)  # every client connected through the proxy
        assert 1 <= proxy.peak <= limit
        for name in CLIENTS:
            assert (sshd_server.home / f"{tmp_path.name}-{name}" / "index.html").is_file()
    finally:
        proxy.close()


@pytest.mark.parametrize("text, fix", [
    ("max_connections_per_host = 0\n", "max_connections_per_host = 2"),
    ('max_connections_per_host = "2"\n', "max_connections_per_host = 2"),
    ("[timeouts]\nconnect = -1\n", "connect = 20"),
    ("[timeouts]\nread = 1e9\n", "read = 60"),
    ("[timeouts]\nconect = 5\n", "connect"),
])
def test_a_bad_network_setting_names_the_line_and_the_fix_and_publishes_nothing(tmp_path, text, fix):
    ws = copy_workspace("mini", tmp_path)
    (ws / "sitekeeper.toml").write_text("# network\n" + text, encoding="utf-8")
    r = sk("publish", "--all", "--yes", cwd=ws, now=SEND)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "sitekeeper.toml:2:" in r.stderr or "sitekeeper.toml:3:" in r.stderr, r.stderr
    assert fix in r.stderr and "Traceback" not in r.stderr
    assert not (ws / "public").exists()


# ---------------------------------------------------------------- servers that stall

class StallingServer:
    """Listens on 127.0.0.1, accepts every connection, reads what comes and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)
            threading.Thread(target=self._swallow, args=(conn,), daemon=True).start()

    @staticmethod
    def _swallow(conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def stalling():
    server = StallingServer()
    yield server
    server.close()


QUICK = "[timeouts]\nconnect = 1\nread = 1\n"


def one_client(root: Path, deploy: str) -> Path:
    ws = copy_workspace("mini", root)
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[deploy.live]\n" + deploy, encoding="utf-8")
    (ws / "sitekeeper.toml").write_text(QUICK, encoding="utf-8")
    return ws


def assert_timed_out(r, *words: str) -> None:
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    for word in words:
        assert word in r.stderr, (word, r.stderr)


def test_an_sftp_host_that_never_greets_is_named_with_the_step_and_nothing_is_published(tmp_path, stalling):
    pin = "SHA256:" + "A" * 43
    ws = one_client(tmp_path, f'url = "sftp://web@127.0.0.1:{stalling.port}/www"\nhost_key = "{pin}"\n')
    r = sk("publish", "mini", "--yes", cwd=ws, now=SEND)
    assert_timed_out(r, "sites/mini/site.toml:", "mini: target live", f"127.0.0.1:{stalling.port}",
                     "did not answer within 1 s", "SSH greeting", "[timeouts] connect")
    assert stalling.accepted  # it was reached, and then waited on


def test_an_ftps_host_that_never_greets_is_named_with_the_step(tmp_path, stalling):
    ws = one_client(tmp_path, f'url = "ftps://web@127.0.0.1:{stalling.port}/www"\npassword_env = "FTP_PW"\n')
    r = sk("publish", "mini", "--yes", cwd=ws, now=SEND, env={"FTP_PW": "x"})
    assert_timed_out(r, "mini: target live", f"127.0.0.1:{stalling.port}", "did not answer within 1 s",
                     "FTP greeting")


def test_an_s3_endpoint_that_never_answers_is_named_with_the_step(tmp_path, stalling, aws_env):
    ws = one_client(tmp_path, f'url = "s3://stalled-bucket/www"\nendpoint_url = "http://127.0.0.1:{stalling.port}"\n')
    r = sk("publish", "mini", "--yes", cwd=ws, now=SEND, env=aws_env)
    assert_timed_out(r, "sites/mini/site.toml:", f"127.0.0.1:{stalling.port}", "within 1 s",
                     "[timeouts] read")


def test_an_smtp_server_that_never_greets_stops_the_send_with_the_host_and_the_step(demo_workspace, stalling):
    from test_send import SPEC, approve, send, use_smtp

    (demo_workspace / "sitekeeper.toml").write_text(QUICK, encoding="utf-8")
    use_smtp(demo_workspace, stalling.port)
    approve(demo_workspace)
    r = send(demo_workspace, SPEC)
    assert_timed_out(r, f"smtp://127.0.0.1:{stalling.port}", "no answer within 1 s", "connecting and logging in")
    assert not list(demo_workspace.rglob("*.eml"))


def test_an_imap_server_that_never_greets_stops_the_pull_with_the_host_and_the_step(demo_workspace, stalling):
    from test_suppressions_pull import BAKERY, configure

    (demo_workspace / "sitekeeper.toml").write_text(QUICK, encoding="utf-8")
    configure(demo_workspace, BAKERY, imap=f"imap://127.0.0.1:{stalling.port}/INBOX")
    r = sk("mailbox", "pull", BAKERY, cwd=demo_workspace, now=SEND,
           env={"BAKERY_IMAP_USER": "u", "BAKERY_IMAP_PASSWORD": "p"})
    assert_timed_out(r, f"127.0.0.1:{stalling.port}", "did not answer within 1 s", "connecting")


def test_an_sftp_server_that_hangs_mid_upload_fails_the_publish_leaving_no_file_half_written(tmp_path, sshd_server):
    ws = copy_workspace("mini", tmp_path)
    docroot = sshd_server.home / f"{tmp_path.name}-hang"
    toml = ws / "sites/mini/site.toml"
    plain = toml.read_text(encoding="utf-8")

    def target(port: int) -> None:
        toml.write_text(plain + f'\n[deploy.live]\nurl = "sftp://{sshd_server.user}@127.0.0.1:{port}{docroot}"\n'
                        f'host_key = "{sshd_server.fingerprint}"\nkey_file = "{sshd_server.key_file}"\n',
                        encoding="utf-8")

    target(sshd_server.port)
    (ws / "sitekeeper.toml").write_text(QUICK, encoding="utf-8")
    first = sk("publish", "mini", "--yes", cwd=ws, now=SEND)
    assert first.returncode == 0, first.stderr
    before = {p.relative_to(docroot).as_posix(): p.read_bytes() for p in docroot.rglob("*") if p.is_file()}
    words = " ".join(f"Wort{i} mit etwas Text und einer Zahl {i * 7919 % 10007}." for i in range(20000))
    (ws / "sites/mini/content/lang.md").write_text(f"---\ntitle: Lang\n---\n{words}\n", encoding="utf-8")
    proxy = CountingProxy((sshd_server.host, sshd_server.port), hold=0, freeze_after=150_000)
    try:
        target(proxy.port)
        hung = sk("publish", "mini", "--yes", cwd=ws, now=SEND)
    finally:
        proxy.close()
    assert_timed_out(hung, "mini: target live", "no answer within 1 s while waiting for the server", "[timeouts] read")
    built = {p.relative_to(ws / ".sitekeeper/build/mini").as_posix(): p.read_bytes()
             for p in (ws / ".sitekeeper/build/mini").rglob("*") if p.is_file()}
    for p in docroot.rglob("*"):
        if p.is_file():
            path = p.relative_to(docroot).as_posix()
            assert p.read_bytes() in (before.get(path), built.get(path)), f"{path} is neither the old nor the new file"
    target(sshd_server.port)
    again = sk("publish", "mini", "--yes", cwd=ws, now=SEND)
    assert again.returncode == 0, again.stderr
    assert (docroot / "lang" / "index.html").read_bytes() == built["lang/index.html"]


def test_parallel_ticks_send_through_one_smtp_host_one_connection_at_a_time(tmp_path, smtp_server):
    from test_jobs import CLIENTS as SHOPS, approve_all, many

    proxy = CountingProxy((smtp_server.host, smtp_server.port), hold=0.2)
    try:
        ws = many(tmp_path)
        for name in SHOPS:
            toml = ws / "sites" / name / "site.toml"
            toml.write_text(toml.read_text(encoding="utf-8").replace(
                "[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{proxy.port}"\ntls = "none"\n', 1), encoding="utf-8")
        (ws / "sitekeeper.toml").write_text("max_connections_per_host = 1\n", encoding="utf-8")
        approve_all(ws)
        r = sk("tick", "--jobs", "4", "--json", cwd=ws, now=SEND)
        assert r.returncode == 0, r.stdout + r.stderr
        assert all(c["sent"] for c in json_lines(r.stdout)[-1]["clients"])
        assert len(smtp_server.messages) == 2 * len(SHOPS)  # every client's two subscribers
        assert proxy.total >= len(SHOPS) and proxy.peak == 1
    finally:
        proxy.close()
