"""The word catalogs (sitekeeper/locale/catalogs/<lang>.toml): every shipped one is complete
(every key of English, the same placeholders), they ship in the package, a region tag finds its
language's, a site's own words win, and a broken catalog is named key by key."""
from __future__ import annotations

import fnmatch
import shutil
import tomllib
from pathlib import Path

import pytest

from sitekeeper.locale import catalog
from sitekeeper.mail import confirmation, strings as mail_strings
from sitekeeper.render import i18n, newsletter
from sitekeeper.reports import words

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("lang", catalog.shipped())
def test_every_shipped_catalog_is_complete(lang):
    assert catalog.problems(lang) == []


def test_english_has_every_part_and_the_modules_read_their_words_from_the_catalogs():
    for domain in catalog.DOMAINS:
        assert len(catalog.keys(domain)) >= 2, domain
    assert i18n.KEYS == catalog.keys("site") and mail_strings.KEYS == catalog.keys("email")
    assert words.KEYS == catalog.keys("report") and newsletter.KEYS == catalog.keys("newsletter")
    assert set(confirmation.STRINGS["en"]) == set(catalog.keys("confirmation"))
    for table in (i18n.STRINGS, mail_strings.STRINGS, words._T, newsletter.STRINGS, confirmation.STRINGS):
        assert tuple(table) == catalog.shipped()
    assert i18n.t("de", "read_more") == "Weiterlesen"
    assert words.say("fr", "prepared", date="1er mai") == "Établi le 1er mai"


def test_the_catalogs_ship_in_the_package():
    """CI and users install from the repository: the catalog files must be package data."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["sitekeeper"]
    package = ROOT / "sitekeeper"
    for path in catalog.files():
        rel = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), rel


@pytest.mark.parametrize("tag, found", [("pt-BR", "pt"), ("de_at", "de"), ("DE", "de"), ("gd", None), ("en-GB", "en"),
                                        ("zh-Hant", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"), ("zh-TW", "zh-Hant"),
                                        ("zh-HK", "zh-Hant"), ("zh-CN", "zh"), ("zh-Hans", "zh")])
def test_a_region_tag_uses_its_language_s_catalog(tag, found):
    assert catalog.catalog_for(tag) == found
    assert catalog.has_catalog(tag) is (found is not None)


def test_a_language_without_a_catalog_gets_english_words_and_the_site_s_own_win():
    assert catalog.words("site", "gd")["read_more"] == "Read more"
    assert i18n.t("gd", "read_more") == "Read more"
    assert i18n.missing_keys("gd") == list(i18n.KEYS)
    assert i18n.t("de", "read_more", {"read_more": "Mehr lesen"}) == "Mehr lesen"
    assert mail_strings.strings("de", {"unsubscribe": "Austragen"})["unsubscribe"] == "Austragen"
    assert mail_strings.strings("gd")["unsubscribe"] == "Unsubscribe"
    assert newsletter.text("de", "signup_button", {"signup_button": "Los"}) == "Los"
    assert confirmation.words("de", {"confirm_code": "Kennung"})["code"] == "Kennung"


@pytest.fixture
def scratch_catalogs(tmp_path, monkeypatch):
    folder = tmp_path / "catalogs"
    folder.mkdir()
    shutil.copy(catalog.CATALOGS / "en.toml", folder / "en.toml")
    monkeypatch.setattr(catalog, "CATALOGS", folder)
    catalog.shipped.cache_clear()
    catalog._read.cache_clear()
    yield folder
    catalog.shipped.cache_clear()
    catalog._read.cache_clear()


def test_a_broken_catalog_is_named_key_by_key(scratch_catalogs):
    english = (scratch_catalogs / "en.toml").read_text(encoding="utf-8")
    broken = (english.replace('read_more = "Read more"\n', "")
              .replace("subscribed to news from {name}.", "subscribed to news.")
              .replace('menu = "Menu"', 'menu = " "')
              + '\n[extra]\nnothing = "x"\n').replace("[report]", '[report]\nsurplus = "x"')
    (scratch_catalogs / "xx.toml").write_text(broken, encoding="utf-8")
    assert catalog.shipped() == ("en", "xx")
    found = catalog.problems("xx")
    assert "xx.toml [site] read_more: missing" in found
    assert "xx.toml [site] menu: empty" in found
    assert "xx.toml [email] reason: placeholders [], English has ['name']" in found
    assert "xx.toml [report] surplus: not a key of English" in found
    assert len(found) == 4, found
    # the approval words may be left out as a whole (English then), never in part
    without = english.split("[approval]")[0] + "[scaffold]" + english.split("[scaffold]")[1]
    (scratch_catalogs / "yy.toml").write_text(without, encoding="utf-8")
    assert catalog.problems("yy") == []
    (scratch_catalogs / "zz.toml").write_text(english.replace('ref = "Reference"\n', ""), encoding="utf-8")
    assert catalog.problems("zz") == ["zz.toml [approval] ref: missing"]
    (scratch_catalogs / "Bad_Name.toml").write_text(english, encoding="utf-8")
    catalog.shipped.cache_clear()
    assert any("not a language tag" in p for p in catalog.problems("Bad_Name"))


def test_every_eu_language_and_the_others_asked_for_are_shipped():
    eu = "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()
    assert set(eu) | {"nb", "is", "tr", "uk", "ru", "ar", "he", "ja", "ko", "zh"} <= set(catalog.shipped())


def test_a_new_client_in_a_shipped_language_gets_its_welcome_page(tmp_path):
    from helpers import sk

    (tmp_path / "sitekeeper.toml").write_text("")
    made = sk("new", "client", "kafe", "--yes", "--languages", "sv,fi", cwd=tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    content = tmp_path / "sites" / "kafe" / "content"
    assert "title: \"Välkommen\"" in (content / "index.md").read_text(encoding="utf-8")
    assert "Tervetuloa" in (content / "index.fi.md").read_text(encoding="utf-8")
    checked = sk("check", "kafe", "--strict", cwd=tmp_path)
    assert "has no" not in checked.stdout + checked.stderr


def test_every_part_finds_a_tag_s_catalog_the_same_way():
    assert i18n.t("zh-TW", "menu") == "選單" and i18n.t("zh-CN", "menu") == "菜单"
    assert words.say("zh-TW", "title") == "工作報告" and words.say("pt-BR", "title") == words.say("pt", "title")
    assert newsletter.text("zh-HK", "signup_subject") == "訂閱電子報"
    assert confirmation.words("zh-Hant-TW")["code"] == "代碼"
    assert mail_strings.strings("zh-TW")["view_online"] == "在瀏覽器中檢視"
    assert i18n.missing_keys("zh-TW") == [] and mail_strings.missing_keys("de-AT") == []
