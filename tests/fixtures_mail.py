"""Mail fixtures: a real SMTP server on 127.0.0.1 (aiosmtpd), plain or with STARTTLS and AUTH.

``smtp_server`` accepts anything without TLS (sitekeeper allows tls = "none" on loopback
only). ``smtp_tls_server`` requires STARTTLS and a login (user "tester", password
"s3cret-test"), with a self-signed certificate made for the run; point
``SSL_CERT_FILE`` at ``server.cafile`` so the client trusts it.
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    data: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list = field(default_factory=list)
    logins: list = field(default_factory=list)
    cafile: str | None = None


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, _server, session, envelope):
        self.server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def smtp_tls_server(tmp_path_factory):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = _self_signed(folder)
    server = SmtpServer("127.0.0.1", _free_port(), cafile=str(cert))

    def authenticator(_server, _session, _envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"tester" and auth_data.password == b"s3cret-test"
        if ok:
            server.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=server.port, tls_context=context,
                            require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


class _FaultHandler(_Handler):
    """Answers on cue, per recipient address: ``cues[address]`` is a list of actions used
    one per attempt ("451", "550", "drop": close the connection after the message without a
    reply, "drop-rcpt": close it at RCPT, "hold": take the message and answer only once
    ``server.release`` is set); no cue left: accept."""

    def __init__(self, server: SmtpServer, cues: dict):
        super().__init__(server)
        self.cues = cues

    def _next(self, address: str):
        actions = self.cues.get(address.lower())
        return actions.pop(0) if actions else None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        action = self._next(address)
        if action == "451":
            return "451 4.7.1 try again later"
        if action == "550":
            return "550 5.1.1 no such user"
        if action == "drop-rcpt":
            session.fault_drop = False
            server.transport.close()
            return "421 closing"
        session.fault = action
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if getattr(session, "fault", None) == "hold":
            session.fault = None
            while not self.server.release.is_set():
                await asyncio.sleep(0.02)
        if getattr(session, "fault", None) == "drop":
            session.fault = None
            server.transport.abort()  # the message is in; its answer never leaves
        return "250 OK"


@pytest.fixture
def smtp_fault_server():
    """A plain SMTP server on 127.0.0.1 with ``server.cues`` to answer 451/550, drop or hold on cue."""
    from aiosmtpd.controller import Controller

    server = SmtpServer("127.0.0.1", _free_port())
    server.cues = {}
    server.release = threading.Event()
    controller = Controller(_FaultHandler(server, server.cues), hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
