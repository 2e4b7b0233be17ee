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

    def __init__(self, upstream: tuple[str, int], hold: float = 0.3):
        self.upstream, self.hold = upstream, hold
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

        def pump(a: socket.socket, b: socket.socket) -> None:
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            done.set()

        threading.Thread(target=pump, args=(up, conn), daemon=True).start()
        pump(conn, up)
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
