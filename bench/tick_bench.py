#!/usr/bin/env python3
"""Idle tick benchmark: `sitekeeper tick` with nothing due, against a cron that republishes
everything (`sitekeeper publish --all --yes`), side by side in one run on the same workspace.

    python3 bench/tick_bench.py [--clients 30] [--pages 50] [--runs 7] [--work bench/work/tick]

Builds a workspace of N clients of M pages each from ../shared/bench/make_corpus.py (one seed
per client), each with a folder target, publishes it once, then times whole-process runs,
the two commands taking turns round by round: an idle tick (nothing due: it must parse
nothing, contact no host and write nothing) and a no-op `publish --all` (what a naive cron
job does). Network connections are counted inside each process with Python's audit hook
(`socket.connect`), through a sitecustomize.py on PYTHONPATH. Prints medians and the ratio.
Nothing here asserts: it prints figures.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
NOW = "2026-06-10T10:00:00+02:00"

HOOK = textwrap.dedent("""
    import atexit, os, sys
    _count = [0]
    def _hook(event, args):
        if event == "socket.connect":
            _count[0] += 1
    sys.addaudithook(_hook)
    def _report():
        path = os.environ.get("SK_BENCH_CONNECTIONS")
        if path:
            with open(path, "a") as fh:
                fh.write(f"{_count[0]}\\n")
    atexit.register(_report)
""")


def make_workspace(root: Path, clients: int, pages: int) -> Path:
    if root.exists():
        shutil.rmtree(root)
    (root / "sites").mkdir(parents=True)
    for i in range(clients):
        name = f"client-{i:02d}"
        site = root / "sites" / name
        subprocess.run([sys.executable, str(CORPUS), str(site), "--pages", str(pages), "--site", "--seed", str(i)],
                       check=True, stdout=subprocess.DEVNULL)
        (site / "content" / "index.md").write_text("---\ntitle: Home\n---\nWelcome.\n", encoding="utf-8")
        (site / "site.toml").write_text(
            f'name = "Client {i}"\nbase_url = "https://{name}.example"\nlanguages = ["en"]\n'
            f'timezone = "Europe/Berlin"\n', encoding="utf-8")
        # The corpus links a few URLs with `**` inside (bold markers in the brackets); repair them once.
        for page in (site / "content").rglob("*.md"):
            text = page.read_text(encoding="utf-8")
            if "**" in text:
                page.write_text(text.replace("(/**", "(/").replace("**)", ")"), encoding="utf-8")
    return root


def run(cmd: list[str], cwd: Path, env: dict) -> tuple[float, int]:
    counts = cwd / ".bench-connections"
    counts.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env={**env, "SK_BENCH_CONNECTIONS": str(counts)},
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    connections = sum(int(x) for x in counts.read_text().split()) if counts.exists() else -1
    return took, connections


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=30)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--work", type=Path, default=HERE / "work" / "tick")
    args = ap.parse_args()

    work = args.work.resolve()
    ws = make_workspace(work / "ws", args.clients, args.pages)
    hook = work / "hook"
    hook.mkdir(parents=True, exist_ok=True)
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SITEKEEPER_")}
    env["SITEKEEPER_NOW"] = NOW
    env["PYTHONPATH"] = os.pathsep.join([str(hook), str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    sk = [sys.executable, "-m", "sitekeeper"]

    print(f"workspace: {args.clients} clients x {args.pages} pages", file=sys.stderr)
    first, _ = run(sk + ["tick"], ws, env)
    print(f"first tick (builds and publishes every client): {first:.2f} s", file=sys.stderr)
    run(sk + ["tick"], ws, env)  # warm: bytecode caches, the publish records in place
    times: dict[str, list[float]] = {"idle tick": [], "publish --all (no change)": []}
    conns: dict[str, list[int]] = {k: [] for k in times}
    for r in range(args.runs):
        for label, cmd in (("idle tick", sk + ["tick"]), ("publish --all (no change)", sk + ["publish", "--all", "--yes"])):
            t, c = run(cmd, ws, env)
            times[label].append(t)
            conns[label].append(c)
        print(f"round {r + 1}: tick {times['idle tick'][-1]:.2f} s, publish --all "
              f"{times['publish --all (no change)'][-1]:.2f} s", file=sys.stderr)

    print(f"\n{args.clients} clients x {args.pages} pages, median of {args.runs} runs (wall seconds, whole process)\n")
    print("| command | median | min | max | network connections |")
    print("|---|---|---|---|---|")
    for label in times:
        ts = times[label]
        print(f"| {label} | {statistics.median(ts):.2f} s | {min(ts):.2f} s | {max(ts):.2f} s | {max(conns[label])} |")
    ratio = statistics.median(times["idle tick"]) / statistics.median(times["publish --all (no change)"])
    print(f"\nidle tick / no-op publish --all: {ratio:.2f} x   (target: idle tick under 1 s, 0 connections)")


if __name__ == "__main__":
    main()
