"""`sitekeeper tick` and `sitekeeper ci init`."""
from __future__ import annotations

from typing import Optional

import typer

from .common import (AT_OPTION, JOBS_OPTION, JSON_OPTION, SHARD_OPTION, count_errors, jobs_option, open_context,
                     parse_shard_option, run_command, usage_error)


@run_command
def tick_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what is due and change nothing."),
    shard: Optional[str] = SHARD_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    check_live: bool = typer.Option(
        False, "--check-live",
        help="Also compare each client's public site with its last deploy, at most once a day per client "
             "(as status --check-live does): drift or a certificate under 21 days is a failure of that client."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """All due work for all clients: republish sites whose visible content changed with time,
    pull opt-outs, send due campaigns, mail the month's report, remove expired private previews.
    Cheap when nothing is due; safe to run every few minutes."""
    from ..schedule import tick

    taken = parse_shard_option(shard)
    ctx = open_context(json_output, at)
    report = tick(ctx.ws, ctx.clock, ctx.reporter, dry_run=dry_run, shard=taken, jobs=jobs_option(jobs),
                  check_live=check_live)
    if report.held_by:
        ctx.reporter.output(f"tick: another tick is running ({report.held_by}); nothing done")
    elif report.lock_problem:
        ctx.reporter.problems(report.lock_problem)
    else:
        for c in report.clients:
            ctx.reporter.problems(c.problems)
        if report.idle:
            where = f" of shard {report.shard}" if report.shard else ""
            ctx.reporter.output(f"tick: nothing due for {len(report.clients)} clients{where}")
        else:
            for c in report.clients:
                if c.did_something:
                    ctx.reporter.output(_line(c, dry_run))
    ctx.reporter.result(report.as_json())
    if not report.ok:
        failed = [c.client for c in report.clients if c.problems]
        count_errors(ctx.reporter, [d for c in report.clients for d in c.problems] + list(report.lock_problem))
        if failed and not ctx.reporter.json:
            ctx.reporter.output(f"tick: {len(failed)} of {len(report.clients)} clients failed: {', '.join(failed)}")
        raise typer.Exit(1)


def _line(c, dry_run: bool) -> str:
    parts = []
    if c.published:
        parts.append(("would publish" if dry_run else "published") + f" ({c.published})")
    if c.pulled and any(c.pulled.values()):
        parts.append("opt-outs " + ", ".join(f"{k} {v}" for k, v in c.pulled.items() if v))
    for s in c.sent:
        parts.append(f"{'would send' if dry_run else 'sent'} {s.get('campaign')}: {s.get('sent', 0)}")
    if c.live:
        live = c.live
        parts.append(f"would check the live site {live['would_check']}" if "would_check" in live else
                     f"live site checked ({live['checked']} files): " + ("as deployed" if live["ok"] else
                     f"changed {live['changed']}, missing {live['missing']}, extra {live['extra']}"))
    if c.reported:
        parts.append(f"would mail the report for {c.reported.get('would_send')}" if dry_run
                     else f"report for {c.reported.get('period')} mailed to {c.reported.get('to')}")
    if c.previews_removed:
        parts.append(("would remove" if dry_run else "removed") + " expired previews " + ", ".join(c.previews_removed))
    return f"{c.client}: " + "; ".join(parts)


@run_command
def ci_init_command(
    kind: str = typer.Argument(..., metavar="github|gitlab", help="Which CI to write a workflow for."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing workflow file."),
    shards: int = typer.Option(1, "--shards", metavar="N",
                               help="Run the tick as a matrix of N jobs, each `tick --shard I/N` in its own "
                                    "concurrency group (needs the S3 state store)."),
    json_output: bool = JSON_OPTION,
):
    """Write a CI workflow: check and publish changed clients on push, a dry run on pull requests,
    tick every 15 minutes; secrets by name only."""
    from ..ci import write_workflow

    ctx = open_context(json_output, None)
    if kind not in ("github", "gitlab"):
        usage_error(ctx.reporter, kind, f"unknown CI {kind!r}", "write `sitekeeper ci init github` or `sitekeeper ci init gitlab`")
    result = write_workflow(ctx.ws, kind, force=force, reporter=ctx.reporter, shards=shards)
    ctx.reporter.result(result)
    ctx.reporter.output(f"wrote {result['file']}")
    if result["secrets"]:
        ctx.reporter.output("add these secrets in the CI's settings (names only are in the file):")
        for name, why in result["secrets"].items():
            ctx.reporter.output(f"  {name:32} {why}")
    for note in result["notes"]:
        ctx.reporter.output(f"note: {note}")
