"""Front matter `url` and `aliases`, links to Markdown files, `.html` pages, `lastmod`,
`weight`, `menu_title`, `params`, and `[content] default_language_in_subfolder`."""
from __future__ import annotations

import re

from pathlib import Path

import pytest

from helpers import sk

NOW = "2026-03-01T09:00:00+01:00"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path) -> Path:
    ws = tmp_path / "ws"
    write(ws, {
        "sites/cafe/site.toml": 'name = "Café"\nbase_url = "https://cafe.example"\nlanguages = ["de", "en"]\n'
                                'timezone = "Europe/Berlin"\n',
        "sites/cafe/content/index.md": "---\ntitle: Start\n---\n[Kontakt](kontakt.md) · [Team](ueber/team.md#leute)\n",
        "sites/cafe/content/index.en.md": "---\ntitle: Home\n---\n[Contact](kontakt.md)\n",
        "sites/cafe/content/kontakt.md": "---\ntitle: Kontakt\nurl: /kontakt.html\naliases: [/contact.php.html, /alt/kontakt/]\n"
                                         "menu: 2\nmenu_title: Schreiben\n---\nHallo. Zurück zum [Start](index.md).\n",
        "sites/cafe/content/kontakt.en.md": "---\ntitle: Contact\nurl: /en/contact/\n---\nHello.\n",
        "sites/cafe/content/ueber/team.md": "---\ntitle: Team\nlastmod: 2025-12-24\nweight: 2\n---\n## Leute\n\n"
                                            "[Preise](../../preise/)\n",
        "sites/cafe/content/ueber/geschichte.md": "---\ntitle: Geschichte\ndate: 2025-01-01\nweight: 1\n---\nSeit 1962.\n",
        "sites/cafe/content/preise.html": "---\ntitle: Preise\nparams:\n  hero_title: Unsere Preise\n---\n"
                                          "<table><tr><td>Kaffee</td><td>2,50</td></tr></table>\n<a href=\"kontakt.md\">Fragen?</a>\n",
        "sites/cafe/content/notizen.txt": "nur für mich\n",
        "sites/cafe/templates/page.html": "{% extends \"base.html\" %}{% block content %}<h1 class=hero>"
                                          "{{ page.params.hero_title or page.title }}</h1>{{ page.content }}{% endblock %}",
    })
    return ws


def test_url_aliases_file_links_html_pages_and_params_build(site):
    r = sk("build", "cafe", "--out", "out", cwd=site, now=NOW)
    assert r.returncode == 0, r.stderr
    out = site / "out"
    assert (out / "kontakt.html").is_file() and (out / "en/contact/index.html").is_file()
    for old in ("contact.php.html", "alt/kontakt/index.html"):
        text = (out / old).read_text()
        assert '<meta http-equiv="refresh" content="0; url=https://cafe.example/kontakt.html">' in text
        assert '<link rel="canonical" href="https://cafe.example/kontakt.html">' in text
        assert "<script" not in text and "stylesheet" not in text  # nothing else
    home = (out / "index.html").read_text()
    assert 'href="/kontakt.html"' in home and 'href="/ueber/team/#leute"' in home
    assert 'href="/en/contact/"' in (out / "en/index.html").read_text()  # the link follows the page's language
    assert 'href="/"' in (out / "kontakt.html").read_text()
    preise = (out / "preise/index.html").read_text()
    assert "<td>Kaffee</td>" in preise and '<h1 class=hero>Unsere Preise</h1>' in preise
    assert 'href="/kontakt.html"' in preise
    assert ">Schreiben</a>" in home  # menu_title in the navigation
    section = (out / "ueber/index.html").read_text()
    assert section.index("Geschichte") < section.index("Team")  # weight 1 before 2
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://cafe.example/ueber/team/</loc><lastmod>2025-12-24</lastmod>" in sitemap
    assert "contact.php.html" not in sitemap
    assert "content/notizen.txt: warning: not a page" in r.stderr
    assert not (out / "notizen.txt").exists()


def test_a_link_to_a_missing_file_or_a_draft_is_an_error_at_its_line(site):
    write(site, {"sites/cafe/content/ueber/team.md": "---\ntitle: Team\n---\nText\n\n[Alt](../weg.md)\n",
                 "sites/cafe/content/ueber/geschichte.md": "---\ntitle: Geschichte\ndraft: true\n---\nx\n",
                 "sites/cafe/content/index.md": "---\ntitle: Start\n---\n[G](ueber/geschichte.md)\n"})
    r = sk("check", "cafe", cwd=site, now=NOW)
    assert r.returncode == 1
    assert "sites/cafe/content/ueber/team.md:6: error: broken internal link: ../weg.md is not a page in this build " \
           "(no visible content/weg.md)" in r.stderr
    assert "sites/cafe/content/index.md:4: error: broken internal link: ueber/geschichte.md" in r.stderr


def test_bad_url_and_alias_values_are_errors_with_a_fix(site):
    write(site, {"sites/cafe/content/kontakt.md": "---\ntitle: Kontakt\nurl: https://elsewhere.example/x\n"
                                                  "aliases: [/, \"/a b\"]\n---\nx\n"})
    r = sk("check", "cafe", cwd=site, now=NOW)
    assert r.returncode == 1
    assert "sites/cafe/content/kontakt.md:3: error: `url` 'https://elsewhere.example/x' is not a path of this site" in r.stderr
    assert "sites/cafe/content/kontakt.md:4: error: alias '/' is not a URL path of this site" in r.stderr


def test_two_pages_claiming_one_old_url_are_refused(site):
    write(site, {"sites/cafe/content/ueber/team.md": "---\ntitle: Team\naliases: [/kontakt.html]\n---\nx\n"})
    r = sk("check", "cafe", cwd=site, now=NOW)
    assert r.returncode == 1
    assert "two outputs at /kontakt.html" in r.stderr


def test_default_language_in_subfolder_moves_it_under_its_code_and_root_redirects(site):
    toml = site / "sites/cafe/site.toml"
    toml.write_text(toml.read_text() + "\n[content]\ndefault_language_in_subfolder = true\n")
    (site / "sites/cafe/content/menu.en.md").write_text("---\ntitle: Menu\n---\nCoffee.\n", encoding="utf-8")
    r = sk("build", "cafe", "--out", "out", cwd=site, now=NOW)
    assert r.returncode == 0, r.stderr
    out = site / "out"
    assert (out / "de/index.html").is_file() and (out / "de/ueber/team/index.html").is_file()
    assert (out / "de/feed.xml").is_file() and (out / "en/index.html").is_file()
    assert 'content="0; url=https://cafe.example/de/"' in (out / "index.html").read_text()
    assert 'href="/de/ueber/team/#leute"' in (out / "de/index.html").read_text()
    assert (out / "kontakt.html").is_file()  # an explicit url stays as written
    # The default language's home is /de/ now: its feed says so, and so does the language bar of
    # a page that has no German version (/ only redirects).
    feed = (out / "de/feed.xml").read_text()
    assert '<link rel="self" href="https://cafe.example/de/feed.xml"' in feed
    assert '<link href="https://cafe.example/de/"' in feed
    english_only = (out / "en/menu/index.html").read_text()
    assert re.search(r'<a [^>]*href="/de/"[^>]*hreflang="de"|<a [^>]*hreflang="de"[^>]*href="/de/"', english_only)


def test_default_language_in_subfolder_must_be_true_or_false(site):
    toml = site / "sites/cafe/site.toml"
    toml.write_text(toml.read_text() + '\n[content]\ndefault_language_in_subfolder = "yes"\n')
    r = sk("check", "cafe", cwd=site, now=NOW)
    assert r.returncode == 1
    assert "sites/cafe/site.toml:7: error: `default_language_in_subfolder` must be true or false" in r.stderr
