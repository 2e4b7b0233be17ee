"""The command line with bad input: a clear message naming the file, line or option and the fix,
exit 1 (2 when the command line itself is wrong), never an internal error; `new` writes only
what passes `check`."""
from __future__ import annotations

import pytest

from helpers import copy_workspace, json_lines, sk

NOW = "2026-03-05T12:00:00+01:00"


@pytest.fixture
def ws(tmp_path):
    return copy_workspace("mini", tmp_path)


def _clean(run) -> None:
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr, run.stderr


# ---------------------------------------------------------------- config files that are not UTF-8


def test_a_latin1_site_toml_names_the_file_line_and_byte(ws):
    path = ws / "sites/mini/site.toml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1"))  # as an old editor saves it
    line = next(n for n, t in enumerate(text.splitlines(), 1) if not t.isascii())
    for args in (("check",), ("build", "mini"), ("status",)):
        run = sk(*args, "--json", cwd=ws, now=NOW)
        _clean(run)
        assert run.returncode == 1, (args, run.stderr)
        problem = json_lines(run.stdout)[-1]["problems"][0]
        assert problem["path"] == "sites/mini/site.toml" and problem["line"] == line, problem
        assert "0xe9" in problem["message"] and "UTF-8" in problem["fix"]
    run = sk("check", cwd=ws, now=NOW)
    assert f"sites/mini/site.toml:{line}:" in run.stderr


def test_a_site_toml_with_a_byte_order_mark_is_read(ws):
    path = ws / "sites/mini/site.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    run = sk("check", "mini", cwd=ws, now=NOW)
    _clean(run)
    assert "site.toml:1" not in run.stderr, run.stderr


def test_a_utf16_site_toml_says_so(ws):
    path = ws / "sites/mini/site.toml"
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-16")
    run = sk("check", cwd=ws, now=NOW)
    _clean(run)
    assert run.returncode == 1 and "UTF-16" in run.stderr and "save the file as UTF-8" in run.stderr


def test_a_latin1_sitekeeper_toml_names_the_file(ws):
    (ws / "sitekeeper.toml").write_bytes('state = "z\xfcrich"\n'.encode("latin-1"))
    run = sk("check", cwd=ws, now=NOW)
    _clean(run)
    assert run.returncode == 1 and "sitekeeper.toml:1:" in run.stderr and "0xfc" in run.stderr


# ---------------------------------------------------------------- times the calendar cannot hold


@pytest.mark.parametrize("value, says", [
    ("2026-03-01T09:00:00+25:00", "UTC offset"),
    ("2026-03-01T09:00:00+05:99", "UTC offset"),
    ("0001-01-01", "1970 to 9998"),
    ("9999-12-31", "1970 to 9998"),
    ("9998-12-31T23:00:00-05:00", "1970 to 9998"),
])
def test_a_clock_beyond_the_calendar_is_a_usage_error(ws, value, says):
    for run, source in ((sk("check", "--json", cwd=ws, env={"SITEKEEPER_NOW": value}), "SITEKEEPER_NOW"),
                        (sk("check", "--json", "--at", value, cwd=ws), "--at"),
                        (sk("build", "mini", "--json", "--at", value, cwd=ws), "--at")):
        _clean(run)
        assert run.returncode == 2, (value, run.stderr)
        problem = json_lines(run.stdout)[-1]["problems"][0]
        assert problem["path"] == source and says in problem["message"], problem


def test_the_last_years_of_the_clock_still_work(ws):
    for value in ("9998-12-31T23:59:00+14:00", "1970-01-01T00:00:00-12:00"):
        for args in (("check",), ("build", "mini"), ("status",), ("campaign", "list"), ("tick", "--dry-run")):
            run = sk(*args, cwd=ws, now=value)
            _clean(run)


@pytest.mark.parametrize("value, says", [
    ("2026-06-01T09:00:00+25:00", "UTC offset"),
    ("0001-01-01", "edge of the calendar"),
    ("9999-12-31", "after 9998"),
])
def test_a_front_matter_date_beyond_the_calendar_is_an_error_at_its_line(ws, value, says):
    page = ws / "sites/mini/content/aktuelles/sommer.md"
    page.write_text(page.read_text(encoding="utf-8").replace("publish: 2026-06-01", f"publish: {value}"),
                    encoding="utf-8")
    for args in (("check", "mini"), ("build", "mini")):
        run = sk(*args, cwd=ws, now=NOW)
        _clean(run)
        assert run.returncode == 1
        assert "sites/mini/content/aktuelles/sommer.md:4:" in run.stderr and says in run.stderr, run.stderr


def test_a_promotion_ending_in_the_last_year_is_reported_on(ws):
    promo = ws / "campaigns/mini/fruehling.md"
    promo.write_text(promo.read_text(encoding="utf-8").replace("ends: 2026-03-15", "ends: 9998-12-31 23:59"),
                     encoding="utf-8")
    for args in (("check", "mini"), ("status",), ("report", "mini", "--no-pdf", "--allow-gaps", "--month", "2026-02")):
        _clean(sk(*args, cwd=ws, now=NOW))


# ---------------------------------------------------------------- option values and click's own errors


LONG = "a" * 300


@pytest.mark.parametrize("args, names", [
    (("serve", "mini", "--port", "99999"), "--port"),
    (("new", "client", LONG, "--yes"), "NAME"),
    (("new", "client", "ok", "--languages", "de,xx", "--yes"), "--languages"),
    (("new", "client", "ok", "--timezone", "Mars/Base", "--yes"), "--timezone"),
    (("new", "client", "ok", "--business-type", "Bakeryy", "--yes"), "--business-type"),
    (("new", "client", "ok", "--name", "Line\nTwo", "--yes"), "--name"),
    (("new", "page", "mini", "../../etc/x"), "PATH"),
    (("new", "page", "mini", "x", "--title", "a\nb"), "--title"),
    (("new", "promotion", "mini", "p", "--starts", "garbage", "--ends", "2026-04-01"), "--starts"),
    (("new", "promotion", "mini", "p", "--starts", "2026-02-01", "--ends", "2026-03-01"), "--ends"),
    (("new", "promotion", "mini", "../x", "--starts", "2026-03-10", "--ends", "2026-03-11"), "SLUG"),
    (("publish", LONG), "not a client name"),
    (("check", LONG), "not a client name"),
])
def test_a_wrong_option_value_is_a_usage_error_naming_it(ws, args, names):
    run = sk(*args, cwd=ws, now=NOW)
    _clean(run)
    assert run.returncode == 2, (args, run.stderr)
    assert names in run.stderr and "File name too long" not in run.stderr
    assert not list((ws / "sites").glob("ok")) and not (ws / "campaigns/mini/p.md").exists()


@pytest.mark.parametrize("args", [("check", "--bogus"), ("report",), ("campaign", "send", "x", "y"),
                                  ("report", "mini", "--month")])
def test_clicks_usage_errors_end_with_the_json_result(ws, args):
    run = sk(args[0], "--json", *args[1:], cwd=ws, now=NOW)
    assert run.returncode == 2
    last = json_lines(run.stdout)[-1]
    assert last["ok"] is False and last["problems"][0]["message"]


# ---------------------------------------------------------------- new writes what passes check


@pytest.mark.parametrize("args", [
    ("client", "q1", "--name", 'Müller "Die Bäcker" \\ & Söhne', "--email", "info@q1.example",
     "--postal-address", "Str. 1, 1010 Wien", "--languages", "de,en"),
    ("client", "q2", "--name", "*Star* <b>bold</b> [x](javascript:alert(1))", "--languages", "pt,hu,sk,ro"),
    ("page", "mini", "q-page", "--title", 'He said "hi" \\o/ <script>'),
    ("promotion", "mini", "sale", "--starts", "2026-03-10", "--ends", "2026-03-20", "--title", 'Sale "50%" <now>'),
])
def test_new_then_check_passes(ws, args):
    run = sk("new", *args, cwd=ws, now=NOW)
    _clean(run)
    assert run.returncode == 0, run.stderr
    check = sk("check", cwd=ws, now=NOW)
    assert check.returncode == 0, check.stderr


def test_new_client_refuses_a_name_its_sender_cannot_carry(ws):
    run = sk("new", "client", "q3", "--name", "Tom <> Jerry", "--email", "info@q3.example",
             "--postal-address", "Str. 1", cwd=ws, now=NOW)
    assert run.returncode == 2 and "from" in run.stderr and not (ws / "sites/q3").exists()


def test_new_page_refuses_the_same_page_under_another_path(ws):
    run = sk("new", "page", "mini", "aktuelles/sommer/index", cwd=ws, now=NOW)
    assert run.returncode == 1 and "aktuelles/sommer.md" in run.stderr


def _send_at(ws, slug):
    text = (ws / f"campaigns/mini/{slug}.md").read_text(encoding="utf-8")
    return next(line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("send_at:"))


def test_new_promotion_sends_an_hour_into_the_window_or_an_hour_from_now(ws):
    assert sk("new", "promotion", "mini", "later", "--starts", "2026-03-10 08:00", "--ends", "2026-03-20",
              cwd=ws, now=NOW).returncode == 0
    assert _send_at(ws, "later") == "2026-03-10 09:00"
    assert sk("new", "promotion", "mini", "begun", "--starts", "2026-03-01", "--ends", "2026-03-20",
              cwd=ws, now=NOW).returncode == 0
    assert _send_at(ws, "begun") == "2026-03-05 13:00"
    ended = sk("new", "promotion", "mini", "gone", "--starts", "2026-02-01", "--ends", "2026-03-01", cwd=ws, now=NOW)
    assert ended.returncode == 2 and "ended" in ended.stderr and not (ws / "campaigns/mini/gone.md").exists()


def test_new_client_off_a_terminal_says_which_defaults_it_took(ws):
    run = sk("new", "client", "quiet-one", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    assert "--languages en" in run.stderr and "--timezone Europe/Berlin" in run.stderr


# ---------------------------------------------------------------- report periods and status times


@pytest.mark.parametrize("args, names", [(("--month", "2027-05"), "has not begun"),
                                         (("--from", "2027-05-01"), "has not come yet")])
def test_a_report_for_a_period_to_come_is_a_usage_error(ws, args, names):
    run = sk("report", "mini", *args, "--no-pdf", cwd=ws, now=NOW)
    _clean(run)
    assert run.returncode == 2 and names in run.stderr and "2026-03" in run.stderr


def test_status_shows_the_zone_of_its_times(ws):
    run = sk("status", cwd=ws, now=NOW)
    _clean(run)
    assert "2026-03-01 09:00 +01:00" in run.stdout, run.stdout


def test_report_out_to_a_file_or_an_unwritable_place_says_so(ws):
    (ws / "afile").write_text("x", encoding="utf-8")
    for out, code in (("afile", 2), ("/proc/no-such/reports", 1)):
        run = sk("report", "mini", "--month", "2026-02", "--no-pdf", "--allow-gaps", "--out", out, cwd=ws, now=NOW)
        _clean(run)
        assert run.returncode == code and "--out" in run.stderr, run.stderr


@pytest.mark.parametrize("command", [["build", "baeckerei-sonnenkorn"],
                                     ["campaign", "preview", "baeckerei-sonnenkorn/adventsaktion", "--no-proof"]])
def test_out_at_a_file_or_an_unwritable_place_is_a_clear_error_before_any_work(demo_workspace, command):
    ws = demo_workspace
    (ws / "afile").write_text("x")
    run = sk(*command, "--out", "afile", "--json", cwd=ws)
    assert run.returncode == 2 and "internal error" not in run.stderr
    assert json_lines(run.stdout)[-1]["problems"][0]["path"] == "--out"
    run = sk(*command, "--out", "/proc/sitekeeper-nowhere", cwd=ws)
    assert run.returncode == 1 and "internal error" not in run.stderr
    assert "--out: error: cannot write into /proc/sitekeeper-nowhere" in run.stderr
