#!/usr/bin/env python3
"""Build benchmark: sitekeeper side by side with Hugo and Pelican, in one run, same input.

    python3 bench/build_bench.py [--pages 2000] [--runs 5] [--work bench/work]

Generates the corpus with ../shared/bench/make_corpus.py (--site), then gives the same
pages to each tool: a sitekeeper workspace, a Hugo site (minimal layouts: a page, a list,
a menu), a Pelican site (the same front matter written as Pelican metadata). The corpus
has a few links whose URL contains `**` (bold markers the generator put inside the
brackets); sitekeeper refuses broken internal links, so they are repaired once, for all
three tools alike.

Measured, each as the median of --runs rounds (the tools take turns within a round) of
whole-process runs timed with /usr/bin/time (wall seconds and peak resident memory of
the largest process):
  full      a clean build into an empty output folder
  no-op     a rebuild with no change (Hugo and Pelican: their normal rebuild)
  edit      a rebuild after a one-page edit
Ratios are sitekeeper / Hugo full build, the targets: full <= 1.0, no-op <= 0.10,
edit <= 0.15, memory <= 0.5. Nothing here asserts: it prints figures.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"

HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        '<header><a href="/">{{ site.Title }}</a><nav>{{ range site.Sections }}<a href="{{ .RelPermalink }}">'
        "{{ .Title }}</a>{{ end }}</nav></header><main>{{ block \"main\" . }}{{ end }}</main>"
        "<footer>{{ site.Title }}</footer></body></html>\n"
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1>{{ with .Date }}<time>{{ .Format "2 January 2006" }}'
        "</time>{{ end }}{{ .Content }}</article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li>'
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>{{ end }}\n'
    ),
}


def sh(cmd, cwd=None, env=None, check=True):
    return subprocess.run(cmd, cwd=cwd, env=env, check=check, capture_output=True, text=True)


def clean_env() -> dict:
    """The environment for the timed tools: Python may cache bytecode, as on a user's machine
    (a PYTHONDONTWRITEBYTECODE left in a shell would recompile every module on every run)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(cmd, cwd, env=None) -> tuple[float, int]:
    """(wall seconds, peak RSS KB of the largest process) of one whole-process run."""
    env = env or clean_env()
    with tempfile.NamedTemporaryFile("r") as out:
        res = subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%e %M", *cmd], cwd=cwd, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if res.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{res.stderr[-2000:]}")
        wall, rss = out.read().split()[-2:]
    return float(wall), int(rss)


def fix_links(content: Path) -> int:
    fixed = 0
    for p in content.rglob("*.md"):
        text = p.read_text(encoding="utf-8")
        new = re.sub(r"\]\(([^)]*)\)", lambda m: "](" + m.group(1).replace("**", "") + ")", text)
        if new != text:
            p.write_text(new, encoding="utf-8")
            fixed += 1
    return fixed


def to_pelican(src: Path, dst: Path) -> None:
    """The same pages with Pelican's metadata syntax (Key: value lines)."""
    for p in src.rglob("*.md"):
        text = p.read_text(encoding="utf-8")
        _, head, body = text.split("---\n", 2)
        meta = {}
        for line in head.splitlines():
            k, _, v = line.partition(":")
            meta[k.strip()] = v.strip().strip('"')
        tags = meta.get("tags", "").strip("[]")
        out = dst / p.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            f"Title: {meta['title']}\nDate: {meta['date']}\nTags: {tags}\nSummary: {meta.get('summary', '')}\n"
            f"Category: {p.parent.name}\nSlug: {p.stem}\n\n{body}", encoding="utf-8")


def setup(work: Path, pages: int) -> dict:
    if work.exists():
        shutil.rmtree(work)
    corpus = work / "corpus"
    sh([sys.executable, str(CORPUS), str(corpus), "--pages", str(pages), "--site"])
    fix_links(corpus / "content")

    sk = work / "sitekeeper"
    site = sk / "sites" / "corpus"
    shutil.copytree(corpus / "content", site / "content")
    shutil.copytree(corpus / "static", site / "static")
    (site / "site.toml").write_text('name = "Corpus"\nbase_url = "https://corpus.example"\n'
                                    'languages = ["en"]\ntimezone = "UTC"\n')

    hugo = work / "hugo"
    shutil.copytree(corpus / "content", hugo / "content")
    shutil.copytree(corpus / "static", hugo / "static")
    (hugo / "hugo.toml").write_text('baseURL = "https://corpus.example/"\nlanguageCode = "en"\ntitle = "Corpus"\n'
                                    'disableKinds = ["taxonomy", "term"]\n')
    for rel, text in HUGO_LAYOUTS.items():
        (hugo / "layouts" / rel).parent.mkdir(parents=True, exist_ok=True)
        (hugo / "layouts" / rel).write_text(text)

    pel = work / "pelican"
    to_pelican(corpus / "content", pel / "content")
    shutil.copytree(corpus / "static" / "images", pel / "content" / "images")
    (pel / "pelicanconf.py").write_text(
        'SITENAME = "Corpus"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "UTC"\nDEFAULT_LANG = "en"\n'
        'STATIC_PATHS = ["images"]\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\nRELATIVE_URLS = True\n'
        'ARTICLE_URL = "{category}/{slug}/"\nARTICLE_SAVE_AS = "{category}/{slug}/index.html"\n'
        'LOAD_CONTENT_CACHE = True\nCACHE_CONTENT = True\nCHECK_MODIFIED_METHOD = "mtime"\n')
    return {"sk": sk, "hugo": hugo, "pelican": pel}


def edit_page(path: Path, n: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"\n\nEdit \d+\.\n$", "\n", text) + f"\n\nEdit {n}.\n", encoding="utf-8")


def tool_setup(tool: str, dirs: dict):
    """(folder, output folder, command, page to edit) of one tool."""
    if tool == "sitekeeper":
        cwd = dirs["sk"]
        return (cwd, cwd / "out", [sys.executable, "-m", "sitekeeper", "build", "corpus", "--out", "out"],
                cwd / "sites" / "corpus" / "content" / "news" / "page-00005.md")
    if tool == "hugo":
        cwd = dirs["hugo"]
        return cwd, cwd / "public", ["hugo", "--quiet", "--destination", "public"], cwd / "content/news/page-00005.md"
    cwd = dirs["pelican"]
    return (cwd, cwd / "output", ["pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
            cwd / "content" / "news" / "page-00005.md")


def measure_round(tool: str, dirs: dict, n: int) -> dict:
    """One round for one tool: a clean full build, a no-op rebuild, a one-page edit."""
    cwd, out, cmd, page = tool_setup(tool, dirs)
    shutil.rmtree(out, ignore_errors=True)
    for cache in (cwd / "cache", cwd / "resources"):
        shutil.rmtree(cache, ignore_errors=True)
    full, rss = timed(cmd, cwd)
    noop, _ = timed(cmd, cwd)
    edit_page(page, n)
    edit, _ = timed(cmd, cwd)
    return {"full": full, "noop": noop, "edit": edit, "rss": rss}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", type=Path, default=HERE / "work" / "build")
    ap.add_argument("--skip", nargs="*", default=[], help="tools to leave out: hugo, pelican")
    args = ap.parse_args()
    dirs = setup(args.work, args.pages)
    tools = [t for t in ("sitekeeper", "hugo", "pelican") if t not in args.skip and
             (t == "sitekeeper" or shutil.which(t))]
    # Rounds interleave the tools (A B C, A B C, ...), so a machine that slows down or
    # speeds up during the run shifts every tool alike; the first round only warms caches.
    rounds: dict = {t: [] for t in tools}
    for i in range(args.runs + 1):
        for tool in tools:
            print(f"round {i}: {tool} ...", file=sys.stderr)
            r = measure_round(tool, dirs, i)
            if i:
                rounds[tool].append(r)
    results = {t: {k: statistics.median(r[k] for r in rs) for k in ("full", "noop", "edit", "rss")}
               for t, rs in rounds.items()}
    if "hugo" in rounds:
        pairs = [(s["full"] / h["full"]) for s, h in zip(rounds["sitekeeper"], rounds["hugo"])]
        print(f"\nfull build, sitekeeper / Hugo per round: {', '.join(f'{x:.2f}' for x in pairs)}")
    print(f"\n{args.pages} pages, median of {args.runs} runs (wall seconds; peak RSS of the largest process)\n")
    print("| tool | full build | no-op rebuild | one-page edit | peak memory |")
    print("|---|---|---|---|---|")
    for tool, r in results.items():
        print(f"| {tool} | {r['full']:.2f} s | {r['noop']:.2f} s | {r['edit']:.2f} s | {r['rss'] / 1024:.0f} MB |")
    if "hugo" in results:
        h, s = results["hugo"], results["sitekeeper"]
        print("\nsitekeeper / Hugo (target):")
        print(f"  full build      {s['full'] / h['full']:.2f} x Hugo's full build   (<= 1.00)")
        print(f"  no-op rebuild   {s['noop'] / h['full']:.2f} x Hugo's full build   (<= 0.10)")
        print(f"  one-page edit   {s['edit'] / h['full']:.2f} x Hugo's full build   (<= 0.15)")
        print(f"  peak memory     {s['rss'] / h['rss']:.2f} x Hugo's                (<= 0.50)")
    if "pelican" in results:
        p, s = results["pelican"], results["sitekeeper"]
        print(f"\nsitekeeper / Pelican: full {s['full'] / p['full']:.2f}, no-op {s['noop'] / p['noop']:.2f}, "
              f"edit {s['edit'] / p['edit']:.2f}, memory {s['rss'] / p['rss']:.2f}")


if __name__ == "__main__":
    main()
