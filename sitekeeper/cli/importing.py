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
    fetch_media: bool = typer.Option(False, "--fetch-media", help="WordPress: download the media neither --uploads nor "
                                     "--target has from the old site while it still runs (its own hosts only, "
                                     "capped and timed); what fails is named in the report."),
    timezone: Optional[str] = typer.Option(None, "--timezone", help="The site's timezone, e.g. Europe/Berlin "
                                           "(default: what the source says, else UTC)."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Take over an existing site, keeping its URLs: writes sites/CLIENT (passing `check`) and
    a report of everything that could not be converted, by file and line."""
    from ..importers import run_import

    ctx = open_context(json_output, at)
    _check_arguments(ctx.reporter, source, client, kind, uploads, target, timezone)
    if fetch_media and kind not in (None, "wordpress"):
        usage_error(ctx.reporter, "--fetch-media", f"--fetch-media is for a WordPress export, not --from {kind}",
                    "leave --fetch-media out: the site's folder holds its files")
    deploy_target = None
    if target is not None:
        from ..config import load_site

        cfg = load_site(ctx.ws, client)
        if target not in cfg.deploy:
            usage_error(ctx.reporter, "--target", f"{client} has no deploy target {target!r}",
                        f"add [deploy.{target}] to sites/{client}/site.toml (try `sitekeeper new client {client}`)")
        deploy_target = cfg.deploy[target]
    result = run_import(ctx.ws, client, source, kind, ctx.clock, ctx.reporter,
                        uploads=uploads, target=deploy_target, timezone=timezone, fetch_media=fetch_media)
    ctx.reporter.problems(result.problems)
    ctx.reporter.result({"ok": True, **result.as_json()})
    ctx.reporter.output(result.summary())


def _check_arguments(reporter, source: Path | None, client: str, kind: str | None, uploads: Path | None,
                     target: str | None, timezone: str | None) -> None:
    """Usage errors, said before any file is read."""
    from ..clock import BadDate, get_zone
    from ..config.site import CLIENT_RE
    from ..importers import SOURCES

    if kind is not None and kind not in SOURCES:
        usage_error(reporter, "--from", f"unknown source kind {kind!r}", f"use one of: {', '.join(SOURCES)}")
    if not CLIENT_RE.match(client):
        usage_error(reporter, "--client", f"client name {client!r} is not valid",
                    "use lowercase letters, digits and -, e.g. baeckerei-beispiel")
    if source is None and target is None:
        usage_error(reporter, "import", "no SOURCE given", "name an export file or a site folder, "
                    "or read the live site with --from html --target NAME")
    if source is not None and not source.exists():
        usage_error(reporter, str(source), "no such file or folder", "check the path")
    if source is not None and kind == "wordpress" and source.is_dir():
        usage_error(reporter, str(source), "--from wordpress reads the export file, and this is a folder",
                    "give the .xml file from WordPress's Tools -> Export -> All content; the folder's "
                    "wp-content/uploads goes to --uploads")
    if source is not None and kind in ("hugo", "jekyll", "html") and not source.is_dir():
        usage_error(reporter, str(source), f"--from {kind} reads the site's folder, and this is a file",
                    "give the folder that holds the site" + (" (or --from wordpress for an export file)"
                                                             if source.suffix.lower() == ".xml" else ""))
    if uploads is not None and not uploads.is_dir():
        usage_error(reporter, "--uploads", f"{uploads} is not a folder", "give the site's wp-content/uploads folder")
    if uploads is not None and kind not in (None, "wordpress"):
        usage_error(reporter, "--uploads", f"--uploads is for a WordPress export, not --from {kind}",
                    "leave --uploads out: the site's folder holds its files")
    if timezone is not None:
        try:
            get_zone(timezone)
        except BadDate:
            usage_error(reporter, "--timezone", f"unknown timezone {timezone!r}",
                        "give a zone of the tz database, e.g. Europe/Rome, Europe/Prague or America/New_York")
