"""Transports: where a message goes. Chosen by [mail] transport:

    outbox (default)   .eml files under outbox/<client>/ in the workspace
    smtp://host:port   smtplib; tls = starttls | implicit | none (none: loopback only);
                       user and password from the variables named by username_env/password_env
    ses                Amazon SES v2 SendEmail with raw content (sitekeeper.mail.ses, boto3)

Each has ``send(msg, to) -> str`` (an id or path for the log) and ``close()``. Vendor
exceptions become ``MailError`` naming the transport, never a credential.
"""
from __future__ import annotations

import hashlib
import os
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
            raise MailError(f"{self.name}: the server refused the login ({exc.smtp_code}); "
                            "check the user name and password in the variables named by username_env/password_env") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"{self.name}: the server does not offer STARTTLS; use tls = \"implicit\" (port 465)") from exc
        except ssl.SSLError as exc:
            raise MailError(f"{self.name}: TLS failed: {exc.reason or exc}; check the host name and its certificate") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{self.name}: cannot connect: {exc}") from exc
        return conn

    def send(self, msg, to: str) -> str:
        if self.conn is None:
            self.conn = self._connect()
        from_addr = parseaddr(str(msg["From"]))[1]
        try:
            self.conn.sendmail(from_addr, [to], to_bytes(msg))
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"{self.name}: the server refused the recipient {to}: {exc.recipients}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{self.name}: sending to {to} failed: {exc}") from exc
        return str(msg["Message-ID"])

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.conn = None


def _env(mail, key: str, cfg) -> str | None:
    name = getattr(mail, key)
    if not name:
        return None
    value = os.environ.get(name)
    if value is None:
        raise MailError(f"{cfg.path}: [mail] {key} names the environment variable {name}, which is not set; "
                        f"export {name}=... before running (the value is never written to a file)")
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
