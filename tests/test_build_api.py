"""The build's public questions about time: what the site shows at an instant, and when
that changes next (what `tick` and `status` rely on)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitekeeper.build import next_change, site_outputs
from sitekeeper.build.plan import next_change_in
from sitekeeper.config import find_workspace, load_site
from sitekeeper.content.pages import Page

from helpers import copy_workspace

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture()
def mini(tmp_path):
    ws = find_workspace(copy_workspace("mini", tmp_path))
    return ws, load_site(ws, "mini")


def _page(name: str, **kw) -> Page:
    return Page(relpath=f"{name}.md", source=f"content/{name}.md", lang="de", key=name, title=name, body="",
                body_line=4, **kw)


def test_next_change_is_the_promotion_start_in_the_site_zone(mini):
    ws, cfg = mini
    found = next_change(ws, cfg, datetime(2026, 2, 20, 12, 0, tzinfo=BERLIN))
    assert found == datetime(2026, 3, 1, 8, 0, tzinfo=BERLIN)
    assert found.tzinfo == cfg.tz


def test_next_change_is_strictly_after_the_given_instant(mini):
    ws, cfg = mini
    starts = datetime(2026, 3, 1, 8, 0, tzinfo=BERLIN)
    assert next_change(ws, cfg, starts) == datetime(2026, 3, 15, 0, 0, tzinfo=BERLIN)  # the exclusive end


def test_next_change_accepts_an_instant_in_another_zone(mini):
    ws, cfg = mini
    # 07:30 UTC is 08:30 in Berlin: the promotion has started, its end is next.
    after = datetime(2026, 3, 1, 7, 30, tzinfo=timezone.utc)
    assert next_change(ws, cfg, after) == datetime(2026, 3, 15, 0, 0, tzinfo=BERLIN)


def test_next_change_after_the_promotion_is_a_page_publish_then_its_expiry(mini):
    ws, cfg = mini
    assert next_change(ws, cfg, datetime(2026, 3, 20, tzinfo=BERLIN)) == datetime(2026, 6, 1, tzinfo=BERLIN)
    assert next_change(ws, cfg, datetime(2026, 6, 1, tzinfo=BERLIN)) == datetime(2026, 9, 1, tzinfo=BERLIN)


def test_with_nothing_scheduled_the_next_change_is_new_year_in_the_site_zone(mini):
    ws, cfg = mini
    found = next_change(ws, cfg, datetime(2026, 9, 2, tzinfo=BERLIN))
    # The footer shows the year: it changes at midnight in Berlin, an hour before UTC's.
    assert found == datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc)


def test_drafts_never_bring_a_change():
    pages = [_page("entwurf", draft=True, publish=datetime(2026, 4, 1, tzinfo=BERLIN)),
             _page("neu", publish=datetime(2026, 5, 1, tzinfo=BERLIN))]
    after = datetime(2026, 3, 1, tzinfo=BERLIN)
    assert next_change_in(pages, [], after, BERLIN) == datetime(2026, 5, 1, tzinfo=BERLIN)


def test_past_boundaries_are_ignored():
    pages = [_page("alt", publish=datetime(2025, 1, 1, tzinfo=BERLIN), expires=datetime(2026, 2, 1, tzinfo=BERLIN))]
    after = datetime(2026, 3, 1, tzinfo=BERLIN)
    assert next_change_in(pages, [], after, BERLIN) == datetime(2027, 1, 1, tzinfo=BERLIN)


def test_the_site_outputs_change_exactly_at_next_change(mini):
    ws, cfg = mini
    after = datetime(2026, 2, 20, 12, 0, tzinfo=BERLIN)
    change = next_change(ws, cfg, after)
    before = site_outputs(ws, cfg, change - timedelta(seconds=1))
    at = site_outputs(ws, cfg, change)
    assert set(before.outputs) == set(site_outputs(ws, cfg, after).outputs)
    assert "promotions/fruehling/index.html" not in before.outputs
    assert "promotions/fruehling/index.html" in at.outputs


def _with_closed_days(ws, days: str) -> None:
    toml = ws.root / "sites" / "mini" / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[business]\ntype = "CafeOrCoffeeShop"\n'
                    f'hours = {{ mon-fri = "08:00-18:00" }}\nclosed = [{days}]\n', encoding="utf-8")


def test_the_midnight_after_a_closed_day_is_a_change(mini):
    ws, _ = mini
    _with_closed_days(ws, '"2026-09-10", "2026-12-24"')
    cfg = load_site(ws, "mini")
    # Between the last promotion boundary (1 September) and New Year: the closed days' ends.
    assert next_change(ws, cfg, datetime(2026, 9, 2, tzinfo=BERLIN)) == datetime(2026, 9, 11, tzinfo=BERLIN)
    assert next_change(ws, cfg, datetime(2026, 9, 11, tzinfo=BERLIN)) == datetime(2026, 12, 25, tzinfo=BERLIN)


def test_a_past_closed_day_leaves_the_pages_without_an_input_change(mini):
    from helpers import sk

    ws, _ = mini
    _with_closed_days(ws, '"2026-09-10", "2026-12-24"')
    on_the_day = sk("build", "mini", "--out", "out", cwd=ws.root, now="2026-09-10T12:00:00+02:00")
    assert on_the_day.returncode == 0, on_the_day.stderr
    home = (ws.root / "out" / "index.html").read_text(encoding="utf-8")
    assert 'datetime="2026-09-10"' in home and 'datetime="2026-12-24"' in home
    # The next morning, nothing in the workspace changed: the build must still not keep the old page.
    next_day = sk("build", "mini", "--out", "out", cwd=ws.root, now="2026-09-11T07:00:00+02:00")
    assert next_day.returncode == 0, next_day.stderr
    home = (ws.root / "out" / "index.html").read_text(encoding="utf-8")
    assert 'datetime="2026-09-10"' not in home and 'datetime="2026-12-24"' in home
