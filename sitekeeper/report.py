"""Reporters: how the core tells the user what happens.

The core never prints. It is handed a ``Reporter`` and calls ``info`` (progress and notes),
``output`` (a result line for people), ``warn``, ``progress`` and ``result``.
``ConsoleReporter`` writes results for people to stdout and everything else to stderr
(so ``publish --dry-run > plan.txt`` holds the plan); ``JsonReporter`` writes one JSON
object per line on stdout, the command's result last; ``RecordingReporter`` keeps
everything for tests.

``OPTIONS`` holds the process-wide ``--quiet`` / ``--verbose`` / ``--debug`` flags, set
once by the entry point before any command runs.
"""
from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator


@dataclass
class OutputOptions:
    quiet: bool = False
    """Only results and problems."""
    verbose: bool = False
    """Also the details (each skipped row, each unchanged file)."""
    debug: bool = False
    """Tracebacks and vendor logs, for bug reports."""


OPTIONS = OutputOptions()


class Reporter:
    json = False

    def info(self, message: str, **data: Any) -> None:  # pragma: no cover - interface
        pass

    def output(self, message: str) -> None:
        """A result line for people (stdout on a console; JSON output carries the result instead)."""

    def detail(self, message: str) -> None:
        """A line shown only with --verbose."""

    def warn(self, message: str, **data: Any) -> None:  # pragma: no cover - interface
        pass

    def problems(self, diagnostics) -> None:  # pragma: no cover - interface
        pass

    def event(self, kind: str, **data: Any) -> None:
        """A structured step (an upload, a send) that JSON output shows as a line."""

    def result(self, data: dict) -> None:  # pragma: no cover - interface
        pass

    @contextmanager
    def progress(self, label: str, total: int | None = None, unit: str = "files") -> Iterator["Progress"]:
        yield Progress()


class Progress:
    def advance(self, n: int = 1, nbytes: int = 0) -> None:
        pass


class ConsoleReporter(Reporter):
    def __init__(self, stream=None, quiet: bool | None = None, out=None):
        self.stream = stream or sys.stderr
        self.out = out or sys.stdout
        self.quiet = OPTIONS.quiet if quiet is None else quiet

    def info(self, message: str, **data: Any) -> None:
        if not self.quiet:
            print(message, file=self.stream)

    def output(self, message: str) -> None:
        print(message, file=self.out, flush=True)

    def detail(self, message: str) -> None:
        if OPTIONS.verbose and not self.quiet:
            print(message, file=self.stream)

    def warn(self, message: str, **data: Any) -> None:
        # A Diagnostic's text already says "path:line: warning: ..."
        print(message if ": warning: " in message else f"warning: {message}", file=self.stream)

    def problems(self, diagnostics) -> None:
        for d in diagnostics:
            print(str(d), file=self.stream)

    def result(self, data: dict) -> None:
        pass

    @contextmanager
    def progress(self, label: str, total: int | None = None, unit: str = "files"):
        if self.quiet or not getattr(self.stream, "isatty", lambda: False)():
            yield Progress()
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeRemainingColumn

        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        if unit != "files":  # long runs of one kind (messages): the rate and the time left
            columns += [_rate_column(unit), TimeRemainingColumn()]
        with RichProgress(*columns, TextColumn("{task.fields[bytes]}"), transient=True,
                          console=_console(self.stream)) as bar:
            task = bar.add_task(label, total=total, bytes="")
            sent = [0]

            class _P(Progress):
                def advance(self, n: int = 1, nbytes: int = 0) -> None:
                    sent[0] += nbytes
                    bar.update(task, advance=n, bytes=_human(sent[0]) if sent[0] else "")

            yield _P()


def _rate_column(unit: str):
    """"12.3 messages/s" (rich is imported only when a bar is shown)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def __init__(self, unit: str):
            super().__init__()
            self.unit = unit

        def render(self, task):
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} {self.unit}/s" if speed else f"– {self.unit}/s")

    return RateColumn(unit)


def _console(stream):
    from rich.console import Console

    return Console(file=stream)


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class JsonReporter(Reporter):
    json = True

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def _emit(self, obj: dict) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        self.stream.flush()

    def info(self, message: str, **data: Any) -> None:
        pass

    def warn(self, message: str, **data: Any) -> None:
        self._emit({"event": "warning", "message": message, **data})

    def problems(self, diagnostics) -> None:
        for d in diagnostics:
            self._emit({"event": "problem", **d.as_json()})

    def event(self, kind: str, **data: Any) -> None:
        self._emit({"event": kind, **data})

    def result(self, data: dict) -> None:
        self._emit(data)


class RecordingReporter(Reporter):
    """Keeps everything reported, for tests."""

    def __init__(self):
        self.lines: list[tuple[str, Any]] = []
        self.results: list[dict] = []

    def info(self, message: str, **data: Any) -> None:
        self.lines.append(("info", message))

    def output(self, message: str) -> None:
        self.lines.append(("output", message))

    def detail(self, message: str) -> None:
        self.lines.append(("detail", message))

    def warn(self, message: str, **data: Any) -> None:
        self.lines.append(("warn", message))

    def problems(self, diagnostics) -> None:
        self.lines.extend(("problem", d) for d in diagnostics)

    def event(self, kind: str, **data: Any) -> None:
        self.lines.append((kind, data))

    def result(self, data: dict) -> None:
        self.results.append(data)


human_bytes = _human
