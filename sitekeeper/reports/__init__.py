"""The client's activity report for a period: HTML, PDF and CSV, in the client's language.

    period.py   --month / --from --to -> a Period in the site's timezone (pure)
    history.py  git: the period's commits, the changed files, a folder as it was at a commit
    gather.py   reads the activity record, the state store, git and unsubscribed.csv -> Inputs
    model.py    Inputs -> Report (pure): pages added/changed/removed, publishes, promotions,
                campaigns, opt-outs, approvals, and the Gaps (what could not be read)
    words.py    the report's words (the catalogs' [report]), dates and numbers (CLDR) per language
    html.py     the HTML page (templates/report.html); pdf.py prints it with Chromium;
                table.py is the CSV for invoicing

``make_report`` is what `sitekeeper report` calls; ``write_report`` writes the files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..fsutil import atomic_write, temp_name
from .model import Report
from .period import BadPeriod, Period, month_period, previous_month, range_period

__all__ = ["BadPeriod", "Period", "Report", "Written", "choose_period", "make_report", "write_report"]


def choose_period(tz, now: datetime, month: str | None, start: str | None, end: str | None) -> Period:
    """--month, or --from/--to, or (neither) the last complete month. Raises BadPeriod."""
    if month and (start or end):
        raise BadPeriod("--month", "--month and --from/--to both given", "choose one")
    if month:
        return month_period(month, tz, now)
    if start or end:
        return range_period(start, end, tz, now.astimezone(tz))
    return previous_month(now.astimezone(tz))


def make_report(ws, client: str, clock, *, month: str | None = None, start: str | None = None,
                end: str | None = None, lang: str | None = None) -> Report:
    """The report of ``client`` for the period, in ``lang`` (default: the site's default language)."""
    from ..config import load_site
    from . import gather, model

    cfg = load_site(ws, client)
    now = clock.now(cfg.tz)
    period = choose_period(cfg.tz, now, month, start, end)
    return model.build(gather.collect(ws, client, period, lang or cfg.default_language, now))


@dataclass
class Written:
    html: Path
    csv: Path
    pdf: Path | None = None
    """None when the PDF was skipped."""
    pdf_skipped: str = ""
    """Why (no Chromium, no playwright)."""
    files: list = field(default_factory=list)


def write_report(report: Report, out: Path, pdf: bool = True) -> Written:
    """Writes <client>-<period>.html, .csv and (with Chromium) .pdf into ``out``."""
    from ..errors import MailError, OperationError
    from .html import render_html
    from .table import render_csv

    out.mkdir(parents=True, exist_ok=True)
    stem = f"{report.client}-{report.period.slug}"
    done = Written(out / f"{stem}.html", out / f"{stem}.csv")
    _write(done.html, render_html(report).encode("utf-8"))
    _write(done.csv, render_csv(report).encode("utf-8"))
    if pdf:
        from .pdf import print_pdf

        target = out / f"{stem}.pdf"
        tmp = temp_name(target)
        try:
            print_pdf(done.html, tmp)
            tmp.replace(target)
            done.pdf = target
        except MailError as exc:
            done.pdf_skipped = exc.message
        except Exception as exc:  # Chromium started but could not print: a failure, not a skip
            raise OperationError(f"the PDF could not be printed: {exc}",
                                 "check that Chromium runs (`chromium --headless --version`), or pass --no-pdf") \
                from exc
        finally:
            tmp.unlink(missing_ok=True)
    return done


def _write(path: Path, data: bytes) -> None:
    """A report file, atomically (the one atomic_write), so a reader never sees half a file."""
    atomic_write(path, data, mkdir=False)
