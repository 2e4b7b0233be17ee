"""sitekeeper calendar: one iCalendar file of what is scheduled across clients."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import AT_OPTION, JSON_OPTION, complete_client, fail, open_context, run_command, usage_error


@run_command
def calendar_command(
    clients: Optional[list[str]] = typer.Argument(None, metavar="[CLIENT]...", help="Only these clients (default: all).",
                                                  autocompletion=complete_client),
    out: Optional[Path] = typer.Option(None, "--out", metavar="FILE",
                                       help="Write the .ics file here (default: print it on stdout)."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """An iCalendar file (RFC 5545) of promotion windows, sends, pages' publish and expires,
    closed days and report days, in each site's timezone. UIDs stay the same from run to run,
    so a calendar subscribed to the file updates its events instead of adding them again.
    A client whose files do not pass `check` stops it, and nothing is written."""
    from ..agenda import entries, to_ics
    from ..build import load_site_content
    from ..config import load_site
    from ..errors import OperationError

    ctx = open_context(json_output, at)
    chosen = list(clients or ctx.ws.clients())
    for c in chosen:
        ctx.ws.require_client(c)
    if out is not None and out.resolve().is_dir():
        usage_error(ctx.reporter, "--out", f"{out} is a folder", "give a file name, e.g. --out clients.ics")
    per_client, problems = [], []
    for client in chosen:
        cfg = load_site(ctx.ws, client)
        content, diags = load_site_content(ctx.ws, cfg)
        problems += [d for d in diags if d.is_error]
        per_client.append((cfg, entries(cfg, content.pages, content.promotions)))
    if problems:
        fail(ctx.reporter, problems)
    from zoneinfo import ZoneInfo

    data = to_ics(per_client, ctx.clock.now(ZoneInfo("UTC")))
    count = sum(len(items) for _, items in per_client)
    if out is None:
        if ctx.reporter.json:
            ctx.reporter.result({"ok": True, "events": count, "ics": data.decode("utf-8")})
        else:
            typer.echo(data.decode("utf-8"), nl=False)
        return
    from ..build.writer import atomic_write

    target = out.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data)
    except OSError as exc:
        raise OperationError(f"cannot write {target}: {exc.strerror or exc}",
                             "give --out a file in a folder you may write to", path="--out") from exc
    ctx.reporter.output(f"calendar: {count} events of {len(per_client)} clients in {target}")
    ctx.reporter.result({"ok": True, "events": count, "file": str(target)})
