"""What a campaign send does for the mailbox, on the wire of a real SMTP server (aiosmtpd on
127.0.0.1): every campaign message says ``Precedence: bulk``."""
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
