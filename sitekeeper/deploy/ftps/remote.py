"""The ftps:// and ftp:// targets, with the standard library's ftplib. The only module that
speaks FTP.

One control connection per publish (passive mode; a dropped connection is opened again and
the request repeated, up to ``RECONNECTS`` times in a row). TLS is explicit (AUTH TLS) or
implicit (``tls = "implicit"``, port 990); the certificate is verified against the system's
CAs and the host name, or, for a self-signed host, against the pinned ``cert_fingerprint``
(``sitekeeper trust`` shows and pins it). Data connections are protected (PROT P) and reuse
the control connection's TLS session, as ProFTPD, vsftpd and FileZilla Server require.

Each file is sent (STOR) to a temporary name, its size checked (MLST, else SIZE), and renamed
(RNFR/RNTO) to its final name, so a visitor never sees a half-written file. Listings use MLSD
(exact sizes and modification times) where the server offers it, else LIST.

State (manifest, journals, lock, temporary files) lives in ``.sitekeeper-<docroot name>``
beside the docroot when the account may create it there. When it may not (an account
chrooted to the docroot, or ``state = "store"``), the manifest, journals and lock go to the
workspace state store, and temporary files are ``.sitekeeper-tmp-*.part`` at the top of the
docroot, alive only between their upload and their rename (removed on failure and on the
next run). FTP has no exclusive create; the lock on the target uses MKD, which fails when the
folder exists, as its claim (``FtpStore``).
"""
from __future__ import annotations

import ftplib
import hashlib
import posixpath
import socket
import ssl
import time
import uuid

from ... import network
from ...config.deploy import format_cert_fingerprint
from ...errors import DeployError
from ...state.store import Store, content_version, valid_key
from .. import faults
from ..plan import RemoteEntry, is_private
from ..remote import SendItem, TargetFull, emptied_folders, hashing_reader, missing_folders, spoken_protocol
from ..target_state import LockFile, state_in_workspace

RECONNECTS = 3
TMP_PREFIX = ".sitekeeper-tmp-"
CLAIM_STALE_SECONDS = 120
CLAIM_WAIT_SECONDS = 5.0  # a create in progress takes a few round trips  # a claim folder without its key: a create that was killed halfway

_FULL = ("452", "552")  # insufficient storage / exceeded storage allocation (quota)


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


class FtpRemote(LockFile):
    def __init__(self, target, client: str, reporter, workspace_store=None):
        self.target, self.client, self.reporter = target, client, reporter
        self.name = target.name
        self.ctx = _context(target) if target.kind == "ftps" else None
        self._dirs: set[str] = set()
        self.ftp: _Ftp | None = None
        self.mlsd = False
        self._binary = False
        self._connect()
        try:
            self._locate(workspace_store)
        except BaseException:
            self.close()
            raise

    # ---------------------------------------------------------------- connection

    def _err(self, message: str, fix: str) -> DeployError:
        return DeployError(f"{self.client}: target {self.name} ({self.target.url}): {message}", fix)

    @property
    def conn(self) -> _Ftp:
        """The open control connection (between connecting and ``close``)."""
        if self.ftp is None:
            raise self._err("the FTP connection is closed", "run publish again")
        return self.ftp

    def _connect(self) -> None:
        ftp = _open(self.target, self.client, self.ctx)
        env = self.target.password_env
        if not env:
            _quit(ftp)
            raise self._err("FTP needs a password and none is configured",
                            f"set password_env = \"VAR\" in [deploy.{self.name}] and export VAR=... in the "
                            "environment that runs sitekeeper (never in site.toml)")
        import os

        password = os.environ.get(env)
        if password is None:
            _quit(ftp)
            raise self._err(f"password_env names {env}, which is not set",
                            f"export {env}=... in the environment that runs sitekeeper (never in site.toml)")
        try:
            ftp.login(self.target.user, password)
            if self.ctx is not None:
                ftp.prot_p()
            feats = self._features(ftp)
            if "UTF8" in feats:
                try:
                    ftp.sendcmd("OPTS UTF8 ON")
                except ftplib.Error:
                    pass
            ftp.voidcmd("TYPE I")
            self._binary = True
        except TimeoutError as exc:
            ftp.close()
            raise self._err(f"no answer within {network.timeouts().connect:g} s while logging in; nothing was changed",
                            "check the server, then run again; [timeouts] connect in sitekeeper.toml sets the wait") from exc
        except ftplib.error_perm as exc:
            _quit(ftp)
            if _code(exc) == "530":
                raise self._err(f"login refused for {self.target.user} ({_text(exc)})",
                                f"check the user name in the url and the password in {env}") from exc
            raise self._err(f"the server refused the session set-up ({_text(exc)})",
                            "check the server's FTP settings with the host") from exc
        except (OSError, EOFError, ftplib.Error) as exc:
            _quit(ftp)
            raise self._err(f"the connection failed while logging in ({exc or type(exc).__name__})",
                            "check the server and run publish again") from exc
        self.mlsd = "MLST" in feats
        # From here on each command's answer and each data connection waits [timeouts] read.
        ftp.timeout = network.timeouts().read
        if ftp.sock is not None:  # connected: always
            ftp.sock.settimeout(ftp.timeout)
        self.ftp = ftp

    @staticmethod
    def _features(ftp) -> set[str]:
        try:
            reply = ftp.sendcmd("FEAT")
        except ftplib.Error:
            return set()
        return {line.strip().split(" ")[0].upper() for line in reply.splitlines()[1:-1] if line.strip()}

    def _do(self, what: str, fn, *, retry_ok=None):
        """Run ``fn(ftp)``; a dropped connection is opened again and ``fn`` repeated.
        ``retry_ok()``: after a reconnect, is the job already done (a rename that went through)?"""
        attempts = 0
        while True:
            try:
                return fn(self.conn)
            except ftplib.error_temp as exc:
                if _code(exc) != "421" or attempts >= RECONNECTS:
                    raise self._ftp_error(exc, what) from exc
            except _DROPPED as exc:
                if isinstance(exc, TimeoutError) and attempts >= RECONNECTS:
                    raise self._err(f"{what}: no answer within {network.timeouts().read:g} s, {attempts + 1} times; "
                                    "no file is left half-written under its name",
                                    "check the server, then run publish again: it resumes where it stopped; "
                                    "[timeouts] read in sitekeeper.toml sets the wait") from exc
                if attempts >= RECONNECTS:
                    raise self._err(f"{what}: the connection keeps dropping ({exc or type(exc).__name__})",
                                    "run publish again; it resumes where it stopped") from exc
            except ftplib.Error as exc:
                raise self._ftp_error(exc, what) from exc
            except ssl.SSLError as exc:
                raise self._err(f"{what}: TLS failed ({exc.reason or exc})",
                                "run publish again; if it persists, ask the host about their FTPS set-up") from exc
            except OSError as exc:
                if attempts >= RECONNECTS:
                    raise self._err(f"{what} failed ({exc.strerror or exc})", "run publish again") from exc
            attempts += 1
            self.reporter.warn(f"{self.client}: target {self.name}: the FTP connection dropped ({what}); "
                               "connecting again")
            _quit(self.ftp)
            time.sleep(min(2.0, 0.2 * attempts))
            self._connect()
            if retry_ok is not None and retry_ok():
                return None

    def _ftp_error(self, exc: BaseException, what: str) -> DeployError:
        code, text = _code(exc), _text(exc)
        if code in _FULL or "quota" in text.lower() or "space" in text.lower():
            return TargetFull(
                f"{self.client}: target {self.name}: the disk or quota on the server is full: {what} failed "
                f"({text})",
                "free space on the server (or ask the host for a bigger quota); if the new site is smaller, "
                "run publish again with --deletes-first so the files it no longer has are removed first")
        if code == "550" and "ermission" in text:
            return self._err(f"permission denied: {what} ({text})",
                             "the account may not write there: check the docroot path in the url")
        return self._err(f"{what} failed ({text})", "check the path in the url and the server")

    # ---------------------------------------------------------------- where things go

    def _locate(self, workspace_store) -> None:
        path = self.target.path
        self.root = path.rstrip("/") or "/"
        st = self._stat(self.root)
        if st is None:
            self._makedirs(self.root)
        elif st[0] == "file":
            raise self._err(f"{self.root} is a file, not a folder", "point the url at the docroot folder")
        self._dirs.add(self.root)
        self.state = None
        self.store: Store
        why = ""
        if self.target.state == "store":
            why = "state = \"store\""
        elif self.root == "/":
            why = "the docroot is the top folder of this FTP account, so nothing can live beside it"
        else:
            parent, base = posixpath.split(self.root)
            sibling = posixpath.join(parent, f".sitekeeper-{base}")
            if self._stat(sibling) is None:
                try:
                    self.conn.mkd(sibling)
                except ftplib.error_perm:
                    st = self._stat(sibling)  # made meanwhile by another publish?
                    if st is None or st[0] != "dir":
                        why = f"this account may not create {sibling} beside the docroot"
                except (ftplib.Error, OSError, EOFError) as exc:
                    raise self._err(f"creating {sibling} failed ({exc})", "check the server") from exc
            if not why:
                self.state = sibling
                self._dirs.add(sibling)  # there now, and so is every folder above it
        if self.state is None:
            self.store = state_in_workspace(workspace_store, self.client, self.target, self.reporter, why)
            self.tmp_dir = self.root
            self.tmp_prefix = TMP_PREFIX
        else:
            self.store = FtpStore(self, self.state)
            self.tmp_dir = posixpath.join(self.state, "tmp")
            self.tmp_prefix = ""
            self._makedirs(self.tmp_dir)

    def state_store(self) -> Store:
        return self.store

    def _tmp_name(self) -> str:
        return posixpath.join(self.tmp_dir, f"{self.tmp_prefix}{uuid.uuid4().hex}.part")

    # ---------------------------------------------------------------- small requests

    def _stat(self, path: str) -> tuple[str, int, str] | None:
        """(type "file"/"dir", size, modify) of ``path``, or None when absent."""
        if self.mlsd:
            try:
                reply = self._do(f"reading {path}", lambda f: f.sendcmd(f"MLST {path}"))
            except DeployError as exc:
                if isinstance(exc.__cause__, ftplib.error_perm) and _code(exc.__cause__) in ("550", "501"):
                    return None
                raise
            for line in reply.splitlines()[1:]:
                if line.startswith(" "):
                    facts, _, _ = line.strip().partition(" ")
                    f = _facts(facts)
                    kind = "dir" if f.get("type", "") in ("dir", "cdir", "pdir") else "file"
                    return kind, int(f.get("size", 0) or 0), f.get("modify", "")
            return None

        def get_size(f):
            if not self._binary:  # SIZE is refused in ASCII mode, which a LIST leaves behind
                f.voidcmd("TYPE I")
                self._binary = True
            return f.size(path)

        try:
            size = self._do(f"reading {path}", get_size)
            return "file", int(size or 0), ""
        except DeployError:
            pass
        try:
            cur = self.conn.pwd()
            self.conn.cwd(path)
            self.conn.cwd(cur)
            return "dir", 0, ""
        except ftplib.Error:
            return None

    def _makedirs(self, path: str) -> None:
        for p in missing_folders(path, self._dirs):
            try:
                self._do(f"creating folder {p}", lambda f, p=p: f.mkd(p))
            except DeployError as exc:
                st = self._stat(p)
                if st is None:
                    raise
                if st[0] != "dir":
                    raise self._err(f"{p} is a file on the server but the site needs a folder there",
                                    "remove it by hand, then publish again") from exc
            self._dirs.add(p)

    def _put(self, path: str, chunks, on_first_block=None) -> int:
        """STOR the chunks at ``path``; returns the bytes sent. One data connection."""
        def send(ftp) -> int:
            sent = 0
            if not self._binary:  # ftplib's listings switch to TYPE A
                ftp.voidcmd("TYPE I")
                self._binary = True
            conn = ftp.transfercmd(f"STOR {path}")
            try:
                for i, block in enumerate(chunks() if callable(chunks) else chunks):
                    conn.sendall(block)
                    sent += len(block)
                    if i == 0 and on_first_block:
                        on_first_block()
                if isinstance(conn, ssl.SSLSocket):
                    conn.unwrap()
            except (OSError, ValueError) as exc:
                # The server closed the data connection: its reason (a full quota: 552) is on
                # the control connection; a drop of both is a drop.
                conn.close()
                try:
                    ftp.voidresp()
                except ftplib.Error:
                    raise
                except Exception:
                    raise exc from None
                raise
            finally:
                conn.close()
            ftp.voidresp()
            return sent

        return self._do(f"writing {path}", send)

    def _read(self, path: str) -> bytes | None:
        out = bytearray()

        def get(ftp):
            out.clear()
            ftp.retrbinary(f"RETR {path}", out.extend)
            self._binary = True

        try:
            self._do(f"reading {path}", get)
        except DeployError as exc:
            if isinstance(exc.__cause__, ftplib.error_perm) and _code(exc.__cause__) == "550":
                return None
            raise
        return bytes(out)

    def _rename(self, src: str, dst: str, size: int | None = None) -> None:
        def landed() -> bool:
            st = self._stat(dst)
            return st is not None and self._stat(src) is None and (size is None or st[1] == size)

        def move(ftp):
            ftp.rename(src, dst)

        try:
            self._do(f"renaming into {dst}", move, retry_ok=landed)
        except DeployError as exc:
            # servers that do not rename over an existing file: remove it, then rename
            if not isinstance(exc.__cause__, ftplib.error_perm) or self._stat(src) is None:
                raise
            self._remove(dst)
            self._do(f"renaming into {dst}", move, retry_ok=landed)

    def _remove(self, path: str) -> None:
        try:
            self._do(f"deleting {path}", lambda f: f.delete(path))
        except DeployError as exc:
            if not (isinstance(exc.__cause__, ftplib.error_perm) and _code(exc.__cause__) == "550"):
                raise

    def _write_small(self, final: str, blob: bytes) -> None:
        tmp = self._tmp_name()
        self._put(tmp, [blob])
        self._rename(tmp, final, len(blob))

    # ---------------------------------------------------------------- listing

    def _entries(self, folder: str) -> list[tuple[str, str, int, str]]:
        """(name, "file"/"dir", size, modify) of the entries of ``folder``."""
        self._binary = False
        if self.mlsd:
            def ls(ftp):
                return list(ftp.mlsd(folder, facts=["type", "size", "modify"]))

            out = []
            for name, f in self._do(f"listing {folder}", ls):
                t = f.get("type", "").lower()
                if t in ("cdir", "pdir") or name in (".", ".."):
                    continue
                kind = "dir" if t == "dir" else "file" if t == "file" else ""
                if kind:
                    out.append((name, kind, int(f.get("size", 0) or 0), f.get("modify", "")))
            return out
        return [e for e in (_parse_list_line(line) for line in self._list_lines(folder)) if e]

    def _list_lines(self, folder: str) -> list[str]:
        """The lines of ``LIST -a folder`` (a listing leaves the connection in ASCII mode)."""
        self._binary = False
        lines: list[str] = []

        def ls(ftp):
            lines.clear()
            ftp.retrlines(f"LIST -a {folder}", lines.append)

        self._do(f"listing {folder}", ls)
        return lines

    def list_files(self) -> dict[str, RemoteEntry]:
        out: dict[str, RemoteEntry] = {}
        pending = [""]
        while pending:
            folder = pending.pop()
            full = posixpath.join(self.root, folder) if folder else self.root
            for name, kind, size, modify in self._entries(full):
                rel = f"{folder}/{name}" if folder else name
                if is_private(rel):
                    continue
                if kind == "dir":
                    pending.append(rel)
                    self._dirs.add(posixpath.join(self.root, rel))
                else:
                    out[rel] = RemoteEntry(size, modify)
        return out

    # ---------------------------------------------------------------- changes

    def prepare(self, plan, release: str, keep=(), resent=None) -> None:
        """Remove temporary files a killed run left."""
        for name, kind, _, _ in self._entries(self.tmp_dir):
            if kind == "file" and name.endswith(".part") and name.startswith(self.tmp_prefix):
                self._remove(posixpath.join(self.tmp_dir, name))

    def upload(self, items: list[SendItem], done) -> None:
        for item in items:
            final = posixpath.join(self.root, item.upload.path)
            self._makedirs(posixpath.dirname(final))
            tmp = self._tmp_name()
            try:
                sent = self._put(tmp, lambda item=item: hashing_reader(item.source, item.sha256, self.client),
                                 on_first_block=lambda: faults.hit("mid-upload"))
                st = self._stat(tmp)
                if st is not None and st[1] != sent:
                    raise TargetFull(
                        f"{self.client}: target {self.name}: {item.upload.path}: the server holds {st[1]} of "
                        f"{sent} bytes sent; the disk or quota may be full",
                        "free space on the server, then publish again")
                self._rename(tmp, final, sent)
            except BaseException:
                try:
                    self._remove(tmp)
                except Exception:
                    pass
                raise
            done(item, st[2] if st is not None else "")

    def delete(self, paths: list[str]) -> None:
        for path in paths:
            self._remove(posixpath.join(self.root, path))
        for folder in emptied_folders(paths):
            try:
                self.conn.rmd(posixpath.join(self.root, folder))  # fails while not empty: fine
                self._dirs.discard(posixpath.join(self.root, folder))
            except (ftplib.Error, OSError):
                pass

    def finish(self, plan, release, uploaded, deleted) -> None:
        pass

    def close(self) -> None:
        if self.ftp is not None:
            _quit(self.ftp)
            self.ftp = None


def _facts(text: str) -> dict[str, str]:
    out = {}
    for fact in text.split(";"):
        k, _, v = fact.partition("=")
        if k:
            out[k.strip().lower()] = v
    return out


def _parse_list_line(line: str) -> tuple[str, str, int, str] | None:
    """One line of a Unix-style LIST: (name, kind, size, "")."""
    parts = line.split(None, 8)
    if len(parts) < 9 or parts[0][0] not in "-dl":
        return None
    name = parts[8]
    if name in (".", ".."):
        return None
    if parts[0][0] == "l":
        return None  # links are not the site's own files
    kind = "dir" if parts[0][0] == "d" else "file"
    try:
        size = int(parts[4])
    except ValueError:
        size = 0
    return name, kind, size, ""


class FtpStore:
    """The target's state folder over FTP as a Store (sitekeeper.state.store), for the lock.

    FTP has no exclusive create, but MKD fails when the folder exists: ``create(key)`` first
    makes ``<key>.claim/`` (of two racers only one succeeds), then writes the blob under a
    temporary name and renames it into place; ``delete`` removes both. A claim without its
    key is a create that was killed halfway, taken back after ``CLAIM_STALE_SECONDS`` (its
    age from MLST, else from the LIST line: minutes, which is enough for that).
    ``replace_if`` moves the blob aside (one RNFR/RNTO: of two racers only one gets it) and
    checks it is the version judged."""

    def __init__(self, remote: FtpRemote, folder: str):
        self.r, self.folder = remote, folder

    def describe(self, key: str) -> str:
        return f"{self.r.target.kind}://{self.r.target.host}{posixpath.join(self.folder, key)}"

    def _path(self, key: str) -> str:
        return posixpath.join(self.folder, valid_key(key))

    def read(self, key: str):
        blob = self.r._read(self._path(key))
        return (blob, content_version(blob)) if blob is not None else None

    def create(self, key: str, data: bytes) -> bool:
        final = self._path(key)
        claim = final + ".claim"
        deadline = time.monotonic() + CLAIM_WAIT_SECONDS
        for _ in range(3):
            try:
                self.r.conn.mkd(claim)
                break
            except ftplib.error_perm:
                # claimed: the key is there, or another create is writing it (wait for it, so the
                # caller can read who holds it), or a create was killed halfway (stale claim)
                while True:
                    if self.r._stat(final) is not None:
                        return False
                    st = self.r._stat(claim)
                    if st is None or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
                if st is None:
                    continue
                if not _older_than(st[2] or self._listed_modify(claim), CLAIM_STALE_SECONDS):
                    return False
                try:
                    self.r.conn.rmd(claim)
                except ftplib.Error:
                    return False
            except (OSError, EOFError, ftplib.Error) as exc:
                raise self.r._err(f"creating {final} failed ({exc})", "check the server") from exc
        else:
            return False
        self.r._write_small(final, data)
        return True

    def _listed_modify(self, path: str) -> str:
        """The time a LIST line gives ``path`` (servers without MLST), as MLST writes it; ''
        when the listing does not say."""
        try:
            lines = self.r._list_lines(posixpath.dirname(path))
        except DeployError:
            return ""
        name = posixpath.basename(path)
        for line in lines:
            parts = line.split(None, 8)
            if len(parts) == 9 and parts[8] == name:
                return _list_time(parts[5:8], time.time())
        return ""

    def replace_if(self, key: str, version: str, data: bytes) -> bool:
        final = self._path(key)
        aside = f"{final}.stale-{uuid.uuid4().hex}"
        try:
            self.r.conn.rename(final, aside)
        except (ftplib.Error, OSError):
            return False
        moved = self.r._read(aside) or b""
        if content_version(moved) != version:
            if self.r._stat(final) is None:
                try:
                    self.r.conn.rename(aside, final)
                except (ftplib.Error, OSError):
                    pass
            return False
        self.r._remove(aside)
        self.r._write_small(final, data)  # the claim folder is still ours
        return True

    def write(self, key: str, data: bytes) -> None:
        self.r._write_small(self._path(key), data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        self.r._remove(path)
        try:
            self.r.conn.rmd(path + ".claim")
        except ftplib.Error:
            pass

    def list(self, prefix: str = "") -> list[str]:
        names = [n for n, kind, _, _ in self.r._entries(self.folder) if kind == "file"]
        return sorted(n for n in names if n.startswith(prefix) and ".stale-" not in n)


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                        "dec"), 1)}


def _list_time(fields, now: float) -> str:
    """A Unix-style LIST date ("Dec", "1", "11:30", or "Dec", "1", "2025" for older files),
    in UTC as most servers write it (ProFTPD's and vsftpd's default), as YYYYMMDDHHMMSS;
    '' when it cannot be read. A date without a year is in the last twelve months."""
    try:
        month = _MONTHS[fields[0][:3].lower()]
        day = int(fields[1])
        if ":" in fields[2]:
            hour, minute = (int(x) for x in fields[2].split(":", 1))
            year = time.gmtime(now).tm_year
            if (month, day) > (time.gmtime(now).tm_mon, time.gmtime(now).tm_mday + 1):
                year -= 1
        else:
            year, hour, minute = int(fields[2]), 0, 0
        return f"{year:04d}{month:02d}{day:02d}{hour:02d}{minute:02d}00"
    except (KeyError, ValueError, IndexError):
        return ""


def _older_than(modify: str, seconds: float) -> bool:
    """Is an MLST ``modify`` time (YYYYMMDDHHMMSS, UTC) older than ``seconds``? Unknown: yes."""
    import calendar

    try:
        then = calendar.timegm(time.strptime(modify[:14], "%Y%m%d%H%M%S"))
    except ValueError:
        return True
    return time.time() - then > seconds
