"""Commands of opt-outs: sitekeeper unsubscribe | mailbox pull (alias: suppressions pull).

Each opens the context, calls one function of sitekeeper.suppressions.pull and reports
the result. imaplib and boto3 are imported only when a pull runs.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from .common import AT_OPTION, JSON_OPTION, complete_client, count_errors, fail, open_context, run_command, usage_error

suppressions_app = typer.Typer(help="Opt-outs and bounces: pull them from the client's mailbox and SES "
                               "(the same as `mailbox pull`).", no_args_is_help=True)
mailbox_app = typer.Typer(help="The client's mailbox: opt-outs, bounces and complaints, read and acted on.",
                          no_args_is_help=True)

CLIENT_ARG = typer.Argument(..., metavar="CLIENT", help="The client folder, e.g. baeckerei-sonnenkorn.", autocompletion=complete_client)


@run_command
def unsubscribe_command(
    client: str = CLIENT_ARG,
    addresses: List[str] = typer.Argument(..., metavar="ADDR...", help="One or more email addresses."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why, for the record, e.g. \"asked by phone\"."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Record addresses in campaigns/CLIENT/unsubscribed.csv: no campaign mails them again.

    Appends (never rewrites) with the time, the reason and source "manual"; an address
    recorded before is left as it is."""
    from ..config.site import load_site
    from ..suppressions.pull import invalid_addresses, unsubscribe

    ctx = open_context(json_output, at)
    ctx.ws.require_client(client)
    bad = invalid_addresses(addresses)
    if bad:
        usage_error(ctx.reporter, "ADDR", f"not an email address: {', '.join(repr(a) for a in bad)}",
                    "give addresses like name@example.com; nothing was recorded")
    cfg = load_site(ctx.ws, client)
    result = unsubscribe(ctx.ws, cfg, addresses, ctx.clock.now(cfg.tz), reason)
    for address in result.added:
        note = " (not on the audience list)" if address in result.unlisted else ""
        ctx.reporter.output(f"unsubscribed {address}{note}")
    for address in result.already:
        ctx.reporter.output(f"{address} was unsubscribed already")
    ctx.reporter.info(f"{client}: {len(result.added)} added to {result.path}")
    ctx.reporter.result(result.as_json())


CLIENTS_ARG = typer.Argument(None, metavar="[CLIENT...]", help="Client folders; none: every client with a mailbox "
                             "or SES queue configured.", autocompletion=complete_client)


@mailbox_app.command("pull")
@run_command
def mailbox_pull_command(
    clients: Optional[List[str]] = CLIENTS_ARG,
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Read each client's mailbox ([mail] imap) and SES notices ([mail] ses_events_queue) once
    and act on every new message by kind: an unsubscribe request, a bounce or a complaint is
    recorded in campaigns/CLIENT/unsubscribed.csv; with [mail] signup = true, a sign-up request
    is answered with a confirmation email and a confirmed one appended to audience.csv
    (double opt-in); the rest is left as it was.

    --json ends with `by_kind` counts. Addresses are masked (m***@example.com) unless
    --verbose. Exit 1 when a source failed; what the others gave is recorded all the same,
    and the next pull picks up the rest. `suppressions pull` is the same command."""
    _pull(clients or [], json_output, at)


@suppressions_app.command("pull")
@run_command
def pull_command(
    clients: Optional[List[str]] = CLIENTS_ARG,
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """The same as `sitekeeper mailbox pull`: record opt-outs, bounces and complaints from the
    client's mailbox and SES notices in campaigns/CLIENT/unsubscribed.csv."""
    _pull(clients or [], json_output, at)


def _pull(clients: list[str], json_output: bool, at: str | None) -> None:
    from ..config.site import load_site
    from ..suppressions.kinds import KINDS

    ctx = open_context(json_output, at)
    for client in clients:
        ctx.ws.require_client(client)
    named = bool(clients)
    configs = [load_site(ctx.ws, c) for c in (clients or ctx.ws.clients())]
    if not named:
        configs = [c for c in configs if c.mail.imap or c.mail.ses_events_queue]
        if not configs:
            ctx.reporter.output("no client has a mailbox ([mail] imap) or an SES queue configured: nothing to pull")
    for cfg in configs:
        if not (cfg.mail.imap or cfg.mail.ses_events_queue):
            fail(ctx.reporter, [_no_source(cfg)])
    reports = [_pull_one(ctx, cfg) for cfg in configs]
    from ..report import OPTIONS

    if len(reports) == 1:
        ctx.reporter.result(reports[0].as_json(OPTIONS.verbose))
    else:
        total = {k: sum(r.by_kind.get(k, 0) for r in reports) for k in KINDS}
        ctx.reporter.result({"ok": all(r.ok for r in reports), "by_kind": total,
                             "clients": [r.as_json(OPTIONS.verbose) for r in reports]})
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


def _pull_one(ctx, cfg):
    from ..report import OPTIONS
    from ..suppressions.pull import mask, pull_suppressions

    client = cfg.client
    rep, verbose = ctx.reporter, OPTIONS.verbose
    report = pull_suppressions(ctx.ws, cfg, rep, ctx.clock.now(cfg.tz))
    for s in report.added:
        shown = s.address if verbose else mask(s.address)
        rep.output(f"unsubscribed {shown}  {s.reason}{' ' + s.detail if s.detail else ''}  from {s.source}"
                   + ("" if s.listed else "  (not on the audience list)"))
    for address, n in sorted(report.temporary.items()):
        rep.detail(f"temporary failures of {address if verbose else mask(address)}: {n}")
    for line in report.ignored + report.notes:
        rep.detail(line)
    counts = ", ".join(f"{n} {reason}" for reason, n in report.counts().items() if n)
    read = ", ".join(f"{n} from {source}" for source, n in report.messages.items())
    kinds = ", ".join(f"{n} {kind}" for kind, n in report.by_kind.items() if n)
    rep.output(f"{client}: {len(report.added)} added ({counts or 'nothing new'}); read {read or 'nothing'}"
               + (f" ({kinds})" if kinds else "")
               + (f"; {report.already} already unsubscribed" if report.already else ""))
    rep.problems(report.problems)
    count_errors(rep, report.problems)
    return report


def _no_source(cfg):
    from ..errors import Diagnostic

    return Diagnostic(cfg.path, cfg.line_of("mail") or None, "no source of opt-outs: [mail] has neither `imap` nor "
                      "`ses_events_queue`",
                      'add imap = "imaps://imap.example.com:993" with imap_user_env / imap_password_env, and/or '
                      'ses_events_queue = "https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE" (see the README, The mailbox)')
