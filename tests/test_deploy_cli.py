"""`sitekeeper publish` and `sitekeeper trust` end to end: the demo workspace is built and
published by the real command, to the embedded dir: default, a real sshd and moto_server."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import result, sk

REPO = Path(__file__).resolve().parent.parent
CLIENT = "baeckerei-sonnenkorn"
AT = "2026-03-05T10:00:00+01:00"


def add_target(ws: Path, text: str) -> Path:
    toml = ws / "sites" / CLIENT / "site.toml"
    toml.write_text(toml.read_text() + "\n" + text)
    return toml


@pytest.fixture
def ws(demo_workspace):
    if not (demo_workspace / "sites" / CLIENT).is_dir():
        pytest.skip(f"demo client {CLIENT} not shipped")
    return demo_workspace


def test_publish_without_targets_goes_to_public_client_and_reports_the_spec_fields(ws):
    first = sk("publish", CLIENT, "--json", "--at", AT, cwd=ws)
    assert first.returncode == 0, first.stderr + first.stdout
    res = result(first)
    assert res["client"] == CLIENT and res["target"] == "default" and res["dry_run"] is False
    assert "index.html" in res["uploaded"] and res["deleted"] == [] and res["unchanged"] == 0
    assert res["bytes_uploaded"] > 0
    assert all("\\" not in p and not p.startswith("/") for p in res["uploaded"])
    public = ws / "public" / CLIENT
    assert (public / "index.html").is_file()
    assert sorted(res["uploaded"]) == sorted(
        p.relative_to(public).as_posix() for p in public.rglob("*")
        if p.is_file() and not p.relative_to(public).as_posix().startswith(".sitekeeper"))

    again = result(sk("publish", CLIENT, "--json", "--at", AT, cwd=ws))
    assert again["uploaded"] == [] and again["unchanged"] == len(res["uploaded"])


def test_dry_run_prints_every_upload_with_its_reason_and_the_bytes(ws):
    proc = sk("publish", CLIENT, "--dry-run", "--at", AT, cwd=ws)
    assert proc.returncode == 0, proc.stderr
    assert "upload index.html  (new," in proc.stdout
    assert "uploads (" in proc.stdout and "deletes" in proc.stdout
    assert not (ws / "public" / CLIENT / "index.html").exists()


def test_deletes_without_a_terminal_need_yes(ws):
    assert sk("publish", CLIENT, "--json", "--at", AT, cwd=ws).returncode == 0
    public = ws / "public" / CLIENT
    for i in range(8):
        (public / f"stale{i}.html").write_text("old")
    proc = sk("publish", CLIENT, "--at", AT, cwd=ws)
    assert proc.returncode == 1
    assert "no terminal" in proc.stderr and "--yes" in proc.stderr
    assert (public / "stale0.html").exists()
    ok = result(sk("publish", CLIENT, "--json", "--yes", "--at", AT, cwd=ws))
    assert sorted(ok["deleted"]) == [f"stale{i}.html" for i in range(8)]


def test_sftp_publish_refuses_an_unknown_host_key_until_trusted(ws, sshd_server, tmp_path):
    root = sshd_server.home / "cli" / "site"
    toml = add_target(ws, f'[deploy.production]\nurl = "{sshd_server.url(str(root))}"\n'
                          f'key_file = "{sshd_server.key_file}"\n')
    env = {"HOME": str(tmp_path)}  # no ~/.ssh/known_hosts of the developer
    refused = sk("publish", CLIENT, "--at", AT, env=env, cwd=ws)
    assert refused.returncode == 1
    assert "not trusted yet" in refused.stderr and sshd_server.fingerprint in refused.stderr
    assert f"sitekeeper trust {CLIENT} --target production" in refused.stderr
    assert not root.exists() or not any(root.iterdir())

    trusted = sk("trust", CLIENT, "--yes", "--json", env=env, cwd=ws)
    assert trusted.returncode == 0, trusted.stderr
    assert result(trusted)["fingerprint"] == sshd_server.fingerprint
    assert f'host_key = "{sshd_server.fingerprint}"' in toml.read_text()

    ok = sk("publish", CLIENT, "--json", "--at", AT, env=env, cwd=ws)
    assert ok.returncode == 0, ok.stderr
    assert (root / "index.html").is_file()
    assert result(ok)["target"] == "production"


def test_sftp_wrong_host_key_stops_before_any_write_and_prints_the_fix(ws, sshd_server):
    root = sshd_server.home / "cli-wrong" / "site"
    wrong = "SHA256:" + "x" * 43
    add_target(ws, f'[deploy.production]\nurl = "{sshd_server.url(str(root))}"\n'
                   f'key_file = "{sshd_server.key_file}"\nhost_key = "{wrong}"\n')
    proc = sk("publish", CLIENT, "--at", AT, cwd=ws)
    assert proc.returncode == 1
    assert "does not match the pinned host_key" in proc.stderr
    assert sshd_server.fingerprint in proc.stderr and CLIENT in proc.stderr and "production" in proc.stderr
    assert not root.exists() and not (root.parent / ".sitekeeper-site").exists()


def test_sftp_refused_login_and_unreachable_host_are_one_line_errors(ws, sshd_server, tmp_path):
    other_key = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other_key)], check=True)
    add_target(ws, f'[deploy.production]\nurl = "{sshd_server.url("/tmp/x")}"\nkey_file = "{other_key}"\n'
                   f'host_key = "{sshd_server.fingerprint}"\n'
                   f'[deploy.down]\nurl = "sftp://u@127.0.0.1:1/var/www"\nhost_key = "{sshd_server.fingerprint}"\n')
    refused = sk("publish", CLIENT, "--at", AT, env={"SSH_AUTH_SOCK": ""}, cwd=ws)
    assert refused.returncode == 1 and "login refused" in refused.stderr and "authorized_keys" in refused.stderr
    down = sk("publish", CLIENT, "--target", "down", "--at", AT, cwd=ws)
    assert down.returncode == 1 and "cannot reach 127.0.0.1:1" in down.stderr


def test_sftp_password_from_env_is_never_echoed(ws, sshd_server):
    add_target(ws, f'[deploy.production]\nurl = "{sshd_server.url("/tmp/x")}"\npassword_env = "BAKERY_SFTP_PW"\n'
                   f'host_key = "{sshd_server.fingerprint}"\n')
    proc = sk("publish", CLIENT, "--at", AT, env={"BAKERY_SFTP_PW": "s3cr3t-value", "SSH_AUTH_SOCK": ""}, cwd=ws)
    assert proc.returncode == 1 and "login refused" in proc.stderr
    assert "s3cr3t-value" not in proc.stderr + proc.stdout


def test_sftp_permission_denied_on_the_docroot_names_the_fix(ws, sshd_server):
    if os.geteuid() == 0:
        # root ignores permissions; a docroot under a regular file is the nearest real fault
        blocker = sshd_server.home / "blocker"
        blocker.write_text("x")
        url = sshd_server.url(str(blocker / "site"))
    else:  # pragma: no cover - developer machines
        locked = sshd_server.home / "locked"
        locked.mkdir(exist_ok=True)
        locked.chmod(0o500)
        url = sshd_server.url(str(locked / "site"))
    add_target(ws, f'[deploy.production]\nurl = "{url}"\nkey_file = "{sshd_server.key_file}"\n'
                   f'host_key = "{sshd_server.fingerprint}"\n')
    proc = sk("publish", CLIENT, "--at", AT, cwd=ws)
    assert proc.returncode == 1
    assert CLIENT in proc.stderr and "production" in proc.stderr and "fix:" in proc.stderr


def test_s3_publish_sets_our_content_type_and_cache_control(ws, s3_server, aws_env):
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="bakery-cli")
    add_target(ws, f'[deploy.preview]\nurl = "s3://bakery-cli/site"\nendpoint_url = "{s3_server.endpoint}"\n'
                   '[deploy.preview.cache_control]\n"*.xml" = "no-cache"\n')
    proc = sk("publish", CLIENT, "--json", "--at", AT, env=aws_env, cwd=ws)
    assert proc.returncode == 0, proc.stderr
    head = s3.head_object(Bucket="bakery-cli", Key="site/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert "max-age=300" in head["CacheControl"]
    assert head["Metadata"]["sha256"]
    assert s3.head_object(Bucket="bakery-cli", Key="site/sitemap.xml")["CacheControl"] == "no-cache"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="bakery-cli")["Contents"]]
    assert any(k.startswith(".sitekeeper-site/journal-") for k in keys)  # the manifest, as a journal, beside the site
    assert ".sitekeeper-site/lock" not in keys


def test_s3_missing_bucket_and_missing_credentials_are_clear_errors(ws, s3_server, aws_env):
    add_target(ws, f'[deploy.preview]\nurl = "s3://no-such-bucket-here/site"\nendpoint_url = "{s3_server.endpoint}"\n')
    missing = sk("publish", CLIENT, "--at", AT, env=aws_env, cwd=ws)
    assert missing.returncode == 1 and "bucket no-such-bucket-here does not exist" in missing.stderr
    env = {k: None for k in os.environ if k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_EC2_METADATA_DISABLED="true")
    nocreds = sk("publish", CLIENT, "--at", AT, cwd=ws, env=env)
    assert nocreds.returncode == 1 and "no AWS credentials" in nocreds.stderr


def test_a_target_url_typo_is_reported_with_its_line_before_connecting(ws):
    add_target(ws, '[deploy.production]\nurl = "stfp://deploy@host/var/www"\n')
    proc = sk("publish", CLIENT, "--at", AT, cwd=ws)
    assert proc.returncode == 1
    assert "site.toml:" in proc.stderr and "unknown scheme" in proc.stderr and "sftp:" in proc.stderr


def test_help_does_not_import_vendor_sdks():
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom sitekeeper.cli import app\n"
            "CliRunner().invoke(app, ['--help'])\nCliRunner().invoke(app, ['publish', '--help'])\n"
            "print([m for m in ('paramiko', 'boto3', 'botocore') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.stdout.strip() == "[]", out.stderr


def test_publish_all_publishes_the_good_clients_and_fails_for_the_broken_one(demo_workspace):
    from helpers import json_lines

    page = demo_workspace / "sites/zubni-ordinace-novakova/content/broken.md"
    page.write_text("---\ntitle: Broken\n---\n[nowhere](/neexistuje/)\n")
    res = sk("publish", "--all", "--yes", "--json", cwd=demo_workspace, now="2026-11-25T10:00:00+01:00")
    assert res.returncode == 1
    lines = json_lines(res.stdout)
    problem = next(l for l in lines if l.get("event") == "problem")
    assert problem["path"] == "sites/zubni-ordinace-novakova/content/broken.md" and problem["line"] == 4
    results = [l for l in lines if "uploaded" in l]
    assert [r["client"] for r in results] == ["baeckerei-sonnenkorn"]
    assert (demo_workspace / "public/baeckerei-sonnenkorn/index.html").is_file()
    assert not (demo_workspace / "public/zubni-ordinace-novakova").exists()


def test_a_dry_run_to_a_folder_writes_nothing(demo_workspace):
    res = sk("publish", "baeckerei-sonnenkorn", "--dry-run", cwd=demo_workspace, now="2026-11-25T10:00:00+01:00")
    assert res.returncode == 0, res.stderr
    assert not (demo_workspace / "public").exists()


def test_a_folder_target_that_cannot_be_created_is_a_one_line_error(demo_workspace):
    (demo_workspace / "blocker").write_text("a file where the target folder should be")
    toml = demo_workspace / "sites/baeckerei-sonnenkorn/site.toml"
    toml.write_text(toml.read_text() + '\n[deploy.local]\nurl = "dir:blocker/site"\n')
    res = sk("publish", "baeckerei-sonnenkorn", "--yes", cwd=demo_workspace, now="2026-11-25T10:00:00+01:00")
    assert res.returncode == 1
    assert "baeckerei-sonnenkorn: cannot create the target folder" in res.stderr and "local" in res.stderr
