"""How a command fails, for both front doors: the CLI (cli/common.py, through typer) and
entry.py's fast `build` (without typer). The start (the clock, the SITEKEEPER_* knobs) is
checked the same way, the problems are reported the same way and the exit code is the same:
2 for a usage error (a bad --at or knob, an unknown client), 1 for anything else.
"""
from __future__ import annotations

import sys

from .clock import BadDate, Clock, clock_fix
from .errors import Diagnostic, SitekeeperError, UnknownClientError
from .report import OPTIONS, Reporter
from .settings import BadSetting

USAGE = 2
"""Exit code of a usage error (a bad option value, a missing argument, an unknown client)."""


class Failed(Exception):
    """Problems found at the start of a command, with the exit code they end it with."""

    def __init__(self, diagnostics, code: int = 1):
        super().__init__(diagnostics)
        self.problems = list(diagnostics)
        self.code = code

    def diagnostics(self) -> list[Diagnostic]:
        return self.problems


def start(at: str | None) -> Clock:
    """The one clock (--at / SITEKEEPER_NOW) and the tuning knobs read once, before anything
    acts; a bad value of either is a usage error (Failed, code 2)."""
    try:
        clock = Clock.from_value(at)
    except BadDate as exc:
        source = "--at" if at is not None else "SITEKEEPER_NOW"
        raise Failed([Diagnostic(source, None, str(exc), clock_fix(exc, at is not None))], USAGE) from exc
    check_settings()
    return clock


def check_settings() -> None:
    """The SITEKEEPER_* tuning knobs read once: a bad one is a usage error (Failed, code 2)."""
    from .settings import tuning

    try:
        tuning()
    except BadSetting as exc:
        raise Failed(exc.diagnostics(), USAGE) from exc


def exit_code(exc: BaseException) -> int:
    """2 for a usage error, 1 for any other problem."""
    if isinstance(exc, Failed):
        return exc.code
    return USAGE if isinstance(exc, (UnknownClientError, BadSetting)) else 1


def report_failure(reporter: Reporter, diagnostics) -> None:
    """Report the problems, then the failure result (JSON) or an "N errors" line."""
    diagnostics = list(diagnostics)
    reporter.problems(diagnostics)
    count_errors(reporter, diagnostics)
    if reporter.json:
        reporter.result({"ok": False, "problems": [d.as_json() for d in diagnostics]})


def count_errors(reporter: Reporter, diagnostics) -> None:
    """For people, a closing "N errors" line when there is more than one."""
    n = sum(1 for d in diagnostics if d.is_error)
    if not reporter.json and n > 1:
        print(f"{n} errors", file=sys.stderr)


def trace_if_debug() -> None:
    """--debug: the traceback (with the vendor error it came from) before the problems."""
    if OPTIONS.debug:
        import traceback

        traceback.print_exc(file=sys.stderr)


FAILURES = (SitekeeperError, Failed)
"""What ends a command with its problems reported (anything else is a bug: entry.py's crash line)."""
