"""`--shard I/N` on tick and publish --all: every client in exactly one shard, shards that never
wait on each other, two runners of one shard that still exclude each other. The state store is
moto's S3 (what a CI matrix shares)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from test_tick import PROMO, SEND

from helpers import copy_workspace, json_lines, sk
from sitekeeper.shard import parse_shard, shard_of

CLIENTS = [f"cafe-{i:02d}" for i in range(8)]
APPROVE_AT = "2026-03-27T12:00:00+01:00"


def many(tmp_path: Path) -> Path:
    ws = copy_workspace("mini", tmp_path)
    for name in CLIENTS:
        shutil.copytree(ws / "sites/mini", ws / "sites" / name)
        shutil.copytree(ws / "campaigns/mini", ws / "campaigns" / name)
        (ws / "campaigns" / name / "osteraktion.md").write_text(PROMO, encoding="utf-8")
    shutil.rmtree(ws / "sites/mini")
    shutil.rmtree(ws / "campaigns/mini")
    for name in CLIENTS:
        r = sk("campaign", "approve", f"{name}/osteraktion", "--by", "Frau Weber", cwd=ws, now=APPROVE_AT)
        assert r.returncode == 0, r.stderr
    return ws


def on_s3(ws: Path, s3_server) -> None:
    import boto3

    bucket = f"shards-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    (ws / "sitekeeper.toml").write_text(f'state = "s3://{bucket}/sk"\nendpoint_url = "{s3_server.endpoint}"\n'
                                        'region = "us-east-1"\n', encoding="utf-8")
    shutil.rmtree(ws / ".sitekeeper" / "state", ignore_errors=True)


def sent(ws: Path, client: str) -> int:
    return len(list((ws / "outbox" / client).rglob("*.eml")))


def test_a_clients_shard_depends_on_its_name_alone():
    names = [f"client-{i}" for i in range(300)]
    for n in (1, 2, 4, 7, 256):
        before = {c: shard_of(c, n) for c in names}
        assert all(1 <= s <= n for s in before.values())
        grown = names + ["a-new-client", "another-one"]
        assert {c: shard_of(c, n) for c in grown if c in before} == before
    assert len({shard_of(c, 4) for c in names}) == 4
    for bad in ("0/4", "5/4", "1/257", "x", "1/0", "-1/4"):
        with pytest.raises(ValueError):
            parse_shard(bad)
    assert str(parse_shard(" 3 / 8 ")) == "3/8"


def test_a_bad_shard_is_a_usage_error(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    for args in (("tick", "--shard", "5/4"), ("publish", "--all", "--shard", "1/300"), ("publish", "mini", "--shard", "1/2")):
        r = sk(*args, cwd=ws)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "--shard" in r.stderr and "Traceback" not in r.stderr
    assert not (ws / "public").exists()


def test_four_shards_over_one_s3_state_store_take_every_client_exactly_once(tmp_path, s3_server, aws_env):
    ws = many(tmp_path)
    on_s3(ws, s3_server)
    listed = []
    for i in range(1, 5):
        dry = sk("publish", "--all", "--shard", f"{i}/4", "--dry-run", "--json", cwd=ws, now=SEND, env=aws_env)
        assert dry.returncode == 0, dry.stderr
        listed.append(json_lines(dry.stdout)[0]["clients"])
    assert sorted(c for part in listed for c in part) == CLIENTS
    assert not (ws / "public").exists()
    taken = []
    for i in range(1, 5):
        r = sk("tick", "--shard", f"{i}/4", "--json", cwd=ws, now=SEND, env=aws_env)
        assert r.returncode == 0, r.stdout + r.stderr
        result = json_lines(r.stdout)[-1]
        assert result["shard"] == f"{i}/4"
        names = [c["client"] for c in result["clients"]]
        assert names == listed[i - 1]
        assert all(c["published"] for c in result["clients"])
        taken += names
    assert sorted(taken) == CLIENTS
    for name in CLIENTS:
        assert (ws / "public" / name / "index.html").is_file()
        assert sent(ws, name) == 2
    again = sk("tick", "--json", cwd=ws, now=SEND, env=aws_env)
    assert json_lines(again.stdout)[-1]["idle"] is True


def test_two_runners_of_one_shard_at_once_publish_and_send_once(tmp_path, s3_server, aws_env):
    ws = many(tmp_path)
    on_s3(ws, s3_server)
    env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    env.update(aws_env, SITEKEEPER_NOW=SEND)
    runs = [subprocess.Popen([sys.executable, "-m", "sitekeeper", "tick", "--shard", "1/2", "--json"], cwd=ws, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outs
    results = [json_lines(out)[-1] for out, _ in outs]
    mine = [c for c in CLIENTS if shard_of(c, 2) == 1]
    published = [c["client"] for r in results for c in r["clients"] if c["published"]]
    assert sorted(published) == mine
    for name in CLIENTS:
        assert sent(ws, name) == (2 if name in mine else 0)


def test_ci_init_shards_writes_a_matrix_with_one_concurrency_group_per_shard(tmp_path, s3_server, aws_env):
    import yaml

    ws = copy_workspace("mini", tmp_path)
    refused = sk("ci", "init", "github", "--shards", "4", cwd=ws)
    assert refused.returncode == 1 and "state store is local" in refused.stderr
    assert not (ws / ".github").exists()
    on_s3(ws, s3_server)
    assert sk("ci", "init", "gitlab", "--shards", "201", cwd=ws).returncode == 1
    gh = sk("ci", "init", "github", "--shards", "4", cwd=ws)
    assert gh.returncode == 0, gh.stderr
    tick = yaml.safe_load((ws / ".github/workflows/sitekeeper.yml").read_text(encoding="utf-8"))["jobs"]["tick"]
    assert tick["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert "${{ matrix.shard }}" in tick["concurrency"]["group"]
    [run] = [s["run"] for s in tick["steps"] if "sitekeeper tick" in s.get("run", "")]
    assert run == "sitekeeper tick --shard ${{ matrix.shard }}/4"
    gl = sk("ci", "init", "gitlab", "--shards", "4", cwd=ws)
    assert gl.returncode == 0, gl.stderr
    lab = yaml.safe_load((ws / ".gitlab-ci.yml").read_text(encoding="utf-8"))["tick"]
    assert lab["parallel"] == 4 and "$CI_NODE_INDEX" in lab["resource_group"]
    assert lab["script"] == ['sitekeeper tick --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"']
    # what the jobs run, with the matrix's values filled in, runs here
    for i in (1, 4):
        r = sk("tick", "--shard", f"{i}/4", "--dry-run", cwd=ws, now=SEND, env=aws_env)
        assert r.returncode == 0, r.stderr
