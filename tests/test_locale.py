"""Languages in one place: tags read one way, and the site's dates in the report's words."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from helpers import sk
from sitekeeper.locale import catalog, dates, tags
from sitekeeper.render.dates import format_date, language_name
from sitekeeper.reports import words


@pytest.mark.parametrize("tag, normal, base", [("de-AT", "de-AT", "de"), ("de_at", "de-AT", "de"), ("DE", "de", "de"),
                                               (" pt_BR ", "pt-BR", "pt"), ("zh-Hant-TW", "zh-Hant-TW", "zh")])
def test_a_tag_is_read_one_way(tag, normal, base):
    assert tags.normalise(tag) == normal and tags.base(tag) == base


def test_known_languages_and_their_names():
    assert catalog.has_catalog("sk_SK") and catalog.has_catalog("HU") and not catalog.has_catalog("xx")
    assert language_name("de-AT") == "Deutsch" and language_name("pt_PT") == "Português"
    assert language_name("xx") == "xx"


@pytest.mark.parametrize("lang", catalog.shipped())
def test_the_site_and_the_report_write_a_date_the_same_way(lang):
    when = datetime(2026, 3, 1, 10, 0)
    assert format_date(when, lang) == words.date(when, lang) == dates.long_date(when, lang)


def _site(root: Path, lang: str) -> Path:
    site = root / "sites" / "shop"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text(f'name = "Shop"\nbase_url = "https://shop.example"\nlanguages = ["{lang}"]\n'
                                    'timezone = "Europe/Berlin"\n', encoding="utf-8")
    (site / "content" / "index.md").write_text("---\ntitle: Shop\nmenu: 1\n---\nHello.\n", encoding="utf-8")
    (site / "content" / "news.md").write_text("---\ntitle: News\ndate: 2026-03-01 10:00\n---\nOpen.\n",
                                              encoding="utf-8")
    return root


@pytest.mark.parametrize("lang, expect", [("sk", "1. marca 2026"), ("hu", "2026. március 1."),
                                          ("pt", "1 de março de 2026")])
def test_a_dated_page_shows_its_date_in_the_site_language(tmp_path, lang, expect):
    ws = _site(tmp_path, lang)
    res = sk("build", "shop", "--out", "out", cwd=ws, now="2026-03-05T12:00:00+01:00")
    assert res.returncode == 0, res.stderr + res.stdout
    # The theme's typography binds numbers to their words with no-break spaces; read them as spaces.
    page = (ws / "out" / "news" / "index.html").read_text(encoding="utf-8").replace("\u00a0", " ")
    assert expect in page and "March" not in page
