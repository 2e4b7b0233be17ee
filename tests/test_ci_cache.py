"""`ci init` keeps the build's work between CI runs: a cache step keyed by the clients' static
files, over the folders where the build keeps its cache, its fonts and the images' WebP variants."""
from __future__ import annotations

import os
import shutil
import time

import yaml

from helpers import copy_workspace, json_lines, sk
from sitekeeper.ci import BUILD_CACHE_PATHS, STATIC_FILES

NOW = "2026-03-05T12:00:00+01:00"


def _cache_steps(job: dict) -> list[dict]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/cache@")]


def test_github_every_job_restores_the_build_cache_keyed_by_the_static_files(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    assert sk("ci", "init", "github", cwd=ws).returncode == 0
    flow = yaml.safe_load((ws / ".github/workflows/sitekeeper.yml").read_text(encoding="utf-8"))
    for name, job in flow["jobs"].items():
        [step] = _cache_steps(job)
        steps = job["steps"]
        at = steps.index(step)
        checkout = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/checkout@"))
        first_run = next(i for i, s in enumerate(steps) if s.get("run", "").startswith("sitekeeper"))
        assert checkout < at < first_run, name  # hashFiles needs the checkout; the build needs the cache
        paths = step["with"]["path"].split()
        assert paths == list(BUILD_CACHE_PATHS), name
        assert not any("state" in p or "locks" in p for p in paths)  # the ledger and locks are not cached
        key = step["with"]["key"]
        assert f"hashFiles('{STATIC_FILES}')" in key and STATIC_FILES == "sites/*/static/**"
        [restore] = step["with"]["restore-keys"].splitlines()
        assert key.startswith(restore) and key != restore  # a changed image still restores the rest


def test_gitlab_keeps_pip_and_the_build_cache_keyed_by_the_static_files(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    assert sk("ci", "init", "gitlab", cwd=ws).returncode == 0
    lab = yaml.safe_load((ws / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    pip, build = lab["cache"]
    assert pip == {"key": "pip", "paths": [".cache/pip"]}
    assert build["key"]["files"] == ["sites/*/static/**/*"] and build["key"]["prefix"]
    assert [p.rstrip("/") for p in build["paths"]] == list(BUILD_CACHE_PATHS)
    assert all("cache" not in lab[job] for job in ("check", "publish", "tick"))  # the default holds for each


def test_a_matrix_keeps_one_build_cache_per_shard(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    (ws / "sitekeeper.toml").write_text('state = "s3://bucket/prefix"\n', encoding="utf-8")
    assert sk("ci", "init", "github", "--shards", "3", cwd=ws).returncode == 0
    jobs = yaml.safe_load((ws / ".github/workflows/sitekeeper.yml").read_text(encoding="utf-8"))["jobs"]
    [tick] = _cache_steps(jobs["tick"])
    assert "${{ matrix.shard }}-of-3" in tick["with"]["key"] and "matrix" in tick["with"]["restore-keys"]
    [publish] = _cache_steps(jobs["publish"])
    assert "matrix" not in publish["with"]["key"]
    assert sk("ci", "init", "gitlab", "--shards", "3", cwd=ws).returncode == 0
    lab = yaml.safe_load((ws / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    pip, build = lab["tick"]["cache"]
    assert pip["key"] == "pip" and "$CI_NODE_INDEX" in build["key"]["prefix"]
    assert build["key"]["files"] == lab["cache"][1]["key"]["files"]


def test_a_fresh_runner_with_the_cached_folders_makes_no_image_variant_again(tmp_path):
    """What the cache step keeps is all a build needs: after a checkout (new mtimes, nothing else
    under .sitekeeper/) with those folders restored, the build writes nothing."""
    from PIL import Image

    ws = copy_workspace("mini", tmp_path)
    images = ws / "sites/mini/static/images"
    images.mkdir(parents=True)
    Image.new("RGB", (1200, 800), (180, 90, 40)).save(images / "laden.jpg")
    page = ws / "sites/mini/content/preise.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![Der Laden](/images/laden.jpg)\n", encoding="utf-8")
    first = sk("build", "mini", "--json", cwd=ws, now=NOW)
    assert first.returncode == 0, first.stderr
    variants = sorted((ws / ".sitekeeper").rglob("laden.*w.webp"))
    assert variants and all(any(v.is_relative_to(ws / p) for p in BUILD_CACHE_PATHS) for v in variants)
    assert list((ws / ".sitekeeper/cache/fonts").glob("*.woff2"))  # the site's font, cut to its characters

    # the runner: a fresh checkout (new mtimes), only the cached folders restored
    kept = tmp_path / "kept"
    for rel in BUILD_CACHE_PATHS:
        shutil.copytree(ws / rel, kept / rel)
    shutil.rmtree(ws / ".sitekeeper")
    for rel in BUILD_CACHE_PATHS:
        shutil.copytree(kept / rel, ws / rel)
    later = time.time() + 60
    for path in (ws / "sites").rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))
    again = sk("build", "mini", "--json", cwd=ws, now=NOW)
    assert again.returncode == 0, again.stderr
    assert json_lines(again.stdout)[-1]["written"] == 0
