"""The send ledger: the at-most-once record of one campaign, in the state store.

Keys of a campaign in the store (``campaigns/<client>/<slug>/``)::

    lock                          the send lock (state/lock.py): one sender at a time
    ledger/<seq>-<run>.jsonl      one segment per batch, one JSON object per line:
                                  {"k": key, "a": address, "s": status, "t": unix time, ...}

A batch's segment is created with an ``intent`` for each of its recipients *before* any of
them goes to the transport, and rewritten whole with their outcomes after: ``sent``,
``failed`` (``"p": true`` when permanent, e.g. an SMTP 550), ``uncertain`` (the transport
cannot tell) or ``released`` (certainly not sent: the run stopped first). Two writes per
batch, none per message. After a crash the last batch's segment still holds intents: those
recipients are *uncertain*, never re-sent automatically; ``campaign reconcile`` settles
them with a segment of its own.

Reading folds the segments in order; for each key the last record wins. Sequence numbers
are one above the highest a run found when it started: the lock makes runs one at a time,
so segment names sort in the order they were written, whatever the runners' clocks say.
"""
from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass

SENT, INTENT, FAILED, UNCERTAIN, RELEASED = "sent", "intent", "failed", "uncertain", "released"


@dataclass(frozen=True)
class Entry:
    status: str
    """The key's last status: sent, intent, failed, uncertain or released."""
    address: str
    """The recipient's address (as mailed)."""
    at: float
    """Unix time of the record."""
    permanent: bool = False
    """For ``failed``: a refusal that will not change (550), not worth retrying."""
    detail: str = ""
    """The transport's answer, for reconcile and --verbose."""

    @property
    def unsettled(self) -> bool:
        """Possibly delivered, unknown: intent without outcome, or an uncertain outcome."""
        return self.status in (INTENT, UNCERTAIN)


def campaign_prefix(client: str, slug: str) -> str:
    return f"campaigns/{client}/{slug}/"


class Ledger:
    """The ledger of ``client/slug`` on ``store``. ``load`` first, then ``begin``/``finish`` per batch."""

    def __init__(self, store, client: str, slug: str):
        self.store = store
        self.prefix = campaign_prefix(client, slug) + "ledger/"
        self.run = uuid.uuid4().hex[:8]
        self.seq = 0
        self.sent: set[str] = set()
        """Keys delivered (kept apart from ``others``: the common case, small in memory)."""
        self.others: dict[str, Entry] = {}
        """Keys whose last status is anything but sent."""

    def describe(self) -> str:
        return self.store.describe(self.prefix)

    def load(self) -> "Ledger":
        self.sent.clear()
        self.others.clear()
        high = 0
        for name in self.store.list(self.prefix):
            seg = name[len(self.prefix):]
            try:
                high = max(high, int(seg.split("-", 1)[0]))
            except ValueError:
                continue
            got = self.store.read(name)
            if got is None:
                continue
            for line in got[0].splitlines():
                try:
                    rec = json.loads(line)
                    self._apply(rec)
                except (ValueError, KeyError, TypeError):
                    continue  # a torn line cannot happen on these stores; skip rather than stop
        self.seq = high
        return self

    def _apply(self, rec: dict) -> None:
        key, status = str(rec["k"]), str(rec["s"])
        if status == SENT:
            self.sent.add(key)
            self.others.pop(key, None)
        else:
            self.sent.discard(key)
            self.others[key] = Entry(status, str(rec.get("a", "")), float(rec.get("t", 0)), bool(rec.get("p")),
                                     str(rec.get("d", "")))

    def status(self, key: str) -> Entry | None:
        if key in self.sent:
            return Entry(SENT, "", 0)
        return self.others.get(key)

    # ------------------------------------------------------------ writes

    def _segment(self, records: list[dict]) -> str:
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        while True:
            self.seq += 1
            name = f"{self.prefix}{self.seq:09d}-{self.run}.jsonl"
            if self.store.create(name, data):
                return name

    def begin(self, batch: list[tuple[str, str]]) -> str:
        """Record the intent to send to each (key, address); returns the segment's name."""
        now = time.time()
        records = [{"k": k, "a": a, "s": INTENT, "t": now} for k, a in batch]
        name = self._segment(records)
        for rec in records:
            self._apply(rec)
        return name

    def finish(self, segment: str, outcomes: list[dict]) -> None:
        """Replace the segment's intents with the batch's outcomes (``k``, ``a``, ``s``, optional ``p``, ``d``)."""
        now = time.time()
        records = [{"t": now, **o} for o in outcomes]
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        self.store.write(segment, data)
        for rec in records:
            self._apply(rec)

    def settle(self, outcomes: list[dict]) -> None:
        """Reconcile's settlements, as a segment of their own."""
        if not outcomes:
            return
        now = time.time()
        records = [{"t": now, **o} for o in outcomes]
        self._segment(records)
        for rec in records:
            self._apply(rec)

    # ------------------------------------------------------------ reading

    def counts(self) -> dict[str, int]:
        c = Counter(e.status for e in self.others.values())
        return {"sent": len(self.sent), "uncertain": c[INTENT] + c[UNCERTAIN], "failed": c[FAILED]}

    def unsettled(self) -> list[tuple[str, Entry]]:
        return sorted(((k, e) for k, e in self.others.items() if e.unsettled), key=lambda ke: (ke[1].at, ke[1].address))

    def failed(self) -> list[tuple[str, Entry]]:
        return sorted(((k, e) for k, e in self.others.items() if e.status == FAILED), key=lambda ke: ke[1].address)
