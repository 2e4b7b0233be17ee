"""The state store's keys (sitekeeper/state/keys.py) are the strings every existing store already
holds: a changed one would make sitekeeper forget what it published, sent and pulled."""
from __future__ import annotations

from sitekeeper.state import keys


def test_each_key_is_the_string_a_store_already_holds():
    assert keys.published_key("mini", "production") == "published/mini/production.json"
    assert keys.deployed_key("mini", "production") == "published/mini/production.files.json"
    assert keys.target_prefix("mini", "production") == "targets/mini/production"
    assert keys.campaign_prefix("mini", "martini") == "campaigns/mini/martini/"
    assert keys.campaign_complete_key("mini", "martini") == "campaigns/mini/martini/complete"
    assert keys.campaign_lock_key("mini", "martini") == "campaigns/mini/martini/lock"
    assert keys.pulled_key("mini") == "pulled/mini"
    assert keys.suppressions_lock_key("mini") == "mini/suppressions/lock"
    assert keys.report_sent_key("mini", "2026-11") == "reports/mini/sent/2026-11.json"
    assert keys.report_last_key("mini") == "reports/mini/last.json"
    assert keys.activity_prefix("mini", "2026-11") == "activity/mini/2026-11/"
    assert keys.tick_lock_key() == "locks/tick"
    assert keys.tick_lock_key("1-of-2") == "locks/tick-1-of-2"
    assert keys.previews_prefix() == "previews/" and keys.previews_prefix("mini") == "previews/mini/"
    assert keys.preview_key("mini", "k3x9") == "previews/mini/k3x9.json"
    assert keys.approvals_prefix() == "approvals/" and keys.approvals_prefix("mini") == "approvals/mini/"
    assert keys.approvals_prefix("mini", "martini") == "approvals/mini/martini/"
    assert keys.approval_key("mini", "martini", "ab12") == "approvals/mini/martini/ab12.json"
    assert keys.signup_pending_prefix("mini") == "mini/signup/pending/"
    assert keys.signup_pending_key("mini", "f00d") == "mini/signup/pending/f00d.json"
    assert keys.live_key("mini") == "live/mini.json"


def test_the_use_cases_build_their_keys_here():
    from sitekeeper import live, publish, schedule
    from sitekeeper.deploy import target_state
    from sitekeeper.mail import send
    from sitekeeper.reports import send as report_send
    from sitekeeper.state import activity, ledger, published
    from sitekeeper.suppressions import pull

    assert published.published_key is keys.published_key and published.deployed_key is keys.deployed_key
    assert publish.deployed_key is keys.deployed_key
    assert target_state.store_key_prefix is keys.target_prefix
    assert ledger.campaign_prefix is keys.campaign_prefix
    assert send.campaign_complete_key is keys.campaign_complete_key
    assert pull.pulled_key is keys.pulled_key
    assert report_send.sent_key is keys.report_sent_key and report_send.last_key is keys.report_last_key
    assert activity.activity_prefix is keys.activity_prefix
    assert schedule.tick_lock_key is keys.tick_lock_key
    assert live.live_key is keys.live_key


def test_tick_status_and_reports_read_the_last_publish_from_state():
    from pathlib import Path

    import sitekeeper

    pkg = Path(sitekeeper.__file__).parent
    for name in ("schedule.py", "status.py", "reports/gather.py"):
        text = (pkg / name).read_text(encoding="utf-8")
        assert "state.published import last_published" in text, name
        assert "publish import last_published" not in text.replace("state.published import", ""), name
