"""How sitekeeper reaches other hosts: how long it waits, and how many connections at once.

Timeouts (sitekeeper.toml ``[timeouts]``): ``connect`` seconds to open a connection and log in,
``read`` seconds any later step (a command's answer, a transfer's next bytes, an S3 request)
may go without an answer. ``timeouts()`` is what every network module asks.

At most ``max_connections_per_host`` connections to one host at once, across every client and
every worker (``--jobs``) of this machine: many clients of a freelancer share one shared-hosting
server, which refuses (or bans) a burst of logins.

A slot is an exclusive ``flock`` on one of N files under ``.sitekeeper/connections/`` named after
the host's address (two names of one server share their slots; an address that cannot be looked
up goes by its name). ``flock`` excludes across processes and across the threads of one process
alike, and the kernel lets go of a slot when its holder dies, so a killed run leaves none taken.
Nothing is limited until ``configure`` was called (each command that publishes or sends does).
"""
from __future__ import annotations

import os
import re
import socket
import contextlib
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

DEFAULT_LIMIT = 2
"""Connections to one host at once unless sitekeeper.toml says otherwise."""
CONNECT_TIMEOUT = 20.0
"""Seconds to connect and log in, unless [timeouts] connect says otherwise."""
READ_TIMEOUT = 60.0
"""Seconds any later step may go without an answer, unless [timeouts] read says otherwise."""
WAIT_STEP = 0.05
"""Seconds between two looks for a free slot."""

@dataclass(frozen=True)
class Timeouts:
    connect: float = CONNECT_TIMEOUT
    """Seconds to open a connection (TCP, TLS, the greeting) and log in."""
    read: float = READ_TIMEOUT
    """Seconds a later step may wait for an answer or a transfer's next bytes."""


_folder: Path | None = None
_limit = DEFAULT_LIMIT
_timeouts = Timeouts()


def configure(folder: Path | None, limit: int = DEFAULT_LIMIT, timeouts: Timeouts | None = None) -> None:
    """From now on, in this process and the workers it forks: at most ``limit`` connections to
    one host (slots under ``folder``; None: no limit) and these timeouts."""
    global _folder, _limit, _timeouts
    _folder, _limit = folder, max(1, limit)
    _timeouts = timeouts or Timeouts()


def timeouts() -> Timeouts:
    """The timeouts in force (the defaults until ``configure``)."""
    return _timeouts


def host_key(host: str, port: int | None = None) -> str:
    """The address the host name leads to (its first), else the name itself, as a file name."""
    name = (host or "").strip().lower().rstrip(".")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        name = str(infos[0][4][0]) if infos else name
    except (OSError, UnicodeError):
        pass
    return re.sub(r"[^a-z0-9.-]", "_", name)[:120] or "_"


# (pid, host key) -> how many blocks of this process hold the host's one slot: a second
# connection of the same client (a report mailed after a campaign) waits on no one, itself least.
_held: dict[tuple[int, str], int] = {}


@contextmanager
def connection_slot(host: str, port: int | None = None,
                    waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold one of the host's slots for the block (waiting for one if all are taken); a
    process holds at most one per host, shared by its nested blocks. ``waiting`` is told once,
    with the host, when the wait begins."""
    if _folder is None or not host:
        yield
        return
    import fcntl

    key = host_key(host, port)
    mine = (os.getpid(), key)
    if _held.get(mine):  # this process (one client at a time) is already connected there
        _held[mine] += 1
        try:
            yield
        finally:
            _held[mine] -= 1
        return
    _folder.mkdir(parents=True, exist_ok=True)
    told = False
    while True:
        for k in range(_limit):
            fd = os.open(_folder / f"{key}.{k}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            _held[mine] = 1
            try:
                yield
            finally:
                _held.pop(mine, None)
                os.close(fd)  # closing the file lets go of the lock
            return
        if waiting is not None and not told:
            waiting(host)
            told = True
        time.sleep(WAIT_STEP)


class Slot:
    """A slot held from ``take`` to ``give_back`` (a connection that outlives one block)."""

    def __init__(self, host: str, port: int | None = None):
        self.host, self.port = host, port
        self._held: contextlib.AbstractContextManager[None] | None = None

    def take(self) -> None:
        if self._held is None:
            held = connection_slot(self.host, self.port)
            held.__enter__()
            self._held = held

    def give_back(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.__exit__(None, None, None)
