"""Any language tag builds: CLDR (Babel) writes its dates and names, English fills in the
theme's words with one warning where no catalog is shipped, and right-to-left languages get `dir="rtl"`."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from helpers import sk
from sitekeeper.locale import cldr, dates

NOW = "2026-03-10T10:00:00+01:00"


def _site(root: Path, langs: list[str], mail: bool = False) -> Path:
    site = root / "sites" / "shop"
    (site / "content").mkdir(parents=True)
    listed = ", ".join(f'"{lg}"' for lg in langs)
    toml = (f'name = "Shop"\nbase_url = "https://shop.example"\nlanguages = [{listed}]\n'
            'timezone = "Europe/Oslo"\n')
    if mail:
        toml += '[mail]\nfrom = "Shop <shop@shop.example>"\npostal_address = "Storgata 1, 0155 Oslo"\n'
    (site / "site.toml").write_text(toml, encoding="utf-8")
    (site / "content" / "index.md").write_text("---\ntitle: Shop\nmenu: 1\n---\nHello.\n", encoding="utf-8")
    (site / "content" / "news.md").write_text("---\ntitle: News\ndate: 2026-03-01 10:00\n---\nOpen.\n",
                                              encoding="utf-8")
    for lg in langs[1:]:
        (site / "content" / f"index.{lg}.md").write_text(f"---\ntitle: Shop {lg}\n---\nHei.\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("tag, want", [("nb", "1. mars 2026"), ("ru", "1 марта 2026\u202fг."), ("ja", "2026年3月1日"),
                                       ("tr", "1 Mart 2026"), ("pt-BR", "1 de março de 2026")])
def test_a_language_outside_the_hand_kept_twelve_gets_its_dates_from_cldr(tag, want):
    when = datetime(2026, 3, 1, 10, 0)
    assert dates.long_date(when, tag) == want
    assert dates.long_date(when, "en") == "1 March 2026"  # the twelve stay as they were


def test_names_numbers_and_direction_come_from_cldr():
    assert cldr.display_name("nb") == "Norsk bokmål" and cldr.display_name("ar") == "العربية"
    assert cldr.display_name("ja") == "日本語" and cldr.display_name("de-AT") == "Deutsch"
    assert cldr.display_name("qq") == "qq"
    assert cldr.number(1234.5, "nb") == "1\u00a0234,5" and cldr.number(1234.5, "en") == "1,234.5"
    assert cldr.direction("ar") == cldr.direction("he-IL") == "rtl" and cldr.direction("nb") == "ltr"
    assert dates.month_title(2026, 11, "uk") == "листопад 2026\u202fр."


def test_a_language_without_a_catalog_builds_with_english_words_and_one_warning(tmp_path):
    ws = _site(tmp_path, ["cy"])  # Welsh: CLDR knows it, no catalog is shipped
    res = sk("check", "shop", cwd=ws, now=NOW)
    text = res.stdout + res.stderr
    assert res.returncode == 0, text
    assert text.count("'cy' has no catalog") == 1 and "[lang.cy] strings" in text
    assert "the theme's words (all " in text
    assert "email's labels" not in text  # no [mail]: no labels asked for
    assert sk("check", "shop", "--strict", cwd=ws, now=NOW).returncode == 1
    built = sk("build", "shop", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    page = (ws / "out" / "news" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="cy">' in page and "1 Mawrth 2026" in page and "Skip to content" in page


def test_a_norwegian_site_is_written_in_norwegian_with_no_warning(tmp_path):
    ws = _site(tmp_path, ["nb"], mail=True)
    res = sk("check", "shop", "--strict", cwd=ws, now=NOW)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "has no" not in res.stdout + res.stderr
    built = sk("build", "shop", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    page = (ws / "out" / "news" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in page and "1. mars 2026" in page and "Hopp til innholdet" in page
    assert "Skip to content" not in page


def test_own_strings_replace_the_english_fallback(tmp_path):
    ws = _site(tmp_path, ["cy"])
    toml = ws / "sites" / "shop" / "site.toml"
    toml.write_text(toml.read_text() + '[lang.cy]\nstrings = { skip_to_content = "Neidio at y cynnwys" }\n')
    built = sk("build", "shop", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Neidio at y cynnwys" in (ws / "out" / "index.html").read_text(encoding="utf-8")


def test_a_sending_client_is_told_its_email_labels_fall_back(tmp_path):
    ws = _site(tmp_path, ["cy"], mail=True)
    res = sk("check", "shop", cwd=ws, now=NOW)
    text = res.stdout + res.stderr
    assert res.returncode == 0, text
    assert "the email's labels (all " in text and "shown in English" in text and "[lang.cy] email_strings" in text


def test_languages_without_a_catalog_are_one_warning_for_the_site_that_strict_fails(tmp_path):
    """Theme, newsletter pages and email labels of two languages without a catalog: one warning, never a
    blocked build; what the site gives itself is no longer named."""
    ws = _site(tmp_path, ["en", "cy", "gd"], mail=True)
    toml = ws / "sites" / "shop" / "site.toml"
    toml.write_text(toml.read_text() + '[lang.cy]\nstrings = { skip_to_content = "Neidio at y cynnwys" }\n', encoding="utf-8")
    res = sk("check", "shop", cwd=ws, now=NOW)
    text = res.stdout + res.stderr
    assert res.returncode == 0, text
    lines = [ln for ln in text.splitlines() if "has no catalog" in ln]
    assert len(lines) == 1, text
    (line,) = lines
    assert "'cy' has no catalog" in line and "'gd' has no catalog" in line
    assert "the newsletter pages' words" in line and "the email's labels" in line
    cy = line.split("'cy' has no catalog", 1)[1].split("'gd'", 1)[0]
    assert "skip_to_content" not in cy and "read_more" in cy  # its own word is not named; the rest are
    assert sk("check", "shop", "--strict", cwd=ws, now=NOW).returncode == 1
    built = sk("build", "shop", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Neidio at y cynnwys" in (ws / "out" / "cy" / "index.html").read_text(encoding="utf-8")
    assert "Skip to content" in (ws / "out" / "gd" / "index.html").read_text(encoding="utf-8")


def test_arabic_and_hebrew_pages_are_right_to_left(tmp_path):
    ws = _site(tmp_path, ["ar", "he", "en"])
    built = sk("build", "shop", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    home = (ws / "out" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in home and "1 مارس 2026" in (ws / "out" / "news" / "index.html").read_text(
        encoding="utf-8")
    assert "עברית" in home  # the language bar names Hebrew in its own words
    he = next((ws / "out").glob("he/**/index.html"))
    assert 'dir="rtl"' in he.read_text(encoding="utf-8")
    assert "[dir=rtl] .skip-link" in home and "[dir=rtl] a[href^=\"tel:\"]" in home  # the mirrored layout
    assert "العودة إلى الأعلى" in home  # the Arabic catalog's words
    en = next((ws / "out").glob("en/**/index.html"))
    assert 'dir="rtl"' not in en.read_text(encoding="utf-8") and "[dir=rtl]" not in en.read_text(encoding="utf-8")
