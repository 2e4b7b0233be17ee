"""Commands of the deploy side: publish and trust.

``publish`` checks its arguments, calls ``publish.publish_clients`` once and turns
its report into result lines and the exit code (1 naming the clients that failed).
"""
from __future__ import annotations

import sys
from typing import List, Optional

import typer

from ..errors import DeployError
from .common import (AT_OPTION, JOBS_OPTION, JSON_OPTION, SHARD_OPTION, complete_client, count_errors, jobs_option,
                     open_context, parse_shard_option, run_command, usage_error)


def publish_command(
    clients: Optional[List[str]] = typer.Argument(None, help="Clients to publish (folders under sites/).",
                                                  autocompletion=complete_client),
    all_clients: bool = typer.Option(False, "--all", help="Publish every client."),
    changed_since: Optional[str] = typer.Option(
        None, "--changed-since", metavar="REF",
        help="Publish the clients whose sites/<client>/ or campaigns/<client>/ changed between the git "
             "revision REF and the working tree (untracked files count; a change to sitekeeper.toml means all)."),
    target: Optional[str] = typer.Option(None, "--target", help="A [deploy.NAME] target (default: the first)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan (every upload with its reason, every delete) and change nothing."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before deleting files at the target (needed without a terminal)."),
    allow_deletes: bool = typer.Option(False, "--allow-deletes", help="Allow more deletes than the cap (25 % of the site or 256 files)."),
    rollback: bool = typer.Option(False, "--rollback", help="Atomic SFTP targets: switch back to the previous release."),
    deletes_first: bool = typer.Option(
        False, "--deletes-first",
        help="Delete the files the new build no longer has before uploading (when the host's disk or quota is "
             "full); pages may link to removed files for the length of the upload."),
    shard: Optional[str] = SHARD_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Build, plan and deploy a client's site (over SFTP, FTPS, to S3 or to a folder)."""
    if changed_since is not None and (clients or all_clients or rollback):
        given = " and ".join(x for x in (" ".join(clients or []), "--all" if all_clients else "",
                                         "--rollback" if rollback else "") if x)
        raise typer.BadParameter(f"cannot be combined with {given}: it picks the clients itself. Pass client "
                                 "names, --all, or --changed-since REF, one of the three",
                                 param_hint="'--changed-since'")
    if shard is not None and not all_clients:
        raise typer.BadParameter("goes with --all (each runner of a matrix takes its share of every client): "
                                 "write publish --all --shard I/N", param_hint="'--shard'")
    taken = parse_shard_option(shard)
    if changed_since is not None and not changed_since.strip():
        raise typer.BadParameter("needs a git revision, e.g. --changed-since HEAD~1 or origin/main",
                                 param_hint="'--changed-since'")
    from ..publish import changed_clients_since, publish_clients

    ctx = open_context(json_output, at)
    if changed_since is not None:
        names = changed_clients_since(ctx.ws, changed_since, ctx.reporter)
        if not names:
            ctx.reporter.result({"changed_since": changed_since, "clients": []})
            ctx.reporter.output(f"no client changed since {changed_since}; nothing to publish")
            return
    else:
        names = ctx.ws.clients() if all_clients else list(clients or [])
        if taken is not None:
            names = taken.select(names)
            ctx.reporter.result({"shard": str(taken), "dry_run": dry_run, "clients": names})
            if not names:
                ctx.reporter.output(f"shard {taken}: no client falls in this shard; nothing to publish")
                return
    if not names:
        usage_error(ctx.reporter, "publish", "no client to publish",
                    "name the clients (sitekeeper publish CLIENT...), or pass --all or --changed-since REF")
    for name in names:
        ctx.ws.require_client(name)
    ask = None if json_output or not sys.stdin.isatty() else _ask_before_deleting
    report = publish_clients(ctx.ws, names, ctx.clock, ctx.reporter, target=target, dry_run=dry_run, yes=yes,
                             allow_deletes=allow_deletes, rollback=rollback, confirm_deletes=ask,
                             deletes_first=deletes_first, jobs=jobs_option(jobs))
    for done in report.published:
        ctx.reporter.result(done.as_json())
    if report.failed:
        if len(names) == 1:  # one client: its problems are the command's problems
            count_errors(ctx.reporter, report.failed[0].problems)
        else:
            ctx.reporter.output(f"{len(report.failed)} of {len(names)} clients not published: "
                                f"{', '.join(report.failed_clients)}")
        if ctx.reporter.json:
            ctx.reporter.result({"ok": False, "failed": list(report.failed_clients),
                                 "problems": [d.as_json() for f in report.failed for d in f.problems]})
        raise typer.Exit(1)


def _ask_before_deleting(client: str, target_name: str, plan) -> bool:
    shown = "\n".join(f"  {p}" for p in plan.deletes[:20])
    more = f"\n  ... and {len(plan.deletes) - 20} more" if len(plan.deletes) > 20 else ""
    typer.echo(f"{client} -> {target_name}: these files will be deleted:\n{shown}{more}", err=True)
    return typer.confirm("Delete them?", default=False, err=True)


def trust_command(
    client: str = typer.Argument(..., help="The client whose SFTP or FTPS target to trust.",
                                 autocompletion=complete_client),
    target: Optional[str] = typer.Option(None, "--target", help="A [deploy.NAME] target (default: the first)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Pin without asking (you checked the fingerprint another way)."),
    json_output: bool = JSON_OPTION,
):
    """Connect once, show the SSH host key (sftp://) or TLS certificate (ftps://) fingerprint and pin it in site.toml."""
    ctx = open_context(json_output, None)
    from ..config import load_site
    from ..config.deploy import choose_target
    from ..deploy.trust import is_pinned, observe, pin_host_key_file, pin_key

    site = load_site(ctx.ws, client)
    tgt = choose_target(site, ctx.ws.root, target)
    what, seen = observe(tgt, client)
    key = pin_key(tgt)
    ctx.reporter.output(f"{client} -> {tgt.name}: {tgt.host}:{tgt.port} presents a {what} {seen}")
    if is_pinned(tgt, seen):
        ctx.reporter.result({"client": client, "target": tgt.name, "fingerprint": seen, "pinned": False,
                             "already_pinned": True})
        ctx.reporter.output("already pinned; nothing to change")
        return
    if not yes:
        if json_output or not sys.stdin.isatty():
            raise DeployError(f"{client}: target {tgt.name} presents {seen}; compare it with the fingerprint your "
                              "hosting provider publishes, then run again with --yes to pin it")
        if not typer.confirm(f"Is {seen} the fingerprint your hosting provider lists? Pin it in {site.path}",
                             default=False, err=True):
            raise typer.Exit(1)
    path = site.root / "site.toml"
    pin_host_key_file(path, tgt.name, seen, key)
    ctx.reporter.result({"client": client, "target": tgt.name, "fingerprint": seen, "pinned": True,
                         "file": ctx.ws.rel(path)})
    ctx.reporter.output(f"pinned {key} = \"{seen}\" in [deploy.{tgt.name}] of {ctx.ws.rel(path)}")


publish_command = run_command(publish_command)
trust_command = run_command(trust_command)
