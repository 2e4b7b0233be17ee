"""Transports: where a message goes. Chosen by [mail] transport:

    outbox (default)   .eml files under outbox/<client>/ in the workspace
    smtp://host:port   smtplib; tls = starttls | implicit | none (none: loopback only);
                       user and password from the variables named by username_env/password_env
    ses                Amazon SES v2 SendEmail with raw content (sitekeeper.mail.ses, boto3)

Each has ``open()`` (connect now), ``send(out: Outgoing) -> str`` (an id or path for the
log) and ``close()``. Vendor exceptions become ``MailError`` naming the transport, never a
credential: ``TransportDown`` when nothing more can go (connection or login refused, the
sender refused), ``SendRefused`` for one recipient (``permanent`` for a 5xx; a 4xx is
retried with backoff first, and a connection dropped before the message went is re-opened
and the message tried again), and otherwise with an ``outcome``: "refused" when the message was certainly not delivered (a refused connection
or login, an SMTP 4xx/5xx answer to MAIL, RCPT, DATA or the message) and "uncertain" when it
may have been (the connection dropped or timed out once the message's bytes were on their
way: the server may have accepted it without our hearing the answer).
"""
from __future__ import annotations

import os
import re
import smtplib
import ssl
import time
from pathlib import Path

from .. import network
from ..errors import MailError
from ..fsutil import atomic_write
from .outcomes import SendRefused, TransportDown, retry_delays


class OutboxTransport:
    """One .eml per message under ``folder``; the name comes from the recipient and the
    Message-ID, so a resend overwrites rather than duplicates."""

    name = "outbox"

    def __init__(self, folder: Path, label: str = ""):
        self.folder = folder
        self.label = label

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, out) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{self.label}-{out.name}" if self.label else out.name
        path = self.folder / f"{stem}.eml"
        try:
            atomic_write(path, out.data)  # a unique temp name: two senders never share one
        except OSError as exc:
            raise TransportDown(f"outbox: cannot write {path}: {exc.strerror or exc}",
                                "check the folder's permissions and free space") from exc
        return str(path)

    def close(self) -> None:
        pass


class SmtpTransport:
    def __init__(self, host: str, port: int, tls: str, username: str | None, password: str | None,
                 timeout: float | None = None, delays: list[float] | None = None, sleep=time.sleep,
                 read_timeout: float | None = None):
        self.name = f"smtp://{host}:{port}"
        self.host, self.port, self.tls = host, port, tls
        self.username, self.password = username, password
        limits = network.timeouts()
        self.timeout = limits.connect if timeout is None else timeout
        """Seconds to connect, greet and log in."""
        self.read_timeout = limits.read if read_timeout is None else read_timeout
        """Seconds each later command may wait for the server's answer."""
        self._slot = network.Slot(host, port)
        self.delays = retry_delays() if delays is None else delays
        self.sleep = sleep
        self.conn: smtplib.SMTP | None = None
        self.retries = 0
        """Temporary failures retried so far (for the summary)."""
        self.reconnects = 0
        """Connections re-opened after a drop."""
        self.last_reply = ""
        """The server's final answer to the last message sent (it names the queue id)."""

    def _connect(self):
        self._slot.take()  # one of the host's max_connections_per_host
        try:
            conn = self._dial()
        except BaseException:
            self._slot.give_back()
            raise
        return conn

    def _dial(self):
        try:
            if self.tls == "implicit":
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.tls == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if self.username:
                _login(conn, self.username, self.password or "")
            if conn.sock is not None:
                conn.sock.settimeout(self.read_timeout)
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportDown(f"{self.name}: the server refused the login ({exc.smtp_code})",
                                "check the user name and password in the variables named by username_env/password_env",
                                outcome="refused") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise TransportDown(f"{self.name}: the server does not offer STARTTLS",
                                "use tls = \"implicit\" (port 465)", outcome="refused") from exc
        except ssl.SSLError as exc:
            raise TransportDown(f"{self.name}: TLS failed: {exc.reason or exc}",
                                "check the host name and its certificate", outcome="refused") from exc
        except (OSError, smtplib.SMTPException) as exc:
            if _timed_out(exc):
                raise TransportDown(f"{self.name}: no answer within {self.timeout:g} s while connecting and logging in",
                                    "check the host and port of [mail] transport and that the server is up; "
                                    "[timeouts] connect in sitekeeper.toml sets the wait", outcome="refused") from exc
            raise TransportDown(f"{self.name}: cannot connect: {exc}",
                                "check the host and port of [mail] transport and that the server is up",
                                outcome="refused") from exc
        return conn

    def open(self) -> None:
        """Connect (and log in) now, so a wrong password stops the run before anything is recorded."""
        if self.conn is None:
            self.conn = self._connect()

    def send(self, out) -> str:
        delays = list(self.delays)
        while True:
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.last_reply = _send(self.conn, out.sender, out.to, out.data)
                return out.message_id
            except _Refused as exc:
                self._drop()
                code = exc.code
                lost = code is None  # the connection failed before the message went: safe to retry
                if code is None or 400 <= code < 500:
                    if delays:
                        self.retries += not lost
                        self.reconnects += lost
                        self.sleep(delays.pop(0))
                        continue
                if code is None:
                    raise TransportDown(f"{self.name}: the connection keeps dropping ({exc.detail})",
                                        "check the server, then run again: the rest is sent then") from exc
                if exc.stage == "mail" and code >= 500:
                    raise TransportDown(f"{self.name}: the server refused the sender {out.sender}: {exc.detail}",
                                        "check [mail] from: the server must accept it as a sender") from exc
                raise SendRefused(f"{self.name}: the server refused the recipient {out.to}: {exc.detail}"
                                  if exc.stage == "rcpt" else f"{self.name}: sending to {out.to} failed: {exc.detail}",
                                  "check the address and the server's answer; the message was not delivered",
                                  permanent=code >= 500, code=code) from exc
            except _Uncertain as exc:
                self._drop()
                raise MailError(f"{self.name}: sending to {out.to}: the connection was lost after the message was sent "
                                f"({exc.detail}); it may have been delivered",
                                "do not resend blindly: `sitekeeper campaign reconcile` settles uncertain sends",
                                outcome="uncertain") from exc

    def _drop(self) -> None:
        """After a failed send the SMTP dialogue is in an unknown state: start afresh next time."""
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
        self._slot.give_back()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.conn = None
        self._slot.give_back()


def _login(conn: smtplib.SMTP, user: str, password: str) -> None:
    """PLAIN when offered (one attempt, one clear answer), else smtplib's choice of mechanisms:
    ``login()`` tries each in turn after a refusal, and some servers then stall the next try."""
    conn.ehlo_or_helo_if_needed()
    offered = conn.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        conn.user, conn.password = user, password
        conn.auth("PLAIN", conn.auth_plain)
    else:
        conn.login(user, password)


def _timed_out(exc: BaseException) -> bool:
    """The error is a timeout, or smtplib's wrapping of one (SMTPServerDisconnected "timed out")."""
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 5:
        if isinstance(cur, TimeoutError):
            return True
        cur, seen = cur.__cause__ or cur.__context__, seen + 1
    return False


class _Refused(Exception):
    def __init__(self, stage: str, detail: str, code: int | None = None):
        super().__init__(detail)
        self.stage, self.detail, self.code = stage, detail, code


class _Uncertain(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send(conn: smtplib.SMTP, from_addr: str, to: str, data: bytes) -> str:
    """One message over an open connection, step by step (smtplib's ``sendmail`` does not
    tell a refusal from a lost answer): MAIL, RCPT, DATA, the message, then the final reply.
    Raises ``_Refused`` up to and including a 4xx/5xx final reply, ``_Uncertain`` when the
    connection fails once the message's bytes started going out."""
    def step(stage: str, fn, *args):
        try:
            code, reply = fn(*args)
        except (OSError, smtplib.SMTPException) as exc:
            raise _Refused(stage, f"{stage.upper()}: {exc}") from exc
        if code == -1:  # smtplib's answer when the server closed the connection
            raise _Refused(stage, f"{stage.upper()}: the connection was closed")
        return code, reply

    def rset():
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            pass

    try:
        conn.ehlo_or_helo_if_needed()
    except (OSError, smtplib.SMTPException) as exc:
        raise _Refused("mail", f"EHLO: {exc}") from exc
    code, reply = step("mail", conn.mail, from_addr)
    if code != 250:
        rset()
        raise _Refused("mail", f"MAIL FROM answered {code} {reply.decode('utf-8', 'replace')}", code)
    code, reply = step("rcpt", conn.rcpt, to)
    if code not in (250, 251):
        rset()
        raise _Refused("rcpt", f"{code} {reply.decode('utf-8', 'replace')}", code)
    code, reply = step("data", conn.docmd, "DATA")
    if code != 354:
        raise _Refused("data", f"DATA answered {code} {reply.decode('utf-8', 'replace')}", code)
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        # From here on the server may accept the message even if we never hear its answer.
        conn.send(body + b".\r\n")
        code, reply = conn.getreply()
    except (OSError, smtplib.SMTPException) as exc:
        raise _Uncertain(str(exc) or type(exc).__name__) from exc
    if code == -1:
        raise _Uncertain("the connection was closed before the server answered")
    if code != 250:
        raise _Refused("message", f"the message was answered {code} {reply.decode('utf-8', 'replace')}", code)
    return reply.decode("utf-8", "replace")


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


def open_transport(ws, cfg, label: str = "", folder: str | None = None):
    """The transport of [mail]; the outbox writes under outbox/<client>/[<folder>/]."""
    mail = cfg.mail
    transport = mail.transport
    if transport.kind == "outbox":
        base = ws.root / "outbox" / cfg.client
        return OutboxTransport(base / folder if folder else base, label)
    if transport.kind == "ses":
        from .ses import SesTransport

        return SesTransport(region=mail.region, endpoint_url=mail.endpoint_url,
                            configuration_set=mail.configuration_set)
    return SmtpTransport(transport.host, transport.port, transport.tls, _env(mail, "username_env", cfg),
                         _env(mail, "password_env", cfg))
