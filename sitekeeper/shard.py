"""Shards: ``--shard I/N`` splits the clients of a workspace across N runners.

A client's shard is picked by a stable hash of its name alone (SHA-256, not Python's
per-process ``hash``), so every client is in exactly one shard of N, every runner agrees on
it without talking to the others, and adding or removing a client moves no other client.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_SHARDS = 256
"""GitHub Actions runs at most 256 jobs of one matrix (GitLab's parallel: at most 200)."""
_SPEC = re.compile(r"^\s*(\d{1,3})\s*/\s*(\d{1,3})\s*$")


@dataclass(frozen=True)
class Shard:
    index: int
    """This runner's shard, 1-based."""
    of: int
    """How many shards there are."""

    def __str__(self) -> str:
        return f"{self.index}/{self.of}"

    def takes(self, client: str) -> bool:
        return shard_of(client, self.of) == self.index

    def select(self, clients) -> list[str]:
        return [c for c in clients if self.takes(c)]

    @property
    def lock_name(self) -> str:
        return f"{self.index}-of-{self.of}"


def shard_of(client: str, of: int) -> int:
    """The 1-based shard of ``client`` among ``of``."""
    digest = hashlib.sha256(client.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % of + 1


def parse_shard(text: str) -> Shard:
    """``"I/N"`` as a Shard; ValueError (what is wrong and the fix) for anything else."""
    m = _SPEC.match(text or "")
    if not m:
        raise ValueError(f"{text!r} is not I/N: write e.g. --shard 1/4 (this runner takes shard 1 of 4)")
    index, of = int(m.group(1)), int(m.group(2))
    if not 1 <= of <= MAX_SHARDS:
        raise ValueError(f"{text}: N must be from 1 to {MAX_SHARDS} (a CI matrix runs at most {MAX_SHARDS} jobs)")
    if not 1 <= index <= of:
        raise ValueError(f"{text}: I must be from 1 to {of}")
    return Shard(index, of)
