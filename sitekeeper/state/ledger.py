"""The send ledger: the at-most-once record of one campaign, in the state store.

Keys of a campaign in the store (``campaigns/<client>/<slug>/``)::

    lock                          the send lock (state/lock.py): one sender at a time
    ledger/<seq>-<run>.jsonl      one segment per batch, one JSON object per line:
                                  {"k": key, "a": address, "s": status, "t": unix time, ...},
                                  sealed with a checksum line (state/record.py)
    ledger/format                 "sealed from <seq>": the first segment written with a checksum;
                                  from it on, a segment without one is damaged (cut short at a
                                  line end); older segments are read as they were written
    damaged/<segment>-<run>       a damaged segment set aside by ``reconcile --repair``

A batch's segment is created with an ``intent`` for each of its recipients *before* any of
them goes to the transport, and rewritten whole with their outcomes after: ``sent``,
``failed`` (``"p": true`` when permanent, e.g. an SMTP 550), ``uncertain`` (the transport
cannot tell) or ``released`` (certainly not sent: the run stopped first). Two writes per
batch, none per message. After a crash the last batch's segment still holds intents: those
recipients are *uncertain*, never re-sent automatically; ``campaign reconcile`` settles
them with a segment of its own.

Reading folds the segments in order; for each key the last record wins. A segment that is
empty, cut short or fails its checksum stops the campaign (``DamagedRecord``): a damaged
segment is never read as "not sent yet". ``repair`` sets it aside and records what can still
be read of it (see there). Sequence numbers
are one above the highest a run found when it started: the lock makes runs one at a time,
so segment names sort in the order they were written, whatever the runners' clocks say.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import DamagedRecord
from . import record
from .keys import campaign_prefix
from .store import Store

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


@dataclass(frozen=True)
class Damage:
    key: str
    """The segment's key in the store."""
    where: str
    """Where it lives (``store.describe(key)``), for messages."""
    why: str
    """What is wrong with it."""


FORMAT = "format"
"""The ledger's marker key (under ledger/): from which segment on they carry checksums."""
_SEALED_FROM = re.compile(rb"sealed from ([0-9]+)\n?\Z")


STATUSES = (SENT, INTENT, FAILED, UNCERTAIN, RELEASED)


def _well_formed(rec: dict[str, Any]) -> bool:
    try:
        float(rec.get("t", 0))
    except (TypeError, ValueError):
        return False
    return isinstance(rec.get("k"), str) and rec.get("s") in STATUSES


def repair_fix(client: str, slug: str) -> str:
    return (f"run `sitekeeper campaign reconcile {client}/{slug} --repair`: it sets the damaged segment aside and "
            "keeps what can still be read of it (see `sitekeeper campaign reconcile --help`)")


class Ledger:
    """The ledger of ``client/slug`` on ``store``. ``load`` first, then ``begin``/``finish`` per batch."""

    def __init__(self, store: Store, client: str, slug: str):
        self.store = store
        self.campaign = f"{client}/{slug}"
        self.fix = repair_fix(client, slug)
        self.prefix = campaign_prefix(client, slug) + "ledger/"
        self.aside = campaign_prefix(client, slug) + "damaged/"
        self.damaged: list[Damage] = []
        """Damaged segments found by the last ``load(tolerate=True)``."""
        self.marked: bool | None = None
        """Whether the ledger's format marker is there (None: not looked yet)."""
        self.sealed_from = 0
        """The first segment that must carry a checksum (by the marker)."""
        self.run = uuid.uuid4().hex[:8]
        self.seq = 0
        self.sent: set[str] = set()
        """Keys delivered (kept apart from ``others``: the common case, small in memory)."""
        self.others: dict[str, Entry] = {}
        """Keys whose last status is anything but sent."""

    def describe(self) -> str:
        return self.store.describe(self.prefix)

    def load(self, tolerate: bool = False) -> "Ledger":
        """Fold the segments. A damaged one raises ``DamagedRecord`` (after all are read, naming
        each); with ``tolerate`` it is listed in ``damaged`` instead (status, repair)."""
        self.sent.clear()
        self.others.clear()
        self.damaged = []
        high = 0
        names = self.store.list(self.prefix)
        self.marked = self.prefix + FORMAT in names
        self.sealed_from = self._sealed_from() if self.marked else 0
        for name in names:
            seg = name[len(self.prefix):]
            try:
                seq = int(seg.split("-", 1)[0])
            except ValueError:
                continue
            high = max(high, seq)
            got = self.store.read(name)
            if got is None:
                continue  # removed between the listing and the read (a repair): not a record
            try:
                records = record.load_jsonl(got[0], self.store.describe(name), self.fix, "a segment of the send "
                                            "ledger", require_seal=self.marked and seq >= self.sealed_from)
            except DamagedRecord as exc:
                self.damaged.append(Damage(name, exc.record, exc.why))
                continue
            if not all(_well_formed(rec) for rec in records):
                self.damaged.append(Damage(name, self.store.describe(name), "a line is not a record of a recipient"))
                continue
            for rec in records:
                self._apply(rec)
        self.seq = high
        if self.damaged and not tolerate:
            raise self.damage_error()
        return self

    def _sealed_from(self) -> int:
        got = self.store.read(self.prefix + FORMAT)
        m = _SEALED_FROM.match(got[0]) if got else None
        # A marker that cannot be read asks for checksums everywhere: an older segment then
        # shows as damaged, and a repair keeps every line of it (the safe side).
        return int(m.group(1)) if m else 0

    def damage_error(self) -> DamagedRecord:
        first = self.damaged[0]
        more = f" (and {len(self.damaged) - 1} more damaged segments)" if len(self.damaged) > 1 else ""
        return DamagedRecord(
            f"{first.where}: the send ledger of {self.campaign} is damaged: {first.why}{more}; nothing is sent for "
            "this campaign until it is repaired (a damaged record is never read as 'not sent yet')",
            self.fix, record=first.where, why=first.why)

    def _apply(self, rec: dict[str, Any]) -> None:
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

    def _encode(self, records: list[dict[str, Any]]) -> bytes:
        return record.seal("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode())

    def _segment(self, records: list[dict[str, Any]]) -> str:
        if not self.marked:
            # Before the first sealed segment: from it on, a segment without a checksum is damaged.
            self.store.create(self.prefix + FORMAT, b"sealed from %d\n" % (self.seq + 1))
            self.marked = True
        data = self._encode(records)
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

    def finish(self, segment: str, outcomes: list[dict[str, Any]]) -> None:
        """Replace the segment's intents with the batch's outcomes (``k``, ``a``, ``s``, optional ``p``, ``d``)."""
        now = time.time()
        records = [{"t": now, **o} for o in outcomes]
        self.store.write(segment, self._encode(records))
        for rec in records:
            self._apply(rec)

    def settle(self, outcomes: list[dict[str, Any]]) -> None:
        """Reconcile's settlements, as a segment of their own."""
        if not outcomes:
            return
        now = time.time()
        records = [{"t": now, **o} for o in outcomes]
        self._segment(records)
        for rec in records:
            self._apply(rec)

    def repair(self) -> list[dict[str, Any]]:
        """Set each damaged segment aside (kept under ``damaged/``) and record, as a segment of
        its own, what can still be read of it: a recipient it shows as sent stays sent; every
        other recipient it names becomes uncertain, never mailed until ``reconcile`` settles it.
        Lines that cannot be read name nobody. Call after ``load(tolerate=True)``, under the
        campaign's lock. Returns one summary per segment."""
        found: dict[str, dict[str, Any]] = {}
        out = []
        for d in self.damaged:
            got = self.store.read(d.key)
            data = got[0] if got else b""
            recs, lost = record.salvage_jsonl(data)
            usable = [r for r in recs if _well_formed(r)]
            for rec in usable:
                found[rec["k"]] = rec
            aside = f"{self.aside}{d.key[len(self.prefix):]}-{uuid.uuid4().hex[:6]}"
            self.store.write(aside, data)  # kept first: the segment is removed only once its copy is written
            self.store.delete(d.key)
            out.append({"segment": d.where, "why": d.why, "aside": self.store.describe(aside),
                        "readable": len(usable), "unreadable": lost + len(recs) - len(usable),
                        "nothing_readable": not usable})
        settle = []
        for key, rec in found.items():
            if key in self.sent:
                continue
            how = SENT if rec["s"] == SENT else UNCERTAIN
            settle.append({"k": key, "a": str(rec.get("a", "")), "s": how,
                           "d": f"recovered from a damaged ledger segment as {rec['s']} by reconcile --repair"})
        self.damaged = []
        self.settle(settle)
        return out

    # ------------------------------------------------------------ reading

    def counts(self) -> dict[str, int]:
        c = Counter(e.status for e in self.others.values())
        return {"sent": len(self.sent), "uncertain": c[INTENT] + c[UNCERTAIN], "failed": c[FAILED]}

    def unsettled(self) -> list[tuple[str, Entry]]:
        return sorted(((k, e) for k, e in self.others.items() if e.unsettled), key=lambda ke: (ke[1].at, ke[1].address))

    def failed(self) -> list[tuple[str, Entry]]:
        return sorted(((k, e) for k, e in self.others.items() if e.status == FAILED), key=lambda ke: ke[1].address)
