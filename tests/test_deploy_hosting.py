"""Hosting set-ups beyond the common body of test_deploy_targets.py, each against a real
server the suite starts on 127.0.0.1:

- OpenSSH with ``ChrootDirectory`` (the usual shared-host SFTP account): no state inside the
  docroot, the workspace state store said once, atomic mode refused with the fix;
- FTPS with implicit TLS (port 990 style): publish, republish, certificate pin;
- FTP without MLSD/MLST (LIST only): publish, republish, edit, delete, the lock;
- a control connection cut mid-publish (a TCP proxy here that drops it): reconnect and
  finish, or one clear line and convergence on the next run;
- 12,000 files over FTP;
- a full disk over SFTP (a 3 MB tmpfs under OpenSSH's docroot) and ``--deletes-first``.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from sitekeeper.config.deploy import parse_target
from sitekeeper.deploy.apply import open_remote, publish_folder
from sitekeeper.deploy.ftps import fetch_certificate
from sitekeeper.errors import DeployError
from sitekeeper.report import RecordingReporter
from sitekeeper.state.lock import LockRecord
from sitekeeper.state.store import LocalStore

from fixtures_ftp import PASSWORD_ENV
from test_deploy_targets import make_site, write_tree


def all_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root``, sitekeeper's own included."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def site_files(root: Path) -> dict[str, bytes]:
    """The public files (nothing under a top-level .sitekeeper* name)."""
    return {k: v for k, v in all_files(root).items() if not k.startswith(".sitekeeper")}


def ours_inside(root: Path) -> list[str]:
    """Anything of sitekeeper's inside a docroot: .sitekeeper* names and .part files."""
    return [p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.name.startswith(".sitekeeper") or p.name.endswith(".part")]


def empty(folder: Path) -> None:
    for p in folder.iterdir():
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()


def warnings(rep: RecordingReporter) -> list[str]:
    return [m for k, m in rep.lines if k == "warn"]


# ---------------------------------------------------------------- OpenSSH ChrootDirectory


def chroot_target(chroot, tmp_path: Path, **more):
    srv = chroot.server
    return parse_target("production", {"url": srv.url("/www"), "host_key": srv.fingerprint,
                                       "key_file": str(srv.key_file), **more}, tmp_path)


def test_openssh_chroot_keeps_state_in_the_workspace_store_never_in_the_docroot(sshd_chroot, tmp_path):
    docroot = sshd_chroot.docroot
    empty(docroot)
    build = tmp_path / "build"
    files = make_site(build, pages=6)
    store = LocalStore(tmp_path / "ws-state")
    t = chroot_target(sshd_chroot, tmp_path)
    rep = RecordingReporter()
    first = publish_folder(build, t, "bakery", rep, workspace_store=lambda: store)
    assert sorted(first.uploaded) == sorted(files)
    assert all_files(docroot) == files and ours_inside(docroot) == []
    assert sorted(os.listdir(sshd_chroot.jail)) == ["www"]  # the chroot's top stays as the host made it
    said = [m for m in warnings(rep) if "workspace state store" in m]
    assert len(said) == 1 and "may not create /.sitekeeper-www" in said[0] and 'state = "store"' in said[0]
    assert store.list("targets/bakery/production/")

    rep2 = RecordingReporter()
    again = publish_folder(build, t, "bakery", rep2, workspace_store=lambda: store)
    assert again.uploaded == [] and again.deleted == [] and warnings(rep2) == []

    edited = files["p2/index.html"].replace(b"Page 002", b"Page 200")
    (build / "p2/index.html").write_bytes(edited)
    (build / "p5/index.html").unlink()
    third = publish_folder(build, t, "bakery", RecordingReporter(), workspace_store=lambda: store)
    assert third.uploaded == ["p2/index.html"] and third.deleted == ["p5/index.html"]
    expected = {k: v for k, v in {**files, "p2/index.html": edited}.items() if k != "p5/index.html"}
    assert all_files(docroot) == expected and ours_inside(docroot) == []
    # files written by the chrooted account itself, not by root behind its back
    assert (docroot / "index.html").stat().st_uid == docroot.stat().st_uid != 0


def test_openssh_chroot_with_state_store_chosen_says_nothing_and_converges(sshd_chroot, tmp_path):
    empty(sshd_chroot.docroot)
    build = tmp_path / "build"
    files = make_site(build, pages=2)
    store = LocalStore(tmp_path / "ws-state")
    t = chroot_target(sshd_chroot, tmp_path, state="store")
    rep = RecordingReporter()
    publish_folder(build, t, "bakery", rep, workspace_store=lambda: store)
    assert warnings(rep) == []  # chosen, so not announced
    assert all_files(sshd_chroot.docroot) == files
    assert publish_folder(build, t, "bakery", RecordingReporter(), workspace_store=lambda: store).uploaded == []


def test_openssh_chroot_atomic_mode_is_refused_with_a_fix_and_changes_nothing(sshd_chroot, tmp_path):
    docroot = sshd_chroot.docroot
    empty(docroot)
    build = tmp_path / "build"
    make_site(build, pages=1)
    t = chroot_target(sshd_chroot, tmp_path, mode="atomic")
    with pytest.raises(DeployError) as exc:
        publish_folder(build, t, "bakery", RecordingReporter(), workspace_store=lambda: LocalStore(tmp_path / "s"))
    assert "chrooted account" in exc.value.message and "cannot write to /" in exc.value.message
    assert 'mode = "in-place"' in exc.value.fix and "document root" in exc.value.fix
    assert "\n" not in str(exc.value) and "Traceback" not in str(exc.value)
    assert all_files(docroot) == {} and not docroot.is_symlink()
    assert sorted(os.listdir(sshd_chroot.jail)) == ["www"]


# ---------------------------------------------------------------- FTPS, implicit TLS


def ftp_target(server, path: str, tmp_path: Path, scheme: str = "ftps", **more):
    return parse_target("production", {"url": server.url(path, scheme), "password_env": PASSWORD_ENV, **more},
                        tmp_path)


def test_implicit_tls_publishes_republishes_nothing_and_holds_to_the_pin(proftpd_implicit, ftp_env, tmp_path):
    server = proftpd_implicit
    ftp_env(server)
    build = tmp_path / "build"
    files = make_site(build, pages=5)
    name = uuid.uuid4().hex[:8]
    implicit = {"tls": "implicit"}
    with pytest.raises(DeployError, match="certificate cannot be verified"):
        publish_folder(build, ftp_target(server, f"/{name}/site", tmp_path, **implicit), "bakery",
                       RecordingReporter())
    wrong = "SHA256:" + ":".join(["CD"] * 32)
    with pytest.raises(DeployError, match="does not match the pinned cert_fingerprint"):
        publish_folder(build, ftp_target(server, f"/{name}/site", tmp_path, cert_fingerprint=wrong, **implicit),
                       "bakery", RecordingReporter())
    assert not (server.home / name).exists()  # refused before anything was written

    # what `sitekeeper trust` shows is the certificate the server presents
    t = ftp_target(server, f"/{name}/site", tmp_path, cert_fingerprint=server.cert_fingerprint, **implicit)
    assert fetch_certificate(t, "bakery")[1] == server.cert_fingerprint
    first = publish_folder(build, t, "bakery", RecordingReporter())
    assert sorted(first.uploaded) == sorted(files)
    assert site_files(server.home / name / "site") == files
    assert ours_inside(server.home / name / "site") == []
    assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == []
    (build / "about/index.html").write_bytes(b"<h1>About v2</h1>")
    assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == ["about/index.html"]
    assert (server.home / name / "site/about/index.html").read_bytes() == b"<h1>About v2</h1>"


def test_implicit_tls_at_an_explicit_tls_port_names_the_setting_to_remove(proftpd_server, ftp_env, tmp_path):
    ftp_env(proftpd_server)
    build = tmp_path / "build"
    make_site(build, pages=1)
    t = ftp_target(proftpd_server, "/x/site", tmp_path, tls="implicit",
                   cert_fingerprint=proftpd_server.cert_fingerprint)
    with pytest.raises(DeployError) as exc:
        publish_folder(build, t, "bakery", RecordingReporter())
    assert "plain FTP greeting" in exc.value.message and 'tls = "implicit"' in exc.value.fix
    assert "\n" not in str(exc.value)


# ---------------------------------------------------------------- FTP without MLSD: LIST


def test_server_without_mlsd_is_listed_with_list_and_deploys_correctly(proftpd_list_only, ftp_env, tmp_path):
    server = proftpd_list_only
    ftp_env(server)
    build = tmp_path / "build"
    files = make_site(build, pages=8)
    files.update({"files/price list 2026.pdf": os.urandom(900), "img/.hidden.png": b"dot"})
    write_tree(build, files)
    name = uuid.uuid4().hex[:8]
    root = server.home / name / "www"
    t = ftp_target(server, f"/{name}/www", tmp_path, scheme="ftp")
    remote = open_remote(t, "bakery", RecordingReporter())
    try:
        assert remote.mlsd is False  # not in FEAT: sitekeeper lists with LIST
    finally:
        remote.close()

    first = publish_folder(build, t, "bakery", RecordingReporter())
    assert sorted(first.uploaded) == sorted(files)
    assert site_files(root) == files and ours_inside(root) == []
    again = publish_folder(build, t, "bakery", RecordingReporter())
    assert again.uploaded == [] and again.deleted == [] and again.plan.unchanged == len(files)

    edited = files["p3/index.html"].replace(b"Page 003", b"Page 300")
    (build / "p3/index.html").write_bytes(edited)
    third = publish_folder(build, t, "bakery", RecordingReporter())
    assert third.uploaded == ["p3/index.html"] and third.deleted == []
    (build / "p6/index.html").unlink()
    fourth = publish_folder(build, t, "bakery", RecordingReporter())
    assert fourth.uploaded == [] and fourth.deleted == ["p6/index.html"]
    expected = {k: v for k, v in {**files, "p3/index.html": edited}.items() if k != "p6/index.html"}
    assert site_files(root) == expected and not (root / "p6").exists()

    # a hand edit at the target that changes the size is seen through LIST and repaired
    (root / "about/index.html").write_bytes(b"<h1>edited on the server by hand</h1>")
    healed = publish_folder(build, t, "bakery", RecordingReporter())
    assert healed.uploaded == ["about/index.html"]
    assert site_files(root) == expected


def test_lock_on_a_server_without_mlst_keeps_a_second_publish_out(proftpd_list_only, ftp_env, tmp_path):
    server = proftpd_list_only
    ftp_env(server)
    build = tmp_path / "build"
    make_site(build, pages=2)
    name = uuid.uuid4().hex[:8]
    t = ftp_target(server, f"/{name}/www", tmp_path, scheme="ftp")
    publish_folder(build, t, "bakery", RecordingReporter())
    holder = open_remote(t, "bakery", RecordingReporter())
    try:
        record = LockRecord("tok", "ci-runner-7", 4242, "ci", time.time(), time.time())
        holder.list_files()  # a listing leaves the connection in ASCII mode
        assert holder.lock_create(record.to_bytes())
        other = open_remote(t, "bakery", RecordingReporter())
        try:
            other.list_files()
            assert other.lock_create(b"second") is False
            assert other.lock_read()[0] == record.to_bytes()
        finally:
            other.close()
        (build / "about/index.html").write_bytes(b"new about")
        with pytest.raises(DeployError, match=r"being published by ci@ci-runner-7"):
            publish_folder(build, t, "bakery", RecordingReporter())
    finally:
        holder.lock_remove()
        holder.close()


# ---------------------------------------------------------------- a dropped control connection


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 in front of an FTP server's control port that drops the
    connection (both sides, at once) at a chosen moment, as a NAT timeout or a restarted
    server does. Data connections go to the server directly (its PASV answer names it).

    ``cut_at(command, nth, every=False)``: after forwarding the ``nth`` command starting with
    ``command`` (counted over all connections; plain FTP only), drop that connection before
    the reply; ``every``: from then on, drop every connection at that command.
    ``cut_after_bytes(n)``: drop the first connection once it carried ``n`` bytes from the
    client (FTPS, whose commands cannot be read)."""

    def __init__(self, port: int):
        self.upstream = port
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.rule: tuple | None = None
        self.seen = 0
        self.cuts = 0
        self.bytes_up: list[int] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def cut_at(self, command: str, nth: int, every: bool = False) -> None:
        with self.lock:
            self.rule, self.seen = ("command", command.upper().encode(), nth, every), 0

    def cut_after_bytes(self, n: int) -> None:
        with self.lock:
            self.rule = ("bytes", n)

    def off(self) -> None:
        with self.lock:
            self.rule = None

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            for s in (client, server):  # relay each small reply as it comes, as a router would
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                index = len(self.bytes_up)
                self.bytes_up.append(0)
            state = {"cut": False}
            threading.Thread(target=self._up, args=(client, server, index, state), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, state), daemon=True).start()

    def _cut(self, a: socket.socket, b: socket.socket, state) -> None:
        state["cut"] = True
        self.cuts += 1
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _up(self, client: socket.socket, server: socket.socket, index: int, state) -> None:
        buf = b""
        while not state["cut"]:
            try:
                data = client.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            cut = False
            with self.lock:
                self.bytes_up[index] += len(data)
                rule = self.rule
                if rule and rule[0] == "bytes" and index == 0 and self.bytes_up[0] >= rule[1]:
                    cut = True
                elif rule and rule[0] == "command":
                    buf += data
                    while b"\r\n" in buf:
                        line, buf = buf.split(b"\r\n", 1)
                        if line.upper().startswith(rule[1]):
                            self.seen += 1
                            if self.seen == rule[2] or (rule[3] and self.seen > rule[2]):
                                cut = True
            try:
                server.sendall(data)
            except OSError:
                break
            if cut:
                self._cut(client, server, state)
                return
        self._close(client, server)

    def _down(self, server: socket.socket, client: socket.socket, state) -> None:
        while not state["cut"]:
            try:
                data = server.recv(65536)
            except OSError:
                data = b""
            if not data or state["cut"]:
                break
            try:
                client.sendall(data)
            except OSError:
                break
        self._close(client, server)

    @staticmethod
    def _close(*socks: socket.socket) -> None:
        for s in socks:
            try:
                s.close()
            except OSError:
                pass

    def close(self) -> None:
        self.sock.close()


def proxied(server, proxy: CuttingProxy, path: str, tmp_path: Path, scheme: str, **more):
    url = f"{scheme}://{server.user}@127.0.0.1:{proxy.port}{path}"
    return parse_target("production", {"url": url, "password_env": PASSWORD_ENV, **more}, tmp_path)


def v2(files: dict[str, bytes]) -> dict[str, bytes]:
    return {p: (data + b"<!-- v2 -->" if p.endswith((".html", ".xml")) else data + b"2") for p, data in files.items()}


def assert_whole(root: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Every public file holds the old bytes or the new ones, nothing in between."""
    for path, data in site_files(root).items():
        assert data in (old.get(path), new.get(path)), path
    assert [p for p in ours_inside(root) if p.endswith(".part")] == []


@pytest.mark.parametrize("command,nth", [("STOR", 6), ("RNTO", 4)])
def test_control_connection_dropped_mid_publish_reconnects_and_finishes(
        proftpd_plain, ftp_env, tmp_path, command, nth):
    """Dropped right after the server got STOR (the upload never answered) or RNTO (the
    rename done, its answer lost): connect again, redo or recognise the step, finish."""
    ftp_env(proftpd_plain)
    proxy = CuttingProxy(proftpd_plain.port)
    try:
        build = tmp_path / "build"
        old = make_site(build, pages=10)
        name = uuid.uuid4().hex[:8]
        root = proftpd_plain.home / name / "www"
        t = proxied(proftpd_plain, proxy, f"/{name}/www", tmp_path, "ftp")
        publish_folder(build, t, "bakery", RecordingReporter())
        new = v2(old)
        write_tree(build, new)
        proxy.cut_at(command, nth)
        rep = RecordingReporter()
        report = publish_folder(build, t, "bakery", rep)
        assert proxy.cuts == 1
        assert [m for m in warnings(rep) if "FTP connection dropped" in m and "connecting again" in m]
        assert sorted(report.uploaded) == sorted(new)
        assert site_files(root) == new
        assert ours_inside(root) == [] and not list((root.parent / ".sitekeeper-www" / "tmp").iterdir())
        proxy.off()
        assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == []
    finally:
        proxy.close()


def test_ftps_control_connection_dropped_mid_publish_reconnects_with_a_new_tls_session(
        proftpd_server, ftp_env, tmp_path):
    ftp_env(proftpd_server)
    proxy = CuttingProxy(proftpd_server.port)
    try:
        build = tmp_path / "build"
        old = make_site(build, pages=20)
        name = uuid.uuid4().hex[:8]
        root = proftpd_server.home / name / "site"
        t = proxied(proftpd_server, proxy, f"/{name}/site", tmp_path, "ftps",
                    cert_fingerprint=proftpd_server.cert_fingerprint)
        first = publish_folder(build, t, "bakery", RecordingReporter())
        assert len(first.uploaded) == len(old) and len(proxy.bytes_up) == 1
        measured = proxy.bytes_up[0]
        new = v2(old)
        write_tree(build, new)
        # a publish of every file carries about as many control bytes as the first one did:
        # drop its connection halfway through
        proxy.bytes_up.clear()
        proxy.cut_after_bytes(measured // 2)
        rep = RecordingReporter()
        report = publish_folder(build, t, "bakery", rep)
        assert proxy.cuts == 1 and len(proxy.bytes_up) >= 2  # dropped once, connected again
        assert [m for m in warnings(rep) if "FTP connection dropped" in m]
        assert sorted(report.uploaded) == sorted(new)
        assert site_files(root) == new and ours_inside(root) == []
        proxy.off()
        assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == []
    finally:
        proxy.close()


def test_connection_that_keeps_dropping_fails_in_one_line_and_the_next_publish_converges(
        proftpd_plain, ftp_env, tmp_path):
    ftp_env(proftpd_plain)
    proxy = CuttingProxy(proftpd_plain.port)
    try:
        build = tmp_path / "build"
        old = make_site(build, pages=10)
        name = uuid.uuid4().hex[:8]
        root = proftpd_plain.home / name / "www"
        t = proxied(proftpd_plain, proxy, f"/{name}/www", tmp_path, "ftp")
        publish_folder(build, t, "bakery", RecordingReporter())
        new = v2(old)
        write_tree(build, new)
        proxy.cut_at("STOR", 5, every=True)  # from the 5th upload on, every try is cut
        with pytest.raises(DeployError) as exc:
            publish_folder(build, t, "bakery", RecordingReporter())
        assert "the connection keeps dropping" in exc.value.message
        assert "run publish again" in exc.value.fix
        assert "\n" not in str(exc.value) and "Traceback" not in str(exc.value)
        assert_whole(root, old, new)
        assert site_files(root) != new  # it really stopped halfway
        proxy.off()
        done = publish_folder(build, t, "bakery", RecordingReporter())
        assert 0 < len(done.uploaded) <= len(new)
        assert site_files(root) == new  # byte for byte
        assert ours_inside(root) == [] and not list((root.parent / ".sitekeeper-www" / "tmp").iterdir())
        assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == []
    finally:
        proxy.close()


# ---------------------------------------------------------------- many files


def test_twelve_thousand_files_over_ftp_all_arrive_and_a_republish_sends_nothing(proftpd_plain, ftp_env, tmp_path):
    ftp_env(proftpd_plain)
    build = tmp_path / "build"
    files = make_site(build, pages=20)
    for i in range(12_000):  # a shop's product thumbnails and pages: 60 folders of 200
        files[f"shop/{i % 60:02d}/item-{i:05d}.txt"] = b"item %d\n" % i
    write_tree(build, files)
    name = uuid.uuid4().hex[:8]
    root = proftpd_plain.home / name / "www"
    t = ftp_target(proftpd_plain, f"/{name}/www", tmp_path, scheme="ftp")
    first = publish_folder(build, t, "bakery", RecordingReporter())
    assert len(first.uploaded) == len(files) >= 12_000
    assert site_files(root) == files
    again = publish_folder(build, t, "bakery", RecordingReporter())
    assert again.uploaded == [] and again.deleted == [] and again.plan.unchanged == len(files)


# ---------------------------------------------------------------- a full disk over SFTP


@pytest.fixture
def small_disk(sshd_server):
    """A 3 MB tmpfs in the SFTP account's folder, holding the docroot and the state beside it."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = sshd_server.home / f"disk-{uuid.uuid4().hex[:8]}"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        disk.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or mounted.returncode})")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)
    shutil.rmtree(disk, ignore_errors=True)


def test_full_disk_over_openssh_is_named_and_deletes_first_lets_the_publish_finish(sshd_server, small_disk, tmp_path):
    build = tmp_path / "build"
    files = make_site(build, pages=4)
    old = os.urandom(2 << 20)
    write_tree(build, {"media/old.mp4": old})
    root = small_disk / "site"
    t = parse_target("production", {"url": sshd_server.url(str(root)), "host_key": sshd_server.fingerprint,
                                    "key_file": str(sshd_server.key_file)}, tmp_path)
    publish_folder(build, t, "bakery", RecordingReporter())
    before = site_files(root)

    # the client swaps the film for another: both at once do not fit on the 3 MB disk
    (build / "media/old.mp4").unlink()
    new = os.urandom(2 << 20)
    icons = {f"img/icons/i{i:02d}.png": os.urandom(1500) for i in range(70)}  # go up before the film
    write_tree(build, {"media/new.mp4": new, **icons})
    (build / "about/index.html").write_bytes(b"<h1>About v2</h1>")
    with pytest.raises(DeployError) as exc:
        publish_folder(build, t, "bakery", RecordingReporter())
    assert "disk or quota on the server is probably full (the disk has " in exc.value.message
    assert "--deletes-first" in exc.value.fix and "check the path" not in exc.value.fix
    assert "\n" not in str(exc.value)
    left = site_files(root)
    assert not [p for p in all_files(small_disk) if p.endswith(".part")]  # nothing half-written, anywhere
    assert left["media/old.mp4"] == old and "media/new.mp4" not in left
    for path, data in left.items():
        assert data in (before.get(path), (build / path).read_bytes() if (build / path).exists() else None), path
    landed = {p for p in left if p in icons}
    assert landed  # the first batch went up before the disk filled

    done = publish_folder(build, t, "bakery", RecordingReporter(), deletes_first=True)
    assert done.deleted == ["media/old.mp4"]
    assert "media/new.mp4" in done.uploaded
    assert not landed & set(done.uploaded)  # recorded on the way out: not sent again
    expected = {**files, "about/index.html": b"<h1>About v2</h1>", "media/new.mp4": new, **icons}
    assert site_files(root) == expected
    assert not [p for p in all_files(small_disk) if p.endswith(".part")]
    assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == []


@pytest.fixture
def docroot_mount(sshd_server):
    """A docroot that is a disk of its own (a tmpfs mounted on it), the state folder beside it
    on the account's disk: a rename from one to the other fails (EXDEV)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    root = sshd_server.home / f"mnt-{uuid.uuid4().hex[:8]}" / "site"
    root.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(root)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        shutil.rmtree(root.parent)
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or mounted.returncode})")
    yield root
    subprocess.run(["umount", "-l", str(root)], check=False)
    shutil.rmtree(root.parent, ignore_errors=True)


def test_a_docroot_on_a_disk_of_its_own_gets_its_temporary_files_inside_it(sshd_server, docroot_mount, tmp_path):
    root = docroot_mount
    build = tmp_path / "build"
    files = make_site(build, pages=3)
    t = parse_target("production", {"url": sshd_server.url(str(root)), "host_key": sshd_server.fingerprint,
                                    "key_file": str(sshd_server.key_file)}, tmp_path)
    first = publish_folder(build, t, "bakery", RecordingReporter())
    assert sorted(first.uploaded) == sorted(files)
    assert site_files(root) == files
    assert ours_inside(root) == []  # the temporary folder is gone once the files are in place
    assert (root.parent / ".sitekeeper-site").is_dir()  # the state stays beside the docroot
    (build / "about/index.html").write_bytes(b"<h1>About v2</h1>")
    again = publish_folder(build, t, "bakery", RecordingReporter())
    assert again.uploaded == ["about/index.html"]
    assert (root / "about/index.html").read_bytes() == b"<h1>About v2</h1>" and ours_inside(root) == []


def test_lock_claim_on_a_server_without_mlst_is_judged_by_its_listed_age(proftpd_list_only, ftp_env, tmp_path):
    # A claim folder without its lock is a create killed halfway; without MLST its age comes
    # from the LIST line. A fresh one is someone else's create: never taken over.
    server = proftpd_list_only
    ftp_env(server)
    build = tmp_path / "build"
    make_site(build, pages=1)
    t = ftp_target(server, f"/{uuid.uuid4().hex[:8]}/www", tmp_path, scheme="ftp")
    publish_folder(build, t, "bakery", RecordingReporter())
    remote = open_remote(t, "bakery", RecordingReporter())
    try:
        store = remote.state_store()
        claim = server.home / (store.folder.lstrip("/") + "/lock.claim")
        claim.mkdir()
        assert store.create("lock", b"mine") is False
        assert store.read("lock") is None and claim.is_dir()
        ten_minutes_ago = time.time() - 600
        os.utime(claim, (ten_minutes_ago, ten_minutes_ago))
        assert store.create("lock", b"mine") is True
        assert store.read("lock")[0] == b"mine"
    finally:
        remote.lock_remove()
        remote.close()


def test_list_dates_are_read_as_utc_with_the_year_inferred():
    from calendar import timegm

    from sitekeeper.deploy.ftps import _list_time

    now = timegm((2026, 12, 1, 11, 45, 0, 0, 0, 0))
    assert _list_time(["Dec", "1", "11:30"], now) == "20261201113000"
    assert _list_time(["Dec", "2", "00:10"], now) == "20261202001000"  # a server clock a little ahead
    assert _list_time(["Dec", "20", "09:00"], now) == "20251220090000"  # no year: the last twelve months
    assert _list_time(["Mar", "5", "2024"], now) == "20240305000000"
    assert _list_time(["12-01-26", "11:30AM", "<DIR>"], now) == ""  # not a Unix-style listing
