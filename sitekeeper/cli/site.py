"""Commands of the site side: check, build, serve.

Each opens the context, calls one core function and hands its result to the reporter.
The core modules are imported inside the commands, so `sitekeeper --help` stays fast.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import SitekeeperError
from .common import AT_OPTION, JSON_OPTION, complete_client, open_context, out_path, run_command


@run_command
def check_command(
    clients: Optional[List[str]] = typer.Argument(None, help="Clients to check (default: all).",
                                                  autocompletion=complete_client),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Validate config, content, promotions and internal links. Changes nothing."""
    from ..check import check_clients

    ctx = open_context(json_output, at)
    for name in clients or []:
        ctx.ws.require_client(name)  # a name that is not a client is a usage error, before any checking
    ok = check_clients(ctx.ws, clients or ctx.ws.clients(), ctx.clock, ctx.reporter, strict=strict)
    raise typer.Exit(0 if ok else 1)


@run_command
def build_command(
    client: str = typer.Argument(..., help="The client to build (a folder under sites/).",
                                autocompletion=complete_client),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: .sitekeeper/build/CLIENT); it receives only the site, the build cache stays under .sitekeeper/."),  # noqa: E501
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Build a client's site incrementally: unchanged outputs are not rewritten."""
    from ..check import build_checked

    ctx = open_context(json_output, at)
    result = build_checked(ctx.ws, client, ctx.clock, ctx.reporter, out=out_path(out, ctx.reporter))
    ctx.reporter.result(result.as_json())
    ctx.reporter.output(result.summary())


@run_command
def serve_command(
    client: str = typer.Argument(..., help="The client to preview (a folder under sites/).",
                                autocompletion=complete_client),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)."),
    at: Optional[str] = AT_OPTION,
):
    """Preview a client's site on 127.0.0.1 with live reload; --at previews a future date."""
    from ..serve import serve

    ctx = open_context(False, at)
    try:
        serve(ctx.ws, client, ctx.clock, ctx.reporter, port=port)
    except OSError as exc:
        raise SitekeeperError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; choose another with --port") from exc
