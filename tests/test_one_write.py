"""Every whole-file write goes through sitekeeper.fsutil: a temp name no other writer shares
(never a fixed one a second writer, or a planted symbolic link, could be waiting at), in a
folder of the caller's choosing, and nothing left behind when the write fails."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from sitekeeper.fsutil import atomic_write, atomic_write_chunks, staged
from sitekeeper.mail.transport import OutboxTransport
from sitekeeper.state.store import LocalStore


def test_a_temp_folder_of_its_own_keeps_the_target_folder_to_the_file_alone(tmp_path):
    site, tmp = tmp_path / "site", tmp_path / ".sitekeeper-site" / "tmp"
    atomic_write(site / "a" / "index.html", b"<h1>a</h1>", tmp_dir=tmp)
    atomic_write(site / "a" / "index.html", b"<h1>b</h1>", tmp_dir=tmp)
    assert (site / "a" / "index.html").read_bytes() == b"<h1>b</h1>"
    assert [p.relative_to(site).as_posix() for p in sorted(site.rglob("*"))] == ["a", "a/index.html"]
    assert list(tmp.iterdir()) == []


def test_a_refusal_before_the_rename_keeps_the_old_file_and_no_temp_file(tmp_path):
    target, tmp = tmp_path / "page.html", tmp_path / "tmp"
    target.write_bytes(b"old")

    def refuse() -> None:
        raise RuntimeError("not now")

    with pytest.raises(RuntimeError):
        atomic_write_chunks(target, [b"new ", b"bytes"], tmp_dir=tmp, before_rename=refuse)
    assert target.read_bytes() == b"old"
    assert list(tmp.iterdir()) == []


def test_chunks_that_fail_midway_leave_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "big.bin"
    target.write_bytes(b"old")

    def chunks():
        yield b"first block"
        raise OSError("the source went away")

    with pytest.raises(OSError, match="went away"):
        atomic_write_chunks(target, chunks())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["big.bin"]


def test_staged_files_have_names_of_their_own(tmp_path):
    names = {staged(tmp_path, b"x", fsync=False).name for _ in range(20)}
    assert len(names) == 20 and all(n.endswith(".part") for n in names)


def test_the_outbox_never_writes_through_a_link_planted_at_a_temp_name(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"keep me")
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / ".m1.eml.tmp").symlink_to(victim)  # the fixed name an older outbox wrote through
    path = OutboxTransport(outbox).send(SimpleNamespace(name="m1", data=b"Subject: hi\r\n\r\nhello\r\n"))
    assert (outbox / "m1.eml").read_bytes() == b"Subject: hi\r\n\r\nhello\r\n"
    assert path == str(outbox / "m1.eml")
    assert victim.read_bytes() == b"keep me"


def test_a_local_store_writes_and_creates_through_its_tmp_folder_and_leaves_nothing_there(tmp_path):
    store = LocalStore(tmp_path / "state")
    store.write("targets/a/manifest.json", b"{}")
    assert store.create("targets/a/lock", b"mine")
    assert not store.create("targets/a/lock", b"theirs")
    assert store.read("targets/a/lock")[0] == b"mine"
    assert store.list() == ["targets/a/lock", "targets/a/manifest.json"]
    assert list((tmp_path / "state" / "tmp").iterdir()) == []
