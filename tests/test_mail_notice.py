"""sitekeeper.mail.notice: one service message through the client's transport (a real SMTP
server, aiosmtpd on 127.0.0.1, answering as Postfix does; the outbox), what it fills in, what
it leaves out (no List-Unsubscribe, no Precedence: bulk), and the DKIM signature."""
from __future__ import annotations

import base64
import email
import email.policy
import socket
from datetime import datetime, timezone
from email.message import EmailMessage

import pytest

from helpers import need_module

from sitekeeper.config import find_workspace, load_site
from sitekeeper.errors import ProblemsError
from sitekeeper.mail.notice import send_notice

CLIENT = "baeckerei-sonnenkorn"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class _Postfix:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, _server, _session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return f"250 2.0.0 Ok: queued as 7QX{len(self.messages):03d}Z"


@pytest.fixture
def postfix():
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Postfix()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def _smtp(ws, port: int, extra: str = "") -> None:
    toml = ws / "sites" / CLIENT / "site.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("[mail]\n", f'[mail]\ntransport = "smtp://127.0.0.1:{port}"\ntls = "none"\n{extra}', 1),
                    encoding="utf-8")


def _notice(to: str = "jana@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = to
    msg["Subject"] = "Ihre Freigabe ist angekommen – Adventsaktion"
    msg.set_content("Danke, Frau Brandt.\n" + "Lange Zeile " * 200)
    return msg


def test_a_notice_goes_through_smtp_with_the_queue_id_and_what_every_notice_carries(demo_workspace, postfix):
    port, server = postfix
    _smtp(demo_workspace, port)
    ws = find_workspace()
    cfg = load_site(ws, CLIENT)
    sent = send_notice(ws, cfg, _notice(), now=NOW)
    assert sent.id == "7QX001Z" and sent.transport == f"smtp://127.0.0.1:{port}"
    (mail_from, rcpts, data), = server.messages
    assert mail_from == "news@baeckerei-sonnenkorn.example" and rcpts == ["jana@example.org"]
    head = data.split(b"\r\n\r\n", 1)[0]
    assert b"List-Unsubscribe" not in head and b"Precedence" not in head
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["From"] == "Bäckerei Sonnenkorn <news@baeckerei-sonnenkorn.example>"
    assert msg["Reply-To"] == "info@baeckerei-sonnenkorn.example"
    assert msg["Message-ID"] == sent.message_id and sent.message_id.endswith("@baeckerei-sonnenkorn.example>")
    assert msg["Subject"] == sent.subject == "Ihre Freigabe ist angekommen – Adventsaktion"
    assert msg["Date"] == "Tue, 01 Dec 2026 09:00:00 +0000"
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_a_notice_without_a_transport_lands_in_the_outbox(demo_workspace):
    ws = find_workspace()
    cfg = load_site(ws, CLIENT)
    sent = send_notice(ws, cfg, _notice(), now=NOW, folder="approvals", name="confirm-1")
    assert sent.transport == "outbox"
    path = demo_workspace / "outbox" / CLIENT / "approvals" / "20261201T090000-confirm-1.eml"
    assert sent.id == str(path) and path.is_file()
    assert email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["To"] == "jana@example.org"


def test_a_notice_to_two_people_or_without_a_from_is_refused_before_anything_goes(demo_workspace, postfix):
    port, server = postfix
    _smtp(demo_workspace, port)
    ws = find_workspace()
    cfg = load_site(ws, CLIENT)
    with pytest.raises(ProblemsError, match="exactly one"):
        send_notice(ws, cfg, _notice("a@example.org, b@example.org"), now=NOW)
    toml = demo_workspace / "sites" / CLIENT / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'from = "Bäckerei Sonnenkorn <news@baeckerei-sonnenkorn.example>"\n', ""), encoding="utf-8")
    with pytest.raises(ProblemsError, match=r"\[mail\] from"):
        send_notice(ws, load_site(ws, CLIENT), _notice(), now=NOW)
    assert server.messages == []


def test_a_notice_is_dkim_signed_when_the_client_signs(demo_workspace, postfix, tmp_path):
    dkim = need_module("dkim", "pip install dkimpy, or bash scripts/setup.sh --test")
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()))
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(
        key.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo))
    port, server = postfix
    _smtp(demo_workspace, port, f'dkim_selector = "sk1"\ndkim_key_file = "{pem}"\n')
    ws = find_workspace()
    send_notice(ws, load_site(ws, CLIENT), _notice(), now=NOW)
    (_, _, data), = server.messages

    def dns(name, timeout=5):
        return record if name == b"sk1._domainkey.baeckerei-sonnenkorn.example." else None

    assert data.count(b"DKIM-Signature:") == 1 and dkim.verify(data, dnsfunc=dns)
