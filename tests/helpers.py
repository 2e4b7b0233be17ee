"""Helpers shared by the builder tests."""
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


def sk(*args: str, cwd: Path, now: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `sitekeeper` command line in a workspace."""
    full_env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    if now:
        full_env["SITEKEEPER_NOW"] = now
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "sitekeeper", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


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
