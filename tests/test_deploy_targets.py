"""One deploy behaviour, six real targets: a local folder, OpenSSH sshd over SFTP, ProFTPD
over FTPS (explicit TLS, a self-signed certificate pinned), over plain FTP without MLSD (LIST
only) and over its own SFTP (mod_sftp), and an S3-compatible server (moto_server) over HTTP,
all on 127.0.0.1 and started by the suite. Atomic releases run over OpenSSH and ProFTPD's
SFTP, with and without hard links."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from sitekeeper.deploy.apply import publish_folder
from sitekeeper.state.lock import LockRecord
from sitekeeper.config.deploy import parse_target
from sitekeeper.errors import DeployError
from sitekeeper.report import RecordingReporter

from fixtures_ftp import PASSWORD_ENV

REPO = Path(__file__).resolve().parent.parent


def make_site(root: Path, pages: int = 12) -> dict[str, bytes]:
    files = {
        "index.html": b"<h1>Home</h1>" + b"".join(b'<a href="/p%d/">p</a>' % i for i in range(pages)),
        "about/index.html": b"<h1>About us</h1>",
        "style.3f2a9c1b.css": b"body{color:#333}",
        "img/logo.png": os.urandom(3000),
        "sitemap.xml": b"<urlset/>",
        "feed.xml": b"<feed/>",
        "404.html": b"<h1>Not found</h1>",
        "ceník/index.html": "<h1>Ceník</h1>".encode(),
    }
    for i in range(pages):
        files[f"p{i}/index.html"] = b"<h1>Page %03d</h1><p>lorem ipsum</p>" % i
    write_tree(root, files)
    return files


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


class Kit:
    """A fresh target of one kind plus a way to read back what it holds."""

    def __init__(self, kind, tmp_path, request):
        self.kind = kind
        self.tmp_path = tmp_path
        self.env = {}
        name = uuid.uuid4().hex[:10]
        if kind == "dir":
            self.root = tmp_path / "target"
            self.table = {"url": f"dir:{self.root}"}
        elif kind == "sftp":
            self.sshd = request.getfixturevalue("sshd_server")
            self.root = self.sshd.home / name / "site"
            self.table = {"url": self.sshd.url(str(self.root)), "host_key": self.sshd.fingerprint,
                          "key_file": str(self.sshd.key_file)}
        elif kind in ("ftps", "ftp-list", "proftpd-sftp", "proftpd-bare"):
            # ProFTPD, its user chrooted to its home: "/" in the url is that home; "bare": its
            # SFTP without the OpenSSH extensions (no posix-rename, no hardlink); "ftp-list":
            # plain FTP without MLSD/MLST (listed with LIST, sizes with SIZE)
            fixture = {"proftpd-bare": "proftpd_bare", "ftp-list": "proftpd_list_only"}.get(kind, "proftpd_server")
            self.ftpd = request.getfixturevalue(fixture)
            self.env = dict(self.ftpd.env)
            for k, v in self.env.items():
                request.getfixturevalue("monkeypatch").setenv(k, v)
            self.root = self.ftpd.home / name / "site"
            scheme = {"ftps": "ftps", "ftp-list": "ftp"}.get(kind, "sftp")
            self.table = {"url": self.ftpd.url(f"/{name}/site", scheme), "password_env": PASSWORD_ENV}
            if kind == "ftps":
                self.table["cert_fingerprint"] = self.ftpd.cert_fingerprint
            elif kind != "ftp-list":
                self.table["host_key"] = self.ftpd.host_key_fingerprint
        else:
            self.s3server = request.getfixturevalue("s3_server")
            self.env = request.getfixturevalue("aws_env")
            import boto3

            self.s3 = boto3.client("s3", endpoint_url=self.s3server.endpoint, region_name="us-east-1")
            self.bucket = f"site-{name}"
            self.s3.create_bucket(Bucket=self.bucket)
            self.table = {"url": f"s3://{self.bucket}/www", "endpoint_url": self.s3server.endpoint}

    def target(self, **more):
        return parse_target("production", {**self.table, **more}, self.tmp_path)

    def files(self) -> dict[str, bytes]:
        """Public files at the target (nothing under .sitekeeper*)."""
        if self.kind != "s3":
            out = {}
            for p in sorted(self.root.rglob("*")):
                rel = p.relative_to(self.root).as_posix()
                if p.is_file() and not rel.startswith(".sitekeeper"):
                    out[rel] = p.read_bytes()
            return out
        out = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="www/"):
            for obj in page.get("Contents", []):
                rel = obj["Key"][4:]
                if not rel.startswith(".sitekeeper"):
                    out[rel] = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
        return out

    def leftovers_in_docroot(self) -> list[str]:
        """Temporary files visible to visitors (must be none)."""
        if self.kind == "s3":
            return []
        return [p.name for p in self.root.rglob("*") if p.name.endswith((".part", ".link"))
                and ".sitekeeper" not in p.relative_to(self.root).as_posix()]


@pytest.fixture(params=["dir", "sftp", "ftps", "ftp-list", "proftpd-sftp", "s3"])
def kit(request, tmp_path):
    return Kit(request.param, tmp_path, request)


def publish(kit, build, **kw):
    rep = RecordingReporter()
    report = publish_folder(build, kit.target(), "bakery", rep, **kw)
    return report


def test_publish_mirrors_the_build_and_then_uploads_only_what_changed(kit, tmp_path):
    build = tmp_path / "build"
    files = make_site(build)

    first = publish(kit, build)
    assert sorted(first.uploaded) == sorted(files)
    assert kit.files() == files
    # assets before pages before indexes/feeds
    order = first.uploaded
    assert order.index("img/logo.png") < order.index("about/index.html") < order.index("index.html")
    assert order.index("p3/index.html") < order.index("sitemap.xml")

    again = publish(kit, build)
    assert again.uploaded == [] and again.deleted == [] and again.plan.unchanged == len(files)

    # a rebuild rewrites every file with new times but the same bytes: still nothing to send
    time.sleep(1.1)
    write_tree(build, files)
    assert publish(kit, build).uploaded == []

    # a same-length edit is never missed
    edited = files["p4/index.html"].replace(b"Page 004", b"Page 400")
    assert len(edited) == len(files["p4/index.html"])
    (build / "p4/index.html").write_bytes(edited)
    third = publish(kit, build)
    assert third.uploaded == ["p4/index.html"]
    assert third.as_json()["bytes_uploaded"] == len(edited)
    assert kit.files()["p4/index.html"] == edited

    # a removed page is deleted, last
    (build / "p7/index.html").unlink()
    fourth = publish(kit, build)
    assert fourth.uploaded == [] and fourth.deleted == ["p7/index.html"]
    assert "p7/index.html" not in kit.files()
    assert kit.leftovers_in_docroot() == []


def test_dry_run_plans_with_reasons_and_changes_nothing(kit, tmp_path):
    build = tmp_path / "build"
    make_site(build)
    report = publish(kit, build, dry_run=True)
    assert report.dry_run and len(report.uploaded) == len(report.plan.uploads) > 0
    assert {u.reason for u in report.plan.uploads} == {"new"}
    assert kit.files() == {}


def test_deletes_over_the_cap_are_refused_before_anything_changes(kit, tmp_path):
    build = tmp_path / "build"
    files = make_site(build, pages=20)
    publish(kit, build)
    for i in range(20):
        (build / f"p{i}/index.html").unlink()
    (build / "about/index.html").write_bytes(b"changed")
    with pytest.raises(DeployError, match="over the cap.*--allow-deletes"):
        publish(kit, build)
    assert kit.files() == files
    report = publish(kit, build, allow_deletes=True)
    assert len(report.deleted) == 20


def test_hand_edited_or_lost_manifest_self_heals(kit, tmp_path):
    build = tmp_path / "build"
    files = make_site(build)
    publish(kit, build)
    # lose the manifest (and its journals): everything is re-sent once (unverifiable), then quiet again
    if kit.kind == "s3":
        for obj in kit.s3.list_objects_v2(Bucket=kit.bucket, Prefix=".sitekeeper-www/")["Contents"]:
            kit.s3.delete_object(Bucket=kit.bucket, Key=obj["Key"])
    else:
        state = [p for p in kit.root.parent.rglob("*.json") if ".sitekeeper" in str(p)]
        assert state
        for m in state:
            m.unlink()
    healed = publish(kit, build)
    assert sorted(healed.uploaded) == sorted(files)
    assert {u.reason for u in healed.plan.uploads} == {"not in manifest"}
    assert publish(kit, build).uploaded == []


def _run_publisher(kit, build: Path, fault: str | None, timeout: float = 60):
    """A publish in a child process (so it can be SIGKILLed like `kill -9`)."""
    code = textwrap.dedent("""
        import json, sys
        from pathlib import Path
        from sitekeeper.deploy.apply import publish_folder
        from sitekeeper.config.deploy import parse_target
        from sitekeeper.report import RecordingReporter
        t = parse_target("production", json.loads(sys.argv[1]), Path(sys.argv[2]))
        r = publish_folder(Path(sys.argv[2]), t, "bakery", RecordingReporter())
        print(json.dumps(r.as_json()))
    """)
    env = dict(os.environ, **kit.env, SITEKEEPER_SFTP_CHANNELS="2", SITEKEEPER_S3_WORKERS="2")
    env.pop("SITEKEEPER_DEPLOY_FAULT", None)
    if fault:
        env["SITEKEEPER_DEPLOY_FAULT"] = fault
    return subprocess.run([sys.executable, "-c", code, json.dumps(kit.table), str(build)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


@pytest.mark.parametrize("fault", ["upload-done=7", "mid-upload=5", "manifest=1"])
def test_publish_killed_halfway_leaves_no_truncated_file_and_the_next_run_converges(kit, tmp_path, fault):
    build = tmp_path / "build"
    old = make_site(build, pages=30)
    publish(kit, build)
    new = {p: (data + b"<!-- v2 -->" if p.endswith(".html") else data) for p, data in old.items()}
    new["img/new.png"] = os.urandom(5000)
    write_tree(build, new)

    killed = _run_publisher(kit, build, fault)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    seen = kit.files()
    for path, data in seen.items():  # every visible file is whole: the old bytes or the new ones
        assert data in (old.get(path), new.get(path)), path
    assert kit.leftovers_in_docroot() == []

    again = _run_publisher(kit, build, None)
    assert again.returncode == 0, again.stderr
    assert kit.files() == new
    # and it did not start over: some files were already in place (killed after several landed)
    if fault == "upload-done=7":
        assert len(json.loads(again.stdout)["uploaded"]) < len(new) - 1


def test_two_publishes_of_one_target_cannot_interleave(kit, tmp_path):
    build = tmp_path / "build"
    make_site(build)
    publish(kit, build)
    from sitekeeper.deploy.apply import open_remote

    remote = open_remote(kit.target(), "bakery", RecordingReporter())
    # a live publish on another machine holds the lock
    other = LockRecord("tok", "ci-runner-7", 4242, "ci", time.time(), time.time())
    assert remote.lock_create(other.to_bytes())
    try:
        assert publish(kit, build).uploaded == []  # nothing to do: reads only, needs no lock
        (build / "about/index.html").write_bytes(b"new about")
        with pytest.raises(DeployError, match=r"being published by ci@ci-runner-7 \(pid 4242"):
            publish(kit, build)
        # the same from a dead process on this machine is taken over at once
        remote.lock_remove()
        import socket

        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        ghost = LockRecord("tok2", socket.gethostname(), dead.pid, "me", time.time(), time.time())
        assert remote.lock_create(ghost.to_bytes())
        rep = RecordingReporter()
        report = publish_folder(build, kit.target(), "bakery", rep)
        assert report.uploaded == ["about/index.html"]
        assert any(kind == "warn" and "took over the lock" in msg for kind, msg in rep.lines)
        assert remote.lock_read()[0] is None  # released at the end
    finally:
        remote.lock_remove()
        remote.close()


def test_concurrent_publishes_one_refuses_and_target_ends_complete(kit, tmp_path):
    build = tmp_path / "build"
    files = make_site(build, pages=60)
    procs = [subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import json, sys
            from pathlib import Path
            from sitekeeper.deploy.apply import publish_folder
            from sitekeeper.config.deploy import parse_target
            from sitekeeper.errors import DeployError
            from sitekeeper.report import RecordingReporter
            t = parse_target("production", json.loads(sys.argv[1]), Path(sys.argv[2]))
            try:
                publish_folder(Path(sys.argv[2]), t, "bakery", RecordingReporter())
            except DeployError as e:
                print(e); sys.exit(3)
        """), json.dumps(kit.table), str(build)],
        env=dict(os.environ, **kit.env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
        for _ in range(2)]
    results = [(p.wait(60), p.stdout.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 3]), results  # the second either ran after the first or refused
    if codes == [0, 3]:
        assert "being published by" in [out for code, out in results if code == 3][0]
    assert kit.files() == files


def test_a_folder_publish_clears_a_killed_runs_temp_files_but_not_a_live_runs_lock_on_its_way(tmp_path):
    """The lock holder empties the state's tmp/ of what killed runs left; a second publish's lock
    blob, written there a moment before it is linked into place, belongs to a live process and
    stays (removed, that publish failed with "cannot create lock": No such file or directory)."""
    from sitekeeper.deploy.dir import DirRemote
    from sitekeeper.fsutil import staged

    remote = DirRemote(parse_target("production", {"url": f"dir:{tmp_path / 'site'}"}, tmp_path), "bakery")
    remote._ensure_state()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        live_blob = remote.tmp / f"{other.pid}-0123456789abcdef.part"
        live_blob.write_bytes(b"lock")
        killed = remote.tmp / f"{dead.pid}-fedcba9876543210.part"
        killed.write_bytes(b"half a page")
        mine = staged(remote.tmp, b"mine")  # this process's own: a leftover of an earlier try
        odd = remote.tmp / "not-ours.txt"
        odd.write_bytes(b"?")
        remote.prepare(None, "r1")
        assert sorted(p.name for p in remote.tmp.iterdir()) == [live_blob.name]
        assert not mine.exists() and not killed.exists() and not odd.exists()
    finally:
        other.kill()
        other.wait()
        remote.close()


@pytest.mark.parametrize("kind", ["sftp", "proftpd-sftp", "proftpd-bare"])
def test_atomic_sftp_publish_switches_a_symlink_and_rollback_switches_back(request, tmp_path, kind):
    from sitekeeper.deploy.apply import rollback_target

    kit = Kit(kind, tmp_path, request)
    build = tmp_path / "build"
    files = make_site(build)
    first = publish_folder(build, kit.target(mode="atomic"), "bakery", RecordingReporter())
    assert sorted(first.uploaded) == sorted(files)
    assert kit.root.is_symlink() and kit.files() == files
    release1 = os.readlink(kit.root)

    (build / "about/index.html").write_bytes(b"<h1>About v2</h1>")
    (build / "p3/index.html").unlink()
    if kind == "proftpd-bare":
        time.sleep(1.1)  # the re-sent copies get a later mtime than the manifest's first stamps
    second = publish_folder(build, kit.target(mode="atomic"), "bakery", RecordingReporter())
    if kind == "proftpd-bare":  # no hard links: every file of the release was sent, and counted
        assert second.as_json()["bytes_uploaded"] == sum(p.stat().st_size for p in build.rglob("*") if p.is_file())
    assert second.uploaded == ["about/index.html"] and second.deleted == ["p3/index.html"]
    release2 = os.readlink(kit.root)
    assert release2 != release1
    assert kit.files()["about/index.html"] == b"<h1>About v2</h1>" and "p3/index.html" not in kit.files()
    old, new = kit.root.parent / release1, kit.root.parent / release2
    if kind != "proftpd-bare":  # unchanged files were hard-linked server-side, not sent again
        assert (old / "img/logo.png").stat().st_ino == (new / "img/logo.png").stat().st_ino
    assert (old / "img/logo.png").read_bytes() == (new / "img/logo.png").read_bytes()
    # a third publish (the live release is never renamed away, however the server answers lstat)
    (build / "about/index.html").write_bytes(b"<h1>About v3</h1>")
    third = publish_folder(build, kit.target(mode="atomic"), "bakery", RecordingReporter())
    assert third.uploaded == ["about/index.html"]
    assert kit.files()["about/index.html"] == b"<h1>About v3</h1>"
    release3 = os.readlink(kit.root)
    back3 = rollback_target(kit.target(mode="atomic"), "bakery", RecordingReporter())
    assert os.readlink(kit.root) == release2 and back3 in release2

    back = rollback_target(kit.target(mode="atomic"), "bakery", RecordingReporter())
    assert release3 != release2 and os.readlink(kit.root) == release1 and back in release1
    assert kit.files() == files
    # the manifest followed the rollback: publishing v2 again sends just the difference
    again = publish_folder(build, kit.target(mode="atomic"), "bakery", RecordingReporter())
    assert again.uploaded == ["about/index.html"] and again.deleted == ["p3/index.html"]


def test_rollback_of_an_in_place_target_says_how(kit, tmp_path):
    from sitekeeper.deploy.apply import rollback_target

    with pytest.raises(DeployError, match="atomic"):
        rollback_target(kit.target(), "bakery", RecordingReporter())


def test_atomic_publish_killed_halfway_leaves_the_old_release_live(request, tmp_path):
    kit = Kit("sftp", tmp_path, request)
    kit.table = {**kit.table, "mode": "atomic"}
    build = tmp_path / "build"
    old = make_site(build, pages=20)
    assert _run_publisher(kit, build, None).returncode == 0
    live = os.readlink(kit.root)
    new = {p: data + b"<!-- v2 -->" for p, data in old.items()}
    write_tree(build, new)
    killed = _run_publisher(kit, build, "upload-done=5")
    assert killed.returncode == -signal.SIGKILL
    assert os.readlink(kit.root) == live and kit.files() == old  # visitors still see all of v1
    again = _run_publisher(kit, build, None)
    assert again.returncode == 0, again.stderr
    assert kit.files() == new
    from sitekeeper.deploy.apply import rollback_target

    rollback_target(kit.target(), "bakery", RecordingReporter())
    assert os.readlink(kit.root) == live  # never to the half-made release
