"""sitekeeper status | report: every client at a glance, and a client's activity report."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .common import AT_OPTION, JSON_OPTION, print_table, complete_client, open_context, out_path, run_command, usage_error
from ..locale.tags import base as language_of


@run_command
def status_command(
    clients: Optional[list[str]] = typer.Argument(None, metavar="[CLIENT]...", help="Only these clients (default: all).",
                                                  autocompletion=complete_client),
    check_targets: bool = typer.Option(False, "--check-targets", help="Also connect to each default target and plan "
                                       "a publish (a dry run) to see whether it is behind; changes nothing."),
    check_live: bool = typer.Option(
        False, "--check-live",
        help="Instead: fetch what each client's public site (base_url, or the target's public_url) serves and "
             "compare it with what the last publish deployed: changed, missing and extra pages, HTTP errors, the "
             "TLS certificate's days left. Only that host is contacted; exit 1 when anything differs or the "
             "certificate has under 21 days."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """One table of all clients: pages, last publish, whether the target is behind, promotions,
    the next send, sends done/uncertain/failed, opt-outs this month, approvals waiting. Reads
    local files and the state store only (no host is contacted unless --check-targets)."""
    from ..status import client_status

    ctx = open_context(json_output, at)
    for c in clients or []:
        ctx.ws.require_client(c)
    if check_live:
        if check_targets:
            usage_error(ctx.reporter, "--check-live", "cannot be combined with --check-targets",
                        "run `status --check-targets` and `status --check-live` one after the other")
        _live(ctx, list(clients or ctx.ws.clients()))
        return
    rows = client_status(ctx.ws, list(clients or ctx.ws.clients()), ctx.clock, check_targets=check_targets)
    problems = [d for r in rows for d in r.problems]
    ctx.reporter.problems(problems)
    if not ctx.reporter.json:
        _print_table(rows)
    ctx.reporter.result({"ok": not problems, "clients": [r.as_json() for r in rows],
                         "problems": [d.as_json() for d in problems]})
    if problems:
        raise typer.Exit(1)


def _live(ctx, clients: list[str]) -> None:
    """status --check-live: one row per client, the differences named below the table."""
    from ..jobs import default_jobs, run_each
    from ..live import CERT_WARN_DAYS, check_live
    from ..state import open_workspace_store

    store = open_workspace_store(ctx.ws)
    checks = run_each(clients, lambda c, _rep: check_live(ctx.ws, c, ctx.clock, store), default_jobs(), ctx.reporter)
    problems = [d for c in checks for d in c.problems]
    ctx.reporter.problems(problems)
    if not ctx.reporter.json:
        _print_live(checks)
        for c in checks:
            for line in _live_lines(c, CERT_WARN_DAYS):
                ctx.reporter.output(line)
    ok = all(c.ok for c in checks)
    ctx.reporter.result({"ok": ok, "live": [c.as_json() for c in checks], "problems": [d.as_json() for d in problems]})
    if not ok:
        raise typer.Exit(1)


def _live_lines(c, warn_days: int) -> list[str]:
    lines = []
    for kind in ("changed", "missing", "extra"):
        paths = getattr(c, kind)
        if paths:
            more = f" and {len(paths) - 10} more" if len(paths) > 10 else ""
            lines.append(f"{c.client}: {kind} ({len(paths)}): {', '.join(paths[:10])}{more}")
    for e in c.errors[:10]:
        lines.append(f"{c.client}: {e['path']}: {e.get('error') or 'HTTP ' + str(e.get('status'))}")
    if c.tls_error:
        lines.append(f"{c.client}: TLS certificate of {c.url}: {c.tls_error}")
    if c.tls_days_left is not None and c.tls_days_left < warn_days:
        lines.append(f"{c.client}: TLS certificate of {c.url} expires in {c.tls_days_left} days: renew it")
    return lines


def _print_live(checks) -> None:
    from rich.table import Table

    table = Table(header_style="bold")
    for col in ("client", "site", "checked", "changed", "missing", "extra", "errors", "TLS days left"):
        table.add_column(col, justify="right" if col not in ("client", "site") else "left")
    for c in checks:
        if c.problems:
            table.add_row(c.client, c.url or "?", "–", "–", "–", "–", "–", "–")
            continue
        days = "–" if c.tls_days_left is None else str(c.tls_days_left)
        table.add_row(c.client, c.url, str(c.checked), str(len(c.changed)), str(len(c.missing)), str(len(c.extra)),
                      str(len(c.errors)), days + (" (untrusted)" if c.tls_error else ""))
    print_table(table, "no clients", bool(checks))


def _when(iso: str | None) -> str:
    """A recorded time as the table shows it, with its UTC offset: each client's own zone differs."""
    from datetime import datetime

    if not iso:
        return "?"
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso[:16].replace("T", " ")
    offset = at.strftime("%z")
    zone = f" {offset[:3]}:{offset[3:]}" if offset else ""
    return f"{at:%Y-%m-%d %H:%M}{zone}"


def _print_table(rows) -> None:
    from rich.table import Table

    table = Table(header_style="bold")
    for col in ("client", "pages", "last publish", "target", "promotions", "next send", "sends", "opt-outs",
                "approvals waiting", "last report"):
        table.add_column(col, no_wrap=col in ("client",), justify="right" if col in ("pages", "opt-outs") else "left")
    for r in rows:
        last = r.last_publish
        if last:
            shown = f"{_when(last['at'])} {last['commit'] or ''}".strip()
            if last.get("by"):
                shown += f"\nby {last['by']}"
        else:
            # "?" only when the row could not be read that far (a damaged ledger still is)
            shown = "never" if not r.problems or r.behind is not None else "?"
        if r.behind is None:
            target = f"{r.target}: ?" if r.target else "?"
        else:
            target = f"{r.target}: [yellow]behind[/yellow] ({r.behind})" if r.behind else f"{r.target}: up to date"
        promos = ", ".join([f"[green]{s}[/green] (live)" for s in r.live] + [f"{s} (later)" for s in r.upcoming]) or "–"
        nxt = r.next_send
        send = "–" if not nxt else f"{nxt['campaign']} {_when(nxt['at'])}" + (
            "" if nxt["approved"] else " [red](not approved)[/red]")
        sends = f"{r.sends['sent']} sent"
        if r.sends["uncertain"]:
            sends += f", [yellow]{r.sends['uncertain']} uncertain[/yellow]"
        if r.sends["failed"]:
            sends += f", [red]{r.sends['failed']} failed[/red]"
        if r.damaged:
            sends += "\n[red]ledger damaged: " + ", ".join(r.damaged) + "[/red]"
        table.add_row(r.client + ("\n[red]records unreadable[/red]" if r.problems else ""),
                      "?" if r.pages is None else str(r.pages), shown, target, promos, send, sends,
                      str(r.optouts_month), _waiting(r), _report_cell(r.last_report))
    print_table(table, "no clients yet: create one with `sitekeeper new client NAME`", bool(rows))


def _report_cell(last: dict | None) -> str:
    if not last:
        return "–"
    return f"{last.get('period', '?')} to {last.get('to', '?')}\n{_when(last.get('sent_at'))}"


@run_command
def report_command(
    client: str = typer.Argument(..., metavar="CLIENT", help="The client.", autocompletion=complete_client),
    month: Optional[str] = typer.Option(None, "--month", metavar="YYYY-MM",
                                        help="The calendar month (default: the last complete month)."),
    start: Optional[str] = typer.Option(None, "--from", metavar="YYYY-MM-DD", help="First day of a range instead."),
    end: Optional[str] = typer.Option(None, "--to", metavar="YYYY-MM-DD|ADDR",
                                      help="Last day of the range (default: today); with --send, an address "
                                      "(one with @) is whom the report is mailed to instead."),
    lang: Optional[str] = typer.Option(None, "--lang", help="The report's language (default: the site's default)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder (default: .sitekeeper/reports/CLIENT)."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Print a PDF with Chromium too."),
    allow_gaps: bool = typer.Option(False, "--allow-gaps", help="Exit 0 even when a record is missing (the report "
                                    "still says what is missing)."),
    send: bool = typer.Option(False, "--send", help="Also mail it (HTML body, PDF attached) through the client's "
                              "transport to [business] email, or to --to ADDR; the send is recorded."),
    json_output: bool = JSON_OPTION,
    at: Optional[str] = AT_OPTION,
):
    """The client's activity report for a month (or --from/--to): site changes, publishes,
    promotions, campaigns reached, opt-outs, approvals; as HTML, PDF and CSV, in the client's
    language. A record that cannot be read is stated in the report and exits 1 (unless --allow-gaps)."""
    from ..errors import Diagnostic
    from ..reports import BadPeriod, make_report, write_report
    from ..reports.html import gap_lines
    from ..reports.words import LANGUAGES

    ctx = open_context(json_output, at)
    ctx.ws.require_client(client)
    send_to = None
    if end is not None and "@" in end:
        if not send:
            usage_error(ctx.reporter, "--to", f"{end!r} is an address, but nothing is sent",
                        "add --send to mail the report to it, or give --to a date")
        send_to, end = end, None
    mail = _send_setup(ctx, client, send_to) if send else None
    if lang is not None and language_of(lang) not in LANGUAGES:
        usage_error(ctx.reporter, "--lang", f"no report words in {lang!r}", f"choose one of {', '.join(LANGUAGES)}")
    try:
        report = make_report(ctx.ws, client, ctx.clock, month=month, start=start, end=end, lang=lang)
    except BadPeriod as exc:
        usage_error(ctx.reporter, exc.where, exc.message, exc.fix)
    folder = out_path(out) or ctx.ws.root / ".sitekeeper" / "reports" / client
    shown = report.period.slug.replace("_", " to ")
    ctx.reporter.info(f"{client}: writing the report for {shown}")
    if folder.exists() and not folder.is_dir():
        usage_error(ctx.reporter, "--out", f"{folder} is a file, not a folder", "give a folder for the report's files")
    try:
        written = write_report(report, folder, pdf=pdf)
    except OSError as exc:
        from ..errors import OperationError

        raise OperationError(f"cannot write the report into {folder}: {exc.strerror or exc}",
                             "give --out a folder you may write to", path="--out") from exc
    rep = ctx.reporter
    if written.pdf_skipped:
        rep.warn(f"PDF skipped: {written.pdf_skipped}; to get it: bash scripts/setup.sh --proofs")
    t = report.totals
    rep.output(f"{client}: activity report for {shown}: "
               f"{t['pages_added']} pages added, {t['pages_changed']} updated, {t['pages_removed']} removed; "
               f"{t['publishes']} publishes; {t['sent']} emails sent; {t['optouts']} opt-outs; "
               f"{t['approvals']} approvals")
    for f in (written.html, written.pdf, written.csv):
        if f is not None:
            rep.output(f"  {f}")
    gaps = [Diagnostic(client, None, f"missing record: {line}",
                       "the report says so; pass --allow-gaps to accept it", "warning" if allow_gaps else "error")
            for line in gap_lines(_english(report))]
    files = {"html": str(written.html), "csv": str(written.csv), "pdf": str(written.pdf) if written.pdf else None,
             "pdf_skipped": written.pdf_skipped or None}
    if gaps and not allow_gaps:
        rep.problems(gaps)
        if rep.json:
            rep.result({"ok": False, **report.as_json(), "files": files, "problems": [g.as_json() for g in gaps]})
        raise typer.Exit(1)
    rep.problems(gaps)
    sent = None
    if mail is not None:
        sent = _send_now(ctx, mail, report, written)
    rep.result({"ok": True, **report.as_json(), "files": files, **({"sent": sent} if sent else {})})


def _send_setup(ctx, client: str, to: str | None):
    """Before any work: where the report goes, the transport's settings and the state store."""
    from ..config import load_site
    from ..errors import Diagnostic, ProblemsError
    from ..mail.transport import open_transport
    from ..state import open_workspace_store

    from ..reports.send import recipient

    cfg = load_site(ctx.ws, client)
    address = recipient(cfg, to)
    if not cfg.mail.from_:
        raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("mail") or None,
                                        "the report cannot be sent: [mail] from is not set",
                                        'add `from = "Name <news@example.com>"` under [mail]')])
    now = ctx.clock.now(cfg.tz)
    # the transport's settings (an unset password variable) are checked before the report is made
    transport = open_transport(ctx.ws, cfg, label=f"{now:%Y%m%dT%H%M%S}", folder="reports")
    return cfg, address, open_workspace_store(ctx.ws), transport


def _send_now(ctx, mail, report, written) -> dict:
    from ..reports.send import send_report

    cfg, address, store, transport = mail
    if written.pdf is None:
        ctx.reporter.warn("the report goes without its PDF (it was not printed)")
    record = send_report(transport, cfg, store, report, written, address, ctx.clock.now(cfg.tz), ws=ctx.ws)
    ctx.reporter.output(f"{cfg.client}: report mailed to {record['to']} via {record['transport']} "
                        f"(id {record['id']})")
    return record


def _english(report):
    from dataclasses import replace

    return replace(report, lang="en")


def _waiting(r) -> str:
    """The campaigns waiting for approval, each with its request when one waits."""
    asked = getattr(r, "approvals_requested", {}) or {}
    return ", ".join(f"{slug} ({asked[slug]})" if slug in asked else slug for slug in r.approvals_waiting) or "–"
