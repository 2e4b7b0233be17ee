"""The email itself: golden HTML and text of the demo promotion, merge fields, links, text part."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpers import edit

from sitekeeper.config import find_workspace, load_site
from sitekeeper.content.promotions import load_promotions
from sitekeeper.mail import merge
from sitekeeper.mail.message import merge_record, unsubscribe_token, token_address
from sitekeeper.mail.compose import compile_email

GOLDEN = Path(__file__).parent / "golden" / "mail"
UPDATE = os.environ.get("SITEKEEPER_UPDATE_GOLDEN") == "1"
BAKERY = "baeckerei-sonnenkorn"


def promotion(ws_root: Path, client: str = BAKERY, slug: str = "adventsaktion"):
    ws = find_workspace(ws_root)
    cfg = load_site(ws, client)
    promos, problems = load_promotions(ws, cfg)
    assert not [p for p in problems if p.is_error], problems
    return ws, cfg, next(p for p in promos if p.slug == slug)


def compare_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}: create it with SITEKEEPER_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file; if the change is intended, " \
                               "regenerate with SITEKEEPER_UPDATE_GOLDEN=1 and review the diff"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_demo_promotion_email_matches_golden_html_and_text(demo_workspace, lang):
    ws, cfg, promo = promotion(demo_workspace)
    email, problems = compile_email(ws, cfg, promo, lang)
    assert email is not None, problems
    parts = email.personalize(merge_record({"name": "Martina Krüger"}, "martina@example.com", cfg.mail))
    compare_golden(f"{BAKERY}.adventsaktion.{lang}.html", parts.html)
    compare_golden(f"{BAKERY}.adventsaktion.{lang}.txt", parts.text)
    compare_golden(f"{BAKERY}.adventsaktion.{lang}.subject", parts.subject + "\n")


def test_translation_supplies_subject_preheader_and_banner(demo_workspace):
    ws, cfg, promo = promotion(demo_workspace)
    en, _ = compile_email(ws, cfg, promo, "en")
    parts = en.personalize({})
    assert parts.subject == promo.translations["en"].subject
    assert promo.translations["en"].preheader in parts.html
    # the banner's offer, without the lead the title says and the date the line below says
    assert "10% off all stollen and Christmas cookies<" in parts.html
    assert "Advent offer: 10%" not in parts.html
    assert 'lang="en"' in parts.html


def test_unknown_language_falls_back_to_default_text(demo_workspace):
    ws, cfg, promo = promotion(demo_workspace)
    fr, _ = compile_email(ws, cfg, promo, "fr")
    assert fr.text_lang == "de"
    assert fr.personalize({}).subject == promo.default.subject


def test_merge_field_is_escaped_in_html_and_raw_in_text_and_subject(demo_workspace):
    path = demo_workspace / "campaigns" / BAKERY / "adventsaktion.md"
    edit(path, 'subject: "Unsere', "subject: \"{{ name or 'Hallo' }}: Unsere")
    edit(path, "## Süße Vorfreude", 'Liebe(r) {{ name or "Kundin, Kunde" }},\n\n## Süße Vorfreude')
    ws, cfg, promo = promotion(demo_workspace)
    email, _ = compile_email(ws, cfg, promo, "de")
    parts = email.personalize(merge_record({"name": "<b>Tom & Jerry</b>"}, "tom@example.com", cfg.mail))
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in parts.html
    assert "<b>Tom & Jerry</b>" not in parts.html
    assert "Liebe(r) <b>Tom & Jerry</b>," in parts.text
    assert parts.subject.startswith("<b>Tom & Jerry</b>: Unsere")
    fallback = email.personalize(merge_record({"name": ""}, "x@example.com", cfg.mail))
    assert "Liebe(r) Kundin, Kunde," in fallback.text
    assert fallback.subject.startswith("Hallo: Unsere")


def test_merge_value_cannot_break_the_subject_line(demo_workspace):
    path = demo_workspace / "campaigns" / BAKERY / "adventsaktion.md"
    edit(path, 'subject: "Unsere', 'subject: "{{ name }} Unsere')
    ws, cfg, promo = promotion(demo_workspace)
    email, _ = compile_email(ws, cfg, promo, "de")
    parts = email.personalize({"name": "Eve\r\nBcc: all@example.com"})
    assert "\n" not in parts.subject and "\r" not in parts.subject


def test_plain_text_lists_links_as_numbered_footnotes(demo_workspace):
    path = demo_workspace / "campaigns" / BAKERY / "adventsaktion.md"
    edit(path, "Am schnellsten geht es", "Mehr über [unser Brot](/sortiment/) und [uns](https://example.org/x). Am schnellsten geht es")
    ws, cfg, promo = promotion(demo_workspace)
    email, _ = compile_email(ws, cfg, promo, "de")
    text = email.personalize({}).text
    assert "unser Brot [1] und uns [2]" in text
    assert "[1] https://baeckerei-sonnenkorn.example/sortiment/" in text
    assert "[2] https://example.org/x" in text
    assert "<" not in text.split("-- ")[0].replace("<http", "")  # no HTML scraped into the text part
    assert "Wühlischstraße 27" in text


def test_utm_parameters_only_on_links_to_the_clients_site(demo_workspace):
    path = demo_workspace / "campaigns" / BAKERY / "adventsaktion.md"
    edit(path, "approved: false", "approved: false\nutm: true")
    edit(path, "Am schnellsten geht es", "Siehe [Partner](https://example.org/x). Am schnellsten geht es")
    ws, cfg, promo = promotion(demo_workspace)
    email, _ = compile_email(ws, cfg, promo, "de")
    html = email.personalize({}).html
    assert "https://baeckerei-sonnenkorn.example/kontakt/?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=adventsaktion" in html
    assert 'href="https://example.org/x"' in html


def test_link_only_paragraph_becomes_the_button(demo_workspace):
    ws, cfg, promo = promotion(demo_workspace)
    email, _ = compile_email(ws, cfg, promo, "de")
    assert "<mj-button" in email.mjml and ">Jetzt vorbestellen</mj-button>" in email.mjml


def test_svg_logo_is_replaced_by_its_png_sibling(demo_workspace):
    ws, cfg, promo = promotion(demo_workspace)
    email, _ = compile_email(ws, cfg, promo, "de")
    assert "https://baeckerei-sonnenkorn.example/logo.png" in email.html
    assert "logo.svg" not in email.html


def test_client_template_overrides_the_built_in_email_template(demo_workspace):
    own = demo_workspace / "sites" / BAKERY / "templates" / "email.mjml"
    own.write_text('<mjml><mj-body><mj-section><mj-column><mj-text>OWN {{ title }}</mj-text>'
                   '<mj-text><a href="{{ unsubscribe_url }}">x</a> {{ postal_address }}</mj-text>'
                   '</mj-column></mj-section></mj-body></mjml>', encoding="utf-8")
    ws, cfg, promo = promotion(demo_workspace)
    email, problems = compile_email(ws, cfg, promo, "de")
    assert not problems
    assert "OWN Adventsaktion 2026" in email.html


def test_merge_syntax_parses_fields_and_fallbacks():
    assert [u.name for u in merge.uses('Hi {{name}} {{ city or "Berlin" }} {{x_y}}')] == ["name", "city", "x_y"]
    from sitekeeper.render.merge import for_site

    assert for_site('Hallo {{ name or "Kundin" }}!') == "Hallo Kundin!"
    assert merge.malformed("{{ name | upper }}") == [(0, "{{ name | upper }}")]


def test_unsubscribe_token_round_trips_the_address():
    assert token_address(unsubscribe_token("Anna@Example.com")) == "anna@example.com"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", unsubscribe_token("a+b@example.com"))
