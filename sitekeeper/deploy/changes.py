"""Which clients changed since a git revision (``publish --changed-since REF``).

A client changed when any path under ``sites/<client>/`` or ``campaigns/<client>/`` differs
between REF and the working tree (``git diff --name-only --no-renames REF``: committed,
staged and unstaged edits, both sides of a move) or is new and untracked (``git ls-files
--others --exclude-standard``). A change to ``sitekeeper.toml`` concerns every client.
Paths are taken relative to the workspace root, which may be a folder inside the repo.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DeployError

WORKSPACE_FILES = ("sitekeeper.toml",)


@dataclass
class Changes:
    ref: str
    """The revision as given."""
    clients: list[str]
    """Existing clients with a change, sorted."""
    removed: list[str] = field(default_factory=list)
    """Client folders that changed but no longer hold a site.toml (nothing to publish)."""
    everything: bool = False
    """True when a workspace-wide file (sitekeeper.toml) changed."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)
    except FileNotFoundError as exc:
        raise DeployError("--changed-since needs git, which is not installed here; install git, or name the "
                          "clients to publish (or --all)") from exc


def _paths(out: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def changed_clients(root: Path, ref: str, clients: list[str]) -> Changes:
    """The clients of the workspace at ``root`` touched since ``ref`` (see the module docstring)."""
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise DeployError(f"--changed-since {ref}: the workspace {root} is not in a git repository; run it in a "
                          "git checkout, or name the clients to publish (or --all)")
    if ref.startswith("-") or _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                                   f"{ref}^{{commit}}").returncode != 0:
        raise DeployError(
            f"--changed-since {ref}: git does not know the revision {ref!r}; fix: check the name (`git log "
            "--oneline`, `git branch -a`); in CI, fetch the history that holds it (a shallow clone has only the "
            "last commit: `git fetch --deepen=50 origin` or `fetch-depth: 0`), or name the clients (or --all)")
    diff = _git(root, "diff", "--name-only", "--no-renames", "-z", "--relative", ref, "--", ".")
    if diff.returncode != 0:
        raise DeployError(f"--changed-since {ref}: git diff failed: "
                          f"{diff.stderr.decode('utf-8', 'replace').strip()}")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    if untracked.returncode != 0:
        raise DeployError(f"--changed-since {ref}: git ls-files failed: "
                          f"{untracked.stderr.decode('utf-8', 'replace').strip()}")
    touched: set[str] = set()
    everything = False
    for path in _paths(diff.stdout) + _paths(untracked.stdout):
        parts = path.split("/")
        if path in WORKSPACE_FILES:
            everything = True
        elif len(parts) >= 3 and parts[0] in ("sites", "campaigns"):
            touched.add(parts[1])
    known = set(clients)
    if everything:
        return Changes(ref, sorted(known), sorted(touched - known), True)
    return Changes(ref, sorted(touched & known), sorted(touched - known))
