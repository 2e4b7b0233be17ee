#!/usr/bin/env python3
"""Many clients: `tick` with nothing due and `publish --all` over a workspace of N small clients.

    python3 bench/scale_bench.py [--clients 500] [--runs 5] [--against DIR]

Makes N clients of a few pages (each with a folder target), publishes them all once cold with
`--jobs 1` and once with `--jobs 2` (timed), then times whole-process runs taking turns round
by round: an idle tick and a no-op `publish --all`, each with `--jobs 2` and `--jobs 1`, and the
idle tick of one shard of 4 (`--shard 1/4`). With ``--against DIR``
(another checkout of sitekeeper, e.g. an earlier commit from `git archive`), the idle tick
of that code runs in the same rounds over the same workspace, and the ratio is printed.
Prints medians and ratios; nothing here asserts.
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
PAGES = {
    "index.md": "---\ntitle: Home\n---\nWelcome to our shop.\n",
    "about.md": "---\ntitle: About\n---\nA family business since 1990.\n\n## Hours\n\nMon-Fri 9-18\n",
    "contact.md": "---\ntitle: Contact\n---\nCall us or write.\n",
}


def make_workspace(root: Path, clients: int) -> Path:
    (root / "sites").mkdir(parents=True)
    for i in range(clients):
        name = f"client-{i:03d}"
        content = root / "sites" / name / "content"
        content.mkdir(parents=True)
        for page, text in PAGES.items():
            (content / page).write_text(text, encoding="utf-8")
        (root / "sites" / name / "site.toml").write_text(
            f'name = "Client {i}"\nbase_url = "https://{name}.example"\nlanguages = ["en"]\n'
            f'timezone = "Europe/Berlin"\n\n[deploy.live]\nurl = "dir:{root}/docroots/{name}"\n', encoding="utf-8")
    return root


def run(code: Path, ws: Path, *args: str) -> float:
    env = {**os.environ, "SITEKEEPER_NOW": NOW, "PYTHONPATH": str(code)}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "sitekeeper", *args], cwd=ws, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"sitekeeper {' '.join(args)} failed ({code}):\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--against", type=Path, default=None, help="another sitekeeper checkout to compare the idle tick with")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="scale-bench-"))
    try:
        ws = make_workspace(base / "ws", args.clients)
        cold1 = run(REPO, ws, "publish", "--all", "--yes", "--jobs", "1")
        shutil.rmtree(ws / ".sitekeeper", ignore_errors=True)
        shutil.rmtree(ws / "docroots", ignore_errors=True)
        cold = run(REPO, ws, "publish", "--all", "--yes", "--jobs", "2")
        times: dict[str, list[float]] = {"version": [], "idle tick": [], "idle tick --jobs 1": [],
                                         "idle tick --shard 1/4": [], "publish --all (no-op)": [],
                                         "publish --all --jobs 1 (no-op)": []}
        if args.against:
            times["idle tick (against)"] = []
        for i in range(args.runs):
            times["version"].append(run(REPO, ws, "--version"))
            times["idle tick"].append(run(REPO, ws, "tick", "--jobs", "2"))
            times["idle tick --jobs 1"].append(run(REPO, ws, "tick", "--jobs", "1"))
            times["idle tick --shard 1/4"].append(run(REPO, ws, "tick", "--shard", "1/4"))
            if args.against:
                times["idle tick (against)"].append(run(args.against, ws, "tick"))
            times["publish --all (no-op)"].append(run(REPO, ws, "publish", "--all", "--yes", "--jobs", "2"))
            times["publish --all --jobs 1 (no-op)"].append(run(REPO, ws, "publish", "--all", "--yes", "--jobs", "1"))
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), file=sys.stderr)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"{args.clients} clients of {len(PAGES)} pages, folder targets, median of {args.runs}")
        print(f"  publish --all --jobs 2 (cold, once): {cold:7.2f} s; --jobs 1: {cold1:7.2f} s "
              f"({cold / cold1:.2f} x)")
        for k, v in med.items():
            print(f"  {k + ':':30}{v:7.2f} s  ({v / med['version']:.1f} x sitekeeper --version)")
        print(f"  idle tick / no-op publish --all: {med['idle tick'] / med['publish --all (no-op)']:.2f} x")
        if args.against:
            print(f"  idle tick, this code / against: {med['idle tick'] / med['idle tick (against)']:.2f} x")
        print(f"  --jobs 2 / --jobs 1: idle tick {med['idle tick'] / med['idle tick --jobs 1']:.2f} x, no-op publish "
              f"--all {med['publish --all (no-op)'] / med['publish --all --jobs 1 (no-op)']:.2f} x")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
