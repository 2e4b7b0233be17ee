"""Golden-file test: the built fixture site must equal tests/golden/mini byte for byte.

After an intended change of the theme or the builder, regenerate with
SITEKEEPER_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_site.py and review the diff.
"""
from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from helpers import copy_workspace, sk, tree

GOLDEN = Path(__file__).resolve().parent / "golden" / "mini"


def test_built_site_matches_the_golden_tree(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    res = sk("build", "mini", "--out", "out", cwd=ws, now="2026-03-05T12:00:00+01:00")
    assert res.returncode == 0, res.stderr
    built = tree(ws / "out")
    if os.environ.get("SITEKEEPER_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in built.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    expected = tree(GOLDEN)
    assert sorted(built) == sorted(expected), "a different set of files was built"
    for rel in sorted(built):
        if built[rel] != expected[rel]:
            diff = "\n".join(difflib.unified_diff(
                expected[rel].decode(errors="replace").splitlines(), built[rel].decode(errors="replace").splitlines(),
                f"golden/{rel}", f"built/{rel}", lineterm="", n=2))
            raise AssertionError(f"{rel} differs from the golden file:\n{diff[:4000]}")
