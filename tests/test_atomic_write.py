"""The one atomic_write: the whole new file or the old one, a temp name per writer, nothing left behind."""
import os

import pytest

from sitekeeper.fsutil import atomic_write, temp_name


def test_atomic_write_replaces_the_file_whole_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "deep" / "er" / "page.html"
    atomic_write(target, b"first")
    atomic_write(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.html"]


def test_two_writers_never_share_a_temp_name(tmp_path):
    target = tmp_path / "sitekeeper.lock"
    names = {temp_name(target) for _ in range(50)}
    assert len(names) == 50
    assert all(n.parent == tmp_path and str(os.getpid()) in n.name for n in names)


def test_a_failed_write_keeps_the_old_file_and_removes_its_temp_file(tmp_path):
    target = tmp_path / "report.csv"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_without_mkdir_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "missing" / "x.txt", b"x", mkdir=False)
    assert not (tmp_path / "missing").exists()
