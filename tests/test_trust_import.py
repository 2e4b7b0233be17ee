"""`sitekeeper import` stays inside: it reads only inside its source (a symbolic link out of
it is reported, never followed) and writes only under sites/<client>/ and campaigns/<client>/
(a hostile permalink, slug, attachment URL or file name is confined or refused and reported).
Misuse of the command gets a clear error, and the site's timezone is proposed and said."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import DATA, json_lines, sk

NOW = "2026-03-01T09:00:00+01:00"
SRC = DATA / "import"
SECRET = b"root:$6$not-for-the-web:19000:0:99999:7:::\n"


@pytest.fixture
def outer(tmp_path) -> Path:
    """A folder around the workspace: ws/ (with sites/), and secret.txt beside it."""
    (tmp_path / "ws" / "sites").mkdir(parents=True)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "secret-folder").mkdir()
    (tmp_path / "secret-folder" / "shadow.txt").write_bytes(SECRET)
    return tmp_path


def import_json(ws: Path, *args: str, code: int = 0) -> dict:
    r = sk("import", *args, "--json", cwd=ws, now=NOW)
    assert r.returncode == code, r.stdout + r.stderr
    return json_lines(r.stdout)[-1]


def problem_paths(result: dict) -> dict[str, str]:
    return {p["path"]: p["message"] for p in result.get("problems", [])}


def secret_anywhere(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and SECRET in p.read_bytes()]


def check_ok(ws: Path, client: str) -> None:
    r = sk("check", client, cwd=ws, now=NOW)
    assert r.returncode == 0, r.stdout + r.stderr


# ---------------------------------------------------------------- symbolic links in the source


def test_hugo_links_out_of_the_source_are_reported_and_not_imported(outer):
    ws = outer / "ws"
    src = ws / "old"
    shutil.copytree(SRC / "hugo", src)
    (src / "content" / "shadow.md").symlink_to(outer / "secret.txt")  # absolute, a page's name
    (src / "static" / "passwd.txt").symlink_to("../../../secret.txt")  # relative
    (src / "static" / "etc").symlink_to(outer / "secret-folder", target_is_directory=True)
    result = import_json(ws, "old", "--client", "radtouren")
    found = problem_paths(result)
    for rel in ("old/content/shadow.md", "old/static/passwd.txt", "old/static/etc"):
        assert "outside the source folder: not followed" in found[rel], found
    assert secret_anywhere(ws / "sites") == []
    check_ok(ws, "radtouren")
    r = sk("build", "radtouren", "--out", "out", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    assert secret_anywhere(ws / "out") == []


def test_jekyll_and_html_links_out_of_the_source_are_reported(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "jekyll", ws / "jk")
    shutil.copytree(SRC / "html", ws / "web")
    (ws / "jk" / "assets" / "shadow.txt").symlink_to(outer / "secret.txt")
    (ws / "jk" / "_includes" / "footer-x.html").symlink_to(outer / "secret.txt")
    (ws / "jk" / "_config.yml").rename(ws / "jk" / "real_config.yml")
    (ws / "jk" / "_config.yml").symlink_to("real_config.yml")  # inside: followed
    (ws / "web" / "files" / "shadow.txt").symlink_to(outer / "secret.txt")
    (ws / "web" / "mirror").symlink_to(outer / "secret-folder", target_is_directory=True)
    jk = import_json(ws, "jk", "--client", "trattoria")
    assert "outside the source folder" in problem_paths(jk)["jk/assets/shadow.txt"]
    assert "outside the source folder" in problem_paths(jk)["jk/_includes/footer-x.html"]
    assert (ws / "sites/trattoria/site.toml").read_text().startswith('name = "Trattoria')  # the linked config was read
    web = import_json(ws, "web", "--client", "weber")
    assert {"web/files/shadow.txt", "web/mirror"} <= set(problem_paths(web))
    assert secret_anywhere(ws / "sites") == []
    check_ok(ws, "trattoria")
    check_ok(ws, "weber")


def test_wordpress_uploads_links_and_media_urls_stay_inside_the_uploads_folder(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "wordpress", ws / "wp")
    tulpen = ws / "wp/uploads/2024/03/tulpen.jpg"
    tulpen.unlink()
    tulpen.symlink_to(outer / "secret.txt")
    export = (ws / "wp/export.xml").read_text(encoding="utf-8")
    export = export.replace("<p>Willkommen bei", '<p><img src="https://blumen-sommer.example/wp-content/uploads/'
                            '../../../secret.txt" alt="x"></p><p>Willkommen bei', 1)
    (ws / "wp/export.xml").write_text(export, encoding="utf-8")
    result = import_json(ws, "wp/export.xml", "--client", "blumen", "--uploads", "wp/uploads")
    messages = [p["message"] for p in result["problems"]]
    assert any("wp-content/uploads/../../../secret.txt" in m and "not imported" in m for m in messages), messages
    assert "outside the source folder" in problem_paths(result)["wp/uploads/2024/03/tulpen.jpg"]
    assert secret_anywhere(ws / "sites") == []
    r = sk("check", "blumen", cwd=ws, now=NOW)  # as for any media file not imported: check names its line
    assert r.returncode == 1
    assert "content/index.md:6: error: broken internal image: /wp-content/uploads/../../../secret.txt" in r.stderr
    # The refused file is shown from the old site, never read through the link, and named.
    assert "broken internal image: /wp-content/uploads/2024/03/tulpen.jpg" not in r.stderr
    assert any("tulpen.jpg is not in the --uploads folder" in m and "from the old site" in m for m in messages)
    assert "https://blumen-sommer.example/wp-content/uploads/2024/03/tulpen.jpg" in "".join(
        p.read_text(encoding="utf-8") for p in (ws / "sites/blumen/content").rglob("*.md"))


def test_a_folder_link_loop_is_read_once(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "html", ws / "web")
    (ws / "web" / "loop").symlink_to(".", target_is_directory=True)
    (ws / "web" / "img" / "again").symlink_to("..", target_is_directory=True)
    (ws / "web" / "files" / "same.css").symlink_to("../css/site.css")  # a link inside: followed
    result = import_json(ws, "web", "--client", "weber")
    found = problem_paths(result)
    assert "a loop or a second path; not read again" in found["web/loop"]
    assert "a loop or a second path; not read again" in found["web/img/again"]
    site = ws / "sites/weber"
    assert not (site / "content/loop").exists() and not (site / "static/loop").exists()
    assert (site / "static/files/same.css").read_bytes() == (ws / "web/css/site.css").read_bytes()
    check_ok(ws, "weber")


def test_a_pipe_in_the_source_is_never_opened(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "html", ws / "web")
    os.mkfifo(ws / "web" / "files" / "stream.txt")
    result = import_json(ws, "web", "--client", "weber")
    assert "not a regular file" in problem_paths(result)["web/files/stream.txt"]


# ---------------------------------------------------------------- writes stay in the client's folder


def test_a_wordpress_permalink_with_dotdot_writes_nothing_outside(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "wordpress", ws / "wp")
    (outer / "victim.md").write_text("keep me\n")
    export = (ws / "wp/export.xml").read_text(encoding="utf-8")
    export = export.replace("<link>https://blumen-sommer.example/ueber-uns/</link>",
                            "<link>https://blumen-sommer.example/../../../../victim/</link>", 1)
    (ws / "wp/export.xml").write_text(export, encoding="utf-8")
    before = snapshot(outer, allowed=("ws/sites/blumen",))
    result = import_json(ws, "wp/export.xml", "--client", "blumen", "--uploads", "wp/uploads")
    assert snapshot(outer, allowed=("ws/sites/blumen",)) == before
    assert (outer / "victim.md").read_text() == "keep me\n"
    messages = [p["message"] for p in result["problems"]]
    assert any("is not a path a static site can serve" in m and "/ueber-uns/" in m for m in messages), messages
    assert (ws / "sites/blumen/content/ueber-uns.md").is_file() or (ws / "sites/blumen/content/ueber-uns/index.md").is_file()
    check_ok(ws, "blumen")


def test_an_import_never_writes_through_a_link_in_the_client_folder(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "html", ws / "web")
    (outer / "elsewhere").mkdir()
    (ws / "sites/weber").mkdir()
    (ws / "sites/weber/static").symlink_to(outer / "elsewhere", target_is_directory=True)
    result = import_json(ws, "web", "--client", "weber")
    assert list((outer / "elsewhere").iterdir()) == []
    assert any("is a symbolic link, which an import never writes through" in p["message"] for p in result["problems"])
    (ws / "sites/linked").symlink_to(outer / "elsewhere", target_is_directory=True)
    r = sk("import", "web", "--client", "linked", "--json", cwd=ws, now=NOW)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "symbolic link" in r.stdout and list((outer / "elsewhere").iterdir()) == []


def test_hostile_file_names_in_a_folder_are_refused_and_reported(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "html", ws / "web")
    for name in ("CON.html", "nul.txt", "trailing-dot.", "trailing-space ", "back\\slash.txt", "bell\x07.txt",
                 "x" * 250 + ".html"):
        (ws / "web" / "files" / name).write_bytes(b"<html><body><p>x</p></body></html>")
    result = import_json(ws, "web", "--client", "weber")
    refused = [p for p in result["problems"] if "was not imported" in p["message"] or "not imported" in p["message"]]
    for word in ("Windows device name 'CON.md'", "Windows device name 'nul.txt'", "ending in a dot or a space",
                 "backslash", "control character"):
        assert any(word in p["message"] for p in refused), (word, refused)
    names = {p.name for p in (ws / "sites/weber").rglob("*")}
    assert not names & {"CON.html", "CON.md", "nul.txt", "trailing-dot.", "trailing-space "}
    check_ok(ws, "weber")


# ---------------------------------------------------------------- the property: nothing outside changes

COMPONENTS = st.one_of(
    st.sampled_from(["..", ".", "", "CON", "con.md", "NUL", "aux.html", "COM1", "lpt9.txt", "conin$", "x.", "y ",
                     "a\\..\\..\\b", "..\\..", "\x00", "a\x01b", "\x1b[0m", "\x7f", "%2e%2e", "..%2f..", "%00", "~",
                     "C:", "C:\\Windows", "\u202egnp.exe", "\ufeffbom", "ä", "a" * 300, "posts", "index"]),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6),
)
PREFIXES = st.sampled_from(["", "/", "../../../../", "../../../../../", "/../../", "OUTER/", "//"])
HOSTILE = st.tuples(PREFIXES, st.lists(COMPONENTS, min_size=1, max_size=6), st.sampled_from(["", "/", ".md", ".html"])
                    ).map(lambda t: t[0] + "/".join(t[1]) + t[2])
FILE_NAME = COMPONENTS.filter(lambda s: s not in ("", ".", "..") and "/" not in s and "\x00" not in s
                              and len(s.encode()) < 200)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)


def snapshot(root: Path, allowed: tuple[str, ...]) -> dict[str, tuple]:
    """Every name under ``root`` (links not followed) but those under ``allowed``: its kind,
    and a file's bytes' hash."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if any(rel == a or rel.startswith(a + "/") for a in allowed):
                continue
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_file():
                out[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                out[rel] = ("dir",)
    return out


def _sandbox(tmp: Path) -> Path:
    """tmp/ws/sites/{c,other}, tmp/ws/campaigns/other, and sentinels beside and above."""
    ws = tmp / "ws"
    for rel in ("sites/other/site.toml", "campaigns/other/x/campaign.toml", "sitekeeper.toml", "../x.md",
                "../victim/index.md", "../sentinel/a.txt", "sites/x.md", "campaigns/x.md"):
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("sentinel\n")
    return ws


def _fill(text: str, tmp: Path) -> str:
    return text.replace("OUTER/", str(tmp) + "/")


def _import(ws: Path, kind: str, source: Path | None, uploads: Path | None = None, files: dict | None = None) -> None:
    """Import in-process (a hypothesis run needs many); a refusal is a fine result, any other
    exception is not."""
    from sitekeeper.clock import Clock
    from sitekeeper.config import Workspace
    from sitekeeper.errors import ProblemsError
    from sitekeeper.importers import run_import
    from sitekeeper.importers.html import import_html
    from sitekeeper.importers.write import write_import
    from sitekeeper.report import RecordingReporter

    w, clock = Workspace(ws), Clock.from_value(NOW)
    try:
        if files is not None:
            write_import(w, "c", import_html(None, files), clock, RecordingReporter())
        else:
            run_import(w, "c", source, kind, clock, RecordingReporter(), uploads=uploads)
    except ProblemsError:
        pass


def _confined(prepare) -> None:
    """``prepare(tmp, ws)`` lays out the source and returns the import to run; after it,
    nothing outside the client's two folders is created, changed or removed."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        ws = _sandbox(tmp)
        run = prepare(tmp, ws)
        allowed = ("ws/sites/c", "ws/campaigns/c")
        before = snapshot(tmp, allowed)
        run()
        assert snapshot(tmp, allowed) == before


def _wxr(tmp: Path, link: str, slug: str, media: str) -> str:
    def x(text: str) -> str:  # XML 1.0 cannot hold most control characters: percent-encode those
        return escape("".join(c if ord(c) >= 32 or c in "\t\n" else quote(c) for c in text))

    base = "https://site.example"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>T</title><link>{base}</link><language>it-IT</language>
<wp:base_site_url>{base}</wp:base_site_url>
<item><title>Home</title><link>{base}/</link><wp:post_id>1</wp:post_id><wp:post_name>home</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
<content:encoded><![CDATA[<p>Ciao</p>]]></content:encoded></item>
<item><title>P</title><link>{x(_fill(link, tmp) if "://" in link else base + "/" + x(_fill(link, tmp)))}</link>
<wp:post_id>2</wp:post_id><wp:post_name>{x(_fill(slug, tmp))}</wp:post_name><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><wp:post_date>2024-01-02 10:00:00</wp:post_date>
<content:encoded><![CDATA[<p><img src="{base}/wp-content/uploads/{quote(_fill(media, tmp), safe="/")}"></p>]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>3</wp:meta_value></wp:postmeta></item>
<item><title>A</title><wp:post_id>3</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
<wp:attachment_url>{x(base + "/wp-content/uploads/" + _fill(media, tmp))}</wp:attachment_url></item>
</channel></rss>
"""


@PROPERTY
@given(link=HOSTILE, slug=HOSTILE, media=HOSTILE)
def test_property_wordpress_permalinks_slugs_and_media_urls_stay_inside(link, slug, media):
    def prepare(tmp: Path, ws: Path):
        uploads = tmp / "uploads"
        (uploads / "2024").mkdir(parents=True)
        (uploads / "2024" / "a.jpg").write_bytes(b"jpg")
        (ws / "export.xml").write_text(_wxr(tmp, link, slug, media), encoding="utf-8")
        return lambda: _import(ws, "wordpress", ws / "export.xml", uploads=uploads)

    _confined(prepare)


def _write_named(folder: Path, names: list[str], data: bytes) -> None:
    path = folder.joinpath(*names)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError:  # a name this system cannot hold (too long): nothing to import
        pass


def _yaml(value: str) -> str:
    import json

    return json.dumps(value)  # JSON strings are YAML strings


@PROPERTY
@given(slug=HOSTILE, url=HOSTILE, names=st.lists(FILE_NAME, min_size=1, max_size=3))
def test_property_hugo_slugs_urls_and_file_names_stay_inside(slug, url, names):
    def prepare(tmp: Path, ws: Path):
        src = tmp / "hugo"
        (src / "content" / "posts").mkdir(parents=True)
        (src / "static").mkdir()
        (src / "hugo.toml").write_text('title = "T"\nbaseURL = "https://site.example/"\nlanguageCode = "cs-cz"\n'
                                       '[permalinks]\nposts = "/:slug/"\n')
        (src / "content" / "_index.md").write_text("---\ntitle: Home\n---\nHi\n")
        (src / "content" / "posts" / "p.md").write_text(
            f"---\ntitle: P\nslug: {_yaml(_fill(slug, tmp))}\n---\nx\n")
        (src / "content" / "u.md").write_text(f"---\ntitle: U\nurl: {_yaml(_fill(url, tmp))}\naliases: "
                                              f"[{_yaml(_fill(url, tmp))}]\n---\nx\n")
        _write_named(src / "content", [*names[:-1], names[-1] + ".md"], b"---\ntitle: N\n---\nx\n")
        _write_named(src / "static", names, b"file")
        return lambda: _import(ws, "hugo", src)

    _confined(prepare)


@PROPERTY
@given(slug=HOSTILE, permalink=HOSTILE, names=st.lists(FILE_NAME, min_size=1, max_size=3))
def test_property_jekyll_slugs_permalinks_and_file_names_stay_inside(slug, permalink, names):
    def prepare(tmp: Path, ws: Path):
        src = tmp / "jekyll"
        (src / "_posts").mkdir(parents=True)
        (src / "_config.yml").write_text("title: T\nurl: https://site.example\nlang: de-AT\n")
        (src / "index.md").write_text("---\ntitle: Home\n---\nHi\n")
        (src / "_posts" / "2024-01-02-p.md").write_text(f"---\ntitle: P\nslug: {_yaml(_fill(slug, tmp))}\n---\nx\n")
        (src / "page.md").write_text(f"---\ntitle: Q\npermalink: {_yaml(_fill(permalink, tmp))}\n---\nx\n")
        _write_named(src, [*names[:-1], names[-1] + ".md"], b"---\ntitle: N\n---\nx\n")
        _write_named(src / "_posts", ["2024-01-03-" + names[-1] + ".md"], b"---\ntitle: M\n---\nx\n")
        _write_named(src / "assets", names, b"file")
        return lambda: _import(ws, "jekyll", src)

    _confined(prepare)


@PROPERTY
@given(names=st.lists(FILE_NAME, min_size=1, max_size=3), listed=st.lists(HOSTILE, min_size=1, max_size=4))
def test_property_html_file_names_stay_inside(names, listed):
    page = b"<html lang='de-AT'><head><title>T</title></head><body><main><p>x</p></main></body></html>"

    def prepare(tmp: Path, ws: Path):
        src = tmp / "html"
        src.mkdir()
        (src / "index.html").write_bytes(page)
        _write_named(src, [*names[:-1], names[-1] + ".html"], page)
        _write_named(src, names, b"file")
        # the same files as a live site's listing gives them (any path a server may name)
        files = {"index.html": page}
        for n, rel in enumerate(listed):
            files[_fill(rel, tmp)] = page if n % 2 else b"file"

        def run() -> None:
            _import(ws, "html", src)
            shutil.rmtree(ws / "sites" / "c", ignore_errors=True)
            _import(ws, "html", None, files=files)

        return run

    _confined(prepare)


# ---------------------------------------------------------------- misuse


def test_wordpress_given_a_folder_says_to_give_the_export_file(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "wordpress", ws / "wp")
    r = sk("import", "wp", "--from", "wordpress", "--client", "blumen", cwd=ws, now=NOW)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "internal error" not in r.stderr
    assert "--from wordpress reads the export file, and this is a folder" in r.stderr
    assert "Tools -> Export" in r.stderr
    assert not (ws / "sites/blumen").exists()


@pytest.mark.parametrize("content,expect", [
    (b"", "the file is empty"),
    (b"   \n\n", "the file holds only blank space"),
    (b"PK\x03\x04" + b"\0" * 100, "the file is a ZIP archive (unpack it first"),
    (b"%PDF-1.7\n", "the file is a PDF"),
    (b"id,title\n1,Home\n", "the file is not XML"),
    (b"<html><body>not an export</body></html>", "not a WordPress export (no <channel> with wp: elements)"),
])
def test_an_export_that_is_not_one_says_what_it_is(outer, content, expect):
    ws = outer / "ws"
    (ws / "export.xml").write_bytes(content)
    r = sk("import", "export.xml", "--from", "wordpress", "--client", "blumen", cwd=ws, now=NOW)
    assert r.returncode == 1, r.stdout + r.stderr
    assert expect in r.stderr and "internal error" not in r.stderr
    assert "Tools -> Export -> All content" in r.stderr


def test_a_huge_file_that_is_not_xml_is_refused_without_reading_it_whole(outer):
    ws = outer / "ws"
    with open(ws / "dump.xml", "wb") as fh:  # sparse: 4 GiB of zeros costs no disk
        fh.truncate(4 << 30)
    r = sk("import", "dump.xml", "--from", "wordpress", "--client", "blumen", cwd=ws, now=NOW)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "the file is not XML" in r.stderr


@pytest.mark.parametrize("kind,layout,expect", [
    ("hugo", {"notes.txt": "x"}, "not a Hugo site: it has no hugo.toml"),
    ("hugo", {"hugo.toml": 'title = "T"\n'}, "no pages found in the Hugo site's content folder"),
    ("jekyll", {"notes.txt": "x"}, "not a Jekyll site: no _config.yml, no _posts/"),
    ("jekyll", {"_config.yml": "title: T\n"}, "no pages or posts (files with --- front matter) found"),
])
def test_a_folder_that_is_not_the_kind_named_stops_with_why(outer, kind, layout, expect):
    ws = outer / "ws"
    for rel, text in layout.items():
        (ws / "old" / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / "old" / rel).write_text(text)
    r = sk("import", "old", "--from", kind, "--client", "x", cwd=ws, now=NOW)
    assert r.returncode == 1, r.stdout + r.stderr
    assert expect in r.stderr
    assert not (ws / "sites/x").exists()


@pytest.mark.parametrize("args,expect", [
    (["wp/export.xml", "--uploads", "wp/export.xml"], "is not a folder"),
    (["hugo", "--from", "hugo", "--uploads", "wp/uploads"], "--uploads is for a WordPress export"),
    (["wp/export.xml", "--from", "hugo"], "--from hugo reads the site's folder, and this is a file"),
    (["wp/export.xml", "--timezone", "Mars/Olympus"], "unknown timezone 'Mars/Olympus'"),
    (["wp/export.xml", "--client", "Bad Name"], "client name 'Bad Name' is not valid"),
])
def test_misused_options_are_usage_errors(outer, args, expect):
    ws = outer / "ws"
    shutil.copytree(SRC / "wordpress", ws / "wp")
    shutil.copytree(SRC / "hugo", ws / "hugo")
    if "--client" not in args:
        args = [*args, "--client", "x"]
    r = sk("import", *args, cwd=ws, now=NOW)
    assert r.returncode == 2, r.stdout + r.stderr
    assert expect in r.stderr
    assert not any((ws / "sites").iterdir())


# ---------------------------------------------------------------- the timezone


def _zone(ws: Path, client: str) -> str:
    import tomllib

    return tomllib.loads((ws / f"sites/{client}/site.toml").read_text())["timezone"]


def test_an_italian_export_gets_rome_and_says_so(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "wordpress", ws / "wp")
    export = (ws / "wp/export.xml").read_text(encoding="utf-8").replace("<language>de-DE</language>",
                                                                        "<language>it-IT</language>")
    (ws / "wp/export.xml").write_text(export, encoding="utf-8")
    r = sk("import", "wp/export.xml", "--client", "fiori", "--uploads", "wp/uploads", cwd=ws, now=NOW)
    assert r.returncode == 0, r.stderr
    assert _zone(ws, "fiori") == "Europe/Rome"
    said = "timezone set to Europe/Rome from the site's language and country (it-IT); change it in site.toml if wrong"
    assert said in r.stdout
    assert said in (ws / "sites/fiori/import-report.txt").read_text()
    check_ok(ws, "fiori")


@pytest.mark.parametrize("lang,zone", [("cs", "Europe/Prague"), ("de-AT", "Europe/Vienna"), ("de", "Europe/Berlin"),
                                       ("fr-CH", "Europe/Zurich")])
def test_an_html_site_gets_the_zone_of_its_language(outer, lang, zone):
    ws = outer / "ws"
    (ws / "web").mkdir()
    (ws / "web/index.html").write_text(f"<html lang='{lang}'><head><title>T</title></head><body><main><p>x</p>"
                                       "</main></body></html>")
    result = import_json(ws, "web", "--client", "x")
    assert _zone(ws, "x") == zone
    assert result["timezone"] == zone and f"timezone set to {zone}" in result["timezone_note"]


def test_an_english_site_stays_at_utc_with_a_word(outer):
    ws = outer / "ws"
    (ws / "web").mkdir()
    (ws / "web/index.html").write_text("<html lang='en'><head><title>T</title></head><body><main><p>x</p>"
                                       "</main></body></html>")
    result = import_json(ws, "web", "--client", "x")
    assert _zone(ws, "x") == "UTC"
    assert result["timezone_note"].startswith("timezone left at UTC: the old site does not say where it is")


def test_the_source_own_timezone_and_the_option_win_over_the_language(outer):
    ws = outer / "ws"
    shutil.copytree(SRC / "hugo", ws / "hugo")
    toml = (ws / "hugo/hugo.toml").read_text()
    (ws / "hugo/hugo.toml").write_text('timeZone = "Europe/Lisbon"\n' + toml)
    result = import_json(ws, "hugo", "--client", "a")
    assert _zone(ws, "a") == "Europe/Lisbon" and "from the Hugo config" in result["timezone_note"]
    import_json(ws, "hugo", "--client", "b", "--timezone", "Europe/Dublin")
    assert _zone(ws, "b") == "Europe/Dublin"
