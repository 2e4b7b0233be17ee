"""`sitekeeper publish --changed-since REF` in a real git repository holding a copy of the
demo workspace (in a subfolder of the repo, as a monorepo would have it)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from helpers import json_lines, need, sk

AT = "2026-03-05T10:00:00+01:00"
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=dict(os.environ, **GIT_ENV)).stdout


def published(proc) -> list[str]:
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return [obj["client"] for obj in json_lines(proc.stdout) if "event" not in obj and "client" in obj]


@pytest.fixture
def repo(demo_workspace, tmp_path):
    """git repo at tmp_path; the workspace is its subfolder ws/; one commit holds everything."""
    if shutil_which("git") is None:
        need("git is not installed", "apt-get install git")
    clients = sorted(p.name for p in (demo_workspace / "sites").iterdir() if (p / "site.toml").is_file())
    if len(clients) < 2:
        pytest.skip("needs two demo clients")
    (tmp_path / "README").write_text("outside the workspace\n")
    (tmp_path / ".gitignore").write_text("ws/public/\nws/.sitekeeper/\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    return demo_workspace, clients


def shutil_which(name):
    import shutil

    return shutil.which(name)


def publish_changed(ws: Path, ref: str, *more):
    return sk("publish", "--changed-since", ref, "--dry-run", "--json", "--at", AT, *more, cwd=ws, env=GIT_ENV)


def test_nothing_changed_exits_0_with_an_empty_list(repo):
    ws, _ = repo
    proc = publish_changed(ws, "HEAD")
    assert proc.returncode == 0, proc.stderr
    assert json_lines(proc.stdout)[-1] == {"changed_since": "HEAD", "clients": []}
    text = sk("publish", "--changed-since", "HEAD", "--at", AT, cwd=ws, env=GIT_ENV)
    assert text.returncode == 0 and "no client changed since HEAD" in text.stdout
    assert not (ws / "public").exists()


def test_an_edited_page_publishes_that_client_only(repo):
    ws, first = repo[0], repo[1][0]
    page = next((ws / "sites" / first / "content").rglob("*.md"))
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    proc = publish_changed(ws, "HEAD")
    assert published(proc) == [first]
    changed = [obj for obj in json_lines(proc.stdout) if obj.get("event") == "changed"]
    assert changed and changed[0]["clients"] == [first]


def test_committed_changes_since_ref_and_untracked_files_count(repo):
    ws, (first, second) = repo[0], repo[1][:2]
    (ws / "campaigns" / second / "new-offer.de.md").parent.mkdir(parents=True, exist_ok=True)
    git(ws.parent, "tag", "before")
    style = ws / "sites" / first / "static" / "extra.txt"
    style.parent.mkdir(parents=True, exist_ok=True)
    style.write_text("committed after the tag\n")
    git(ws.parent, "add", "-A")
    git(ws.parent, "commit", "-qm", "static file")
    assert published(publish_changed(ws, "before")) == [first]
    assert published(publish_changed(ws, "HEAD~1")) == [first]
    assert published(publish_changed(ws, "HEAD")) == []
    # a new, untracked file in a client's campaigns folder
    (ws / "campaigns" / second / "notes.txt").write_text("untracked\n")
    assert published(publish_changed(ws, "HEAD")) == [second]
    # ignored files and files outside sites/ and campaigns/ do not count
    (ws / "campaigns" / second / "notes.txt").unlink()
    (ws / "public").mkdir(exist_ok=True)
    (ws / "public" / "x.html").write_text("ignored build output\n")
    (ws.parent / "README").write_text("changed outside the workspace\n")
    (ws / "NOTES.md").write_text("a note at the workspace root\n")
    assert published(publish_changed(ws, "HEAD")) == []


def test_a_deleted_file_counts_and_sitekeeper_toml_means_every_client(repo):
    ws, clients = repo
    first = clients[0]
    victim = ws / "sites" / first / "static" / "old-flyer.txt"
    victim.parent.mkdir(parents=True, exist_ok=True)
    victim.write_text("last year's flyer\n")
    git(ws.parent, "add", "-A")
    git(ws.parent, "commit", "-qm", "flyer")
    victim.unlink()
    assert published(publish_changed(ws, "HEAD")) == [first]
    git(ws.parent, "checkout", "--", ".")
    toml = ws / "sitekeeper.toml"
    toml.write_text((toml.read_text() if toml.exists() else "") + "\n# touched\n")
    assert published(publish_changed(ws, "HEAD")) == clients


def test_an_unknown_ref_is_a_clear_error(repo):
    ws, _ = repo
    proc = publish_changed(ws, "no-such-branch")
    assert proc.returncode == 1
    err = proc.stderr + proc.stdout
    assert "no-such-branch" in err and "git does not know" in err and "fetch" in err
    assert not (ws / "public").exists()


def test_outside_a_git_repository_is_a_clear_error(demo_workspace):
    proc = sk("publish", "--changed-since", "HEAD", "--dry-run", cwd=demo_workspace, env=GIT_ENV)
    if shutil_which("git") is None:
        need("git is not installed", "apt-get install git")
    assert proc.returncode == 1 and "not in a git repository" in proc.stderr


@pytest.mark.parametrize("other", [["some-client"], ["--all"], ["--rollback"]])
def test_changed_since_with_clients_or_all_is_a_usage_error(repo, other):
    ws, clients = repo
    args = [clients[0]] if other == ["some-client"] else other
    proc = sk("publish", "--changed-since", "HEAD", *args, cwd=ws, env=GIT_ENV)
    assert proc.returncode == 2
    assert "--changed-since" in proc.stderr and "cannot be combined" in proc.stderr
    assert proc.stdout == ""
