"""FTPS and FTP targets and the hosting they come with, against real ProFTPD servers on
127.0.0.1 (tests/fixtures_ftp.py): certificates verified or pinned, the wrong protocol on a
port named in one line, plain FTP refused unless to loopback or opted in, state kept out of
a docroot the account cannot write beside, and a full quota reported as such and recovered
from. The deploy behaviour common to every target (republish, edits, deletes, kill -9,
locks) runs over FTPS in test_deploy_targets.py."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from sitekeeper.deploy.apply import publish_folder
from sitekeeper.config.deploy import parse_target, validate_target
from sitekeeper.errors import DeployError
from sitekeeper.report import RecordingReporter
from sitekeeper.state.store import LocalStore

from fixtures_deploy import stop
from helpers import result, sk
from fixtures_ftp import PASSWORD_ENV
from test_deploy_cli import CLIENT, add_target
from test_deploy_targets import make_site, write_tree


def target(url: str, tmp_path: Path, **more):
    return parse_target("production", {"url": url, "password_env": PASSWORD_ENV, **more}, tmp_path)


def public_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_self_signed_certificate_is_refused_until_pinned_and_a_wrong_pin_stops_the_deploy(
        proftpd_server, ftp_env, tmp_path):
    ftp_env(proftpd_server)
    build = tmp_path / "build"
    make_site(build, pages=2)
    name = uuid.uuid4().hex[:8]
    url = proftpd_server.url(f"/{name}/site")
    with pytest.raises(DeployError, match="certificate cannot be verified") as refused:
        publish_folder(build, target(url, tmp_path), "bakery", RecordingReporter())
    assert "sitekeeper trust bakery --target production" in refused.value.fix
    wrong = "SHA256:" + ":".join(["AB"] * 32)
    with pytest.raises(DeployError, match="does not match the pinned cert_fingerprint"):
        publish_folder(build, target(url, tmp_path, cert_fingerprint=wrong), "bakery", RecordingReporter())
    assert not (proftpd_server.home / name / "site").exists() or public_files(proftpd_server.home / name / "site") == {}
    ok = publish_folder(build, target(url, tmp_path, cert_fingerprint=proftpd_server.cert_fingerprint), "bakery",
                        RecordingReporter())
    assert len(ok.uploaded) == len(public_files(proftpd_server.home / name / "site"))


def test_ftps_url_on_an_ssh_port_and_sftp_url_on_an_ftp_port_name_the_protocol_spoken(
        proftpd_server, sshd_server, ftp_env, tmp_path):
    ftp_env(proftpd_server)
    build = tmp_path / "build"
    make_site(build, pages=1)
    with pytest.raises(DeployError) as exc:
        publish_folder(build, target(f"ftps://u@127.0.0.1:{sshd_server.port}/site", tmp_path), "bakery",
                       RecordingReporter())
    assert "answers like an SSH server, not FTP" in str(exc.value) and "sftp://" in exc.value.fix
    assert "Traceback" not in str(exc.value)
    with pytest.raises(DeployError, match="answers like an FTP server, not SSH"):
        publish_folder(build, target(f"sftp://u@127.0.0.1:{proftpd_server.port}/site", tmp_path), "bakery",
                       RecordingReporter())


def test_plain_ftp_is_refused_off_loopback_unless_opted_in():
    refused = validate_target("shared", {"url": "ftp://user@ftp.host.example/public_html",
                                         "password_env": "X"})
    assert refused and "travel in clear" in refused[0][1] and "allow_plain_ftp = true" in refused[0][2]
    assert validate_target("shared", {"url": "ftp://user@ftp.host.example/public_html", "password_env": "X",
                                      "allow_plain_ftp": True}) == []
    assert validate_target("local", {"url": "ftp://user@127.0.0.1:2121/www", "password_env": "X"}) == []
    hint = validate_target("x", {"url": "ftpes://user@h/www"})[0][2]
    assert "ftps:" in hint


def test_plain_ftp_to_loopback_publishes_and_republishes_nothing(proftpd_plain, ftp_env, tmp_path):
    ftp_env(proftpd_plain)
    build = tmp_path / "build"
    files = make_site(build, pages=3)
    name = uuid.uuid4().hex[:8]
    t = target(proftpd_plain.url(f"/{name}/www", "ftp"), tmp_path)
    first = publish_folder(build, t, "bakery", RecordingReporter())
    assert sorted(first.uploaded) == sorted(files)
    assert public_files(proftpd_plain.home / name / "www") == files
    assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == []


@pytest.mark.parametrize("scheme", ["ftps", "sftp"])
def test_state_never_lands_in_the_docroot_when_the_account_cannot_write_beside_it(
        proftpd_www_only, ftp_env, tmp_path, scheme):
    ftp_env(proftpd_www_only)
    server = proftpd_www_only
    docroot = server.home / "www"  # its parent, the account's top folder, is read-only
    for p in docroot.iterdir():
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    build = tmp_path / "build"
    files = make_site(build, pages=4)
    pin = {"cert_fingerprint": server.cert_fingerprint} if scheme == "ftps" else {"host_key": server.host_key_fingerprint}
    store = LocalStore(tmp_path / "ws-state")
    t = target(server.url("/www", scheme), tmp_path, **pin)
    rep = RecordingReporter()
    first = publish_folder(build, t, "bakery", rep, workspace_store=lambda: store)
    assert sorted(first.uploaded) == sorted(files)
    assert public_files(docroot) == files  # nothing of sitekeeper's in the docroot: no manifest, lock or .part
    warned = [m for k, m in rep.lines if k == "warn" and "workspace state store" in m]
    assert len(warned) == 1 and "state = \"store\"" in warned[0]
    assert store.read("targets/bakery/production/manifest.json") is not None or \
        store.list("targets/bakery/production/journal-")
    # said once: the next publish knows where its state is
    rep2 = RecordingReporter()
    (build / "about/index.html").write_bytes(b"<h1>About v2</h1>")
    again = publish_folder(build, t, "bakery", rep2, workspace_store=lambda: store)
    assert again.uploaded == ["about/index.html"]
    assert not [m for k, m in rep2.lines if k == "warn"]
    assert public_files(docroot)["about/index.html"] == b"<h1>About v2</h1>"
    assert not any(p.startswith(".sitekeeper") for p in public_files(docroot))


def test_atomic_mode_on_an_account_that_cannot_write_beside_the_docroot_says_what_to_do(
        proftpd_www_only, ftp_env, tmp_path):
    ftp_env(proftpd_www_only)
    build = tmp_path / "build"
    make_site(build, pages=1)
    t = target(proftpd_www_only.url("/www", "sftp"), tmp_path, mode="atomic",
               host_key=proftpd_www_only.host_key_fingerprint)
    with pytest.raises(DeployError, match="chrooted account") as exc:
        publish_folder(build, t, "bakery", RecordingReporter(), workspace_store=lambda: LocalStore(tmp_path / "s"))
    assert 'mode = "in-place"' in exc.value.fix


def test_explicit_state_store_keeps_nothing_beside_the_docroot(proftpd_server, ftp_env, tmp_path):
    ftp_env(proftpd_server)
    build = tmp_path / "build"
    files = make_site(build, pages=2)
    name = uuid.uuid4().hex[:8]
    store = LocalStore(tmp_path / "ws-state")
    t = target(proftpd_server.url(f"/{name}/site"), tmp_path, cert_fingerprint=proftpd_server.cert_fingerprint,
               state="store")
    rep = RecordingReporter()
    publish_folder(build, t, "bakery", rep, workspace_store=lambda: store)
    assert sorted(os.listdir(proftpd_server.home / name)) == ["site"]
    assert public_files(proftpd_server.home / name / "site") == files
    assert not [m for k, m in rep.lines if k == "warn"]  # chosen, so not announced
    assert publish_folder(build, t, "bakery", RecordingReporter(), workspace_store=lambda: store).uploaded == []


def test_full_quota_is_named_and_deletes_first_lets_the_publish_finish(proftpd_quota, ftp_env, tmp_path):
    ftp_env(proftpd_quota)
    build = tmp_path / "build"
    files = make_site(build, pages=2)
    big = os.urandom(2 << 20)
    write_tree(build, {"video/old.mp4": big})
    t = target(proftpd_quota.url("/site"), tmp_path, cert_fingerprint=proftpd_quota.cert_fingerprint)
    publish_folder(build, t, "bakery", RecordingReporter())
    # the client swaps the big file for another: both at once do not fit in 3 MB
    (build / "video/old.mp4").unlink()
    new = os.urandom(2 << 20)
    write_tree(build, {"video/new.mp4": new})
    (build / "about/index.html").write_bytes(b"<h1>About v2</h1>")
    with pytest.raises(DeployError) as exc:
        publish_folder(build, t, "bakery", RecordingReporter())
    assert "disk or quota on the server is full" in str(exc.value)
    assert "--deletes-first" in exc.value.fix
    root = proftpd_quota.home / "site"
    assert not [p for p in public_files(root) if p.endswith(".part")]
    done = publish_folder(build, t, "bakery", RecordingReporter(), deletes_first=True)
    assert done.deleted == ["video/old.mp4"]
    assert sorted(done.uploaded) == ["about/index.html", "video/new.mp4"]
    seen = {p: d for p, d in public_files(root).items() if not p.startswith(".sitekeeper")}
    assert seen == {**files, "about/index.html": b"<h1>About v2</h1>", "video/new.mp4": new}
    assert publish_folder(build, t, "bakery", RecordingReporter()).uploaded == []


@pytest.fixture
def ws(demo_workspace):
    if not (demo_workspace / "sites" / CLIENT).is_dir():
        pytest.skip(f"demo client {CLIENT} not shipped")
    return demo_workspace


def test_trust_shows_the_certificate_fingerprint_pins_it_and_publish_then_succeeds(ws, proftpd_server):
    name = uuid.uuid4().hex[:8]
    toml = add_target(ws, f'[deploy.shared-host]\nurl = "{proftpd_server.url(f"/{name}/public_html")}"\n'
                          f'password_env = "{PASSWORD_ENV}"\n')
    env = {**proftpd_server.env, "SITEKEEPER_NOW": "2026-03-05T10:00:00+01:00"}
    refused = sk("publish", CLIENT, "--target", "shared-host", env=env, cwd=ws)
    assert refused.returncode == 1 and "certificate cannot be verified" in refused.stderr
    assert "Traceback" not in refused.stderr
    trusted = sk("trust", CLIENT, "--target", "shared-host", "--yes", "--json", env=env, cwd=ws)
    assert trusted.returncode == 0, trusted.stderr
    assert result(trusted)["fingerprint"] == proftpd_server.cert_fingerprint
    assert f'cert_fingerprint = "{proftpd_server.cert_fingerprint}"' in toml.read_text()
    published = sk("publish", CLIENT, "--target", "shared-host", "--json", env=env, cwd=ws)
    assert published.returncode == 0, published.stderr
    assert "index.html" in result(published)["uploaded"]
    assert (proftpd_server.home / name / "public_html" / "index.html").is_file()
    again = sk("trust", CLIENT, "--target", "shared-host", "--yes", "--json", env=env, cwd=ws)
    assert result(again)["already_pinned"] is True


@pytest.fixture(scope="module")
def sftp_quota(tmp_path_factory):
    from fixtures_ftp import _start

    server = _start(tmp_path_factory, "proftpd-quota-sftp", quota_bytes=3 << 20)
    yield server
    stop(server.proc)


def test_full_quota_over_sftp_is_named_and_deletes_first_lets_the_publish_finish(sftp_quota, ftp_env, tmp_path):
    proftpd_quota = sftp_quota
    ftp_env(proftpd_quota)
    build = tmp_path / "build"
    files = make_site(build, pages=2)
    big = os.urandom(2 << 20)
    write_tree(build, {"media/old.mp4": big})
    t = target(proftpd_quota.url("/sftp-site", scheme="sftp"), tmp_path, host_key=proftpd_quota.host_key_fingerprint)
    publish_folder(build, t, "bakery", RecordingReporter())
    (build / "media/old.mp4").unlink()
    write_tree(build, {"media/new.mp4": os.urandom(2 << 20)})
    with pytest.raises(DeployError) as exc:
        publish_folder(build, t, "bakery", RecordingReporter())
    assert "disk or quota on the server is probably full" in str(exc.value)
    assert "SFTP status 4" not in exc.value.fix and "--deletes-first" in exc.value.fix
    root = proftpd_quota.home / "sftp-site"
    left = public_files(root)
    # Nothing half-written is left and the live site is the last complete one. (Whether a
    # delete frees quota over SFTP is the server's accounting: the FTPS test above shows the
    # --deletes-first recovery on a server that counts deletes.)
    assert not [p for p in left if ".part" in p or "new.mp4" in p]
    assert {p: d for p, d in left.items() if p in files} == files and left["media/old.mp4"] == big
