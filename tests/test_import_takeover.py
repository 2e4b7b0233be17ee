"""Taking over real sites: what an old site leaves in its text is named, never passed in silence."""
from __future__ import annotations

from helpers import sk

NOW = "2026-03-05T12:00:00+01:00"

# A Jetpack contact page and a VideoPress embed, as WordPress.com exports them.
JETPACK_WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Praxis Lind</title><link>https://praxislind.wordpress.com</link><description>Physio</description>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://wordpress.com/</wp:base_site_url>
<wp:base_blog_url>https://praxislind.wordpress.com</wp:base_blog_url>
<item><title>Kontakt</title><link>https://praxislind.wordpress.com/kontakt/</link>
 <wp:post_id>5</wp:post_id><wp:post_type>page</wp:post_type><wp:status>publish</wp:status>
 <wp:post_name>kontakt</wp:post_name><wp:post_parent>0</wp:post_parent>
 <content:encoded><![CDATA[Schreiben Sie uns:

[contact-form to="info@praxislind.example" subject="Anfrage"]""" \
    """[contact-field label="Name" type="name" required="1" /][contact-field label="E-Mail" type="email" required="1" /]""" \
    """[contact-field label="Nachricht" type="textarea" /][/contact-form]

So finden Sie uns:

[wpvideo bFNsKk9L]]]></content:encoded></item>
</channel></rss>
"""


def test_jetpack_contact_form_fields_and_videopress_are_named_as_leftovers(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    export = tmp_path / "export.xml"
    export.write_text(JETPACK_WXR, encoding="utf-8")
    run = sk("import", str(export), "--client", "lind", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    report = (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")
    for code in ("[contact-form to=", "[contact-field label=\"Name\"", "[/contact-form]", "[wpvideo bFNsKk9L]"):
        assert code in report, report
    checked = sk("check", "lind", cwd=ws, now=NOW)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 0, text
    assert "[wpvideo bFNsKk9L]" in text and "[/contact-form]" in text


def _hugo_multilingual(root):
    src = root / "hugo-site"
    (src / "content" / "legal").mkdir(parents=True)
    (src / "hugo.toml").write_text(
        'baseURL = "/"\ntitle = "Ferienhaus Fjord"\ndefaultContentLanguage = "en"\n'
        '[languages.en]\nweight = 1\n[languages.de]\nweight = 2\n[languages.fr]\nweight = 3\n'
        '[languages.nb]\nweight = 4\n', encoding="utf-8")
    (src / "content" / "_index.md").write_text("---\ntitle: Home\n---\nWelcome.\n", encoding="utf-8")
    for lg, word in (("", "Home"), (".de", "Start"), (".fr", "Accueil"), (".nb", "Hjem")):
        (src / "content" / f"_index{lg}.md").write_text(f"---\ntitle: {word}\n---\n{word}.\n", encoding="utf-8")
        (src / "content" / "legal" / f"cookies{lg}.md").write_text(
            f"---\ntitle: Cookies {lg}\naliases: [cookie-policy]\n---\nCookies {lg}.\n", encoding="utf-8")
    return src


def test_hugo_relative_aliases_keep_their_language_and_a_bare_base_url_is_a_warned_placeholder(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = _hugo_multilingual(tmp_path)
    run = sk("import", str(src), "--client", "fjord", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    toml = (ws / "sites/fjord/site.toml").read_text(encoding="utf-8")
    assert 'base_url = "https://www.example.com"' in toml
    assert "names no domain" in (ws / "sites/fjord/import-report.txt").read_text(encoding="utf-8")
    checked = sk("check", "fjord", cwd=ws, now=NOW)
    text = checked.stdout + checked.stderr
    assert checked.returncode == 0, text                      # no alias collisions, nb builds
    assert "still the placeholder" in text
    built = sk("build", "fjord", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    out = ws / "out"
    for lg in ("de", "fr", "nb"):
        alias = out / lg / "legal" / "cookie-policy" / "index.html"
        assert alias.is_file(), sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
        assert f"/{lg}/legal/cookies/" in alias.read_text(encoding="utf-8")
    assert "/legal/cookies/" in (out / "legal" / "cookie-policy" / "index.html").read_text(encoding="utf-8")


def test_jekyll_404_page_and_the_old_favicons_are_the_clients_own_and_pass_check(tmp_path):
    import shutil

    from helpers import DATA

    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "jekyll"
    shutil.copytree(DATA / "import" / "jekyll", src)
    (src / "404.html").write_text("---\nlayout: default\npermalink: /404.html\ntitle: Nicht gefunden\n---\n"
                                  "<h1>Hoppla</h1><p>Diese Seite gibt es nicht.</p>\n", encoding="utf-8")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    (src / "apple-touch-icon.png").write_bytes(png)
    (src / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    (src / "feed.xml").write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>\n',
                                  encoding="utf-8")  # an old build's feed, no front matter
    run = sk("import", str(src), "--client", "cafe", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    checked = sk("check", "cafe", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = sk("build", "cafe", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    out = ws / "out"
    assert "Hoppla" in (out / "404.html").read_text(encoding="utf-8")       # the client's own 404 page
    assert (out / "apple-touch-icon.png").read_bytes() == png               # ... and its own icon
    assert "/feed.xml is not imported: the site makes the news feed itself" in (
        ws / "sites/cafe/import-report.txt").read_text(encoding="utf-8")
    assert not (ws / "sites/cafe/static/feed.xml").exists() and "<entry>" in (out / "feed.xml").read_text(
        encoding="utf-8")


def test_html_folder_without_lang_takes_the_language_of_its_text_and_the_domain_of_its_cname(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "site"
    src.mkdir()
    (src / "CNAME").write_text("www.padaria-lisboa.pt\n", encoding="utf-8")
    page = ("<!doctype html><html><head><title>Padaria Lisboa</title></head><body><main>"
            "<h1>{h}</h1><p>{p}</p></main></body></html>")
    (src / "index.html").write_text(page.format(
        h="Bem-vindo à nossa padaria",
        p="Fazemos pão fresco todos os dias desde 1962. Venha provar os nossos pastéis de nata, "
          "o pão de centeio e os bolos da avó. Estamos abertos de segunda a sábado."), encoding="utf-8")
    (src / "sobre.html").write_text(page.format(
        h="Sobre nós", p="Somos uma pequena empresa familiar no coração de Lisboa, com três gerações de padeiros."),
        encoding="utf-8")
    run = sk("import", str(src), "--client", "padaria", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    toml = (ws / "sites/padaria/site.toml").read_text(encoding="utf-8")
    assert 'languages = ["pt"]' in toml and 'base_url = "https://www.padaria-lisboa.pt"' in toml
    report = (ws / "sites/padaria/import-report.txt").read_text(encoding="utf-8")
    assert "the text reads as 'pt'" in report and "from the CNAME file" in report
    checked = sk("check", "padaria", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr


WPCOM_MEDIA_WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Praxis Lind</title><link>https://praxislind.wordpress.com</link><description>Physio</description>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://wordpress.com/</wp:base_site_url>
<wp:base_blog_url>https://praxislind.wordpress.com</wp:base_blog_url>
<item><title>Praxis</title><link>https://praxislind.wordpress.com/praxis/</link>
 <wp:post_id>7</wp:post_id><wp:post_type>page</wp:post_type><wp:status>publish</wp:status>
 <wp:post_name>praxis</wp:post_name><wp:post_parent>0</wp:post_parent>
 <content:encoded><![CDATA[<p><img src="https://praxislind.files.wordpress.com/2020/05/raum.jpg?w=1024" alt="Raum"></p>
<p><img src="https://i0.wp.com/praxislind.example/wp-content/uploads/2021/02/team.jpg?resize=600%2C400&amp;ssl=1" alt="Team"></p>
<p><img src="https://praxislind.files.wordpress.com/2020/05/fehlt.jpg" alt="Fehlt"></p>]]></content:encoded></item>
</channel></rss>
"""


def test_media_on_wordpress_com_hosts_are_taken_from_uploads_and_the_missing_one_is_named(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    export = tmp_path / "export.xml"
    export.write_text(WPCOM_MEDIA_WXR, encoding="utf-8")
    uploads = tmp_path / "uploads"
    (uploads / "2020/05").mkdir(parents=True)
    (uploads / "2021/02").mkdir(parents=True)
    (uploads / "2020/05/raum.jpg").write_bytes(b"raum")
    (uploads / "2021/02/team.jpg").write_bytes(b"team")
    run = sk("import", str(export), "--client", "lind", "--uploads", str(uploads), cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    site = ws / "sites/lind"
    page = next((site / "content").rglob("praxis*.md")).read_text(encoding="utf-8")
    assert "](/wp-content/uploads/2020/05/raum.jpg)" in page and "](/wp-content/uploads/2021/02/team.jpg)" in page
    assert (site / "static/wp-content/uploads/2020/05/raum.jpg").read_bytes() == b"raum"
    assert (site / "static/wp-content/uploads/2021/02/team.jpg").read_bytes() == b"team"
    assert "https://praxislind.files.wordpress.com/2020/05/fehlt.jpg" in page     # shown from where it was ...
    report = (site / "import-report.txt").read_text(encoding="utf-8")
    assert "/wp-content/uploads/2020/05/fehlt.jpg is not in the --uploads folder" in report   # ... and named
    checked = sk("check", "lind", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_liquid_in_a_jekyll_html_page_is_named_and_the_page_still_builds(tmp_path):
    import shutil

    from helpers import DATA

    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "jekyll"
    shutil.copytree(DATA / "import" / "jekyll", src)
    (src / "crew.html").write_text(
        "---\nlayout: default\ntitle: Team\n---\n<ul>{% for m in site.data.team %}<li><a href=\"{{ m.url }}\">"
        "{{ m.name }}</a></li>{% endfor %}</ul>\n<p><img src=\"{{ page.image }}\" alt=\"\"></p>\n", encoding="utf-8")
    run = sk("import", str(src), "--client", "cafe", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    report = (ws / "sites/cafe/import-report.txt").read_text(encoding="utf-8")
    assert "address is Liquid ('{{ m.url }}')" in report and "'{% for m in site.data.team %}'" in report
    checked = sk("check", "cafe", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert sk("build", "cafe", "--out", "out", cwd=ws, now=NOW).returncode == 0


def test_region_tags_stay_as_written_and_the_old_language_folders_are_kept(tmp_path):
    """Hugo's `pt-br` and `zh-cn` folders: the site says pt-BR (its own words and dates) and zh, the
    files are about.pt-BR.md, and every old URL is served where it was."""
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "loja"
    (src / "content").mkdir(parents=True)
    (src / "hugo.toml").write_text(
        'baseURL = "https://loja.example/"\ntitle = "Loja"\ndefaultContentLanguage = "en"\n'
        "[languages.en]\nweight = 1\n[languages.pt-br]\nweight = 2\n[languages.zh-cn]\nweight = 3\n", encoding="utf-8")
    # zh-cn has no home page file (Hugo draws one from its theme); `only` is in English alone
    for name, title in (("_index.md", "Home"), ("_index.pt-br.md", "Início"), ("only.md", "Only"),
                        ("about.md", "About"), ("about.pt-br.md", "Sobre"), ("about.zh-cn.md", "关于")):
        (src / "content" / name).write_text(f"---\ntitle: {title}\n---\n{title}.\n", encoding="utf-8")
    run = sk("import", str(src), "--client", "loja", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    site = ws / "sites/loja"
    assert 'languages = ["en", "pt-BR", "zh"]' in (site / "site.toml").read_text(encoding="utf-8")
    names = sorted(p.name for p in (site / "content").iterdir())
    assert names == ["about.md", "about.pt-BR.md", "about.zh.md", "index.md", "index.pt-BR.md", "index.zh.md",
                     "only.md"]
    assert "'zh-cn' had no home page file" in (site / "import-report.txt").read_text(encoding="utf-8")
    checked = sk("check", "loja", "--strict", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = sk("build", "loja", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    for url in ("pt-br/", "pt-br/about/", "zh-cn/", "zh-cn/about/"):
        assert (ws / "out" / url / "index.html").is_file(), url
    page = (ws / "out/pt-br/about/index.html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in page
    # the language bar of a page without a translation leads to each language's home, where it is
    only = (ws / "out/only/index.html").read_text(encoding="utf-8")
    assert '<a href="/pt-br/" hreflang="pt-BR"' in only and '<a href="/zh-cn/" hreflang="zh"' in only
    assert '<a class="brand" href="/pt-br/"' in page


def test_a_language_without_a_home_page_gets_a_generated_one_that_check_names(tmp_path):
    ws = tmp_path / "ws"
    content = ws / "sites/shop/content"
    content.mkdir(parents=True)
    (ws / "sites/shop/site.toml").write_text('name = "Shop"\nbase_url = "https://shop.example"\n'
                                             'languages = ["en", "pt-BR", "zh-Hant"]\n', encoding="utf-8")
    (content / "index.md").write_text("---\ntitle: Home\n---\nHi.\n", encoding="utf-8")
    (content / "index.pt-BR.md").write_text("---\ntitle: Início\n---\nOi.\n", encoding="utf-8")
    (content / "about.zh-Hant.md").write_text("---\ntitle: 關於\n---\n關於.\n", encoding="utf-8")
    res = sk("check", "shop", cwd=ws, now=NOW)
    text = res.stdout + res.stderr
    assert res.returncode == 0, text  # a site being written builds
    assert "there is no home page in 'zh-Hant'" in text and "visitors of /zh-Hant/ get a generated list" in text
    assert "content/index.zh-Hant.md" in text and "/pt-BR/" not in text.split("fix:")[0]
    assert "broken theme link" not in text
    assert sk("check", "shop", "--strict", cwd=ws, now=NOW).returncode == 1
    assert sk("build", "shop", "--out", "out", cwd=ws, now=NOW).returncode == 0
    home = (ws / "out/zh-Hant/index.html").read_text(encoding="utf-8")
    assert 'lang="zh-Hant"' in home and "關於" in home and "<h1>Shop</h1>" in home


def test_a_wordpress_export_in_brazilian_portuguese_stays_pt_br_and_german_from_germany_is_de(tmp_path):
    from sitekeeper.locale.tags import site_tag

    assert [site_tag(t) for t in ("pt-BR", "pt_PT", "de-DE", "de-AT", "en-GB", "en_US", "zh-CN", "zh-TW",
                                  "zh-Hant-TW", "ja-JP", "cs-CZ", "fr")] == \
        ["pt-BR", "pt", "de", "de-AT", "en", "en-US", "zh", "zh-TW", "zh-Hant", "ja", "cs", "fr"]
    wxr = JETPACK_WXR.replace("<wp:wxr_version>", "<language>pt-BR</language><wp:wxr_version>")
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    export = tmp_path / "export.xml"
    export.write_text(wxr, encoding="utf-8")
    run = sk("import", str(export), "--client", "lind", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    assert 'languages = ["pt-BR"]' in (ws / "sites/lind/site.toml").read_text(encoding="utf-8")
    built = sk("build", "lind", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    assert '<html lang="pt-BR">' in (ws / "out/kontakt/index.html").read_text(encoding="utf-8")


def test_html_navigation_is_the_menu_the_footer_s_legal_pages_every_page_s_footer_and_forms_are_named(tmp_path):
    """A German business's Impressum, Datenschutz and AGB are linked from every page, its contact form
    becomes a mailto: link to its address, a search form and the scripts are named in the report."""
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "site"
    src.mkdir()
    shell = ('<!doctype html><html lang="de"><head><title>{t} | Tischlerei Holm</title>'
             '<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>'
             '<script src="/js/jquery.min.js"></script></head><body>'
             '<header><nav><ul><li><a href="/">Start</a></li><li><a href="/moebel.html">Möbel nach Maß</a></li>'
             '<li><a href="/kontakt.html">Kontakt</a></li><li><a href="https://shop.holm.example/">Shop</a></li>'
             '</ul></nav></header><main><h1>{t}</h1>{body}</main>'
             '<footer><a href="/impressum.html">Impressum</a> · <a href="/datenschutz.html">Datenschutz</a> · '
             '<a href="agb.html">AGB</a> · <a href="https://instagram.com/holm">Instagram</a></footer></body></html>')
    pages = {
        "index.html": ("Willkommen", "<p>Wir bauen Möbel aus Eiche. Schreiben Sie an "
                                     '<a href="mailto:info@holm.example">info@holm.example</a>.</p>'),
        "moebel.html": ("Möbel", '<p>Tische und Schränke.</p><form action="/suche.php"><input type="search" name="q">'
                                 "</form>"),
        "kontakt.html": ("Kontakt", '<p>So erreichen Sie uns:</p><form action="/send.php" method="post">'
                                    '<label>Name <input name="name"></label><label>E-Mail <input type="email" '
                                    'name="email"></label><label>Nachricht <textarea name="nachricht"></textarea>'
                                    '</label><button>Senden</button></form>'),
        "impressum.html": ("Impressum", "<p>Tischlerei Holm GmbH, Hauptstraße 3, 24103 Kiel</p>"),
        "datenschutz.html": ("Datenschutz", "<p>Wir speichern keine Daten.</p>"),
        "agb.html": ("AGB", "<p>Es gelten unsere Bedingungen.</p>"),
    }
    for name, (title, body) in pages.items():
        (src / name).write_text(shell.format(t=title, body=body), encoding="utf-8")
    run = sk("import", str(src), "--client", "holm", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    site = ws / "sites/holm"
    report = (site / "import-report.txt").read_text(encoding="utf-8")
    assert "jquery.min.js (1" not in report and "jquery.min.js (6 pages)" in report
    assert "js (www.googletagmanager.com) (6 pages)" in report
    assert "a form (Name, E-Mail, Nachricht, action /send.php) cannot run on a static site: it is now a mailto: " \
           "link to info@holm.example" in report
    assert "a form (q, action /suche.php) cannot run on a static site; left out" in report
    assert "'Shop' goes to another site" in report
    kontakt = (site / "content/kontakt.md").read_text(encoding="utf-8")
    assert "[info@holm.example](mailto:info@holm.example)" in kontakt and "Nachricht" not in kontakt
    checked = sk("check", "holm", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = sk("build", "holm", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    for name in pages:
        page = (ws / "out" / ("index.html" if name == "index.html" else name)).read_text(encoding="utf-8")
        nav = page.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
        assert "Möbel nach Maß" in nav and "/kontakt.html" in nav, name
        footer = page.split('class="site-footer__nav"', 1)[1].split("</nav>", 1)[0]
        for legal in ("/impressum.html", "/datenschutz.html", "/agb.html"):
            assert f'href="{legal}"' in footer, (name, legal)
