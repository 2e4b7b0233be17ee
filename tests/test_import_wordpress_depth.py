"""WordPress imports in depth: a "latest posts" front page becomes a home listing, `--fetch-media`
downloads the old site's media from a real HTTP server on 127.0.0.1 (and refuses what a hostile
one asks: another host, a huge file, `../` names), and the report groups repeats and ends
with what to do next."""
from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from helpers import sk

NOW = "2026-03-01T09:00:00+01:00"
JPEG = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 10


def wxr(base: str, items: str, title: str = "Café Lind") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>{title}</title><link>{base}</link><description>Kaffee und Kuchen</description><language>de-DE</language>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>{base}</wp:base_site_url><wp:base_blog_url>{base}</wp:base_blog_url>
{items}
</channel></rss>
"""


def post(base: str, pid: int, slug: str, date: str, body: str = "<p>Text.</p>", kind: str = "post",
         link: str | None = None) -> str:
    link = link if link is not None else f"{base}/{date[:4]}/{date[5:7]}/{slug}/"
    return f"""<item><title>{slug.title()}</title><link>{link}</link>
 <wp:post_id>{pid}</wp:post_id><wp:post_type>{kind}</wp:post_type><wp:status>publish</wp:status>
 <wp:post_name>{slug}</wp:post_name><wp:post_parent>0</wp:post_parent><wp:post_date>{date} 10:00:00</wp:post_date>
 <content:encoded><![CDATA[{body}]]></content:encoded></item>
"""


def attachment(pid: int, url: str, parent: int = 0) -> str:
    return f"""<item><title>Bild {pid}</title><link>{url}</link>
 <wp:post_id>{pid}</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
 <wp:post_parent>{parent}</wp:post_parent><wp:attachment_url>{url}</wp:attachment_url></item>
"""


@pytest.fixture
def ws(tmp_path) -> Path:
    root = tmp_path / "ws"
    (root / "sites").mkdir(parents=True)
    return root


def do_import(ws: Path, export: str, client: str, *args: str):
    path = ws / f"{client}.xml"
    path.write_text(export, encoding="utf-8")
    return sk("import", str(path), "--client", client, *args, cwd=ws, now=NOW)


def check_and_build(ws: Path, client: str) -> Path:
    checked = sk("check", client, cwd=ws, now=NOW)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = sk("build", client, "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stdout + built.stderr
    return ws / "out"


# ---------------------------------------------------------------- the front page


def test_a_latest_posts_front_page_becomes_a_home_page_that_lists_the_newest_posts(ws):
    base = "https://cafe-lind.example"
    items = "".join(post(base, 10 + n, f"woche-{n}", f"2024-0{n}-01") for n in range(1, 6))
    items += post(base, 30, "kontakt", "2024-01-01", kind="page", link=f"{base}/kontakt/")
    run = do_import(ws, wxr(base, items), "lind")
    assert run.returncode == 0, run.stdout + run.stderr
    home = ws / "sites/lind/content/index.md"
    assert home.is_file()
    assert "title: Café Lind" in home.read_text(encoding="utf-8")
    out = check_and_build(ws, "lind")
    page = (out / "index.html").read_text(encoding="utf-8")
    for newest in ("/2024/05/woche-5/", "/2024/04/woche-4/", "/2024/03/woche-3/"):
        assert f'href="{newest}"' in page
    assert 'href="/2024/01/woche-1/"' not in page              # the oldest: in its year's listing, not on /
    assert 'href="/2024/01/woche-1/"' in (out / "2024/01/index.html").read_text(encoding="utf-8")
    report = (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")
    assert "the old front page listed the latest posts" in report and "of the 5 posts" in report


def test_a_static_front_page_stays_the_home_page_and_no_listing_is_made(ws):
    base = "https://cafe-lind.example"
    items = post(base, 1, "willkommen", "2024-01-01", "<p>Willkommen!</p>", kind="page", link=f"{base}/")
    items += post(base, 2, "woche", "2024-02-01")
    run = do_import(ws, wxr(base, items), "lind")
    assert run.returncode == 0, run.stdout + run.stderr
    home = (ws / "sites/lind/content/index.md").read_text(encoding="utf-8")
    assert "Willkommen!" in home and "title: Willkommen" in home
    assert "latest posts" not in (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- --fetch-media against a real server


class OldSite:
    """An HTTP server on 127.0.0.1 that answers from ``routes`` (path -> a handler) and
    records every request path."""

    def __init__(self):
        self.routes: dict = {}
        self.seen: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server name
                site.seen.append(self.path)
                route = site.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_error(404)
                    return
                route(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}"

    def file(self, path: str, data: bytes, length: int | None = None) -> None:
        def answer(h):
            h.send_response(200)
            h.send_header("Content-Type", "image/jpeg")
            h.send_header("Content-Length", str(len(data) if length is None else length))
            h.end_headers()
            h.wfile.write(data)
        self.routes[path] = answer

    def redirect(self, path: str, location: str) -> None:
        def answer(h):
            h.send_response(302)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()
        self.routes[path] = answer

    def stream(self, path: str, chunk: bytes, times: int) -> None:
        """A body without Content-Length, ended by closing the connection."""
        def answer(h):
            h.send_response(200)
            h.send_header("Connection", "close")
            h.end_headers()
            try:
                for _ in range(times):
                    h.wfile.write(chunk)
            except OSError:
                pass
            h.close_connection = True
        self.routes[path] = answer

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def old_site():
    site = OldSite()
    yield site
    site.close()


@pytest.fixture
def other_host():
    site = OldSite()
    yield site
    site.close()


@pytest.mark.servers
def test_fetch_media_downloads_attachments_and_body_images_into_static_and_the_pages_use_them(ws, old_site):
    base = old_site.url()
    old_site.file("/wp-content/uploads/2024/03/torte.jpg", JPEG)
    old_site.file("/wp-content/uploads/2024/03/laden.jpg", JPEG + b"2")
    old_site.redirect("/wp-content/uploads/2024/03/umzug.jpg", f"{base}/wp-content/uploads/2024/04/umzug.jpg")
    old_site.file("/wp-content/uploads/2024/04/umzug.jpg", JPEG + b"3")
    body = (f'<p><img src="{base}/wp-content/uploads/2024/03/torte.jpg" alt="Torte"></p>'
            f'<p><img src="{base}/wp-content/uploads/2024/03/umzug.jpg" alt="Umzug"></p>')
    items = post(base, 1, "start", "2024-01-01", "<p>Hallo</p>", kind="page", link=f"{base}/")
    items += post(base, 2, "torte", "2024-03-01", body)
    items += attachment(3, f"{base}/wp-content/uploads/2024/03/laden.jpg", parent=2)
    run = do_import(ws, wxr(base, items), "lind", "--fetch-media")
    assert run.returncode == 0, run.stdout + run.stderr
    static = ws / "sites/lind/static/wp-content/uploads/2024"
    assert (static / "03/torte.jpg").read_bytes() == JPEG
    assert (static / "03/laden.jpg").read_bytes() == JPEG + b"2"
    assert (static / "03/umzug.jpg").read_bytes() == JPEG + b"3"    # a redirect on the same host: followed
    page = next((ws / "sites/lind/content").rglob("torte.md")).read_text(encoding="utf-8")
    assert "](/wp-content/uploads/2024/03/torte.jpg)" in page and base not in page
    out = check_and_build(ws, "lind")
    assert (out / "wp-content/uploads/2024/03/torte.jpg").read_bytes() == JPEG
    assert "could not be fetched" not in (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")


@pytest.mark.servers
def test_fetch_media_refuses_what_a_hostile_server_or_export_asks_and_names_each_url(ws, old_site, other_host):
    base = old_site.url()
    elsewhere = other_host.url("localhost")  # another host name (on loopback too): never to be asked
    other_host.file("/x.jpg", JPEG)
    old_site.redirect("/wp-content/uploads/2024/01/weg.jpg", f"{elsewhere}/x.jpg")
    old_site.file("/wp-content/uploads/2024/01/riesig.jpg", b"x" * 100, length=200 << 20)  # says 200 MiB
    old_site.file("/wp-content/uploads/2024/01/gut.jpg", JPEG)
    body = "".join(f'<p><img src="{u}" alt="b"></p>' for u in (
        f"{base}/wp-content/uploads/2024/01/weg.jpg",
        f"{base}/wp-content/uploads/2024/01/riesig.jpg",
        f"{base}/wp-content/uploads/2024/01/fehlt.jpg",
        f"{base}/wp-content/uploads/2024/01/gut.jpg",
        f"{elsewhere}/wp-content/uploads/2024/01/cdn.jpg",
    ))
    items = post(base, 1, "start", "2024-01-01", "<p>Hallo</p>", kind="page", link=f"{base}/")
    items += post(base, 2, "bilder", "2024-01-02", body)
    items += attachment(3, f"{base}/wp-content/uploads/../../../../etc/passwd.jpg")
    items += attachment(4, f"{base}/wp-content/uploads/%2e%2e/%2e%2e/outside.jpg")
    run = do_import(ws, wxr(base, items), "lind", "--fetch-media")
    assert run.returncode == 0, run.stdout + run.stderr
    assert other_host.seen == []                                   # the redirect elsewhere was not followed
    assert not any(".." in p or "outside" in p or "passwd" in p for p in old_site.seen)   # never asked
    site = ws / "sites/lind"
    assert (site / "static/wp-content/uploads/2024/01/gut.jpg").read_bytes() == JPEG
    for name in ("weg.jpg", "riesig.jpg", "fehlt.jpg", "cdn.jpg"):
        assert not (site / "static/wp-content/uploads/2024/01" / name).exists()
    assert not list(ws.parent.rglob("outside.jpg")) and not list(ws.parent.rglob("passwd.jpg"))
    report = (site / "import-report.txt").read_text(encoding="utf-8")
    assert f"{base}/wp-content/uploads/2024/01/weg.jpg could not be fetched: the server redirects to {elsewhere}/x.jpg" in report
    assert f"{base}/wp-content/uploads/2024/01/riesig.jpg could not be fetched: 200.0 MiB, over the limit" in report
    assert f"{base}/wp-content/uploads/2024/01/fehlt.jpg could not be fetched: HTTP 404" in report
    assert f"{elsewhere}/wp-content/uploads/2024/01/cdn.jpg could not be fetched: on another host (localhost)" in report
    assert "passwd.jpg' has a '..' folder name" in report and "outside.jpg' has a '..' folder name" in report
    page = next((site / "content").rglob("bilder.md")).read_text(encoding="utf-8")
    assert f"]({base}/wp-content/uploads/2024/01/weg.jpg)" in page      # the original reference stays
    assert f"]({elsewhere}/wp-content/uploads/2024/01/cdn.jpg)" in page
    assert "](/wp-content/uploads/2024/01/gut.jpg)" in page
    check_and_build(ws, "lind")


@pytest.mark.servers
def test_a_body_without_length_is_cut_at_the_cap_and_the_total_cap_stops_further_downloads(old_site):
    from sitekeeper.importers.media_fetch import MediaFetcher

    old_site.stream("/big.jpg", b"y" * 4096, times=64)       # 256 KiB, no Content-Length
    old_site.file("/a.jpg", b"a" * 3000)
    old_site.file("/b.jpg", b"b" * 3000)
    big = MediaFetcher(frozenset({"127.0.0.1"}), max_file=64 << 10).get(old_site.url() + "/big.jpg")
    assert big.data is None and big.why == "more than the limit of 65,536 bytes a file arrived; not fetched"
    fetcher = MediaFetcher(frozenset({"127.0.0.1"}), max_file=64 << 10, max_total=5000)
    assert fetcher.get(old_site.url() + "/a.jpg").data == b"a" * 3000
    second = fetcher.get(old_site.url() + "/b.jpg")
    assert second.data is None and "would pass 5,000 bytes" in second.why
    assert fetcher.get("file:///etc/passwd").why.startswith("not http or https")
    assert fetcher.get("ftp://127.0.0.1/x.jpg").why.startswith("not http or https")
    assert fetcher.received == 3000


@pytest.mark.servers
def test_a_server_that_never_answers_costs_one_read_timeout_and_is_named(ws, tmp_path):
    import socket

    from sitekeeper import network
    from sitekeeper.importers.media_fetch import MediaFetcher

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts (the kernel does) and never answers
    try:
        network.configure(None, timeouts=network.Timeouts(connect=2, read=0.5))
        got = MediaFetcher(frozenset({"127.0.0.1"})).get(f"http://127.0.0.1:{listener.getsockname()[1]}/a.jpg")
    finally:
        network.configure(None)
        listener.close()
    assert got.data is None and got.why == "no answer within 0.5 s"


def test_without_fetch_media_the_report_lists_the_media_to_fetch_and_says_how(ws):
    base = "https://cafe-lind.example"
    body = "".join(f'<p><img src="{base}/wp-content/uploads/2024/01/bild-{n}.jpg" alt="b"></p>' for n in range(6))
    items = post(base, 1, "start", "2024-01-01", "<p>Hallo</p>", kind="page", link=f"{base}/")
    items += post(base, 2, "bilder", "2024-01-02", body)
    run = do_import(ws, wxr(base, items), "lind")
    assert run.returncode == 0, run.stdout + run.stderr
    report = (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")
    for n in range(6):
        assert f"/wp-content/uploads/2024/01/bild-{n}.jpg" in report
    assert "--fetch-media" in report


# ---------------------------------------------------------------- the report


def test_the_report_says_a_repeated_warning_once_with_its_count_and_ends_with_the_next_steps_in_order(ws):
    base = "https://cafe-lind.example"
    items = post(base, 1, "start", "2024-01-01", f'<p><img src="{base}/wp-content/uploads/2024/01/a.jpg" alt="a"></p>',
                 kind="page", link=f"{base}/")
    for n in range(40):
        items += post(base, 100 + n, f"geheim-{n}", "2024-02-01").replace(
            "<wp:post_parent>", "<wp:post_password>pw</wp:post_password><wp:post_parent>")
    items += post(base, 2, "formular", "2024-03-01", "<p>[contact-form-7 id=\"4\"]</p>")
    run = do_import(ws, wxr(base, items), "lind", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    report = (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")
    protected = [line for line in report.splitlines() if "was password protected" in line]
    assert len(protected) == 3                           # the first in full and two more examples ...
    assert protected[0].startswith("40 times: ")          # ... under one count
    names = next(line for line in report.splitlines() if line.startswith("    all 40: "))
    assert "'Geheim-0'" in names and "'Geheim-39'" in names
    assert report.count("left in the text") == 1
    steps = report.split("## Next steps\n", 1)[1].strip().splitlines()
    assert steps[0].startswith("1. Take the media over while the old site still runs") and "--fetch-media" in steps[0]
    assert steps[1].startswith("2. Replace the shortcodes")
    assert "sitekeeper check lind" in steps[-2] and "sitekeeper publish lind" in steps[-1]
    import json
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert sum("was password protected" in p["message"] for p in result["problems"]) == 40   # the JSON keeps each


def test_posts_without_post_name_or_id_are_each_kept_and_a_wordpress_com_featured_image_is_an_upload(ws):
    base = "https://cafe-lind.example"
    bare = """<item><title>{title}</title><link>{base}/?p={n}</link><wp:post_date>2024-0{n}-01 10:00:00</wp:post_date>
 <content:encoded><![CDATA[<p>{title}</p>]]></content:encoded>
 <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>{extra}</item>
"""
    thumb = "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>9</wp:meta_value></wp:postmeta>"
    items = "".join(bare.format(title=t, base=base, n=n, extra=thumb if n == 1 else "")
                    for n, t in enumerate(("Hello World", "Elements", "Elements"), 1))
    items += attachment(9, "https://cafelind.files.wordpress.com/2024/01/torte.jpg")
    run = do_import(ws, wxr(base, items), "lind")
    assert run.returncode == 0, run.stdout + run.stderr
    content = ws / "sites/lind/content"
    assert sorted(p.name for p in content.glob("*.md")) == ["elements-3.md", "elements.md", "hello-world.md", "index.md"]
    hello = (content / "hello-world.md").read_text(encoding="utf-8")
    assert "image: https://cafelind.files.wordpress.com/2024/01/torte.jpg" in hello    # shown from where it is ...
    report = (ws / "sites/lind/import-report.txt").read_text(encoding="utf-8")
    assert "/wp-content/uploads/2024/01/torte.jpg is not imported" in report            # ... and named as an upload
    assert "folder name" not in report and "two pages map" not in report
    check_and_build(ws, "lind")
