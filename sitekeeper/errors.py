"""Errors and diagnostics.

The exception tree::

    SitekeeperError                 anything sitekeeper reports and exits 1 for
    ├── ProblemsError               one or more Diagnostics (config, content, campaigns)
    ├── UnknownClientError          a client name that is not in sites/
    ├── WorkspaceNotFound           no sites/ or sitekeeper.toml above the current folder
    ├── DeployError                 a deploy target failed (see sitekeeper.deploy)
    └── MailError                   a mail transport failed (see sitekeeper.mail)

A ``Diagnostic`` is one problem at ``path:line`` with what is wrong and how to fix it.
Code collects diagnostics and raises ``ProblemsError`` once, so a user sees every
problem of a run at once rather than one per attempt.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    path: str
    """File the problem is in, relative to the workspace where possible."""
    line: int | None
    """1-based line, or None when the problem is about the whole file."""
    message: str
    """What is wrong, in one sentence."""
    fix: str = ""
    """What to do about it."""
    severity: str = "error"
    """"error" or "warning"."""

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class SitekeeperError(Exception):
    """Base of everything sitekeeper reports to the user with exit code 1."""

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(path="sitekeeper", line=None, message=str(self))]


class ProblemsError(SitekeeperError):
    def __init__(self, problems: list[Diagnostic]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def diagnostics(self) -> list[Diagnostic]:
        return self.problems


class UnknownClientError(SitekeeperError):
    pass


class WorkspaceNotFound(SitekeeperError):
    pass


class DeployError(SitekeeperError):
    pass


class MailError(SitekeeperError):
    pass


@dataclass
class Problems:
    """A collector: add diagnostics as they are found, raise once at the end."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path, line, message, fix="") -> None:
        self.items.append(Diagnostic(str(path), line, message, fix, "error"))

    def warning(self, path, line, message, fix="") -> None:
        self.items.append(Diagnostic(str(path), line, message, fix, "warning"))

    def extend(self, diags) -> None:
        self.items.extend(diags)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if not d.is_error]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ProblemsError(self.items)


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def rel(path: Path | str, root: Path | None) -> str:
    """A path relative to the workspace root for messages, '/' separated."""
    p = Path(path)
    if root is not None:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return p.as_posix()
