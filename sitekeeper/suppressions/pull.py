"""The use cases: ``unsubscribe`` by hand and ``pull_suppressions`` from the client's sources.

A pull, under the client's suppressions lock in the state store:

1. read unsubscribed.csv, the audience's addresses and the counts of temporary failures;
2. collect from each configured source (IMAP mailbox, SQS queue): a source that fails is
   reported in ``PullReport.problems`` and the others still run;
3. ``decide`` (pure): which events suppress which addresses;
4. append the new rows (fsync) and save the counts;
5. only then acknowledge: mark the mailbox messages processed, delete the SQS messages.

A crash or failure before 5 leaves every message where it was, and the next pull reads it
again; since the CSV and the counts skip what they already hold, nothing is added twice.

Rules: a request to unsubscribe always suppresses (also an address not on the audience list:
the person asked). A permanent failure or a complaint suppresses an address on the audience
list; one that is not on it (a bounce of the client's own mail) is reported and not recorded.
Temporary failures suppress once ``TEMPORARY_LIMIT`` of them fell on different days.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Callable

from ..config.mail import is_address, normalize_address
from ..errors import Diagnostic, LockBusy, SitekeeperError, SuppressionError
from ..state import activity
from ..state.keys import pulled_key, suppressions_lock_key
from ..approvals import mailbox as _approval_replies  # noqa: F401  (registers the approval kinds)
from .kinds import by_kind
from . import signup as _signup  # noqa: F401  registers signup_request and signup_confirmed
from .events import BOUNCE, COMPLAINT, DELIVERY, SOFT_BOUNCE, TEMPORARY, UNSUBSCRIBE, Event, Item
from .record import (TEMPORARY_LIMIT, Row, Temporary, append, audience_addresses, load_temporary, read_book, rejoined,
                     save_temporary)

REASONS = (UNSUBSCRIBE, BOUNCE, SOFT_BOUNCE, COMPLAINT)


def mask(address: str) -> str:
    """m***@example.com: enough to recognise, not enough to copy."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


@dataclass(frozen=True)
class Suppressed:
    address: str
    """The address, normalised."""
    reason: str
    """unsubscribe | bounce | soft-bounce | complaint."""
    detail: str
    """The phrase, "mailto", the status code, the complaint type."""
    source: str
    """imap:<folder> | ses:<queue> | manual."""
    listed: bool = True
    """False: not on the audience list (recorded all the same)."""

    def as_json(self, verbose: bool) -> dict:
        return {"address": self.address if verbose else mask(self.address), "reason": self.reason,
                "detail": self.detail, "source": self.source, "on_audience": self.listed}


@dataclass
class PullReport:
    client: str
    """The client pulled for."""
    sources: list[str] = field(default_factory=list)
    """The sources read: "imap:INBOX", "ses:<queue>"."""
    added: list[Suppressed] = field(default_factory=list)
    """New rows of unsubscribed.csv."""
    already: int = 0
    """Events about addresses unsubscribed before."""
    temporary: dict[str, int] = field(default_factory=dict)
    """address -> temporary failures counted so far, for addresses not (yet) suppressed."""
    ignored: list[str] = field(default_factory=list)
    """Events not recorded, with why (a bounce of an address not on the audience list)."""
    notes: list[str] = field(default_factory=list)
    """Messages left alone and why."""
    messages: dict[str, int] = field(default_factory=dict)
    """source -> messages looked at."""
    handled: dict[str, int] = field(default_factory=dict)
    """source -> messages marked processed (IMAP) or deleted (SQS)."""
    problems: list[Diagnostic] = field(default_factory=list)
    """What failed; the rest was still done."""
    by_kind: dict[str, int] = field(default_factory=dict)
    """kind -> messages of it read (kinds.KINDS; every kind present, zero when none came)."""

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def counts(self) -> dict[str, int]:
        out = {reason: 0 for reason in REASONS}
        for s in self.added:
            out[s.reason] = out.get(s.reason, 0) + 1
        return out

    def as_json(self, verbose: bool = False) -> dict:
        said = {"notes": list(self.ignored + self.notes)} if verbose else {}  # they name addresses
        return {**said, "ok": self.ok, "client": self.client, "sources": self.sources, "added": len(self.added),
                "by_reason": self.counts(), "already_unsubscribed": self.already,
                "temporary_counted": len(self.temporary), "ignored": len(self.ignored),
                "messages": self.messages, "handled": self.handled, "by_kind": self.by_kind,
                "suppressed": [s.as_json(verbose) for s in self.added],
                "problems": [p.as_json() for p in self.problems]}


@dataclass
class Decision:
    rows: list[tuple[Suppressed, str]] = field(default_factory=list)
    """(what, reason text for the CSV)."""
    already: int = 0
    """Events about addresses in the CSV already."""
    ignored: list[str] = field(default_factory=list)
    """Not recorded, with why."""


def decide(events: list[tuple[str, Event]], book: frozenset[str], audience: frozenset[str],
           tracker: Temporary, now: datetime) -> Decision:
    """Which (source, event)s suppress what; updates ``tracker`` (temporary failures). Pure
    apart from the tracker it is handed."""
    out = Decision()
    taken = set(book)
    ordered = sorted(events, key=lambda se: (se[1].at or now).timestamp())
    for source, e in ordered:
        if e.kind == DELIVERY:
            tracker.delivered(e.address, e.at or now)
            continue
        if e.address in taken:
            if e.address in book:
                out.already += 1
            continue
        listed = e.address in audience
        if e.kind == UNSUBSCRIBE:
            reason, text = UNSUBSCRIBE, f"unsubscribe ({e.detail})"
        elif e.kind in (BOUNCE, COMPLAINT):
            if not listed:
                out.ignored.append(f"{e.kind} of {mask(e.address)} ({source}): not on the audience list, not recorded")
                continue
            reason = e.kind
            text = f"{e.kind} {e.detail}".strip()
        elif e.kind == TEMPORARY:
            if not listed:
                out.ignored.append(f"temporary failure of {mask(e.address)} ({source}): not on the audience list")
                continue
            tracker.fail(e.address, e.ref or f"{source}:{(e.at or now).isoformat()}", e.at or now)
            n = tracker.count(e.address, now)
            if n < TEMPORARY_LIMIT:
                continue
            reason, text = SOFT_BOUNCE, f"soft-bounce: {n} temporary failures (last {e.detail})"
        else:
            continue
        taken.add(e.address)
        out.rows.append((Suppressed(e.address, reason, e.detail, source, listed), text))
    return out


# ---------------------------------------------------------------- sources


@dataclass
class Collected:
    """What one source gave: its items, and how to acknowledge them afterwards."""

    source: str
    items: list[Item] = field(default_factory=list)
    ack: Callable[[list, list], int] | None = None
    """A callable(handled keys, the other keys) -> how many were acknowledged."""
    close: Callable[[], object] | None = None
    """A callable that ends the connection."""
    abandon: Callable[[list], object] | None = None
    """A callable(every key) that hands back what was taken, when the pull fails before acknowledging."""
    acked: bool = False
    retry: set = field(default_factory=set)
    """Keys of messages whose kind's ``act`` failed: the next pull must read them again."""


def _env(name: str | None, what: str, cfg, key: str) -> str:
    if not name:
        raise SuppressionError(f"`imap` is set but `{key}` is not: sitekeeper does not know which environment "
                               f"variable holds the {what}",
                               f'add {key} = "{cfg.client.upper().replace("-", "_")}_IMAP_{what.split()[-1].upper()}" '
                               "to [mail] and set that variable", path=cfg.path, line=cfg.line_of("mail", "imap"))
    value = os.environ.get(name, "")
    if not value:
        raise SuppressionError(f"the environment variable {name} (the IMAP {what}) is not set",
                               f"set {name} in the environment that runs sitekeeper (a CI secret in CI)",
                               path=cfg.path, line=cfg.line_of("mail", key))
    return value


def _rules(cfg):
    from .messages import Rules
    from .phrases import languages_for

    own = {normalize_address(parseaddr(v)[1]) for v in (cfg.mail.from_, cfg.mail.reply_to) if v}
    mailto = normalize_address(cfg.mail.unsubscribe_mailto or "")
    from ..mail.tokens import key_of

    return Rules(languages_for(cfg.languages), mailto, frozenset(own | ({mailto} if mailto else set())), cfg,
                 keyed=bool(cfg.mail.unsubscribe_key_env), key=key_of(cfg.mail))


def _collect_imap(ws, cfg, store, now, reporter) -> Collected:
    import json

    from .imap import FIRST_PULL_DAYS, Mailbox, folder_of
    from .messages import classify, subject_of

    mail = cfg.mail
    user = _env(mail.imap_user_env, "login name", cfg, "imap_user_env")
    password = _env(mail.imap_password_env, "password", cfg, "imap_password_env")
    box = Mailbox(mail.imap, user, password, path=cfg.path, line=cfg.line_of("mail", "imap"),
                  user_env=mail.imap_user_env, password_env=mail.imap_password_env)
    source = f"imap:{folder_of(mail.imap)}"
    key = f"{cfg.client}/suppressions/imap.json"
    got = store.read(key)
    mark: dict = {}
    try:
        mark = json.loads(got[0]) if got else {}
    except ValueError:
        mark = {}
    reporter.info(f"{cfg.client}: reading {source} at {box.where}")
    col = Collected(source, close=box.close)
    try:
        box.open()
        same = mark.get("url") == mail.imap and mark.get("uidvalidity") == box.uidvalidity
        after = int(mark.get("last_uid", 0)) if same else None
        uids = box.uids(after, (now - timedelta(days=FIRST_PULL_DAYS)).date() if after is None else None)
        rules = _rules(cfg)
        highest = after or 0
        for uid, raw in box.fetch(uids):
            highest = max(highest, uid)
            col.items.append(Item(source, str(uid), f"message {uid} {subject_of(raw)!r}", classify(raw, rules)))
    except SitekeeperError:
        box.close()
        raise

    def ack(handled: list[str], _others: list[str]) -> int:
        box.mark([int(k) for k in handled])
        if uids:
            # a message whose act failed is read again: the mark stays below it (what is marked
            # above it is not searched again; what was left alone is left alone again)
            last = min([highest, *(int(k) - 1 for k in col.retry)])
            store.write(key, json.dumps({"url": mail.imap, "uidvalidity": box.uidvalidity,
                                         "last_uid": last}).encode("utf-8"))
        return len(handled)

    col.ack = ack
    return col


def _collect_sqs(cfg, reporter) -> Collected:
    from .sqs import Queue, parse_notice

    mail = cfg.mail
    queue = Queue(mail.ses_events_queue, region=mail.region, path=cfg.path, line=cfg.line_of("mail", "ses_events_queue"))
    source = f"ses:{queue.name}"
    reporter.info(f"{cfg.client}: reading SES notices from {queue.name}")
    own = frozenset(normalize_address(parseaddr(v)[1]) for v in (cfg.mail.from_,) if v)
    col = Collected(source)
    for message_id, receipt, body in queue.receive():
        col.items.append(Item(source, receipt, f"SQS message {message_id}", parse_notice(body, own)))

    def ack(handled: list[str], others: list[str]) -> int:
        queue.release(others)
        failed = queue.delete(handled)
        return len(handled) - failed

    col.ack = ack
    col.abandon = queue.release
    return col


# ---------------------------------------------------------------- the use cases


def _lock(ws, client: str):
    from ..state.lock import workspace_lock
    from ..state.store import open_workspace_store

    store = open_workspace_store(ws)
    return store, workspace_lock(ws, store, suppressions_lock_key(client))


def seconds_since_pull(store, client: str, now: datetime) -> float | None:
    """How long ago the last pull of ``client`` ended (None: never, or unreadable)."""
    got = store.read(pulled_key(client))
    try:
        return now.timestamp() - float(got[0]) if got is not None else None
    except ValueError:
        return None


def pull_suppressions(ws, cfg, reporter, now: datetime) -> PullReport:
    """Read the client's opt-out sources and record what they say in unsubscribed.csv.

    Never raises for a source that fails: its problem is in ``report.problems`` (and the
    messages stay where they were for the next pull). Raises SuppressionError only when
    unsubscribed.csv itself cannot be read or written, and StateError for the state store.
    A client with neither ``imap`` nor ``ses_events_queue`` gets an empty report."""
    report = PullReport(cfg.client)
    wanted = [k for k in ("imap", "ses_events_queue") if getattr(cfg.mail, k)]
    if not wanted:
        return report
    store, lock = _lock(ws, cfg.client)
    try:
        lock.acquire()
    except LockBusy as exc:
        report.problems.append(Diagnostic(cfg.path, None, f"another pull for {cfg.client} is running ({exc.message})",
                                          "wait for it to finish; it records the same opt-outs"))
        return report
    collected: list[Collected] = []
    try:
        book = read_book(ws, cfg.client)
        back = rejoined(ws, cfg.client, book)
        audience = audience_addresses(ws, cfg.client)
        tracker = load_temporary(store, cfg.client)
        for kind in wanted:
            try:
                col = _collect_imap(ws, cfg, store, now, reporter) if kind == "imap" else _collect_sqs(cfg, reporter)
            except SuppressionError as exc:
                report.problems.extend(exc.diagnostics())
                continue
            collected.append(col)
            report.sources.append(col.source)
            report.messages[col.source] = len(col.items)
        events: list = []
        for col in collected:
            for item in col.items:
                events.extend((item.source, e) for e in item.finding.events)
                f = item.finding
                if f.note and f.note != "other sender":
                    if f.warning:
                        report.problems.append(Diagnostic(item.source, None, f"{item.label}: {f.note}",
                                                          severity="warning"))
                    else:
                        report.notes.append(f"{item.label}: {f.note}")
        decision = decide(events, book.addresses - back, audience, tracker, now)
        stamp = now.isoformat(timespec="seconds")
        rows = [Row(s.address, stamp, text, s.source) for s, text in decision.rows]
        append(book, rows, back)  # flushed and fsync'ed before anything is acknowledged
        for s, _ in decision.rows:
            tracker.forget(s.address)
        save_temporary(store, cfg.client, tracker)
        report.added = [s for s, _ in decision.rows]
        report.already, report.ignored = decision.already, decision.ignored
        report.temporary = {a: tracker.count(a, now) for a in tracker.data if tracker.count(a, now)}
        report.by_kind = by_kind(i.finding for col in collected for i in col.items)
        _act_on_claims(ws, cfg, collected, now, reporter, report)
        for col in collected:
            handled = [i.key for i in col.items if i.finding.handled]
            others = [i.key for i in col.items if not i.finding.handled]
            col.acked = True
            try:
                assert col.ack is not None  # every source says how it acknowledges
                report.handled[col.source] = col.ack(handled, others)
            except SuppressionError as exc:
                report.problems.extend(exc.diagnostics())
    finally:
        for col in collected:
            if col.abandon and not col.acked:
                col.abandon([i.key for i in col.items])
            if col.close:
                col.close()
        lock.release()
    store.write(pulled_key(cfg.client), str(now.timestamp()).encode())
    if report.added or report.sources:
        activity.record(store, cfg.client, "suppressions", {
            "sources": list(report.sources), "added": len(report.added), "by_reason": report.counts(),
            "already_unsubscribed": report.already}, at=now)
    return report


@dataclass
class UnsubscribeReport:
    client: str
    """The client."""
    added: list[str] = field(default_factory=list)
    """Addresses newly recorded."""
    already: list[str] = field(default_factory=list)
    """Addresses that were recorded before."""
    unlisted: list[str] = field(default_factory=list)
    """Recorded addresses that are not on the audience list."""
    path: str = ""
    """unsubscribed.csv, relative to the workspace."""

    def as_json(self) -> dict:
        return {"ok": True, "client": self.client, "file": self.path, "added": self.added,
                "already_unsubscribed": self.already, "not_on_audience": self.unlisted}


def invalid_addresses(addresses) -> list[str]:
    return [a for a in addresses if not is_address(normalize_address(a))]


def unsubscribe(ws, cfg, addresses, now: datetime, reason: str | None = None) -> UnsubscribeReport:
    """Record ``addresses`` by hand (source "manual"); appends, never rewrites; idempotent."""
    bad = invalid_addresses(addresses)
    if bad:
        raise SuppressionError(f"not an email address: {', '.join(repr(a) for a in bad)}",
                               "give addresses like name@example.com; nothing was recorded")
    book = read_book(ws, cfg.client)
    back = rejoined(ws, cfg.client, book)
    audience = audience_addresses(ws, cfg.client)
    stamp = now.isoformat(timespec="seconds")
    text = (reason or "").strip() or "by hand"
    wanted = list(dict.fromkeys(normalize_address(a) for a in addresses))
    written = append(book, [Row(a, stamp, f"unsubscribe ({text})", "manual") for a in wanted], back)
    report = UnsubscribeReport(cfg.client, path=book.rel)
    report.added = [r.email for r in written]
    report.already = [a for a in wanted if a in book.addresses and a not in back]
    report.unlisted = [a for a in report.added if a not in audience]
    if report.added:
        from ..state import open_workspace_store

        activity.record(open_workspace_store(ws), cfg.client, "unsubscribe",
                        {"added": len(report.added), "reason": text}, at=now)
    return report


def _act_on_claims(ws, cfg, collected: list[Collected], now: datetime, reporter, report: PullReport) -> None:
    """Each registered kind's ``act`` with its claims (kinds.register); when one fails, its
    messages are not marked, so the next pull reads them again."""
    from .kinds import registered

    for entry in registered():
        mine = [(col, i) for col in collected for i in col.items
                if i.finding.claim is not None and getattr(i.finding.claim, "kind", None) == entry.kind]
        if not mine or entry.act is None:
            continue
        try:
            said = entry.act(ws, cfg, [(i.finding.claim, i.key) for _, i in mine], now, reporter)
            for item in said or ():  # an act may return what the report should say (notes, Diagnostics)
                (report.problems if isinstance(item, Diagnostic) else report.notes).append(item)
        except SitekeeperError as exc:
            report.problems.extend(exc.diagnostics())
            for col, i in mine:
                i.finding.handled = False
                col.retry.add(i.key)


def record_refused(ws, client: str, refused: list[tuple[str, str]], now: datetime) -> list[str]:
    """Recipients a mail server refused at send time because the mailbox does not exist or is
    disabled ((address, status) pairs, from mail.dead): appended to unsubscribed.csv as
    ``bounce <status>``, source ``smtp``, so no later campaign of the client mails them.
    Returns the addresses written (an address in the file already is not written again)."""
    if not refused:
        return []
    book = read_book(ws, client)
    stamp = now.isoformat(timespec="seconds")
    written = append(book, [Row(normalize_address(a), stamp, f"bounce {status}", "smtp") for a, status in refused],
                     rejoined(ws, client, book))
    if written:
        from ..state import open_workspace_store

        activity.record(open_workspace_store(ws), client, "unsubscribe",
                        {"added": len(written), "reason": "bounce at send time"}, at=now)
    return [r.email for r in written]
