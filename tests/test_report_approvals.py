"""The report says what happened to a campaign: a commit that only records approvals is listed
as an approval (even when it records them for two clients at once, which would otherwise be
the neutral "website files updated" line), and an approved campaign that fell due in the
period but was not sent is listed as such instead of "nothing in this period"."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import copy_workspace, sk
from test_reports import OTHER_SITE, commit, git, ok

PROMO = """---
title: {title}
starts: 2026-11-10 08:00
ends: 2026-11-20
banner: "{title}: 10 % auf Vorbestellungen"
send_at: 2026-11-11 09:00
subject: "{title}"
preheader: "Nur bis 19. November"
audience: all
approved: false
---
Bestellen Sie bis zum 19. November.
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    ws = copy_workspace("mini", tmp_path_factory.mktemp("approvals"))
    (ws / "sites/zweitladen/content").mkdir(parents=True)
    (ws / "sites/zweitladen/site.toml").write_text(OTHER_SITE, encoding="utf-8")
    (ws / "sites/zweitladen/content/index.md").write_text("---\ntitle: Start\n---\nHallo.\n", encoding="utf-8")
    (ws / ".gitignore").write_text(".sitekeeper/\npublic/\noutbox/\n", encoding="utf-8")
    (ws / "campaigns/mini/martini.md").write_text(PROMO.format(title="Martinsgans-Woche"), encoding="utf-8")
    (ws / "campaigns/zweitladen").mkdir(parents=True, exist_ok=True)
    (ws / "campaigns/zweitladen/herbst.md").write_text(PROMO.format(title="Zweitladen Herbst"), encoding="utf-8")
    git(ws, "init", "-q")
    commit(ws, "Two clients, two promotions", "2026-11-02T10:00:00+01:00")
    # both clients approve; one commit records both approvals (as a scheduled job would)
    ok(sk("campaign", "approve", "mini/martini", "--by", "Frau Weber", cwd=ws, now="2026-11-09T16:00:00+01:00"))
    ok(sk("campaign", "approve", "zweitladen/herbst", "--by", "Herr Geheim", cwd=ws, now="2026-11-09T16:01:00+01:00"))
    commit(ws, "Record approvals", "2026-11-09T16:05:00+01:00")
    # nothing is sent: the campaign falls due on 11 November and stays unsent
    return ws


@pytest.fixture(scope="module")
def november(ws, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    r = ok(sk("report", "mini", "--month", "2026-11", "--no-pdf", "--out", str(out), "--json", cwd=ws,
              now="2026-12-02T09:00:00+01:00"))
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    csv = next(out.glob("*.csv")).read_text(encoding="utf-8")
    return {"json": lines[-1], "html": html, "csv": csv}


def _report(got: dict) -> dict:
    return got["json"].get("report", got["json"])


def test_an_approval_only_commit_is_listed_as_the_approval(november):
    html = november["html"]
    work = html[html.index("Arbeitsprotokoll"):]
    row = work[work.index("09.11.2026 16:05"):].split("</tr>")[0]
    assert "Freigabe: Martinsgans-Woche (freigegeben von Frau Weber)" in row
    assert "Website-Dateien aktualisiert" not in row and "Record approvals" not in row
    # the other client's promotion and approver stay out of mini's report
    assert "Zweitladen" not in html and "Geheim" not in html


def test_a_due_approved_campaign_that_was_not_sent_is_shown_as_such(november):
    html = november["html"]
    start = html.index("<h2>E-Mail-Kampagnen")
    section = html[start:html.index("<h2>", start + 4)]
    assert "In diesem Zeitraum nichts." not in section
    assert "Martinsgans-Woche" in section and "freigegeben und fällig, nicht versendet" in section
    assert "11.11.2026 09:00" in section
    assert "campaign_due_unsent" in november["csv"]


def test_the_json_result_marks_the_unsent_campaign(november, ws, tmp_path):
    r = ok(sk("report", "mini", "--month", "2026-11", "--no-pdf", "--out", str(tmp_path), "--json", cwd=ws,
              now="2026-12-02T09:00:00+01:00"))
    text = r.stdout
    assert '"unsent": true' in text and "martini" in text


def test_a_sent_campaign_is_not_shown_as_unsent(ws, tmp_path):
    sent = tmp_path / "ws"
    import shutil

    shutil.copytree(ws, sent)
    ok(sk("campaign", "send", "mini/martini", cwd=sent, now="2026-11-11T09:05:00+01:00"))
    r = ok(sk("report", "mini", "--month", "2026-11", "--no-pdf", "--out", str(tmp_path / "out"), "--json",
              cwd=sent, now="2026-12-02T09:00:00+01:00"))
    assert '"unsent": true' not in r.stdout
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert "nicht versendet" not in html


@pytest.mark.usefixtures("chromium")
def test_the_pdfs_first_page_is_filled_before_a_section_moves_on(ws, tmp_path):
    """Paper sections close up: the first A4 page holds the website, publishing, promotions and
    the campaigns (it ended after the promotions, a fifth of the page left empty)."""
    import shutil
    import subprocess

    from helpers import need

    if not shutil.which("pdftotext"):
        need("pdftotext is not installed", "apt-get install poppler-utils, or bash scripts/setup.sh --test")
    ok(sk("report", "mini", "--month", "2026-11", "--out", str(tmp_path), cwd=ws, now="2026-12-02T09:00:00+01:00"))
    pdf = next(tmp_path.glob("*.pdf"))
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    for heading in ("Website", "Veröffentlichungen", "Aktionen", "E-Mail-Kampagnen"):
        assert heading in first, f"{heading} is not on page 1:\n{first}"
    assert "nicht versendet" in first
