"""What a campaign send does for the mailbox, on the wire of a real SMTP server (aiosmtpd on
127.0.0.1): every campaign message says ``Precedence: bulk``; a mailbox refused as gone
(550 5.1.1) is on unsubscribed.csv for the next campaign."""
from __future__ import annotations

from test_send import SPEC, approve, send, use_smtp, write_audience


def test_every_campaign_message_says_precedence_bulk_on_the_wire(demo_workspace, smtp_server):
    addresses = write_audience(demo_workspace, 3)
    use_smtp(demo_workspace, smtp_server.port)
    approve(demo_workspace)
    r = send(demo_workspace, SPEC, "--json")
    assert r.returncode == 0, r.stderr
    assert sorted(a for m in smtp_server.messages for a in m.rcpt_tos) == addresses
    for m in smtp_server.messages:
        head = m.data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        assert head.count(b"Precedence: bulk") == 1, head


def test_a_mailbox_that_does_not_exist_at_send_time_is_never_mailed_by_the_next_campaign(demo_workspace, smtp_fault_server):
    import shutil

    from helpers import sk
    from helpers import result
    from test_send import BAKERY, BEFORE

    from sitekeeper.mail.dead import dead_status

    ws = demo_workspace
    addresses = write_audience(ws, 5)
    dead = addresses[1]
    smtp_fault_server.cues.update({dead: ["550"]})  # 550 5.1.1 no such user
    use_smtp(ws, smtp_fault_server.port)
    approve(ws)
    first = send(ws, SPEC, "--json")
    assert first.returncode == 0, first.stderr
    assert result(first)["failed"] == 1
    optouts = (ws / "campaigns" / BAKERY / "unsubscribed.csv").read_text(encoding="utf-8")
    [row] = [line for line in optouts.splitlines() if line.startswith(dead)]
    assert row.endswith(",bounce 5.1.1,smtp")

    # a second campaign of the same client skips the dead address, and mails everyone else once
    folder = ws / "campaigns" / BAKERY
    for suffix in (".md", ".en.md"):
        shutil.copy(folder / f"adventsaktion{suffix}", folder / f"neujahr{suffix}")
    r = sk("campaign", "approve", f"{BAKERY}/neujahr", "--by", "Frau Weber", cwd=ws, now=BEFORE)
    assert r.returncode == 0, r.stderr
    smtp_fault_server.messages.clear()
    second = send(ws, f"{BAKERY}/neujahr", "--json")
    assert second.returncode == 0, second.stderr
    res = result(second)
    assert res["skipped"]["unsubscribed"] == 1 and res["failed"] == 0 and res["sent"] == 4
    assert sorted(a for m in smtp_fault_server.messages for a in m.rcpt_tos) == [a for a in addresses if a != dead]

    # only a mailbox that is gone counts: a full mailbox or a spam refusal stays per campaign
    assert dead_status("smtp: the server refused the recipient x@y: 550 5.1.1 no such user") == "5.1.1"
    assert dead_status("552 5.2.2 mailbox full") is None
    assert dead_status("550 5.7.1 message refused as spam") is None
    assert dead_status("550 Requested action not taken: mailbox unavailable, user unknown") == "5.1.1"
