"""The test suite's loopback servers (tests/fixtures_deploy.py, tests/fixtures_ftp.py) for the
benchmarks, which run without pytest (the README's ``scripts/setup.sh --bench`` set-up).

The fixture modules import pytest only for their ``@pytest.fixture`` wrappers and for
skipping a test whose server binary is missing; when pytest is not installed, a stand-in
with those names is put in its place: the wrappers are never called here, and a missing
binary stops the benchmark with its message.
"""
from __future__ import annotations

import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

try:
    import pytest  # noqa: F401
except ImportError:
    stand_in = types.ModuleType("pytest")

    def _fixture(*args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda fn: fn

    def _stop(message: str = "", **kwargs) -> None:
        raise SystemExit(message)

    stand_in.fixture = _fixture  # type: ignore[attr-defined]
    stand_in.skip = _stop  # type: ignore[attr-defined]
    stand_in.fail = _stop  # type: ignore[attr-defined]
    sys.modules["pytest"] = stand_in
