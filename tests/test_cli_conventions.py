"""Conventions of every command: exit 2 for usage errors, results on stdout, JSON's last line
the result (also on failure), no traceback without --debug."""
from __future__ import annotations

import pytest

from helpers import copy_workspace, json_lines, need, sk

NOW = "2026-03-05T12:00:00+01:00"


@pytest.fixture
def ws(tmp_path):
    return copy_workspace("mini", tmp_path)


@pytest.mark.parametrize("args, names", [
    (("check", "--at", "yesterday-ish"), "--at"),
    (("publish",), "publish"),
    (("publish", "nosuch"), "nosuch"),
    (("build", "nosuch"), "nosuch"),
    (("check", "nosuch"), "nosuch"),
    (("campaign", "preview", "mini"), "mini"),
    (("campaign", "test", "mini/fruehling", "--to", "not-an-address"), "--to"),
])
def test_usage_errors_exit_2_and_say_what(ws, args, names):
    run = sk(*args, cwd=ws)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert names in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_a_bad_sitekeeper_now_is_blamed_on_the_variable(ws):
    run = sk("check", "--json", cwd=ws, env={"SITEKEEPER_NOW": "soon"})
    assert run.returncode == 2
    last = json_lines(run.stdout)[-1]
    assert last["ok"] is False and last["problems"][0]["path"] == "SITEKEEPER_NOW"


def test_json_failure_ends_with_the_result_object(ws):
    (ws / "sites/mini/site.toml").write_text('name = "x"\nbase_url = 3\n', encoding="utf-8")
    for args in (("check",), ("build", "mini"), ("publish", "mini", "--yes")):
        run = sk(*args, "--json", cwd=ws, now=NOW)
        assert run.returncode == 1, args
        lines = json_lines(run.stdout)  # every line of stdout is JSON
        assert lines[-1]["ok"] is False and lines[-1]["problems"], args
        assert all(p["path"] == "sites/mini/site.toml" for p in lines[-1]["problems"])


def test_results_for_people_go_to_stdout_and_progress_to_stderr(ws):
    run = sk("publish", "mini", "--dry-run", cwd=ws, now=NOW)
    assert run.returncode == 0
    assert "upload index.html" in run.stdout and "upload index.html" not in run.stderr
    check = sk("check", cwd=ws, now=NOW)
    assert "mini: ok" in check.stdout


def test_global_flags_work_anywhere_on_the_line(ws):
    quiet = sk("build", "mini", "--quiet", cwd=ws, now=NOW)
    assert quiet.returncode == 0, quiet.stderr
    debug = sk("--debug", "check", cwd=ws, now=NOW)
    assert debug.returncode == 0 and "mini: ok" in debug.stdout


def test_preview_without_proofs_does_not_ask_to_send_them(ws):
    run = sk("campaign", "preview", "mini/fruehling", "--no-proof", "--out", "prev", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    assert "not approved yet" in run.stdout and "PNG" not in run.stdout


def test_shell_completion_offers_clients_and_campaigns(ws):
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "sitekeeper"
    if not script.exists():
        need("the sitekeeper script is not installed beside this python", "pip install -e .")

    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(cword), "_SITEKEEPER_COMPLETE": "complete_bash"}
        return subprocess.run([str(script)], cwd=ws, env=env, capture_output=True, text=True).stdout.split()

    assert complete("sitekeeper publish ", 2) == ["mini"]
    assert complete("sitekeeper campaign preview mi", 3) == ["mini/fruehling"]


def test_debug_shows_the_traceback_that_is_otherwise_hidden(ws):
    plain = sk("campaign", "test", "mini/nosuch", "--to", "me@example.com", cwd=ws, now=NOW)
    debug = sk("campaign", "test", "mini/nosuch", "--to", "me@example.com", "--debug", cwd=ws, now=NOW)
    assert plain.returncode == debug.returncode == 1
    assert "Traceback" not in plain.stderr and "Traceback" in debug.stderr
