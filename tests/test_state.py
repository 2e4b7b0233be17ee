"""State stores and the one lock: a local folder and a real S3-compatible server (moto_server
on 127.0.0.1, from fixtures_deploy); mail transport outcomes against real SMTP servers on
loopback (aiosmtpd, and a tiny hand-written one that drops the line after the message)."""
from __future__ import annotations

import email.message
import email.policy
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from sitekeeper.errors import DeployError, LockBusy, MailError, StateError
from sitekeeper.state.lock import Lock, LockRecord
from sitekeeper.state.store import LocalStore, S3Store, open_store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStore(tmp_path / "state")
    server = request.getfixturevalue("s3_server")
    request.getfixturevalue("aws_env")
    from sitekeeper import aws

    s3 = aws.client("s3", region="us-east-1", endpoint_url=server.endpoint)
    bucket = f"state-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    return S3Store(s3, bucket, "ci/state")


def test_create_only_if_absent_and_read_returns_the_data(store):
    assert store.read("a/lock") is None
    assert store.create("a/lock", b"first")
    assert not store.create("a/lock", b"second")
    data, version = store.read("a/lock")
    assert data == b"first" and version


def test_two_racing_creates_exactly_one_wins(store):
    for round_ in range(5):
        key = f"race-{round_}"
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda who, key=key: (who, store.create(key, who)), [b"one", b"two"]))
        winners = [who for who, won in results if won]
        assert len(winners) == 1, results
        assert store.read(key)[0] == winners[0]


def test_replace_if_with_a_stale_version_fails_and_keeps_the_data(store):
    store.create("k", b"v1")
    _, v1 = store.read("k")
    store.write("k", b"v2")
    assert not store.replace_if("k", v1, b"v3")
    assert store.read("k")[0] == b"v2"
    _, v2 = store.read("k")
    assert store.replace_if("k", v2, b"v3")
    assert store.read("k")[0] == b"v3"


def test_replace_if_on_a_missing_key_fails(store):
    assert not store.replace_if("gone", "whatever", b"x")
    assert store.read("gone") is None


def test_delete_and_list(store):
    store.write("journal-1.json", b"1")
    store.write("journal-2.json", b"2")
    store.write("manifest.json", b"m")
    assert store.list("journal-") == ["journal-1.json", "journal-2.json"]
    store.delete("journal-1.json")
    store.delete("journal-1.json")  # absent is fine
    assert store.list("journal-") == ["journal-2.json"]


class _IgnoresIfNoneMatch:
    """An S3 client that drops IfNoneMatch, as s3rver and older MinIO effectively do, and lets
    a racer's create land right after ours (before our read-back)."""

    def __init__(self, s3, racer: bytes):
        self.s3, self.racer = s3, racer

    def put_object(self, **kw):
        kw.pop("IfNoneMatch", None)
        answer = self.s3.put_object(**kw)
        if self.racer is not None:
            self.s3.put_object(**{**kw, "Body": self.racer})
            self.racer = None
        return answer

    def __getattr__(self, name):
        return getattr(self.s3, name)


def test_s3_create_reads_back_so_an_overwritten_creator_knows_it_lost(s3_server, aws_env):
    from sitekeeper import aws

    s3 = aws.client("s3", region="us-east-1", endpoint_url=s3_server.endpoint)
    bucket = f"state-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    store = S3Store(_IgnoresIfNoneMatch(s3, racer=b"theirs"), bucket, "p")
    assert not store.create("lock", b"mine")
    assert store.read("lock")[0] == b"theirs"


def test_local_lock_of_a_dead_pid_on_this_host_is_taken_over_at_once(tmp_path):
    store = LocalStore(tmp_path / "state")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    ghost = LockRecord("ghost", socket.gethostname(), dead.pid, "me", time.time(), time.time())
    assert store.create("lock", ghost.to_bytes())
    lock = Lock(store)
    mine = lock.acquire()
    assert lock.took_over is not None and lock.took_over.token == "ghost"
    assert b'"token": "%s"' % mine.token.encode() in store.read("lock")[0]
    lock.release()
    assert store.read("lock") is None


def test_live_lock_of_another_host_is_busy_until_its_ttl(tmp_path):
    store = LocalStore(tmp_path / "state")
    now = time.time()
    other = LockRecord("other", "ci-runner-7", 4242, "ci", now - 30, now - 30)
    store.create("lock", other.to_bytes())
    with pytest.raises(LockBusy) as info:
        Lock(store, ttl=600).acquire()
    assert info.value.record.host == "ci-runner-7"
    assert store.read("lock")[0] == other.to_bytes()
    taken = Lock(store, ttl=10)  # refreshed 30 s ago: older than a 10 s TTL
    taken.acquire()
    assert taken.took_over.token == "other"


def test_two_lockers_at_once_one_wins(store):
    def grab(_):
        try:
            Lock(store, key="lock").acquire()
            return True
        except LockBusy:
            return False

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(grab, range(4))) == [False, False, False, True]


def test_refresh_of_a_lock_taken_over_meanwhile_raises(tmp_path):
    store = LocalStore(tmp_path / "state")
    lock = Lock(store)
    lock.acquire()
    store.write("lock", LockRecord("thief", "elsewhere", 1, "x", time.time(), time.time()).to_bytes())
    with pytest.raises(StateError, match="was lost.*x@elsewhere"):
        lock.refresh()


class _BrokenDelete(LocalStore):
    def delete(self, key):
        raise StateError(f"cannot delete {key}", "check the folder's permissions")


def test_release_failure_is_raised_not_swallowed(tmp_path):
    store = _BrokenDelete(tmp_path / "state")
    lock = Lock(store)
    lock.acquire()
    with pytest.raises(StateError, match="cannot delete lock"):
        lock.release()


def test_publish_reports_a_lock_that_cannot_be_removed(tmp_path, monkeypatch):
    from sitekeeper.deploy.apply import publish_folder
    from sitekeeper.config.deploy import parse_target
    from sitekeeper.report import RecordingReporter

    build = tmp_path / "build"
    build.mkdir()
    (build / "index.html").write_bytes(b"<h1>hi</h1>")
    target = parse_target("production", {"url": f"dir:{tmp_path / 'target'}"}, tmp_path)
    monkeypatch.setattr(LocalStore, "delete", _BrokenDelete.delete)
    with pytest.raises(DeployError) as info:
        publish_folder(build, target, "bakery", RecordingReporter())
    text = str(info.value)
    assert "lock of target production could not be removed" in text and "by hand" in text
    assert (tmp_path / "target" / "index.html").read_bytes() == b"<h1>hi</h1>"  # the publish itself landed
    [diag] = info.value.diagnostics()
    assert diag.fix and "by hand" in diag.fix


def test_open_store_refuses_other_schemes_with_the_fix(tmp_path):
    with pytest.raises(StateError) as info:
        open_store("ftp://x", tmp_path)
    [diag] = info.value.diagnostics()
    assert "ftp://" in diag.message and "s3://bucket/prefix" in diag.fix and diag.path == "sitekeeper.toml"


def test_open_store_default_and_relative_folders_are_in_the_workspace(tmp_path):
    assert open_store(None, tmp_path).root == tmp_path / ".sitekeeper" / "state"
    assert open_store("var/state", tmp_path).root == tmp_path / "var" / "state"


def test_open_store_s3_missing_bucket_is_an_error_not_a_folder(tmp_path, s3_server, aws_env):
    with pytest.raises(StateError, match="does not exist") as info:
        open_store("s3://no-such-bucket-here/state", tmp_path, region="us-east-1", endpoint_url=s3_server.endpoint)
    assert info.value.diagnostics()[0].fix
    assert not (tmp_path / ".sitekeeper").exists()


def test_open_store_s3_works_against_a_real_server(tmp_path, s3_server, aws_env):
    from sitekeeper import aws

    bucket = f"state-{uuid.uuid4().hex[:10]}"
    aws.client("s3", region="us-east-1", endpoint_url=s3_server.endpoint).create_bucket(Bucket=bucket)
    store = open_store(f"s3://{bucket}/ci", tmp_path, region="us-east-1", endpoint_url=s3_server.endpoint)
    assert store.create("x", b"1") and store.read("x")[0] == b"1"


def test_open_workspace_store_reads_the_settings(tmp_path):
    from sitekeeper.state import open_workspace_store

    class Ws:
        root = tmp_path
        settings = {"state": "gopher://x"}

    with pytest.raises(StateError, match="gopher://"):
        open_workspace_store(Ws())


# ---------------------------------------------------------------- mail outcomes

def _message():
    from sitekeeper.mail.message import Outgoing

    msg = email.message.EmailMessage()
    msg["From"] = "Shop <news@shop.example>"
    msg["To"] = "a@example.net"
    msg["Subject"] = "hello"
    msg["Message-ID"] = "<1@shop.example>"
    msg.set_content("hello\n.leading dot\n")
    return Outgoing(msg.as_bytes(policy=email.policy.SMTP), "news@shop.example", "a@example.net", "<1@shop.example>", "a")


class _DropAfterData:
    """An SMTP server on 127.0.0.1 that takes the whole message and closes without a reply."""

    def __init__(self, answer_rcpt: bytes = b"250 ok"):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.answer_rcpt = answer_rcpt
        self.got = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.sock.accept()
        f = conn.makefile("rwb")
        f.write(b"220 test\r\n"); f.flush()
        while True:
            line = f.readline()
            if not line:
                break
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                f.write(b"250 test\r\n")
            elif cmd == b"MAIL":
                f.write(b"250 ok\r\n")
            elif cmd == b"RCPT":
                f.write(self.answer_rcpt + b"\r\n")
            elif cmd == b"RSET":
                f.write(b"250 ok\r\n")
            elif cmd == b"DATA":
                f.write(b"354 go\r\n"); f.flush()
                while True:
                    body = f.readline()
                    self.got += body
                    if body in (b".\r\n", b""):
                        break
                conn.shutdown(socket.SHUT_RDWR)  # the final reply never comes
                conn.close()
                return
            elif cmd == b"QUIT":
                f.write(b"221 bye\r\n"); f.flush()
                break
            f.flush()
        conn.close()

    def close(self):
        self.sock.close()


def test_smtp_connection_lost_after_the_message_is_uncertain():
    from sitekeeper.mail.transport import SmtpTransport

    server = _DropAfterData()
    try:
        t = SmtpTransport("127.0.0.1", server.port, "none", None, None, timeout=10, delays=[])
        with pytest.raises(MailError) as info:
            t.send(_message())
        assert info.value.outcome == "uncertain" and "may have been delivered" in str(info.value)
        assert b"..leading dot" in server.got  # the message went out dot-stuffed
    finally:
        server.close()


def test_smtp_recipient_refused_is_refused():
    from sitekeeper.mail.transport import SmtpTransport

    server = _DropAfterData(answer_rcpt=b"550 no such user")
    try:
        t = SmtpTransport("127.0.0.1", server.port, "none", None, None, timeout=10, delays=[])
        with pytest.raises(MailError, match="refused the recipient") as info:
            t.send(_message())
        assert info.value.outcome == "refused" and info.value.diagnostics()[0].fix
        assert server.got == b""
    finally:
        t.close()
        server.close()


def test_smtp_connection_refused_is_refused():
    from sitekeeper.mail.transport import SmtpTransport

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    t = SmtpTransport("127.0.0.1", port, "none", None, None, timeout=5, delays=[])
    with pytest.raises(MailError, match="cannot connect") as info:
        t.send(_message())
    assert info.value.outcome == "refused"


def test_smtp_send_to_a_real_server_still_arrives(smtp_server):
    from sitekeeper.mail.transport import SmtpTransport

    t = SmtpTransport("127.0.0.1", smtp_server.port, "none", None, None)
    try:
        assert t.send(_message()) == "<1@shop.example>"
        import dataclasses

        assert t.send(dataclasses.replace(_message(), to="b@example.net"))
    finally:
        t.close()
    assert [m.rcpt_tos for m in smtp_server.messages][-2:] == [["a@example.net"], ["b@example.net"]]
    assert ".leading dot" in smtp_server.messages[-1].message.get_content()


def test_deploy_error_without_fix_gets_one_in_its_diagnostic():
    [d] = DeployError("bakery: target x is busy; wait for it to finish").diagnostics()
    assert d.message == "bakery: target x is busy" and d.fix == "wait for it to finish"
    [d] = DeployError("bakery: boom").diagnostics()
    assert d.fix
    e = DeployError("bakery: target x: access denied", "check the policy", path="sites/bakery/site.toml", line=7)
    assert str(e) == "bakery: target x: access denied; fix: check the policy"
    assert e.diagnostics()[0].location() == "sites/bakery/site.toml:7"
