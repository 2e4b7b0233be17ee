"""Pure tests of the deploy planner, its order, the delete cap, headers and URL validation."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from sitekeeper.deploy.headers import cache_control, content_type, fingerprint, headers_for
from sitekeeper.state.lock import LockRecord, stale
from sitekeeper.deploy.plan import (
    CHANGED_AT_TARGET, CONTENT, HEADERS, NEW, PHASE_ASSETS, PHASE_INDEXES, PHASE_PAGES, UNKNOWN,
    LocalFile, ManifestEntry, RemoteEntry, delete_cap, manifest_from_bytes, manifest_to_bytes, plan_deploy,
)
from sitekeeper.config.deploy import validate_target
from sitekeeper.deploy.s3 import invalidation_paths
from sitekeeper.deploy.trust import pin_host_key_text


def lf(path, sha="a" * 64, size=10, headers=""):
    return LocalFile(path, sha, size, headers)


def deployed(local):
    """Manifest and listing of a target that holds exactly ``local``."""
    manifest = {p: ManifestEntry(f.sha256, f.size, f.headers, "s1") for p, f in local.items()}
    listing = {p: RemoteEntry(f.size, "s1") for p, f in local.items()}
    return manifest, listing


SITE = {p: lf(p) for p in [
    "index.html", "about/index.html", "blog/index.html", "blog/one/index.html", "blog/two/index.html",
    "style.3f2a9c1b.css", "img/logo.png", "sitemap.xml", "feed.xml", "robots.txt", "404.html",
]}


def test_first_publish_uploads_everything_as_new():
    plan = plan_deploy(SITE, None, {})
    assert {u.path for u in plan.uploads} == set(SITE)
    assert {u.reason for u in plan.uploads} == {NEW}
    assert plan.deletes == () and plan.unchanged == 0
    assert plan.bytes == 10 * len(SITE)


def test_unchanged_site_plans_nothing():
    manifest, listing = deployed(SITE)
    plan = plan_deploy(SITE, manifest, listing)
    assert plan.empty and plan.unchanged == len(SITE)


def test_same_length_edit_is_planned_as_content_differs():
    manifest, listing = deployed(SITE)
    local = dict(SITE, **{"about/index.html": lf("about/index.html", sha="b" * 64)})
    plan = plan_deploy(local, manifest, listing)
    assert [(u.path, u.reason) for u in plan.uploads] == [("about/index.html", CONTENT)]


def test_header_change_alone_is_planned_as_headers_differ():
    manifest, listing = deployed(SITE)
    local = dict(SITE, **{"img/logo.png": lf("img/logo.png", headers="other")})
    assert [(u.path, u.reason) for u in plan_deploy(local, manifest, listing).uploads] == [("img/logo.png", HEADERS)]


def test_file_edited_by_hand_at_target_is_resent():
    manifest, listing = deployed(SITE)
    listing["about/index.html"] = RemoteEntry(10, "s2")  # same size, other mtime/etag
    listing["blog/one/index.html"] = RemoteEntry(99, "s1")
    plan = plan_deploy(SITE, manifest, listing)
    assert {(u.path, u.reason) for u in plan.uploads} == {
        ("about/index.html", CHANGED_AT_TARGET), ("blog/one/index.html", CHANGED_AT_TARGET)}


def test_lost_manifest_resends_files_it_cannot_vouch_for_and_deletes_strays():
    _, listing = deployed(SITE)
    listing["old/index.html"] = RemoteEntry(5, "x")
    plan = plan_deploy(SITE, None, listing)
    assert {u.reason for u in plan.uploads} == {UNKNOWN}
    assert plan.deletes == ("old/index.html",)


def test_file_removed_by_hand_at_target_is_sent_again_as_new():
    manifest, listing = deployed(SITE)
    del listing["img/logo.png"]
    plan = plan_deploy(SITE, manifest, listing)
    assert [(u.path, u.reason) for u in plan.uploads] == [("img/logo.png", NEW)]


def test_sitekeeper_private_files_are_never_planned_or_deleted():
    manifest, listing = deployed(SITE)
    listing[".sitekeeper/manifest.json"] = RemoteEntry(1, "")
    listing[".sitekeeper-x/lock"] = RemoteEntry(1, "")
    assert plan_deploy(SITE, manifest, listing).empty


def test_upload_order_is_assets_then_leaf_pages_then_indexes_feeds_and_sitemap():
    plan = plan_deploy(SITE, None, {})
    phases = {u.path: u.phase for u in plan.uploads}
    assert phases["style.3f2a9c1b.css"] == phases["img/logo.png"] == PHASE_ASSETS
    assert phases["about/index.html"] == phases["blog/one/index.html"] == phases["404.html"] == PHASE_PAGES
    assert phases["index.html"] == phases["blog/index.html"] == PHASE_INDEXES
    assert phases["sitemap.xml"] == phases["feed.xml"] == phases["robots.txt"] == PHASE_INDEXES
    order = [u.phase for u in plan.uploads]
    assert order == sorted(order)


def test_delete_cap_is_a_quarter_of_the_site_or_256_whichever_is_smaller():
    assert delete_cap(100) == 25
    assert delete_cap(10_000) == 256
    assert delete_cap(3) == 1
    assert delete_cap(100, max_deletes=3) == 3


def test_truncated_build_is_over_the_delete_cap():
    big = {f"p{i}/index.html": lf(f"p{i}/index.html") for i in range(40)}
    manifest, listing = deployed(big)
    plan = plan_deploy({"index.html": lf("index.html")}, manifest, listing)
    assert plan.deletes_over_cap and len(plan.deletes) == 40 and plan.delete_cap == 10


def test_manifest_round_trips_and_garbage_is_damaged_not_empty():
    from sitekeeper.errors import DamagedRecord

    files = {"a.html": ManifestEntry("a" * 64, 3, "h", "123", "r1")}
    back, doc = manifest_from_bytes(manifest_to_bytes(files, "r1"))
    assert back == files and doc["release"] == "r1"
    with pytest.raises(DamagedRecord):
        manifest_from_bytes(b"{not json")
    assert manifest_from_bytes(None)[0] == {}


@given(st.dictionaries(st.sampled_from([f"f{i}.html" for i in range(8)] + ["a.css", "b/index.html"]),
                       st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=10),
       st.dictionaries(st.sampled_from([f"f{i}.html" for i in range(8)] + ["z.png"]),
                       st.integers(0, 3), max_size=10))
def test_applying_a_plan_makes_the_target_equal_the_build(local_spec, remote_spec):
    local = {p: lf(p, sha=str(h) * 64, size=s) for p, (h, s) in local_spec.items()}
    manifest = {p: ManifestEntry(str(h) * 64, 1, "", "s") for p, h in remote_spec.items()}
    listing = {p: RemoteEntry(1, "s") for p in remote_spec}
    plan = plan_deploy(local, manifest, listing, max_deletes=1000)
    after = {p: (e.sha256, e.size) for p, e in manifest.items()}
    for u in plan.uploads:
        after[u.path] = (local[u.path].sha256, local[u.path].size)
    for p in plan.deletes:
        after.pop(p)
    assert after == {p: (f.sha256, f.size) for p, f in local.items()}
    assert plan.unchanged + len(plan.uploads) == len(local)


def test_content_types_come_from_our_table_with_charset_for_text():
    assert content_type("a/index.html") == "text/html; charset=utf-8"
    assert content_type("style.css") == "text/css; charset=utf-8"
    assert content_type("x.webp") == "image/webp"
    assert content_type("feed.xml") == "application/xml; charset=utf-8"
    assert content_type("noext") == "application/octet-stream"


def test_fingerprinted_assets_are_immutable_and_html_is_short_lived_unless_configured():
    assert "immutable" in cache_control("style.3f2a9c1b.css")
    assert "immutable" not in cache_control("style.css")
    assert "max-age=300" in cache_control("about/index.html")
    assert cache_control("about/index.html", {"*.html": "no-cache"}) == "no-cache"
    assert fingerprint(headers_for("a.css")) != fingerprint(headers_for("a.css", {"*.css": "no-store"}))


def test_many_invalidations_collapse_to_wildcards():
    assert invalidation_paths(["about/index.html"]) == ["/about/", "/about/index.html"]
    many = [f"blog/p{i}/index.html" for i in range(40)] + ["index.html"]
    assert invalidation_paths(many) == ["/", "/blog/*", "/index.html"]
    assert invalidation_paths([f"d{i}/x.html" for i in range(40)]) == ["/*"]


def test_target_url_typos_are_reported_with_a_fix():
    def problems(url, **more):
        return [(k, m) for k, m, _ in validate_target("production", {"url": url, **more})]

    assert problems("sftp://deploy@host:22/var/www") == []
    assert problems("s3://bucket/prefix") == []
    assert problems("dir:public/x") == []
    assert "unknown scheme" in problems("stfp://deploy@host/var/www")[0][1]
    assert "did you mean `sftp:`" in validate_target("p", {"url": "stfp://u@h/x"})[0][2]
    assert "no host" in problems("sftp://deploy@:22/var/www")[0][1]
    assert "bad port" in problems("sftp://deploy@host:99999/var/www")[0][1]
    assert "bad port" in problems("sftp://deploy@host:ab/var/www")[0][1]
    assert "no docroot" in problems("sftp://deploy@host")[0][1]
    assert "no bucket" in problems("s3:///prefix")[0][1]
    assert "not a valid bucket" in problems("s3://B_ad/prefix")[0][1]
    assert "holds a password" in problems("sftp://u:hunter2@host/x")[0][1]
    assert "hunter2" not in str(validate_target("p", {"url": "sftp://u:hunter2@host/x"}))
    assert problems("sftp://u@h/x", host_key="md5:aa")[0][0] == "host_key"
    assert problems("s3://bucket/x", mode="atomic")[0][0] == "mode"
    assert problems("s3://bucket/x", key_file="~/.ssh/k")[0][0] == "key_file"


def test_lock_of_a_dead_process_on_this_host_is_stale_at_once_and_a_remote_one_after_the_ttl():
    rec = LockRecord("t", "here", 123, "u", 1000.0, 1000.0)
    assert stale(rec, now=1001, host="here", alive=lambda pid: False)
    assert not stale(rec, now=1001, host="here", alive=lambda pid: True)
    assert not stale(rec, now=1001, host="elsewhere", ttl=600)
    assert stale(rec, now=1000 + 601, host="elsewhere", ttl=600)


TOML = """name = "X"  # the name
base_url = "https://x.example"

[deploy.production]
url = "sftp://u@h/var/www"   # live
key_file = "~/.ssh/k"

[deploy.preview]
url = "s3://bucket/p"
"""


def test_trust_inserts_host_key_after_url_and_touches_nothing_else():
    fp = "SHA256:" + "A" * 43
    out = pin_host_key_text(TOML, "production", fp)
    assert out == TOML.replace('# live\n', f'# live\nhost_key = "{fp}"\n')


def test_trust_replaces_an_existing_host_key_line_only():
    fp = "SHA256:" + "B" * 43
    text = TOML.replace('key_file', 'host_key = "SHA256:old"\nkey_file')
    out = pin_host_key_text(text, "production", fp)
    assert out == text.replace('host_key = "SHA256:old"', f'host_key = "{fp}"')
