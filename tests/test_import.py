"""`sitekeeper import`: each kind of source becomes a client that passes `check`, every old
URL of a published page is a page or a redirect in the build, and the report lists exactly
what was left over, by file and line."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import DATA, json_lines, sk

NOW = "2026-03-01T09:00:00+01:00"
SRC = DATA / "import"


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    (root / "sites").mkdir(parents=True)
    shutil.copytree(SRC, root / "old")
    return root


def run_import(ws: Path, *args: str) -> dict:
    r = sk("import", *args, "--json", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stdout + r.stderr
    return json_lines(r.stdout)[-1]


def check_ok(ws: Path, client: str) -> None:
    r = sk("check", client, cwd=ws, now=NOW)
    assert r.returncode == 0, r.stdout + r.stderr


def build(ws: Path, client: str) -> Path:
    r = sk("build", client, "--out", "out", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stdout + r.stderr
    return ws / "out"


def served(out: Path, url: str) -> Path | None:
    """The file a static host serves for a URL path."""
    rel = url.lstrip("/")
    for candidate in (out / rel, out / rel / "index.html"):
        if candidate.is_file():
            return candidate
    return None


def is_redirect_to(page: Path, url: str) -> bool:
    text = page.read_text(encoding="utf-8")
    return f'http-equiv="refresh" content="0; url={url}"' in text and f'<link rel="canonical" href="{url}">' in text


def front(path: Path) -> dict:
    import yaml

    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def left_over(result: dict) -> list[tuple[str, int | None, str]]:
    return [(p["path"], p["line"], p["message"]) for p in result["problems"]]


# ---------------------------------------------------------------- WordPress


def test_wordpress_export_keeps_permalinks_menus_drafts_and_media(ws):
    result = run_import(ws, "old/wordpress/export.xml", "--client", "blumen", "--uploads", "old/wordpress/uploads")
    check_ok(ws, "blumen")
    content = ws / "sites/blumen/content"
    assert front(content / "ueber-uns/index.md") == {"title": "Über uns", "date": "2024-01-01 10:00", "weight": 2,
                                                     "menu": 2, "menu_title": "Wir"}
    assert front(content / "index.md")["menu"] == 1
    post = front(content / "2024/03/fruehlingsstrauss-woche.md")
    assert post["tags"] == ["Aktuelles", "Tulpen"]
    assert post["image"] == "/wp-content/uploads/2024/03/tulpen.jpg"
    assert post["description"] == "Diese Woche: Tulpen aus der Region."
    assert front(content / "post-11.md")["draft"] is True
    about = (content / "ueber-uns/index.md").read_text(encoding="utf-8")
    assert "![Unser Laden](/wp-content/uploads/2024/03/laden.jpg)" in about
    assert "*Unser Laden in der Karl-Liebknecht-Straße*" in about
    assert "- Anna Sommer\n- Jonas Berg" in about
    gallery = (content / "ueber-uns/hochzeit.md").read_text(encoding="utf-8")
    assert "![tulpen](/wp-content/uploads/2024/03/tulpen.jpg)" in gallery
    assert "youtube-nocookie.com/embed/dQw4w9WgXcQ" in (content / "2024/03/fruehlingsstrauss-woche.md").read_text()
    assert (ws / "sites/blumen/static/wp-content/uploads/2024/03/laden.jpg").is_file()
    assert 'languages = ["de"]' in (ws / "sites/blumen/site.toml").read_text()
    out = build(ws, "blumen")
    for url in ("/", "/ueber-uns/", "/ueber-uns/hochzeit/", "/2024/03/fruehlingsstrauss-woche/",
                "/wp-content/uploads/2024/03/laden.jpg"):
        assert served(out, url), url
    assert result["urls_kept"] == 4
    problems = left_over(result)
    assert problems == [
        ("old/wordpress/export.xml", None, "2 category and tag archives (/category/…/, /tag/…/) are not pages of the "
                                           "new site: their old URLs are not kept"),
        ("old/wordpress/export.xml", 195, "menu entry 'Instagram' of menu 'Hauptmenü' points at no imported page "
                                          "(a category, an outside link); it is not in the navigation"),
        ("sites/blumen/content/ueber-uns/index.md", 19,
         "WordPress shortcode '[contact-form-7 id=\"42\" title=\"Kontaktformular 1\"]' left in the text "
         "(from old/wordpress/export.xml:52)"),
    ]
    report = (ws / "sites/blumen/import-report.txt").read_text(encoding="utf-8")
    assert "sites/blumen/content/ueber-uns/index.md:19: warning: WordPress shortcode" in report


def test_wordpress_without_uploads_lists_every_missing_file_and_check_names_the_line(ws):
    result = run_import(ws, "old/wordpress/export.xml", "--client", "blumen")
    missing = sorted(p["message"].split(" ")[0] for p in result["problems"] if "no --uploads" in p["message"])
    assert missing == ["/wp-content/uploads/2024/03/laden.jpg", "/wp-content/uploads/2024/03/logo.png",
                       "/wp-content/uploads/2024/03/tulpen.jpg"]
    # The preview still builds: each missing file is shown from the old site, and named.
    r = sk("check", "blumen", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stdout + r.stderr
    page = (ws / "sites/blumen/content/ueber-uns/index.md").read_text(encoding="utf-8")
    assert "](https://blumen-sommer.example/wp-content/uploads/2024/03/laden.jpg" in page
    assert any("laden.jpg is not imported" in p["message"] and "from the old site" in p["message"]
               for p in result["problems"])
    out = build(ws, "blumen")
    assert "https://blumen-sommer.example/wp-content/uploads/2024/03/laden.jpg" in served(out, "/ueber-uns/").read_text(
        encoding="utf-8")


def test_import_never_overwrites_a_client_with_content(ws):
    run_import(ws, "old/wordpress/export.xml", "--client", "blumen", "--uploads", "old/wordpress/uploads")
    before = (ws / "sites/blumen/content/index.md").read_text()
    r = sk("import", "old/hugo", "--client", "blumen", cwd=ws, now=NOW)
    assert r.returncode == 1
    assert "sites/blumen/content: error: this client already has content; an import never overwrites" in r.stderr
    assert (ws / "sites/blumen/content/index.md").read_text() == before


def test_import_of_an_unknown_kind_is_a_usage_error(ws):
    r = sk("import", "old/hugo", "--client", "x", "--from", "drupal", cwd=ws, now=NOW)
    assert r.returncode == 2
    assert "--from: error: unknown source kind 'drupal'" in r.stderr
    (ws / "notes.txt").write_text("hello")
    r = sk("import", "notes.txt", "--client", "x", cwd=ws, now=NOW)
    assert r.returncode == 1
    assert "cannot tell what kind of site this is" in r.stderr
    assert not (ws / "sites/x").exists()


# ---------------------------------------------------------------- Hugo


def test_hugo_site_keeps_urls_aliases_translations_bundles_and_menus(ws):
    result = run_import(ws, "old/hugo", "--client", "radtouren")
    check_ok(ws, "radtouren")
    content = ws / "sites/radtouren/content"
    assert sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md")) == [
        "index.en.md", "index.md", "posts/entwurf.md", "posts/erste-tour/index.md", "posts/index.md",
        "posts/zweite-tour.md", "ueber-uns.en.md", "ueber-uns.md"]
    about = front(content / "ueber-uns.md")
    assert about["menu"] == 3 and about["menu_title"] == "Wir"
    assert about["params"] == {"hero_title": "Seit 2009 auf dem Rad"}
    assert about["lastmod"] == "2024-01-15"
    assert front(content / "ueber-uns.en.md") == {"title": "About us", "slug": "about", "menu": 3}
    assert front(content / "posts/index.md")["menu"] == 2
    tour = (content / "posts/erste-tour/index.md").read_text(encoding="utf-8")
    assert "![Blick auf Pirna](/posts/erste-tour/pirna.jpg)" in tour
    assert front(content / "posts/erste-tour/index.md")["image"] == "/posts/erste-tour/pirna.jpg"
    assert '<div class="notice notice-warning">' in (content / "ueber-uns.md").read_text()
    assert "```bash\necho \"Packliste\"\n```" in (content / "posts/zweite-tour.md").read_text()
    assert "[tours](/posts/index.md)" in (content / "index.en.md").read_text()
    site = (ws / "sites/radtouren/site.toml").read_text()
    assert 'languages = ["de", "en"]' in site and 'primary_color = "#1d6fa5"' in site
    out = build(ws, "radtouren")
    for url in ("/", "/en/", "/ueber-uns/", "/en/about/", "/posts/", "/posts/erste-tour/", "/posts/zweite-tour/",
                "/posts/erste-tour/pirna.jpg"):
        assert served(out, url), url
    assert is_redirect_to(served(out, "/team.html"), "https://www.radtouren.example/ueber-uns/")
    assert is_redirect_to(served(out, "/about-old/"), "https://www.radtouren.example/ueber-uns/")
    assert is_redirect_to(served(out, "/touren/2.html"), "https://www.radtouren.example/posts/zweite-tour/")
    assert not served(out, "/posts/entwurf/")
    # the en home's ref link goes to the posts section; the link to the German-only section stays German
    assert 'href="/posts/"' in served(out, "/en/").read_text(encoding="utf-8")
    gist = [p for p in left_over(result) if "gist" in p[2]]
    assert gist == [("sites/radtouren/content/posts/erste-tour/index.md", 19,
                     "Hugo shortcode '{{< gist radtouren 1234567 >}}' left in the text "
                     "(from old/hugo/content/posts/erste-tour/index.md)")]
    menus = sorted(p[2] for p in left_over(result) if p[0] == "old/hugo/hugo.toml")
    assert menus == [
        "3 taxonomy pages (/tags/…/, /categories/…/) are not pages of the new site: their old URLs are not kept",
        "menu entry 'Shop' (https://shop.radtouren.example/) points at no page of the site; it is not in the navigation",
        "menu entry 'Team' is a submenu entry: the navigation has one level",
        "menu entry 'Tours' (/posts) points at no page in `en`; it is not in the navigation",
    ]


def test_hugo_content_folders_per_language_and_default_language_in_subdir(ws):
    root = ws / "old/stahl"
    (root / "content/cs/produkty").mkdir(parents=True)
    (root / "content/en/products").mkdir(parents=True)
    (root / "config.toml").write_text(
        'baseURL = "https://ocel.example/"\ntitle = "Ocel Hradec"\ndefaultContentLanguage = "cs"\n'
        "defaultContentLanguageInSubdir = true\n"
        '[languages.cs]\ncontentDir = "content/cs"\nweight = 1\n'
        '[languages.en]\ncontentDir = "content/en"\nweight = 2\n', encoding="utf-8")
    (root / "content/cs/_index.md").write_text("---\ntitle: Úvod\n---\nVýroba oceli.\n", encoding="utf-8")
    (root / "content/cs/produkty/nosniky.md").write_text(
        "---\ntitle: Nosníky\ntranslationKey: beams\n---\nProfily IPE a HEB.\n", encoding="utf-8")
    (root / "content/en/_index.md").write_text("---\ntitle: Home\n---\nSteel making.\n", encoding="utf-8")
    (root / "content/en/products/beams.md").write_text(
        "---\ntitle: Beams\ntranslationKey: beams\n---\nIPE and HEB sections.\n", encoding="utf-8")
    run_import(ws, "old/stahl", "--client", "ocel")
    check_ok(ws, "ocel")
    content = ws / "sites/ocel/content"
    assert (content / "produkty/nosniky.en.md").is_file()  # paired by translationKey
    assert front(content / "produkty/nosniky.en.md")["url"] == "/en/products/beams/"
    assert "default_language_in_subfolder = true" in (ws / "sites/ocel/site.toml").read_text()
    out = build(ws, "ocel")
    for url in ("/cs/", "/en/", "/cs/produkty/nosniky/", "/en/products/beams/"):
        assert served(out, url), url
    assert is_redirect_to(out / "index.html", "https://ocel.example/cs/")
    beams = served(out, "/cs/produkty/nosniky/").read_text(encoding="utf-8")
    assert 'hreflang="en"' in beams and "/en/products/beams/" in beams


# ---------------------------------------------------------------- Jekyll


def test_jekyll_site_keeps_permalinks_lang_translations_and_html_pages(ws):
    result = run_import(ws, "old/jekyll", "--client", "trattoria")
    check_ok(ws, "trattoria")
    content = ws / "sites/trattoria/content"
    assert front(content / "posts/2024-03-01-spring-menu.md")["url"] == "/news/2024/03/01/spring-menu.html"
    assert front(content / "posts/2024-03-01-spring-menu.de.md")["url"] == "/de/news/2024/03/01/spring-menu.html"
    assert front(content / "posts/2024-04-02-pasta-kurs.de.md")["url"] == "/de/2024/04/02/pasta-kurs.html"
    assert front(content / "posts/summer-terrace.md")["draft"] is True
    menu = (content / "menu.html").read_text(encoding="utf-8")
    assert '<p class="hours">Tue–Sun' in menu  # the plain include, inlined
    assert front(content / "menu.html")["menu_title"] == "Our menu"
    assert "```python\nprint(\"buon appetito\")\n```" in (content / "posts/2024-03-01-spring-menu.md").read_text()
    site = (ws / "sites/trattoria/site.toml").read_text()
    assert 'timezone = "Europe/Zurich"' in site and 'languages = ["en", "de", "it"]' in site
    out = build(ws, "trattoria")
    for url in ("/", "/about/", "/de/ueber-uns/", "/menu.html", "/contact.html", "/news/2024/03/01/spring-menu.html",
                "/de/news/2024/03/01/spring-menu.html", "/de/2024/04/02/pasta-kurs.html", "/assets/img/logo.png"):
        assert served(out, url), url
    assert is_redirect_to(served(out, "/team.html"), "https://trattoria-lago.example/about/")
    spring = served(out, "/news/2024/03/01/spring-menu.html").read_text(encoding="utf-8")
    assert "/de/news/2024/03/01/spring-menu.html" in spring  # the translation is linked
    home = served(out, "/").read_text(encoding="utf-8")
    assert 'href="/menu.html"' in home and 'href="/news/2024/03/01/spring-menu.html"' in home
    assert sorted((p[0], p[1]) for p in left_over(result)) == [
        ("old/jekyll/_data/navigation.yml", None), ("old/jekyll/_layouts", None),
        ("old/jekyll/assets/css/style.scss", 1), ("sites/trattoria/content/contact.md", 7)]


# ---------------------------------------------------------------- static HTML


def test_static_html_folder_keeps_urls_and_takes_the_main_content(ws):
    result = run_import(ws, "old/html", "--client", "weber")
    check_ok(ws, "weber")
    content = ws / "sites/weber/content"
    home = (content / "index.md").read_text(encoding="utf-8")
    assert "Wir beraten **Handwerksbetriebe**" in home
    body = home.split("---\n", 2)[2]
    assert "tracking" not in body and "Impressum" not in body and "Start" not in body  # no script, footer, nav
    # the old navigation is the menu (its words as menu titles), the footer's Impressum the footer menu
    assert front(content / "index.md") == {"title": "Steuerbüro Weber",
                                           "description": "Steuerberatung für Handwerk und Gastronomie",
                                           "menu": 1, "menu_title": "Start"}
    assert front(content / "kontakt.md") == {"title": "Kontakt", "url": "/kontakt.html", "menu": 3}
    assert front(content / "leistungen/index.md")["menu"] == 2
    footer = (ws / "sites/weber/templates/partials/footer_links.html").read_text(encoding="utf-8")
    assert '<a href="/impressum.html"' in footer and "page.lang" not in footer  # every language shows it
    assert "| Telefon | 0341 123456 |" in (content / "kontakt.md").read_text()
    assert front(content / "leistungen/index.md")["aliases"] == ["/alt.html"]
    assert (content / "index.en.md").is_file()
    site = (ws / "sites/weber/site.toml").read_text()
    assert 'logo = "static/img/logo.png"' in site and 'primary_color = "#204a87"' in site
    assert 'base_url = "https://www.steuer-weber.example"' in site
    out = build(ws, "weber")
    for url in ("/", "/en/", "/kontakt.html", "/impressum.html", "/leistungen/", "/img/team.png",
                "/files/preisliste.pdf"):
        assert served(out, url), url
    assert is_redirect_to(served(out, "/alt.html"), "https://www.steuer-weber.example/leistungen/")
    for url in ("/", "/en/", "/leistungen/"):
        assert '<li><a href="/impressum.html">Impressum</a></li>' in served(out, url).read_text(encoding="utf-8"), url
    assert left_over(result) == [
        ("old/html/formular.php", None, "a server script: a static site cannot run it; copied as it is"),
        ("old/html", None, "the old footer's links (Impressum) are the footer menu of every page "
                           "(templates/partials/footer_links.html)"),
        ("old/html", None, "the old pages' scripts are not carried over: an inline script (1 page)")]


def test_live_site_is_read_over_the_clients_deploy_target_and_left_untouched(ws):
    live = ws / "live"
    shutil.copytree(SRC / "html", live)
    before = {p.relative_to(live).as_posix(): p.read_bytes() for p in live.rglob("*") if p.is_file()}
    r = sk("new", "client", "weber", "--yes", "--languages", "de", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    toml = ws / "sites/weber/site.toml"
    toml.write_text(toml.read_text() + f'\n[deploy.production]\nurl = "dir:{live}"\n', encoding="utf-8")
    (ws / "sites/weber/content/index.md").unlink()
    result = run_import(ws, "--from", "html", "--target", "production", "--client", "weber")
    assert result["pages"] == 5
    check_ok(ws, "weber")
    text = toml.read_text()
    assert 'languages = ["de", "en"]' in text and "[deploy.production]" in text  # the target is kept
    assert (ws / "sites/weber/content/kontakt.md").is_file()
    after = {p.relative_to(live).as_posix(): p.read_bytes() for p in live.rglob("*") if p.is_file()}
    assert after == before


# ---------------------------------------------------------------- new


def test_new_client_page_and_promotion_pass_check_and_never_overwrite(ws):
    r = sk("new", "client", "laden", "--name", "Laden Süd", "--languages", "de,en", "--timezone", "Europe/Berlin",
           "--email", "info@laden.example", "--postal-address", "Hauptstr. 1, 04109 Leipzig", "--yes", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    assert sk("new", "page", "laden", "leistungen/beratung", cwd=ws, now=NOW).returncode == 0
    assert sk("new", "page", "laden", "leistungen/beratung", "--lang", "en", "--title", "Advice",
              cwd=ws, now=NOW).returncode == 0
    r = sk("new", "promotion", "laden", "fruehling", "--starts", "2026-03-10 08:00", "--ends", "2026-03-20",
           "--json", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[-1]["written"] == ["campaigns/laden/fruehling.md", "campaigns/laden/audience.csv"]
    promo = front(ws / "campaigns/laden/fruehling.md")
    assert promo["send_at"] == "2026-03-10 09:00" and promo["approved"] is False
    assert front(ws / "sites/laden/content/leistungen/beratung.en.md")["title"] == "Advice"
    check_ok(ws, "laden")
    before = (ws / "sites/laden/site.toml").read_text()
    r = sk("new", "client", "laden", "--yes", cwd=ws, now=NOW)
    assert r.returncode == 1 and "sites/laden/site.toml: error: already exists; `new` never overwrites" in r.stderr
    assert (ws / "sites/laden/site.toml").read_text() == before
    r = sk("new", "page", "laden", "leistungen/beratung", cwd=ws, now=NOW)
    assert r.returncode == 1 and "already exists" in r.stderr


def test_new_promotion_is_refused_while_mail_could_not_send_it(ws):
    assert sk("new", "client", "ohne-mail", "--yes", cwd=ws, now=NOW).returncode == 0
    check_ok(ws, "ohne-mail")
    r = sk("new", "promotion", "ohne-mail", "sale", "--starts", "2026-03-10", "--ends", "2026-03-20", cwd=ws, now=NOW)
    assert r.returncode == 1
    assert "[mail] has no from, postal_address, unsubscribe_mailto" in r.stderr
    assert not (ws / "campaigns/ohne-mail/sale.md").exists()


WXR_HTTPS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="https://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="https://wordpress.org/export/1.2/">
<channel>
<title>Blumen Berger</title><link>https://blumen.example</link><description>Blumen</description>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://blumen.example</wp:base_site_url>
<item><title>rose</title><link>https://blumen.example/2020/05/01/fruehling/rose/</link>
 <wp:post_id>10</wp:post_id><wp:post_type>attachment</wp:post_type><wp:post_parent>11</wp:post_parent>
 <wp:status>inherit</wp:status><wp:post_name>rose</wp:post_name>
 <wp:attachment_url>https://cdn.example/uploads/rose.jpg</wp:attachment_url></item>
<item><title>Frühling</title><link>https://blumen.example/2020/05/01/fruehling/</link>
 <wp:post_id>11</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
 <wp:post_name>fruehling</wp:post_name><wp:post_date>2020-05-01 10:00:00</wp:post_date>
 <content:encoded><![CDATA[<p>Neu: <a href="https://blumen.example/2020/05/01/fruehling/rose/"><img src="https://cdn.example/uploads/rose.jpg" alt="Rose"></a></p>
<p>Siehe <a href="https://blumen.example/2019/01/01/weg/">den alten Beitrag</a>.</p>
<script>var stats = 1;</script>]]></content:encoded></item>
<item><title>Laden</title><link>https://blumen.example/laden/</link>
 <wp:post_id>12</wp:post_id><wp:post_type>page</wp:post_type><wp:status>publish</wp:status>
 <wp:post_name>laden</wp:post_name><wp:post_parent>0</wp:post_parent>
 <content:encoded><![CDATA[<p>Unser Laden.</p>]]></content:encoded></item>
<item><title>Team</title><link>https://blumen.example/laden/team/</link>
 <wp:post_id>13</wp:post_id><wp:post_type>page</wp:post_type><wp:status>publish</wp:status>
 <wp:post_name>team</wp:post_name><wp:post_parent>12</wp:post_parent>
 <content:encoded><![CDATA[<p>Wir.</p>]]></content:encoded></item>
</channel></rss>
"""


def test_a_wordpress_com_export_with_attachment_pages_parents_dead_links_and_scripts_passes_check(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    export = tmp_path / "export.xml"
    export.write_text(WXR_HTTPS, encoding="utf-8")
    run = sk("import", str(export), "--client", "blumen", cwd=ws, now="2026-03-05T12:00:00+01:00")
    assert run.returncode == 0, run.stdout + run.stderr
    checked = sk("check", "blumen", cwd=ws, now="2026-03-05T12:00:00+01:00")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    content = ws / "sites/blumen/content"
    post = next(content.rglob("fruehling*.md")).read_text(encoding="utf-8")
    assert "](https://cdn.example/uploads/rose.jpg)" in post           # the attachment page -> the image
    assert "](https://blumen.example/2019/01/01/weg/)" in post         # a dead link -> the old site
    assert (content / "laden/index.md").is_file() and (content / "laden/team.md").is_file()
    assert "var stats" not in post                                       # scripts do not run in Markdown ...
    report = (ws / "sites/blumen/import-report.txt").read_text(encoding="utf-8")
    assert "points at the old site" in report and "<script>" in report   # ... and the report says so
