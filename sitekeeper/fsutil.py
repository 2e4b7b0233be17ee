"""The one way sitekeeper writes a whole file: ``atomic_write``.

The bytes go to a temp file beside the target, with a name no other writer shares (process id
and a random token, created exclusively, never through a symbolic link), are flushed to disk,
and are renamed over the target: a reader sees the old file or the new one, never half of one,
and two writers at once never write into each other's temp file."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def temp_name(path: Path) -> Path:
    """A name beside ``path`` that only this writer uses (``.NAME.sk-tmp-PID-TOKEN``)."""
    return path.with_name(f".{path.name[:200]}.sk-tmp-{os.getpid()}-{secrets.token_hex(4)}")


def atomic_write(path: Path, data: bytes, *, fsync: bool = True, mkdir: bool = True) -> None:
    """Write ``data`` at ``path`` atomically (temp file, fsync, rename). ``fsync=False`` skips
    the flush for output that is made again from its sources (a build's folder). ``mkdir``
    creates the missing parent folders. Raises OSError; the temp file is gone then."""
    if mkdir:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        fd = os.open(tmp, _FLAGS, 0o666)  # the umask decides, as for any file written
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
