"""`status --check-live`: the public site against what the last publish deployed. A real HTTP
server on 127.0.0.1 (python's http.server in a thread) serves a dir target's docroot, then one
page is tampered with, one removed and one injected; an HTTPS server with a self-signed
certificate made here (cryptography) gives the certificate's days left."""
from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import shutil
import ssl
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import copy_workspace, json_lines, sk


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


class KeepAlive(Quiet):
    protocol_version = "HTTP/1.1"  # one connection for many requests, as real servers keep it


@pytest.fixture
def served(tmp_path):
    """(http server, docroot): serves the docroot folder, which the publish fills (HTTP/1.1,
    connections kept open)."""
    docroot = tmp_path / "docroot"
    docroot.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(KeepAlive, directory=str(docroot)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, docroot
    server.shutdown()
    server.server_close()


def published(tmp_path: Path, base_url: str, docroot: Path) -> Path:
    ws = copy_workspace("mini", tmp_path / "ws")
    toml = ws / "sites/mini/site.toml"
    text = toml.read_text(encoding="utf-8").replace('base_url = "https://mini.example"', f'base_url = "{base_url}"')
    toml.write_text(text + f'\n[deploy.live]\nurl = "dir:{docroot}"\n', encoding="utf-8")
    r = sk("publish", "mini", "--yes", cwd=ws)
    assert r.returncode == 0, r.stderr
    return ws


def live(ws: Path, env: dict | None = None):
    r = sk("status", "--check-live", "--json", cwd=ws, env=env)
    return r, json_lines(r.stdout)[-1]


def test_the_live_site_matches_until_a_page_is_changed_one_removed_and_one_injected(tmp_path, served):
    server, docroot = served
    ws = published(tmp_path, f"http://127.0.0.1:{server.server_port}", docroot)
    r, result = live(ws)
    assert r.returncode == 0, r.stdout + r.stderr
    [check] = result["live"]
    assert check["ok"] and not check["drift"] and check["checked"] >= 10
    assert check["tls_days_left"] is None  # http: no certificate

    page = docroot / "preise" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", '<a href="/casino/">Gewinne</a></body>'), encoding="utf-8")
    shutil.rmtree(docroot / "en" / "prices")  # the folder too: http.server would list it
    (docroot / "casino").mkdir()
    (docroot / "casino" / "index.html").write_text("<h1>Jackpot</h1>", encoding="utf-8")
    (docroot / "never-linked.html").write_text("<p>only a file</p>", encoding="utf-8")
    sitemap = docroot / "sitemap.xml"
    sitemap.write_text(sitemap.read_text(encoding="utf-8").replace(
        "</urlset>", f"<url><loc>http://127.0.0.1:{server.server_port}/spam.html</loc></url></urlset>"),
        encoding="utf-8")
    (docroot / "spam.html").write_text("<h1>Pillen</h1>", encoding="utf-8")

    r, result = live(ws)
    assert r.returncode == 1
    [check] = result["live"]
    assert check["changed"] == ["preise/index.html", "sitemap.xml"]
    assert check["missing"] == ["en/prices/index.html"]
    assert check["extra"] == ["/casino/", "/spam.html"]  # linked, or in the sitemap; an unlinked file is not seen
    assert check["drift"] is True and check["ok"] is False

    people = sk("status", "--check-live", cwd=ws)
    assert people.returncode == 1
    assert "mini: changed (2): preise/index.html, sitemap.xml" in people.stdout
    assert "mini: missing (1): en/prices/index.html" in people.stdout
    assert "mini: extra (2): /casino/, /spam.html" in people.stdout


def test_a_client_never_published_is_named_with_the_fix(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    r, result = live(ws)
    assert r.returncode == 1
    assert "publish once" in r.stdout
    assert result["live"][0]["problems"]


def self_signed(folder: Path, days: int) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days, hours=12))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_an_https_site_reports_its_certificates_days_left_and_whether_it_is_trusted(tmp_path, served):
    server, docroot = served
    cert, key = self_signed(tmp_path, days=10)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(docroot)))  # HTTP/1.0
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    threading.Thread(target=tls.serve_forever, daemon=True).start()
    try:
        ws = published(tmp_path, f"https://127.0.0.1:{tls.server_port}", docroot)
        r, result = live(ws, env={"SSL_CERT_FILE": str(cert)})  # the trust store holds it
        [check] = result["live"]
        assert check["tls_days_left"] == 10 and check["tls_error"] is None
        assert not check["drift"] and check["checked"] >= 10
        assert r.returncode == 1 and check["ok"] is False  # under 21 days: renew
        people = sk("status", "--check-live", cwd=ws, env={"SSL_CERT_FILE": str(cert)})
        assert "expires in 10 days" in people.stdout

        r, result = live(ws)  # the system's trust store does not know it
        [check] = result["live"]
        assert check["tls_days_left"] == 10 and "not trusted" in check["tls_error"]
        assert r.returncode == 1
    finally:
        tls.shutdown()
        tls.server_close()


def test_only_the_sites_own_host_is_ever_fetched():
    from sitekeeper.live import Fetcher, deployed_as, url_path

    site = Fetcher("https://www.example.com/shop/")
    html = b"""<a href="/shop/a/">a</a><a href="b.html">b</a><a href="//evil.example/x">x</a>
    <a href="https://evil.example/shop/y">y</a><a href="mailto:x@example.com">m</a><a href="javascript:alert(1)">j</a>
    <a href="https://www.example.com/other/">outside the site's folder</a><link rel=stylesheet href="../shop/s.css">"""
    assert site.same_host_paths(html, "/") == {"/a/", "/b.html", "/s.css"}
    xml = b"<urlset><url><loc>https://www.example.com/shop/p/</loc></url><url><loc>https://evil.example/q</loc></url></urlset>"
    assert site.sitemap_paths(xml) == {"/p/"}
    files = {"index.html": "1", "a/index.html": "2", "cs/cen\u00edk/index.html": "3", "b.html": "4"}
    assert [deployed_as(p, files) for p in ("/", "/a/", "/a", "/cs/cen%C3%ADk/", "/b", "/c/")] == \
        ["index.html", "a/index.html", "a/index.html", "cs/cen\u00edk/index.html", "b.html", None]
    assert [url_path(p) for p in ("index.html", "a/index.html", "404.html")] == ["/", "/a/", "/404.html"]


def test_tick_checks_the_live_site_at_most_daily_and_fails_the_client_on_drift(tmp_path, served):
    server, docroot = served
    ws = published(tmp_path, f"http://127.0.0.1:{server.server_port}", docroot)
    day1, later, day2 = "2026-06-10T10:00:00+02:00", "2026-06-10T18:00:00+02:00", "2026-06-11T10:05:00+02:00"
    first = sk("tick", "--check-live", "--json", cwd=ws, now=day1)
    assert first.returncode == 0, first.stdout + first.stderr
    [c] = json_lines(first.stdout)[-1]["clients"]
    assert c["live"]["ok"] is True and c["live"]["checked"] >= 10
    page = docroot / "preise" / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- defaced -->", encoding="utf-8")
    same_day = sk("tick", "--check-live", "--json", cwd=ws, now=later)
    assert same_day.returncode == 0  # checked this day already: no request at all
    assert json_lines(same_day.stdout)[-1]["clients"][0]["live"] is None
    next_day = sk("tick", "--check-live", cwd=ws, now=day2)
    assert next_day.returncode == 1
    assert "mini: the live site" in next_day.stderr and "changed 1 (preise/index.html)" in next_day.stderr
    assert "sites/mini/site.toml:2:" in next_day.stderr


def test_a_target_served_at_its_public_url_is_checked_there_and_base_urls_host_is_never_asked(tmp_path, served):
    server, docroot = served
    ws = copy_workspace("mini", tmp_path / "ws")
    toml = ws / "sites/mini/site.toml"  # base_url stays https://mini.example, a name that leads nowhere
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[deploy.live]\nurl = "dir:{docroot}"\n'
                    f'public_url = "http://127.0.0.1:{server.server_port}"\n', encoding="utf-8")
    assert sk("publish", "mini", "--yes", cwd=ws).returncode == 0
    r, result = live(ws)
    [check] = result["live"]
    assert r.returncode == 0, r.stdout
    assert check["url"] == f"http://127.0.0.1:{server.server_port}/" and check["ok"] and not check["errors"]
