"""sitekeeper calendar: the .ics is read back with icalendar; UIDs stay put when dates move."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from icalendar import Calendar

from helpers import sk

NOW = "2026-12-07T10:00:00+01:00"


def _events(path: Path) -> dict[str, list]:
    cal = Calendar.from_ical(path.read_bytes())
    out: dict[str, list] = {}
    for ev in cal.walk("VEVENT"):
        out.setdefault(str(ev.get("categories").cats[0]), []).append(ev)
    return out


def _calendar(ws: Path, *args: str) -> Path:
    out = ws / "out" / "cal.ics"
    r = sk("calendar", *args, "--out", str(out), cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    return out


def test_calendar_holds_windows_sends_closed_days_in_the_sites_zone(demo_workspace):
    out = _calendar(demo_workspace)
    cal = Calendar.from_ical(out.read_bytes())
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"Europe/Berlin", "Europe/Prague"}
    ev = _events(out)
    window = next(e for e in ev["promotion"] if "Adventsaktion" in str(e["SUMMARY"]))
    start = window.decoded("DTSTART")
    assert start == datetime.fromisoformat("2026-11-20T08:00:00+01:00")
    assert window["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert window.decoded("DTEND").date() == date(2027, 1, 7)
    send = next(e for e in ev["send"] if "Sonnenkorn" in str(e["SUMMARY"]))
    assert send.decoded("DTSTART") == datetime.fromisoformat("2026-11-24T09:00:00+01:00")
    assert "not approved" in str(send["DESCRIPTION"])
    closed = sorted(e.decoded("DTSTART") for e in ev["closed"] if "Sonnenkorn" in str(e["SUMMARY"]))
    assert closed == [date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)]
    uids = [str(e["UID"]) for group in ev.values() for e in group]
    assert len(uids) == len(set(uids))


def test_uids_stay_when_a_promotions_dates_move(demo_workspace):
    before = _events(_calendar(demo_workspace))
    promo = demo_workspace / "campaigns" / "baeckerei-sonnenkorn" / "adventsaktion.md"
    text = promo.read_text(encoding="utf-8")
    promo.write_text(text.replace("starts: 2026-11-20 08:00", "starts: 2026-11-21 09:30"), encoding="utf-8")
    after = _events(_calendar(demo_workspace))
    pick = lambda ev: next(e for e in ev["promotion"] if "Adventsaktion" in str(e["SUMMARY"]))  # noqa: E731
    assert str(pick(before)["UID"]) == str(pick(after)["UID"])
    assert pick(after).decoded("DTSTART") == datetime.fromisoformat("2026-11-21T09:30:00+01:00")
    assert sorted(str(e["UID"]) for g in before.values() for e in g) == \
        sorted(str(e["UID"]) for g in after.values() for e in g)


def test_pages_publish_and_expires_and_the_report_day(demo_workspace):
    site = demo_workspace / "sites" / "baeckerei-sonnenkorn"
    (site / "content" / "winterpause.md").write_text(
        "---\ntitle: Winterpause\npublish: 2026-12-20 06:00\nexpires: 2027-01-02\n---\n\nWir machen Pause.\n",
        encoding="utf-8")
    (site / "content" / "winterpause.en.md").write_text(
        "---\ntitle: Winter break\npublish: 2026-12-20 06:00\nexpires: 2027-01-02\n---\n\nWe take a break.\n",
        encoding="utf-8")
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('timezone = "Europe/Berlin"\n',
                                                               'timezone = "Europe/Berlin"\nreport_day = 3\n'),
                    encoding="utf-8")
    ev = _events(_calendar(demo_workspace, "baeckerei-sonnenkorn"))
    # one event per page, not per translation, titled in the default language
    assert [str(e["SUMMARY"]) for e in ev["page-publish"]] == ["Bäckerei Sonnenkorn: page “Winterpause” goes live"]
    assert ev["page-publish"][0].decoded("DTSTART") == datetime.fromisoformat("2026-12-20T06:00:00+01:00")
    assert ev["page-expires"][0].decoded("DTSTART") == datetime.fromisoformat("2027-01-02T00:00:00+01:00")
    (report,) = ev["report"]
    assert report["RRULE"]["FREQ"] == ["MONTHLY"] and report["RRULE"]["BYMONTHDAY"] == [3]
    # only the client asked for
    assert all("Nováková" not in str(e["SUMMARY"]) for g in ev.values() for e in g)


def test_a_report_day_that_is_not_a_day_is_an_error_at_its_line(demo_workspace):
    toml = demo_workspace / "sites" / "baeckerei-sonnenkorn" / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('timezone = "Europe/Berlin"\n',
                                                               'timezone = "Europe/Berlin"\nreport_day = 31\n'),
                    encoding="utf-8")
    out = demo_workspace / "cal.ics"
    r = sk("calendar", "--out", str(out), cwd=demo_workspace, now=NOW)
    assert r.returncode == 1
    assert "site.toml:5" in r.stderr and "report_day" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_a_page_check_refuses_stops_the_calendar_and_nothing_is_written(demo_workspace):
    page = demo_workspace / "sites" / "zubni-ordinace-novakova" / "content" / "broken.md"
    page.write_text("---\ntitle: Broken\npublish: someday\n---\n\nx\n", encoding="utf-8")
    out = demo_workspace / "cal.ics"
    r = sk("calendar", "--out", str(out), cwd=demo_workspace, now=NOW)
    assert r.returncode == 1, r.stdout
    assert "broken.md" in r.stderr and "publish" in r.stderr
    assert not out.exists()


def test_stdout_and_a_folder_as_out(demo_workspace):
    r = sk("calendar", "zubni-ordinace-novakova", cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, r.stderr
    cal = Calendar.from_ical(r.stdout)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Prague"]
    r = sk("calendar", "--out", str(demo_workspace), cwd=demo_workspace, now=NOW)
    assert r.returncode == 2 and "--out" in r.stderr
    r = sk("calendar", "nobody", cwd=demo_workspace, now=NOW)
    assert r.returncode == 2
