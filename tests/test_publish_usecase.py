"""The publish use case called directly (no command line): several clients to dir: targets,
a broken client reported while the others still go out, deletes gated, dry runs touch nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import copy_workspace

from sitekeeper.clock import Clock
from sitekeeper.config import find_workspace
from sitekeeper.publish import PublishReport, publish_clients
from sitekeeper.report import RecordingReporter

AT = "2026-03-05T10:00:00+01:00"


def add_dir_target(root: Path, client: str) -> None:
    toml = root / "sites" / client / "site.toml"
    toml.write_text(toml.read_text() + f'\n[deploy.local]\nurl = "dir:out/{client}"\n', encoding="utf-8")


@pytest.fixture
def root(tmp_path) -> Path:
    """The mini workspace, its client publishing to dir:out/mini."""
    root = copy_workspace("mini", tmp_path)
    add_dir_target(root, "mini")
    return root


def publish(root: Path, clients, reporter=None, **options) -> tuple[PublishReport, RecordingReporter]:
    reporter = reporter or RecordingReporter()
    report = publish_clients(find_workspace(root), clients, Clock.from_value(AT), reporter, **options)
    return report, reporter


def test_a_client_with_a_broken_site_toml_fails_and_the_next_one_still_publishes(root):
    shutil.copytree(root / "sites" / "mini", root / "sites" / "kaputt")
    (root / "sites" / "kaputt" / "site.toml").write_text('name = "Kaputt\nbase_url = "https://kaputt.example"\n',
                                                       encoding="utf-8")

    report, rec = publish(root, ["kaputt", "mini"], yes=True)

    assert not report.ok and report.clients == ("kaputt", "mini")
    assert report.failed_clients == ["kaputt"]
    problems = report.failed[0].problems
    assert problems and all(p.path == "sites/kaputt/site.toml" for p in problems)
    assert problems[0].line == 1
    assert [p.client for p in report.published] == ["mini"]
    done = report.published[0]
    assert done.target == "local" and done.deploy is not None and not done.deploy.dry_run
    assert "index.html" in done.deploy.uploaded and done.deploy.deleted == []
    assert done.as_json()["client"] == "mini" and done.as_json()["bytes_uploaded"] > 0
    assert (root / "out" / "mini" / "index.html").is_file()
    assert not (root / "out" / "kaputt").exists()
    # The failure went through the reporter as it happened, before the next client.
    kinds = [kind for kind, _ in rec.lines]
    failed_at = kinds.index("client-failed")
    assert rec.lines[failed_at][1] == {"client": "kaputt"}
    assert "problem" in kinds[:failed_at]
    assert any(kind == "output" and text.startswith("mini -> local") for kind, text in rec.lines[failed_at:])
    # The use case itself emits no result lines: those are the caller's to write.
    assert rec.results == []


def test_a_republish_without_changes_uploads_nothing(root):
    first, _ = publish(root, ["mini"])
    again, _ = publish(root, ["mini"])
    assert first.ok and again.ok
    assert again.published[0].deploy.uploaded == []
    assert again.published[0].deploy.plan.unchanged == len(first.published[0].deploy.uploaded)


def test_deletes_need_yes_or_a_confirmation_and_are_refused_without(root):
    assert publish(root, ["mini"])[0].ok
    stale = root / "out" / "mini" / "stale.html"
    stale.write_text("old", encoding="utf-8")

    refused, _ = publish(root, ["mini"])
    assert refused.failed_clients == ["mini"]
    assert "no terminal" in refused.failed[0].problems[0].message and stale.exists()

    asked = []
    declined, _ = publish(root, ["mini"], confirm_deletes=lambda c, t, plan: asked.append((c, t, list(plan.deletes))) or False)
    assert asked == [("mini", "local", ["stale.html"])]
    assert declined.failed_clients == ["mini"] and stale.exists()

    confirmed, _ = publish(root, ["mini"], confirm_deletes=lambda c, t, plan: True)
    assert confirmed.ok and list(confirmed.published[0].deploy.deleted) == ["stale.html"]
    assert not stale.exists()


def test_a_dry_run_reports_the_plan_with_reasons_and_writes_nothing(root):
    report, rec = publish(root, ["mini"], dry_run=True)
    assert report.ok and report.published[0].deploy.dry_run
    uploads = [data for kind, data in rec.lines if kind == "plan-upload"]
    assert {"path": "index.html", "reason": "new"}.items() <= next(u for u in uploads if u["path"] == "index.html").items()
    assert sorted(u["path"] for u in uploads) == sorted(report.published[0].deploy.uploaded)
    assert not (root / "out").exists()


def test_rollback_of_a_folder_target_is_a_failure_with_the_fix(root):
    report, _ = publish(root, ["mini"], rollback=True)
    assert report.failed_clients == ["mini"]
    assert "--rollback needs an sftp:// target" in report.failed[0].problems[0].message
    assert not (root / "out").exists()
