"""Errors and diagnostics.

The exception tree::

    SitekeeperError                 anything sitekeeper reports and exits 1 for
    ├── ProblemsError               one or more Diagnostics (config, content, campaigns)
    ├── UnknownClientError          a client name that is not in sites/
    ├── WorkspaceNotFound           no sites/ or sitekeeper.toml above the current folder
    ├── OperationError              an operation on the outside world failed: message + fix,
    │   │                           optionally the config file and line it came from
    │   ├── DeployError             a deploy target failed (sitekeeper.deploy)
    │   ├── MailError               a mail transport failed (sitekeeper.mail); ``outcome``
    │   │                           says whether the message was "refused" (certainly not
    │   │                           delivered) or its delivery is "uncertain"
    │   ├── SuppressionError        an opt-out source (IMAP mailbox, SQS queue) or
    │   │                           unsubscribed.csv failed (sitekeeper.suppressions)
    │   └── StateError              the state store failed (sitekeeper.state)
    │       ├── LockBusy            a lock is held by a live owner (``record`` says who)
    │       └── DamagedRecord       a record that decides who is mailed or what is deployed is
    │                               empty, cut short or fails its checksum (``record`` names it)

Vendor exceptions (OSError, paramiko, botocore, smtplib, imaplib) never escape an adapter: each is
mapped where it happens with ``raise DeployError(...) from exc``.

A ``Diagnostic`` is one problem at ``path:line`` with what is wrong and how to fix it; every
error above turns into Diagnostics of that one shape (``SitekeeperError.diagnostics()``).
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


class OperationError(SitekeeperError):
    """Something outside failed. ``str()`` is "message; fix: fix" (what the user reads in
    one line); ``diagnostics()`` keeps the two apart, at ``path:line`` when known.

    Without an explicit ``fix`` the message's last "; " clause is taken as the fix: the
    house style of messages is "what is wrong; what to do"."""

    def __init__(self, message: str, fix: str = "", *, path: str | Path | None = None,
                 line: int | None = None):
        message = str(message)
        if not fix and "; fix: " in message:
            message, fix = message.split("; fix: ", 1)
        self.message, self.fix = message, fix
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(f"{message}; fix: {fix}" if fix and fix not in message else message)

    def diagnostics(self) -> list[Diagnostic]:
        message, fix = self.message, self.fix
        if not fix:
            head, sep, tail = message.rpartition("; ")
            if sep and head:
                message, fix = head, tail
            else:
                fix = self.default_fix
        if self.path and message.startswith(f"{self.path}: "):
            message = message[len(self.path) + 2:]  # the location is shown once
        return [Diagnostic(path=self.path or "sitekeeper", line=self.line, message=message, fix=fix)]

    default_fix = "see the message; run again with --debug for details"


class DeployError(OperationError):
    default_fix = "check the target's url in site.toml and that the target is reachable, then publish again"


class MailError(OperationError):
    """``outcome``: "refused" (the message was certainly not delivered: safe to send again)
    or "uncertain" (it may have been delivered: do not resend blindly; reconcile)."""

    default_fix = "check [mail] in site.toml and the mail server, then run again"

    def __init__(self, message: str, fix: str = "", *, outcome: str = "refused",
                 path: str | Path | None = None, line: int | None = None):
        if outcome not in ("refused", "uncertain"):
            raise ValueError(f"outcome must be 'refused' or 'uncertain', not {outcome!r}")
        self.outcome = outcome
        super().__init__(message, fix, path=path, line=line)

    @property
    def uncertain(self) -> bool:
        return self.outcome == "uncertain"


class SuppressionError(OperationError):
    default_fix = "check imap / ses_events_queue in [mail] of site.toml and that the server is reachable, then pull again"


class StateError(OperationError):
    default_fix = "check the `state` setting in sitekeeper.toml and that the store is reachable"


class LockBusy(StateError):
    """A lock held by an owner that is still alive (or not yet expired)."""

    def __init__(self, message: str, fix: str = "", *, record=None):
        self.record = record
        super().__init__(message, fix)


class DamagedRecord(StateError):
    """A sealed record (sitekeeper.state.record) that cannot be read whole: never taken as
    "nothing happened yet". ``record`` is where it lives (``store.describe(key)``), ``why`` what
    is wrong with it."""

    def __init__(self, message: str, fix: str = "", *, record: str = "", why: str = ""):
        self.record, self.why = record, why
        super().__init__(message, fix, path=record or None)


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
            # The folder is resolved, not the last name: a symlink is named where it stands.
            full = p.parent.resolve() / p.name if p.name not in ("", ".", "..") else p.resolve()
            return full.relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return p.as_posix()
