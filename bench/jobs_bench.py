#!/usr/bin/env python3
"""Clients in parallel: `publish --all` of N copies of the demo clients, `--jobs 1` against `--jobs 2`.

    python3 bench/jobs_bench.py [--clients 8] [--runs 5] [--jobs 2]

Copies the repository's two demo sites N/2 times each (a folder target each), then takes
turns round by round, whole processes: a cold `publish --all --jobs 1` and `--jobs J` (build
cache, state and targets removed before each), then a no-op `publish --all` of each (nothing
changed since). Prints medians and the ratios (jobs J / jobs 1: below 1 is faster); nothing
here asserts.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-06-10T10:00:00+02:00"


def make_workspace(root: Path, clients: int) -> Path:
    demos = sorted(p for p in (REPO / "sites").iterdir() if (p / "site.toml").is_file())
    (root / "sites").mkdir(parents=True)
    for i in range(clients):
        demo = demos[i % len(demos)]
        name = f"{demo.name[:50]}-{i:03d}"
        shutil.copytree(demo, root / "sites" / name)
        toml = root / "sites" / name / "site.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + f'\n[deploy.live]\nurl = "dir:{root}/docroots/{name}"\n',
                        encoding="utf-8")
        if (REPO / "campaigns" / demo.name).is_dir():
            shutil.copytree(REPO / "campaigns" / demo.name, root / "campaigns" / name)
    return root


def run(ws: Path, *args: str) -> float:
    env = {**os.environ, "SITEKEEPER_NOW": NOW, "PYTHONPATH": str(REPO)}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "sitekeeper", *args], cwd=ws, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"sitekeeper {' '.join(args)} failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return wall


def cold(ws: Path) -> None:
    for name in (".sitekeeper", "docroots"):
        shutil.rmtree(ws / name, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    j = str(args.jobs)
    try:
        ws = make_workspace(base / "ws", args.clients)
        times: dict[str, list[float]] = {"cold --jobs 1": [], f"cold --jobs {j}": [],
                                         "no-op --jobs 1": [], f"no-op --jobs {j}": []}
        for i in range(args.runs):
            for jobs in ("1", j) if i % 2 == 0 else (j, "1"):  # take turns: neither always goes first
                cold(ws)
                times[f"cold --jobs {jobs}"].append(run(ws, "publish", "--all", "--yes", "--jobs", jobs))
                times[f"no-op --jobs {jobs}"].append(run(ws, "publish", "--all", "--yes", "--jobs", jobs))
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), file=sys.stderr)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{args.clients} demo-copy clients, {os.cpu_count()} cores, median of {args.runs}:")
        for k, v in med.items():
            print(f"  publish --all {k:16} {v:6.2f} s")
        for kind in ("cold", "no-op"):
            print(f"  {kind}: --jobs {j} / --jobs 1 = {med[f'{kind} --jobs {j}'] / med[f'{kind} --jobs 1']:.2f}")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
