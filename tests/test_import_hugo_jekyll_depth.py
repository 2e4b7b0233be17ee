"""Taking over Hugo and Jekyll sites: what the old theme drew from data files, front-matter
lists and its settings is shown on the pages (tables, team and price blocks, galleries) or
named in the report by file and key, never lost in silence."""
from __future__ import annotations

import io
import re

from helpers import sk

NOW = "2026-03-05T12:00:00+01:00"


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _write(root, files: dict) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def _hugo_site(root):
    src = root / "hugo"
    _write(src, {
        "hugo.toml": 'baseURL = "https://www.trattoria.example/"\ntitle = "Trattoria Sole"\ntheme = "sole"\n'
                     '[params]\ndescription = "Cucina"\ngoogle_analytics = "UA-1"\n[params.footer]\n'
                     'copyright = "(c) Sole"\n',
        "content/_index.md": "---\ntitle: Home\n---\nBenvenuti.\n",
        "content/menu.md": "---\ntitle: Menu\n---\nOur dishes:\n\n{{< pricelist >}}\n\nBuon appetito.\n",
        "content/rooms/garden/index.md": "---\ntitle: Garden room\ngallery:\n  - a.png\n  - src: b.png\n"
                                         "    caption: The terrace\nseats: 40\n---\nThe garden room.\n",
        "content/rooms/garden/a.png": _png(),
        "content/rooms/garden/b.png": _png(),
        "data/dishes.yaml": "- name: Pizza Margherita\n  price: 9.50 €\n- name: Tiramisù\n  price: 5 €\n",
        "data/team.yaml": "- name: Giulia Rossi\n  role: Chef\n  photo: images/giulia.png\n- name: Marco Bianchi\n"
                          "  role: Sommelier\n",
        "data/hours.yaml": "- day: Monday\n  open: closed\n- day: Tuesday\n  open: 12-22\n",
        "static/images/giulia.png": _png(),
        "themes/sole/layouts/shortcodes/pricelist.html": "{{ range .Site.Data.dishes }}<li>{{ .name }} {{ .price }}"
                                                         "</li>{{ end }}",
        "themes/sole/layouts/index.html": '{{ partial "team.html" . }}',
        "themes/sole/layouts/partials/team.html": "{{ range site.Data.team }}{{ .name }}{{ end }}",
    })
    return src


def test_hugo_data_files_become_tables_on_the_pages_that_showed_them_and_the_rest_is_named(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = _hugo_site(tmp_path)
    run = sk("import", str(src), "--client", "sole", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    content = ws / "sites/sole/content"
    menu = (content / "menu.md").read_text(encoding="utf-8")
    assert "{{<" not in menu and "::: prices" in menu and "| Pizza Margherita | 9.50 € |" in menu, menu
    assert menu.index("Our dishes") < menu.index("Pizza") < menu.index("Buon appetito")
    home = (content / "index.md").read_text(encoding="utf-8")
    assert "::: team" in home and "name: Giulia Rossi" in home and "photo: /images/giulia.png" in home, home
    garden = (content / "rooms/garden/index.md").read_text(encoding="utf-8")
    assert "::: gallery /rooms/garden/" in garden and "b.png: The terrace" in garden, garden
    report = (ws / "sites/sole/import-report.txt").read_text(encoding="utf-8")
    assert "data/hours.yaml" in report and "`hours`" in report and "2 records: day, open" in report, report
    assert "`params.footer` (params.footer.copyright)" in report
    assert "`params.google_analytics`" in report and "tracking" in report
    assert "front-matter field `seats`" in report and "rooms/garden/index.md" in report
    assert "data/dishes.yaml" in report and "shown on" in report
    assert "params.description" not in report  # the site's description, carried over
    checked = sk("check", "sole", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = sk("build", "sole", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    html = (ws / "out/menu/index.html").read_text(encoding="utf-8")
    assert "block-prices" in html and "Tiramisù" in html
    assert "Giulia Rossi" in (ws / "out/index.html").read_text(encoding="utf-8")
    assert "gallery" in (ws / "out/rooms/garden/index.html").read_text(encoding="utf-8")


def _jekyll_site(root):
    src = root / "jekyll"
    _write(src, {
        "_config.yml": "title: Salon Lila\nurl: https://salon-lila.example\npermalink: pretty\n"
                       "footer_text: Since 1990\ntwitter_username: lila\ncollections:\n  services:\n"
                       "    output: true\n",
        "index.md": "---\nlayout: home\ntitle: Home\n---\nWelcome.\n",
        "prices.md": "---\ntitle: Prices\nlayout: page\n---\nOur prices:\n\n"
                     "{% for p in site.data.prices %}\n<p>{{ p.service }}: {% for v in p.variants %}{{ v }}"
                     "{% endfor %} {{ p.price }}</p>\n{% endfor %}\n\nSee you soon.\n",
        "salon.md": "---\ntitle: The salon\nphotos:\n  - /images/a.png\n  - /gallery/b.png\n---\nOur salon.\n",
        "_services/colour.md": "---\ntitle: Colour\nduration: 90 min\n---\nColour and care.\n",
        "_data/prices.yml": "- service: Cut\n  price: 32 €\n- service: Colour\n  price: 55 €\n",
        "_data/social.yml": "- name: Instagram\n  url: https://instagram.com/lila\n",
        "_data/navigation.yml": "- title: Prices\n  url: /prices/\n",
        "_layouts/default.html": "<html>{{ content }}{% include footer.html %}</html>",
        "_layouts/page.html": "---\nlayout: default\n---\n{{ content }}",
        "_layouts/home.html": "---\nlayout: default\n---\n{{ content }}{% for s in site.data.team %}{{ s.name }}"
                              "{% endfor %}",
        "_includes/footer.html": "{% for s in site.data.social %}{{ s.name }}{% endfor %}",
        "_data/team.yml": "- name: Lila Berg\n  role: Owner\n",
        "images/a.png": _png(),
        "gallery/b.png": _png(),
    })
    return src


def test_jekyll_data_loops_layouts_collections_and_picture_lists_are_carried_over_or_named(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = _jekyll_site(tmp_path)
    run = sk("import", str(src), "--client", "lila", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    content = ws / "sites/lila/content"
    prices = (content / "prices.md").read_text(encoding="utf-8")
    assert "{%" not in prices and "::: prices" in prices and "| Cut | 32 € |" in prices, prices
    assert prices.index("Our prices") < prices.index("| Cut") < prices.index("See you soon")
    home = (content / "index.md").read_text(encoding="utf-8")
    assert "name: Lila Berg" in home, home                    # the home layout's data
    salon = (content / "salon.md").read_text(encoding="utf-8")
    assert "![](/images/a.png) ![](/gallery/b.png)" in salon, salon  # two folders: pictures in a row
    assert (content / "services/colour.md").is_file()         # a collection's page at its old URL
    report = (ws / "sites/lila/import-report.txt").read_text(encoding="utf-8")
    assert "_data/social.yml" in report and "[business]" in report, report   # drawn on every page by the theme
    assert "`footer_text` (footer_text)" in report and "`twitter_username`" in report
    assert "front-matter field `duration`" in report and "_services/colour.md" in report
    assert "front-matter list `photos`" in report
    assert "navigation.yml" not in report                      # the menu, read as the menu
    checked = sk("check", "lila", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = sk("build", "lila", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (ws / "out/services/colour/index.html").is_file()
    assert re.search(r"55(?:\s|&nbsp;|\u00a0|\u202f)€", (ws / "out/prices/index.html").read_text(encoding="utf-8"))


def test_a_record_list_in_front_matter_becomes_a_table_on_its_page(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "hugo"
    _write(src, {
        "hugo.toml": 'baseURL = "https://www.bar.example/"\ntitle = "Bar"\n',
        "content/_index.md": "---\ntitle: Home\nopening_hours:\n  - day: Mon-Fri\n    time: 8-18\n"
                             "  - day: Sat\n    time: 9-13\n---\nHello.\n",
    })
    run = sk("import", str(src), "--client", "bar", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    home = (ws / "sites/bar/content/index.md").read_text(encoding="utf-8")
    assert "## Opening hours" in home and "| Mon-Fri | 8-18 |" in home, home
    assert "front-matter list `opening_hours` is shown" in (ws / "sites/bar/import-report.txt").read_text(encoding="utf-8")
    checked = sk("check", "bar", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_hugo_bundle_sections_assets_pictures_and_icon_classes_build_as_the_theme_showed_them(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "hugo"
    _write(src, {
        "hugo.toml": 'baseURL = "https://www.advisors.example/"\ntitle = "Advisors"\n[permalinks]\npages = "/:filename/"\n',
        "content/_index.md": "---\ntitle: Home\n---\nHello.\n",
        "content/pages/about/index.md": "---\ntitle: About\n---\nAbout us.\n",
        "content/pages/about/part2.md": "---\ntitle: Our history\nweight: 2\n---\nSince 1985.\n",
        "content/pages/about/part1.md": "---\ntitle: No limits\nweight: 1\n---\nWe go far.\n",
        "content/pages/history/index.md": "---\ntitle: History\n---\nHistory.\n",
        "content/pages/history/part1.md": "---\ntitle: Beginnings\n---\nA garage.\n",
        "content/work/one.md": "---\ntitle: One\nimage: images/work/one.png\nfeatures:\n  - icon: fas fa-leaf\n"
                               "    text: Green\n---\nA project.\n",
        "assets/images/work/one.png": _png(),
        "assets/scss/style.scss": "body{}",
    })
    run = sk("import", str(src), "--client", "advisors", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    content = ws / "sites/advisors/content"
    about = (content / "pages/about/index.md").read_text(encoding="utf-8")
    assert about.index("## No limits") < about.index("We go far") < about.index("## Our history"), about
    assert not (content / "pages/about/part1.md").exists() and not (content / "pages/history/part1.md").exists()
    assert "## Beginnings" in (content / "pages/history/index.md").read_text(encoding="utf-8")
    assert (ws / "sites/advisors/static/images/work/one.png").is_file()
    assert not (ws / "sites/advisors/static/scss/style.scss").exists()
    one = (content / "work/one.md").read_text(encoding="utf-8")
    assert "image: /images/work/one.png" in one and "icon_class: fas fa-leaf" in one, one
    report = (ws / "sites/advisors/import-report.txt").read_text(encoding="utf-8")
    assert "2 content files of this page bundle (part1.md, part2.md)" in report, report
    assert "icon-font classes (fas fa-leaf)" in report
    checked = sk("check", "advisors", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = sk("build", "advisors", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Since 1985" in (ws / "out/pages/about/index.html").read_text(encoding="utf-8")


def test_a_jekyll_html_page_s_loop_over_its_front_matter_list_is_an_html_table_in_its_place(tmp_path):
    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    src = tmp_path / "jekyll"
    _write(src, {
        "_config.yml": "title: Sales\nurl: https://sales.example\n",
        "index.md": "---\ntitle: Home\n---\nHi.\n",
        "pricing.html": "---\ntitle: Pricing\nplans:\n  - name: Basic\n    features:\n      - text: 25 $ a month\n"
                        "      - text: 5 users\n  - name: Pro\n    features:\n      - text: 99 $ a month\n---\n"
                        "<p>Plans:</p>\n{% for plan in page.plans %}\n<h3>{{ plan.name }}</h3>\n"
                        "{% for f in plan.features %}<li>{{ f.text }}</li>{% endfor %}\n{% endfor %}\n<p>End.</p>\n",
    })
    run = sk("import", str(src), "--client", "sales", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    page = (ws / "sites/sales/content/pricing.html").read_text(encoding="utf-8")
    assert "{%" not in page and "<td>Basic</td>" in page and "<td>25 $ a month, 5 users</td>" in page, page
    assert page.index("Plans:") < page.index("<table>") < page.index("End.")
    assert page.count("<table>") == 1                            # in place, not again at the end
    report = (ws / "sites/sales/import-report.txt").read_text(encoding="utf-8")
    assert "the loop over the front-matter list `plans` is a table in its place" in report, report
    checked = sk("check", "sales", cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
