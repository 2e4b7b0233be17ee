"""State never in a docroot: a published folder or S3 prefix holds exactly the site.

What sitekeeper keeps for a target (manifest, journals, lock, temporary files) lives beside
it (``.sitekeeper-<name>``); `build --out DIR` keeps its cache under the workspace's
``.sitekeeper/``. Publishing over the layout of earlier versions (state inside the docroot)
moves the old state out: the test makes that layout with the earlier version's own code.
"""
from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest
from helpers import json_lines, sk

REPO = Path(__file__).resolve().parent.parent
BAKERY = "baeckerei-sonnenkorn"
NOW = "2026-12-07T10:00:00+01:00"
OLD_LAYOUT_COMMIT = "c36296b"
"""The last version that kept a dir: target's state inside the folder (``<folder>/.sitekeeper/``)."""


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def _built(ws: Path, client: str) -> set[str]:
    out = ws / "built"
    run = sk("build", client, "--out", str(out), cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    return _files(out)


def test_the_default_folder_target_holds_exactly_the_site(demo_workspace):
    ws = demo_workspace
    run = sk("publish", BAKERY, "--yes", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    folder = ws / "public" / BAKERY
    assert _files(folder) == _built(ws, BAKERY)
    beside = ws / "public" / f".sitekeeper-{BAKERY}"
    assert beside.is_dir() and any(beside.rglob("*"))
    # A second publish finds its state beside the folder: nothing to upload.
    again = sk("publish", BAKERY, "--yes", "--json", cwd=ws, now=NOW)
    assert again.returncode == 0, again.stderr
    assert json_lines(again.stdout)[-1]["uploaded"] == []
    assert _files(folder) == _built(ws, BAKERY)


def test_build_out_keeps_its_cache_outside_the_out_folder(demo_workspace):
    ws = demo_workspace
    out = ws / "site-out"
    for _ in range(2):  # the second build reads the cache it wrote
        run = sk("build", BAKERY, "--out", str(out), cwd=ws, now=NOW)
        assert run.returncode == 0, run.stderr
    names = _files(out)
    assert not [n for n in names if n.split("/")[0].startswith(".sitekeeper")], sorted(names)
    assert (ws / ".sitekeeper").is_dir()


def _old_sitekeeper(tmp_path: Path) -> Path | None:
    """The package as the earlier version had it, unpacked from git (None without the history)."""
    have = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{OLD_LAYOUT_COMMIT}^{{commit}}"],
                          capture_output=True)
    if have.returncode != 0:
        return None
    tar = subprocess.run(["git", "-C", str(REPO), "archive", OLD_LAYOUT_COMMIT, "sitekeeper"],
                         capture_output=True, check=True).stdout
    dest = tmp_path / "old"
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(dest, filter="data")
    return dest


def test_publishing_over_the_old_layout_moves_the_state_out_and_uploads_only_what_changed(demo_workspace, tmp_path):
    old = _old_sitekeeper(tmp_path)
    if old is None:
        pytest.skip("this clone has no git history with the earlier version (a shallow clone)")
    ws = demo_workspace
    made = sk("publish", BAKERY, "--yes", cwd=ws, now=NOW, env={"PYTHONPATH": str(old)})
    assert made.returncode == 0, made.stderr
    folder = ws / "public" / BAKERY
    assert (folder / ".sitekeeper").is_dir(), "the earlier version kept its state inside the folder"

    # This version builds some files differently (the same sources, the same clock): exactly
    # those are uploaded, which it can tell only from the older manifest, left where it was.
    old_files = _files(folder) - {n for n in _files(folder) if n.startswith(".sitekeeper")}
    new_files = _built(ws, BAKERY)
    changed = sorted(n for n in new_files
                     if not (folder / n).is_file() or (folder / n).read_bytes() != (ws / "built" / n).read_bytes())
    assert len(changed) < len(new_files), "every file changed: a kept manifest and a lost one look the same"
    run = sk("publish", BAKERY, "--yes", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    assert sorted(json_lines(run.stdout)[-1]["uploaded"]) == changed  # the old manifest was kept
    assert not (folder / ".sitekeeper").exists()
    # the built site, and at most a file only the older version made (its build folder keeps it)
    assert new_files <= _files(folder) and _files(folder) - new_files <= old_files


def test_an_s3_site_prefix_holds_only_the_site(tmp_path, s3_server, aws_env):
    import boto3

    from sitekeeper.config.deploy import parse_target
    from sitekeeper.deploy.apply import publish_folder
    from sitekeeper.report import RecordingReporter

    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="docroot-site")
    target = parse_target("production", {"url": "s3://docroot-site/www", "endpoint_url": s3_server.endpoint}, tmp_path)
    build = tmp_path / "build"
    for i in range(5):
        (build / f"p{i}").mkdir(parents=True)
        (build / f"p{i}" / "index.html").write_bytes(b"<h1>%d</h1>" % i)
    (build / "index.html").write_bytes(b"<h1>Home</h1>")
    publish_folder(build, target, "bakery", RecordingReporter())
    second = publish_folder(build, target, "bakery", RecordingReporter())
    assert second.uploaded == []
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="docroot-site")["Contents"]}
    site = {k[len("www/"):] for k in keys if k.startswith("www/")}
    assert site == _files(build)
    assert {k for k in keys if not k.startswith("www/")}, "the target's state lives beside the prefix"
    assert all(k.startswith(".sitekeeper-www/") for k in keys if not k.startswith("www/"))
