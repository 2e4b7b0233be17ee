"""Records that decide who is mailed or what is deployed carry a checksum: a damaged send ledger
(garbled, emptied, cut short, or valid JSON that fails its checksum) stops that campaign, against
a real SMTP server on 127.0.0.1, with zero messages sent; status shows it; tick goes on with the
other client. A damaged manifest or journal of a folder target stops its publish. Records
written before they carried a checksum are still read."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import edit, json_lines, sk

BAKERY = "baeckerei-sonnenkorn"
SPEC = f"{BAKERY}/adventsaktion"
DENTIST = "zubni-ordinace-novakova"
BEFORE = "2026-11-01T10:00:00+01:00"
DUE = "2026-11-25T10:00:00+01:00"
HEADER = "email,name,lang,tags,consented_at,source\n"
KINDS = ["garbled", "emptied", "torn", "torn_at_a_line_end", "checksum_mismatch"]


def write_audience(ws: Path, n: int, start: int = 0) -> list[str]:
    addresses = [f"reader{i:05d}@example.net" for i in range(start, start + n)]
    (ws / "campaigns" / BAKERY / "audience.csv").write_text(
        HEADER + "".join(f"{a},Reader {i},de,,2025-01-01,test\n" for i, a in enumerate(addresses)), encoding="utf-8")
    return addresses


def last(r) -> dict:
    return json_lines(r.stdout)[-1]


def ledger_dir(ws: Path) -> Path:
    return ws / ".sitekeeper" / "state" / "campaigns" / BAKERY / "adventsaktion" / "ledger"


def segments(ws: Path) -> list[Path]:
    return sorted(ledger_dir(ws).glob("*.jsonl"))


def send30(ws: Path, smtp_server) -> None:
    """The bakery's campaign sent to 30 subscribers through the real SMTP server."""
    edit(ws / "sites" / BAKERY / "site.toml", "[mail]\n",
         f'[mail]\ntransport = "smtp://127.0.0.1:{smtp_server.port}"\ntls = "none"\n')
    write_audience(ws, 30)
    ok = sk("campaign", "approve", SPEC, "--by", "Frau Weber", cwd=ws, now=BEFORE)
    assert ok.returncode == 0, ok.stderr
    r = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE)
    assert r.returncode == 0, r.stderr
    assert last(r)["sent"] == 30 and len(smtp_server.messages) == 30


@pytest.fixture
def sent30(demo_workspace, smtp_server):
    send30(demo_workspace, smtp_server)
    assert len(segments(demo_workspace)) == 2  # a batch of 25 and one of 5
    return demo_workspace


def damage(path: Path, kind: str) -> None:
    data = path.read_bytes()
    if kind == "garbled":
        mid = len(data) // 2
        path.write_bytes(data[:mid - 40] + bytes(range(128, 208)) + data[mid + 40:])
    elif kind == "emptied":
        path.write_bytes(b"")
    elif kind == "torn":
        path.write_bytes(data[:len(data) // 2])
    elif kind == "torn_at_a_line_end":
        lines = data.splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:len(lines) // 2]))
    elif kind == "checksum_mismatch":
        text = data.decode()
        assert '"s": "sent"' in text
        path.write_bytes(text.replace('"s": "sent"', '"s": "released"', 1).encode())
        json.loads(path.read_bytes().splitlines()[0])  # still valid JSON, line by line
    else:  # pragma: no cover
        raise ValueError(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_ledger_segment_stops_the_send_and_nobody_is_mailed_again(sent30, smtp_server, kind):
    ws = sent30
    seg = segments(ws)[0]
    damage(seg, kind)
    r = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE)
    assert r.returncode == 1, r.stdout + r.stderr
    assert len(smtp_server.messages) == 30  # zero new messages, zero duplicates
    problems = last(r)["problems"]
    assert problems and problems[0]["path"].endswith(seg.name)
    assert "damaged" in problems[0]["message"] and f"campaign reconcile {SPEC} --repair" in problems[0]["fix"]
    assert "Traceback" not in r.stderr
    # the people's view says it too, and names the record
    plain = sk("campaign", "send", SPEC, cwd=ws, now=DUE)
    assert plain.returncode == 1 and seg.name in plain.stderr and "--repair" in plain.stderr
    assert len(smtp_server.messages) == 30


def test_status_shows_a_damaged_ledger_and_exits_1(sent30):
    ws = sent30
    seg = segments(ws)[1]
    damage(seg, "torn")
    r = sk("status", "--json", cwd=ws, now=DUE)
    assert r.returncode == 1
    row = next(c for c in last(r)["clients"] if c["client"] == BAKERY)
    assert row["damaged"] == ["adventsaktion"] and row["ok"] is False
    assert any(p["path"].endswith(seg.name) for p in row["problems"])
    other = next(c for c in last(r)["clients"] if c["client"] == DENTIST)
    assert other["damaged"] == []
    table = sk("status", cwd=ws, now=DUE)
    assert table.returncode == 1 and "ledger damaged" in table.stdout and seg.name in table.stderr


def test_tick_reports_the_damaged_campaign_and_goes_on_with_the_other_client(sent30, smtp_server):
    ws = sent30
    write_audience(ws, 31)  # one more subscriber: the campaign has someone to mail again
    damage(segments(ws)[0], "emptied")
    ok = sk("campaign", "approve", f"{DENTIST}/zimni-usmev", "--by", "MUDr. Nováková", cwd=ws, now=BEFORE)
    assert ok.returncode == 0, ok.stderr
    r = sk("tick", "--json", cwd=ws, now=DUE)
    assert r.returncode == 1, r.stdout + r.stderr
    out = last(r)
    bakery = next(c for c in out["clients"] if c["client"] == BAKERY)
    dentist = next(c for c in out["clients"] if c["client"] == DENTIST)
    assert not bakery["ok"] and any("send ledger" in p["message"] and "damaged" in p["message"]
                                    for p in bakery["problems"])
    assert dentist["ok"] and dentist["sent"] and dentist["sent"][0]["sent"] >= 1
    assert len(smtp_server.messages) == 30  # the bakery's 31st subscriber waits too: nothing of it is sent
    assert sorted((ws / "outbox" / DENTIST / "zimni-usmev").glob("*.eml"))


def test_reconcile_lists_a_damaged_ledger_with_exit_1_and_settles_nothing(sent30):
    ws = sent30
    seg = segments(ws)[0]
    damage(seg, "garbled")
    before = seg.read_bytes()
    r = sk("campaign", "reconcile", SPEC, cwd=ws, now=DUE)
    assert r.returncode == 1 and seg.name in r.stderr and "--repair" in r.stderr
    assert seg.read_bytes() == before


def test_repair_keeps_what_can_be_read_and_the_next_send_mails_nobody_twice(sent30, smtp_server):
    ws = sent30
    seg = segments(ws)[0]
    damage(seg, "checksum_mismatch")  # every line readable, one of them changed by hand
    r = sk("campaign", "reconcile", SPEC, "--repair", "--json", cwd=ws, now=DUE)
    assert r.returncode == 0, r.stdout + r.stderr
    [fixed] = last(r)["repaired"]
    assert fixed["segment"].endswith(seg.name) and fixed["readable"] == 25 and fixed["unreadable"] == 0
    assert not seg.exists() and Path(fixed["aside"]).is_file()
    # the changed line is uncertain (never mailed until settled), the other 24 stay sent
    assert [u["address"] for u in last(r)["uncertain"]] == ["reader00000@example.net"]
    again = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE)
    assert again.returncode == 0, again.stderr
    res = last(again)
    assert res["sent"] == 0 and res["skipped"]["already_sent"] == 29 and res["skipped"]["uncertain"] == 1
    assert len(smtp_server.messages) == 30
    settled = sk("campaign", "reconcile", SPEC, "--mark-sent", "--json", cwd=ws, now=DUE)
    assert last(settled)["settled"] == 1
    assert last(sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE))["skipped"]["already_sent"] == 30


def test_repair_of_an_emptied_segment_says_its_recipients_are_not_known(sent30):
    ws = sent30
    seg = segments(ws)[1]
    damage(seg, "emptied")
    r = sk("campaign", "reconcile", SPEC, "--repair", cwd=ws, now=DUE)
    assert r.returncode == 0, r.stderr
    assert "not known" in r.stderr and "may mail them again" in r.stderr
    assert not seg.exists()
    assert list((ledger_dir(ws).parent / "damaged").iterdir())


def test_a_ledger_written_without_checksums_is_still_read(sent30, smtp_server):
    ws = sent30
    for seg in segments(ws):  # as an older sitekeeper wrote them: no checksum line, no format marker
        seg.write_bytes(b"".join(line + b"\n" for line in seg.read_bytes().splitlines()
                                 if not line.startswith(b"#sitekeeper-record ")))
    (ledger_dir(ws) / "format").unlink()
    r = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE)
    assert r.returncode == 0, r.stderr
    assert last(r)["sent"] == 0 and last(r)["skipped"]["already_sent"] == 30
    assert len(smtp_server.messages) == 30
    # a send after the upgrade seals its own segment; the older ones are still read as they are
    write_audience(ws, 31)
    assert last(sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE))["sent"] == 1
    again = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE)
    assert again.returncode == 0 and last(again)["skipped"]["already_sent"] == 31
    assert len(smtp_server.messages) == 31
    status = sk("status", "--json", cwd=ws, now=DUE)
    assert next(c for c in last(status)["clients"] if c["client"] == BAKERY)["damaged"] == []
    # the new segment cut short at a line end is damaged (it carries a checksum); an older one is not judged so
    newest = segments(ws)[-1]
    newest.write_bytes(newest.read_bytes().splitlines(keepends=True)[0])
    assert sk("campaign", "send", SPEC, cwd=ws, now=DUE).returncode == 1
    newest.unlink()
    # ... and an older one cut short in a line is damaged all the same
    seg = segments(ws)[0]
    seg.write_bytes(seg.read_bytes()[:-20])
    torn = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE)
    assert torn.returncode == 1 and len(smtp_server.messages) == 31


def test_a_damaged_segment_in_an_s3_state_store_stops_the_send(demo_workspace, smtp_server, s3_server, aws_env):
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="trust-ledger")
    (demo_workspace / "sitekeeper.toml").write_text(
        f'state = "s3://trust-ledger/state"\nendpoint_url = "{s3_server.endpoint}"\nregion = "us-east-1"\n',
        encoding="utf-8")
    send30(demo_workspace, smtp_server)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="trust-ledger", Prefix="state/campaigns/")["Contents"]
                  if o["Key"].endswith(".jsonl"))
    body = s3.get_object(Bucket="trust-ledger", Key=keys[0])["Body"].read()
    s3.put_object(Bucket="trust-ledger", Key=keys[0], Body=body[:len(body) // 3])
    r = sk("campaign", "send", SPEC, "--json", cwd=demo_workspace, now=DUE)
    assert r.returncode == 1 and len(smtp_server.messages) == 30
    assert last(r)["problems"][0]["path"] == f"s3://trust-ledger/{keys[0]}"


# ---------------------------------------------------------------- deploy: a folder target


def make_site(root: Path, n: int = 10) -> None:
    for i in range(n):
        p = root / f"p{i}" / "index.html"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"<h1>Page %d</h1>" % i)
    (root / "index.html").write_bytes(b"<h1>Home</h1>")


def _target(tmp_path: Path):
    from sitekeeper.config.deploy import parse_target

    return parse_target("production", {"url": f"dir:{tmp_path / 'target'}"}, tmp_path)


def _publish(tmp_path: Path, build: Path):
    from sitekeeper.deploy.apply import publish_folder
    from sitekeeper.report import RecordingReporter
    from sitekeeper.state.store import LocalStore

    return publish_folder(build, _target(tmp_path), "bakery", RecordingReporter(),
                          workspace_store=lambda: LocalStore(tmp_path / "state"))


def _state_files(tmp_path: Path) -> list[Path]:
    return sorted(p for p in tmp_path.rglob("*.json") if p.name == "manifest.json" or p.name.startswith("journal-"))


def _published(tmp_path: Path, build: Path, compacted: bool) -> None:
    make_site(build)
    _publish(tmp_path, build)
    i = 0
    while compacted and not any(p.name == "manifest.json" for p in _state_files(tmp_path)):
        i += 1
        (build / "index.html").write_bytes(b"<h1>Home %d</h1>" % i)
        _publish(tmp_path, build)
        assert i < 20


def _target_tree(tmp_path: Path) -> dict:
    root = tmp_path / "target"
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*")
            if p.is_file() and not p.relative_to(root).parts[0].startswith(".sitekeeper")}


@pytest.mark.parametrize("record", ["manifest", "journal"])
@pytest.mark.parametrize("kind", ["garbled", "emptied", "torn", "checksum_mismatch"])
def test_a_damaged_manifest_or_journal_stops_the_publish_and_changes_nothing(tmp_path, record, kind):
    from sitekeeper.errors import DamagedRecord

    build = tmp_path / "build"
    _published(tmp_path, build, compacted=record == "manifest")
    if record == "journal":
        (build / "index.html").write_bytes(b"<h1>Home again</h1>")
        _publish(tmp_path, build)
    wanted = [p for p in _state_files(tmp_path) if (p.name == "manifest.json") == (record == "manifest")]
    path = wanted[-1]
    data = path.read_bytes()
    if kind == "garbled":
        path.write_bytes(data[:30] + b"\xff\xfe" * 20 + data[70:])
    elif kind == "emptied":
        path.write_bytes(b"")
    elif kind == "torn":
        path.write_bytes(data[:len(data) // 2])
    else:
        text = data.decode()
        changed = text.replace('"release":"', '"release":"1', 1)
        assert changed != text
        path.write_bytes(changed.encode())
        json.loads(changed.rsplit("\n#sitekeeper-record ", 1)[0])
    # the build changes a page and loses one: a plan would upload and delete
    (build / "p0" / "index.html").write_bytes(b"<h1>Changed</h1>")
    shutil.rmtree(build / "p9")
    before = _target_tree(tmp_path)
    with pytest.raises(DamagedRecord) as caught:
        _publish(tmp_path, build)
    diag = caught.value.diagnostics()[0]
    assert diag.path == str(path) and "damaged" in diag.message and "nothing was published" in diag.message
    assert "aside" in diag.fix
    assert _target_tree(tmp_path) == before  # nothing uploaded, nothing deleted
    # the fix named: move the state aside; the next publish re-sends each file once, as unverified
    for p in _state_files(tmp_path):
        p.rename(p.with_name(p.name + ".damaged"))
    healed = _publish(tmp_path, build)
    assert sorted(healed.uploaded) == sorted(p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file())
    assert healed.deleted == ["p9/index.html"]
    assert _publish(tmp_path, build).uploaded == []


def test_a_manifest_written_without_a_checksum_is_still_read(tmp_path):
    build = tmp_path / "build"
    _published(tmp_path, build, compacted=True)
    for p in _state_files(tmp_path):  # as an older sitekeeper wrote them
        p.write_bytes(p.read_bytes().rsplit(b"\n#sitekeeper-record ", 1)[0])
        json.loads(p.read_bytes())
    assert _publish(tmp_path, build).uploaded == []


def test_a_damaged_journal_on_an_s3_target_stops_the_publish(tmp_path, s3_server, aws_env):
    import boto3

    from sitekeeper.config.deploy import parse_target
    from sitekeeper.deploy.apply import publish_folder
    from sitekeeper.errors import DamagedRecord
    from sitekeeper.report import RecordingReporter

    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="trust-site")
    target = parse_target("production", {"url": "s3://trust-site/www", "endpoint_url": s3_server.endpoint}, tmp_path)
    build = tmp_path / "build"
    make_site(build)
    publish_folder(build, target, "bakery", RecordingReporter())
    [key] = [o["Key"] for o in s3.list_objects_v2(Bucket="trust-site", Prefix=".sitekeeper-www/journal-")["Contents"]]
    s3.put_object(Bucket="trust-site", Key=key, Body=b"")
    shutil.rmtree(build / "p9")
    with pytest.raises(DamagedRecord) as caught:
        publish_folder(build, target, "bakery", RecordingReporter())
    assert caught.value.diagnostics()[0].path == f"s3://trust-site/{key}"
    assert "www/p9/index.html" in {o["Key"] for o in s3.list_objects_v2(Bucket="trust-site", Prefix="www/")["Contents"]}


def test_publish_from_the_command_line_stops_on_a_damaged_journal(demo_workspace):
    ws = demo_workspace
    first = sk("publish", BAKERY, "--json", cwd=ws, now=DUE)
    assert first.returncode == 0, first.stderr
    [journal] = [p for p in ws.rglob("journal-*.json")]
    journal.write_bytes(journal.read_bytes()[:100])
    for promo in (ws / "campaigns" / BAKERY).glob("adventsaktion*.md"):
        promo.unlink()  # the site changes: a plan would upload and delete
    site = ws / "public" / BAKERY
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    r = sk("publish", BAKERY, cwd=ws, now=DUE)
    assert r.returncode == 1
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*.html")} == before
    assert journal.name in r.stderr and "damaged" in r.stderr and "aside" in r.stderr and "Traceback" not in r.stderr


def test_an_unreadable_send_lock_stops_the_send_and_names_the_lock_to_remove(sent30, smtp_server):
    ws = sent30
    write_audience(ws, 31)
    lock = ledger_dir(ws).parent / "lock"
    lock.write_bytes(b"\x00garbled")
    r = sk("campaign", "send", SPEC, cwd=ws, now=DUE)
    assert r.returncode == 1 and str(lock) in r.stderr and "by hand" in r.stderr
    assert len(smtp_server.messages) == 30
    lock.unlink()
    after = sk("campaign", "send", SPEC, "--json", cwd=ws, now=DUE)
    assert last(after)["sent"] == 1 and len(smtp_server.messages) == 31


def test_an_unreadable_target_lock_names_the_lock_to_remove(tmp_path):
    from sitekeeper.errors import DeployError

    build = tmp_path / "build"
    _published(tmp_path, build, compacted=False)
    (build / "index.html").write_bytes(b"<h1>New</h1>")
    [state] = {p.parent for p in _state_files(tmp_path)}
    (state / "lock").write_bytes(b"")
    with pytest.raises(DeployError) as caught:
        _publish(tmp_path, build)
    assert str(state / "lock") in str(caught.value) and "by hand" in str(caught.value)


# ---------------------------------------------------------------- the codec itself (pure)


@pytest.mark.parametrize("body", [b"", b"{}", b'{"a": 1}\n{"a": 2}\n', b'{"a": "\xc3\xa4"}'])
def test_a_sealed_record_opens_to_exactly_its_body(body):
    from sitekeeper.state.record import open_record, seal

    assert open_record(seal(body), "x", "fix") == (body, True)


@pytest.mark.parametrize("data, why", [
    (b"", "empty"),
    (b"  \n", "empty"),
    (b'{"k": "a", "s": "sent"}\n#sitekeeper-record sha256=zz bytes=3\n', "checksum line cannot be read"),
    (b'{"k": "a"}\n#sitekeeper-record sha256=' + b"0" * 64 + b" bytes=999\n", "cut short"),
])
def test_empty_or_unreadable_checksum_lines_are_damaged(data, why):
    from sitekeeper.errors import DamagedRecord
    from sitekeeper.state.record import open_record

    with pytest.raises(DamagedRecord) as caught:
        open_record(data, "store/key", "the fix")
    assert why in caught.value.why and caught.value.record == "store/key" and caught.value.fix == "the fix"


def test_two_sealed_records_run_together_fail_their_checksum():
    from sitekeeper.errors import DamagedRecord
    from sitekeeper.state.record import load_jsonl, seal

    one, two = seal(b'{"k": "a", "s": "sent"}\n'), seal(b'{"k": "b", "s": "sent"}\n')
    with pytest.raises(DamagedRecord, match="checksum does not match"):
        load_jsonl(one + two, "k", "f")


@pytest.mark.parametrize("line", [b"[1, 2]", b'"text"', b"\xff\xfe", b'{"k": "a", "s": "sent"'])
def test_a_line_that_is_not_a_whole_object_is_damaged_sealed_or_not(line):
    from sitekeeper.errors import DamagedRecord
    from sitekeeper.state.record import load_jsonl, seal

    body = b'{"k": "a", "s": "sent"}\n' + line + b"\n"
    for data in (body, seal(body)):
        with pytest.raises(DamagedRecord, match="line 2"):
            load_jsonl(data, "k", "f")


def test_a_record_without_checksum_that_parses_whole_is_read():
    from sitekeeper.state.record import load_json, load_jsonl

    assert load_jsonl(b'{"k": "a"}\n{"k": "b"}\n', "k", "f") == [{"k": "a"}, {"k": "b"}]
    assert load_json(b'{"version": 1}', "k", "f") == {"version": 1}


def test_a_segment_with_a_status_it_cannot_have_is_damaged(tmp_path):
    from sitekeeper.errors import DamagedRecord
    from sitekeeper.state.ledger import Ledger
    from sitekeeper.state.record import seal
    from sitekeeper.state.store import LocalStore

    store = LocalStore(tmp_path)
    store.write("campaigns/c/s/ledger/000000001-abcd.jsonl", seal(b'{"k": "a", "a": "a@x", "s": "maybe"}\n'))
    with pytest.raises(DamagedRecord, match="not a record of a recipient"):
        Ledger(store, "c", "s").load()
    tolerant = Ledger(store, "c", "s").load(tolerate=True)
    assert [d.key for d in tolerant.damaged] == ["campaigns/c/s/ledger/000000001-abcd.jsonl"]
    assert tolerant.counts() == {"sent": 0, "uncertain": 0, "failed": 0}
