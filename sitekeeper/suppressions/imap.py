"""The client's mailbox over IMAP: the one imaplib user.

``imaps://host:993/Folder`` (TLS, certificate verified; the folder defaults to INBOX) is the
normal form. ``imap://`` speaks STARTTLS, and only to a loopback host may it go without:
the password never travels in clear. Every imaplib and socket failure becomes a
``SuppressionError`` naming the site.toml line of ``imap`` and the fix.

Messages are read with ``BODY.PEEK`` (nothing turns "read"). A message once understood is
marked with the keyword ``$SitekeeperPulled``, or, on a server that keeps no keywords, moved
to the folder ``Sitekeeper processed``; nothing is ever deleted or expunged. Only messages
above the last UID looked at (kept in the state store with the folder's UIDVALIDITY) are
fetched again, so unrelated mail is read once; the first pull looks ``FIRST_PULL_DAYS`` back.
"""
from __future__ import annotations

import imaplib
import re
import socket
import ssl
from datetime import date
from typing import cast
from urllib.parse import unquote, urlsplit

from .. import network
from ..config.mail import is_loopback
from ..errors import SuppressionError

KEYWORD = "$SitekeeperPulled"
MOVE_TO = "Sitekeeper processed"
FIRST_PULL_DAYS = 90
PEEK_BYTES = 256 * 1024
"""Only the start of a big message is fetched: the text, or a DSN's status part, comes first."""
BATCH = 100
_UID_RE = re.compile(rb"\bUID (\d+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def folder_of(url: str) -> str:
    path = unquote(urlsplit(url).path).strip("/")
    return path or "INBOX"


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    """One connection to one folder. ``open`` -> ``uids`` / ``fetch`` -> ``mark`` -> ``close``."""

    def __init__(self, url: str, user: str, password: str, *, path: str, line: int | None,
                 user_env: str = "", password_env: str = "", timeout: float | None = None, mark: str = "auto"):
        parts = urlsplit(url)
        self.url, self.host = url, parts.hostname or ""
        self.secure = parts.scheme == "imaps"
        self.port = parts.port or (993 if self.secure else 143)
        self.folder = folder_of(url)
        self.user, self.password = user, password
        self.user_env, self.password_env = user_env, password_env
        limits = network.timeouts()
        self.path, self.line = path, line
        self.timeout = limits.connect if timeout is None else timeout
        """Seconds to connect and log in; each later command waits network.timeouts().read."""
        self.read_timeout = limits.read
        self._slot = network.Slot(self.host, self.port)
        self.mark_mode = mark
        """auto (a keyword where the server keeps them, else a move) | keyword | move."""
        self.conn: imaplib.IMAP4 | None = None
        self.uidvalidity: int | None = None
        self.keywords = False

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def _error(self, message: str, fix: str) -> SuppressionError:
        return SuppressionError(message, fix, path=self.path, line=self.line)

    @property
    def _session(self) -> imaplib.IMAP4:
        """The connection, once connect() made it."""
        assert self.conn is not None, "connect first"
        return self.conn

    def _check(self, typ: str, data, what: str) -> list:
        if typ != "OK":
            text = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace") if data else ""
            raise self._error(f"the mailbox at {self.where} refused {what}: {text or typ}",
                              "run again; if it persists, check the folder in the imap URL and the account")
        return data

    def open(self) -> None:
        self._slot.take()  # one of the host's max_connections_per_host, until close()
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        try:
            if self.secure:
                self.conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ssl.create_default_context(),
                                              timeout=self.timeout)
            else:
                self.conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                if "STARTTLS" in self.conn.capabilities:
                    self.conn.starttls(ssl.create_default_context())
                elif not is_loopback(self.host):
                    raise self._error(f"{self.where} offers no STARTTLS: the password would travel in clear",
                                      f'use imap = "imaps://{self.host}:993" (TLS), as the provider documents')
        except ssl.SSLCertVerificationError as exc:
            raise self._error(f"TLS with {self.where} failed: its certificate is not trusted "
                              f"({exc.verify_message or exc.reason}); nothing was sent to it",
                              "check the host name in `imap` against the provider's documentation (the "
                              "certificate must be valid for that name); for a server with a certificate of "
                              "its own, set SSL_CERT_FILE to a PEM file that holds it") from exc
        except ssl.SSLError as exc:
            raise self._error(f"TLS with {self.where} failed: {exc.reason or exc}",
                              "check the host name and port in `imap` (imaps:// is port 993); the server's "
                              "certificate must be valid for that name") from exc
        except (TimeoutError, socket.timeout) as exc:
            raise self._error(f"the mailbox at {self.where} did not answer within {self.timeout:g} s while connecting",
                              "check the host and port in `imap` and that the server is up; [timeouts] connect "
                              "in sitekeeper.toml sets the wait") from exc
        except OSError as exc:
            raise self._error(f"cannot reach the mailbox at {self.where}: {exc.strerror or exc}",
                              "check the host and port in `imap` and the network") from exc
        except imaplib.IMAP4.error as exc:
            raise self._error(f"the mailbox at {self.where} does not speak IMAP as expected: {exc}",
                              "check the host and port in `imap`") from exc
        try:
            self.conn.login(self.user, self.password)
        except imaplib.IMAP4.error as exc:
            text = str(exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc)
            self.close()
            raise self._error(f"the mailbox at {self.where} refused the login of {self.user!r}: {text}",
                              f"check the login name in ${self.user_env} and the password in ${self.password_env} "
                              "(many providers want an app password for IMAP)") from exc
        except (TimeoutError, socket.timeout) as exc:
            raise self._error(f"the mailbox at {self.where} did not answer the login within {self.timeout:g} s",
                              "run again later; [timeouts] connect in sitekeeper.toml sets the wait") from exc
        except OSError as exc:
            raise self._error(f"the connection to {self.where} broke during login: {exc}", "run again") from exc
        if self.conn.sock is not None:
            self.conn.sock.settimeout(self.read_timeout)
        self._select()

    def _select(self) -> None:
        try:
            typ, data = self._session.select(_quote(self.folder))
            if typ != "OK":
                folders = self._folders()
                raise self._error(f"the mailbox at {self.where} has no folder {self.folder!r}",
                                  "write the folder at the end of the imap URL (imaps://host:993/INBOX); folders "
                                  "there: " + (", ".join(folders[:12]) or "none listed"))
            validity = self._session.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]
            self.uidvalidity = int(cast(bytes, validity))
            flags = b" ".join(cast("list[bytes]", self._session.untagged_responses.get("PERMANENTFLAGS", [b""])))
            self.keywords = self.mark_mode == "keyword" or (self.mark_mode == "auto" and b"\\*" in flags)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise self._error(f"opening the folder {self.folder!r} at {self.where} failed: {exc}", "run again") from exc

    def _folders(self) -> list[str]:
        try:
            typ, data = self._session.list()
        except (imaplib.IMAP4.error, OSError):
            return []
        out = []
        for item in data or []:
            if isinstance(item, bytes):
                m = re.search(rb'\) (?:"[^"]*"|NIL) (.+)$', item)
                if m:
                    out.append(m.group(1).decode("utf-8", "replace").strip('"'))
        return out

    def uids(self, after_uid: int | None, since: date | None) -> list[int]:
        """UIDs not marked processed, above ``after_uid`` (when known) or received ``since``."""
        criteria = [f"UID {after_uid + 1}:*"] if after_uid else []
        if since is not None and not after_uid:
            criteria.append(f"SINCE {since.day}-{_MONTHS[since.month - 1]}-{since.year}")
        if self.keywords:
            criteria.append(f"UNKEYWORD {KEYWORD}")
        try:
            typ, data = self._session.uid("SEARCH", *(criteria or ["ALL"]))
        except (imaplib.IMAP4.error, OSError) as exc:
            raise self._error(f"searching {self.folder!r} at {self.where} failed: {exc}", "run again") from exc
        found = self._check(typ, data, "a search")
        uids = sorted(int(x) for x in b" ".join(d for d in found if d).split())
        # "n:*" always includes the highest UID, even when it is below n.
        return [u for u in uids if after_uid is None or u > after_uid]

    def fetch(self, uids: list[int]):
        """(uid, the message's first PEEK_BYTES) for each of ``uids``, in batches."""
        for start in range(0, len(uids), BATCH):
            chunk = uids[start:start + BATCH]
            try:
                typ, data = self._session.uid("FETCH", ",".join(map(str, chunk)), f"(UID BODY.PEEK[]<0.{PEEK_BYTES}>)")
            except (imaplib.IMAP4.error, OSError) as exc:
                raise self._error(f"fetching messages from {self.where} failed: {exc}", "run again") from exc
            for item in self._check(typ, data, "a fetch"):
                if isinstance(item, tuple) and len(item) == 2:
                    m = _UID_RE.search(item[0])
                    if m:
                        yield int(m.group(1)), item[1]

    def mark(self, uids: list[int]) -> None:
        """Mark the messages processed: a keyword, or a move to MOVE_TO (never a delete)."""
        if not uids:
            return
        uidset = ",".join(map(str, sorted(uids)))
        try:
            if self.keywords:
                typ, data = self._session.uid("STORE", uidset, "+FLAGS.SILENT", f"({KEYWORD})")
                self._check(typ, data, "marking messages")
                return
            self._session.create(_quote(MOVE_TO))  # fails harmlessly when it exists
            typ, data = self._session.capability()
            caps = b" ".join(d for d in data if isinstance(d, bytes)).upper().split()
            if b"MOVE" not in caps:
                raise self._error(f"the mailbox at {self.where} keeps no keywords and cannot move messages (no MOVE)",
                                  "ask the provider for IMAP MOVE, or read opt-outs from a server that has it")
            typ, data = self._session.uid("MOVE", uidset, _quote(MOVE_TO))
            self._check(typ, data, "moving messages")
        except (imaplib.IMAP4.error, OSError) as exc:
            raise self._error(f"marking processed messages at {self.where} failed: {exc}",
                              "run again: the next pull reads them once more and adds nothing twice") from exc

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            self._slot.give_back()
            return
        try:
            try:
                conn.close()
            except imaplib.IMAP4.error:
                pass  # not selected
            conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass  # already gone: nothing of ours is pending on it
        finally:
            self._slot.give_back()
