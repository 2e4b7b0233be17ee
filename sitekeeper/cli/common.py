"""Shared pieces of the command line: workspace, clock, reporter, error handling.

Every command is a few lines: open the context, call the core once, hand the result
to the reporter. ``run_command`` turns a SitekeeperError into its diagnostics and exit
code 1, so the core only raises.
"""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NoReturn

import typer

from ..clock import Clock
from ..config import Workspace, find_workspace
from ..errors import Diagnostic, SitekeeperError
from ..failure import USAGE, Failed, count_errors, exit_code, report_failure, start, trace_if_debug
from ..failure import check_settings as _check_settings
from ..report import ConsoleReporter, JsonReporter, Reporter
from ..settings import BadSetting

__all__ = ["USAGE", "count_errors"]  # the CLI's modules take them from here


@dataclass
class Context:
    ws: Workspace
    """The workspace found from the current folder."""
    clock: Clock
    """The one clock (--at / SITEKEEPER_NOW)."""
    reporter: Reporter
    """Where results and progress go."""


SHARD_OPTION = typer.Option(
    None, "--shard", metavar="I/N",
    help="Take only shard I of N (1 <= I <= N <= 256): a stable hash of each client's name picks its "
         "shard, so N runners of a CI matrix share the clients, each client in exactly one.")
JOBS_OPTION = typer.Option(
    None, "--jobs", "-j", metavar="N", min=1,
    help="Work on N clients at once (default: the number of cores; 1: one after another). Each "
         "client's lines are printed together, in the clients' order; at most max_connections_per_host "
         "(sitekeeper.toml, default 2) connections to one host at once.")


def jobs_option(value: int | None) -> int:
    """``--jobs`` as a number (the cores when not given)."""
    from ..jobs import default_jobs

    return default_jobs() if value is None else value


def parse_shard_option(text: str | None):
    """The Shard of ``--shard`` (None without it); a usage error (exit 2) for a bad value."""
    if text is None:
        return None
    from ..shard import parse_shard

    try:
        return parse_shard(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--shard'") from None


def open_context(json_output: bool = False, at: str | None = None, quiet: bool | None = None) -> Context:
    reporter: Reporter = JsonReporter() if json_output else ConsoleReporter(quiet=quiet)
    try:
        clock = start(at)
    except Failed as exc:
        fail(reporter, exc.diagnostics(), exc.code)
    try:
        ws = find_workspace()
    except SitekeeperError as exc:
        fail(reporter, exc.diagnostics())
    from .. import network

    network.configure(ws.root / ".sitekeeper" / "connections", ws.config.max_connections_per_host,
                      network.Timeouts(ws.config.connect_timeout, ws.config.read_timeout))
    return Context(ws=ws, clock=clock, reporter=reporter)


def check_settings(reporter: Reporter) -> None:
    """The SITEKEEPER_* tuning knobs read once, before anything acts: a bad one is a usage error."""
    try:
        _check_settings()
    except Failed as exc:
        fail(reporter, exc.diagnostics(), exc.code)


def fail(reporter: Reporter, diagnostics, code: int = 1) -> NoReturn:
    """Report the problems, end with the failure result (JSON) or an "N errors" line, exit."""
    report_failure(reporter, diagnostics)
    raise typer.Exit(code)


def usage_error(reporter: Reporter, where: str, message: str, fix: str = "") -> NoReturn:
    """Exit 2 with one problem about the command line itself (``where``: the command or option)."""
    fail(reporter, [Diagnostic(where, None, message, fix)], USAGE)


def run_command(fn: Callable) -> Callable:
    """Wrap a command body: SitekeeperError -> problems on the reporter and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        json_output = bool(kwargs.get("json_output", False))
        try:
            return fn(*args, **kwargs)
        except (SitekeeperError, BadSetting) as exc:  # a bad knob met after the start: still usage
            trace_if_debug()
            fail(JsonReporter() if json_output else ConsoleReporter(), exc.diagnostics(), exit_code(exc))
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper


JSON_OPTION = typer.Option(False, "--json", help="One JSON object per line on stdout; the last is the result.")
# SITEKEEPER_NOW is read by the clock itself (not as typer's envvar), so a bad value can be
# blamed on the one of the two that holds it.
AT_OPTION = typer.Option(None, "--at", help="Pretend it is this time (ISO 8601), e.g. 2026-03-01T09:30:00+01:00 "
                         "[env var: SITEKEEPER_NOW].")


def _workspace_or_none():
    try:
        return find_workspace()
    except Exception:  # completion must never fail loudly
        return None


def complete_client(incomplete: str) -> list[str]:
    ws = _workspace_or_none()
    return [c for c in (ws.clients() if ws else []) if c.startswith(incomplete)]


def complete_campaign(incomplete: str) -> list[str]:
    """CLIENT/SLUG of every promotion file, for shell completion."""
    ws = _workspace_or_none()
    if ws is None:
        return []
    found = []
    for client in ws.clients():
        folder = ws.campaigns_dir / client
        for path in sorted(folder.glob("*.md")) if folder.is_dir() else ():
            stem = path.stem
            if "." not in stem:
                found.append(f"{client}/{stem}")
    return [f for f in found if f.startswith(incomplete)]


def out_path(value: Path | None, reporter: Reporter | None = None) -> Path | None:
    """``--out`` as an absolute folder; with ``reporter``, one that exists or can be made:
    a file there is a usage error (exit 2), a place that cannot be written an error (exit 1),
    before any work."""
    if value is None:
        return None
    folder = value.resolve()
    if reporter is None:
        return folder
    if folder.exists() and not folder.is_dir():
        usage_error(reporter, "--out", f"{folder} is a file, not a folder", "give a folder for the output")
    # Try it the way the command will (folders made, a file written), then take back what the
    # try made: a run that stops at validation leaves nothing behind.
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".sitekeeper-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        for p in made:
            p.rmdir()
    except OSError as exc:
        from ..errors import OperationError

        raise OperationError(f"cannot write into {folder}: {exc.strerror or exc}",
                             "give --out a folder you may write to", path="--out") from exc
    return folder


def print_table(table, empty: str, has_rows: bool) -> None:
    """A rich table on stdout (wide when piped, so it is not squeezed to 80 columns), or ``empty``."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    console.print(table if has_rows else empty)
