"""Commands of the mail side: sitekeeper campaign list | preview | test | approve | send | reconcile.

Each command opens the context, calls one function of sitekeeper.mail.campaign and
hands the result to the reporter. Heavy imports (jinja2, mjml, playwright, boto3) stay
inside the core functions, so `sitekeeper --help` stays fast.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import (AT_OPTION, JSON_OPTION, print_table, complete_campaign, complete_client, fail, open_context, out_path,
                     run_command, usage_error)

campaign_app = typer.Typer(help="Promotions as email: list, preview, test, approve, send, reconcile.",
                           no_args_is_help=True)

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
    from rich.table import Table

    table = Table(show_lines=False, header_style="bold")
    for col in ("campaign", "window", "send at", "languages", "recipients", "approval", "send state"):
        table.add_column(col, no_wrap=col in ("campaign", "send at"))
    for r in rows:
        window = f"{(r['starts'] or '?')[:10]} – {(r['ends'] or '?')[:10]}"
        size = "?" if r["recipients"] is None else str(r["recipients"])
        if r["audience"] != "all":
            size += f" ({r['audience']})"
        approval = r["approval"] + (f" by {r['approved_by']}" if r["approval"] == "approved" and r["approved_by"] else "")
        if r["approval"] == "void":
            approval = "[red]void: edited after approval[/red]"
        if r.get("approval_requested"):
            approval += f"; {r['approval_requested']}"
        state = r["send_state"] + (" (due)" if r["due"] and r["send_state"] == "not sent" else "")
        table.add_row(r["campaign"], window, (r["send_at"] or "–")[:16].replace("T", " "), ", ".join(r["languages"]),
                      size, approval, state)
    print_table(table, "no promotions yet: create campaigns/<client>/<slug>.md (see `sitekeeper new promotion`)", bool(rows))


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
    result = preview(ctx.ws, spec, ctx.clock, ctx.reporter, lang=lang, out=out_path(out, ctx.reporter), proofs=proof)
    ctx.reporter.result(result)
    rep = ctx.reporter
    rep.output(f"{result['campaign']}: preview in {result['out']}")
    proofs = False
    for code, files in result["files"].items():
        rep.output(f"  [{code}] {files['subject']}  (sample recipient {files['recipient']})")
        for key in ("html", "text", "eml", "png_600", "png_375", "png_600_dark", "png_375_dark"):
            if key in files:
                rep.output(f"      {key:12} {files[key]}")
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


@campaign_app.command("request-approval")
@run_command
def request_approval_command(
    spec: str = SPEC_ARG,
    to: str = typer.Option(..., "--to", help="The client's address: only a reply from it can approve."),
    lang: Optional[str] = typer.Option(None, "--lang", help="The language the client reads: the note on how to "
                                       "answer and the confirmations (default: the site's first language). "
                                       "Every language version of the campaign is always included."),
    proof: bool = typer.Option(True, "--proof/--no-proof", help="Render and attach PNG proofs (light and dark, "
                               "600 and 375 px) with Chromium."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Mail the client the campaign as her customers will get it, Subject "[Approval] …", and record the request.

    She approves by replying OK (yes, passt, schváleno, oui … in the first line, before the quote);
    `sitekeeper mailbox pull` reads the reply from [mail] imap, records the approval (approved_by,
    approved_at, approved_hash) and mails her a confirmation. Anything else she writes is taken as
    changes and reported. The request's token is keyed with the client's secret
    ([mail] unsubscribe_key_env) and bound to the text she saw: after any edit, ask again."""
    from ..approvals.request import request_approval
    from ..config.mail import is_address

    ctx = open_context(json_output, at)
    _campaign_spec(ctx, spec)
    if not is_address(to.strip()):
        usage_error(ctx.reporter, "--to", f"{to!r} is not an email address",
                    "give the client's address, e.g. --to owner@example.com")
    result = request_approval(ctx.ws, spec, to, ctx.clock, ctx.reporter, lang=lang, proofs=proof)
    ctx.reporter.result(result)
    proofs = "with PNG proofs" if result["proofs"] else "without PNG proofs (emails attached)"
    ctx.reporter.output(f"{result['campaign']}: approval requested from {result['to']} [{result['lang']}] "
                        f"{proofs} via {result['transport']} (id {result['id']})")
    ctx.reporter.output(f"  Subject: {result['subject']}")
    ctx.reporter.output("  her reply is read by `sitekeeper mailbox pull`; "
                        f"`sitekeeper campaign approve {result['campaign']} --by NAME` records one given in person")


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


@campaign_app.command("send")
@run_command
def send_command(
    spec: Optional[str] = typer.Argument(None, metavar="[CLIENT[/SLUG]]",
                                         help="One client, or one campaign (default: every client).",
                                         autocompletion=complete_campaign),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count who would get it and show a sample; send nothing."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Send what is due and approved to whom it has not reached yet. Safe to run again at any
    time: the ledger in the state store makes every subscriber get it at most once."""
    from ..errors import Diagnostic
    from ..mail.send import send

    ctx = open_context(json_output, at)
    if spec:
        client, _, slug = spec.strip().partition("/")
        ctx.ws.require_client(client)
    results, problems = send(ctx.ws, spec.strip() if spec else None, ctx.clock, ctx.reporter, dry_run=dry_run)
    rep = ctx.reporter
    for r in results:
        rep.event("campaign", **r)
        rep.output(_send_line(r))
    if not results:
        rep.output("nothing is due" + (f" for {spec}" if spec else ""))
    stopped = [r for r in results if r.get("stopped") == "transport" or r.get("uncertain")]
    if problems or stopped:
        extra = [Diagnostic(r["campaign"], None, f"{r['uncertain']} sends are uncertain",
                            f"run `sitekeeper campaign reconcile {r['campaign']}`") for r in stopped if r.get("uncertain")]
        fail(rep, problems + extra)
    if len(results) == 1 and spec and "/" in spec:
        rep.result(results[0])
    else:
        total = lambda k: sum(r.get(k, 0) for r in results)  # noqa: E731
        rep.result({"dry_run": dry_run, "sent": total("sent"), "failed": total("failed"),
                    "uncertain": total("uncertain"), "campaigns": results})


def _send_line(r: dict) -> str:
    name = r["campaign"]
    if r.get("state") != "due":
        return f"{name}: {r.get('state', '').replace('_', ' ')}: nothing sent"
    skipped = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in r["skipped"].items() if n)
    if r["dry_run"]:
        sample = ", ".join(f"{s['address']} [{s['lang']}]" for s in r.get("sample", []))
        return (f"{name}: would send to {r['recipients']}" + (f" (e.g. {sample})" if sample else "")
                + (f"; skipped: {skipped}" if skipped else "") + "; dry run: nothing sent")
    line = f"{name}: sent {r['sent']} via {r['transport']}"
    for key in ("failed", "uncertain", "deferred"):
        if r.get(key):
            line += f", {r[key]} {key}"
    if skipped:
        line += f"; skipped: {skipped}"
    if r.get("stopped") == "quota":
        line += "; stopped at the SES daily quota: the next run sends the rest"
    elif r.get("stopped"):
        line += "; stopped: the transport failed (see above); the next run sends the rest"
    return line


@campaign_app.command("reconcile")
@run_command
def reconcile_command(
    spec: str = SPEC_ARG,
    mark_sent: bool = typer.Option(False, "--mark-sent", help="Settle them as delivered: never mailed again."),
    resend: bool = typer.Option(False, "--resend", help="Settle them as not delivered: the next `campaign send` "
                                "mails them (some may then get it twice)."),
    only: Optional[list[str]] = typer.Option(None, "--only", metavar="ADDR", help="Settle only this address "
                                             "(repeatable; default: every uncertain one)."),
    repair: bool = typer.Option(False, "--repair", help="Settle a damaged send ledger (a segment that is empty, "
                                "cut short or fails its checksum, which stops every send of the campaign): each "
                                "damaged segment is moved to campaigns/CLIENT/SLUG/damaged/ in the state store, a "
                                "recipient it still shows as sent stays sent, and every other recipient it still "
                                "names becomes uncertain (never mailed until you settle them, in the same run with "
                                "--mark-sent or --resend, or later). Lines that cannot be read name nobody: the "
                                "recipients they held (at most one batch of 25 per segment) are not known, and the "
                                "next send may mail them again; the command says how many lines were lost."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """List the recipients whose send is uncertain after a crash or a lost connection, and settle them on request.
    A damaged ledger is reported (exit 1) until --repair settles it."""
    from ..mail.send import reconcile

    ctx = open_context(json_output, at)
    _campaign_spec(ctx, spec)
    if mark_sent and resend:
        usage_error(ctx.reporter, "--mark-sent/--resend", "choose one: --mark-sent or --resend")
    if only and not (mark_sent or resend):
        usage_error(ctx.reporter, "--only", "--only settles: give --mark-sent or --resend with it")
    result = reconcile(ctx.ws, spec, ctx.clock, ctx.reporter, mark_sent=mark_sent, resend=resend, only=only,
                       repair=repair)
    rep = ctx.reporter
    rep.result(result)
    name, unsettled = result["campaign"], result["uncertain"]
    _repaired(rep, name, result["repaired"], repair)
    if not unsettled:
        rep.output(f"{name}: nothing uncertain ({_counts(result['counts'])})")
    elif result["action"] is None:
        rep.output(f"{name}: {len(unsettled)} uncertain (may or may not have been delivered):")
        for u in unsettled:
            rep.output(f"  {u['address']}  since {u['since']}" + (f"  ({u['detail']})" if u["detail"] else ""))
        rep.output(f"settle them: `sitekeeper campaign reconcile {name} --mark-sent` (never mail them again) or "
                   "`--resend` (the next send mails them); add --only ADDR for single addresses")
    else:
        how = "marked sent" if result["action"] == "mark_sent" else "released: the next `campaign send` mails them"
        rep.output(f"{name}: {result['settled']} of {len(unsettled)} uncertain {how}")
    if result["failed"]:
        rep.output(f"{len(result['failed'])} failed:")
        for f in result["failed"]:
            rep.output(f"  {f['address']}  {f['detail']}" + ("" if f["permanent"] else " (retried by the next send)"))


def _repaired(rep, name: str, repaired: list, asked: bool) -> None:
    if asked and not repaired:
        rep.output(f"{name}: the send ledger is not damaged; nothing to repair")
    for seg in repaired:
        rep.output(f"{name}: set aside the damaged segment {seg['segment']} ({seg['why']}); kept as {seg['aside']}")
        if seg["nothing_readable"]:
            rep.warn(f"{name}: nothing of {seg['segment']} could be read: the recipients it held are not known and "
                     "the next send may mail them again")
        elif seg["unreadable"]:
            lines = "1 line" if seg["unreadable"] == 1 else f"{seg['unreadable']} lines"
            rep.warn(f"{name}: {lines} of {seg['segment']} could not be read: the recipients they held are not "
                     "known and the next send may mail them again")
        records = "1 record" if seg["readable"] == 1 else f"{seg['readable']} records"
        rep.output(f"  {records} recovered (sent stays sent, the others are uncertain)")


def _counts(c: dict) -> str:
    return ", ".join(f"{n} {k}" for k, n in c.items())
