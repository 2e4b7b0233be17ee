"""The fork pool: parsing or rendering many files at once on Linux, the workers sharing
the parent's memory (nothing big is pickled on the way in)."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass

PARALLEL_MIN = 200
"""Below this many items, forking costs more than it saves."""

# Set in each forked worker only (by the pool's initializer), never in the parent.
_context = None


def _init(context) -> None:
    global _context
    _context = context


def _call(task):
    fn, chunk = task
    return fn(_context, chunk)


@dataclass(frozen=True)
class Parallel:
    workers: int
    """Worker processes to fork (1: everything runs in this process)."""

    @classmethod
    def from_env(cls) -> "Parallel":
        """SITEKEEPER_JOBS (sitekeeper.settings), else one per core (at most 4)."""
        from ..settings import tuning

        jobs = tuning().jobs
        return cls(jobs if jobs is not None else max(1, min(os.cpu_count() or 1, 4)))

    def worth_it(self, items: int) -> bool:
        return self.workers > 1 and items >= PARALLEL_MIN and sys.platform.startswith("linux")

    def map(self, fn, context, chunks):
        """``fn(context, chunk)`` for each chunk in forked workers, results as they come.

        ``context`` reaches the workers by fork, not by pickling; ``fn`` must be a
        module-level function and each chunk and result picklable."""
        import multiprocessing as mp

        with mp.get_context("fork").Pool(self.workers, initializer=_init, initargs=(context,)) as pool:
            yield from pool.imap_unordered(_call, [(fn, chunk) for chunk in chunks])
