"""campaign send / reconcile against real servers on 127.0.0.1: the outbox, an SMTP server that
answers 451/550 or drops on cue, moto's server for SES and for an S3 state store."""
from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


from helpers import edit, json_lines, need_module, result, sk

BAKERY = "baeckerei-sonnenkorn"
SPEC = f"{BAKERY}/adventsaktion"
BEFORE = "2026-11-01T10:00:00+01:00"
DUE = "2026-11-25T10:00:00+01:00"
AFTER = "2027-01-08T10:00:00+01:00"
FAST = {"SITEKEEPER_RETRY_DELAYS": "0.01,0.01,0.01"}
HEADER = "email,name,lang,tags,consented_at,source\n"


def site_toml(ws: Path) -> Path:
    return ws / "sites" / BAKERY / "site.toml"


def audience(ws: Path) -> Path:
    return ws / "campaigns" / BAKERY / "audience.csv"


def approve(ws: Path) -> None:
    r = sk("campaign", "approve", SPEC, "--by", "Frau Weber", cwd=ws, now=BEFORE)
    assert r.returncode == 0, r.stderr


def use_smtp(ws: Path, port: int, extra: str = "") -> None:
    edit(site_toml(ws), "[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{port}"\ntls = "none"\n{extra}')


def write_audience(ws: Path, n: int, start: int = 0) -> list[str]:
    addresses = [f"reader{i:05d}@example.net" for i in range(start, start + n)]
    audience(ws).write_text(HEADER + "".join(f"{a},Reader {i},de,,2025-01-01,test\n" for i, a in enumerate(addresses)),
                            encoding="utf-8")
    return addresses


def send(ws: Path, *args: str, now: str = DUE, env: dict | None = None):
    return sk("campaign", "send", *args, cwd=ws, now=now, env={**FAST, **(env or {})})


# ---------------------------------------------------------------- the outbox and the rules


def test_send_to_the_outbox_reaches_each_consented_subscriber_once_and_a_rerun_sends_nothing(demo_workspace):
    approve(demo_workspace)
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 0, r.stderr
    res = result(r)
    assert res["campaign"] == SPEC and res["dry_run"] is False and res["sent"] == 6 and res["failed"] == 0
    assert res["skipped"]["no_consent"] == 1 and res["skipped"]["invalid"] == 1
    files = sorted((demo_workspace / "outbox" / BAKERY / "adventsaktion").glob("*.eml"))
    assert len(files) == 6
    again = result(send(demo_workspace, SPEC, "--json"))
    assert again["sent"] == 0 and again["skipped"]["already_sent"] == 6
    assert len(list((demo_workspace / "outbox" / BAKERY / "adventsaktion").glob("*.eml"))) == 6


def test_dry_run_counts_and_shows_a_sample_but_sends_and_records_nothing(demo_workspace):
    approve(demo_workspace)
    r = send(demo_workspace, SPEC, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "would send to 6" in r.stdout and "martina.krueger@example.com" in r.stdout and "nothing sent" in r.stdout
    assert not (demo_workspace / "outbox").exists()
    assert not list((demo_workspace / ".sitekeeper").glob("state/campaigns/**/ledger/*"))


def test_duplicates_unsubscribed_filter_and_consent_are_skipped_and_counted(demo_workspace):
    approve(demo_workspace)
    audience(demo_workspace).write_text(
        HEADER + "a@example.net,A,de,,2025-01-01,x\nA@Example.NET,A again,de,,2025-01-01,x\n"
        "gone@example.net,G,de,,2025-01-01,x\nnoconsent@example.net,N,de,,,x\nnot-an-address,X,de,,2025-01-01,x\n",
        encoding="utf-8")
    (demo_workspace / "campaigns" / BAKERY / "unsubscribed.csv").write_text("email\nGONE@example.net\n", encoding="utf-8")
    verbose = send(demo_workspace, SPEC, "--dry-run", "--verbose")
    assert "audience.csv:3: skipped (duplicate): A@Example.NET" in verbose.stderr
    res = result(send(demo_workspace, SPEC, "--json"))
    assert res["sent"] == 1
    assert {k: v for k, v in res["skipped"].items() if v} == {"duplicate": 1, "unsubscribed": 1, "no_consent": 1,
                                                               "invalid": 1}


def test_an_audience_filter_skips_the_rest_as_filtered(demo_workspace):
    edit(demo_workspace / "campaigns" / BAKERY / "adventsaktion.md", "audience: all", 'audience: "lang=en"')
    approve(demo_workspace)
    res = result(send(demo_workspace, SPEC, "--json"))
    english = sum(1 for line in audience(demo_workspace).read_text(encoding="utf-8").splitlines()[1:]
                  if ",en," in line and line.split(",")[4])
    assert res["sent"] == english > 0 and res["skipped"]["filtered"] > 0


def test_an_unapproved_campaign_is_never_sent(demo_workspace):
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 1
    assert result(r)["ok"] is False and "not approved" in r.stdout
    edit(demo_workspace / "campaigns" / BAKERY / "adventsaktion.md", "approved: false", "approved: true")
    r = send(demo_workspace, SPEC)
    assert r.returncode == 1 and "approved_hash" in r.stderr
    assert not (demo_workspace / "outbox").exists()


def test_a_sweep_skips_unapproved_campaigns_with_a_warning_and_exits_zero(demo_workspace):
    r = send(demo_workspace)
    assert r.returncode == 0, r.stderr
    assert "due but not approved" in r.stderr and not (demo_workspace / "outbox").exists()


def test_nothing_is_sent_before_send_at_or_on_and_after_ends(demo_workspace):
    approve(demo_workspace)
    early = send(demo_workspace, SPEC, now=BEFORE)
    assert early.returncode == 1 and "not due until 2026-11-24 09:00" in early.stderr
    late = send(demo_workspace, SPEC, now=AFTER)
    assert late.returncode == 1 and "too late to send" in late.stderr
    sweep = send(demo_workspace, now=AFTER)
    assert sweep.returncode == 0 and "not everyone got it" in sweep.stderr
    assert not (demo_workspace / "outbox").exists()


def test_an_audience_without_an_email_column_stops_the_send_with_its_line(demo_workspace):
    approve(demo_workspace)
    audience(demo_workspace).write_text("mail,name\na@example.net,A\n", encoding="utf-8")
    r = send(demo_workspace, SPEC)
    assert r.returncode == 1 and "audience.csv:1: error: audience.csv has no `email` column" in r.stderr
    assert not (demo_workspace / "outbox").exists()


def test_a_windows_1252_audience_is_read_with_a_warning_and_sent(demo_workspace):
    approve(demo_workspace)
    audience(demo_workspace).write_bytes((HEADER + "m@example.net,Jörg Müller,de,,2025-01-01,x\n").encode("cp1252"))
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 0, r.stderr
    assert result(r)["sent"] == 1 and "Windows-1252" in r.stdout
    assert len(list((demo_workspace / "outbox" / BAKERY / "adventsaktion").glob("m_at_example.net-*.eml"))) == 1


def test_campaign_list_shows_the_ledger_counts(demo_workspace):
    approve(demo_workspace)
    send(demo_workspace, SPEC)
    r = sk("campaign", "list", BAKERY, "--json", cwd=demo_workspace, now=DUE)
    [row] = [x for x in json_lines(r.stdout) if x.get("event") == "campaign"]
    assert row["sent"] == 6 and row["uncertain"] == 0 and row["send_state"] == "sent to 6"


# ---------------------------------------------------------------- headers


def test_headers_are_stable_plain_and_complete(demo_workspace):
    edit(site_toml(demo_workspace), "[mail]\n", '[mail]\nunsubscribe_url = "https://baeckerei-sonnenkorn.example/'
         'unsubscribe?t={token}&list=adventsaktion-with-a-long-name-to-force-folding"\n')
    approve(demo_workspace)
    send(demo_workspace, SPEC)
    folder = demo_workspace / "outbox" / BAKERY / "adventsaktion"
    [eml] = folder.glob("emily.harper*.eml")
    raw = eml.read_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    [unsub] = [line for line in lines if line.startswith(b"List-Unsubscribe:")]
    assert unsub.startswith(b"List-Unsubscribe: <https://baeckerei-sonnenkorn.example/unsubscribe?t=")
    assert b"=?utf-8?" not in unsub and b">, <mailto:abmelden@" in unsub
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    assert any(line.startswith(b"List-Id: <adventsaktion.baeckerei-sonnenkorn.") for line in lines)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"] == "emily.harper@example.com" and msg["Reply-To"] and msg["Date"]
    assert msg["Subject"] == "Our Advent offer: 10% off stollen and cookies"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert "Hauptstr" in msg.get_body(("plain",)).get_content() or "Sonnenkorn" in msg.get_body(("plain",)).get_content()
    first_id = msg["Message-ID"]
    # the same recipient sent again (after a reconcile) carries the same Message-ID
    ledger = demo_workspace / ".sitekeeper" / "state" / "campaigns" / BAKERY / "adventsaktion" / "ledger"
    for seg in ledger.iterdir():
        seg.unlink()
    eml.unlink()
    send(demo_workspace, SPEC)
    [again] = folder.glob("emily.harper*.eml")
    assert email.message_from_bytes(again.read_bytes(), policy=email.policy.default)["Message-ID"] == first_id


def test_dkim_signature_covers_list_unsubscribe_and_verifies_after_serialisation(demo_workspace, tmp_path):
    dkim = need_module("dkim", "pip install dkimpy, or bash scripts/setup.sh --test")
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    pub = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"], check=True,
                         capture_output=True).stdout
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(pub)
    edit(site_toml(demo_workspace), "[mail]\n", f'[mail]\ndkim_selector = "sk1"\ndkim_key_file = "{key}"\n')
    approve(demo_workspace)
    r = send(demo_workspace, SPEC)
    assert r.returncode == 0, r.stderr
    [eml] = (demo_workspace / "outbox" / BAKERY / "adventsaktion").glob("emily.harper*.eml")
    raw = eml.read_bytes()
    assert raw.startswith(b"DKIM-Signature:")
    sig = raw.split(b"\r\nFrom:", 1)[0]
    assert b"list-unsubscribe" in sig.lower()

    def dns(name, timeout=5):
        return record if name == b"sk1._domainkey.baeckerei-sonnenkorn.example." else None

    assert dkim.verify(raw, dnsfunc=dns)
    assert not dkim.verify(raw.replace(b"abmelden@", b"abmeldenX@"), dnsfunc=dns)


def test_a_dkim_key_inside_the_workspace_is_refused(demo_workspace):
    (demo_workspace / "dkim.pem").write_text("x")
    edit(site_toml(demo_workspace), "[mail]\n", '[mail]\ndkim_selector = "sk1"\ndkim_key_file = "dkim.pem"\n')
    approve(demo_workspace)
    r = send(demo_workspace, SPEC)
    assert r.returncode == 1 and "inside the workspace" in r.stderr
    assert not (demo_workspace / "outbox").exists()


# ---------------------------------------------------------------- SMTP faults


def received(server) -> Counter:
    return Counter(a for m in server.messages for a in m.rcpt_tos)


def test_smtp_451_is_retried_550_fails_that_recipient_and_the_run_goes_on(demo_workspace, smtp_fault_server):
    addresses = write_audience(demo_workspace, 8)
    smtp_fault_server.cues.update({addresses[1]: ["451", "451"], addresses[3]: ["550"]})
    use_smtp(demo_workspace, smtp_fault_server.port)
    approve(demo_workspace)
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 0, r.stderr
    res = result(r)
    assert res["sent"] == 7 and res["failed"] == 1 and res["uncertain"] == 0
    got = received(smtp_fault_server)
    assert got[addresses[1]] == 1 and addresses[3] not in got and max(got.values()) == 1
    failed = [x for x in json_lines(r.stdout) if x.get("event") == "failed"]
    assert failed[0]["address"] == addresses[3] and "550" in failed[0]["message"]
    # a permanent failure is not retried by the next run (5.1.1: the mailbox is gone, so the
    # address is on unsubscribed.csv now and skipped as such, before the ledger is asked)
    again = result(send(demo_workspace, SPEC, "--json"))
    assert again["sent"] == 0 and again["skipped"]["unsubscribed"] == 1 and again["skipped"]["already_sent"] == 7


def test_a_connection_dropped_before_the_message_is_reopened_and_the_message_sent(demo_workspace, smtp_fault_server):
    addresses = write_audience(demo_workspace, 4)
    smtp_fault_server.cues[addresses[2]] = ["drop-rcpt"]
    use_smtp(demo_workspace, smtp_fault_server.port)
    approve(demo_workspace)
    res = result(send(demo_workspace, SPEC, "--json"))
    assert res["sent"] == 4 and res["uncertain"] == 0
    assert received(smtp_fault_server) == Counter(addresses)


def test_a_drop_after_data_is_uncertain_reported_and_settled_by_reconcile(demo_workspace, smtp_fault_server):
    addresses = write_audience(demo_workspace, 5)
    smtp_fault_server.cues[addresses[2]] = ["drop"]
    use_smtp(demo_workspace, smtp_fault_server.port)
    approve(demo_workspace)
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 1  # uncertain sends need a person
    events = json_lines(r.stdout)
    [summary] = [e for e in events if e.get("event") == "campaign"]
    assert summary["sent"] == 4 and summary["uncertain"] == 1
    assert "reconcile" in json.dumps(events[-1])
    again = result(send(demo_workspace, SPEC, "--json"))  # not re-sent automatically
    assert again["skipped"]["uncertain"] == 1 and again["sent"] == 0
    listed = sk("campaign", "reconcile", SPEC, cwd=demo_workspace, now=DUE)
    assert listed.returncode == 0 and addresses[2] in listed.stdout
    settled = sk("campaign", "reconcile", SPEC, "--mark-sent", "--json", cwd=demo_workspace, now=DUE)
    assert result(settled)["settled"] == 1
    final = result(send(demo_workspace, SPEC, "--json"))
    assert final["skipped"]["already_sent"] == 5 and final["skipped"]["uncertain"] == 0
    assert received(smtp_fault_server) == Counter(addresses)


def test_reconcile_resend_releases_the_uncertain_ones_for_the_next_send(demo_workspace, smtp_fault_server):
    addresses = write_audience(demo_workspace, 3)
    smtp_fault_server.cues[addresses[0]] = ["drop"]
    use_smtp(demo_workspace, smtp_fault_server.port)
    approve(demo_workspace)
    send(demo_workspace, SPEC)
    r = sk("campaign", "reconcile", SPEC, "--resend", "--only", addresses[0], cwd=demo_workspace, now=DUE)
    assert r.returncode == 0 and "released" in r.stdout
    res = result(send(demo_workspace, SPEC, "--json"))
    assert res["sent"] == 1
    assert received(smtp_fault_server)[addresses[0]] == 2  # asked for explicitly: the server got it twice


def test_smtp_auth_refused_stops_before_anything_is_recorded(demo_workspace, smtp_tls_server, monkeypatch):
    write_audience(demo_workspace, 3)
    edit(site_toml(demo_workspace), "[mail]\n",
         f'[mail]\ntransport = "smtp://localhost:{smtp_tls_server.port}"\ntls = "starttls"\n'
         'username_env = "BAKERY_SMTP_USER"\npassword_env = "BAKERY_SMTP_PASSWORD"\n')
    approve(demo_workspace)
    r = send(demo_workspace, SPEC, env={"SSL_CERT_FILE": smtp_tls_server.cafile, "BAKERY_SMTP_USER": "tester",
                                        "BAKERY_SMTP_PASSWORD": "wrong"})
    assert r.returncode == 1 and "refused the login" in r.stderr and "wrong" not in r.stderr
    assert not list((demo_workspace / ".sitekeeper").glob("state/campaigns/**/ledger/*"))
    ok = send(demo_workspace, SPEC, "--json", env={"SSL_CERT_FILE": smtp_tls_server.cafile,
                                                   "BAKERY_SMTP_USER": "tester", "BAKERY_SMTP_PASSWORD": "s3cret-test"})
    assert result(ok)["sent"] == 3 and len(smtp_tls_server.messages) == 3


def test_kill_9_halfway_then_resume_sends_the_rest_and_nobody_twice(demo_workspace, smtp_fault_server):
    addresses = write_audience(demo_workspace, 120)
    use_smtp(demo_workspace, smtp_fault_server.port, "rate_per_second = 40\n")
    approve(demo_workspace)
    env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    env.update(FAST, SITEKEEPER_NOW=DUE)
    proc = subprocess.Popen([sys.executable, "-m", "sitekeeper", "campaign", "send", SPEC], cwd=demo_workspace,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(smtp_fault_server.messages) < 40 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the send finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = received(smtp_fault_server)
    assert 40 <= sum(before.values()) < 120
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 0, r.stderr
    res = result(r)
    got = received(smtp_fault_server)
    assert max(got.values()) == 1  # nobody twice
    uncertain = res["skipped"]["uncertain"]
    assert uncertain <= 25  # at most one batch
    assert res["skipped"]["already_sent"] + uncertain + res["sent"] == 120
    missing = set(addresses) - set(got)
    listed = result(sk("campaign", "reconcile", SPEC, "--json", cwd=demo_workspace, now=DUE))
    assert missing <= {u["address"] for u in listed["uncertain"]}
    assert len(listed["uncertain"]) == uncertain


# ---------------------------------------------------------------- S3 state store, two runners, SES


def _s3_state(ws: Path, s3_server, bucket: str) -> None:
    import boto3

    boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    (ws / "sitekeeper.toml").write_text(f'state = "s3://{bucket}/state"\nendpoint_url = "{s3_server.endpoint}"\n'
                                        'region = "us-east-1"\n', encoding="utf-8")


def test_two_runners_sharing_an_s3_state_store_cannot_both_send(demo_workspace, smtp_fault_server, s3_server, aws_env):
    _s3_state(demo_workspace, s3_server, "send-two-runners")
    addresses = write_audience(demo_workspace, 60)
    # The server holds its answer to the second message until the second runner has tried, so
    # the first runner is mid-send however slowly a loaded machine starts the second.
    smtp_fault_server.cues[addresses[1].lower()] = ["hold"]
    use_smtp(demo_workspace, smtp_fault_server.port)
    approve(demo_workspace)
    env = {k: v for k, v in os.environ.items() if k != "SITEKEEPER_NOW"}
    env.update(FAST, SITEKEEPER_NOW=DUE)
    first = subprocess.Popen([sys.executable, "-m", "sitekeeper", "campaign", "send", SPEC, "--json"],
                             cwd=demo_workspace, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    held = addresses[1].lower()
    while (not any(held in (r.lower() for r in m.rcpt_tos) for m in list(smtp_fault_server.messages))
           and first.poll() is None and time.monotonic() < deadline):
        time.sleep(0.02)
    try:
        second = send(demo_workspace, SPEC, "--json")
    finally:
        smtp_fault_server.release.set()
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 1 and "is being sent by" in second.stdout
    assert json_lines(out)[-1]["sent"] == 60
    assert received(smtp_fault_server) == Counter(addresses)
    # a fresh runner (no local state at all) sees the shared ledger
    assert not (demo_workspace / ".sitekeeper" / "state").exists()
    assert result(send(demo_workspace, SPEC, "--json"))["skipped"]["already_sent"] == 60


def test_send_through_ses_reads_the_quota_and_sends_raw_messages(demo_workspace, s3_server, aws_env):
    # moto's server stands in for Amazon SES (no real SES can run here); its account allows 1 message a second.
    import boto3
    import urllib.request

    ses = boto3.client("ses", region_name="eu-central-1", endpoint_url=s3_server.endpoint)
    ses.verify_domain_identity(Domain="baeckerei-sonnenkorn.example")
    write_audience(demo_workspace, 3, start=500)
    edit(site_toml(demo_workspace), "[mail]\n",
         f'[mail]\ntransport = "ses"\nregion = "eu-central-1"\nendpoint_url = "{s3_server.endpoint}"\n')
    approve(demo_workspace)
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 0, r.stderr
    assert result(r)["sent"] == 3
    state = json.dumps(json.load(urllib.request.urlopen(s3_server.endpoint + "/moto-api/data.json"))["ses"])
    assert all(f"reader{i:05d}@example.net" in state for i in range(500, 503))


def test_a_sent_campaign_stays_readable_on_the_site_after_the_promotion_ends(tmp_path):
    from helpers import copy_workspace

    ws = copy_workspace("mini", tmp_path)
    promo = "mini/fruehling"
    assert sk("campaign", "approve", promo, "--by", "Frau Weber", cwd=ws, now="2026-02-20T10:00:00+01:00").returncode == 0
    text = (ws / "campaigns/mini/fruehling.md").read_text(encoding="utf-8")
    assert "send_at:" in text
    before = sk("build", "mini", "--out", "before", cwd=ws, now="2026-02-20T10:00:00+01:00")
    assert before.returncode == 0, before.stderr
    # before it is sent, no web copy and no archive (only the unsubscribe page lives there)
    assert not (ws / "before/newsletter/fruehling").exists() and not (ws / "before/newsletter/index.html").exists()
    after = sk("build", "mini", "--out", "after", cwd=ws, now="2026-06-01T10:00:00+02:00")
    assert after.returncode == 0, after.stderr
    assert not (ws / "after/promotions/fruehling").exists()          # the promotion ended
    page = (ws / "after/newsletter/fruehling/index.html").read_text(encoding="utf-8")
    assert "Frühling im Café" in page
    assert "/newsletter/fruehling/" in (ws / "after/newsletter/index.html").read_text(encoding="utf-8")
    assert (ws / "after/en/newsletter/fruehling/index.html").is_file()
    prev = sk("campaign", "preview", promo, "--no-proof", "--out", "prev", cwd=ws, now="2026-03-05T10:00:00+01:00")
    assert prev.returncode == 0, prev.stderr
    assert "https://mini.example/newsletter/fruehling/" in (ws / "prev/de.html").read_text(encoding="utf-8")


def test_ses_daily_quota_stops_the_send_and_a_later_run_sends_only_the_rest(demo_workspace, s3_server, aws_env):
    # moto's server stands in for Amazon SES (no real SES can run here): 200 messages a day and
    # 1 a second, counted per region. A region of this test's own keeps its count apart from
    # the other tests', and a second fresh region stands in for the next day's quota.
    import boto3

    used_up, next_day = "ap-southeast-2", "ap-northeast-3"
    ses = boto3.client("ses", region_name=used_up, endpoint_url=s3_server.endpoint)
    for region in (used_up, next_day):
        boto3.client("ses", region_name=region, endpoint_url=s3_server.endpoint).verify_domain_identity(
            Domain="baeckerei-sonnenkorn.example")
    for i in range(int(198 - ses.get_send_quota()["SentLast24Hours"])):  # the account's other mail today
        ses.send_raw_email(Source="news@baeckerei-sonnenkorn.example", Destinations=[f"other{i}@example.org"],
                           RawMessage={"Data": b"Subject: x\r\n\r\nx\r\n"})
    write_audience(demo_workspace, 5, start=700)
    edit(site_toml(demo_workspace), "[mail]\n",
         f'[mail]\ntransport = "ses"\nregion = "{used_up}"\nendpoint_url = "{s3_server.endpoint}"\n')
    approve(demo_workspace)

    r = send(demo_workspace, SPEC)
    assert r.returncode == 0, r.stderr
    assert "may send 2 more messages in the next 24 hours: 3 are left for a later run" in r.stderr
    assert "sent 2 via ses, 3 deferred; stopped at the SES daily quota" in r.stdout
    count = ses.get_send_quota()["SentLast24Hours"]
    assert count >= 200  # (moto counts a message's To: header beside its destination: 2 each)

    # Still used up: the next run sends nothing and says so.
    again = result(send(demo_workspace, SPEC, "--json"))
    assert again["sent"] == 0 and again["deferred"] == 3 and again["stopped"] == "quota"
    assert again["skipped"]["already_sent"] == 2 and ses.get_send_quota()["SentLast24Hours"] == count

    # A fresh quota: the run sends the three that waited, and nobody gets it twice.
    edit(site_toml(demo_workspace), f'region = "{used_up}"', f'region = "{next_day}"')
    fresh = boto3.client("ses", region_name=next_day, endpoint_url=s3_server.endpoint)
    before = fresh.get_send_quota()["SentLast24Hours"]
    last = result(send(demo_workspace, SPEC, "--json"))
    assert last["sent"] == 3 and last["skipped"]["already_sent"] == 2 and not last.get("stopped")
    assert fresh.get_send_quota()["SentLast24Hours"] > before
