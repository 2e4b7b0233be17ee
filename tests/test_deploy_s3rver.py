"""S3-compatible stores that ignore conditional writes (s3rver here; older MinIO, Ceph and Garage
behave alike): sitekeeper finds out once per bucket, refuses to rely on a lock there, and with
`lock = "local"` locks on this machine and says so each run."""
from __future__ import annotations

import uuid

import pytest

from fixtures_deploy import S3RVER_AWS
from helpers import copy_workspace, json_lines, sk

NOW = "2026-03-05T12:00:00+01:00"


@pytest.fixture
def s3rver_env(monkeypatch, tmp_path):
    for key, value in S3RVER_AWS.items():
        monkeypatch.setenv(key, value)
    env = dict(S3RVER_AWS, XDG_STATE_HOME=str(tmp_path / "xdg-state"))
    monkeypatch.setenv("XDG_STATE_HOME", env["XDG_STATE_HOME"])
    return env


def _client(endpoint: str):
    import boto3

    # Explicit credentials: boto3's default session may hold another test's.
    return boto3.session.Session(aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER",
                                 region_name="us-east-1").client("s3", endpoint_url=endpoint)


def _bucket(endpoint: str) -> str:
    name = f"b-{uuid.uuid4().hex[:12]}"
    _client(endpoint).create_bucket(Bucket=name)
    return name


def _keys(endpoint: str, bucket: str) -> list[str]:
    s3 = _client(endpoint)
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def test_the_probe_tells_a_store_that_ignores_conditions_and_remembers_in_the_bucket(s3rver_server, s3_server,
                                                                                      s3rver_env):
    from sitekeeper import aws
    from sitekeeper.state.store import S3Store, _PROBED

    bucket = _bucket(s3rver_server.endpoint)
    store = S3Store(aws.client("s3", endpoint_url=s3rver_server.endpoint, region="us-east-1"), bucket, "state")
    assert store.conditional_writes() is False
    assert _keys(s3rver_server.endpoint, bucket) == ["state/.sitekeeper-probe/conditional-writes"]
    _PROBED.clear()
    again = S3Store(aws.client("s3", endpoint_url=s3rver_server.endpoint, region="us-east-1"), bucket, "state")
    assert again.conditional_writes() is False  # read from the marker, no new probe object left behind
    assert _keys(s3rver_server.endpoint, bucket) == ["state/.sitekeeper-probe/conditional-writes"]


def test_moto_honours_conditional_writes(s3_server, aws_env):
    from sitekeeper import aws
    from sitekeeper.state.store import S3Store

    bucket = _bucket(s3_server.endpoint)
    assert S3Store(aws.client("s3", endpoint_url=s3_server.endpoint), bucket, "p").conditional_writes() is True


def _s3_target(ws, endpoint: str, bucket: str, extra: str = "") -> None:
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[deploy.cdn]\nurl = "s3://{bucket}/www"\n'
                    f'region = "us-east-1"\nendpoint_url = "{endpoint}"\n{extra}', encoding="utf-8")


def test_publish_to_such_a_store_is_refused_with_the_missing_feature_named(tmp_path, s3rver_server, s3rver_env):
    ws = copy_workspace("mini", tmp_path)
    bucket = _bucket(s3rver_server.endpoint)
    _s3_target(ws, s3rver_server.endpoint, bucket)
    run = sk("publish", "mini", "--yes", "--json", cwd=ws, now=NOW, env=s3rver_env)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    problem = json_lines(run.stdout)[-1]["problems"][0]
    assert "ignores conditional writes" in problem["message"] and 'lock = \\"local\\"' not in problem["fix"]
    assert 'lock = "local"' in problem["fix"]
    assert not [k for k in _keys(s3rver_server.endpoint, bucket) if k.startswith("www/") and "/.sitekeeper" not in k]


def test_lock_local_publishes_with_a_warning_and_keeps_a_second_run_out(tmp_path, s3rver_server, s3rver_env):
    from sitekeeper.state.lock import Lock, machine_lock_store

    ws = copy_workspace("mini", tmp_path)
    bucket = _bucket(s3rver_server.endpoint)
    _s3_target(ws, s3rver_server.endpoint, bucket, 'lock = "local"\n')
    run = sk("publish", "mini", "--yes", cwd=ws, now=NOW, env=s3rver_env)
    assert run.returncode == 0, run.stderr
    assert "locked on this machine only" in run.stderr
    assert "www/index.html" in _keys(s3rver_server.endpoint, bucket)

    page = ws / "sites/mini/content/preise.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nNeu: Kakao.\n", encoding="utf-8")
    holder = Lock(machine_lock_store(f"s3://{bucket}/www"))
    holder.acquire()
    try:
        busy = sk("publish", "mini", "--yes", cwd=ws, now=NOW, env=s3rver_env)
    finally:
        holder.release()
    assert busy.returncode == 1 and "being published by" in busy.stderr


def test_a_state_store_there_refuses_ticks_unless_lock_local(tmp_path, s3rver_server, s3rver_env):
    ws = copy_workspace("mini", tmp_path)
    bucket = _bucket(s3rver_server.endpoint)
    settings = f'state = "s3://{bucket}/state"\nendpoint_url = "{s3rver_server.endpoint}"\nregion = "us-east-1"\n'
    (ws / "sitekeeper.toml").write_text(settings, encoding="utf-8")
    refused = sk("tick", "--json", cwd=ws, now=NOW, env=s3rver_env)
    assert refused.returncode == 1
    assert "ignores conditional writes" in json_lines(refused.stdout)[-1]["problems"][0]["message"]
    assert not (ws / "public").exists()
    (ws / "sitekeeper.toml").write_text(settings + 'lock = "local"\n', encoding="utf-8")
    ok = sk("tick", cwd=ws, now=NOW, env=s3rver_env)
    assert ok.returncode == 0, ok.stderr
    assert "locked on this machine only" in ok.stderr and (ws / "public/mini/index.html").is_file()


def test_an_sftp_target_with_its_state_in_such_a_store_is_refused_unless_lock_local(tmp_path, s3rver_server,
                                                                                    s3rver_env, sshd_server):
    # state = "store": the target's manifest and lock live in the workspace state store, here
    # one that ignores conditional writes. Its lock would keep nobody out.
    ws = copy_workspace("mini", tmp_path)
    bucket = _bucket(s3rver_server.endpoint)
    (ws / "sitekeeper.toml").write_text(f'state = "s3://{bucket}/state"\nendpoint_url = "{s3rver_server.endpoint}"\n'
                                        'region = "us-east-1"\nlock = "local"\n', encoding="utf-8")
    root = sshd_server.home / f"s3rver-{uuid.uuid4().hex[:8]}" / "site"
    toml = ws / "sites/mini/site.toml"
    target = (f'\n[deploy.production]\nurl = "{sshd_server.url(str(root))}"\nhost_key = "{sshd_server.fingerprint}"\n'
              f'key_file = "{sshd_server.key_file}"\nstate = "store"\n')
    toml.write_text(toml.read_text(encoding="utf-8") + target, encoding="utf-8")
    run = sk("publish", "mini", "--yes", "--json", cwd=ws, now=NOW, env=s3rver_env)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    problem = json_lines(run.stdout)[-1]["problems"][0]
    assert "ignores conditional writes" in problem["message"] and 'lock = "local"' in problem["fix"]
    assert not root.exists() or not any(root.iterdir())  # nothing was deployed

    toml.write_text(toml.read_text(encoding="utf-8") + 'lock = "local"\n', encoding="utf-8")
    ok = sk("publish", "mini", "--yes", cwd=ws, now=NOW, env=s3rver_env)
    assert ok.returncode == 0, ok.stderr
    assert "locked on this machine only" in ok.stderr and (root / "index.html").is_file()
