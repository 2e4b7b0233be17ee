"""The one clock and dates read in each site's timezone, DST included."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitekeeper.clock import BadDate, Clock, parse_when

BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")


def test_date_only_is_midnight_in_the_site_timezone():
    when = parse_when("2026-03-01", BERLIN)
    assert when == datetime(2026, 3, 1, tzinfo=BERLIN)
    assert when.utcoffset() == timedelta(hours=1)


def test_summer_dates_carry_the_summer_offset():
    assert parse_when("2026-07-01 09:00", BERLIN).utcoffset() == timedelta(hours=2)


def test_a_wall_time_in_the_spring_gap_moves_past_it():
    # 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00)
    when = parse_when("2026-03-29 02:30", BERLIN)
    assert when.astimezone(timezone.utc) == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)


def test_an_explicit_offset_is_an_instant():
    when = parse_when("2026-03-01T09:00:00+00:00", BERLIN)
    assert when.hour == 10 and when.tzinfo == BERLIN


def test_yaml_dates_are_accepted():
    assert parse_when(date(2026, 1, 2), NY) == datetime(2026, 1, 2, tzinfo=NY)


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "01.03.2026", "2026-02-30"])
def test_bad_dates_are_refused_with_the_value(bad):
    with pytest.raises(BadDate) as exc:
        parse_when(bad, BERLIN)
    assert repr(bad) in str(exc.value) and "not a date" in str(exc.value)


def test_clock_with_offset_is_one_instant_for_every_site():
    clock = Clock.from_value("2026-03-01T09:30:00+01:00")
    assert clock.now(BERLIN) == clock.now(NY)


def test_clock_without_offset_is_read_in_each_site_timezone():
    clock = Clock.from_value("2026-03-01 09:30")
    assert clock.now(BERLIN).hour == 9 and clock.now(NY).hour == 9
    assert clock.now(BERLIN) != clock.now(NY)


def test_clock_reads_sitekeeper_now(monkeypatch):
    monkeypatch.setenv("SITEKEEPER_NOW", "2026-05-05T10:00:00+02:00")
    assert Clock.from_value(None).now(BERLIN) == datetime(2026, 5, 5, 10, tzinfo=BERLIN)


def test_unset_clock_is_the_real_time():
    before = datetime.now(timezone.utc)
    assert Clock.from_value(None).now(BERLIN) >= before
