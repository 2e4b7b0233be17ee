"""``FtpRemote``: the ftps:// and ftp:// targets as a ``Remote`` (sitekeeper.deploy.remote),
with the standard library's ftplib; the package is the only place that speaks FTP. The
connection is session.py, listings listing.py, the state folder as a Store store.py.

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
import posixpath
import ssl
import time
import uuid

from ... import network
from ...errors import DeployError
from ...state.store import Store
from .. import faults
from ..plan import RemoteEntry, is_private
from ..remote import SendItem, TargetFull, emptied_folders, hashing_reader, missing_folders
from ..target_state import LockFile, state_in_workspace
from .listing import _facts, _parse_list_line
from .session import _DROPPED, _Ftp, _code, _context, _open, _quit, _text
from .store import FtpStore

RECONNECTS = 3
TMP_PREFIX = ".sitekeeper-tmp-"

_FULL = ("452", "552")  # insufficient storage / exceeded storage allocation (quota)


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

    def stat_files(self, paths: list[str]) -> dict[str, RemoteEntry | None]:
        """Size and stamp of single files (relative to the docroot), one MLST each; without
        MLST there is no stamp to compare, so nothing is vouched for (trusted.py lists then)."""
        out: dict[str, RemoteEntry | None] = {}
        for path in paths:
            st = self._stat(posixpath.join(self.root, path)) if self.mlsd else None
            out[path] = RemoteEntry(st[1], st[2]) if st is not None and st[0] == "file" and st[2] else None
        return out

    def known_folders(self, listing) -> None:
        """The folders holding the files of a trusted listing exist: uploads create none of them."""
        for rel in listing:
            folder = posixpath.dirname(rel)
            while folder:
                self._dirs.add(posixpath.join(self.root, folder))
                folder = posixpath.dirname(folder)

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
