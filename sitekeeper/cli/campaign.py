"""Commands of the mail side: sitekeeper campaign list | preview | test | approve.

Each command opens the context, calls one function of sitekeeper.mail.campaign and
hands the result to the reporter. Heavy imports (jinja2, mjml, playwright, boto3) stay
inside the core functions, so `sitekeeper --help` stays fast.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import AT_OPTION, JSON_OPTION, complete_campaign, complete_client, open_context, out_path, run_command, usage_error

campaign_app = typer.Typer(help="Promotions as email: list, preview, test, approve.", no_args_is_help=True)

SPEC_ARG = typer.Argument(..., metavar="CLIENT/SLUG", help="The campaign: client folder / promotion file name, "
                          "e.g. baeckerei-sonnenkorn/adventsaktion.", autocompletion=complete_campaign)


def _campaign_spec(ctx, spec: str) -> None:
    """CLIENT/SLUG or a usage error (exit 2) that lists the client's promotions."""
    client, _, slug = spec.strip().partition("/")
    ctx.ws.require_client(client)
    if not slug:
        folder = ctx.ws.campaigns_dir / client
        slugs = sorted(p.stem for p in folder.glob("*.md") if "." not in p.stem) if folder.is_dir() else []
        usage_error(ctx.reporter, spec, "needs CLIENT/SLUG: which promotion?",
                    "e.g. " + ", ".join(f"{client}/{s}" for s in slugs[:5]) if slugs
                    else f"create campaigns/{client}/<slug>.md first")


@campaign_app.command("list")
@run_command
def list_command(
    client: Optional[str] = typer.Argument(None, help="Only this client (default: all).",
                                           autocompletion=complete_client),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Promotions with their window, languages, audience size, approval and send state."""
    from ..mail.campaign import list_campaigns

    ctx = open_context(json_output, at)
    clients = [client] if client else ctx.ws.clients()
    if client:
        ctx.ws.require_client(client)
    rows, problems = list_campaigns(ctx.ws, clients, ctx.clock)
    ctx.reporter.problems(problems)
    for row in rows:
        ctx.reporter.event("campaign", **row)
    ctx.reporter.result({"campaigns": len(rows), "clients": clients})
    if not ctx.reporter.json:
        _print_table(rows)


def _print_table(rows) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in ("campaign", "window", "send at", "languages", "recipients", "approval", "sent"):
        table.add_column(col, no_wrap=col in ("campaign", "send at"))
    for r in rows:
        window = f"{(r['starts'] or '?')[:10]} – {(r['ends'] or '?')[:10]}"
        size = "?" if r["recipients"] is None else str(r["recipients"])
        if r["audience"] != "all":
            size += f" ({r['audience']})"
        approval = r["approval"] + (f" by {r['approved_by']}" if r["approval"] == "approved" and r["approved_by"] else "")
        if r["approval"] == "void":
            approval = "[red]void: edited after approval[/red]"
        state = r["send_state"] + (" (due)" if r["due"] and r["send_state"] == "not sent" else "")
        table.add_row(r["campaign"], window, (r["send_at"] or "–")[:16].replace("T", " "), ", ".join(r["languages"]),
                      size, approval, state)
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)  # piped: do not squeeze the table to 80 columns
    if rows:
        console.print(table)
    else:
        console.print("no promotions yet: create campaigns/<client>/<slug>.md (see `sitekeeper new promotion`)")


@campaign_app.command("preview")
@run_command
def preview_command(
    spec: str = SPEC_ARG,
    lang: Optional[str] = typer.Option(None, "--lang", help="Only this language (default: every language)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: .sitekeeper/preview/CLIENT/SLUG)."),
    proof: bool = typer.Option(True, "--proof/--no-proof", help="Render PNG proofs (600 and 375 px) with Chromium."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """The email as subscribers will see it: HTML, text, .eml and PNG proofs per language."""
    from ..mail.campaign import preview

    ctx = open_context(json_output, at)
    _campaign_spec(ctx, spec)
    result = preview(ctx.ws, spec, ctx.clock, ctx.reporter, lang=lang, out=out_path(out), proofs=proof)
    ctx.reporter.result(result)
    rep = ctx.reporter
    rep.output(f"{result['campaign']}: preview in {result['out']}")
    proofs = False
    for code, files in result["files"].items():
        rep.output(f"  [{code}] {files['subject']}  (sample recipient {files['recipient']})")
        for key in ("html", "text", "eml", "png_600", "png_375"):
            if key in files:
                rep.output(f"      {key:8} {files[key]}")
                proofs = proofs or key.startswith("png")
    if result["approval"] != "approved":
        shown = "the PNG proofs" if proofs else "the preview (the .html files, or the .eml to open in a mail program)"
        rep.output(f"not approved yet: send {shown} to the client, then run "
                   f"`sitekeeper campaign approve {result['campaign']} --by NAME`")


@campaign_app.command("test")
@run_command
def test_command(
    spec: str = SPEC_ARG,
    to: str = typer.Option(..., "--to", help="The one address to send the test to."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language version (default: the site's default)."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Send one real copy, subject marked [TEST], through the configured transport. Not recorded as a send."""
    from ..mail.campaign import test_send

    ctx = open_context(json_output, at)
    _campaign_spec(ctx, spec)
    from ..config.mail import is_address

    if not is_address(to.strip()):
        usage_error(ctx.reporter, "--to", f"{to!r} is not an email address", "give one address, e.g. --to you@example.com")
    result = test_send(ctx.ws, spec, to, ctx.clock, ctx.reporter, lang=lang)
    ctx.reporter.result(result)
    ctx.reporter.output(f"sent test of {result['campaign']} [{result['lang']}] to {result['to']} via "
                      f"{result['transport']}: {result['delivered']}")


@campaign_app.command("approve")
@run_command
def approve_command(
    spec: str = SPEC_ARG,
    by: str = typer.Option(..., "--by", help="Who approved, e.g. \"Frau Weber\"."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Record the client's approval in the promotion's front matter. Any later edit voids it."""
    from ..mail.campaign import approve

    ctx = open_context(json_output, at)
    _campaign_spec(ctx, spec)
    result = approve(ctx.ws, spec, by, ctx.clock, ctx.reporter)
    ctx.reporter.result(result)
    ctx.reporter.output(f"{result['campaign']}: approved by {result['approved_by']} at {result['approved_at']} "
                      f"(recorded in {result['file']})")
