"""The activity record: publishes and approvals are recorded by the commands themselves."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from helpers import copy_workspace, sk
from sitekeeper.state import LocalStore, activity

NOW = "2026-03-05T12:00:00+01:00"


def test_publish_and_approval_are_in_the_month_record(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    assert sk("publish", "mini", "--yes", cwd=ws, now=NOW).returncode == 0
    assert sk("publish", "mini", "--dry-run", cwd=ws, now=NOW).returncode == 0   # a dry run is not recorded
    approved = sk("campaign", "approve", "mini/fruehling", "--by", "Frau Weber", cwd=ws, now=NOW)
    assert approved.returncode == 0, approved.stderr
    events = activity.read(LocalStore(ws / ".sitekeeper/state"), "mini", "2026-03")
    assert [e.kind for e in events] == ["publish", "approval"]
    pub, appr = events
    assert pub.data["target"] == "default" and pub.data["uploaded"] > 5 and pub.data["bytes"] > 0
    assert "index.html" in pub.data["pages"] and pub.by
    assert appr.data == {"campaign": "fruehling", "approved_by": "Frau Weber",
                         "approved_hash": appr.data["approved_hash"]} and len(appr.data["approved_hash"]) > 8
    assert activity.read(LocalStore(ws / ".sitekeeper/state"), "other", "2026-03") == []


def test_concurrent_records_are_all_kept(tmp_path):
    store = LocalStore(tmp_path / "state")
    at = datetime(2026, 11, 30, 23, 59, 59, tzinfo=timezone.utc)

    def rec(i):
        activity.record(store, "c", "send", {"n": i}, at=at, by="t")

    threads = [threading.Thread(target=rec, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e.data["n"] for e in activity.read(store, "c", "2026-11")) == list(range(20))
    assert activity.months_around("2026-01") == ["2025-12", "2026-01", "2026-02"]
