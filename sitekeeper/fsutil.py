"""The one way sitekeeper writes a whole file: ``atomic_write``.

The bytes go to a temp file with a name no other writer shares (process id and a random
token, created exclusively, never through a symbolic link), are flushed to disk, and are
renamed over the target: a reader sees the old file or the new one, never half of one, and
two writers at once never write into each other's temp file. The temp file waits beside the
target, or in ``tmp_dir`` for a folder that must hold nothing else (a deploy target's docroot,
a state store); ``atomic_write_chunks`` takes the bytes as they come (a file streamed and
hashed on its way) and ``staged`` only writes the temp file, for a caller that links it into
place (an exclusive create)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable, Iterable

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def temp_name(path: Path) -> Path:
    """A name beside ``path`` that only this writer uses (``.NAME.sk-tmp-PID-TOKEN``)."""
    return path.with_name(f".{path.name[:200]}.sk-tmp-{os.getpid()}-{secrets.token_hex(4)}")


def temp_in(folder: Path) -> Path:
    """A name in ``folder`` that only this writer uses (``PID-TOKEN.part``)."""
    return Path(folder) / f"{os.getpid()}-{secrets.token_hex(8)}.part"


def temp_owner(path: Path) -> int | None:
    """The process id in a name from ``temp_in`` or ``temp_name`` (None for any other name)."""
    name = Path(path).name
    if ".sk-tmp-" in name:
        head = name.rsplit(".sk-tmp-", 1)[1]
    elif name.endswith(".part"):
        head = name.removesuffix(".part")
    else:
        return None
    pid = head.split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _write_new(tmp: Path, chunks: Iterable[bytes], fsync: bool) -> None:
    """Create ``tmp`` exclusively and write ``chunks`` into it; on any failure it is gone."""
    fd = os.open(tmp, _FLAGS, 0o666)  # the umask decides, as for any file written
    try:
        with os.fdopen(fd, "wb") as fh:
            for block in chunks:
                fh.write(block)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        _unlink(tmp)
        raise


def staged(folder: Path, data: bytes, *, fsync: bool = True) -> Path:
    """``data`` written whole to a fresh temp file in ``folder`` (made when missing); the caller
    moves or links it into place and removes it. Raises OSError; nothing is left then."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    tmp = temp_in(folder)
    _write_new(tmp, (data,), fsync)
    return tmp


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], *, fsync: bool = True, mkdir: bool = True,
                        tmp_dir: Path | None = None, before_rename: Callable[[], None] | None = None) -> None:
    """Write the ``chunks`` at ``path`` atomically (temp file, fsync, rename). ``tmp_dir``: where
    the temp file waits (on the same filesystem), instead of beside ``path``; ``before_rename``
    is called once the bytes are down, and may raise to leave ``path`` as it was. Raises what
    the chunks, the callback or the filesystem raise; the temp file is gone then."""
    if mkdir:
        path.parent.mkdir(parents=True, exist_ok=True)
        if tmp_dir is not None:
            Path(tmp_dir).mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path) if tmp_dir is None else temp_in(tmp_dir)
    _write_new(tmp, chunks, fsync)
    try:
        if before_rename is not None:
            before_rename()
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise


def atomic_write(path: Path, data: bytes, *, fsync: bool = True, mkdir: bool = True,
                 tmp_dir: Path | None = None) -> None:
    """Write ``data`` at ``path`` atomically (temp file, fsync, rename). ``fsync=False`` skips
    the flush for output that is made again from its sources (a build's folder). ``mkdir``
    creates the missing parent folders (and ``tmp_dir``); ``tmp_dir`` as for ``atomic_write_chunks``. Raises
    OSError; the temp file is gone then."""
    atomic_write_chunks(path, (data,), fsync=fsync, mkdir=mkdir, tmp_dir=tmp_dir)


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created when missing, with its folders) and fsync it; when
    the file is new, the folder too, so the new name survives a crash as well. For the lists
    that only grow (unsubscribed.csv, audience.csv). Raises OSError."""
    created = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
