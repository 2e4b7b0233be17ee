"""`sitekeeper import`: take over an existing site as a new client."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import AT_OPTION, JSON_OPTION, open_context, run_command, usage_error


@run_command
def import_command(
    source: Optional[Path] = typer.Argument(None, help="A WordPress export (.xml), a Hugo or Jekyll site folder, "
                                            "or a folder of HTML files. Leave out with --from html --target NAME."),
    client: str = typer.Option(..., "--client", help="The new client's folder name under sites/."),
    kind: Optional[str] = typer.Option(None, "--from", help="wordpress, hugo, jekyll or html (detected when left out)."),
    uploads: Optional[Path] = typer.Option(None, "--uploads", help="WordPress: the site's wp-content/uploads folder."),
    target: Optional[str] = typer.Option(None, "--target", help="Read the live site (html) or the WordPress uploads "
                                         "over this deploy target of the client's site.toml, read only."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="The site's timezone, e.g. Europe/Berlin "
                                           "(default: what the source says, else UTC)."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Take over an existing site, keeping its URLs: writes sites/CLIENT (passing `check`) and
    a report of everything that could not be converted, by file and line."""
    from ..importers import SOURCES, run_import

    ctx = open_context(json_output, at)
    if kind is not None and kind not in SOURCES:
        usage_error(ctx.reporter, "--from", f"unknown source kind {kind!r}", f"use one of: {', '.join(SOURCES)}")
    if source is None and target is None:
        usage_error(ctx.reporter, "import", "no SOURCE given", "name an export file or a site folder, "
                    "or read the live site with --from html --target NAME")
    if source is not None and not source.exists():
        usage_error(ctx.reporter, str(source), "no such file or folder", "check the path")
    if uploads is not None and not uploads.is_dir():
        usage_error(ctx.reporter, "--uploads", f"{uploads} is not a folder", "give the site's wp-content/uploads folder")
    deploy_target = None
    if target is not None:
        from ..config import load_site

        cfg = load_site(ctx.ws, client)
        if target not in cfg.deploy:
            usage_error(ctx.reporter, "--target", f"{client} has no deploy target {target!r}",
                        f"add [deploy.{target}] to sites/{client}/site.toml (try `sitekeeper new client {client}`)")
        deploy_target = cfg.deploy[target]
    result = run_import(ctx.ws, client, source, kind, ctx.clock, ctx.reporter,
                        uploads=uploads.resolve() if uploads else None, target=deploy_target, timezone=timezone)
    ctx.reporter.problems(result.problems)
    ctx.reporter.result({"ok": True, **result.as_json()})
    ctx.reporter.output(result.summary())
