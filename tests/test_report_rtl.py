"""The report in a right-to-left language: `dir="rtl"`, its words from the Arabic catalog,
its tables and lists mirrored; a left-to-right report carries none of it."""
from __future__ import annotations

from pathlib import Path

from test_reports import history, ok, report, result  # noqa: F401 (the module's fixture)


def test_an_arabic_report_is_right_to_left(history, tmp_path):  # noqa: F811
    arabic = ok(report(history, "--month", "2026-11", "--lang", "ar", "--no-pdf", out=tmp_path / "ar"))
    html = Path(result(arabic)["files"]["html"]).read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html and "تقرير النشاط" in html
    assert "[dir=rtl] th" in html and "نوفمبر" in html
    english = ok(report(history, "--month", "2026-11", "--lang", "en", "--no-pdf", out=tmp_path / "en"))
    html_en = Path(result(english)["files"]["html"]).read_text(encoding="utf-8")
    assert 'dir="rtl"' not in html_en and "[dir=rtl]" not in html_en
