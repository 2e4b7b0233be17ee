"""The report as CSV for invoicing: one row per piece of work, in stable English column names
and ISO dates (a spreadsheet sorts and sums them), whatever the report's language."""
from __future__ import annotations

import csv
import io

from .model import Report

COLUMNS = ("date", "time", "category", "item", "detail", "count")


def render_csv(report: Report) -> str:
    rows: list[tuple] = []

    def add(when, category: str, item: str, detail: str = "", count: int | str = 1) -> None:
        rows.append((f"{when:%Y-%m-%d}" if when else "", f"{when:%H:%M}" if when else "", category, item, detail,
                     count))

    for p in report.pages:
        add(p.at, f"page_{p.change}", p.title, p.url + (" (scheduled)" if p.scheduled else ""))
    if report.other_files:
        add(None, "files_changed", "images and other files", "", report.other_files)
    for c in report.work:
        add(c.at, "commit", c.subject, c.commit)
    for pub in report.publishes:
        add(pub.at, "publish", pub.target, f"{pub.uploaded} uploaded, {pub.deleted} deleted, {pub.bytes} bytes, "
            f"commit {pub.commit or '-'}")
    for pr in report.promotions:
        window = f"{pr.starts:%Y-%m-%d} to {pr.ends:%Y-%m-%d} (exclusive)" if pr.starts and pr.ends else ""
        add(pr.starts, "promotion", pr.title, f"{window}; approval: {pr.approval}")
    for camp in report.campaigns:
        if camp.unsent:
            add(camp.first, "campaign_due_unsent", camp.title, "approved and due, not sent", 0)
            continue
        skipped = ", ".join(f"{n} {k}" for k, n in camp.skipped.items())
        add(camp.first, "campaign_sent", camp.title, f"{camp.failed} failed, {camp.uncertain} uncertain"
            + (f"; not sent to: {skipped}" if skipped else ""), camp.sent)
    for kind, n in report.optouts.items():
        if n:
            add(None, "opt_out", kind, "", n)
    for a in report.approvals:
        add(a.at, "approval", a.title, f"by {a.by}")
    from .html import gap_lines

    for line in gap_lines(report):
        add(None, "missing_record", line, "", "")
    rows.sort(key=lambda r: (r[0] == "", r[0], r[1]))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buf.getvalue()
