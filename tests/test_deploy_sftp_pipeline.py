"""The SFTP upload pipeline (many files in flight on one channel) against a real OpenSSH sshd:
small batches over several channels, large files in several blocks, and the guarantee that a
file whose bytes did not all land is never renamed to its final name."""
from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import pytest

from sitekeeper.deploy.sftp import pipeline as sftp_mod  # the pipeline and its tuning live there
from sitekeeper.deploy.apply import SendItem, open_remote, publish_folder
from sitekeeper.deploy.plan import Upload
from sitekeeper.config.deploy import parse_target
from sitekeeper.errors import DeployError
from sitekeeper.report import RecordingReporter


def _target(sshd, root: Path, tmp_path: Path):
    return parse_target("production", {"url": sshd.url(str(root)), "host_key": sshd.fingerprint,
                                       "key_file": str(sshd.key_file)}, tmp_path)


def _site(build: Path, pages: int = 40) -> dict[str, bytes]:
    files = {f"p{i % 4}/page{i}/index.html": b"<h1>%d</h1>" % i + os.urandom(i * 37) for i in range(pages)}
    files["img/big.bin"] = os.urandom(2_500_000)  # several blocks, alone in its batch
    files["index.html"] = b"<h1>Home</h1>"
    for rel, data in files.items():
        (build / rel).parent.mkdir(parents=True, exist_ok=True)
        (build / rel).write_bytes(data)
    return files


def _public(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.relative_to(root).as_posix().startswith(".sitekeeper")}


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(sftp_mod, "BATCH_FILES", 3)
    monkeypatch.setattr(sftp_mod, "BATCH_BYTES", 20_000)
    monkeypatch.setattr(sftp_mod, "FLUSH_AT", 40_000)
    monkeypatch.setattr(sftp_mod, "BLOCK", 1 << 18)


@pytest.mark.parametrize("channels", [1, 3])
def test_small_batches_over_one_or_several_channels_mirror_the_build(sshd_server, tmp_path, monkeypatch,
                                                                     small_batches, channels):
    monkeypatch.setattr(sftp_mod, "SEND_CHANNELS", channels)
    build, root = tmp_path / "build", sshd_server.home / uuid.uuid4().hex / "site"
    files = _site(build)
    first = publish_folder(build, _target(sshd_server, root, tmp_path), "bakery", RecordingReporter())
    assert sorted(first.uploaded) == sorted(files)
    assert _public(root) == files
    # the stamps recorded from the pipelined fstat match the listing: nothing to send again
    assert publish_folder(build, _target(sshd_server, root, tmp_path), "bakery", RecordingReporter()).uploaded == []
    assert not any(p.name.endswith(".part") for p in root.rglob("*"))


def test_a_failed_write_renames_nothing_of_its_batch_into_place(sshd_server, tmp_path, monkeypatch, small_batches):
    build, root = tmp_path / "build", sshd_server.home / uuid.uuid4().hex / "site"
    files = _site(build, pages=12)
    real_reply = sftp_mod._Pipeline.reply
    failed = {}

    def reply(self, num):
        t, body = real_reply(self, num)
        if not failed and num > 20 and t == sftp_mod.CMD_STATUS and num in self.write_nums:
            failed["num"] = num  # the server said no to one write (a full disk, a quota)
            msg = b"No space left on device"
            return t, (4).to_bytes(4, "big") + len(msg).to_bytes(4, "big") + msg + b"\0\0\0\0"
        return t, body

    real_request = sftp_mod._Pipeline.request

    def request(self, t, *fields):
        num = real_request(self, t, *fields)
        if t == sftp_mod.CMD_WRITE:
            self.__dict__.setdefault("write_nums", set()).add(num)
        return num

    monkeypatch.setattr(sftp_mod._Pipeline, "reply", reply)
    monkeypatch.setattr(sftp_mod._Pipeline, "request", request)
    rep = RecordingReporter()
    with pytest.raises(DeployError, match="No space left"):
        publish_folder(build, _target(sshd_server, root, tmp_path), "bakery", rep)
    assert failed
    landed = _public(root)
    for rel, data in landed.items():
        assert data == files[rel]  # whatever is visible is whole
    assert len(landed) < len(files)  # the failing file's batch stayed at temporary names

    monkeypatch.undo()
    again = publish_folder(build, _target(sshd_server, root, tmp_path), "bakery", RecordingReporter())
    assert _public(root) == files and set(again.uploaded) == set(files) - set(landed)


def test_bytes_that_changed_after_the_plan_never_reach_the_final_name(sshd_server, tmp_path):
    build, root = tmp_path / "build", sshd_server.home / uuid.uuid4().hex / "site"
    files = _site(build, pages=4)
    remote = open_remote(_target(sshd_server, root, tmp_path), "bakery", RecordingReporter())
    try:
        items = [SendItem(Upload(rel, len(data), "new", 1), build / rel,
                          hashlib.sha256(data if rel != "index.html" else b"planned").hexdigest(), None)
                 for rel, data in sorted(files.items())]
        with pytest.raises(DeployError, match="changed while publishing"):
            remote.upload(items, lambda item, stamp: None)
    finally:
        remote.close()
    assert not (root / "index.html").exists()


def test_a_server_without_posix_rename_gets_remove_and_rename(sshd_server, tmp_path, small_batches):
    build, root = tmp_path / "build", sshd_server.home / uuid.uuid4().hex / "site"
    files = _site(build, pages=6)
    done = []
    for _attempt in range(2):  # the second time every final name exists already
        remote = open_remote(_target(sshd_server, root, tmp_path), "bakery", RecordingReporter())
        try:
            remote._posix_rename = False
            items = [SendItem(Upload(rel, len(data), "new", 1), build / rel, hashlib.sha256(data).hexdigest(), None)
                     for rel, data in sorted(files.items())]
            remote.upload(items, lambda item, stamp: done.append((item.upload.path, stamp)))
        finally:
            remote.close()
        assert _public(root) == files
    assert len(done) == 2 * len(files) and all(stamp for _, stamp in done)
