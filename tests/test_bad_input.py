"""Bad and unusual input as users write it: each gives a clear `path:line: message` or works."""
from __future__ import annotations

from pathlib import Path

from helpers import copy_workspace, json_lines, sk, tree

NOW = "2026-03-05T12:00:00+01:00"


def _to_crlf(root: Path) -> int:
    changed = 0
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in {".md", ".toml", ".csv", ".html"}:
            data = path.read_bytes()
            assert b"\r" not in data
            path.write_bytes(data.replace(b"\n", b"\r\n"))
            changed += 1
    return changed


def test_windows_line_endings_build_the_same_site(tmp_path):
    lf = copy_workspace("mini", tmp_path / "lf")
    crlf = copy_workspace("mini", tmp_path / "crlf")
    assert _to_crlf(crlf) >= 5
    assert sk("check", cwd=crlf, now=NOW).returncode == 0
    for ws in (lf, crlf):
        run = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
        assert run.returncode == 0, run.stderr
    assert tree(crlf / "out") == tree(lf / "out")


def test_audience_in_windows_1252_with_semicolons_is_read_with_a_warning(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    text = ("email;name;lang;tags;consented_at;source\r\n"
            "joerg@example.com;Jörg Müller;de;cakes;2026-01-01;shop\r\n"
            "bob@example.org;Bob;en;;2026-01-02;web\r\n")
    (ws / "campaigns/mini/audience.csv").write_bytes(text.encode("cp1252"))
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    warnings = [p for p in json_lines(run.stdout) if "Windows-1252" in p.get("message", "")]
    assert len(warnings) == 1 and warnings[0]["line"] == 2 and "UTF-8" in warnings[0]["fix"]
    prev = sk("campaign", "preview", "mini/fruehling", "--no-proof", "--out", "prev", cwd=ws, now=NOW)
    assert prev.returncode == 0, prev.stderr
    assert "joerg@example.com" in prev.stdout + prev.stderr  # the sample recipient came from the `;` file


def test_audience_that_is_not_text_is_an_error_at_its_line(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    (ws / "campaigns/mini/audience.csv").write_bytes(b"email,name\nanna@example.com,An\x81na\n")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert "Traceback" not in run.stderr
    lines = json_lines(run.stdout)
    assert run.returncode == 1 and lines[-1]["ok"] is False
    assert any(p.get("path", "").endswith("audience.csv") and p.get("line") == 2 and p["severity"] == "error"
               for p in lines)


def test_promotion_translated_into_a_language_the_site_lacks_says_so(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    src = (ws / "campaigns/mini/fruehling.en.md").read_text(encoding="utf-8")
    (ws / "campaigns/mini/fruehling.fr.md").write_text(src, encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    # errors only: the fixture's Czech pages have no home page, a warning of its own
    problems = [p for p in json_lines(run.stdout) if p.get("event") == "problem" and p.get("severity") != "warning"]
    assert [p["path"] for p in problems] == ["campaigns/mini/fruehling.fr.md"]
    assert "`fr`" in problems[0]["message"] and "languages" in problems[0]["fix"]
    assert "starts" not in problems[0]["message"]


def test_leftover_shortcodes_are_warnings_at_their_line(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    page = ws / "sites/mini/content/preise.md"
    text = page.read_text(encoding="utf-8")
    lines = text.count("\n")
    page.write_text(text + '\n{{< figure src="ofen.jpg" >}}\n\n```\n{% raw %}\n```\n\n[gallery ids="4,5"]\n',
                    encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    found = [(p["line"], p["message"]) for p in json_lines(run.stdout)
             if p.get("event") == "problem" and p["path"].endswith("preise.md")]
    assert [line for line, _ in found] == [lines + 2, lines + 8]
    assert "Hugo shortcode" in found[0][1] and "WordPress shortcode" in found[1][1]
    assert sk("check", "--json", "--strict", cwd=ws, now=NOW).returncode == 1


def test_headings_that_break_the_outline_are_warnings_at_their_line(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    page = ws / "sites/mini/content/preise.md"
    text = page.read_text(encoding="utf-8")
    lines = text.count("\n")
    page.write_text(text + "\n### Torten\n\nText\n\n## Brot\n\n```\n# not a heading\n```\n\n# Kaffee\n",
                    encoding="utf-8")
    run = sk("check", "--json", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stdout + run.stderr
    found = [(p["line"], p["message"], p["fix"]) for p in json_lines(run.stdout)
             if p.get("event") == "problem" and p["path"].endswith("preise.md")]
    assert [line for line, _, _ in found] == [lines + 2, lines + 12]
    assert "level 3 (###) follows the page's title" in found[0][1] and found[0][2] == "write it as ##"
    assert "top-level heading" in found[1][1]
    # The same warnings from build, and the page is still built.
    run = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 0 and "preise.md:%d: warning" % (lines + 2) in run.stderr


def _banner_server(banner: bytes):
    """A loopback server that answers every connection with one line and closes (an HTTP or FTP
    server where an SSH server was expected)."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn:
                conn.sendall(banner)

    threading.Thread(target=serve, daemon=True).start()
    return srv


def test_sftp_url_at_a_port_that_does_not_speak_ssh_is_one_clear_line(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    srv = _banner_server(b"220 ProFTPD Server ready.\r\n")
    try:
        port = srv.getsockname()[1]
        toml = ws / "sites/mini/site.toml"
        text = toml.read_text(encoding="utf-8")
        url_line = text.count("\n") + 3
        toml.write_text(text + f'\n[deploy.live]\nurl = "sftp://deploy@127.0.0.1:{port}/www"\n'
                        'host_key = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"\n', encoding="utf-8")
        run = sk("publish", "mini", "--yes", "--json", cwd=ws, now=NOW)
    finally:
        srv.close()
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "paramiko" not in run.stderr.lower()
    last = json_lines(run.stdout)[-1]
    assert last["ok"] is False
    problem = last["problems"][0]
    assert problem["path"] == "sites/mini/site.toml" and problem["line"] == url_line
    assert "FTP" in problem["message"] and problem["fix"]
    assert not (ws / "public").exists()


def test_addresses_with_empty_labels_or_stray_dots_are_invalid():
    from sitekeeper.config.mail import is_address

    for bad in ("max@example..com", ".max@example.com", "max.@example.com", "ma..x@example.com", "max@example",
                "max@-example.com", "max@exa_mple.com", "max example@example.com", "max@@example.com"):
        assert not is_address(bad), bad
    for good in ("max@example.com", "max.mustermann+news@mail.example.co.uk", "jörg@müller.de", "o'neil@example.ie"):
        assert is_address(good), good


def test_what_check_refuses_build_and_publish_refuse(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    promo = ws / "campaigns/mini/fruehling.md"
    promo.write_text(promo.read_text(encoding="utf-8") + "\nHallo {{ vorname }}, draußen!\n", encoding="utf-8")
    check = sk("check", "--json", cwd=ws, now=NOW)
    assert check.returncode == 1
    refused = {(p["path"], p["line"]) for p in json_lines(check.stdout)[-1]["problems"] if p.get("severity") != "warning"}
    assert any(path == "campaigns/mini/fruehling.md" for path, _ in refused)
    for args in (("build", "mini", "--out", "out"), ("publish", "mini", "--yes")):
        run = sk(*args, "--json", cwd=ws, now=NOW)
        assert run.returncode == 1, args
        assert {(p["path"], p["line"]) for p in json_lines(run.stdout)[-1]["problems"]
                if p.get("severity") != "warning"} == refused, args
    assert not (ws / "out").exists() and not (ws / "public").exists()


def test_test_send_refuses_an_audience_without_an_email_column(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    (ws / "campaigns/mini/audience.csv").write_text("mail,name\nanna@example.com,Anna\n", encoding="utf-8")
    run = sk("campaign", "test", "mini/fruehling", "--to", "me@example.com", cwd=ws, now=NOW)
    assert run.returncode == 1 and "no `email` column" in run.stderr
    assert not (ws / "outbox").exists()


def test_approved_typed_by_hand_is_not_an_approval(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    promo = ws / "campaigns/mini/fruehling.md"
    text = promo.read_text(encoding="utf-8")
    assert "approved: false" in text and "approved_hash" not in text
    promo.write_text(text.replace("approved: false", "approved: true"), encoding="utf-8")
    line = text.splitlines().index("approved: false") + 1
    run = sk("check", "--json", cwd=ws, now=NOW)
    found = [p for p in json_lines(run.stdout) if p.get("event") == "problem" and "by hand" in p["message"]]
    assert len(found) == 1 and found[0]["line"] == line and "campaign approve mini/fruehling" in found[0]["fix"]
    listed = sk("campaign", "list", "mini", "--json", cwd=ws, now=NOW)
    row = [r for r in json_lines(listed.stdout) if r.get("event") == "campaign"][0]
    assert row["approval"] != "approved"


def _secret_file(tmp_path) -> Path:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = outside / "passwd.txt"
    secret.write_text("root:x:0:0:confidential\n", encoding="utf-8")
    return secret


def _assert_refused_at(run, path: str):
    assert run.returncode == 1 and "Traceback" not in run.stderr
    last = json_lines(run.stdout)[-1]
    assert last["ok"] is False
    assert path in [p["path"] for p in last["problems"]], last["problems"]


def test_symlinks_out_of_the_client_folder_are_refused_and_nothing_is_published(tmp_path):
    ws = copy_workspace("mini", tmp_path / "ws")
    secret = _secret_file(tmp_path)
    site = ws / "sites/mini"
    links = {
        "sites/mini/static/passwd.txt": secret,                   # a file
        "sites/mini/static/etc": Path("/etc"),                     # a folder (used to crash)
        "sites/mini/templates/page.html": secret,                  # a template
        "sites/mini/content/leak.md": secret,                      # a page
        "campaigns/mini/audience.csv.bak": secret,                 # anything in campaigns
    }
    (site / "templates").mkdir()
    for rel, target in links.items():
        (ws / rel).symlink_to(target)
    for args in (("check", "--json"), ("build", "mini", "--json", "--out", "out"), ("publish", "mini", "--yes", "--json")):
        run = sk(*args, cwd=ws, now=NOW)
        for rel in links:
            _assert_refused_at(run, rel)
    assert not (ws / "out").exists() and not (ws / "public").exists()
    assert "confidential" not in "".join(p.read_text(errors="ignore") for p in ws.rglob("*") if p.is_file()
                                         and not p.is_symlink())


def test_a_symlink_that_stays_inside_the_client_folder_is_followed(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    site = ws / "sites/mini"
    (site / "static/bilder").symlink_to(site / "static/img")
    run = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    assert (ws / "out/bilder/cup.svg").read_bytes() == (site / "static/img/cup.svg").read_bytes()


def test_a_link_to_another_clients_audience_is_refused_for_sends(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    other = ws / "campaigns/other"
    other.mkdir()
    (other / "audience.csv").write_text("email,consented_at\nsecret@other.example,2026-01-01\n", encoding="utf-8")
    aud = ws / "campaigns/mini/audience.csv"
    aud.unlink()
    aud.symlink_to(other / "audience.csv")
    run = sk("campaign", "test", "mini/fruehling", "--to", "me@example.com", "--json", cwd=ws, now=NOW)
    _assert_refused_at(run, "campaigns/mini/audience.csv")
    assert not (ws / "outbox").exists()
    prev = sk("campaign", "preview", "mini/fruehling", "--no-proof", "--out", "prev", cwd=ws, now=NOW)
    assert "secret@other.example" not in prev.stdout + prev.stderr


def test_an_unsubscribed_list_linked_from_outside_stops_every_send(tmp_path):
    # Read through the link it would be someone else's list (or none): the people who opted
    # out here would be mailed. Every send path refuses, as check does.
    ws = copy_workspace("mini", tmp_path)
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("email\nnobody@example.org\n", encoding="utf-8")
    approved = sk("campaign", "approve", "mini/fruehling", "--by", "Frau Weber", cwd=ws, now="2026-02-20T10:00:00+01:00")
    assert approved.returncode == 0, approved.stderr
    (ws / "campaigns/mini/unsubscribed.csv").symlink_to(outside)
    for args in (("campaign", "send", "mini/fruehling", "--dry-run", "--json"), ("campaign", "send", "--dry-run", "--json"),
                 ("campaign", "send", "mini/fruehling", "--json")):
        run = sk(*args, cwd=ws, now=NOW)
        _assert_refused_at(run, "campaigns/mini/unsubscribed.csv")
    assert not (ws / "outbox").exists()
    check = sk("check", "mini", "--json", cwd=ws, now=NOW)
    _assert_refused_at(check, "campaigns/mini/unsubscribed.csv")


def test_a_campaign_link_to_a_page_the_site_lacks_at_send_time_is_refused_at_its_line(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    promo = ws / "campaigns/mini/fruehling.md"
    text = promo.read_text(encoding="utf-8")
    promo.write_text(text + "\n[Preise](https://mini.example/preise/) und [Torten](https://mini.example/torten/)\n",
                     encoding="utf-8")
    line = text.count("\n") + 2
    for command in (("check", "mini", "--json"), ("build", "mini", "--out", "out", "--json")):
        run = sk(*command, cwd=ws, now=NOW)
        assert run.returncode == 1 and "Traceback" not in run.stderr
        problems = [(p["path"], p["line"], p["message"]) for p in json_lines(run.stdout)[-1]["problems"]
                    if p.get("severity") != "warning"]
        assert problems == [("campaigns/mini/fruehling.md", line, "broken link: https://mini.example/torten/ is not "
                             "a page of the site when the campaign is sent")], problems
    assert not (ws / "out").exists()


def test_logo_outside_the_static_folder_is_refused(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    other = ws / "sites/other/static"
    other.mkdir(parents=True)
    (other / "logo.svg").write_text("<svg/>", encoding="utf-8")
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('[theme]\n', '[theme]\nlogo = "../other/static/logo.svg"\n'),
                    encoding="utf-8")
    run = sk("check", "mini", "--json", cwd=ws, now=NOW)
    _assert_refused_at(run, "sites/mini/site.toml")


def test_content_files_in_a_language_the_site_dropped_say_so(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('["de", "en", "cs"]', '["de", "cs"]'), encoding="utf-8")
    run = sk("build", "mini", "--json", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    problems = json_lines(run.stdout)[-1]["problems"]
    en = sorted(p["path"] for p in problems if "`en`" in p["message"])
    assert en == ["campaigns/mini/fruehling.en.md", "sites/mini/content/index.en.md", "sites/mini/content/preise.en.md"]


def test_a_site_without_a_home_page_warns_and_one_without_pages_fails(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    content = ws / "sites/mini/content"
    (content / "index.md").unlink()
    (content / "index.en.md").unlink()
    run = sk("check", "mini", "--json", cwd=ws, now=NOW)
    problems = [p for p in json_lines(run.stdout) if p.get("event") == "problem"]
    home = [p for p in problems if "there is no home page" in p["message"]]
    # one per language with pages and no home (the fixture's Czech pages never had one)
    assert [p["severity"] for p in home] == ["warning"] * 3
    assert ["visitors of / get" in p["message"] for p in home].count(True) == 1
    assert any("index.en.md" in p["fix"] and "visitors of /en/ get" in p["message"] for p in home), home
    # the English pages' logo and language bar lead to /en/: a generated list of the English pages
    assert not [p for p in problems if p["message"].startswith("broken theme link")]
    built = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
    assert built.returncode == 0, built.stderr
    listing = (ws / "out/en/index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in listing and 'href="/en/prices/"' in listing and 'href="/preise/"' not in listing.split("<main")[1]
    assert 'href="/preise/"' in (ws / "out/index.html").read_text(encoding="utf-8").split("<main")[1]
    for page in content.rglob("*.md"):
        page.unlink()
    empty = sk("build", "mini", "--json", "--out", "out", cwd=ws, now=NOW)
    assert empty.returncode == 1
    assert any("no page" in p["message"] for p in json_lines(empty.stdout)[-1]["problems"])


RAW_HTML = """
Unser Laden.

<script>alert(1)</script>

<p onclick="steal()">Klick</p> and <a href=" JaVaScRiPt:evil()">link</a>

<iframe src="https://www.openstreetmap.org/export/embed.html?bbox=1"></iframe>

<iframe src="https://tracker.example/x"></iframe>
"""


def test_raw_html_policy_refuses_scripts_and_unlisted_embeds_at_their_line(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    page = ws / "sites/mini/content/preise.md"
    text = page.read_text(encoding="utf-8")
    start = text.count("\n") + 1  # the line RAW_HTML's first (empty) line lands on
    page.write_text(text + RAW_HTML, encoding="utf-8")
    toml = ws / "sites/mini/site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[content]\nembeds = ["www.openstreetmap.org"]\n',
                    encoding="utf-8")
    run = sk("build", "mini", "--json", "--out", "out", cwd=ws, now=NOW)
    assert run.returncode == 1 and not (ws / "out").exists()
    found = sorted((p["line"] - start, p["message"].split()[0]) for p in json_lines(run.stdout)[-1]["problems"]
                   if p["path"] == "sites/mini/content/preise.md")
    assert [line for line, _ in found] == [3, 5, 5, 9]
    assert "tracker.example" in " ".join(p["message"] for p in json_lines(run.stdout)[-1]["problems"])
    # A site that allows scripts and the tracker builds, with the HTML as written.
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'embeds = ["www.openstreetmap.org"]', 'allow_scripts = true\nembeds = ["www.openstreetmap.org", "tracker.example"]'),
        encoding="utf-8")
    ok = sk("build", "mini", "--out", "out", cwd=ws, now=NOW)
    assert ok.returncode == 0, ok.stderr
    assert "<script>alert(1)</script>" in (ws / "out/preise/index.html").read_text(encoding="utf-8")


def test_email_never_carries_script_iframe_form_or_object():
    from sitekeeper.render.htmlpolicy import for_email

    dirty = ('<p onclick="x()">Hallo <b>Welt</b> &amp; Co</p><script>alert(1)</script>'
             '<iframe src="https://www.youtube-nocookie.com/embed/1">fallback</iframe>'
             '<form action="/x"><input name="q"><button>Go</button></form><object data="a.swf"></object>'
             '<a href="javascript:evil()">link</a><a href="https://ok.example/">ok</a>')
    clean = for_email(dirty)
    for banned in ("<script", "<iframe", "<form", "<object", "<input", "<button", "onclick", "javascript:", "alert(1)"):
        assert banned not in clean.lower(), banned
    assert "<p>Hallo <b>Welt</b> &amp; Co</p>" in clean and '<a href="https://ok.example/">ok</a>' in clean


def test_a_campaign_email_drops_raw_script_from_its_body(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    promo = ws / "campaigns/mini/fruehling.md"
    promo.write_text(promo.read_text(encoding="utf-8") + '\n<form action="https://x.example/"><input name="e"></form>\n',
                     encoding="utf-8")
    run = sk("campaign", "preview", "mini/fruehling", "--no-proof", "--out", "prev", cwd=ws, now=NOW)
    assert run.returncode == 0, run.stderr
    assert "<form" not in (ws / "prev/de.html").read_text(encoding="utf-8").lower()


def test_preview_without_chromium_writes_the_email_and_skips_proofs_in_one_line(tmp_path):
    ws = copy_workspace("mini", tmp_path)
    # A PATH without chromium, as right after the README's set-up.
    run = sk("campaign", "preview", "mini/fruehling", "--out", "prev", "--json", cwd=ws, now=NOW,
             env={"PATH": "/nonexistent"})
    assert run.returncode == 0, run.stdout + run.stderr
    lines = json_lines(run.stdout)
    warnings = [w for w in lines if w.get("event") == "warning" and "PNG proofs skipped" in w["message"]]
    assert len(warnings) == 1 and "setup.sh --proofs" in warnings[0]["message"]
    result = lines[-1]
    assert result["proofs_skipped"] and all("png_600" not in f for f in result["files"].values())
    assert (ws / "prev/de.html").is_file() and (ws / "prev/de.eml").is_file()
