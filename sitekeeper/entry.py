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
    from pathlib import Path

    from .build import build_client
    from .clock import BadDate, Clock
    from .config import find_workspace
    from .errors import Diagnostic, SitekeeperError
    from .report import ConsoleReporter, JsonReporter

    reporter = JsonReporter() if json_output else ConsoleReporter()
    try:
        try:
            clock = Clock.from_value(at)
        except BadDate as exc:
            raise _Problems([Diagnostic("--at" if at else "SITEKEEPER_NOW", None, str(exc),
                                        "use ISO 8601, e.g. 2026-03-01T09:30:00+01:00")])
        ws = find_workspace()
        result = build_client(ws, client, clock, reporter, out=Path(out).resolve() if out else None)
    except (SitekeeperError, _Problems) as exc:
        diags = exc.diagnostics()
        reporter.problems(diags)
        n = sum(1 for d in diags if d.is_error)
        if not json_output and n > 1:
            print(f"{n} errors", file=sys.stderr)
        return 1
    reporter.result(result.as_json())
    reporter.info(result.summary())
    return 0


class _Problems(Exception):
    def __init__(self, diags):
        self.diags = diags

    def diagnostics(self):
        return self.diags


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["build"]:
        parsed = _parse_build(argv[1:])
        if parsed is not None:
            try:
                sys.exit(_fast_build(*parsed))
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                sys.exit(130)
    from .cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
