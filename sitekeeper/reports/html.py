"""The report as one self-contained HTML page: the client's colours and logo, readable on a
phone, printable (the PDF is Chromium's print of it)."""
from __future__ import annotations

from pathlib import Path

from . import words
from .model import Report

TEMPLATES = Path(__file__).parent / "templates"


def period_label(report: Report) -> str:
    p, lang = report.period, report.lang
    if p.month:
        return words.month_title(p.month[0], p.month[1], lang)
    from datetime import timedelta

    return f"{words.date(p.start, lang)} – {words.date(p.end - timedelta(days=1), lang)}"


def gap_lines(report: Report) -> list[str]:
    """Each missing record as a sentence in the report's language."""
    out = []
    for g in report.gaps:
        values = {k: (words.date_time(v, report.lang) if hasattr(v, "tzinfo") else
                      words.number(v, report.lang) if isinstance(v, int) else v) for k, v in g.values.items()}
        out.append(words.say(report.lang, f"gap_{g.kind}", **values))
    return out


def render_html(report: Report) -> str:
    from datetime import timedelta

    from ..render.env import make_env

    lang = report.lang
    env = make_env(TEMPLATES / "none", builtin=TEMPLATES)
    return env.get_template("report.html").render(
        r=report, w=words.strings(lang), theme=report.theme, totals=report.totals, period_label=period_label(report),
        gaps=gap_lines(report), host=report.base_url.split("://", 1)[-1].rstrip("/"), langs=len({p.lang for p in report.pages}),
        say=lambda key, **v: words.say(lang, key, **v), num=lambda n: words.number(n, lang),
        size=lambda n: words.size(n, lang), day=lambda d: words.date(d, lang),
        short=lambda d: words.short_date(d, lang), stamp=lambda d: words.date_time(d, lang),
        last_day=lambda d: d - timedelta(microseconds=1) if d else None,
    )
