"""A docroot holds exactly the site: sitekeeper's manifest, journals, lock and temporary files
live beside it (a `.sitekeeper-<name>` sibling folder or prefix) or in the workspace state
store, the build cache under the workspace's `.sitekeeper/`, and a publish over the older
layout (state inside the docroot) moves it out. The older layout is made by the code of that
earlier version (commit c36296b, taken from git), run for real in a subprocess."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from helpers import sk

from sitekeeper.config.deploy import parse_target
from sitekeeper.deploy.apply import publish_folder
from sitekeeper.report import RecordingReporter
from sitekeeper.state.store import LocalStore

from test_deploy_targets import Kit, make_site, write_tree

REPO = Path(__file__).resolve().parent.parent
CLIENT = "baeckerei-sonnenkorn"
AT = "2026-03-05T10:00:00+01:00"
OLD_LAYOUT_COMMIT = "c36296b"  # the last version that kept state inside the docroot
OLD_CHECKOUT = Path(os.environ.get("SITEKEEPER_OLD_CHECKOUT", "")) if os.environ.get("SITEKEEPER_OLD_CHECKOUT") else None


def run(ws: Path, *args, env=None, old: bool = False):
    """The real command line; ``old``: the main checkout's code (the older layout)."""
    return sk(*args, cwd=ws, env={**(env or {}), **({"PYTHONPATH": str(OLD_CHECKOUT)} if old else {})})


def result(proc) -> dict:
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert proc.returncode == 0 and lines, proc.stderr + proc.stdout
    return lines[-1]


def files_under(root: Path) -> set[str]:
    """Every file (and symlink) under root, sitekeeper's or not."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def ours(names) -> list[str]:
    return sorted(n for n in names if any(part.startswith(".sitekeeper") for part in n.split("/"))
                  or n.endswith((".part", ".sk-tmp")) or ".sk-tmp-" in n)


def output_delta(ws: Path, env=None) -> tuple[list[str], list[str], int]:
    """What this version builds differently from the older one, on the same sources and clock:
    (changed or new files, files gone, files the same). A republish over the older layout
    must upload exactly the changed ones, which it can tell only from the older manifest."""
    def build(old: bool) -> dict[str, bytes]:
        out = ws.parent / ("built-old" if old else "built-new")
        proc = run(ws, "build", CLIENT, "--out", str(out), env={**(env or {}), "SITEKEEPER_NOW": AT}, old=old)
        assert proc.returncode == 0, proc.stderr
        names = [n for n in files_under(out) if not ours([n])]
        return {n: (out / n).read_bytes() for n in names}
    before, now = build(True), build(False)
    changed = sorted(n for n in now if before.get(n) != now[n])
    assert len(changed) < len(now), "every file changed: the test could not tell a kept manifest from a lost one"
    return changed, sorted(n for n in before if n not in now), len(now) - len(changed)


def add_target(ws: Path, text: str) -> None:
    toml = ws / "sites" / CLIENT / "site.toml"
    toml.write_text(toml.read_text() + "\n" + text)


@pytest.fixture
def ws(demo_workspace):
    if not (demo_workspace / "sites" / CLIENT).is_dir():
        pytest.skip(f"demo client {CLIENT} not shipped")
    return demo_workspace


@pytest.fixture(scope="session")
def old_code(tmp_path_factory) -> Path:
    """The earlier version's package, extracted from git (skipped without the history)."""
    import io
    import tarfile

    if OLD_CHECKOUT is not None:
        return OLD_CHECKOUT
    tar = subprocess.run(["git", "-C", str(REPO), "archive", OLD_LAYOUT_COMMIT, "sitekeeper"], capture_output=True)
    if tar.returncode != 0:
        pytest.skip(f"commit {OLD_LAYOUT_COMMIT} (the older layout) is not in this clone's history")
    dest = tmp_path_factory.mktemp("old-sitekeeper")
    with tarfile.open(fileobj=io.BytesIO(tar.stdout)) as archive:
        archive.extractall(dest, filter="data")
    return dest


@pytest.fixture
def needs_old(old_code, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "OLD_CHECKOUT", old_code)


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def keys(s3, bucket: str) -> list[str]:
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out.extend(o["Key"] for o in page.get("Contents", []))
    return sorted(out)


# ---------------------------------------------------------------- dir:

def test_default_publish_leaves_the_client_folder_holding_exactly_the_built_site(ws):
    res = result(run(ws, "publish", CLIENT, "--json", "--at", AT))
    public = ws / "public" / CLIENT
    built = files_under(ws / ".sitekeeper" / "build" / CLIENT)
    assert files_under(public) == built == set(res["uploaded"])
    assert ours(built) == []
    beside = ws / "public" / f".sitekeeper-{CLIENT}"
    assert any(p.name.startswith("journal-") for p in beside.iterdir())  # the state, beside the folder
    assert list((beside / "tmp").iterdir()) == []

    again = result(run(ws, "publish", CLIENT, "--json", "--at", AT))
    assert again["uploaded"] == [] and files_under(public) == built


def _killed_publish(target_table: dict, build: Path, fault: str | None) -> subprocess.CompletedProcess:
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from sitekeeper.deploy.apply import publish_folder\n"
        "from sitekeeper.config.deploy import parse_target\n"
        "from sitekeeper.report import RecordingReporter\n"
        "t = parse_target('production', json.loads(sys.argv[1]), Path(sys.argv[2]))\n"
        "r = publish_folder(Path(sys.argv[2]), t, 'bakery', RecordingReporter())\n"
        "print(json.dumps(r.as_json()))\n")
    env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_DEPLOY_FAULT"}
    if fault:
        env["SITEKEEPER_DEPLOY_FAULT"] = fault
    return subprocess.run([sys.executable, "-c", code, json.dumps(target_table), str(build)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=REPO)


@pytest.mark.parametrize("fault", ["mid-upload=5", "upload-done=7", "manifest=1"])
def test_a_dir_publish_killed_halfway_leaves_only_site_files_in_the_folder(tmp_path, fault):
    build, root = tmp_path / "build", tmp_path / "www" / "site"
    old = make_site(build, pages=30)
    table = {"url": f"dir:{root}"}
    assert _killed_publish(table, build, None).returncode == 0
    new = {p: data + b"<!-- v2 -->" for p, data in old.items()}
    new["img/new.png"] = os.urandom(5000)
    write_tree(build, new)

    killed = _killed_publish(table, build, fault)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert files_under(root) <= set(new) and ours(files_under(root)) == []
    assert ours(p.name for p in (tmp_path / "www").iterdir()) == [".sitekeeper-site"]  # the only other thing

    assert _killed_publish(table, build, None).returncode == 0
    assert {p: (root / p).read_bytes() for p in files_under(root)} == new


def test_a_dir_target_with_state_in_the_store_keeps_the_folder_and_its_parent_clean(tmp_path):
    build, root = tmp_path / "build", tmp_path / "www" / "site"
    files = make_site(build)
    target = parse_target("production", {"url": f"dir:{root}", "state": "store"}, tmp_path)
    store = LocalStore(tmp_path / "state")
    rep = RecordingReporter()
    first = publish_folder(build, target, "bakery", rep, workspace_store=lambda: store)
    assert sorted(first.uploaded) == sorted(files)
    assert files_under(root) == set(files)
    assert [p.name for p in (tmp_path / "www").iterdir()] == ["site"]  # nothing beside it either
    assert any(k.startswith("targets/bakery/production/journal-") for k in store.list())
    again = publish_folder(build, target, "bakery", RecordingReporter(), workspace_store=lambda: store)
    assert again.uploaded == []


def test_publish_over_the_older_dir_layout_moves_its_state_out_and_uploads_only_what_changed(needs_old, ws):
    first = result(run(ws, "publish", CLIENT, "--json", "--at", AT, old=True))
    public = ws / "public" / CLIENT
    old_state = public / ".sitekeeper"
    # the older layout, as that code writes it: the state inside the docroot
    assert any(p.name.startswith("journal-") for p in old_state.iterdir())
    old_journals = sorted(p.name for p in old_state.glob("journal-*.json"))

    changed, gone, same = output_delta(ws)
    dry = result(run(ws, "publish", CLIENT, "--dry-run", "--json", "--at", AT))
    # (a file only the older version made may stay: the build folder it wrote keeps it)
    assert sorted(dry["uploaded"]) == changed and dry["unchanged"] >= same  # read from the old place
    assert old_state.is_dir() and not (ws / "public" / f".sitekeeper-{CLIENT}").exists()  # a dry run moves nothing

    moved = run(ws, "publish", CLIENT, "--json", "--at", AT)
    res = result(moved)
    assert sorted(res["uploaded"]) == changed and set(res["deleted"]) <= set(gone) and res["unchanged"] >= same
    assert not old_state.exists() and ours(files_under(public)) == []
    assert files_under(public) == (set(first["uploaded"]) | set(changed)) - set(res["deleted"])
    beside = ws / "public" / f".sitekeeper-{CLIENT}"
    assert set(old_journals) <= {p.name for p in beside.glob("journal-*.json")}  # moved (beside the new one)

    again = result(run(ws, "publish", CLIENT, "--json", "--at", AT))
    assert again["uploaded"] == []


def test_the_older_layout_held_by_a_live_older_publish_is_left_alone(tmp_path):
    from sitekeeper.errors import DeployError
    from sitekeeper.state.lock import new_record

    build, root = tmp_path / "build", tmp_path / "site"
    make_site(build)
    (root / ".sitekeeper").mkdir(parents=True)
    (root / ".sitekeeper" / "lock").write_bytes(new_record().to_bytes())  # this very process: alive
    target = parse_target("production", {"url": f"dir:{root}"}, tmp_path)
    with pytest.raises(DeployError, match="being published by .*older sitekeeper"):
        publish_folder(build, target, "bakery", RecordingReporter())
    assert (root / ".sitekeeper" / "lock").is_file() and not (root / "index.html").exists()


# ---------------------------------------------------------------- build --out

def test_build_out_keeps_its_cache_in_the_workspace_and_removes_an_older_one_from_the_folder(needs_old, ws, tmp_path):
    out = tmp_path / "docroot"
    assert run(ws, "build", CLIENT, "--out", str(out), "--at", AT, old=True).returncode == 0
    assert (out / ".sitekeeper-build").is_dir()  # the older layout: the cache (draft text) in the folder

    first = result(run(ws, "build", CLIENT, "--out", str(out), "--json", "--at", AT))
    assert ours(files_under(out)) == [] and (out / "index.html").is_file()
    caches = list((ws / ".sitekeeper" / "cache" / "build").iterdir())
    assert len(caches) == 1 and caches[0].name.startswith("docroot-") and (caches[0] / "quick.pickle").is_file()
    assert first["pages"] > 0

    again = result(run(ws, "build", CLIENT, "--out", str(out), "--json", "--at", AT))
    assert again["written"] == 0  # the cache kept outside still describes the folder
    (out / "index.html").unlink()
    third = result(run(ws, "build", CLIENT, "--out", str(out), "--json", "--at", AT))
    assert third["written"] == 1 and (out / "index.html").is_file()


def test_two_out_folders_keep_two_caches(ws, tmp_path):
    for name in ("a", "b"):
        result(run(ws, "build", CLIENT, "--out", str(tmp_path / name / "site"), "--json", "--at", AT))
    names = sorted(p.name.split("-")[0] for p in (ws / ".sitekeeper" / "cache" / "build").iterdir())
    assert names == ["site", "site"]
    assert ours(files_under(tmp_path / "a") | files_under(tmp_path / "b")) == []


# ---------------------------------------------------------------- s3://

@pytest.fixture
def s3(s3_server, aws_env):
    return s3_client(s3_server.endpoint)


def test_s3_prefix_holds_only_the_site_and_a_republish_uploads_nothing(tmp_path, s3, s3_server):
    bucket = f"site-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    build = tmp_path / "build"
    files = make_site(build)
    target = parse_target("production", {"url": f"s3://{bucket}/www", "endpoint_url": s3_server.endpoint}, tmp_path)
    publish_folder(build, target, "bakery", RecordingReporter())
    every = keys(s3, bucket)
    assert sorted(k[4:] for k in every if k.startswith("www/")) == sorted(files)
    state = [k for k in every if not k.startswith("www/")]
    assert state and all(k.startswith(".sitekeeper-www/") for k in state)
    assert ".sitekeeper-www/.sitekeeper-probe/conditional-writes" in state  # the lock's probe, beside the site too
    assert publish_folder(build, target, "bakery", RecordingReporter()).uploaded == []


def test_s3_site_at_the_bucket_root_keeps_its_state_in_the_workspace_store(tmp_path, s3, s3_server):
    bucket = f"site-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    build = tmp_path / "build"
    files = make_site(build)
    target = parse_target("production", {"url": f"s3://{bucket}", "endpoint_url": s3_server.endpoint}, tmp_path)
    store = LocalStore(tmp_path / "state")
    rep = RecordingReporter()
    publish_folder(build, target, "bakery", rep, workspace_store=lambda: store)
    assert keys(s3, bucket) == sorted(files)
    assert any("bucket's root" in msg for kind, msg in rep.lines if kind == "warn")
    assert any(k.startswith("targets/bakery/production/journal-") for k in store.list())
    assert publish_folder(build, target, "bakery", RecordingReporter(), workspace_store=lambda: store).uploaded == []


def test_publish_over_the_older_s3_layout_moves_its_state_out_and_uploads_only_what_changed(needs_old, ws, s3, s3_server, aws_env):
    bucket = f"site-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    add_target(ws, f'[deploy.cdn]\nurl = "s3://{bucket}/www"\nendpoint_url = "{s3_server.endpoint}"\n')
    first = result(run(ws, "publish", CLIENT, "--json", "--at", AT, env=aws_env, old=True))
    before = keys(s3, bucket)
    old_journals = sorted(k[len("www/.sitekeeper/"):] for k in before if k.startswith("www/.sitekeeper/journal-"))
    assert old_journals  # the older layout, as that code writes it: the state under the site's prefix

    changed, gone, same = output_delta(ws, env=aws_env)
    moved = run(ws, "publish", CLIENT, "--json", "--at", AT, env=aws_env)
    res = result(moved)
    assert sorted(res["uploaded"]) == changed and set(res["deleted"]) <= set(gone) and res["unchanged"] >= same
    after = keys(s3, bucket)
    assert sorted(k[4:] for k in after if k.startswith("www/")) == sorted((set(first["uploaded"]) | set(changed)) - set(res["deleted"]))
    assert set(old_journals) <= {k[len(".sitekeeper-www/"):] for k in after
                                 if k.startswith(".sitekeeper-www/journal-")}  # moved (beside the new one)
    assert result(run(ws, "publish", CLIENT, "--json", "--at", AT, env=aws_env))["uploaded"] == []


def test_publish_over_the_older_layout_at_a_bucket_root_moves_it_to_the_workspace_store(needs_old, tmp_path, s3, s3_server):
    bucket = f"site-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    build = tmp_path / "build"
    files = make_site(build)
    table = {"url": f"s3://{bucket}", "endpoint_url": s3_server.endpoint}
    code = ("import json, sys\nfrom pathlib import Path\n"
            "from sitekeeper.deploy.apply import publish_folder\nfrom sitekeeper.config.deploy import parse_target\n"
            "from sitekeeper.report import RecordingReporter\n"
            "t = parse_target('production', json.loads(sys.argv[1]), Path(sys.argv[2]))\n"
            "publish_folder(Path(sys.argv[2]), t, 'bakery', RecordingReporter())\n")
    old = subprocess.run([sys.executable, "-c", code, json.dumps(table), str(build)], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(OLD_CHECKOUT)), timeout=120, cwd=tmp_path)
    assert old.returncode == 0, old.stderr
    assert any(k.startswith(".sitekeeper/journal-") for k in keys(s3, bucket))  # served from the bucket's root

    store = LocalStore(tmp_path / "state")
    target = parse_target("production", table, tmp_path)
    report = publish_folder(build, target, "bakery", RecordingReporter(), workspace_store=lambda: store)
    assert report.uploaded == [] and keys(s3, bucket) == sorted(files)
    assert any(k.startswith("targets/bakery/production/journal-") for k in store.list())


# ---------------------------------------------------------------- sftp, ftps (already beside)

@pytest.mark.parametrize("kind", ["sftp", "ftps"])
def test_sftp_and_ftps_docroots_hold_only_the_site(kind, tmp_path, request):
    kit = Kit(kind, tmp_path, request)
    build = tmp_path / "build"
    files = make_site(build)
    publish_folder(build, kit.target(), "bakery", RecordingReporter())
    assert files_under(kit.root) == set(files) and ours(files_under(kit.root)) == []
    assert (kit.root.parent / ".sitekeeper-site").is_dir()
    assert publish_folder(build, kit.target(), "bakery", RecordingReporter()).uploaded == []
