"""Commands of the deploy side: publish and trust.

Each is a few lines: open the context, load the site, call the core
(``apply.publish_folder``, ``trust.trust_target``) and hand the result to the reporter.
"""
from __future__ import annotations

import sys
from typing import List, Optional

import typer

from .common import AT_OPTION, JSON_OPTION, open_context, run_command
from ..errors import DeployError, SitekeeperError


def publish_command(
    clients: Optional[List[str]] = typer.Argument(None, help="Clients to publish (folders under sites/)."),
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
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """Build, plan and deploy a client's site (over SFTP, to S3 or to a folder)."""
    if changed_since is not None and (clients or all_clients or rollback):
        given = " and ".join(x for x in (" ".join(clients or []), "--all" if all_clients else "",
                                         "--rollback" if rollback else "") if x)
        raise typer.BadParameter(f"cannot be combined with {given}: it picks the clients itself. Pass client "
                                 "names, --all, or --changed-since REF, one of the three",
                                 param_hint="'--changed-since'")
    if changed_since is not None and not changed_since.strip():
        raise typer.BadParameter("needs a git revision, e.g. --changed-since HEAD~1 or origin/main",
                                 param_hint="'--changed-since'")
    ctx = open_context(json_output, at)
    if changed_since is not None:
        names = _changed_clients(ctx, changed_since)
        if not names:
            ctx.reporter.result({"changed_since": changed_since, "clients": []})
            ctx.reporter.info(f"no client changed since {changed_since}; nothing to publish")
            return
    else:
        names = ctx.ws.clients() if all_clients else list(clients or [])
    if not names:
        raise DeployError("name the clients to publish, or pass --all or --changed-since REF")

    failed: list[str] = []
    for client in names:
        # Clients are independent: one client's broken page is reported (and nothing of
        # that client is deployed) while the others still go out; the exit code says so.
        try:
            _publish_one(ctx, client, target, rollback, dry_run, allow_deletes, yes, json_output)
        except SitekeeperError as exc:
            if len(names) == 1:
                raise
            ctx.reporter.problems(exc.diagnostics())
            ctx.reporter.event("client-failed", client=client)
            failed.append(client)
    if failed:
        ctx.reporter.info(f"{len(failed)} of {len(names)} clients not published: {', '.join(failed)}")
        raise typer.Exit(1)


def _publish_one(ctx, client, target, rollback, dry_run, allow_deletes, yes, json_output) -> None:
    from ..config import load_site
    from ..deploy.apply import publish_folder
    from ..deploy.targets import choose_target

    site = load_site(ctx.ws, client)
    tgt = choose_target(site, ctx.ws.root, target)
    if rollback:
        from ..deploy.apply import rollback_target

        release = rollback_target(tgt, client, ctx.reporter)
        ctx.reporter.result({"client": client, "target": tgt.name, "rollback": release})
        ctx.reporter.info(f"{client} -> {tgt.name}: live release is now {release}")
        return
    folder = _build(ctx, client)
    report = publish_folder(
        folder, tgt, client, ctx.reporter, dry_run=dry_run, allow_deletes=allow_deletes,
        confirm_deletes=_confirmer(client, tgt.name, yes, json_output),
        show_plan=(lambda plan, c=client, t=tgt: _show_plan(ctx.reporter, c, t, plan)) if dry_run else None,
    )
    ctx.reporter.result(report.as_json())
    ctx.reporter.info(report.summary())


def _changed_clients(ctx, ref: str) -> list[str]:
    from ..deploy.changes import changed_clients

    changes = changed_clients(ctx.ws.root, ref, ctx.ws.clients())
    for name in changes.removed:
        ctx.reporter.warn(f"{name}: changed since {ref} but has no sites/{name}/site.toml any more; nothing "
                          "to publish for it (its target is left as it is)")
    if changes.clients:
        why = "sitekeeper.toml changed: all clients" if changes.everything else "changed"
        ctx.reporter.event("changed", ref=ref, clients=changes.clients, all=changes.everything)
        ctx.reporter.info(f"since {ref}, {why}: {', '.join(changes.clients)}")
    return changes.clients


def _build(ctx, client: str):
    try:
        from ..build import build_client
    except ImportError as exc:  # pragma: no cover - while the builder is being written
        raise DeployError(f"{client}: the site builder is not available ({exc}); cannot publish") from exc
    result = build_client(ctx.ws, client, ctx.clock, ctx.reporter)
    return result.out


def _show_plan(reporter, client: str, target, plan) -> None:
    from ..report import human_bytes
    from ..deploy.plan import PHASE_NAMES

    reporter.info(f"{client} -> {target.name} ({target.url}): plan")
    for phase, uploads in plan.phases():
        reporter.info(f"  {PHASE_NAMES[phase]}:")
        for u in uploads:
            reporter.info(f"    upload {u.path}  ({u.reason}, {human_bytes(u.size)})")
            reporter.event("plan-upload", path=u.path, reason=u.reason, bytes=u.size)
    for path in plan.deletes:
        reporter.info(f"    delete {path}")
        reporter.event("plan-delete", path=path)
    reporter.info(f"  {len(plan.uploads)} uploads ({human_bytes(plan.bytes)}), {len(plan.deletes)} deletes, "
                  f"{plan.unchanged} unchanged")
    if plan.deletes_over_cap:
        reporter.warn(f"{len(plan.deletes)} deletes exceed the cap of {plan.delete_cap}: a real publish "
                      "refuses them unless --allow-deletes")


def _confirmer(client: str, target_name: str, yes: bool, json_output: bool):
    def confirm(plan) -> bool:
        if yes:
            return True
        if json_output or not sys.stdin.isatty():
            raise DeployError(
                f"{client}: publishing to {target_name} deletes {len(plan.deletes)} files "
                f"({', '.join(plan.deletes[:3])}{', ...' if len(plan.deletes) > 3 else ''}) and there is no terminal "
                "to confirm; nothing was changed. Check with --dry-run, then pass --yes")
        shown = "\n".join(f"  {p}" for p in plan.deletes[:20])
        more = f"\n  ... and {len(plan.deletes) - 20} more" if len(plan.deletes) > 20 else ""
        typer.echo(f"{client} -> {target_name}: these files will be deleted:\n{shown}{more}", err=True)
        return typer.confirm("Delete them?", default=False, err=True)

    return confirm


def trust_command(
    client: str = typer.Argument(..., help="The client whose SFTP target to trust."),
    target: Optional[str] = typer.Option(None, "--target", help="A [deploy.NAME] target (default: the first)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Pin without asking (you checked the fingerprint another way)."),
    json_output: bool = JSON_OPTION,
):
    """Connect once, show the SSH host key fingerprint and pin it in site.toml."""
    ctx = open_context(json_output, None)
    from ..config import load_site
    from ..deploy.targets import choose_target
    from ..deploy.trust import pin_host_key_file, observe

    site = load_site(ctx.ws, client)
    tgt = choose_target(site, ctx.ws.root, target)
    keytype, seen = observe(tgt, client)
    ctx.reporter.info(f"{client} -> {tgt.name}: {tgt.host}:{tgt.port} presents a {keytype} key {seen}")
    pinned = tgt.options.get("host_key")
    pins = pinned if isinstance(pinned, list) else [pinned] if pinned else []
    if seen in pins:
        ctx.reporter.result({"client": client, "target": tgt.name, "fingerprint": seen, "pinned": False,
                             "already_pinned": True})
        ctx.reporter.info("already pinned; nothing to change")
        return
    if not yes:
        if json_output or not sys.stdin.isatty():
            raise DeployError(f"{client}: target {tgt.name} presents {seen}; compare it with the fingerprint your "
                              "hosting provider publishes, then run again with --yes to pin it")
        if not typer.confirm(f"Is {seen} the key your hosting provider lists? Pin it in {site.path}", default=False,
                             err=True):
            raise typer.Exit(1)
    path = site.root / "site.toml"
    pin_host_key_file(path, tgt.name, seen)
    ctx.reporter.result({"client": client, "target": tgt.name, "fingerprint": seen, "pinned": True,
                         "file": ctx.ws.rel(path)})
    ctx.reporter.info(f"pinned host_key = \"{seen}\" in [deploy.{tgt.name}] of {ctx.ws.rel(path)}")


publish_command = run_command(publish_command)
trust_command = run_command(trust_command)
