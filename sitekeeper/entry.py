"""Process entry point.

`sitekeeper build CLIENT` is what people run after every edit, so its plain forms are
parsed here without loading the CLI framework (typer and click cost more than a no-op
rebuild itself). Everything else, including `build --help`, goes through typer in sitekeeper.cli.
"""
from __future__ import annotations

import sys


def _parse_build(args: list[str]):
    client = out = at = None
    json_output = False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--json":
            json_output = True
        elif a in ("--out", "--at"):
            if i + 1 >= len(args):
                return None
            if a == "--out":
                out = args[i + 1]
            else:
                at = args[i + 1]
            i += 1
        elif a.startswith("--out="):
            out = a[6:]
        elif a.startswith("--at="):
            at = a[5:]
        elif a.startswith("-") or client is not None:
            return None  # --help, unknown options, extra arguments: typer explains
        else:
            client = a
        i += 1
    return (client, out, at, json_output) if client else None


def _fast_build(client: str, out: str | None, at: str | None, json_output: bool) -> int:
    """`build CLIENT` without typer; it starts, reports its problems and ends with the exit code
    the CLI's would (sitekeeper.failure: one way for both)."""
    from pathlib import Path

    from .check import build_checked
    from .config import find_workspace
    from .failure import FAILURES, exit_code, report_failure, start, trace_if_debug
    from .report import ConsoleReporter, JsonReporter

    reporter = JsonReporter() if json_output else ConsoleReporter()
    try:
        clock = start(at)
        ws = find_workspace()
        result = build_checked(ws, client, clock, reporter, out=Path(out).resolve() if out else None)
    except FAILURES as exc:
        trace_if_debug()
        report_failure(reporter, exc.diagnostics())
        return exit_code(exc)
    reporter.result(result.as_json())
    reporter.output(result.summary())
    return 0


GLOBAL_FLAGS = {"--quiet": "quiet", "-q": "quiet", "--verbose": "verbose", "-v": "verbose", "--debug": "debug"}
"""Flags every command takes, anywhere on the line (before a `--`)."""


def _take_global_flags(argv: list[str]) -> list[str]:
    from .report import OPTIONS

    rest = []
    for i, arg in enumerate(argv):
        if arg == "--":
            rest.extend(argv[i:])
            break
        if arg in GLOBAL_FLAGS:
            setattr(OPTIONS, GLOBAL_FLAGS[arg], True)
        else:
            rest.append(arg)
    return rest


def _quiet_vendor_logs(debug: bool) -> None:
    """paramiko and botocore log tracebacks of their own (e.g. a port that does not speak SSH);
    sitekeeper reports those failures itself, so their logs reach the terminal only with --debug."""
    import logging

    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
        return
    for name in ("paramiko", "botocore", "boto3", "urllib3", "s3transfer"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


def _crash(exc: BaseException) -> int:
    # A bug, not bad input: one line with what happened and how to get the details.
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        where = f" (at {tb.tb_frame.f_code.co_filename.rpartition('/sitekeeper/')[2] or tb.tb_frame.f_code.co_filename}:{tb.tb_lineno})"
        tb = tb.tb_next
    print(f"sitekeeper: internal error: {type(exc).__name__}: {exc}{where}\n"
          "    fix: run the same command again with --debug for the full traceback, and report it", file=sys.stderr)
    return 1


def main() -> None:
    argv = _take_global_flags(sys.argv[1:])
    sys.argv[1:] = argv
    from .report import OPTIONS

    _quiet_vendor_logs(OPTIONS.debug)
    try:
        if argv[:1] == ["build"]:
            parsed = _parse_build(argv[1:])
            # With --out the CLI's own checks of the folder apply (a file there, a place not writable).
            if parsed is not None and parsed[1] is None:
                sys.exit(_fast_build(*parsed))
        from .cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        if OPTIONS.debug:
            raise
        sys.exit(_crash(exc))


if __name__ == "__main__":
    main()
