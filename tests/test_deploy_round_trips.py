"""Round trips of a publish, counted at real servers on 127.0.0.1: a ProFTPD logging every FTP
command (tests/fixtures_ftp.py) and an OpenSSH sftp-server logging every request
(tests/fixtures_deploy.py). A republish with nothing new trusts the target's manifest
instead of listing every folder, as long as a recent full listing and a sample of files vouch
for it; anything that casts doubt (a changed home page, an old listing, a lock a killed
publish left) makes it list in full and repair. Counts, never times."""
from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

import pytest

from sitekeeper.config.deploy import parse_target
from sitekeeper.deploy.apply import publish_folder
from sitekeeper.deploy.trusted import SAMPLE
from sitekeeper.report import RecordingReporter

from fixtures_deploy import start_sshd, stop
from fixtures_ftp import PASSWORD_ENV, start_proftpd
from helpers import need

FOLDERS = 40


def make_site(root: Path, pages: int = FOLDERS, size: int = 3000) -> dict[str, bytes]:
    """A site of ``pages`` pages, one folder each (as pretty URLs make them), and a few assets."""
    files = {"index.html": b"<h1>Home</h1>" + b"".join(b'<a href="/p%d/">p</a>' % i for i in range(pages)),
             "style.css": b"body{color:#333}", "img/logo.png": os.urandom(2000)}
    for i in range(pages):
        body = b"<h1>Page %03d</h1>" % i
        files[f"p{i}/index.html"] = body + b"x" * max(0, size - len(body))
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


@pytest.fixture(scope="module")
def ftpd(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ftpd-counted")
    try:
        server = start_proftpd(folder, sftp=False, command_log=folder / "commands.log")
    except FileNotFoundError:
        need("ProFTPD is not installed here", "apt-get install proftpd-core, or scripts/setup.sh --test")
    yield server, folder / "commands.log"
    stop(server.proc)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sshd-counted")
    try:
        server = start_sshd(folder, sftp_log=folder / "sftp.log")
    except FileNotFoundError:
        need("OpenSSH sshd is not installed here", "apt-get install openssh-server, or scripts/setup.sh --test")
    yield server, folder / "sftp.log"
    stop(server.proc)


class Counted:
    """Publishes to one fresh docroot and returns what the server logged meanwhile."""

    def __init__(self, log: Path, table: dict, tmp_path: Path, root: Path):
        self.log, self.table, self.tmp_path, self.root = log, table, tmp_path, root

    def publish(self, build: Path, **more):
        start = self.log.stat().st_size if self.log.exists() else 0
        target = parse_target("production", {**self.table, **more}, self.tmp_path)
        report = publish_folder(build, target, "bakery", RecordingReporter(), allow_deletes=True)
        time.sleep(0.3)  # the server writes its log line after answering
        with open(self.log, "rb") as fh:
            fh.seek(start)
            return report, fh.read().decode("utf-8", "replace")

    @property
    def state(self) -> Path:
        return self.root.parent / f".sitekeeper-{self.root.name}"


@pytest.fixture
def ftp(ftpd, monkeypatch, tmp_path):
    server, log = ftpd
    for k, v in server.env.items():
        monkeypatch.setenv(k, v)
    name = uuid.uuid4().hex[:8]
    table = {"url": server.url(f"/{name}/www"), "password_env": PASSWORD_ENV,
             "cert_fingerprint": server.cert_fingerprint}
    return Counted(log, table, tmp_path, server.home / name / "www")


def commands(text: str) -> list[str]:
    return [line.split(" ", 1)[0] for line in text.splitlines() if line.strip()]


def test_ftps_republish_without_changes_lists_no_folder_and_sends_a_few_dozen_commands(ftp, tmp_path):
    build = tmp_path / "build"
    files = make_site(build)
    first, text = ftp.publish(build)
    assert sorted(first.uploaded) == sorted(files)
    when = time.time() + 60
    for p in build.rglob("*"):  # a rebuild: every file touched, no byte changed
        os.utime(p, (when, when))
    again, text = ftp.publish(build)
    sent = commands(text)
    assert again.uploaded == [] and again.deleted == []
    assert sent.count("MLSD") <= 1  # the state folder's names; not one of the site's 41 folders
    assert len(sent) < FOLDERS and sent.count("MLST") <= SAMPLE + 4
    assert "STOR" not in sent and "DELE" not in sent


def test_ftps_one_page_edit_sends_that_page_and_no_listing(ftp, tmp_path):
    build = tmp_path / "build"
    make_site(build)
    ftp.publish(build)
    page = build / "p7" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Page 007", b"Page 700"))
    edit, text = ftp.publish(build)
    sent = commands(text)
    assert edit.uploaded == ["p7/index.html"]
    assert (ftp.root / "p7" / "index.html").read_bytes() == page.read_bytes()
    assert sent.count("MLSD") <= 3 and len(sent) < 2 * FOLDERS  # the state folder (twice) and tmp only


def test_a_home_page_changed_on_the_server_is_seen_at_once_and_repaired(ftp, tmp_path):
    build = tmp_path / "build"
    files = make_site(build)
    ftp.publish(build)
    (ftp.root / "index.html").write_bytes(b"<h1>defaced</h1>")  # the home page is always in the sample
    healed, text = ftp.publish(build)
    assert healed.uploaded == ["index.html"] and [u.reason for u in healed.plan.uploads] == ["changed at target"]
    assert commands(text).count("MLSD") > FOLDERS  # doubt: listed in full
    assert (ftp.root / "index.html").read_bytes() == files["index.html"]


def test_a_file_changed_by_hand_is_found_once_the_last_full_listing_is_older_than_verify_hours(ftp, tmp_path):
    build = tmp_path / "build"
    files = make_site(build)
    ftp.publish(build)
    victim = ftp.root / "p3" / "index.html"
    victim.write_bytes(b"<h1>injected</h1>".ljust(len(files["p3/index.html"]), b" "))  # same size
    os.utime(victim, (time.time() - 3600, time.time() - 3600))
    record = ftp.state / "verified.json"
    listed = json.loads(record.read_text())["listed_at"]
    record.write_text(json.dumps({"version": 1, "listed_at": listed - 25 * 3600}))  # a day and an hour ago
    healed, text = ftp.publish(build)
    assert "p3/index.html" in healed.uploaded and victim.read_bytes() == files["p3/index.html"]
    assert commands(text).count("MLSD") > FOLDERS
    assert json.loads(record.read_text())["listed_at"] > listed  # the full listing is recorded


def test_verify_hours_zero_lists_on_every_publish(ftp, tmp_path):
    build = tmp_path / "build"
    make_site(build)
    ftp.publish(build, verify_hours=0)
    again, text = ftp.publish(build, verify_hours=0)
    assert again.uploaded == [] and commands(text).count("MLSD") > FOLDERS
    assert not (ftp.state / "verified.json").exists()


def test_a_lock_left_by_a_killed_publish_makes_the_next_one_list_in_full(ftp, tmp_path):
    from sitekeeper.state.lock import LockRecord

    build = tmp_path / "build"
    files = make_site(build)
    ftp.publish(build)
    # a publish killed after renaming a page into place, before any journal recorded it
    (ftp.root / "p5" / "index.html").write_bytes(b"<h1>half</h1>")
    dead = LockRecord("tok", "gone-host", 999999, "ci", time.time() - 7200, time.time() - 7200)
    (ftp.state / "lock").write_bytes(dead.to_bytes())
    healed, text = ftp.publish(build)
    assert "p5/index.html" in healed.uploaded and (ftp.root / "p5" / "index.html").read_bytes() == files["p5/index.html"]
    assert commands(text).count("MLSD") > FOLDERS


def test_first_upload_sends_under_five_per_cent_of_state(ftp, tmp_path):
    build = tmp_path / "build"
    files = make_site(build, pages=400, size=2500)
    first, text = ftp.publish(build)
    assert len(first.uploaded) == len(files)
    stored = sum(int(b) for m, _, b in (line.partition(" ") for line in text.splitlines()) if m == "STOR" and b.isdigit())
    site = sum(len(v) for v in files.values())
    assert site <= stored <= site * 1.05


# ---------------------------------------------------------------- SFTP

REQUEST = re.compile(r"request \d+: (?!sent)([a-z@.-]+)")


@pytest.fixture
def sftp(sshd, tmp_path):
    server, log = sshd
    root = server.home / uuid.uuid4().hex[:8] / "site"
    table = {"url": server.url(str(root)), "host_key": server.fingerprint, "key_file": str(server.key_file)}
    return Counted(log, table, tmp_path, root)


def test_sftp_one_page_edit_opens_no_folder_of_the_site(sftp, tmp_path):
    build = tmp_path / "build"
    make_site(build)
    sftp.publish(build)
    page = build / "p9" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"Page 009", b"Page 900"))
    edit, text = sftp.publish(build)
    assert edit.uploaded == ["p9/index.html"] and (sftp.root / "p9" / "index.html").read_bytes() == page.read_bytes()
    opened = re.findall(r'readdir "([^"]+)"', text)
    assert opened and all(".sitekeeper-site" in folder for folder in opened)  # the state area only
    assert len(REQUEST.findall(text)) < 2 * FOLDERS


def test_sftp_first_upload_sends_under_five_per_cent_of_state(sftp, tmp_path):
    build = tmp_path / "build"
    files = make_site(build, pages=400, size=2500)
    first, text = sftp.publish(build)
    assert len(first.uploaded) == len(files)
    written = sum(int(n) for n in re.findall(r"request \d+: write .* len (\d+)", text))
    site = sum(len(v) for v in files.values())
    assert site <= written <= site * 1.05
