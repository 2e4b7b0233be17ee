"""Transports: where a message goes. Chosen by [mail] transport:

    outbox (default)   .eml files under outbox/<client>/ in the workspace
    smtp://host:port   smtplib; tls = starttls | implicit | none (none: loopback only);
                       user and password from the variables named by username_env/password_env
    ses                Amazon SES v2 SendEmail with raw content (sitekeeper.mail.ses, boto3)

Each has ``send(msg, to) -> str`` (an id or path for the log) and ``close()``. Vendor
exceptions become ``MailError`` naming the transport, never a credential, with an
``outcome``: "refused" when the message was certainly not delivered (a refused connection
or login, an SMTP 4xx/5xx answer to MAIL, RCPT, DATA or the message) and "uncertain" when it
may have been (the connection dropped or timed out once the message's bytes were on their
way: the server may have accepted it without our hearing the answer).
"""
from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
from email.utils import parseaddr
from pathlib import Path

from ..errors import MailError
from .message import to_bytes


class OutboxTransport:
    name = "outbox"

    def __init__(self, folder: Path, label: str):
        self.folder = folder
        self.label = label

    def send(self, msg, to: str) -> str:
        data = to_bytes(msg)
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()[:10]
        path = self.folder / f"{self.label}-{to.replace('@', '_at_').replace('/', '_')}-{digest}.eml"
        tmp = path.with_suffix(".eml.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        return str(path)

    def close(self) -> None:
        pass


class SmtpTransport:
    def __init__(self, host: str, port: int, tls: str, username: str | None, password: str | None, timeout: float = 30):
        self.name = f"smtp://{host}:{port}"
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password = username, password
        self.timeout = timeout
        self.conn = None

    def _connect(self):
        try:
            if self.tls == "implicit":
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.tls == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if self.username:
                conn.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"{self.name}: the server refused the login ({exc.smtp_code})",
                            "check the user name and password in the variables named by username_env/password_env",
                            outcome="refused") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"{self.name}: the server does not offer STARTTLS",
                            "use tls = \"implicit\" (port 465)", outcome="refused") from exc
        except ssl.SSLError as exc:
            raise MailError(f"{self.name}: TLS failed: {exc.reason or exc}",
                            "check the host name and its certificate", outcome="refused") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{self.name}: cannot connect: {exc}",
                            "check the host and port of [mail] transport and that the server is up",
                            outcome="refused") from exc
        return conn

    def send(self, msg, to: str) -> str:
        if self.conn is None:
            self.conn = self._connect()
        from_addr = parseaddr(str(msg["From"]))[1]
        try:
            _send(self.conn, from_addr, to, to_bytes(msg))
        except _Refused as exc:
            self._drop()
            raise MailError(f"{self.name}: the server refused the recipient {to}: {exc.detail}"
                            if exc.stage == "rcpt" else f"{self.name}: sending to {to} failed: {exc.detail}",
                            "check the address and the server's answer; the message was not delivered",
                            outcome="refused") from exc
        except _Uncertain as exc:
            self._drop()
            raise MailError(f"{self.name}: sending to {to}: the connection was lost after the message was sent "
                            f"({exc.detail}); it may have been delivered",
                            "do not resend blindly: `sitekeeper campaign reconcile` settles uncertain sends",
                            outcome="uncertain") from exc
        return str(msg["Message-ID"])

    def _drop(self) -> None:
        """After a failed send the SMTP dialogue is in an unknown state: start afresh next time."""
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.conn = None


class _Refused(Exception):
    def __init__(self, stage: str, detail: str):
        super().__init__(detail)
        self.stage, self.detail = stage, detail


class _Uncertain(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send(conn: smtplib.SMTP, from_addr: str, to: str, data: bytes) -> None:
    """One message over an open connection, step by step (smtplib's ``sendmail`` does not
    tell a refusal from a lost answer): MAIL, RCPT, DATA, the message, then the final reply.
    Raises ``_Refused`` up to and including a 4xx/5xx final reply, ``_Uncertain`` when the
    connection fails once the message's bytes started going out."""
    def step(stage: str, fn, *args):
        try:
            code, reply = fn(*args)
        except (OSError, smtplib.SMTPException) as exc:
            raise _Refused(stage, f"{stage.upper()}: {exc}") from exc
        return code, reply

    try:
        conn.ehlo_or_helo_if_needed()
    except (OSError, smtplib.SMTPException) as exc:
        raise _Refused("mail", f"EHLO: {exc}") from exc
    code, reply = step("mail", conn.mail, from_addr)
    if code != 250:
        conn.rset()
        raise _Refused("mail", f"MAIL FROM answered {code} {reply.decode('utf-8', 'replace')}")
    code, reply = step("rcpt", conn.rcpt, to)
    if code not in (250, 251):
        conn.rset()
        raise _Refused("rcpt", f"{{{to!r}: ({code}, {reply!r})}}")
    code, reply = step("data", conn.docmd, "DATA")
    if code != 354:
        raise _Refused("data", f"DATA answered {code} {reply.decode('utf-8', 'replace')}")
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        # From here on the server may accept the message even if we never hear its answer.
        conn.send(body + b".\r\n")
        code, reply = conn.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        raise _Uncertain(str(exc) or type(exc).__name__) from exc
    if code != 250:
        raise _Refused("message", f"the message was answered {code} {reply.decode('utf-8', 'replace')}")


def _env(mail, key: str, cfg) -> str | None:
    name = getattr(mail, key)
    if not name:
        return None
    value = os.environ.get(name)
    if value is None:
        raise MailError(f"{cfg.path}: [mail] {key} names the environment variable {name}, which is not set",
                        f"export {name}=... before running (the value is never written to a file)",
                        path=cfg.path, line=cfg.line_of("mail", key))
    return value


def open_transport(ws, cfg, label: str):
    mail = cfg.mail
    transport = mail.transport
    if transport.kind == "outbox":
        return OutboxTransport(ws.root / "outbox" / cfg.client, label)
    if transport.kind == "ses":
        from .ses import SesTransport

        return SesTransport(region=mail.region, endpoint_url=mail.endpoint_url,
                            configuration_set=mail.configuration_set)
    return SmtpTransport(transport.host, transport.port, transport.tls, _env(mail, "username_env", cfg),
                         _env(mail, "password_env", cfg))
