"""`sitekeeper report` and `sitekeeper status` on a workspace with two months of history.

A real git repository whose commits carry dates in October and November 2026, publishes to the
embedded folder target, a campaign approved and sent to the outbox, an opt-out by hand, all
under SITEKEEPER_NOW. Each month's report lists exactly that month's work; the PDF is read
back with pdftotext; `status --json` is compared with the state store's records; one client's
report holds nothing of the other's, and no subscriber's address.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import copy_workspace, need, result, sk

PROMO = """---
title: Martinsgans-Woche
starts: 2026-11-10 08:00
ends: 2026-11-20
banner: "Martinsgans: 10 % auf Vorbestellungen"
send_at: 2026-11-11 09:00
subject: "Martinsgans bei uns"
preheader: "Nur bis 19. November"
audience: all
approved: false
---
## Martinsgans

Bestellen Sie bis zum 19. November.
"""

PAGE = """---
title: Herbstkarte
---
Kürbissuppe und Zwetschgenkuchen.
"""

OTHER_SITE = """name = "Zweitladen Geheim"
base_url = "https://zweitladen.example"
languages = ["de"]
timezone = "Europe/Berlin"

[mail]
from = "Zweitladen <news@zweitladen.example>"
postal_address = "Nebenweg 2, 10115 Berlin"
unsubscribe_mailto = "ab@zweitladen.example"
"""


def git(ws: Path, *args: str, at: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Anna Assist", "GIT_AUTHOR_EMAIL": "anna@assist.example",
           "GIT_COMMITTER_NAME": "Anna Assist", "GIT_COMMITTER_EMAIL": "anna@assist.example"}
    if at:
        env.update(GIT_AUTHOR_DATE=at, GIT_COMMITTER_DATE=at)
    done = subprocess.run(["git", "-C", str(ws), *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(ws: Path, message: str, at: str) -> None:
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", message, at=at)


def ok(run) -> subprocess.CompletedProcess:
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    return run


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """mini and a second client, worked on in October and November 2026."""
    ws = copy_workspace("mini", tmp_path_factory.mktemp("reports"))
    (ws / "sites/zweitladen/content").mkdir(parents=True)
    (ws / "sites/zweitladen/site.toml").write_text(OTHER_SITE, encoding="utf-8")
    (ws / "sites/zweitladen/content/index.md").write_text("---\ntitle: Zweitladen Start\n---\nHallo.\n",
                                                         encoding="utf-8")
    (ws / ".gitignore").write_text(".sitekeeper/\npublic/\noutbox/\n", encoding="utf-8")
    git(ws, "init", "-q")
    commit(ws, "Two clients", "2026-10-05T10:00:00+02:00")
    ok(sk("publish", "mini", "--yes", cwd=ws, now="2026-10-05T11:00:00+02:00"))

    (ws / "sites/mini/content/herbst.md").write_text(PAGE, encoding="utf-8")
    commit(ws, "Mini: autumn menu page", "2026-10-12T09:00:00+02:00")
    ok(sk("publish", "mini", "--yes", cwd=ws, now="2026-10-12T09:30:00+02:00"))

    # November: an edit, a removal, a shared commit, the other client's own work.
    preise = ws / "sites/mini/content/preise.md"
    preise.write_text(preise.read_text(encoding="utf-8") + "\nNeu: Kürbiskuchen 3,80 €.\n", encoding="utf-8")
    (ws / "sites/mini/content/herbst.md").unlink()
    commit(ws, "Mini: new prices, autumn menu gone (asked by anna@example.com)", "2026-11-04T10:00:00+01:00")
    (ws / "sites/zweitladen/content/index.md").write_text("---\ntitle: Zweitladen Start\n---\nHallo!\n",
                                                         encoding="utf-8")
    idx = ws / "sites/mini/content/index.en.md"
    idx.write_text(idx.read_text(encoding="utf-8") + "\nWelcome!\n", encoding="utf-8")
    commit(ws, "Zweitladen secret plan and mini welcome", "2026-11-05T10:00:00+01:00")
    (ws / "sites/zweitladen/content/geheim.md").write_text("---\ntitle: Zweitladen Geheimseite\n---\nX\n",
                                                          encoding="utf-8")
    commit(ws, "Zweitladen only", "2026-11-06T10:00:00+01:00")
    ok(sk("publish", "zweitladen", "--yes", cwd=ws, now="2026-11-06T10:30:00+01:00"))
    ok(sk("publish", "mini", "--yes", cwd=ws, now="2026-11-06T11:00:00+01:00"))

    (ws / "campaigns/mini/martini.md").write_text(PROMO, encoding="utf-8")
    ok(sk("campaign", "approve", "mini/martini", "--by", "Frau Weber", cwd=ws, now="2026-11-09T16:00:00+01:00"))
    commit(ws, "Mini: St Martin's goose week", "2026-11-09T16:05:00+01:00")
    ok(sk("publish", "mini", "--yes", cwd=ws, now="2026-11-10T08:05:00+01:00"))
    ok(sk("campaign", "send", "mini/martini", cwd=ws, now="2026-11-11T09:05:00+01:00"))
    ok(sk("unsubscribe", "mini", "bob@example.org", cwd=ws, now="2026-11-15T12:00:00+01:00"))
    commit(ws, "Mini: an opt-out", "2026-11-15T12:05:00+01:00")
    return ws


def report(ws: Path, *args: str, now: str = "2026-12-02T09:00:00+01:00", out: Path | None = None,
           env: dict | None = None):
    extra = ["--out", str(out)] if out else []
    return sk("report", "mini", *args, *extra, "--json", cwd=ws, now=now, env=env)


def test_each_months_report_lists_exactly_that_months_work(history, tmp_path):
    october = result(ok(report(history, "--month", "2026-10", out=tmp_path / "oct")))
    november = result(ok(report(history, "--month", "2026-11", out=tmp_path / "nov")))

    added = {(p["title"], p["url"]) for p in october["pages"] if p["change"] == "added"}
    assert ("Herbstkarte", "https://mini.example/herbst/") in added
    assert ("Preise", "https://mini.example/preise/") in added  # the site began this month
    assert [p for p in october["pages"] if p["change"] != "added"] == []
    assert len(october["publishes"]) == 2 and october["campaigns"] == [] and october["approvals"] == []
    assert october["totals"]["optouts"] == 0

    by_change = {}
    for p in november["pages"]:
        by_change.setdefault(p["change"], set()).add(p["title"])
    assert by_change["removed"] == {"Herbstkarte"}
    assert "Preise" in by_change["changed"]
    assert "added" not in by_change
    assert [p["at"][:10] for p in november["publishes"]] == ["2026-11-06", "2026-11-10"]
    [campaign] = november["campaigns"]
    sent = len(list((history / "outbox/mini/martini").glob("*.eml")))
    assert campaign["slug"] == "martini" and campaign["sent"] == sent >= 1
    assert november["totals"]["sent"] == sent
    assert [(a["slug"], a["by"]) for a in november["approvals"]] == [("martini", "Frau Weber")]
    assert november["optouts"]["unsubscribe"] == 1 and november["totals"]["optouts"] == 1
    assert [p["slug"] for p in november["promotions"]] == ["martini"]
    assert november["complete"] is True and november["gaps"] == []


def test_a_report_is_in_the_clients_language_and_the_pdf_reads_back(history, tmp_path, chromium):
    run = ok(report(history, "--month", "2026-11", out=tmp_path))
    files = result(run)["files"]
    html = Path(files["html"]).read_text(encoding="utf-8")
    assert 'lang="de"' in html and "Tätigkeitsbericht" in html and "November 2026" in html
    assert "Martinsgans-Woche" in html and "Frau Weber" in html
    if not shutil.which("pdftotext"):
        need("pdftotext is not installed", "apt-get install poppler-utils, or bash scripts/setup.sh --test")
    assert files["pdf"], result(run)
    text = subprocess.run(["pdftotext", "-layout", files["pdf"], "-"], capture_output=True, text=True,
                          check=True).stdout
    sent = len(list((history / "outbox/mini/martini").glob("*.eml")))
    assert "Mini Café" in text and "Tätigkeitsbericht" in text
    assert "E-Mails zugestellt" in text and "Martinsgans-Woche" in text
    # The campaign's row: its title, its date and the number reached.
    rows = [line.split() for line in text.splitlines() if line.split()[:2] == ["Martinsgans-Woche", "11.11.2026"]]
    assert [r[2] for r in rows] == [str(sent)], text
    csv_text = Path(files["csv"]).read_text(encoding="utf-8")
    assert csv_text.splitlines()[0] == "date,time,category,item,detail,count"
    assert any(line.startswith("2026-11-11,") and ",campaign_sent,Martinsgans-Woche," in line
               and line.endswith(f",{sent}") for line in csv_text.splitlines())

    english = ok(report(history, "--month", "2026-11", "--lang", "en", "--no-pdf", out=tmp_path / "en"))
    html_en = Path(result(english)["files"]["html"]).read_text(encoding="utf-8")
    assert "Activity report" in html_en and "Tätigkeitsbericht" not in html_en


def test_one_clients_report_holds_nothing_of_anothers_and_no_address(history, tmp_path):
    run = ok(report(history, "--month", "2026-11", out=tmp_path))
    files = result(run)["files"]
    texts = [Path(files["html"]).read_text(encoding="utf-8"), Path(files["csv"]).read_text(encoding="utf-8"),
             run.stdout]
    if files["pdf"] and shutil.which("pdftotext"):
        texts.append(subprocess.run(["pdftotext", files["pdf"], "-"], capture_output=True, text=True).stdout)
    addresses = [line.split(",")[0] for line in
                 (history / "campaigns/mini/audience.csv").read_text(encoding="utf-8").splitlines()[1:]]
    for text in texts:
        assert "Zweitladen" not in text and "zweitladen" not in text and "Geheim" not in text
        for address in addresses + ["bob@example.org"]:
            assert address not in text
    work = result(run)
    subjects = [line for line in texts[1].splitlines() if ",commit," in line]
    assert any("Website-Dateien aktualisiert" in s for s in subjects)  # the shared commit, neutral
    assert any("…@example.com" in s for s in subjects)  # an address in a subject is masked
    assert work["client"] == "mini"


def test_a_missing_record_is_stated_and_fails_unless_allowed(history, tmp_path):
    ws = tmp_path / "copy"
    shutil.copytree(history, ws)
    # A publish that happened before the activity record existed: the target's record, no event.
    events = sorted((ws / ".sitekeeper/state/activity/mini").rglob("*.json"))
    publishes = [p for p in events if json.loads(p.read_text())["kind"] == "publish"]
    publishes[-1].unlink()
    failed = report(ws, "--month", "2026-11", out=tmp_path / "a")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    last = result(failed)
    assert last["ok"] is False and last["complete"] is False
    assert [g["kind"] for g in last["gaps"]] == ["publish"]
    html = Path(last["files"]["html"]).read_text(encoding="utf-8")
    assert "Fehlende Aufzeichnungen" in html and "nicht im Tätigkeitsprotokoll" in html

    allowed = ok(report(ws, "--month", "2026-11", "--allow-gaps", "--no-pdf", out=tmp_path / "b"))
    assert result(allowed)["ok"] is True and result(allowed)["gaps"]

    # A state store that cannot be read at all.
    (ws / "sitekeeper.toml").write_text('state = "s3://reports-test-bucket/state"\n', encoding="utf-8")
    env = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "", "AWS_CONFIG_FILE": "/nonexistent",
           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"}
    blind = report(ws, "--month", "2026-11", "--no-pdf", out=tmp_path / "c", env=env)
    assert blind.returncode == 1, blind.stdout + blind.stderr
    assert "store" in [g["kind"] for g in result(blind)["gaps"]]


def test_the_pdf_is_skipped_with_the_fix_when_chromium_is_missing(history, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git"))
    run = sk("report", "mini", "--month", "2026-10", "--out", str(tmp_path / "out"), cwd=history,
             now="2026-12-02T09:00:00+01:00", env={"PATH": str(bin_dir)})
    assert run.returncode == 0, run.stderr
    assert "PDF skipped" in run.stderr and "bash scripts/setup.sh --proofs" in run.stderr
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".csv", ".html"]


def test_bad_periods_are_usage_errors(history):
    for args in (["--month", "2026-13"], ["--month", "November"], ["--from", "2026-11-10", "--to", "2026-11-01"],
                 ["--month", "2026-11", "--from", "2026-11-01"], ["--lang", "xx"]):
        run = sk("report", "mini", *args, cwd=history, now="2026-12-02T09:00:00+01:00")
        assert run.returncode == 2, (args, run.stderr)


def test_a_range_of_days_counts_only_those_days(history, tmp_path):
    run = ok(report(history, "--from", "2026-11-10", "--to", "2026-11-12", "--no-pdf", out=tmp_path))
    got = result(run)
    assert [p["at"][:10] for p in got["publishes"]] == ["2026-11-10"]
    assert got["campaigns"][0]["slug"] == "martini" and got["approvals"] == []
    assert Path(got["files"]["html"]).name == "mini-2026-11-10_2026-11-12.html"


def test_status_json_matches_the_records(history):
    run = sk("status", "--json", cwd=history, now="2026-11-16T10:00:00+01:00")
    assert run.returncode == 0, run.stdout + run.stderr
    rows = {r["client"]: r for r in result(run)["clients"]}
    mini = rows["mini"]
    record = json.loads((history / ".sitekeeper/state/published/mini/default.json").read_text())
    assert mini["last_publish"]["at"] == record["at"] and mini["last_publish"]["commit"] == record["commit"]
    assert mini["last_publish"]["by"]
    sent = len(list((history / "outbox/mini/martini").glob("*.eml")))
    assert mini["sends"] == {"sent": sent, "uncertain": 0, "failed": 0}
    assert mini["live"] == ["martini"] and mini["optouts_month"] == 1
    assert mini["approvals_waiting"] == [] and mini["next_send"] is None
    # The campaign's newsletter page went live at its send time, after the last publish.
    assert mini["behind"] and mini["pages"] >= 3
    assert rows["zweitladen"]["behind"] == ""
    assert rows["zweitladen"]["sends"]["sent"] == 0 and rows["zweitladen"]["optouts_month"] == 0
    # Reading only: status wrote nothing to the state store.
    before = sorted(p.relative_to(history) for p in (history / ".sitekeeper/state").rglob("*"))
    ok(sk("status", cwd=history, now="2026-11-16T10:00:00+01:00"))
    assert sorted(p.relative_to(history) for p in (history / ".sitekeeper/state").rglob("*")) == before


def test_status_says_when_a_target_is_behind(history, tmp_path):
    ws = tmp_path / "copy"
    shutil.copytree(history, ws)
    (ws / "sites/mini/content/neu.md").write_text("---\ntitle: Neu\n---\nNeu.\n", encoding="utf-8")
    run = ok(sk("status", "mini", "--json", cwd=ws, now="2026-11-16T10:00:00+01:00"))
    [mini] = result(run)["clients"]
    assert mini["behind"] == "content changed since the last publish"
    table = ok(sk("status", "mini", cwd=ws, now="2026-11-16T10:00:00+01:00")).stdout
    assert "mini" in table and "behind" in table
