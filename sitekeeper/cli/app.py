"""The sitekeeper command line (typer).

Each command parses its options, calls one core function and hands the result to a
reporter. Vendor SDKs (paramiko, boto3, mjml) and the renderers are imported inside
the commands that need them, so ``sitekeeper --help`` stays fast.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .common import AT_OPTION, JSON_OPTION, open_context, out_path, run_command
from .publish import publish_command, trust_command
from .campaign import campaign_app

app = typer.Typer(
    name="sitekeeper",
    help="Keep many small-business websites and their promotions from one git repo: "
    "Markdown -> static sites, deployed over SFTP or to S3, promotions -> site banners and email campaigns.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"sitekeeper {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Keep many small-business websites and their promotions from one git repo: Markdown -> static
    sites, deployed over SFTP or to S3, promotions -> site banners and email campaigns."""


@app.command("check")
@run_command
def check_command(
    clients: Optional[List[str]] = typer.Argument(None, help="Clients to check (default: all)."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Validate config, content, promotions and internal links. Changes nothing."""
    from ..check import check_clients

    ctx = open_context(json_output, at)
    ok = check_clients(ctx.ws, clients or ctx.ws.clients(), ctx.clock, ctx.reporter, strict=strict)
    raise typer.Exit(0 if ok else 1)


@app.command("build")
@run_command
def build_command(
    client: str = typer.Argument(..., help="The client to build (a folder under sites/)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: .sitekeeper/build/CLIENT)."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Build a client's site incrementally: unchanged outputs are not rewritten."""
    from ..build import build_client

    ctx = open_context(json_output, at)
    result = build_client(ctx.ws, client, ctx.clock, ctx.reporter, out=out_path(out))
    ctx.reporter.result(result.as_json())
    ctx.reporter.info(result.summary())


@app.command("serve")
@run_command
def serve_command(
    client: str = typer.Argument(..., help="The client to preview (a folder under sites/)."),
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1 (0: any free port)."),
    at: Optional[str] = AT_OPTION,
):
    """Preview a client's site on 127.0.0.1 with live reload; --at previews a future date."""
    from ..serve import serve

    ctx = open_context(False, at)
    try:
        serve(ctx.ws, client, ctx.clock, ctx.reporter, port=port)
    except OSError as exc:
        from ..errors import SitekeeperError

        raise SitekeeperError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}; choose another with --port")


app.command("publish")(publish_command)
app.command("trust")(trust_command)
app.add_typer(campaign_app, name="campaign")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
