"""Pipelined uploads: many files in flight on one SFTP channel.

Files go in batches of ``SITEKEEPER_SFTP_BATCH`` (default 64, and about ``BATCH_BYTES``)
whose requests share SSH packets, over ``SITEKEEPER_SFTP_SEND_CHANNELS`` channels (default 1),
each running a ``_Pipeline``. Every file is written under a temporary name and moved to its
final name with ``posix-rename@openssh.com`` (atomic replace) only after every write, the
fstat (size and mtime) and the close succeeded, so a visitor never sees a truncated file and
a killed publish leaves only temporary files. ``Sender`` runs the rounds; ``_Pipeline`` packs
SFTP v3 requests and splits the replies itself.
"""
from __future__ import annotations

import errno
import posixpath
import struct
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import paramiko
from paramiko.channel import Channel
from paramiko.sftp import (CMD_ATTRS, CMD_CLOSE, CMD_EXTENDED, CMD_FSTAT, CMD_HANDLE, CMD_OPEN, CMD_STATUS, CMD_WRITE,
                           SFTP_FAILURE, SFTP_FLAG_CREATE, SFTP_FLAG_TRUNC, SFTP_FLAG_WRITE, SFTP_OK,
                           SFTP_OP_UNSUPPORTED)
from paramiko.sftp_attr import SFTPAttributes

from ...settings import tuning
from .. import faults
from ..remote import Done, SendItem, hashing_reader
from .session import Session

# None: from the environment (sitekeeper.settings), read at the first publish, never at import
SEND_CHANNELS: int | None = None  # uploads: each one a pipeline (SITEKEEPER_SFTP_SEND_CHANNELS)
BATCH_FILES: int | None = None  # files in flight per pipeline round (SITEKEEPER_SFTP_BATCH)
BATCH_BYTES = 4 << 20
FLUSH_AT = 1 << 20
BLOCK = 1 << 20
WRITE_CHUNK = 32768  # SFTP servers accept writes of at least 32 KiB per request


class Sender:
    """Sends files through pipelines on new channels of ``session``: each to a temporary name
    in ``tmp``, then renamed to ``final(path)``."""

    def __init__(self, session: Session, tmp: str, final: Callable[[str], str]):
        self.s, self.tmp, self.final = session, tmp, final

    def send_all(self, items: list[SendItem], done: Done) -> None:
        """Send ``items`` over ``SEND_CHANNELS`` channels, each running a ``_Pipeline``."""
        if not items:
            return
        # Folders first, each once (known ones are cached), on the main channel.
        for folder in sorted({posixpath.dirname(self.final(item.upload.path)) for item in items}):
            self.s.makedirs(self.s.sftp, folder)
        workers = max(1, min(SEND_CHANNELS or tuning().sftp_send_channels, len(items)))
        shares = [items[i::workers] for i in range(workers)]
        if workers == 1:
            self._send_share(shares[0], done)
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for fut in [pool.submit(self._send_share, share, done) for share in shares]:
                fut.result()

    def _send_share(self, items: list[SendItem], done: Done) -> None:
        """Many files in flight on one channel, a batch at a time, three stages deep.

        Each round sends, in one stream: the posix-renames of the previous batch (only for
        files whose every write, fstat and close succeeded and whose size is right), then the
        OPENs of the next batch, then the WRITEs, FSTAT and CLOSE of the current one; then it
        reads all the replies. So a batch of files costs one round trip, small requests share
        SSH packets, and no file is ever renamed to its final name unless all its bytes landed."""
        sftp = self.s.channel()
        pipe = _Pipeline(sftp.sock)
        batches = _batches(items)
        opening: list[_File] = []       # OPEN sent this round, handle arrives with the replies
        writing: list[_File] = []       # have a handle: WRITE/FSTAT/CLOSE go out this round
        renaming: list[_File] = []      # verified: the rename goes out this round
        finished = False
        try:
            nxt = 0
            while nxt < len(batches) or opening or writing or renaming:
                for f in renaming:
                    if self.s.posix_rename:
                        f.rename_id = pipe.request(CMD_EXTENDED, b"posix-rename@openssh.com",
                                                   f.tmp.encode(), f.final.encode())
                if nxt < len(batches):
                    opening = [_File(item, posixpath.join(self.tmp, f"{uuid.uuid4().hex}.part"),
                                     self.final(item.upload.path)) for item in batches[nxt]]
                    nxt += 1
                    for f in opening:
                        f.open_id = pipe.request(CMD_OPEN, f.tmp.encode(), _OPEN_FLAGS, _NO_ATTRS)
                else:
                    opening = []
                for f in writing:
                    self._queue_file(pipe, f)
                pipe.flush()
                # replies, in the order the server runs the requests
                for f in renaming:
                    self._check_rename(pipe, f, done)
                for f in opening:
                    self._read_handle(pipe, f)
                for f in writing:
                    self._check_file(pipe, f)
                renaming, writing = writing, opening
            finished = True
        except TimeoutError as exc:  # the channel's [timeouts] read ran out
            raise self.s.io(exc, "waiting for the server to take the next files") from exc
        finally:
            sftp.close()  # the server closes the handles left open
            if not finished:
                # The files of the failed rounds stay at temporary names: remove them now, so a
                # full disk gets their room back at once (for the journal written on the way
                # out, and for the next publish's lock), not only at the next run's clean-up.
                self._discard([f.tmp for f in renaming + writing + opening])

    def _check_rename(self, pipe: _Pipeline, f: _File, done: Done) -> None:
        """The rename's reply (or, without posix-rename, the rename on the main channel)."""
        s = self.s
        if f.rename_id:
            t, body = pipe.reply(f.rename_id)
            code, text = _status(t, body)
            if code == SFTP_OP_UNSUPPORTED:
                s.posix_rename = False
            elif code == 2 and s.lstat(f.tmp) is not None:
                raise s.io(_oserror(code, text), f"renaming {f.item.upload.path} into place "
                           f"(is {posixpath.dirname(f.final)} there?)")
            elif code == 2:
                # Written, closed and its size confirmed, then gone: ProFTPD's quota
                # module removes an upload that went over the limit.
                raise s.full(f"{f.item.upload.path} was removed by the server right after it was "
                             "written (SFTP status 2 on the rename)")
            elif code != SFTP_OK:
                raise s.io(_oserror(code, text), f"renaming {f.item.upload.path} into place")
        with s.main_lock:  # the main channel (fallback renames, journals) is one at a time
            if not s.posix_rename:
                try:
                    s.rename(s.sftp, f.tmp, f.final)
                except OSError as exc:
                    raise s.io(exc, f"renaming {f.item.upload.path} into place") from exc
            done(f.item, f.stamp)

    def _read_handle(self, pipe: _Pipeline, f: _File) -> None:
        t, body = pipe.reply(f.open_id)
        if t != CMD_HANDLE:
            code, text = _status(t, body)
            raise self.s.io(_oserror(code, text), f"writing {f.item.upload.path}")
        (n,) = _U32.unpack_from(body, 0)
        f.handle = body[4:4 + n]

    def _discard(self, paths: list[str]) -> None:
        with self.s.main_lock:
            for path in paths:
                try:
                    self.s.sftp.remove(path)
                except TimeoutError:
                    return  # the server stopped answering: the next publish removes them under the lock
                except (OSError, paramiko.SSHException, EOFError):
                    pass  # renamed already, never opened, or the connection is gone

    def _queue_file(self, pipe: _Pipeline, f: _File) -> None:
        """WRITEs of the file's bytes (hashed again as read), then FSTAT and CLOSE."""
        offset = 0
        for i, block in enumerate(hashing_reader(f.item.source, f.item.sha256, self.s.client, BLOCK)):
            for at in range(0, len(block), WRITE_CHUNK):
                chunk = block[at:at + WRITE_CHUNK]
                f.write_ids.append(pipe.request(CMD_WRITE, f.handle, offset, chunk))
                offset += len(chunk)
            if len(pipe.out) >= FLUSH_AT:
                pipe.flush()
            if i == 0 and faults.armed("mid-upload"):
                pipe.flush()  # so the kill finds the file half-written at its temporary name
                faults.hit("mid-upload")
        f.sent = offset
        f.fstat_id = pipe.request(CMD_FSTAT, f.handle)
        f.close_id = pipe.request(CMD_CLOSE, f.handle)

    def _check_file(self, pipe: _Pipeline, f: _File) -> None:
        s = self.s
        what = f"writing {f.item.upload.path}"
        for num in f.write_ids:
            code, text = _status(*pipe.reply(num))
            if code == SFTP_FAILURE:
                # sftp-server answers a write that hit a full disk or quota (ENOSPC, EDQUOT) with
                # the generic status 4; a write into an open file rarely fails for another reason.
                raise s.full(f"{what} failed (SFTP status 4: {text or 'failure'})")
            if code != SFTP_OK:
                raise s.io(_oserror(code, text), what)
        t, body = pipe.reply(f.fstat_id)
        if t != CMD_ATTRS:
            raise s.io(_oserror(*_status(t, body)), what)
        attrs = _attrs(body)
        code, text = _status(*pipe.reply(f.close_id))
        if code != SFTP_OK:
            raise s.io(_oserror(code, text), what)
        if attrs.st_size is not None and attrs.st_size != f.sent:
            raise s.full(f"{f.item.upload.path}: the server holds {attrs.st_size} of {f.sent} bytes sent")
        f.stamp = str(attrs.st_mtime or "")


def _attrs(body: bytes) -> SFTPAttributes:
    """The SFTPAttributes in the body of an ATTRS reply read by ``_Pipeline`` (paramiko's
    private ``_from_msg``: the one place here that reaches into it)."""
    return SFTPAttributes._from_msg(paramiko.Message(body))


_OPEN_FLAGS = SFTP_FLAG_WRITE | SFTP_FLAG_CREATE | SFTP_FLAG_TRUNC
_NO_ATTRS = b"\x00\x00\x00\x00"  # ATTRS with no fields
_U32 = struct.Struct(">I")
_HEAD = struct.Struct(">IBI")      # length, type, request id
_U64 = struct.Struct(">Q")


class _File:
    """One file on its way: temporary and final name, request ids, handle, stamp."""

    __slots__ = ("item", "tmp", "final", "open_id", "handle", "write_ids", "fstat_id", "close_id",
                 "rename_id", "sent", "stamp")

    def __init__(self, item: SendItem, tmp: str, final: str):
        self.item, self.tmp, self.final = item, tmp, final
        self.open_id = self.fstat_id = self.close_id = self.rename_id = self.sent = 0
        self.handle = b""
        self.write_ids: list[int] = []
        self.stamp = ""


def _batches(items: list[SendItem]) -> list[list[SendItem]]:
    """Consecutive groups of at most BATCH_FILES files and about BATCH_BYTES bytes."""
    out: list[list[SendItem]] = []
    cur: list[SendItem] = []
    size = 0
    most = BATCH_FILES or tuning().sftp_batch
    for item in items:
        if cur and (len(cur) >= most or size + item.upload.size > BATCH_BYTES):
            out.append(cur)
            cur, size = [], 0
        cur.append(item)
        size += item.upload.size
    if cur:
        out.append(cur)
    return out


class _Pipeline:
    """SFTP v3 requests written straight to one channel and replies read back in bulk.

    The channel belongs to an ``SFTPClient`` that did the version handshake and is not used
    otherwise while the pipeline runs, so request ids are ours. Requests are packed into one
    buffer and sent with a single ``sendall`` (paramiko cuts it into SSH packets of the
    server's maximum size, so many small requests share a packet); replies are read in large
    chunks and split here. paramiko's per-request path (a ``Message``, a lock, an SSH packet
    and a ``recv`` per request and reply) was the cost of a many-file upload."""

    def __init__(self, chan: Channel):
        self.chan = chan
        self.out = bytearray()
        self.num = 0
        self.inbuf = bytearray()
        self.got: dict[int, tuple[int, bytes]] = {}

    def request(self, t: int, *fields: int | bytes) -> int:
        self.num += 1
        body = bytearray()
        for f in fields:
            if isinstance(f, int):
                body += _U64.pack(f) if t == CMD_WRITE else _U32.pack(f)
            elif f is _NO_ATTRS:
                body += f
            else:
                body += _U32.pack(len(f))
                body += f
        self.out += _HEAD.pack(len(body) + 5, t, self.num)
        self.out += body
        return self.num

    def flush(self) -> None:
        if self.out:
            self.chan.sendall(bytes(self.out))
            self.out.clear()

    def reply(self, num: int) -> tuple[int, bytes]:
        """(type, body after the request id) of the reply to ``num``."""
        while num not in self.got:
            data = self.chan.recv(1 << 20)
            if not data:
                raise OSError(errno.ECONNRESET, "the server closed the SFTP channel")
            buf = self.inbuf
            buf += data
            at = 0
            while len(buf) - at >= 9:
                (length,) = _U32.unpack_from(buf, at)
                if len(buf) - at < 4 + length:
                    break
                t = buf[at + 4]
                (rid,) = _U32.unpack_from(buf, at + 5)
                self.got[rid] = (t, bytes(buf[at + 9:at + 4 + length]))
                at += 4 + length
            del buf[:at]
        return self.got.pop(num)


def _status(t: int, body: bytes) -> tuple[int, str]:
    """(code, message) of a STATUS reply; anything else is a protocol error."""
    if t != CMD_STATUS:
        return -1, f"unexpected reply type {t}"
    (code,) = _U32.unpack_from(body, 0)
    text = ""
    if len(body) >= 8:
        (n,) = _U32.unpack_from(body, 4)
        text = body[8:8 + n].decode("utf-8", "replace")
    return code, text


def _oserror(code: int, text: str) -> OSError:
    if code == 2:
        return FileNotFoundError(errno.ENOENT, text or "no such file")
    if code == 3:
        return PermissionError(errno.EACCES, text or "permission denied")
    return OSError(f"{text or 'failure'} (SFTP status {code})")
