"""The SITEKEEPER_* tuning knobs: read and checked in one place (sitekeeper.settings), never at
import; a bad value is a usage error (exit 2) naming the variable and the fix, before anything
is built, deployed or sent."""
from __future__ import annotations

import subprocess
import sys

import pytest

from helpers import sk
from sitekeeper.settings import KNOBS, BadSetting, Tuning, read


def test_nothing_set_gives_the_defaults():
    assert read({}) == Tuning()
    assert read({}).sftp_batch == 64 and read({}).retry_delays == (1.0, 4.0, 15.0)


def test_each_knob_is_read_into_its_field():
    got = read({"SITEKEEPER_SFTP_BATCH": "8", "SITEKEEPER_SFTP_SEND_CHANNELS": "3", "SITEKEEPER_SFTP_CHANNELS": "2",
                "SITEKEEPER_S3_WORKERS": "4", "SITEKEEPER_S3_MULTIPART_THRESHOLD": "1048576",
                "SITEKEEPER_LOCK_TTL": "30", "SITEKEEPER_RETRY_DELAYS": "0.01, 0.02", "SITEKEEPER_JOBS": "1",
                "SITEKEEPER_CLOUDFRONT_ENDPOINT": "http://127.0.0.1:9"})
    assert (got.sftp_batch, got.sftp_send_channels, got.sftp_channels, got.s3_workers) == (8, 3, 2, 4)
    assert (got.s3_multipart_threshold, got.lock_ttl, got.retry_delays, got.jobs) == (1 << 20, 30.0, (0.01, 0.02), 1)
    assert got.cloudfront_endpoint == "http://127.0.0.1:9"


@pytest.mark.parametrize("name, raw", [("SITEKEEPER_SFTP_BATCH", "lots"), ("SITEKEEPER_SFTP_SEND_CHANNELS", "0"),
                                       ("SITEKEEPER_LOCK_TTL", "-5"), ("SITEKEEPER_RETRY_DELAYS", "1,soon"),
                                       ("SITEKEEPER_JOBS", "2.5"), ("SITEKEEPER_S3_WORKERS", "nan")])
def test_a_bad_value_names_the_variable_and_the_fix(name, raw):
    with pytest.raises(BadSetting) as err:
        read({name: raw})
    (problem,) = err.value.diagnostics()
    assert problem.path == name and repr(raw) in problem.message and f"unset {name}" in problem.fix


def test_every_bad_knob_is_named_at_once():
    with pytest.raises(BadSetting) as err:
        read({"SITEKEEPER_SFTP_BATCH": "x", "SITEKEEPER_S3_WORKERS": "y"})
    assert [d.path for d in err.value.diagnostics()] == ["SITEKEEPER_SFTP_BATCH", "SITEKEEPER_S3_WORKERS"]


def test_every_knob_is_documented_in_the_module_and_the_readme():
    import sitekeeper.settings as mod
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in KNOBS:
        assert name in (mod.__doc__ or "") and name in readme, name


def test_a_bad_value_does_not_break_an_import():
    env = {"SITEKEEPER_SFTP_BATCH": "lots", "SITEKEEPER_S3_MULTIPART_THRESHOLD": "big", "SITEKEEPER_LOCK_TTL": "x",
           "SITEKEEPER_SFTP_CHANNELS": "?", "PATH": "/usr/bin:/bin"}
    import os

    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    code = "import sitekeeper.deploy.sftp, sitekeeper.deploy.s3, sitekeeper.state.lock, sitekeeper.cli.app"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("command", [["build", "baeckerei-sonnenkorn"], ["check"], ["publish", "baeckerei-sonnenkorn",
                                                                                   "--dry-run"]])
def test_the_cli_refuses_a_bad_knob_with_exit_2_before_it_acts(demo_workspace, command):
    proc = sk(*command, cwd=demo_workspace, env={"SITEKEEPER_SFTP_BATCH": "lots"})
    assert proc.returncode == 2, proc.stderr + proc.stdout
    assert "SITEKEEPER_SFTP_BATCH" in proc.stderr and "'lots'" in proc.stderr and "unset SITEKEEPER_SFTP_BATCH" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (demo_workspace / "public").exists() and not (demo_workspace / ".sitekeeper" / "build").exists()


def test_the_cli_refusal_is_a_json_result_with_json(demo_workspace):
    import json

    proc = sk("check", "--json", cwd=demo_workspace, env={"SITEKEEPER_LOCK_TTL": "soon"})
    assert proc.returncode == 2
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last["ok"] is False and last["problems"][0]["path"] == "SITEKEEPER_LOCK_TTL"
