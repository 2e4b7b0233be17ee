"""Pages and promotions from text: front matter, URLs, visibility, clean errors."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitekeeper.content.frontmatter import parse_document, replace_keys
from sitekeeper.content.pages import default_url, output_path, parse_page, split_lang, translation_url
from sitekeeper.content.promotions import parse_promotion

TZ = ZoneInfo("Europe/Berlin")
LANGS = ("de", "en")


def page(text: str, relpath: str = "about.md"):
    return parse_page(relpath, f"sites/x/content/{relpath}", text, LANGS, "de", TZ)


def errors(diags):
    return [d for d in diags if d.is_error]


def test_a_page_parses_with_its_metadata_and_body_line():
    p, diags = page("---\ntitle: Über uns\ndate: 2026-03-01 10:00\nmenu: 2\ntags: [a, b]\n---\nHallo\n")
    assert not errors(diags)
    assert p.title == "Über uns" and p.menu == 2 and p.tags == ("a", "b")
    assert p.date == datetime(2026, 3, 1, 10, tzinfo=TZ)
    assert p.body == "Hallo\n" and p.body_line == 7


def test_malformed_yaml_names_the_line_and_says_how_to_fix_it():
    p, diags = page("---\ntitle: ok\ndescription: a: b: c\n---\n")
    assert p is None
    assert diags[0].line == 3 and "YAML" in diags[0].message and diags[0].fix


def test_unclosed_front_matter_suggests_the_closing_dashes():
    p, diags = page("---\ntitle: ok\n\nbody\n")
    assert p is None and "closing `---`" in diags[0].fix


def test_missing_title_is_an_error():
    p, diags = page("---\ndate: 2026-01-01\n---\nx\n")
    assert p is None and "title" in diags[0].message and "title:" in diags[0].fix


def test_a_date_that_is_not_a_date_names_its_line():
    p, diags = page("---\ntitle: x\ndate: next tuesday\n---\n")
    assert p is None and diags[0].line == 3 and "not a date" in diags[0].message


def test_publish_after_expires_is_an_error_on_the_expires_line():
    p, diags = page("---\ntitle: x\npublish: 2026-05-01\nexpires: 2026-04-01\n---\n")
    assert p is None and diags[0].line == 4 and "never show" in diags[0].message


def test_unknown_front_matter_key_is_a_warning_with_did_you_mean():
    p, diags = page("---\ntitle: x\ndecsription: y\n---\n")
    assert p is not None
    [w] = diags
    assert w.severity == "warning" and "description" in w.fix and w.line == 3


def test_visibility_follows_draft_publish_and_expires():
    p, _ = page("---\ntitle: x\npublish: 2026-03-01\nexpires: 2026-04-01\n---\n")
    assert not p.visible(datetime(2026, 2, 28, 23, 59, tzinfo=TZ))
    assert p.visible(datetime(2026, 3, 1, tzinfo=TZ))
    assert not p.visible(datetime(2026, 4, 1, tzinfo=TZ))  # expires is exclusive
    d, _ = page("---\ntitle: x\ndraft: true\n---\n")
    assert not d.visible(datetime(2030, 1, 1, tzinfo=TZ))


@pytest.mark.parametrize("relpath,key,lang", [
    ("about.md", "about", None), ("about.en.md", "about", "en"), ("v1.2.md", "v1.2", None),
    ("aktuelles/index.en.md", "aktuelles/index", "en"), ("ceník.md", "ceník", None),
])
def test_language_suffix_is_split_only_for_site_languages(relpath, key, lang):
    assert split_lang(relpath, LANGS) == (key, lang)


def test_urls_follow_the_spec():
    assert default_url("about", None) == "/about/"
    assert default_url("index", None) == "/"
    assert default_url("aktuelles/index", None) == "/aktuelles/"
    assert default_url("ceník", None) == "/ceník/"
    assert default_url("about", "ueber-uns") == "/ueber-uns/"
    assert translation_url("de", "about", None, "/about/") == "/de/about/"
    assert translation_url("en", "preise", "prices", "/preise/") == "/en/prices/"
    assert output_path("/ceník/") == "ceník/index.html" and output_path("/") == "index.html"


def test_replace_keys_keeps_everything_else_byte_for_byte():
    text = "---\ntitle: A\n# a comment\napproved: false\n---\nBody: keep\n"
    out = replace_keys(text, {"approved": "true", "approved_by": '"Frau Weber"'})
    assert out == '---\ntitle: A\n# a comment\napproved: true\napproved_by: "Frau Weber"\n---\nBody: keep\n'
    assert parse_document(out).meta["approved_by"] == "Frau Weber"


def promo(text: str, translations: dict | None = None):
    files = {"": ("campaigns/x/sale.md", text)}
    for lang, t in (translations or {}).items():
        files[lang] = (f"campaigns/x/sale.{lang}.md", t)
    return parse_promotion("x", "sale", files, LANGS, "de", TZ)


PROMO = ("---\ntitle: Sale\nstarts: 2026-03-01 08:00\nends: 2026-03-15\nbanner: B\n"
         "send_at: 2026-03-01 09:00\nsubject: S\n---\nBody\n")


def test_a_promotion_is_live_in_its_window_in_the_site_timezone():
    p, diags = promo(PROMO)
    assert not errors(diags)
    assert not p.live(datetime(2026, 3, 1, 7, 59, tzinfo=TZ))
    assert p.live(datetime(2026, 3, 1, 8, 0, tzinfo=TZ))
    assert p.live(datetime(2026, 3, 14, 23, 59, tzinfo=TZ))
    assert not p.live(datetime(2026, 3, 15, 0, 0, tzinfo=TZ))


def test_a_translation_needs_only_what_differs():
    p, diags = promo(PROMO, {"en": "---\ntitle: Sale EN\nbanner: B EN\n---\nBody EN\n"})
    assert not errors(diags)
    assert p.text("en").banner == "B EN" and p.text("fr").banner == "B"
    assert p.url("en", "de") == "/en/promotions/sale/" and p.url("de", "de") == "/promotions/sale/"


def test_a_promotion_without_ends_is_an_error():
    p, diags = promo(PROMO.replace("ends: 2026-03-15\n", ""))
    assert p is None and any("`ends`" in d.message for d in diags)


def test_send_at_outside_the_window_is_an_error_on_its_line():
    p, diags = promo(PROMO.replace("send_at: 2026-03-01 09:00", "send_at: 2026-03-20 09:00"))
    assert p is None
    [d] = errors(diags)
    assert d.line == 6 and "window" in d.message


def test_a_subject_with_a_line_break_is_refused():
    p, diags = promo(PROMO.replace("subject: S", 'subject: "S\\nBcc: all@example.com"'))
    assert p is None and any("line break" in d.message for d in diags)
