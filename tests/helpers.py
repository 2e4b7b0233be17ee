"""Helpers shared by the tests: the real command line (sk), a missing tool (need), file edits, JSON results."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

DATA = Path(__file__).resolve().parent / "data"


def copy_workspace(name: str, dest: Path) -> Path:
    """Copy tests/data/<name> (a workspace with sites/ and campaigns/) to dest."""
    target = dest / name
    shutil.copytree(DATA / name, target)
    return target


def on_ci() -> bool:
    """CI sets CI=true (.ci/run does): there every server and test dependency must be installed."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def need(missing: str, fix: str) -> NoReturn:
    """A server binary or test dependency is missing: the test fails on CI (which installs
    everything with scripts/setup.sh --test) and skips only on a developer's machine."""
    message = f"{missing} ({fix})"
    if on_ci():
        pytest.fail(f"{message}; CI must have it: bash scripts/setup.sh --test installs it", pytrace=False)
    pytest.skip(message)


def need_module(name: str, fix: str):
    """import NAME, or need() it: pytest.importorskip that fails on CI."""
    try:
        return __import__(name)
    except ImportError:
        need(f"the Python module {name} is not installed", fix)


def sk(*args: str, cwd: Path, now: str | None = None, env: dict | None = None, input: str | None = None,
       timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `sitekeeper` command line in a workspace. env adds to the environment; a
    value of None takes the variable away."""
    full_env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    if now:
        full_env["SITEKEEPER_NOW"] = now
    full_env.update(env or {})
    full_env = {k: v for k, v in full_env.items() if v is not None}
    return subprocess.run([sys.executable, "-m", "sitekeeper", *args], cwd=cwd, env=full_env, input=input,
                          capture_output=True, text=True, timeout=timeout)


def output(proc: subprocess.CompletedProcess) -> str:
    """What the command wrote, stdout then stderr (where a terminal shows both)."""
    return proc.stdout + proc.stderr


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file with `new`; `old` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def result(proc: subprocess.CompletedProcess) -> dict:
    """The last JSON line a `--json` command wrote (its result); there must be one."""
    lines = json_lines(proc.stdout)
    assert lines, proc.stderr
    return lines[-1]


def tree(root: Path) -> dict[str, bytes]:
    """Every output file under root except sitekeeper's own state."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).parts[0].startswith(".sitekeeper")
    }


def mtimes(root: Path) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix(): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if p.is_file() and not p.relative_to(root).parts[0].startswith(".sitekeeper")
    }
