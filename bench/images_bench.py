#!/usr/bin/env python3
"""Image bench: a cold build of a client with many photos of which few are shown, two versions
of sitekeeper side by side (before: WebP variants of every image; after: only of the shown ones).

    python3 bench/images_bench.py [--photos 40] [--shown 5] [--size 1600] [--runs 3] [--before REV]

The client is the test fixture `mini` with --photos JPEGs (--size px wide, noisy like a photo)
under static/images/, --shown of them shown: in Markdown bodies, one as a page's `image`. The
"before" tree is --before (a git revision, default: the commit before build/plan/shown.py came
in) unpacked into the work folder; "after" is this checkout. Each round builds cold (no output
folder, no .sitekeeper/) with each tree in turn, then once more with no change (no-op). Printed:
the median wall seconds of --runs rounds, the ratios after/before, and how many WebP files each
wrote. Nothing here asserts.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NOW = "2026-03-05T12:00:00+01:00"


def photo(path: Path, width: int, seed: int) -> None:
    from PIL import Image

    height = width * 2 // 3
    noise = Image.effect_noise((width, height), 48).convert("RGB")
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    tint = Image.new("RGB", (width, height), ((seed * 53) % 255, (seed * 97) % 255, (seed * 29) % 255))
    Image.blend(Image.blend(base, tint, 0.5), noise, 0.35).save(path, "JPEG", quality=85)


def make_client(work: Path, photos: int, shown: int, size: int) -> Path:
    ws = work / "ws"
    if ws.exists():
        shutil.rmtree(ws)
    shutil.copytree(REPO / "tests/data/mini", ws)
    images = ws / "sites/mini/static/images"
    images.mkdir(parents=True)
    cache = work / f"photos-{size}"
    cache.mkdir(exist_ok=True)
    for i in range(photos):
        src = cache / f"foto-{i:03d}.jpg"
        if not src.exists():
            photo(src, size, i)
        shutil.copy(src, images / src.name)
    content = ws / "sites/mini/content"
    home = content / "index.md"
    home.write_text(home.read_text(encoding="utf-8").replace("menu: 1\n", "menu: 1\nimage: /images/foto-000.jpg\n", 1),
                    encoding="utf-8")
    prices = content / "preise.md"
    prices.write_text(prices.read_text(encoding="utf-8") + "".join(
        f"\n![Foto {i}](/images/foto-{i:03d}.jpg)\n" for i in range(1, shown)), encoding="utf-8")
    return ws


def before_tree(work: Path, rev: str | None) -> tuple[Path, str]:
    if rev is None:
        added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", "sitekeeper/build/plan/shown.py"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
        rev = f"{added[-1]}^" if added else "HEAD"
    tree = work / "before"
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir()
    archive = subprocess.run(["git", "archive", rev, "sitekeeper"], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree, rev


def build(tree: Path, ws: Path, out: Path) -> float:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree), "NO_COLOR": "1", "HOME": str(ws)}
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "sitekeeper", "build", "mini", "--out", str(out), "--at", NOW],
                         cwd=ws, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"build failed ({tree}):\n{run.stdout}\n{run.stderr}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=40)
    ap.add_argument("--shown", type=int, default=5)
    ap.add_argument("--size", type=int, default=1600, help="the photos' width in pixels")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--before", default=None, help="git revision of the 'before' tree")
    ap.add_argument("--work", type=Path, default=None, help="work folder (default: a new one under /tmp)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sitekeeper-images-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    ws = make_client(work, args.photos, args.shown, args.size)
    old, rev = before_tree(work, args.before)
    trees = {"before": old, "after": REPO}
    cold: dict[str, list[float]] = {k: [] for k in trees}
    noop: dict[str, list[float]] = {k: [] for k in trees}
    webp: dict[str, int] = {}
    for _ in range(args.runs):
        for name, tree in trees.items():
            out = work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(ws / ".sitekeeper", ignore_errors=True)
            cold[name].append(build(tree, ws, out))
            noop[name].append(build(tree, ws, out))
            webp[name] = len(list(out.rglob("*.webp")))
    print(f"client: {args.photos} photos of {args.size} px under static/, {args.shown} shown; "
          f"before = {rev[:12]}, after = this checkout; median of {args.runs}")
    print(f"{'':8} {'cold s':>8} {'no-op s':>8} {'webp files':>11}")
    for name in trees:
        print(f"{name:8} {statistics.median(cold[name]):8.2f} {statistics.median(noop[name]):8.2f} {webp[name]:11d}")
    c = statistics.median(cold["after"]) / statistics.median(cold["before"])
    n = statistics.median(noop["after"]) / statistics.median(noop["before"])
    print(f"ratio after/before: cold {c:.2f}, no-op {n:.2f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
