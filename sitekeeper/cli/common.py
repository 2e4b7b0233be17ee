"""Shared pieces of the command line: workspace, clock, reporter, error handling.

Every command is a few lines: open the context, call the core once, hand the result
to the reporter. ``run_command`` turns a SitekeeperError into its diagnostics and exit
code 1, so the core only raises.
"""
from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import typer

from ..clock import BadDate, Clock
from ..config import Workspace, find_workspace
from ..errors import Diagnostic, SitekeeperError
from ..report import ConsoleReporter, JsonReporter, Reporter


@dataclass
class Context:
    ws: Workspace
    """The workspace found from the current folder."""
    clock: Clock
    """The one clock (--at / SITEKEEPER_NOW)."""
    reporter: Reporter
    """Where results and progress go."""


def open_context(json_output: bool = False, at: str | None = None, quiet: bool = False) -> Context:
    reporter: Reporter = JsonReporter() if json_output else ConsoleReporter(quiet=quiet)
    try:
        clock = Clock.from_value(at)
    except BadDate as exc:
        _fail(reporter, [Diagnostic("--at" if at else "SITEKEEPER_NOW", None, str(exc),
                                    "use ISO 8601, e.g. 2026-03-01T09:30:00+01:00")])
    try:
        ws = find_workspace()
    except SitekeeperError as exc:
        _fail(reporter, exc.diagnostics())
    return Context(ws=ws, clock=clock, reporter=reporter)


def _fail(reporter: Reporter, diagnostics) -> None:
    reporter.problems(diagnostics)
    count_errors(reporter, diagnostics)
    raise typer.Exit(1)


def count_errors(reporter: Reporter, diagnostics) -> None:
    """For people, a closing "N errors" line when there is more than one."""
    n = sum(1 for d in diagnostics if d.is_error)
    if not reporter.json and n > 1:
        print(f"{n} errors", file=sys.stderr)


def run_command(fn: Callable) -> Callable:
    """Wrap a command body: SitekeeperError -> problems on the reporter and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        json_output = bool(kwargs.get("json_output", False))
        try:
            return fn(*args, **kwargs)
        except SitekeeperError as exc:
            _fail(JsonReporter() if json_output else ConsoleReporter(), exc.diagnostics())
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise typer.Exit(130)

    return wrapper


JSON_OPTION = typer.Option(False, "--json", help="One JSON object per line on stdout; the last is the result.")
AT_OPTION = typer.Option(None, "--at", help="Pretend it is this time (ISO 8601), e.g. 2026-03-01T09:30:00+01:00.",
                         envvar="SITEKEEPER_NOW", show_envvar=True)


def out_path(value: Path | None) -> Path | None:
    return value.resolve() if value is not None else None
