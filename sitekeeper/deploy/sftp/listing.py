"""The listing of an SFTP docroot: its folders walked over ``SITEKEEPER_SFTP_CHANNELS``
channels at once (default 4), each file's size and mtime (the stamp the manifest keeps).
Private names (``.sitekeeper*``) are left out; the folders seen are remembered by the session,
so uploads create none of them again.
"""
from __future__ import annotations

import posixpath
import stat as statmod
import threading
from concurrent.futures import ThreadPoolExecutor

import paramiko

from ...settings import tuning
from ..plan import RemoteEntry, is_private
from .session import Session

CHANNELS: int | None = None  # listing channels; None: SITEKEEPER_SFTP_CHANNELS (sitekeeper.settings)


def list_files(session: Session, root: str) -> dict[str, RemoteEntry]:
    """Walk ``root`` (the live release in atomic mode), a few folders at a time."""
    out: dict[str, RemoteEntry] = {}
    if session.lstat(root) is None:
        return out
    lock = threading.Lock()
    local = threading.local()
    channels: list[paramiko.SFTPClient] = []

    def sftp_for_thread() -> paramiko.SFTPClient:
        if not hasattr(local, "sftp"):
            local.sftp = session.channel()
            with lock:
                channels.append(local.sftp)
        return local.sftp

    def walk(folder: str) -> list[str]:
        sftp = sftp_for_thread()
        full = posixpath.join(root, folder) if folder else root
        try:
            entries = sftp.listdir_attr(full)
        except OSError as exc:
            raise session.io(exc, f"listing {full}") from exc
        subdirs = []
        for attr in entries:
            rel = f"{folder}/{attr.filename}" if folder else attr.filename
            if is_private(rel):
                continue
            if statmod.S_ISDIR(attr.st_mode or 0):
                subdirs.append(rel)
                with session.dirs_lock:
                    session.dirs.add(posixpath.join(root, rel))
            elif statmod.S_ISREG(attr.st_mode or 0):
                with lock:
                    out[rel] = RemoteEntry(attr.st_size or 0, str(attr.st_mtime or ""))
        return subdirs

    with session.dirs_lock:
        session.dirs.add(root)
    try:
        with ThreadPoolExecutor(max_workers=CHANNELS or tuning().sftp_channels) as pool:
            pending = [pool.submit(walk, "")]
            while pending:
                fut = pending.pop()
                for sub in fut.result():
                    pending.append(pool.submit(walk, sub))
    finally:
        for ch in channels:
            ch.close()
    return out
