"""Clients in parallel: ``--jobs N`` for ``publish --all`` and ``tick``.

``run_each(items, fn, jobs, reporter)`` calls ``fn(item, reporter)`` for every item and returns
the results in the items' order. With one job (or one item) that is a plain loop on the caller's
reporter. With more, the items go to ``jobs`` forked worker processes (builds are CPU-bound
Python, so threads share one core: a cold publish of 8 clients took 1.10 x one job's time
with 2 threads, 0.69 x with 2 processes, on 2 cores; bench/jobs_bench.py): each item's
reporter is a ``BufferedReporter`` that keeps every line, and the parent replays the buffers
**in the items' order**, each as soon as it and every item before it is done. So the output of
``--jobs 4`` is the output of ``--jobs 1``, one client's lines together, never interleaved.

``fn`` catches the errors that belong to its item (a client's broken page or unreachable
host) and returns them in its result: one failing item never stops the others. Anything
else (a bug) is raised in the parent once the pool has finished the other items.

``client_lock`` keeps two runs in one workspace (a cron tick and a manual publish) off the
same client at the same time.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .report import Progress, Reporter


class ClientLockError(Exception):
    """The client's lock file cannot be made or opened (the message says where and why)."""


# (pid, lock file) -> depth: a tick's publish of a client takes the lock its tick already holds.
_clients_held: dict[tuple[int, str], int] = {}


@contextmanager
def client_lock(folder: Path, client: str, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """One run at a time works on ``client`` in this workspace (its build folder, its records):
    an exclusive ``flock`` on ``folder/<client>.lock``, waited for (``waiting`` is told once).
    Runs of other clients never wait on it; the kernel lets go when a run dies."""
    import fcntl

    path = str(folder / f"{client}.lock")
    mine = (os.getpid(), path)
    if _clients_held.get(mine):
        _clients_held[mine] += 1
        try:
            yield
        finally:
            _clients_held[mine] -= 1
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise ClientLockError(f"{client}: cannot lock the client ({path}): {exc.strerror or exc}") from exc
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if waiting is not None and not told:
                    waiting()
                    told = True
                time.sleep(0.1)
        _clients_held[mine] = 1
        try:
            yield
        finally:
            _clients_held.pop(mine, None)
    finally:
        os.close(fd)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


class BufferedReporter(Reporter):
    """Keeps every call made on it, to be replayed on the real reporter in one piece."""

    def __init__(self, json: bool):
        self.json = json
        self.calls: list[tuple[str, tuple, dict]] = []

    def info(self, message: str, **data: Any) -> None:
        self.calls.append(("info", (message,), data))

    def output(self, message: str) -> None:
        self.calls.append(("output", (message,), {}))

    def detail(self, message: str) -> None:
        self.calls.append(("detail", (message,), {}))

    def warn(self, message: str, **data: Any) -> None:
        self.calls.append(("warn", (message,), data))

    def problems(self, diagnostics) -> None:
        self.calls.append(("problems", (list(diagnostics),), {}))

    def event(self, kind: str, **data: Any) -> None:
        self.calls.append(("event", (kind,), data))

    def result(self, data: dict) -> None:
        self.calls.append(("result", (data,), {}))

    @contextmanager
    def progress(self, label: str, total: int | None = None, unit: str = "files"):
        yield Progress()  # a bar per worker would interleave; the lines say what was done

    def replay(self, reporter: Reporter) -> None:
        for method, args, kwargs in self.calls:
            getattr(reporter, method)(*args, **kwargs)


# Set in the parent just before the fork, read by the workers (nothing big is pickled).
_work: tuple[Callable, Sequence, bool] | None = None
_started: Any = None
"""A queue the workers tell (index, True) when they begin an item and (index, False) when it
is done (only with a status line)."""


def _run_some(indices: range) -> list:
    fn, items, json = _work  # type: ignore[misc]
    done = []
    for i in indices:
        if _started is not None:
            _started.put((i, True))
        buffered = BufferedReporter(json)
        done.append((fn(items[i], buffered), buffered))
        if _started is not None:
            _started.put((i, False))
    return done


def _worker_init() -> None:
    # One build per worker: the build's own pool on top of N client workers would
    # oversubscribe the cores.
    os.environ["SITEKEEPER_JOBS"] = "1"


HEAVY = 0.1
"""Seconds an item takes before ``run_each(..., light_first=True)`` hands the rest to workers."""


def run_each(items: Sequence, fn: Callable[[Any, Reporter], Any], jobs: int, reporter: Reporter, *,
             light_first: bool = False) -> list:
    """``fn(item, reporter)`` for each item, ``jobs`` at once; results in the items' order.

    ``light_first`` (an idle tick: most items take a few milliseconds, less than handing them
    to a worker costs): items run here, one after another, until one takes HEAVY seconds or
    more; only the items after it go to the workers."""
    jobs = max(1, min(jobs, len(items)))
    if jobs == 1 or not sys.platform.startswith("linux"):
        return [fn(item, reporter) for item in items]
    if light_first:
        here: list = []
        for item in items:
            started = time.monotonic()
            here.append(fn(item, reporter))
            if time.monotonic() - started >= HEAVY and len(items) - len(here) >= 2:
                break
        return here + (run_each(items[len(here):], fn, jobs, reporter) if len(here) < len(items) else [])
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _work, _started
    _work = (fn, items, reporter.json)
    results: list = []
    # A few items per task: an idle tick's clients take a millisecond each, less than a task's
    # round trip; small enough that a slow client holds up few others.
    size = max(1, len(items) // (jobs * 8))
    ctx = mp.get_context("fork")
    status = _StatusLine.for_reporter(reporter, items)
    _started = ctx.SimpleQueue() if status is not None else None
    try:
        with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_worker_init) as pool:
            futures = [pool.submit(_run_some, range(i, min(i + size, len(items)))) for i in range(0, len(items), size)]
            _collect(futures, reporter, results, status, _started)
    finally:
        _work = None
        if _started is not None:
            _started.close()
            _started = None
        if status is not None:
            status.clear()
    return results


def _collect(futures: list, reporter: Reporter, results: list, status: "_StatusLine | None", started=None) -> None:
    """Replay each task's buffers in order, as soon as it and the ones before it are done."""
    from concurrent.futures import FIRST_COMPLETED, wait

    pending, nxt = set(futures), 0
    while nxt < len(futures):
        # With a status line, wake each second to show which clients are being worked on.
        _finished, pending = (wait(pending, timeout=1.0 if status is not None else None, return_when=FIRST_COMPLETED)
                              if pending else (set(), set()))
        if status is not None:
            while started is not None and not started.empty():
                status.seen(*started.get())
            status.clear()
        while nxt < len(futures) and futures[nxt].done():
            for result, buffered in futures[nxt].result():  # a bug in a worker is raised here
                buffered.replay(reporter)
                results.append(result)
            nxt += 1
        if status is not None and nxt < len(futures):
            status.show()


class _StatusLine:
    """On a terminal, one line on stderr under the finished clients' lines: "3 of 10 clients
    done; now: bakery 12 s, florist 3 s" (the clients being worked on, the longest first; the
    lines of a client come when it and those before it are done)."""

    WIDTH = 100

    def __init__(self, stream, items: Sequence):
        self.stream, self.items, self.total = stream, items, len(items)
        self.running: dict[int, float] = {}
        """Index of each item a worker is on -> when it began."""
        self.ended = 0
        """Items the workers said are done (their lines may wait for an earlier client's): the count shown."""

    @classmethod
    def for_reporter(cls, reporter: Reporter, items: Sequence) -> "_StatusLine | None":
        stream = getattr(reporter, "stream", None)
        if reporter.json or getattr(reporter, "quiet", False) or not getattr(stream, "isatty", lambda: False)():
            return None
        line = cls(stream, items)
        line.show()
        return line

    def seen(self, index: int, begun: bool) -> None:
        if begun:
            self.running[index] = time.monotonic()
        else:
            self.running.pop(index, None)
            self.ended += 1

    def now(self) -> str:
        if self.ended >= self.total:
            return ""
        clock = time.monotonic()
        shown = sorted(self.running.items(), key=lambda kv: kv[1])[:3]
        names = [f"{self.items[i]} {int(clock - t)} s" for i, t in shown if isinstance(self.items[i], str)]
        return f"; now: {', '.join(names)}" if names else ""

    def show(self) -> None:
        text = f"{self.ended} of {self.total} clients done{self.now()}"
        self.stream.write(f"\r\x1b[2K{text[:self.WIDTH]}")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[2K")
        self.stream.flush()
