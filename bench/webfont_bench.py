#!/usr/bin/env python3
"""Web font benchmark: the demo clients built with each `[theme] font`, side by side.

    python3 bench/webfont_bench.py [--runs 5] [--fonts system,inter,noto-sans,noto-serif]

Copies sites/ and campaigns/ into a fresh workspace, then, for each demo client and each
font (the fonts taking turns within a round, so that a busy minute on a shared machine hits
all of them alike), times whole-process runs of `python -m sitekeeper build CLIENT`:

  cold      no output folder and no .sitekeeper/ cache at all (the first build on a machine:
            the font is subset for the site's characters)
  warm      no output folder, the workspace cache kept (a new output folder, e.g. a preview:
            the subset font comes from the cache)
  no-op     a rebuild with no change

`system` is the theme without a web font (system fonts, as before web fonts were shipped);
`--before DIR` adds a checkout of an older sitekeeper (built with no font key); the ratios
are each to the first column. Wall and CPU seconds are both printed: on a busy machine the
CPU time of the build process is the steadier one. `default` writes no `font` key at all (what an older
version without the key builds). Nothing here asserts: it prints medians and ratios, and the
size of the font files each site ships.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import resource
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def env(code: Path) -> dict:
    e = dict(os.environ)
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    e["PYTHONPATH"] = str(code)
    return e


def set_font(toml: Path, font: str) -> None:
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^font = .*\n", "", text)
    if font != "default":
        text = text.replace("[theme]\n", f'[theme]\nfont = "{font}"\n', 1)
    toml.write_text(text, encoding="utf-8")


def build(ws: Path, client: str, code: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build process): on a shared machine the CPU time is
    the steadier figure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "sitekeeper", "build", client], cwd=ws, env=env(code),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"build {client} failed:\n{res.stderr[-2000:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def font_bytes(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*.woff2"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fonts", default="system,inter,noto-sans,noto-serif")
    ap.add_argument("--before", type=Path, help="a checkout of an older sitekeeper: built too, as `before`, with no font key")
    args = ap.parse_args()
    fonts = args.fonts.split(",")
    code = {font: REPO for font in fonts}
    if args.before:
        fonts.insert(0, "before")
        code["before"] = args.before.resolve()
    clients = sorted(p.parent.name for p in (REPO / "sites").glob("*/site.toml"))
    times: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    sizes: dict[tuple[str, str], int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for font in fonts:  # one workspace per font: each keeps its own cache
            ws = base / font
            shutil.copytree(REPO / "sites", ws / "sites")
            if (REPO / "campaigns").is_dir():
                shutil.copytree(REPO / "campaigns", ws / "campaigns")
            for client in clients:
                set_font(ws / "sites" / client / "site.toml", "default" if font == "before" else font)
        for _ in range(args.runs):
            for client in clients:
                for font in fonts:
                    ws = base / font
                    shutil.rmtree(ws / ".sitekeeper", ignore_errors=True)
                    times.setdefault((client, font, "cold"), []).append(build(ws, client, code[font]))
                    times.setdefault((client, font, "no-op"), []).append(build(ws, client, code[font]))
                    shutil.rmtree(ws / ".sitekeeper" / "build" / client)
                    times.setdefault((client, font, "warm"), []).append(build(ws, client, code[font]))
                    sizes[(client, font)] = font_bytes(ws / ".sitekeeper" / "build" / client)
    for which, label in ((1, "CPU seconds"), (0, "wall seconds")):
        print(f"\nmedian of {args.runs} runs, {label} (ratio to {fonts[0]})")
        print(f"{'client':28} {'font':12} {'cold':>14} {'warm':>14} {'no-op':>14} {'font files':>11}")
        for client in clients:
            for font in fonts:
                cells = []
                for kind in ("cold", "warm", "no-op"):
                    med = statistics.median(t[which] for t in times[(client, font, kind)])
                    ref = statistics.median(t[which] for t in times[(client, fonts[0], kind)])
                    cells.append(f"{med:7.3f} ({med / ref:4.2f})")
                print(f"{client:28} {font:12} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14} {sizes[(client, font)]:>9} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
