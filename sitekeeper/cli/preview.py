"""`sitekeeper preview`: a private preview of a client's site, its list, its removal."""
from __future__ import annotations

from typing import Optional

import typer

from .common import AT_OPTION, JSON_OPTION, complete_client, open_context, run_command, usage_error


def preview_command(
    client: str = typer.Argument(..., help="The client whose site to preview (a folder under sites/).",
                                 autocompletion=complete_client),
    target: Optional[str] = typer.Option(
        None, "--target", help="A [deploy.NAME] target (default: [deploy.preview] if the site has one, else its "
                               "first target)."),
    expires: str = typer.Option("7d", "--expires", metavar="DURATION",
                                help="How long the preview stays up: Nd or Nh; tick removes it then."),
    list_them: bool = typer.Option(False, "--list", help="List the client's previews: id, link, created, expires."),
    remove: Optional[str] = typer.Option(None, "--remove", metavar="ID",
                                         help="Delete the files of the preview ID (from --list), and its record."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Publish the site as it would be published now (or --at a date) to a private, unguessable
    address on the client's own target, never over the live site: every page noindex, nofollow,
    robots.txt disallowing everything, no sitemap. Prints the link to send the client."""
    from ..clock import Clock
    from ..previews import make, records

    ctx = open_context(json_output, at)
    given = [name for name, on in (("--list", list_them), ("--remove", remove is not None)) if on]
    if len(given) > 1:
        usage_error(ctx.reporter, "preview", "--list and --remove cannot be combined", "pass one of them")
    if given and (target is not None or at is not None or expires != "7d"):
        usage_error(ctx.reporter, given[0], f"{given[0]} takes no --target, --at or --expires",
                    f"run `sitekeeper preview {client} {given[0]}{' ID' if remove is not None else ''}` alone")
    if remove is not None and not records.ID.match(remove):
        usage_error(ctx.reporter, "--remove", f"{remove!r} is not a preview id (eight hex digits, e.g. 3f9a2c1d)",
                    f"take the id from `sitekeeper preview {client} --list`")
    ctx.ws.require_client(client)
    now = Clock.from_value(None)  # the record's dates: the real time (or SITEKEEPER_NOW), never --at
    if list_them:
        return _list(ctx, client, now)
    if remove is not None:
        return _remove(ctx, client, remove)
    try:
        lasting = make.parse_expiry(expires)
    except ValueError as exc:
        usage_error(ctx.reporter, "--expires", str(exc), "write it as 7d (days) or 12h (hours)")
    made = make.make_preview(ctx.ws, client, ctx.clock, now, ctx.reporter, target=target, expires=lasting)
    p = made.preview
    ctx.reporter.result(made.as_json())
    ctx.reporter.output(f"{client}: preview {p.id} on {p.target}: {made.pages} pages, {len(made.uploaded)} files "
                        f"uploaded; expires {p.expires:%Y-%m-%d %H:%M %Z}")
    ctx.reporter.output(f"  link to send: {p.url}")
    ctx.reporter.output(f"  take it down sooner: sitekeeper preview {client} --remove {p.id}")


def _list(ctx, client: str, clock) -> None:
    from ..config import load_site
    from ..previews import make

    found = make.list_previews(ctx.ws, client)
    if not found:
        ctx.reporter.result({"client": client, "previews": []})
        ctx.reporter.output(f"{client}: no previews")
        return
    now = clock.now(load_site(ctx.ws, client).tz)
    ctx.reporter.result({"client": client, "previews": [p.as_json(now) for p in found]})
    for p in found:
        state = "expired, tick removes it" if p.expired(now) else f"expires {p.expires:%Y-%m-%d %H:%M}"
        state += "" if p.complete else "; upload not finished"
        ctx.reporter.output(f"{p.id}  {p.url}  created {p.created:%Y-%m-%d %H:%M}  {state}  ({p.target})")


def _remove(ctx, client: str, preview_id: str) -> None:
    from ..config import load_site
    from ..previews import make

    found = make.find(ctx.ws, client, preview_id)
    done = make.remove_preview(ctx.ws, load_site(ctx.ws, client), found, ctx.reporter)
    ctx.reporter.result(done.as_json())
    ctx.reporter.output(f"{client}: preview {preview_id} removed ({len(done.deleted)} files deleted from "
                        f"{found.target}); {found.url} no longer answers")


preview_command = run_command(preview_command)
