"""One publish's SFTP session: the logged-in transport, its main channel, and the small file
operations every other room of the backend shares (stat, read, mkdir, rename), each mapping
the server's failure to an error that names the path and the fix.

The main channel is used by one thread at a time where it matters (``main_lock``); the
folders known to exist are cached (``dirs``) so a folder is created once per publish.
``posix_rename`` turns False the first time the server says it lacks ``posix-rename@openssh.com``.
paramiko has no public call for an SFTP extended request; ``statvfs`` and ``extended`` here and
``attrs`` in pipeline.py are the only places that reach into its private API, so a paramiko
upgrade that changes it breaks there, visibly, and nowhere else.
"""
from __future__ import annotations

import errno
import stat as statmod
import threading
from dataclasses import dataclass

import paramiko
from paramiko.sftp import CMD_EXTENDED, CMD_EXTENDED_REPLY, SFTP_OP_UNSUPPORTED
from paramiko.sftp_attr import SFTPAttributes

from ... import network
from ...config.deploy import Target
from ...errors import DeployError
from ..remote import TargetFull, missing_folders
from .connect import connect, open_channel, target_error


class Session:
    """The SSH connection of one publish and its main SFTP channel."""

    def __init__(self, target: Target, client: str):
        self.target, self.client, self.name = target, client, target.name
        self.root = ""
        """The docroot once found (for the free space in a disk-full message)."""
        self.dirs: set[str] = set()
        """Folders known to exist on the server."""
        self.dirs_lock = threading.Lock()
        self.main_lock = threading.Lock()
        self.posix_rename = True
        self.transport = connect(target, client)
        try:
            self.sftp = open_channel(self.transport)
        except BaseException:
            self.transport.close()
            raise

    def channel(self) -> paramiko.SFTPClient:
        """Another SFTP channel on the same connection (listing and upload workers)."""
        return open_channel(self.transport)

    # ---------------------------------------------------------------- errors

    def err(self, message: str, fix: str) -> DeployError:
        return target_error(self.client, self.target, message, fix)

    def full(self, what: str) -> DeployError:
        free = None
        if self.root and self.main_lock.acquire(blocking=False):  # never waits on itself
            try:
                free = statvfs(self.sftp, self.root)
            finally:
                self.main_lock.release()
        room = f" (the disk has {_size(free.available)} free)" if free else ""
        return TargetFull(
            f"{self.client}: target {self.name}: the disk or quota on the server is probably full{room}: {what}",
            "free space on the server (or ask the host for a bigger quota); if the new site is smaller, run "
            "publish again with --deletes-first so the files it no longer has are removed first")

    def io(self, exc: OSError, what: str) -> DeployError:
        if isinstance(exc, TimeoutError):
            return self.err(f"no answer within {network.timeouts().read:g} s while {what}; no file is left "
                            "half-written under its name, and the next publish finishes the rest",
                            "check the server (a full disk, a hung account), then run again; [timeouts] read in "
                            "sitekeeper.toml sets the wait")
        if getattr(exc, "errno", None) == errno.EACCES:
            return self.err(f"permission denied: {what}",
                            "the account may not write there: check the docroot path in the url and the "
                            "folder's permissions on the server")
        if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
            return self.full(f"{what} failed (no space left)")
        return self.err(f"{what} failed ({exc})", "check the path in the url and the server")

    # ---------------------------------------------------------------- small operations

    def lstat(self, path: str, sftp: paramiko.SFTPClient | None = None) -> SFTPAttributes | None:
        try:
            return (sftp or self.sftp).lstat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if getattr(exc, "errno", None) == errno.ENOENT:
                return None
            raise self.io(exc, f"reading {path}") from exc

    def read(self, path: str) -> bytes | None:
        try:
            with self.sftp.open(path, "rb") as fh:
                size = fh.stat().st_size or 0
                fh.prefetch(size)
                data = fh.read(size)  # exactly its size: no further read to find the end
                return data + fh.read() if len(data) < size else data
        except FileNotFoundError:
            return None
        except OSError as exc:
            if getattr(exc, "errno", None) == errno.ENOENT:
                return None
            raise self.io(exc, f"reading {path}") from exc

    def mkdir_once(self, folder: str) -> None:
        """Create ``folder`` unless it is there (or another publish just made it)."""
        try:
            if self.lstat(folder) is None:
                self.sftp.mkdir(folder)
        except OSError as exc:
            made = self.lstat(folder)
            if made is None or not statmod.S_ISDIR(made.st_mode):
                raise self.io(exc, f"creating {folder}") from exc
        with self.dirs_lock:  # there now, and so is every folder above it: makedirs stops here
            self.dirs.add(folder)

    def makedirs(self, sftp: paramiko.SFTPClient, path: str) -> None:
        with self.dirs_lock:
            if path in self.dirs:
                return
        for p in missing_folders(path, self.dirs):
            try:
                sftp.mkdir(p)
            except OSError as exc:
                st = self.lstat(p, sftp)
                if st is None or not statmod.S_ISDIR(st.st_mode):
                    if st is not None:
                        raise self.err(f"{p} is a file on the server but the site needs a folder there",
                                       "remove it by hand, then publish again") from exc
                    raise self.io(exc, f"creating folder {p}") from exc
            with self.dirs_lock:
                self.dirs.add(p)

    def rename(self, sftp: paramiko.SFTPClient, src: str, dst: str) -> None:
        """Replace ``dst`` with ``src``: atomically with posix-rename, else remove and rename."""
        if self.posix_rename:
            try:
                sftp.posix_rename(src, dst)
                return
            except OSError as exc:
                if "unsupported" not in str(exc).lower() and getattr(exc, "errno", None) != SFTP_OP_UNSUPPORTED:
                    raise
                self.posix_rename = False  # old server: remove + rename (a moment without the file)
        try:
            sftp.rename(src, dst)
        except OSError:
            sftp.remove(dst)
            sftp.rename(src, dst)

    def readlink(self, path: str) -> str | None:
        try:
            return self.sftp.readlink(path)
        except OSError:
            return None

    def close(self) -> None:
        try:
            self.sftp.close()
        except Exception:
            pass
        self.transport.close()


@dataclass(frozen=True)
class Vfs:
    available: int
    """Bytes free for the account (f_bavail * f_frsize)."""
    fsid: int
    """The file system's id: two paths with different ids are on different disks."""


def statvfs(sftp: paramiko.SFTPClient, path: str) -> Vfs | None:
    """statvfs@openssh.com of ``path`` (OpenSSH offers it), or None where the server does not."""
    try:
        t, msg = sftp._request(CMD_EXTENDED, "statvfs@openssh.com", path)
    except (OSError, EOFError, paramiko.SSHException):
        return None
    if t != CMD_EXTENDED_REPLY:
        return None
    try:
        _bsize, frsize, _blocks, _bfree, bavail, _files, _ffree, _favail, fsid = (msg.get_int64() for _ in range(9))
    except Exception:
        return None
    return Vfs(bavail * frsize, fsid)


def extended(sftp: paramiko.SFTPClient, name: str, *args: str) -> None:
    """Run the SFTP extended request ``name`` (e.g. hardlink@openssh.com); raises OSError."""
    sftp._request(CMD_EXTENDED, name, *args)


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} bytes"
    return f"{n / 1e6:.1f} MB" if n < 1e9 else f"{n / 1e9:.1f} GB"
