"""The FTP control connection: ``_Ftp`` (ftplib's FTP_TLS, also implicit TLS and plain FTP,
reusing the TLS session on data connections), ``_open`` (connect, AUTH TLS, check a pinned
certificate, with a message naming what the port speaks when it is not FTP),
``fetch_certificate`` for ``sitekeeper trust``, and the small readers of replies.
"""
from __future__ import annotations

import ftplib
import hashlib
import socket
import ssl

from ... import network
from ...config.deploy import format_cert_fingerprint
from ...errors import DeployError
from ..remote import spoken_protocol


class _Ftp(ftplib.FTP_TLS):
    """FTP_TLS that can also do implicit TLS and plain FTP, and reuses the TLS session on data
    connections (servers refuse data connections that do not: ProFTPD's default)."""

    def __init__(self, context: ssl.SSLContext | None, implicit: bool, timeout: float):
        self.use_tls = context is not None
        self.implicit = implicit
        super().__init__(context=context or ssl.create_default_context(), timeout=timeout, encoding="utf-8")

    def connect(self, host="", port=0, timeout=-999, source_address=None):
        if not self.implicit:
            return super().connect(host, port, timeout, source_address)
        self.host, self.port = host, port
        if timeout != -999:
            self.timeout = timeout
        sock = socket.create_connection((host, port), self.timeout)
        self.af = sock.family
        self.sock = self.context.wrap_socket(sock, server_hostname=host)
        self.file = self.sock.makefile("r", encoding=self.encoding)
        self.welcome = self.getresp()
        return self.welcome

    def getmultiline(self):
        # ftplib's own, except that a first line without a reply code ends it at once: an SSH
        # banner ("SSH-2.0-...") looks like the start of a multi-line reply "SSH", and ftplib
        # would wait for its end until the timeout
        line = self.getline()
        if not line[:3].isdigit():
            raise ftplib.error_proto(line)
        if line[3:4] == "-":
            code = line[:3]
            while True:
                nextline = self.getline()
                line = line + ("\n" + nextline)
                if nextline[:3] == code and nextline[3:4] != "-":
                    break
        return line

    def login(self, user="", passwd="", acct=""):
        if self.use_tls:
            return super().login(user, passwd, acct)  # AUTH TLS first (explicit), then USER/PASS
        return ftplib.FTP.login(self, user, passwd, acct)

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        # Without it, the TLS close (our close_notify, a small write after the file's last
        # one) waits out the peer's delayed ACK: about 40 ms per file over FTPS.
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.use_tls and self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def cert_sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _peer_certificate(ftp: ftplib.FTP) -> bytes:
    """The DER certificate the server showed on the control connection (b"" without TLS)."""
    sock = ftp.sock
    return (sock.getpeercert(binary_form=True) or b"") if isinstance(sock, ssl.SSLSocket) else b""


def fetch_certificate(target, client: str) -> tuple[str, str]:
    """Connect (TLS without verification), return (subject, SHA256:AB:CD:... fingerprint)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ftp = _open(target, client, ctx)
    try:
        der = _peer_certificate(ftp)
        subject = _subject(der)
        return subject, format_cert_fingerprint(cert_sha256(der))
    finally:
        _quit(ftp)


def _subject(der: bytes) -> str:
    try:  # the subject of an unverified cert is not parsed by ssl; keep this best-effort
        from cryptography import x509

        return x509.load_der_x509_certificate(der).subject.rfc4514_string()
    except Exception:
        return "a certificate"


def _context(target) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if target.cert_fingerprint:
        # pinned: the fingerprint is the check (a self-signed certificate has no CA to check)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _where(target) -> str:
    return f"{target.host}:{target.port}"


def _open(target, client: str, ctx: ssl.SSLContext | None) -> _Ftp:
    """A connected control connection (TLS handshake done for ftps://, not logged in)."""
    head = f"{client}: target {target.name} ({target.url})"
    implicit = ctx is not None and target.tls == "implicit"
    wait = network.timeouts().connect
    ftp = _Ftp(ctx, implicit, wait)
    try:
        ftp.connect(target.host, target.port)
        if ctx is not None and not implicit:
            ftp.auth()
    except TimeoutError as exc:
        ftp.close()  # a QUIT would wait as long again
        step = "the TLS handshake" if implicit else "the FTP greeting" if not ftp.welcome else "AUTH TLS"
        raise DeployError(f"{head}: {_where(target)} did not answer within {wait:g} s ({step}); nothing was changed",
                          "check the host and port in the url and that the server is up, then run again; "
                          "[timeouts] connect in sitekeeper.toml sets the wait") from exc
    except socket.gaierror as exc:
        raise DeployError(f"{head}: unknown host {target.host!r} ({exc.strerror}); check the host name in the url") from exc
    except ssl.SSLCertVerificationError as exc:
        _quit(ftp)
        raise DeployError(
            f"{head}: the server's TLS certificate cannot be verified ({exc.verify_message}); nothing was changed",
            f"if the host uses a self-signed certificate, check its fingerprint with the hosting provider and run "
            f"`sitekeeper trust {client} --target {target.name}` to pin it (cert_fingerprint)") from exc
    except ftplib.error_perm as exc:
        _quit(ftp)
        raise DeployError(f"{head}: the server refuses TLS (AUTH TLS: {_text(exc)})",
                          "ask the host whether FTP over TLS is offered (it may be on port 990: tls = \"implicit\"); "
                          "sftp:// may be offered instead") from exc
    except (OSError, EOFError, ftplib.Error) as exc:
        _quit(ftp)
        spoken = spoken_protocol(target.host, target.port)
        if spoken == "FTP" and implicit:
            raise DeployError(f"{head}: {_where(target)} answers with a plain FTP greeting, not TLS, so it does not "
                              "take implicit TLS",
                              "remove tls = \"implicit\" (the default, explicit TLS with AUTH TLS, is what this port "
                              "speaks), or use the host's implicit FTPS port (usually 990)") from exc
        if spoken and spoken != "FTP" and not (spoken == "TLS" and implicit):
            article = "an" if spoken[0] in "AEFHIS" else "a"
            hint = ("this is an SSH port: use sftp://" if spoken == "SSH" else
                    "for implicit FTPS set tls = \"implicit\" (usually port 990)" if spoken == "TLS" else
                    "check the port in the url (FTP is usually 21, implicit FTPS 990)")
            raise DeployError(f"{head}: {_where(target)} answers like {article} {spoken} server, not FTP", hint) from exc
        if isinstance(exc, ConnectionRefusedError):
            raise DeployError(f"{head}: nothing listens at {_where(target)} (connection refused)",
                              "check the host and port in the url, and that the server is up") from exc
        raise DeployError(f"{head}: cannot talk FTP with {_where(target)} ({exc or type(exc).__name__})",
                          "check the host and port in the url (FTP is usually 21; tls = \"implicit\" uses 990)") from exc
    if target.cert_fingerprint and ctx is not None:
        seen = cert_sha256(_peer_certificate(ftp))
        if seen != target.cert_fingerprint:
            _quit(ftp)
            raise DeployError(
                f"{head}: the server's certificate {format_cert_fingerprint(seen)} does not match the pinned "
                "cert_fingerprint; nothing was changed",
                "if the host renewed its certificate (ask the hosting provider), run "
                f"`sitekeeper trust {client} --target {target.name}`; otherwise do not deploy: someone may be "
                "intercepting the connection")
    return ftp


def _quit(ftp) -> None:
    try:
        ftp.quit()
    except Exception:
        try:
            ftp.close()
        except Exception:
            pass


def _text(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _code(exc: BaseException) -> str:
    return str(exc)[:3]


_DROPPED = (EOFError, ConnectionError, socket.timeout, TimeoutError, ssl.SSLEOFError, ssl.SSLZeroReturnError)
