"""`sitekeeper preview`: the site as it would be published, at a private address on the client's
own target, never over the live site. The real command on the demo workspace, to the embedded
dir: default, a real sshd over SFTP and moto_server over S3 (all on 127.0.0.1)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fixtures_ftp import PASSWORD_ENV
from helpers import json_lines, result, sk

CLIENT = "baeckerei-sonnenkorn"
LIVE = "https://baeckerei-sonnenkorn.example"
NOW = "2026-10-01T10:00:00+02:00"      # before the Advent promotion
ADVENT = "2026-12-01T10:00:00+01:00"   # inside its window
ROBOTS_META = '<meta name="robots" content="noindex, nofollow">'
FOLDER = re.compile(r"^preview-[A-Za-z0-9_-]{22,}$")


@pytest.fixture
def ws(demo_workspace):
    if not (demo_workspace / "sites" / CLIENT).is_dir():
        pytest.skip(f"demo client {CLIENT} not shipped")
    return demo_workspace


def run(ws: Path, *args, now: str = NOW, env=None):
    return sk(*args, cwd=ws, now=now, env=env)


def files_under(root: Path, skip: str = "") -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), without the folder ``skip``."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not (skip and p.relative_to(root).parts[0] == skip)}


def assert_is_a_preview(files: dict[str, bytes], folder: str, url: str) -> None:
    """noindex on every page, robots disallow, no sitemap, every link inside the preview."""
    pages = {p: b.decode() for p, b in files.items() if p.endswith(".html")}
    assert "index.html" in pages and "kontakt/index.html" in pages and "en/index.html" in pages
    for path, text in pages.items():
        assert text.count(ROBOTS_META) == 1, path
        assert len(re.findall(r'<meta name="robots"', text)) == 1, path  # the 404's own noindex replaced
        assert text.count('<meta name="referrer" content="same-origin">') == 1, path
        head = text.split("</head>")[0]
        assert head.index(ROBOTS_META) < head.index("<title>"), path
        for _attr, link in re.findall(r'\s(href|src)="([^"]*)"', text):
            if link.startswith("/"):
                assert link.startswith(f"/{folder}/"), (path, link)
            assert not (link.startswith(LIVE) and not link.startswith(url)), (path, link)
        canonical = re.search(r'<link rel="canonical" href="([^"]*)"', text)
        if canonical:
            assert canonical.group(1).startswith(url), path
    robots = files["robots.txt"].decode()
    assert re.search(r"(?m)^User-agent: \*$", robots) and re.search(r"(?m)^Disallow: /$", robots)
    assert "Allow" not in robots.replace("Disallow", "") and "Sitemap" not in robots
    assert not any(p.startswith("sitemap") for p in files)
    manifest = json.loads(files["site.webmanifest"])
    assert manifest["start_url"] == f"/{folder}/" and all(i["src"].startswith(f"/{folder}/") for i in manifest["icons"])


def make_preview(ws: Path, *args, now: str = NOW, env=None) -> dict:
    proc = run(ws, "preview", CLIENT, "--json", *args, now=now, env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return result(proc)


# ---------------------------------------------------------------- dir: the embedded default target


def test_a_preview_on_the_dir_target_is_private_noindex_and_never_touches_the_live_site(ws):
    live = ws / "public" / CLIENT
    state = ws / "public" / f".sitekeeper-{CLIENT}"
    assert run(ws, "publish", CLIENT).returncode == 0
    live_before, state_before = files_under(live), files_under(state)

    res = make_preview(ws, "--at", ADVENT)
    folder, url = res["folder"], res["url"]
    assert FOLDER.match(folder) and len(folder) - len("preview-") >= 22  # >= 128 bits of token_urlsafe
    assert url == f"{LIVE}/{folder}/" and res["target"] == "default" and re.match(r"^[0-9a-f]{8}$", res["id"])
    assert datetime.fromisoformat(res["expires"]) - datetime.fromisoformat(res["created"]) == timedelta(days=7)
    assert datetime.fromisoformat(res["created"]) == datetime.fromisoformat(NOW)  # the clock, not --at
    assert res["at"] == "2026-12-01T10:00:00+01:00"

    preview = files_under(live / folder)
    assert sorted(res["uploaded"]) == sorted(preview)
    assert_is_a_preview(preview, folder, url)
    # --at: the preview shows the promotion that is not live yet; the live site does not
    assert "promotions/adventsaktion/index.html" in preview
    assert "promotions/adventsaktion/index.html" not in live_before
    # the live site and its state: byte for byte as they were; no state in the preview's folder
    assert files_under(live, skip=folder) == live_before
    assert files_under(state) == state_before
    assert not any(p.startswith(".sitekeeper") for p in preview)
    assert not list((ws / "sites").rglob("preview-*"))

    # a live publish afterwards (one page changed) leaves the preview alone
    page = ws / "sites" / CLIENT / "content" / "impressum.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nGeändert.\n", encoding="utf-8")
    again = run(ws, "publish", CLIENT, "--json", "--yes")
    assert again.returncode == 0, again.stderr
    published = result(again)
    assert published["deleted"] == [] and published["uploaded"] == ["impressum/index.html"]
    assert files_under(live / folder) == preview

    listed = result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"]
    assert [(p["id"], p["url"], p["expired"], p["complete"]) for p in listed] == [(res["id"], url, False, True)]
    assert listed[0]["expires"] == res["expires"] and listed[0]["created"] == res["created"]

    live_now = files_under(live, skip=folder)
    removed = run(ws, "preview", CLIENT, "--remove", res["id"], "--json")
    assert removed.returncode == 0, removed.stderr
    assert sorted(result(removed)["deleted"]) == sorted(f"{folder}/{p}" for p in preview)
    assert not (live / folder).exists()
    assert files_under(live) == live_now
    assert result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"] == []
    assert not list((ws / ".sitekeeper" / "state" / "previews").rglob("*.json"))
    # the next live publish has nothing to do: the preview never entered its manifest
    assert result(run(ws, "publish", CLIENT, "--json"))["uploaded"] == []


def test_two_previews_get_two_folders_and_removing_one_leaves_the_other(ws):
    first, second = make_preview(ws), make_preview(ws, "--expires", "36h")
    assert first["folder"] != second["folder"] and first["id"] != second["id"]
    assert datetime.fromisoformat(second["expires"]) - datetime.fromisoformat(second["created"]) == timedelta(hours=36)
    live = ws / "public" / CLIENT
    kept = files_under(live / second["folder"])
    assert run(ws, "preview", CLIENT, "--remove", first["id"]).returncode == 0
    assert not (live / first["folder"]).exists() and files_under(live / second["folder"]) == kept
    listed = result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"]
    assert [p["id"] for p in listed] == [second["id"]]


@pytest.mark.parametrize("bad", ["../x", "../../etc/passwd", "0123ABCD", "*", "", "preview-x", "0123abc"])
def test_a_hostile_or_malformed_remove_id_is_a_usage_error_and_removes_nothing(ws, bad):
    res = make_preview(ws)
    live = ws / "public" / CLIENT
    before = files_under(live)
    proc = run(ws, "preview", CLIENT, "--remove", bad, "--json")
    assert proc.returncode == 2, proc.stderr
    assert result(proc)["ok"] is False and "not a preview id" in result(proc)["problems"][0]["message"]
    assert files_under(live) == before
    assert [p["id"] for p in result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"]] == [res["id"]]


def test_an_unknown_id_is_refused_and_a_tampered_record_deletes_nothing(ws):
    from sitekeeper.state.record import seal

    res = make_preview(ws)
    live = ws / "public" / CLIENT
    before = files_under(live)
    unknown = run(ws, "preview", CLIENT, "--remove", "0123abcd")
    assert unknown.returncode == 1 and "no preview 0123abcd" in unknown.stderr and "--list" in unknown.stderr

    # a record whose folder was changed to point at the live site itself (re-sealed, so only
    # the folder's shape can tell): refused, nothing deleted
    key = ws / ".sitekeeper" / "state" / "previews" / CLIENT / f"{res['id']}.json"
    data = json.loads(key.read_bytes().decode().split("\n#sitekeeper-record")[0])
    for folder in ("..", "", "kontakt", "preview-../../x"):
        key.write_bytes(seal(json.dumps({**data, "folder": folder}).encode()))
        proc = run(ws, "preview", CLIENT, "--remove", res["id"])
        assert proc.returncode == 1, (folder, proc.stderr)
        assert "damaged" in proc.stderr and "not a preview's folder" in proc.stderr
        assert files_under(live) == before
    # a record cut short: damaged, never read as "no preview"
    key.write_bytes(key.read_bytes()[:40])
    proc = run(ws, "preview", CLIENT, "--list")
    assert proc.returncode == 1 and "damaged" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("bad", ["7", "0d", "-1d", "7x", "1.5d", "400d", "d"])
def test_a_bad_expiry_is_a_usage_error_and_nothing_is_built(ws, bad):
    proc = run(ws, "preview", CLIENT, f"--expires={bad}")
    assert proc.returncode == 2 and "--expires" in proc.stderr
    assert not (ws / "public").exists()


def test_list_and_remove_take_no_build_options(ws):
    for args in (["--list", "--target", "x"], ["--remove", "0123abcd", "--expires", "2d"], ["--list", "--remove", "0123abcd"]):
        proc = run(ws, "preview", CLIENT, *args)
        assert proc.returncode == 2, args
    assert run(ws, "preview", "no-such-client", "--list").returncode == 2


def test_a_site_that_fails_check_gets_no_preview(ws):
    page = ws / "sites" / CLIENT / "content" / "kaputt.md"
    page.write_text("---\ndraft: false\n---\nNo title here, and [a link](nowhere.md).\n", encoding="utf-8")
    proc = run(ws, "preview", CLIENT)
    assert proc.returncode == 1
    assert "kaputt.md" in proc.stderr and "Traceback" not in proc.stderr
    assert not (ws / "public").exists()
    assert result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"] == []


def test_a_preview_target_with_its_own_address_is_used_and_one_without_is_refused(ws, tmp_path):
    toml = ws / "sites" / CLIENT / "site.toml"
    base = toml.read_text(encoding="utf-8")
    elsewhere = tmp_path / "previews-docroot"
    toml.write_text(base + f'\n[deploy.production]\nurl = "dir:{ws / "public" / CLIENT}"\n'
                    f'[deploy.preview]\nurl = "dir:{elsewhere}"\n', encoding="utf-8")
    refused = run(ws, "preview", CLIENT)
    assert refused.returncode == 1 and "public_url" in refused.stderr and "[deploy.preview]" in refused.stderr
    assert not elsewhere.exists()

    toml.write_text(base + f'\n[deploy.production]\nurl = "dir:{ws / "public" / CLIENT}"\n'
                    f'[deploy.preview]\nurl = "dir:{elsewhere}"\npublic_url = "https://vorschau.example/bakery/"\n',
                    encoding="utf-8")
    res = make_preview(ws)
    assert res["target"] == "preview" and res["url"] == f"https://vorschau.example/bakery/{res['folder']}/"
    files = files_under(elsewhere / res["folder"])
    assert '<link rel="canonical" href="https://vorschau.example/bakery/' in files["index.html"].decode()
    assert f'href="/bakery/{res["folder"]}/kontakt/"' in files["index.html"].decode()
    assert not (ws / "public").exists()  # nothing went to the live target
    # --target picks the live target instead: the site's base_url is its address
    res2 = make_preview(ws, "--target", "production")
    assert res2["url"].startswith(LIVE + "/preview-") and (ws / "public" / CLIENT / res2["folder"] / "index.html").is_file()


def test_a_bad_public_url_is_reported_at_its_line(ws):
    toml = ws / "sites" / CLIENT / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[deploy.preview]\nurl = "dir:x"\npublic_url = "vorschau.example"\n',
                    encoding="utf-8")
    proc = run(ws, "check", CLIENT)
    assert proc.returncode == 1 and "public_url" in proc.stderr and "site.toml:" in proc.stderr


# ---------------------------------------------------------------- the rewrite, pure


def test_the_rewrite_keeps_every_kind_of_link_inside_the_preview():
    from sitekeeper.previews.rewrite import Moves, preview_file

    moves = Moves("/preview-" + "a" * 24, LIVE, f"{LIVE}/preview-{'a' * 24}/")
    p = "/preview-" + "a" * 24
    page = ("<!doctype html><html><head><title>t</title></head><body>"
            "<a href='/kontakt/'>k</a> <img srcset=\"/a.webp 1x, /b.webp 2x\" src=\"/a.png\">"
            f'<a href="{LIVE}/ueber-uns/#team">u</a> <a href="{LIVE}">h</a> <a href="//cdn.example/x.js">c</a>'
            '<a href="https://other.example/">o</a> <a href="#top">t</a> <a href="mailto:a@b.example">m</a>'
            f'<a href="{p}/already/">a</a> <div style="background:url(/img/bg.jpg)"></div>'
            '<meta http-equiv="refresh" content="0; url=/neu/">'
            '<p>text that says href="/not-a-tag/" stays</p></body></html>')
    out = preview_file("x/index.html", page.encode(), moves).decode()
    assert f"href='{p}/kontakt/'" in out
    assert f'srcset="{p}/a.webp 1x, {p}/b.webp 2x" src="{p}/a.png"' in out
    assert f'href="{LIVE}{p}/ueber-uns/#team"' in out and f'href="{LIVE}{p}"' in out
    assert 'href="//cdn.example/x.js"' in out and 'href="https://other.example/"' in out
    assert 'href="#top"' in out and 'href="mailto:a@b.example"' in out
    assert f'href="{p}/already/"' in out and f"url({p}/img/bg.jpg)" in out and f"url={p}/neu/" in out
    assert 'says href="/not-a-tag/" stays' in out
    assert out.index(ROBOTS_META) < out.index("<title>")
    css = preview_file("assets/s.css", b"a{background:url('/img/x.png')} b{background:url(data:image/png;base64,xx)}", moves)
    assert css == f"a{{background:url('{p}/img/x.png')}} b{{background:url(data:image/png;base64,xx)}}".encode()
    assert preview_file("sitemap.xml", b"<urlset/>", moves) is None
    assert preview_file("docs/sitemap.xml", b"<x/>", moves) == b"<x/>"  # a page's own file, not the site's sitemap
    assert b"Disallow: /" in preview_file("robots.txt", b"User-agent: *\nAllow: /\nSitemap: x\n", moves)
    png = bytes(range(256))
    assert preview_file("img/a.png", png, moves) == png


def test_a_live_publish_plan_never_deletes_nor_claims_a_preview_folder():
    from sitekeeper.deploy.plan import LocalFile, RemoteEntry, is_preview, plan_deploy

    token = "preview-" + "Ab_-" * 6
    local = {"index.html": LocalFile("index.html", "h", 3)}
    listing = {"index.html": RemoteEntry(3, "1"), f"{token}/index.html": RemoteEntry(9, "2"),
               f"{token}/.sitekeeper-tmp/x.part": RemoteEntry(1, "3"), "preview-short/old.html": RemoteEntry(1, "4"),
               "about/preview-" + "a" * 24 + "/x.html": RemoteEntry(1, "5")}
    plan = plan_deploy(local, {}, listing)
    assert sorted(plan.deletes) == ["about/preview-" + "a" * 24 + "/x.html", "preview-short/old.html"]
    assert plan.site_files == 3
    assert is_preview(f"{token}/a/b.html") and not is_preview(token) and not is_preview("preview-short/x")


# ---------------------------------------------------------------- SFTP (OpenSSH sshd) and S3 (moto_server)


class Remote:
    """One live target in site.toml and a way to read back what it holds."""

    def __init__(self, kind: str, ws: Path, request):
        import uuid

        self.kind, name = kind, uuid.uuid4().hex[:10]
        self.env: dict = {}
        if kind == "ftps":
            ftpd = request.getfixturevalue("proftpd_server")
            self.env = dict(ftpd.env)
            self.root = ftpd.home / name / "site"
            table = (f'url = "{ftpd.url(f"/{name}/site", "ftps")}"\npassword_env = "{PASSWORD_ENV}"\n'
                     f'cert_fingerprint = "{ftpd.cert_fingerprint}"\n')
        elif kind == "sftp":
            sshd = request.getfixturevalue("sshd_server")
            self.root = sshd.home / name / "site"
            table = (f'url = "{sshd.url(str(self.root))}"\nhost_key = "{sshd.fingerprint}"\n'
                     f'key_file = "{sshd.key_file}"\n')
        else:
            import boto3

            server = request.getfixturevalue("s3_server")
            self.env = request.getfixturevalue("aws_env")
            self.s3 = boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1")
            self.bucket = f"bakery-{name}"
            self.s3.create_bucket(Bucket=self.bucket)
            table = f'url = "s3://{self.bucket}/www"\nendpoint_url = "{server.endpoint}"\n'
        toml = ws / "sites" / CLIENT / "site.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + "\n[deploy.production]\n" + table, encoding="utf-8")

    def files(self, under: str = "") -> dict[str, bytes]:
        """What the target holds under its docroot (or the folder ``under`` in it), state included."""
        if self.kind != "s3":
            base = self.root / under if under else self.root
            return files_under(base) if base.exists() else {}
        prefix = "www/" + (under + "/" if under else "")
        out = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                out[obj["Key"][len(prefix):]] = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
        return out

    def everything(self) -> dict[str, bytes]:
        """Every file beside and in the docroot (the state folder next to it too)."""
        if self.kind != "s3":
            return files_under(self.root.parent)
        out = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for obj in page.get("Contents", []):
                out[obj["Key"]] = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
        return out


@pytest.fixture(params=["sftp", "s3", "ftps"])
def remote(request, ws):
    return Remote(request.param, ws, request)


def test_a_preview_over_sftp_s3_and_ftps_lands_in_its_folder_only_and_survives_live_publishes(ws, remote):
    env = remote.env
    assert run(ws, "publish", CLIENT, env=env).returncode == 0
    before = remote.everything()
    live_before = remote.files()
    assert "index.html" in live_before

    res = make_preview(ws, "--at", ADVENT, env=env)
    folder, url = res["folder"], res["url"]
    assert url == f"{LIVE}/{folder}/" and res["target"] == "production"
    preview = remote.files(folder)
    assert sorted(preview) == sorted(res["uploaded"]) and "promotions/adventsaktion/index.html" in preview
    assert_is_a_preview(preview, folder, url)
    # nothing else changed at the target: not a live file, not the live state beside the docroot
    after = remote.everything()
    prefix = (f"www/{folder}/" if remote.kind == "s3" else f"site/{folder}/")
    assert {k: v for k, v in after.items() if not k.startswith(prefix)} == before
    assert not any(".sitekeeper" in p for p in preview)

    # the live site changes and is published (with --yes: deletes allowed): the preview stays whole
    page = ws / "sites" / CLIENT / "content" / "impressum.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nGeändert.\n", encoding="utf-8")
    again = run(ws, "publish", CLIENT, "--json", "--yes", env=env)
    assert again.returncode == 0, again.stderr
    assert result(again)["deleted"] == [] and result(again)["uploaded"] == ["impressum/index.html"]
    assert remote.files(folder) == preview

    removed = run(ws, "preview", CLIENT, "--remove", res["id"], "--json", env=env)
    assert removed.returncode == 0, removed.stderr
    assert remote.files(folder) == {}
    if remote.kind != "s3":
        assert not (remote.root / folder).exists()
    live_after = remote.files()
    assert live_after["impressum/index.html"] != live_before["impressum/index.html"]
    assert {k: v for k, v in live_after.items() if k != "impressum/index.html"} == \
        {k: v for k, v in live_before.items() if k != "impressum/index.html"}
    assert result(run(ws, "preview", CLIENT, "--list", "--json", env=env))["previews"] == []


def test_an_atomic_sftp_target_is_refused_before_anything_is_built(ws, sshd_server):
    root = sshd_server.home / "atomic-preview" / "site"
    toml = ws / "sites" / CLIENT / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[deploy.production]\nurl = "{sshd_server.url(str(root))}"\n'
                    f'host_key = "{sshd_server.fingerprint}"\nkey_file = "{sshd_server.key_file}"\nmode = "atomic"\n',
                    encoding="utf-8")
    proc = run(ws, "preview", CLIENT)
    assert proc.returncode == 1 and "atomic" in proc.stderr and "[deploy.preview]" in proc.stderr
    assert not root.parent.exists()


# ---------------------------------------------------------------- expiry: tick


def test_tick_removes_a_preview_once_it_expired_and_not_before(ws):
    assert run(ws, "publish", CLIENT).returncode == 0
    short = make_preview(ws, "--expires", "2h")
    kept = make_preview(ws)  # 7 days
    live = ws / "public" / CLIENT
    previews_before = files_under(live / short["folder"])
    # a tick that republishes the live site (with deletes allowed, as tick does) leaves both alone
    page = ws / "sites" / CLIENT / "content" / "impressum.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nGeändert.\n", encoding="utf-8")
    early = run(ws, "tick", "--json", now="2026-10-01T11:59:00+02:00")
    assert early.returncode == 0, early.stderr
    mine = next(c for c in result(early)["clients"] if c["client"] == CLIENT)
    assert mine["published"] and mine["previews_removed"] == []
    assert files_under(live / short["folder"]) == previews_before and (live / kept["folder"] / "index.html").is_file()
    live_files = files_under(live, skip=short["folder"])

    dry = run(ws, "tick", "--dry-run", "--json", now="2026-10-01T12:00:00+02:00")
    assert next(c for c in result(dry)["clients"] if c["client"] == CLIENT)["previews_removed"] == [short["id"]]
    assert (live / short["folder"] / "index.html").is_file()

    due = run(ws, "tick", "--json", now="2026-10-01T12:00:00+02:00")
    assert due.returncode == 0, due.stderr
    mine = next(c for c in result(due)["clients"] if c["client"] == CLIENT)
    assert mine["previews_removed"] == [short["id"]]
    assert not (live / short["folder"]).exists()
    assert files_under(live, skip=short["folder"]) == live_files  # the other preview and the live site as they were
    listed = result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"]
    assert [p["id"] for p in listed] == [kept["id"]]
    text = run(ws, "tick", now="2026-10-09T12:00:00+02:00")
    assert text.returncode == 0 and f"removed expired previews {kept['id']}" in text.stdout
    assert not (live / kept["folder"]).exists()
    assert result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"] == []


def test_taking_over_a_live_site_over_its_target_leaves_a_preview_folder_out(tmp_path):
    import shutil

    from helpers import DATA

    ws = tmp_path / "ws"
    (ws / "sites").mkdir(parents=True)
    live = ws / "live"
    shutil.copytree(DATA / "import" / "html", live)
    folder = "preview-" + "Zq9_" * 6
    (live / folder / "geheim").mkdir(parents=True)
    (live / folder / "index.html").write_text("<html><head><title>Vorschau</title></head><body>x</body></html>")
    (live / folder / "geheim" / "index.html").write_text("<html><head><title>Geheim</title></head><body>y</body></html>")
    before = files_under(live)
    assert sk("new", "client", "weber", "--yes", "--languages", "de", cwd=ws, now=NOW).returncode == 0
    toml = ws / "sites/weber/site.toml"
    toml.write_text(toml.read_text() + f'\n[deploy.production]\nurl = "dir:{live}"\n', encoding="utf-8")
    (ws / "sites/weber/content/index.md").unlink()
    proc = sk("import", "--from", "html", "--target", "production", "--client", "weber", "--json", cwd=ws, now=NOW)
    assert proc.returncode == 0, proc.stderr
    assert result(proc)["pages"] == 5
    imported = [p.as_posix() for p in (ws / "sites" / "weber").rglob("*")]
    assert not any("preview-" in p or "geheim" in p.lower() for p in imported)
    assert files_under(live) == before


def test_a_preview_killed_halfway_is_listed_as_unfinished_and_removed_whole(ws):
    live = ws / "public" / CLIENT
    assert run(ws, "publish", CLIENT).returncode == 0
    live_before = files_under(live)
    killed = run(ws, "preview", CLIENT, env={"SITEKEEPER_DEPLOY_FAULT": "upload-done=6"})
    assert killed.returncode != 0
    listed = result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"]
    assert len(listed) == 1 and listed[0]["complete"] is False
    folder = listed[0]["folder"]
    assert 1 <= len(files_under(live / folder)) < 30  # cut short
    assert files_under(live, skip=folder) == live_before
    text = run(ws, "preview", CLIENT, "--list")
    assert "upload not finished" in text.stdout
    removed = run(ws, "preview", CLIENT, "--remove", listed[0]["id"], "--json")
    assert removed.returncode == 0, removed.stderr
    assert not (live / folder).exists() and files_under(live) == live_before
    assert not (ws / ".sitekeeper" / "previews" / CLIENT / listed[0]["id"]).exists()


def test_a_local_store_lists_by_prefix_the_same_keys_walking_only_the_folder_it_names(tmp_path):
    from sitekeeper.state.store import LocalStore

    store = LocalStore(tmp_path / "state")
    keys = ["previews/a/1.json", "previews/a/2.json", "previews/ab/3.json", "previewsx/4.json",
            "activity/a/2026-11/e.json", "journal-1.json", "published/a/default.json"]
    for k in keys:
        store.write(k, b"{}")
    assert store.list("previews/") == ["previews/a/1.json", "previews/a/2.json", "previews/ab/3.json"]
    assert store.list("previews/a") == ["previews/a/1.json", "previews/a/2.json", "previews/ab/3.json"]
    assert store.list("previews/a/") == ["previews/a/1.json", "previews/a/2.json"]
    assert store.list("previews") == ["previews/a/1.json", "previews/a/2.json", "previews/ab/3.json", "previewsx/4.json"]
    assert store.list("journal-") == ["journal-1.json"] and store.list("nothing/here/") == []
    assert store.list() == sorted(keys)


def test_remove_refuses_when_the_previews_target_is_gone_or_moved_and_deletes_nothing(ws, tmp_path):
    res = make_preview(ws)
    live = ws / "public" / CLIENT
    kept = files_under(live)
    toml = ws / "sites" / CLIENT / "site.toml"
    base = toml.read_text(encoding="utf-8")
    # the embedded default replaced by a named target: the preview's target is gone
    toml.write_text(base + f'\n[deploy.production]\nurl = "dir:{live}"\n', encoding="utf-8")
    gone = run(ws, "preview", CLIENT, "--remove", res["id"])
    assert gone.returncode == 1 and "no longer has" in gone.stderr and res["folder"] in gone.stderr
    assert files_under(live) == kept
    # a target of the same name that now points elsewhere: refused, nothing deleted there or here
    other = tmp_path / "elsewhere"
    (other / res["folder"]).mkdir(parents=True)
    (other / res["folder"] / "keep.html").write_text("not ours")
    toml.write_text(base + f'\n[deploy.default]\nurl = "dir:{other}"\n', encoding="utf-8")
    moved = run(ws, "preview", CLIENT, "--remove", res["id"])
    assert moved.returncode == 1 and "url is now" in moved.stderr
    assert files_under(live) == kept and (other / res["folder"] / "keep.html").is_file()
    assert [p["id"] for p in result(run(ws, "preview", CLIENT, "--list", "--json"))["previews"]] == [res["id"]]


def test_check_warns_about_a_page_named_like_a_preview_folder(ws):
    slug = "preview-" + "abcdefghijklmnopqrstuvwx"
    page = ws / "sites" / CLIENT / "content" / f"{slug}.md"
    page.write_text("---\ntitle: Odd name\n---\nHallo.\n", encoding="utf-8")
    proc = run(ws, "check", CLIENT, "--json")
    assert proc.returncode == 0, proc.stderr
    lines = [l for l in json_lines(proc.stdout) if l.get("event") == "problem" and slug in l.get("message", "")]
    assert len(lines) == 1 and lines[0]["severity"] == "warning" and lines[0]["path"].endswith(f"{slug}.md")
    strict = run(ws, "check", CLIENT, "--strict")
    assert strict.returncode == 1 and slug in strict.stderr
