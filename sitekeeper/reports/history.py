"""What git knows of a client's folders: the commits of a period and the tree at an instant.

The one place the report runs git. Commit times are the committer's (what ``--since`` reads);
a commit is in a period when it was committed in it.
"""
from __future__ import annotations

import io
import re
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_SEP, _END = "\x1f", "\x1e"


class HistoryError(Exception):
    """git is missing, the workspace is no repository, or git failed."""


@dataclass(frozen=True)
class Commit:
    sha: str
    """The full hash."""
    at: datetime
    """When it was committed."""
    author: str
    """The author's name (never the address)."""
    subject: str
    """The first line of the message."""
    files: tuple[tuple[str, str], ...]
    """(status letter, path relative to the workspace) of every file under sites/ and campaigns/."""
    approval: bool = False
    """It changes only promotions' approval fields (set by the report for its client's commits)."""


def _git(root: Path, *args: str, binary: bool = False):
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120)
    except FileNotFoundError:
        raise HistoryError("git is not installed") from None
    except subprocess.SubprocessError as exc:
        raise HistoryError(f"git {args[0]} failed: {exc}") from exc
    if done.returncode != 0:
        text = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(text[-1] if text else f"git {args[0]} failed")
    return done.stdout if binary else done.stdout.decode("utf-8", "replace")


def check_repository(root: Path) -> str:
    """The workspace's path inside its repository ("" at the top); raises HistoryError."""
    _git(root, "rev-parse", "--verify", "-q", "HEAD")
    return _git(root, "rev-parse", "--show-prefix").strip()


def commits(root: Path, start: datetime, end: datetime, prefix: str = "") -> list[Commit]:
    """Every commit touching sites/ or campaigns/ committed in [start, end), oldest first."""
    out = _git(root, "log", "-z", "--no-renames", f"--since={start.isoformat()}", f"--until={end.isoformat()}",
               f"--format={_END}%H{_SEP}%cI{_SEP}%an{_SEP}%s", "--name-status", "--", "sites", "campaigns")
    found = []
    for chunk in out.split(_END)[1:]:
        head, _, rest = chunk.partition("\n")
        parts = head.strip("\0").split(_SEP)
        if len(parts) < 4:
            continue
        sha, at, author, subject = parts[0], parts[1], parts[2], _SEP.join(parts[3:])
        fields = [f for f in rest.strip("\0\n").split("\0") if f != ""]
        files = tuple((fields[i].strip()[:1], fields[i + 1].removeprefix(prefix)) for i in range(0, len(fields) - 1, 2))
        when = datetime.fromisoformat(at)
        if start <= when < end:  # git's --since/--until are inclusive and loose at the edges
            found.append(Commit(sha, when, author, subject, files))
    return sorted(found, key=lambda c: c.at)


_APPROVAL_LINE = re.compile(r"^[+-](approved|approved_by|approved_at|approved_hash)\s*:")


def approval_only(root: Path, sha: str, paths: list[str], prefix: str = "") -> bool:
    """Does the commit change nothing in ``paths`` (promotion files, relative to the workspace)
    but their approval fields (``approved``, ``approved_by``, ``approved_at``, ``approved_hash``)?"""
    if not paths:
        return False
    out = _git(root, "show", "-U0", "--no-renames", "--format=", sha, "--", *(f":(top){prefix}{p}" for p in paths))
    changed = [line for line in out.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return bool(changed) and all(_APPROVAL_LINE.match(line) for line in changed)


def commit_at(root: Path, when: datetime) -> str | None:
    """The commit that was HEAD's history at ``when`` (the last one committed before it), or None."""
    out = _git(root, "rev-list", "-1", f"--before={when.isoformat()}", "HEAD").strip()
    if not out:
        return None
    at = datetime.fromisoformat(_git(root, "show", "-s", "--format=%cI", out).strip())
    if at >= when:  # --before is inclusive of the second
        from datetime import timedelta

        parents = _git(root, "rev-list", "-1", f"--before={(when - timedelta(seconds=1)).isoformat()}", "HEAD").strip()
        return parents or None
    return out


def changed_files(root: Path, base: str | None, end: str | None, prefix: str, folder: str) -> dict[str, str]:
    """path (relative to the workspace) -> A | M | D between two commits, under ``folder``."""
    if end is None:
        return {}
    out = _git(root, "diff", "-z", "--no-renames", "--name-status", base or EMPTY_TREE, end, "--",
               f":(top){prefix}{folder}")
    fields = [f for f in out.split("\0") if f]
    found = {}
    for i in range(0, len(fields) - 1, 2):
        path = fields[i + 1]
        found[path[len(prefix):] if path.startswith(prefix) else path] = fields[i][:1]
    return found


def extract(root: Path, commit: str, prefix: str, folders: list[str], dest: Path) -> None:
    """The given folders (relative to the workspace) as they were at ``commit``, under ``dest``."""
    for folder in folders:
        spec = f"{commit}:{prefix}{folder}"
        try:
            _git(root, "cat-file", "-e", spec)
        except HistoryError:
            continue  # the folder did not exist yet
        data = _git(root, "archive", "--format=tar", spec, binary=True)
        target = dest / folder
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():  # git's own archive; still, nothing may land outside target
                if member.name.startswith(("/", "..")) or "/../" in f"/{member.name}/" or member.issym() or member.islnk():
                    raise HistoryError(f"{folder} at {commit[:12]} holds a link or a path outside it")
            tar.extractall(target)
