"""One URL policy for every URL a site shows, and the content cases that used to pass in silence:
symlink loops, duplicate front matter keys, hidden files in static/, an unknown business type,
and the README's page sample."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import copy_workspace, json_lines, sk

from sitekeeper.config.content import ContentPolicy, unsafe_scheme

NOW = "2026-03-05T12:00:00+01:00"
ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


_WARNING_RE = re.compile(r"^(?P<path>[^\n]*?)(?::(?P<line>\d+))?: warning: (?P<message>[^\n]*)")


def problems(run) -> list[dict]:
    """Every diagnostic a --json run printed, once: problem lines, the result's lists, and the
    warnings a build reports as text ("path:line: warning: ...")."""
    found: dict[tuple, dict] = {}
    for d in json_lines(run.stdout):
        items = [d] if d.get("event") == "problem" else []
        for key in ("problems", "warnings"):
            if isinstance(d.get(key), list):
                items += [x for x in d[key] if isinstance(x, dict)]
        m = _WARNING_RE.match(d.get("message", "")) if d.get("event") == "warning" else None
        if m:
            items.append({"path": m["path"], "line": int(m["line"]) if m["line"] else None, "severity": "warning",
                          "message": m["message"], "fix": ""})
        for x in items:
            found.setdefault((x["path"], x["line"], x["severity"], x["message"]), x)
    return list(found.values())


def errors_at(run, path: str) -> list[tuple[int | None, str]]:
    return sorted({(d["line"], d["message"]) for d in problems(run) if d["path"] == path and d["severity"] == "error"})


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.fixture
def ws(tmp_path) -> Path:
    return copy_workspace("mini", tmp_path)


HOME = "sites/mini/content/index.md"


def _home(ws: Path, front: str) -> Path:
    path = ws / HOME
    write(path, f"---\ntitle: Willkommen\nmenu: 1\n{front}---\nSchön, dass Sie da sind.\n")
    return path


# ---------------------------------------------------------------- the policy itself


@pytest.mark.parametrize("value, image, expected", [
    ("javascript:alert(1)", False, "javascript"),
    ("  JaVa\tScRiPt:alert(1)", False, "javascript"),
    ("&#106;avascript:alert(1)", False, "javascript"),
    ("vbscript:msgbox", True, "vbscript"),
    ("data:text/html,<script>alert(1)</script>", False, "data"),
    ("data:image/png;base64,AAAA", False, "data"),
    ("data:image/png;base64,AAAA", True, None),
    ("https://example.org/javascript:", False, None),
    ("/kontakt/", False, None),
    ("mailto:a@example.org", False, None),
])
def test_unsafe_schemes_are_read_as_browsers_read_them(value, image, expected):
    assert unsafe_scheme(value, image) == expected


def test_allow_scripts_lets_every_scheme_through():
    assert ContentPolicy(allow_scripts=True).url_problem("javascript:x") is None
    assert "javascript" in ContentPolicy().url_problem("javascript:x")


# ---------------------------------------------------------------- front matter


def test_javascript_in_params_cta_url_is_refused_at_its_line_by_check_build_and_publish(ws):
    path = _home(ws, 'params:\n  cta: "Los"\n  cta_url: "javascript:alert(document.cookie)"\n')
    line = line_of(path, "cta_url")
    for args in (("check", "--json"), ("build", "mini", "--json", "--out", "out"), ("publish", "mini", "--yes", "--json")):
        run = sk(*args, cwd=ws, now=NOW)
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
        found = errors_at(run, HOME)
        assert [ln for ln, msg in found if "`params.cta_url`" in msg and "javascript:" in msg] == [line], found
    assert not (ws / "out").exists() and not (ws / "public").exists()


def test_with_allow_scripts_the_site_may_show_a_script_url(ws):
    _home(ws, 'params:\n  cta: "Los"\n  cta_url: "javascript:void(0)"\n')
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[content]\nallow_scripts = true\n", encoding="utf-8")
    run = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    assert 'href="javascript:void(0)"' in (ws / "out/index.html").read_text(encoding="utf-8")


def test_data_and_vbscript_urls_in_nested_params_and_image_are_refused_but_data_images_are_not(ws):
    path = _home(ws, "image: \"vbscript:msgbox\"\nparams:\n  hero_image: data:image/png;base64,iVBORw0KGgo=\n"
                     "  links:\n    - label: Mehr\n      url: data:text/html;base64,PHNjcmlwdD4=\n")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1
    found = errors_at(run, HOME)
    assert (line_of(path, "image: "), ) == tuple(ln for ln, m in found if "`image`" in m)
    assert [ln for ln, m in found if "`params.links.0.url`" in m and "data:" in m] == [line_of(path, "url: data")]
    assert not [m for _, m in found if "hero_image" in m]


def test_a_front_matter_image_or_cta_url_that_goes_nowhere_is_an_error_at_its_line(ws):
    path = _home(ws, "image: /img/missing.jpg\nparams:\n  cta: Schreiben Sie uns\n  cta_url: /kontakt/\n"
                     "  note: Kaffee 2,50 / Kuchen 3 €\n")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1
    found = errors_at(run, HOME)
    assert [ln for ln, m in found if "/img/missing.jpg" in m] == [line_of(path, "image:")]
    assert [ln for ln, m in found if "/kontakt/" in m and "`params.cta_url`" in m] == [line_of(path, "cta_url")]
    assert len(found) == 2, found  # a sentence in a field that is not a URL is left alone
    write(ws / "sites/mini/content/kontakt.md", "---\ntitle: Kontakt\n---\nHier.\n")
    _home(ws, "image: /img/cup.svg\nparams:\n  cta: Schreiben Sie uns\n  cta_url: /kontakt/\n")
    assert sk("check", cwd=ws, now=NOW).returncode == 0


def test_a_promotions_image_is_held_to_the_same_policy(ws):
    promo = ws / "campaigns/mini/fruehling.md"
    promo.write_text(promo.read_text(encoding="utf-8").replace("audience: all\n", "audience: all\nimage: /img/nope.png\n"),
                     encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert [ln for ln, m in errors_at(run, "campaigns/mini/fruehling.md") if "/img/nope.png" in m] == \
        [line_of(promo, "image:")]
    promo.write_text(promo.read_text(encoding="utf-8").replace("/img/nope.png", "'javascript:alert(1)'"),
                     encoding="utf-8")
    run = sk("build", "mini", "--json", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 1
    assert [ln for ln, m in errors_at(run, "campaigns/mini/fruehling.md") if "javascript:" in m] == \
        [line_of(promo, "image:")]


def test_business_share_image_is_checked_at_its_site_toml_line(ws):
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[business]\ntype = "CafeOrCoffeeShop"\n'
                    'share_image = "static/img/teilen.jpg"\n', encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert [ln for ln, m in errors_at(run, "sites/mini/site.toml") if "/img/teilen.jpg" in m] == \
        [line_of(toml, "share_image")]
    toml.write_text(toml.read_text(encoding="utf-8").replace("static/img/teilen.jpg", "javascript:alert(1)"),
                    encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert [ln for ln, m in errors_at(run, "sites/mini/site.toml") if "javascript:" in m] == \
        [line_of(toml, "share_image")]


def test_links_in_the_clients_templates_are_checked(ws):
    tpl = ws / "sites/mini/templates/partials/footer_links.html"
    write(tpl, "{# a comment with <a href=\"/im-kommentar/\"> #}\n<li><a href=\"/preise/\">Preise</a></li>\n"
               "<li><a href=\"/impressum/\">Impressum</a></li>\n<li><a href=\"javascript:void(0)\">Menü</a></li>\n"
               "<li><a href=\"{{ home_url }}\">Start</a></li>\n")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1
    found = errors_at(run, "sites/mini/templates/partials/footer_links.html")
    assert [(ln, "impressum" in m, "javascript" in m) for ln, m in found] == [(3, True, False), (4, False, True)]


def test_a_data_url_in_the_bodys_raw_html_is_refused(ws):
    page = ws / "sites/mini/content/preise.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n<a href="data:text/html,<script>alert(1)</script>">x</a>\n'
                    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">\n', encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    found = errors_at(run, "sites/mini/content/preise.md")
    assert [ln for ln, m in found if "data:" in m] == [line_of(page, "data:text/html")]


def test_a_campaign_refuses_a_script_url_once_in_check_and_at_its_line_for_a_test_send(ws):
    promo = ws / "campaigns/mini/fruehling.md"
    promo.write_text(promo.read_text(encoding="utf-8") + "\nMehr dazu\n<a href=\"javascript:alert(1)\">hier</a>.\n",
                     encoding="utf-8")
    line = line_of(promo, "javascript:")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert [ln for ln, m in errors_at(run, "campaigns/mini/fruehling.md") if "javascript:" in m] == [line]
    assert len([d for d in problems(run) if d["severity"] == "error" and "javascript:" in d["message"]]) == 1
    run = sk("campaign", "test", "mini/fruehling", "--to", "me@example.com", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert [ln for ln, m in errors_at(run, "campaigns/mini/fruehling.md") if "javascript:" in m] == [line]
    assert not (ws / "outbox").exists()


def test_with_allow_scripts_the_email_still_goes_without_the_script_url_and_says_so(ws, tmp_path):
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[content]\nallow_scripts = true\n", encoding="utf-8")
    promo = ws / "campaigns/mini/fruehling.md"
    promo.write_text(promo.read_text(encoding="utf-8") + '\n<a href="javascript:alert(1)">hier</a>\n', encoding="utf-8")
    run = sk("campaign", "preview", "mini/fruehling", "--no-proof", "--out", str(tmp_path / "prev"), "--json",
             cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "javascript:" not in (tmp_path / "prev/de.html").read_text(encoding="utf-8")
    assert any(d["severity"] == "warning" and "javascript:" in d["message"] for d in problems(run))


# ---------------------------------------------------------------- symlink loops


def test_a_folder_linking_to_its_parent_is_published_once_and_named(ws):
    site = ws / "sites/mini"
    (site / "content/aktuelles/loop").symlink_to("..")
    (site / "static/img/up").symlink_to("../..")
    (site / "static/img/weg").symlink_to("nirgends.svg")
    run = sk("build", "mini", "--json", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    built = [p.relative_to(ws / "out").as_posix() for p in (ws / "out").rglob("*") if p.is_file()]
    assert not [p for p in built if "loop" in p or "/up/" in p or "weg" in p], built
    warned = {d["path"]: d["message"] for d in problems(run) if d["severity"] == "warning"}
    assert "loop" in warned["sites/mini/content/aktuelles/loop"]
    assert "loop" in warned["sites/mini/static/img/up"]
    assert "does not exist" in warned["sites/mini/static/img/weg"]


def test_two_folders_linking_to_each_other_end(ws):
    content = ws / "sites/mini/content"
    write(content / "a/x.md", "---\ntitle: X\n---\nx\n")
    write(content / "b/y.md", "---\ntitle: Y\n---\ny\n")
    (content / "a/zu-b").symlink_to("../b")
    (content / "b/zu-a").symlink_to("../a")
    run = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    pages = {p.parent.relative_to(ws / "out").as_posix() for p in (ws / "out").rglob("index.html")}
    assert not [p for p in pages if p.count("zu-") > 1], pages


def test_a_link_to_a_folder_inside_the_site_is_still_followed(ws):
    site = ws / "sites/mini"
    (site / "static/bilder").symlink_to(site / "static/img")
    assert sk("build", "mini", "--out", "out", cwd=ws, now=NOW).returncode == 0
    assert (ws / "out/bilder/cup.svg").is_file()


# ---------------------------------------------------------------- duplicate keys


@pytest.mark.parametrize("front, second", [
    ("image: /img/cup.svg\nimage: /img/cup.svg\n", 5),
    ("params:\n  a: 1\nparams:\n  b: 2\n", 6),
    ("params:\n  cta_url: /preise/\n  cta_url: /aktuelles/\n", 6),
])
def test_a_front_matter_key_given_twice_is_an_error_at_the_second(ws, front, second):
    _home(ws, front)
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1
    found = errors_at(run, HOME)
    assert [ln for ln, m in found if "twice" in m] == [second], found


def test_a_yaml_merge_key_may_be_overridden(ws):
    _home(ws, "defaults: &d {hero_title: A}\nparams:\n  <<: *d\n  hero_title: B\n")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert not [m for _, m in errors_at(run, HOME) if "twice" in m]


# ---------------------------------------------------------------- hidden files in static/


def test_htaccess_and_well_known_are_deployed_other_hidden_files_are_named(ws):
    static = ws / "sites/mini/static"
    write(static / ".htaccess", "Redirect 301 /alt.html /preise/\n")
    write(static / ".well-known/security.txt", "Contact: mailto:security@mini.example\n")
    write(static / ".env", "TOKEN=1\n")
    write(static / "img/.DS_Store", "junk")
    run = sk("publish", "mini", "--yes", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    public = ws / "public/mini"
    assert (public / ".htaccess").read_text() == "Redirect 301 /alt.html /preise/\n"
    assert (public / ".well-known/security.txt").is_file()
    assert not (public / ".env").exists() and not (public / "img/.DS_Store").exists()
    warned = [d["path"] for d in problems(run) if d["severity"] == "warning"]
    assert "sites/mini/static/.env" in warned
    assert not [p for p in warned if "DS_Store" in p or "htaccess" in p or "well-known" in p]


# ---------------------------------------------------------------- [business] type


def test_a_misspelt_business_type_is_an_error_with_a_suggestion(ws):
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[business]\ntype = "Bakeryy"\n', encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1
    found = errors_at(run, "sites/mini/site.toml")
    assert [ln for ln, _ in found] == [line_of(toml, "Bakeryy")]
    fix = next(d["fix"] for d in problems(run) if d["path"] == "sites/mini/site.toml")
    assert "Bakery`?" in fix
    toml.write_text(toml.read_text(encoding="utf-8").replace("Bakeryy", "BowlingAlley"), encoding="utf-8")
    assert sk("check", cwd=ws, now=NOW).returncode == 0


# ---------------------------------------------------------------- the README's page sample


def readme_page_sample() -> str:
    """The first ```markdown block after the README's "## Pages" heading that starts with `---`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Pages\n")
    m = re.compile(r"^```markdown\n(---\n.*?)^```", re.MULTILINE | re.DOTALL).search(text, start)
    assert m, "README.md: no ```markdown block with front matter after ## Pages"
    return m.group(1)


def test_the_readme_page_sample_passes_check_in_the_demo_as_of_today(tmp_path):
    """The sample replaces the demo's "Über uns" page; it must pass `check` without a word about
    it (run at today's date, as a reader copies it) and be on the built site."""
    from sitekeeper.content.frontmatter import parse_document

    sample = readme_page_sample()
    ws = tmp_path / "demo"
    for folder in ("sites", "campaigns"):
        shutil.copytree(ROOT / folder, ws / folder, symlinks=True)
    rel = "sites/baeckerei-sonnenkorn/content/ueber-uns.md"
    write(ws / rel, sample)
    run = sk("check", "--json", cwd=ws)
    said = [f"{d['line']}: {d['severity']}: {d['message']}" for d in problems(run) if d["path"] == rel]
    assert not said, "README.md's page sample: " + "; ".join(said)
    assert run.returncode == 0, run.stdout
    meta = parse_document(sample).meta
    url = meta.get("url") or "/ueber-uns/"
    built = sk("build", "baeckerei-sonnenkorn", "--out", "out", cwd=ws)
    assert built.returncode == 0, built.stderr
    out = ws / "out" / (url.lstrip("/") + ("index.html" if url.endswith("/") else ""))
    assert out.is_file(), f"README.md's page sample is not on the site today (expires? publish? draft?): {url}"


def test_a_front_matter_image_written_with_static_is_named_with_the_path_to_write(ws):
    path = _home(ws, "image: static/img/cup.svg\nparams:\n  cta: Los\n  cta_url: Mehr erfahren\n")
    run = sk("check", "--json", cwd=ws, now=NOW)
    found = {d["line"]: d for d in problems(run) if d["path"] == HOME and d["severity"] == "error"}
    assert found[line_of(path, "image:")]["fix"].endswith("/img/cup.svg")
    assert "Mehr erfahren" in found[line_of(path, "cta_url")]["message"]


def test_params_that_hold_themselves_through_yaml_anchors_are_checked_and_end(ws):
    path = _home(ws, 'params: &p\n  self: *p\n  list: &l [*l, "javascript:x"]\n')
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1
    assert [ln for ln, m in errors_at(run, HOME) if "javascript:" in m] == [line_of(path, "list:")]
