"""Building a site: outputs, incremental rebuilds, time windows and clean failures.

These run the real command line on a small three-language fixture workspace
(tests/data/mini) with the clock fixed by SITEKEEPER_NOW.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from helpers import copy_workspace, json_lines, mtimes, sk, tree

IN_WINDOW = "2026-03-05T12:00:00+01:00"
AFTER_WINDOW = "2026-03-20T12:00:00+01:00"


@pytest.fixture
def ws(tmp_path) -> Path:
    return copy_workspace("mini", tmp_path)


def build(ws: Path, now: str = IN_WINDOW, *extra: str):
    res = sk("build", "mini", "--out", "out", "--json", *extra, cwd=ws, now=now)
    assert res.returncode == 0, res.stderr + res.stdout
    return json_lines(res.stdout)[-1]


def test_build_writes_pages_translations_feeds_sitemap_robots_and_404(ws):
    result = build(ws)
    out = ws / "out"
    for path in ["index.html", "en/index.html", "preise/index.html", "en/prices/index.html", "cs/ceník/index.html",
                 "aktuelles/index.html", "aktuelles/eroeffnung/index.html", "feed.xml", "en/feed.xml",
                 "sitemap.xml", "robots.txt", "404.html", "img/cup.svg", "cs/index.html"]:
        assert (out / path).is_file(), path
    # 9 pages, and a generated home for Czech, which has pages but no home page
    assert result["client"] == "mini" and result["pages"] == 10 and result["unchanged"] == 0
    assert not (out / "entwurf").exists(), "drafts are never built"
    assert not (out / "aktuelles" / "sommer").exists(), "not published before its publish date"


def test_translations_are_linked_with_hreflang(ws):
    build(ws)
    html = (ws / "out" / "preise" / "index.html").read_text()
    assert 'hreflang="en"' in html and "/en/prices/" in html
    assert '<html lang="de"' in html
    assert '<html lang="en"' in (ws / "out" / "en" / "prices" / "index.html").read_text()


def test_sitemap_lists_pages_with_alternates_and_robots_points_to_it(ws):
    build(ws)
    sitemap = (ws / "out" / "sitemap.xml").read_text()
    assert "<loc>https://mini.example/preise/</loc>" in sitemap
    assert 'hreflang="en" href="https://mini.example/en/prices/"' in sitemap
    assert "https://mini.example/cs/cen%C3%ADk/" in sitemap
    assert "Sitemap: https://mini.example/sitemap.xml" in (ws / "out" / "robots.txt").read_text()


def test_feed_is_atom_of_dated_pages(ws):
    import xml.etree.ElementTree as ET

    build(ws)
    feed = ET.parse(ws / "out" / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles == ["Eröffnung"]


def test_theme_assets_are_fingerprinted(ws):
    build(ws)
    css = list((ws / "out" / "assets").glob("style.*.css"))
    assert len(css) == 1
    assert f"/assets/{css[0].name}" in (ws / "out" / "index.html").read_text()


def test_banner_and_promotion_page_exist_only_inside_the_window(ws):
    build(ws, IN_WINDOW)
    out = ws / "out"
    assert "20\u00a0% auf alle Kuchen" in (out / "index.html").read_text()
    assert "20\u00a0% off all cakes" in (out / "en" / "index.html").read_text()
    assert (out / "promotions" / "fruehling" / "index.html").is_file()
    assert (out / "en" / "promotions" / "fruehling" / "index.html").is_file()
    result = build(ws, AFTER_WINDOW)
    assert "20\u00a0% auf alle Kuchen" not in (out / "index.html").read_text()
    assert not (out / "promotions").exists()
    assert "promotions/fruehling/index.html" in result["deleted_paths"]


def test_banner_window_is_read_in_the_site_timezone(ws):
    # 07:30 UTC on 1 March is 08:30 in Berlin: the promotion (starts 08:00 Berlin) is live.
    build(ws, "2026-03-01T07:30:00+00:00")
    assert "20\u00a0% auf alle Kuchen" in (ws / "out" / "index.html").read_text()
    build(ws, "2026-03-01T06:30:00+00:00")
    assert "20\u00a0% auf alle Kuchen" not in (ws / "out" / "index.html").read_text()


def test_rebuild_without_changes_rewrites_nothing(ws):
    build(ws)
    before = mtimes(ws / "out")
    time.sleep(0.01)
    result = build(ws)
    assert result["written"] == 0 and result["deleted"] == 0
    assert result["unchanged"] == len(before)
    assert mtimes(ws / "out") == before


def test_editing_one_page_rewrites_only_that_page(ws):
    build(ws)
    page = ws / "sites/mini/content/aktuelles/eroeffnung.md"
    page.write_text(page.read_text().replace("Wir öffnen!", "Wir öffnen bald!"))
    result = build(ws)
    assert result["written_paths"] == ["aktuelles/eroeffnung/index.html"]
    assert "Wir öffnen bald!" in (ws / "out/aktuelles/eroeffnung/index.html").read_text()


def test_a_same_length_edit_is_never_missed(ws):
    build(ws)
    page = ws / "sites/mini/content/preise.md"
    text = page.read_text()
    st = page.stat()
    page.write_text(text.replace("2,50", "2,60"))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    result = build(ws)
    assert "preise/index.html" in result["written_paths"]
    assert "2,60" in (ws / "out/preise/index.html").read_text()


def test_changing_a_title_updates_the_menu_on_every_page(ws):
    build(ws)
    page = ws / "sites/mini/content/preise.md"
    page.write_text(page.read_text().replace("title: Preise", "title: Preisliste"))
    result = build(ws)
    assert "index.html" in result["written_paths"] and "aktuelles/eroeffnung/index.html" in result["written_paths"]
    assert "Preisliste" in (ws / "out/aktuelles/eroeffnung/index.html").read_text()


def test_a_removed_page_disappears_from_the_output(ws):
    build(ws)
    (ws / "sites/mini/content/ceník.cs.md").unlink()
    result = build(ws)
    assert "cs/ceník/index.html" in result["deleted_paths"]
    assert not (ws / "out/cs/ceník").exists()


def test_a_deleted_output_file_is_restored(ws):
    build(ws)
    (ws / "out/preise/index.html").unlink()
    result = build(ws)
    assert result["written_paths"] == ["preise/index.html"]


def test_a_page_becomes_visible_when_its_publish_time_comes(ws):
    build(ws, "2026-05-31T23:00:00+02:00")
    assert not (ws / "out/aktuelles/sommer").exists()
    build(ws, "2026-06-01T00:00:00+02:00")
    assert (ws / "out/aktuelles/sommer/index.html").is_file()


def test_a_client_template_overrides_the_theme_by_name(ws):
    tdir = ws / "sites/mini/templates"
    tdir.mkdir()
    (tdir / "page.html").write_text("<!doctype html><title>{{ page.title }}</title>CUSTOM {{ page.content }}")
    build(ws)
    assert "CUSTOM" in (ws / "out/preise/index.html").read_text()
    assert "CUSTOM" not in (ws / "out/index.html").read_text()  # home keeps home.html


def test_outputs_are_written_without_temp_files_left_behind(ws):
    build(ws)
    leftovers = [p for p in (ws / "out").rglob("*") if ".sk-tmp" in p.name]
    assert leftovers == []


# ------------------------------------------------------------------ bad input


def fails(ws: Path, *args: str, now: str = IN_WINDOW):
    res = sk(*args, cwd=ws, now=now)
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    return res.stderr


def assert_nothing_written(ws: Path):
    assert not (ws / "out").exists()


@pytest.mark.parametrize("name,content,expect", [
    ("broken-yaml.md", "---\ntitle: [oops\n---\n", "not valid YAML"),
    ("no-title.md", "---\ndate: 2026-01-01\n---\nx\n", "has no `title`"),
    ("bad-date.md", "---\ntitle: x\ndate: 2026-02-31\n---\n", "not a date"),
    ("never.md", "---\ntitle: x\npublish: 2026-06-01\nexpires: 2026-05-01\n---\n", "never show"),
    ("tpl.md", "---\ntitle: x\ntemplate: fancy.html\n---\n", "unknown template `fancy.html`"),
    ("link.md", "---\ntitle: x\n---\nSee [the menu](/speisekarte/).\n", "broken internal link"),
    ("img.md", "---\ntitle: x\n---\n![logo](/img/missing.png)\n", "broken internal image"),
    ("secret.md", "---\ntitle: x\n---\n-----BEGIN RSA PRIVATE KEY-----\n", "private key"),
])
def test_bad_content_fails_with_file_line_and_fix_and_writes_nothing(ws, name, content, expect):
    (ws / "sites/mini/content" / name).write_text(content)
    err = fails(ws, "build", "mini", "--out", "out")
    assert f"sites/mini/content/{name}:" in err and expect in err and "fix:" in err
    assert_nothing_written(ws)
    err = fails(ws, "check", "mini")
    assert expect in err


def test_broken_link_points_at_its_line(ws):
    (ws / "sites/mini/content/link.md").write_text("---\ntitle: x\n---\nok\n\nSee [the menu](/speisekarte/).\n")
    err = fails(ws, "build", "mini", "--out", "out")
    assert "sites/mini/content/link.md:6:" in err


def test_two_pages_with_the_same_url_are_refused(ws):
    (ws / "sites/mini/content/preise2.md").write_text("---\ntitle: x\nslug: preise\n---\n")
    err = fails(ws, "build", "mini", "--out", "out")
    assert "two outputs at /preise/index.html" in err
    assert_nothing_written(ws)


def test_unknown_site_toml_key_fails_with_did_you_mean(ws):
    toml = ws / "sites/mini/site.toml"
    toml.write_text('langauges = ["de"]\n' + toml.read_text())
    err = fails(ws, "build", "mini", "--out", "out")
    assert "sites/mini/site.toml:" in err and "did you mean `languages`" in err
    assert_nothing_written(ws)


def test_secret_in_site_toml_is_refused_without_echoing_it(ws):
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text().replace("[mail]\n", '[mail]\npassword = "Sup3rGeheim!"\n'))
    res = sk("build", "mini", "--out", "out", cwd=ws, now=IN_WINDOW)
    assert res.returncode == 1 and "literal secret" in res.stderr
    assert "Sup3rGeheim" not in res.stderr + res.stdout
    assert_nothing_written(ws)


def test_unknown_client_lists_the_known_ones(ws):
    res = sk("build", "mni", "--out", "out", cwd=ws, now=IN_WINDOW)
    assert res.returncode == 2 and "Traceback" not in res.stderr  # a usage error
    err = res.stderr
    assert "unknown client 'mni'" in err and "mini" in err


def test_many_problems_are_all_listed_at_once(ws):
    content = ws / "sites/mini/content"
    (content / "a.md").write_text("---\ndate: x\n---\n")
    (content / "b.md").write_text("---\ntitle: b\n---\n[x](/nowhere/)\n")
    err = fails(ws, "check", "mini")
    assert "a.md:" in err and "b.md:" in err


def test_json_output_is_one_object_per_line_with_problems(ws):
    (ws / "sites/mini/content/x.md").write_text("---\ntitle: x\n---\n[x](/nowhere/)\n")
    res = sk("check", "mini", "--json", cwd=ws, now=IN_WINDOW)
    assert res.returncode == 1
    lines = json_lines(res.stdout)
    problem = next(l for l in lines if l.get("event") == "problem" and l.get("severity") == "error")
    assert problem["path"] == "sites/mini/content/x.md" and problem["line"] == 4
    assert lines[-1]["ok"] is False


def test_check_passes_on_the_fixture_and_changes_nothing(ws):
    res = sk("check", "mini", cwd=ws, now=IN_WINDOW)
    assert res.returncode == 0, res.stderr
    assert not (ws / ".sitekeeper").exists() or not any((ws / ".sitekeeper").rglob("*.html"))


def test_bad_clock_value_is_a_clear_error(ws):
    res = sk("build", "mini", "--out", "out", cwd=ws, now="tomorrow morning")
    assert res.returncode == 2 and "SITEKEEPER_NOW" in res.stderr


def test_help_does_not_import_vendor_sdks():
    import subprocess
    import sys

    code = ("import sys; from sitekeeper.cli import app; import typer.testing as t; "
            "r = t.CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "heavy = [m for m in ('paramiko', 'boto3', 'botocore', 'mjml', 'jinja2', 'markdown_it', 'playwright') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_change_to_mail_settings_rewrites_no_page(ws):
    build(ws)
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text().replace('unsubscribe_mailto = "abmelden@', 'rate_per_second = 5\nunsubscribe_mailto = "abmelden@'))
    result = build(ws)
    assert result["written"] == 0


def test_without_business_a_new_postal_address_reaches_every_footer(ws):
    """mini has no [business]: its footers show [mail]'s postal address, so a change rewrites them."""
    build(ws)
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text().replace('postal_address = "Kaffeegasse 1', 'postal_address = "Kaffeegasse 2'))
    result = build(ws)
    assert result["written"] > 0
    home = (Path(result["out"]) / "index.html").read_text()
    assert "Kaffeegasse 2" in home and "Kaffeegasse 1" not in home


def test_parallel_build_of_a_large_site_equals_the_serial_build(tmp_path):
    """Above the parallel threshold pages are parsed and rendered in forked workers."""
    site = tmp_path / "big" / "sites" / "big"
    (site / "content" / "news").mkdir(parents=True)
    (site / "site.toml").write_text('name = "Big"\nbase_url = "https://big.example"\nlanguages = ["en"]\n')
    for i in range(260):
        (site / "content" / "news" / f"p{i:03d}.md").write_text(
            f"---\ntitle: Page {i}\ndate: 2026-01-{i % 28 + 1:02d}\n---\nText {i} [next](/news/p{(i + 1) % 260:03d}/)\n")
    ws = tmp_path / "big"
    serial = sk("build", "big", "--out", "serial", "--json", cwd=ws, env={"SITEKEEPER_JOBS": "1"})
    parallel = sk("build", "big", "--out", "parallel", "--json", cwd=ws, env={"SITEKEEPER_JOBS": "2"})
    assert serial.returncode == 0 and parallel.returncode == 0, serial.stderr + parallel.stderr
    assert tree(ws / "serial") == tree(ws / "parallel")
    # 260 pages, the section's listing, and a generated home (the site has no index.md)
    assert json_lines(parallel.stdout)[-1]["pages"] == 262 and (ws / "parallel/index.html").is_file()
    # a template-wide change re-renders every page in the workers, but identical bytes are not rewritten
    before = mtimes(ws / "parallel")
    toml = ws / "sites/big/site.toml"
    toml.write_text(toml.read_text() + 'description = "Same pages"\n')
    again = sk("build", "big", "--out", "parallel", "--json", cwd=ws, env={"SITEKEEPER_JOBS": "2"})
    written = set(json_lines(again.stdout)[-1]["written_paths"])
    assert written == {p for p in before if mtimes(ws / "parallel")[p] != before[p]}
    assert len(written) < len(before)


def test_unicode_file_names_become_unicode_urls_in_every_script(tmp_path):
    site = tmp_path / "u" / "sites" / "u"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text('name = "Ș"\nbase_url = "https://u.example"\nlanguages = ["ro", "cs", "de"]\n',
                                    encoding="utf-8")
    (site / "content" / "index.md").write_text(
        "---\ntitle: Acasă\n---\n[Oferte](/oferte-și-prețuri/) [Ceník](/cs/ceník/) [Größe](/de/größe/)\n",
        encoding="utf-8")
    (site / "content" / "oferte-și-prețuri.md").write_text("---\ntitle: Oferte și prețuri\n---\nx\n", encoding="utf-8")
    (site / "content" / "ceník.cs.md").write_text("---\ntitle: Ceník řemesel\n---\nx\n", encoding="utf-8")
    import unicodedata

    nfd = unicodedata.normalize("NFD", "größe.de.md")  # as macOS may write it
    (site / "content" / nfd).write_text("---\ntitle: Größe\n---\nx\n", encoding="utf-8")
    res = sk("build", "u", "--out", "out", cwd=tmp_path / "u")
    assert res.returncode == 0, res.stderr
    out = tmp_path / "u" / "out"
    assert "Oferte și prețuri" in (out / "oferte-și-prețuri" / "index.html").read_text(encoding="utf-8")
    assert (out / "cs" / "ceník" / "index.html").is_file()
    assert (out / "de" / "größe" / "index.html").is_file()
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://u.example/oferte-%C8%99i-pre%C8%9Buri/" in sitemap


def test_links_stay_readable_with_a_pale_brand_colour(ws):
    import re

    from sitekeeper.render.colors import contrast

    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text().replace('primary_color = "#7a3e1d"', 'primary_color = "#f0e68c"'))
    build(ws)
    html = (ws / "out/index.html").read_text()
    link = re.search(r"--link:(#[0-9a-f]{6})", html).group(1)
    assert contrast(link, "#ffffff") >= 4.5


def test_a_static_file_at_a_page_url_is_refused_but_may_replace_robots_txt(ws):
    static = ws / "sites/mini/static"
    (static / "robots.txt").write_text("User-agent: *\nDisallow: /intern/\n")
    build(ws)
    assert "Disallow: /intern/" in (ws / "out/robots.txt").read_text()
    (static / "preise").mkdir()
    (static / "preise" / "index.html").write_text("<p>old price list</p>")
    err = fails(ws, "build", "mini", "--out", "out2")
    assert "two outputs at /preise/index.html" in err
    assert not (ws / "out2").exists()
