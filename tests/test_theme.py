"""The theme's promises: locale typography, UI strings in every language, the business kit,
link previews, favicons, per-language texts and path words, a 404 per language."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import sk
from sitekeeper.config.business import default_palette
from sitekeeper.mail import strings as mail_strings
from sitekeeper.render import i18n
from sitekeeper.render.colors import contrast
from sitekeeper.render.typography import nbsp_html, nbsp_text

ROOT = Path(__file__).resolve().parent.parent
NB = "\u00a0"
LANGS = ("en", "de", "cs", "ro", "nl", "it", "fr", "es", "pl", "sk", "hu", "pt")


# ---------------------------------------------------------------- typography


def test_prices_and_percentages_keep_together():
    assert nbsp_text("za 1 280 Kč o 20 %", "cs") == f"za 1{NB}280{NB}Kč o{NB}20{NB}%"
    assert nbsp_text("statt 23,00 € nur 10 %", "de") == f"statt 23,00{NB}€ nur 10{NB}%"
    assert nbsp_text("for CZK 1,280", "en") == f"for CZK{NB}1,280"


def test_czech_one_letter_words_and_titles_bind_to_the_next_word():
    assert nbsp_text("o Vánocích a v Praze", "cs") == f"o{NB}Vánocích a{NB}v{NB}Praze"
    assert nbsp_text("MUDr. Dvořáková", "cs") == f"MUDr.{NB}Dvořáková"
    assert nbsp_text("do 6. ledna", "cs") == f"do 6.{NB}ledna"
    # English has no such rule for one-letter words.
    assert nbsp_text("a cake", "en") == "a cake"


def test_typography_leaves_urls_code_and_attributes_alone():
    html = ('<p title="o 20 %">o 20 % <a href="/a b">v Praze</a> <code>a b</code> '
            'https://x.example/v a</p><script>var a = "o 20 %"</script>')
    out = nbsp_html(html, "cs")
    assert 'title="o 20 %"' in out and 'href="/a b"' in out
    assert "<code>a b</code>" in out and "https://x.example/v a" in out
    assert 'var a = "o 20 %"' in out
    assert f"o{NB}20{NB}%" in out and f"v{NB}Praze" in out


def test_typography_reads_across_inline_tags_but_not_across_blocks():
    out = nbsp_html('<p>o <strong>20</strong> % a <a href="/x y">v</a> Praze za <em>1</em> 280 Kč</p>', "cs")
    assert out == (f'<p>o{NB}<strong>20</strong>{NB}% a{NB}<a href="/x y">v</a>{NB}Praze '
                   f'za <em>1</em>{NB}280{NB}Kč</p>')
    # A paragraph, a line break, code or a comment ends the text: nothing reaches over them.
    for html in ("<p>20</p><p> %</p>", "<p>v<br> Praze</p>", "<p>20<code>x</code> %</p>", "<p>v<!-- x --> Praze</p>"):
        assert nbsp_html(html, "cs") == html


def test_typography_across_tags_in_an_email_body():
    from sitekeeper.render.typography import nbsp_html as email_typography  # the one function, as mail uses it

    out = email_typography('<td><p>Jen <b>do 6.</b> ledna: sleva <span class="p">20</span> %</p></td>', "cs")
    assert f"6.</b>{NB}ledna" in out and f'20</span>{NB}%' in out


def test_french_punctuation_gets_no_break_spaces():
    out = nbsp_text("Vraiment ? Oui : 20 € !", "fr")
    assert "Vraiment\u202f?" in out and f"Oui{NB}:" in out and "€\u202f!" in out


# ---------------------------------------------------------------- strings


@pytest.mark.parametrize("lang", LANGS)
def test_every_ui_string_and_email_label_exists_in_every_language(lang):
    assert i18n.missing_keys(lang) == []
    assert mail_strings.missing_keys(lang) == []
    assert all(v.strip() for v in i18n.strings_for(lang).values())


def test_a_language_without_strings_is_a_warning_naming_the_missing_keys(tmp_path):
    ws = _demo(tmp_path)
    toml = ws / "sites" / "baeckerei-sonnenkorn" / "site.toml"
    toml.write_text(toml.read_text().replace('languages = ["de", "en"]', 'languages = ["de", "en", "xx"]'))
    res = sk("check", "baeckerei-sonnenkorn", cwd=ws, now="2026-12-01T10:00:00+01:00")
    text = res.stdout + res.stderr
    assert res.returncode == 0, text
    assert "Traceback" not in text
    assert "'xx' has no catalog" in text and "skip_to_content" in text
    assert "shown in English" in text and "[lang.xx]" in text
    strict = sk("check", "baeckerei-sonnenkorn", "--strict", cwd=ws, now="2026-12-01T10:00:00+01:00")
    assert strict.returncode == 1, strict.stdout + strict.stderr


def test_site_toml_can_supply_a_language_s_strings(tmp_path):
    ws = _demo(tmp_path)
    toml = ws / "sites" / "baeckerei-sonnenkorn" / "site.toml"
    words = ", ".join(f'{k} = "{k}-gd"' for k in i18n.KEYS)
    labels = ", ".join(f'{k} = "{k}-gd"' for k in mail_strings.KEYS)
    toml.write_text(toml.read_text().replace('languages = ["de", "en"]', 'languages = ["de", "en", "gd"]')
                    + f"\n[lang.gd]\nstrings = {{ {words} }}\nemail_strings = {{ {labels} }}\n")
    res = sk("check", "baeckerei-sonnenkorn", cwd=ws, now="2026-12-01T10:00:00+01:00")
    assert res.returncode == 0, res.stdout + res.stderr


# ---------------------------------------------------------------- the built demo


@pytest.fixture(scope="module")
def bakery(tmp_path_factory):
    ws = _demo(tmp_path_factory.mktemp("bakery"))
    res = sk("build", "baeckerei-sonnenkorn", "--out", "out", cwd=ws, now="2026-12-01T10:00:00+01:00")
    assert res.returncode == 0, res.stderr
    return ws / "out"


@pytest.fixture(scope="module")
def dental(tmp_path_factory):
    ws = _demo(tmp_path_factory.mktemp("dental"))
    res = sk("build", "zubni-ordinace-novakova", "--out", "out", cwd=ws, now="2026-12-01T10:00:00+01:00")
    assert res.returncode == 0, res.stderr
    return ws / "out"


def _demo(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("sites", "campaigns"):
        shutil.copytree(ROOT / name, ws / name)
    (ws / "sitekeeper.toml").write_text("")
    return ws


def _json_ld(html: str) -> dict:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert m, "no JSON-LD"
    return json.loads(m.group(1))


def test_home_page_has_local_business_json_ld(bakery):
    data = _json_ld((bakery / "index.html").read_text())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Bakery"
    assert data["telephone"] == "+49 30 23125478"
    assert data["address"] == {"@type": "PostalAddress", "streetAddress": "Wühlischstraße 27",
                               "postalCode": "10245", "addressLocality": "Berlin"}
    days = {d for spec in data["openingHoursSpecification"] for d in spec["dayOfWeek"]}
    assert "https://schema.org/Monday" in days and "https://schema.org/Sunday" in days
    sat = [s for s in data["openingHoursSpecification"] if "https://schema.org/Saturday" in s["dayOfWeek"]]
    assert sat[0]["opens"] == "07:00" and sat[0]["closes"] == "14:00"
    assert {s["validFrom"] for s in data["specialOpeningHoursSpecification"]} >= {"2026-12-25"}
    assert data["hasMap"].startswith("https://www.openstreetmap.org/")
    # English home: the English name
    assert _json_ld((bakery / "en" / "index.html").read_text())["name"] == "Sonnenkorn Bakery"


def test_footer_shows_hours_phone_and_map_link(bakery):
    html = (bakery / "ueber-uns" / "index.html").read_text()
    assert 'href="tel:+493023125478"' in html
    assert 'href="mailto:info@baeckerei-sonnenkorn.example"' in html
    assert "Öffnungszeiten" in html and "Auf der Karte zeigen" in html
    assert "Mo–Fr" in html and "06:30–18:30" in html


def test_link_previews(bakery):
    home = (bakery / "index.html").read_text()
    assert '<meta property="og:title" content="Bäckerei Sonnenkorn">' in home
    assert '<meta property="og:locale" content="de_DE">' in home
    assert '<meta property="og:locale:alternate" content="en_GB">' in home
    assert 'name="twitter:card"' in home and 'property="og:image" content="https://' in home
    # every page has a meta description
    for page in bakery.rglob("index.html"):
        assert re.search(r'<meta name="description" content="[^"]{20,}">', page.read_text()), page


def test_favicons_and_manifest(bakery, dental):
    for out in (bakery, dental):
        assert (out / "apple-touch-icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        manifest = json.loads((out / "site.webmanifest").read_text())
        assert manifest["icons"][0]["src"] == "/icon-192.png"
        home = (out / "index.html").read_text()
        assert 'rel="apple-touch-icon"' in home and 'rel="manifest"' in home and "data:," not in home


def test_english_pages_use_the_english_tagline_and_a_404_of_their_own(bakery):
    assert "Freshly baked since 1962" in (bakery / "en" / "index.html").read_text()
    assert "Frisch gebacken" not in (bakery / "en" / "index.html").read_text()
    assert 'lang="en"' in (bakery / "en" / "404.html").read_text()
    assert "Page not found" in (bakery / "en" / "404.html").read_text()


def test_language_bar_links_the_other_home_when_a_page_has_no_translation(bakery):
    html = (bakery / "impressum" / "index.html").read_text()  # German only
    assert re.search(r'<a href="/en/" hreflang="en" lang="en">English</a>', html)
    assert 'rel="alternate" hreflang="en"' not in html.split("</head>")[0]


def test_path_words_per_language(dental):
    assert (dental / "akce" / "zimni-usmev" / "index.html").is_file()
    assert not (dental / "promotions" / "zimni-usmev").exists()
    assert (dental / "en" / "promotions" / "zimni-usmev" / "index.html").is_file()


def test_promotion_page_shows_the_offer_once_with_validity_and_a_button(dental):
    html = (dental / "akce" / "zimni-usmev" / "index.html").read_text()
    main = html.split('<main', 1)[1]
    offer = f"o{NB}20{NB}% levněji"
    assert main.count(offer) == 1
    assert "Platí do" in main and "6.\u00a0ledna 2027" in main
    assert re.search(r'<p class="cta"><a href="/kontakt/" class="button', main)
    assert 'class="banners"' not in html  # its own banner is not repeated above it
    # The line under the title does not repeat the title the banner starts with.
    assert '<p class="landing__offer">Dentální hygiena a' in main and main.count("Zimní úsměv:") == 0


def test_the_offer_line_drops_a_lead_that_repeats_the_title():
    from sitekeeper.render.landing import offer_line

    assert offer_line("Adventsaktion: 10 % auf alle Stollen", "Adventsaktion 2026") == "10 % auf alle Stollen"
    assert offer_line("zimní úsměv: bělení o 20 %", "Zimní úsměv") == "Bělení o 20 %"
    assert offer_line("Spring sale: 20% off", "Easter offer") == "Spring sale: 20% off"  # another lead: kept
    assert offer_line("Adventsaktion:", "Adventsaktion 2026") == "Adventsaktion:"  # nothing after it: kept
    assert offer_line("Adventsaktion 2026", "adventsaktion 2026") == ""


def test_news_cards_show_a_thumbnail_when_the_post_has_a_picture(bakery):
    html = (bakery / "aktuelles" / "index.html").read_text()
    assert 'class="card__image"' in html


def test_derived_palettes_differ_and_stay_readable():
    a = default_palette("Tailor", "Schneiderei Kraus")
    b = default_palette("Dentist", "Zahnarzt Kraus")
    c = default_palette(None, "Blumen Weber")
    assert len({a["primary_color"], b["primary_color"], c["primary_color"]}) == 3
    for p in (a, b, c):
        assert contrast(p["primary_color"], "#ffffff") >= 4.5


def test_banner_text_reaches_aa(bakery, dental):
    for out in (bakery, dental):
        css = re.search(r"--accent:(#[0-9a-f]{6});--on-accent:(#[0-9a-f]{6})", (out / "index.html").read_text())
        assert contrast(css.group(1), css.group(2)) >= 4.5
