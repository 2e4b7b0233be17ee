"""entry.py's fast `build CLIENT` (no typer) fails as the CLI does (sitekeeper/failure.py): the
same problems on stderr, the same JSON result, the same exit code. `build CLIENT --out DIR`
always goes through the CLI, so each bad input is run both ways and compared."""
from __future__ import annotations

import pytest

from helpers import copy_workspace, json_lines, sk

NOW = "2026-03-05T12:00:00+01:00"


def _both(ws, *args, env=None):
    """The fast path's run and the CLI's (the same command with --out), with --out's folder
    taken out of what they say."""
    out = ws.parent / "elsewhere"
    fast = sk("build", *args, cwd=ws, now=NOW, env=env)
    cli = sk("build", *args, "--out", str(out), cwd=ws, now=NOW, env=env)
    return fast, cli


@pytest.mark.parametrize(("args", "env", "code", "said"), [
    (("no-such-client",), None, 2, "no-such-client"),
    (("mini", "--at", "next tuesday"), None, 2, "--at"),
    (("mini",), {"SITEKEEPER_LOCK_TTL": "-5"}, 2, "SITEKEEPER_LOCK_TTL"),
])
def test_the_fast_build_fails_with_the_clis_problems_and_exit_code(tmp_path, args, env, code, said):
    ws = copy_workspace("mini", tmp_path)
    fast, cli = _both(ws, *args, env=env)
    assert fast.returncode == cli.returncode == code, (fast.stderr, cli.stderr)
    assert said in fast.stderr and fast.stderr == cli.stderr
    assert "Traceback" not in fast.stderr
    fast_json, cli_json = _both(ws, *args, "--json", env=env)
    assert fast_json.returncode == cli_json.returncode == code
    assert json_lines(fast_json.stdout)[-1] == json_lines(cli_json.stdout)[-1]
    assert json_lines(fast_json.stdout)[-1]["ok"] is False


def test_a_broken_page_fails_the_fast_build_as_it_fails_the_cli(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    (ws / "sites/mini/content/kaputt.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    fast, cli = _both(ws, "mini")
    assert fast.returncode == cli.returncode == 1, (fast.stderr, cli.stderr)
    assert "kaputt.md" in fast.stderr and fast.stderr == cli.stderr


def test_debug_shows_the_traceback_on_both_paths(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    (ws / "sites/mini/content/kaputt.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    fast, cli = _both(ws, "mini", "--debug")
    assert fast.returncode == cli.returncode == 1
    assert "Traceback" in fast.stderr and "Traceback" in cli.stderr
