"""`report CLIENT --send`: the report mailed to a real SMTP server (aiosmtpd on 127.0.0.1),
with the server's queue id recorded and shown."""
from __future__ import annotations

import email
import email.policy
import json
import socket

import pytest

from helpers import json_lines, sk

NOW = "2026-12-02T09:00:00+01:00"
CLIENT = "baeckerei-sonnenkorn"


class _Queueing:
    """Answers each message as Postfix does, naming the queue id it was given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return f"250 2.0.0 Ok: queued as 4QX{len(self.messages):04d}AB"


@pytest.fixture
def queueing_smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Queueing()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def _use_smtp(ws, port: int) -> None:
    toml = ws / "sites" / CLIENT / "site.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{port}"\ntls = "none"\n', 1),
                    encoding="utf-8")


def _result(r) -> dict:
    return json_lines(r.stdout)[-1]


def test_the_report_goes_to_business_email_in_german_with_the_queue_id_recorded(demo_workspace, queueing_smtp):
    port, server = queueing_smtp
    _use_smtp(demo_workspace, port)
    r = sk("report", CLIENT, "--month", "2026-11", "--no-pdf", "--allow-gaps", "--send", "--json",
           cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, r.stderr
    sent = _result(r)["sent"]
    assert sent["id"] == "4QX0001AB" and sent["to"] == "info@baeckerei-sonnenkorn.example"
    (rcpts, data), = server.messages
    assert rcpts == ["info@baeckerei-sonnenkorn.example"]
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"].startswith("Tätigkeitsbericht") and "Bäckerei Sonnenkorn" in msg["Subject"]
    assert msg["Message-ID"] == sent["message_id"]
    html = msg.get_body(("html",)).get_content()
    assert "Tätigkeitsbericht" in html and "<html" in html.lower()
    # status shows the last report sent
    st = sk("status", CLIENT, "--json", cwd=demo_workspace, now=NOW)
    row = _result(st)["clients"][0]
    assert row["last_report"]["id"] == "4QX0001AB" and row["last_report"]["period"] == "2026-11"


def test_to_an_address_sends_there_and_in_the_language_asked(demo_workspace, queueing_smtp):
    port, server = queueing_smtp
    _use_smtp(demo_workspace, port)
    r = sk("report", CLIENT, "--month", "2026-11", "--no-pdf", "--allow-gaps", "--lang", "en", "--send",
           "--to", "owner@example.org", "--json", cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, r.stderr
    (rcpts, data), = server.messages
    assert rcpts == ["owner@example.org"]
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"].startswith("Activity report")


@pytest.mark.usefixtures("chromium")  # the PDF needs Debian's chromium
def test_the_pdf_is_attached(demo_workspace, queueing_smtp):
    port, server = queueing_smtp
    _use_smtp(demo_workspace, port)
    r = sk("report", CLIENT, "--month", "2026-11", "--allow-gaps", "--send", "--json", cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, r.stderr
    (_, data), = server.messages
    msg = email.message_from_bytes(data, policy=email.policy.default)
    (pdf,) = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF")


def test_without_a_recipient_or_with_a_bad_one_nothing_is_made_or_sent(demo_workspace, queueing_smtp):
    port, server = queueing_smtp
    _use_smtp(demo_workspace, port)
    toml = demo_workspace / "sites" / CLIENT / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('email = "info@baeckerei-sonnenkorn.example"\n', ""),
                    encoding="utf-8")
    out = demo_workspace / "rep"
    r = sk("report", CLIENT, "--month", "2026-11", "--no-pdf", "--allow-gaps", "--send", "--out", str(out),
           cwd=demo_workspace, now=NOW)
    assert r.returncode == 1 and "[business] email" in r.stderr and "site.toml" in r.stderr
    assert "Traceback" not in r.stderr
    r = sk("report", CLIENT, "--month", "2026-11", "--send", "--to", "not@", "--out", str(out),
           cwd=demo_workspace, now=NOW)
    assert r.returncode == 1 and "--to" in r.stderr
    r = sk("report", CLIENT, "--month", "2026-11", "--to", "owner@example.org", cwd=demo_workspace, now=NOW)
    assert r.returncode == 2 and "--send" in r.stderr
    assert server.messages == [] and not out.exists()


def test_outbox_send_is_recorded_too(demo_workspace):
    r = sk("report", CLIENT, "--month", "2026-11", "--no-pdf", "--allow-gaps", "--send", "--json",
           cwd=demo_workspace, now=NOW)
    assert r.returncode == 0, r.stderr
    sent = _result(r)["sent"]
    eml = list((demo_workspace / "outbox" / CLIENT / "reports").glob("*.eml"))
    assert len(eml) == 1 and sent["id"] == str(eml[0])
    assert json.loads(json.dumps(sent))["transport"] == "outbox"


def test_tick_mails_last_months_report_on_report_day_once(demo_workspace, queueing_smtp):
    port, server = queueing_smtp
    _use_smtp(demo_workspace, port)
    toml = demo_workspace / "sites" / CLIENT / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('timezone = "Europe/Berlin"\n',
                                                               'timezone = "Europe/Berlin"\nreport_day = 3\n'),
                    encoding="utf-8")

    def tick(now: str, *args: str) -> dict:
        r = sk("tick", *args, "--json", cwd=demo_workspace, now=now)
        row = next(c for c in _result(r)["clients"] if c["client"] == CLIENT)
        return row

    assert tick("2026-12-02T23:30:00+01:00")["report"] is None
    assert server.messages == []
    assert tick("2026-12-03T07:00:00+01:00", "--dry-run")["report"] == {"would_send": "2026-11"}
    assert server.messages == []
    sent = tick("2026-12-03T07:00:00+01:00")["report"]
    assert sent["period"] == "2026-11" and sent["id"] == "4QX0001AB"
    assert len(server.messages) == 1
    assert tick("2026-12-03T07:15:00+01:00")["report"] is None
    assert tick("2026-12-20T07:15:00+01:00")["report"] is None
    assert len(server.messages) == 1
