"""campaign send and campaign reconcile: each subscriber at most once, resumable, one sender at a time.

The flow of one campaign (``send_campaign``)::

    due?  approved (approval.py), send_at <= now < ends: otherwise nothing happens and it says why
    lock  campaigns/<client>/<slug>/lock in the state store: a second runner is refused
    plan  audience.csv streamed once through ``classify`` (pure): counts by reason and a sample
    send  audience.csv streamed again through the same ``classify``; per batch of recipients:
          ledger.begin (intents, one store write) -> transport, one message at a time through
          the sender's token bucket -> ledger.finish (outcomes, one store write)

The plan is a value (``SendPlan``): ``--dry-run`` prints it; the send pass takes exactly the
recipients the plan counted, since both passes run the one ``classify`` under the lock
(only an edit of audience.csv between the two passes could change that). The audience is
never in memory: what grows with it is one small integer per address (duplicates are found
by them) and the ledger's set of keys already sent.

After a crash the last batch is "uncertain" (intents without outcomes): those recipients are
not mailed again until ``reconcile`` settles them (marked sent, or released to be sent).
"""
from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

from ..errors import DamagedRecord, Diagnostic, LockBusy, MailError, ProblemsError
from ..state.keys import campaign_complete_key, campaign_lock_key
from ..state.ledger import FAILED, RELEASED, SENT, UNCERTAIN, Ledger
from ..state.lock import workspace_lock
from .approval import approval, unrecorded_diagnostic, void_diagnostic
from .audience import (Audience, confirmed_again, consent_column_problem, load_unsubscribed, open_audience,
                       opted_in_again, parse_filter)
from .message import HeaderError, idempotency_key, merge_record, message_bytes, normalise

BATCH = 25
"""Recipients per ledger batch: the most that can be left uncertain by a crash."""
JUST_PULLED = 60
"""Seconds within which a pull before sending is not repeated."""
REFRESH_SECONDS = 30
"""How often a long send refreshes its lock."""
SAMPLE = 5
REASONS = ("already_sent", "unsubscribed", "no_consent", "invalid", "filtered", "duplicate", "uncertain", "failed_before")


@dataclass(frozen=True)
class Recipient:
    key: str
    """Idempotency key: campaign + normalised address (also the Message-ID's left part)."""
    address: str
    """The address as written in audience.csv (stripped)."""
    line: int
    """Its line in audience.csv."""
    lang: str
    """The language version it gets."""
    fields: dict = field(compare=False, hash=False)
    """The row's columns, for merge fields."""


@dataclass
class SendPlan:
    campaign: str
    """client/slug."""
    recipients: int = 0
    """How many get the campaign now."""
    skipped: dict = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    """reason -> count."""
    sample: list = field(default_factory=list)
    """The first few recipients (for --dry-run)."""
    languages: Counter = field(default_factory=Counter)
    """Recipients per language version sent."""
    wanted: Counter = field(default_factory=Counter)
    """Recipients per language they read (to warn of a missing translation)."""
    problems: list = field(default_factory=list)
    """Warnings of the pass (rows skipped as invalid are counted, and listed with --verbose)."""

    def as_json(self) -> dict:
        return {"campaign": self.campaign, "recipients": self.recipients, "skipped": dict(self.skipped),
                "languages": dict(self.languages),
                "sample": [{"address": r.address, "line": r.line, "lang": r.lang} for r in self.sample]}


def classify(rows, conds, unsubscribed: set, require_consent: bool, ledger: Ledger | None, client: str, slug: str,
             languages: list[str], default_lang: str) -> Iterator[tuple[Recipient | None, str, int, str]]:
    """Each audience row as (recipient, "", line, address) or (None, reason, line, detail).
    Pure but for the rows it reads; the one rule both the plan and the send follow."""
    seen: set[int] = set()
    passed_over: set[int] = set()  # first rows skipped as unsubscribed or without consent (few)
    for item in rows:
        if isinstance(item, Diagnostic):
            if item.is_error:  # rows the file holds but that cannot be read: nobody is mailed
                raise ProblemsError([item])
            yield None, "invalid", item.line or 0, item.message
            continue
        norm = normalise(item.email)
        key = idempotency_key(client, slug, norm)
        short = int(key[:16], 16)
        if short in seen:
            # a confirmed sign-up appended later for an address whose first row was not mailed
            # (unsubscribed then, or without consent) is read on its own; any other repeat is not
            if short not in passed_over or not confirmed_again(item):
                yield None, "duplicate", item.line, item.email
                continue
            passed_over.discard(short)
        seen.add(short)
        if not all(c.matches(item) for c in conds):
            yield None, "filtered", item.line, item.email
        elif norm in unsubscribed and not opted_in_again(item, unsubscribed):
            passed_over.add(short)
            yield None, "unsubscribed", item.line, item.email
        elif require_consent and not item.consented:
            passed_over.add(short)
            yield None, "no_consent", item.line, item.email
        else:
            entry = ledger.status(key) if ledger is not None else None
            if entry is not None and entry.status == SENT:
                yield None, "already_sent", item.line, item.email
            elif entry is not None and entry.unsettled:
                yield None, "uncertain", item.line, item.email
            elif entry is not None and entry.status == FAILED and entry.permanent:
                yield None, "failed_before", item.line, item.email
            else:
                lang = item.lang if item.lang in languages else default_lang
                yield Recipient(key, item.email, item.line, lang, item.fields), "", item.line, item.email


def plan_send(stream, conds, unsubscribed, require_consent, ledger, promo, reporter=None) -> SendPlan:
    plan = SendPlan(f"{promo.client}/{promo.slug}")
    for rcpt, reason, line, detail in classify(stream, conds, unsubscribed, require_consent, ledger, promo.client,
                                               promo.slug, promo.languages, promo.default.lang):
        if rcpt is None:
            plan.skipped[reason] += 1
            if reporter is not None:
                reporter.detail(f"{stream.rel}:{line}: skipped ({reason.replace('_', ' ')}): {detail}")
            continue
        plan.recipients += 1
        plan.languages[rcpt.lang] += 1
        wanted = (rcpt.fields.get("lang") or "").strip().lower() or promo.default.lang
        plan.wanted[wanted] += 1
        if len(plan.sample) < SAMPLE:
            plan.sample.append(rcpt)
    for lang, n in sorted(plan.wanted.items()):
        if lang not in promo.languages:
            readers = "reader" if n == 1 else "readers"
            plan.problems.append(Diagnostic(promo.source, None, f"missing translation: {n} {readers} with lang={lang} "
                                            f"get the {promo.default.lang} text",
                                            f"add campaigns/{promo.client}/{promo.slug}.{lang}.md", "warning"))
    return plan


# ---------------------------------------------------------------- the use case


@dataclass
class Due:
    """Whether a campaign may go now, and if not why."""

    state: str
    """"due", "not_due" (before send_at), "stale" (ends passed), "unapproved", "no_send_at"."""
    message: str = ""
    """Why not, for people."""
    diagnostic: Diagnostic | None = None
    """The problem to show (unapproved: where and how to approve)."""


def due_state(promo, now) -> Due:
    name = f"{promo.client}/{promo.slug}"
    if not promo.send_at:
        return Due("no_send_at", f"{name} has no send_at: it is a promotion on the site only")
    if now < promo.send_at:
        return Due("not_due", f"{name} is not due until {promo.send_at:%Y-%m-%d %H:%M %Z}")
    if promo.ends and now >= promo.ends:
        return Due("stale", f"{name} ended on {promo.ends:%Y-%m-%d %H:%M %Z}: too late to send it")
    appr = approval(promo)
    if appr.state != "approved":
        diag = (void_diagnostic(promo, "error") if appr.state == "void" else unrecorded_diagnostic(promo, "error")
                if appr.state == "unrecorded" else
                Diagnostic(promo.source, promo.default.line_of("approved") or 1,
                           f"{name} is due but not approved: nothing is sent",
                           f"send the client the preview, then run `sitekeeper campaign approve {name} --by NAME`"))
        return Due("unapproved", f"{name} is due but {appr.label()}: nothing is sent", diag)
    return Due("due")


def send(ws, spec: str | None, clock, reporter, dry_run: bool = False,
         batch: int = BATCH) -> tuple[list[dict], list[Diagnostic]]:
    """Send every due, approved campaign of ``spec`` (None: all clients; CLIENT; CLIENT/SLUG).

    A named campaign that cannot go raises with the reason; in a sweep, one that cannot go is
    reported and the others still go. Returns one result per campaign looked at, and the
    problems of those refused in a sweep."""
    from ..content.promotions import load_promotions
    from ..config import load_site
    from ..state import open_workspace_store

    named = spec is not None and "/" in spec
    if spec is not None and named:
        from .campaign import find

        cc, promo = find(ws, spec, audience=False)  # the send streams the audience itself
        pairs = [(cc.cfg, promo, cc.problems)]
    else:
        pairs = []
        for client in ([spec] if spec else ws.clients()):
            cfg = load_site(ws, client)
            promos, problems = load_promotions(ws, cfg)
            pairs += [(cfg, p, problems) for p in promos]
    store = None
    results: list[dict] = []
    failures: list[Diagnostic] = []
    pulled: set[str] = set()
    for cfg, promo, problems in pairs:
        now = clock.now(cfg.tz)
        due = due_state(promo, now)
        if due.state == "unapproved":  # approved by a reply the pull recorded in the state store?
            from ..approvals.records import with_reply_approval

            store = store or open_workspace_store(ws)
            promo = with_reply_approval(store, promo)
            due = due_state(promo, now)
        name = f"{cfg.client}/{promo.slug}"
        if due.state != "due":
            if named:
                raise ProblemsError([due.diagnostic or Diagnostic(promo.source, promo.default.line_of(
                    "send_at") or None, due.message, _fix(due, name))])
            if due.state == "unapproved":
                reporter.warn(due.message)
                results.append({"campaign": name, "dry_run": dry_run, "state": due.state, "sent": 0})
            elif due.state == "stale" and approval(promo).ok:
                store = store or open_workspace_store(ws)
                if not store.read(campaign_complete_key(cfg.client, promo.slug)):
                    reporter.warn(f"{due.message}; it was approved but not everyone got it before it ended")
                    results.append({"campaign": name, "dry_run": dry_run, "state": "stale", "sent": 0})
            continue
        store = store or open_workspace_store(ws)
        done = store.read(campaign_complete_key(cfg.client, promo.slug))
        if not named and done is not None and done[0] == completion_mark(ws, cfg, promo):
            # Everyone it could reach got it, and neither the audience, the opt-outs nor the
            # promotion changed since: nothing to plan, no lock, no connection.
            results.append({"campaign": name, "dry_run": dry_run, "state": "complete", "sent": 0})
            continue
        if not dry_run and cfg.client not in pulled:
            pulled.add(cfg.client)
            pull_before_sending(ws, cfg, reporter, now)
        try:
            result = send_campaign(ws, cfg, promo, problems, store, clock, reporter, dry_run=dry_run, batch=batch)
            results.append(result)
            if not dry_run:
                record_send(store, cfg, result, now, reporter)
        except (ProblemsError, LockBusy, DamagedRecord) as exc:
            if named:
                raise
            failures.extend(exc.diagnostics())
            state = "damaged" if isinstance(exc, DamagedRecord) else "refused"
            results.append({"campaign": name, "dry_run": dry_run, "state": state, "sent": 0})
    return results, failures


def completion_mark(ws, cfg, promo) -> bytes:
    """What a completed send saw: the stat of audience.csv, unsubscribed.csv and the promotion's
    files. While it is unchanged, a sweep need not plan the campaign again."""
    import os

    folder = ws.campaigns_dir / cfg.client
    paths = [folder / "audience.csv", folder / "unsubscribed.csv",
             *(ws.root / t.source for t in (promo.default, *promo.translations.values()))]
    parts = []
    for path in paths:
        try:
            st = os.stat(path)
            parts.append(f"{path.name}:{st.st_mtime_ns}:{st.st_size}:{st.st_ino}")
        except OSError:
            parts.append(f"{path.name}:-")
    return "\n".join(parts).encode()


def pull_before_sending(ws, cfg, reporter, now) -> None:
    """Opt-outs and bounces from the client's mailbox and SES queue, recorded before a send
    (the send then skips them as `unsubscribed`). A source that fails is warned about and
    the send goes on with what unsubscribed.csv already holds."""
    if not (cfg.mail.imap or cfg.mail.ses_events_queue):
        return
    from ..state import open_workspace_store
    from ..suppressions.pull import pull_suppressions, seconds_since_pull

    since = seconds_since_pull(open_workspace_store(ws), cfg.client, now)
    if since is not None and 0 <= since < JUST_PULLED:
        return  # pulled a moment ago (tick pulls, then sends): the mailbox is not read twice
    from ..errors import SuppressionError

    try:
        report = pull_suppressions(ws, cfg, reporter, now)
    except SuppressionError as exc:  # the send itself then refuses an unreadable opt-out list
        for d in exc.diagnostics():
            reporter.warn(f"{d}".replace(": error: ", ": warning: ", 1) + " (opt-outs not pulled)")
        return
    for d in report.problems:
        reporter.warn(f"{d}".replace(": error: ", ": warning: ", 1) + " (sending goes on)")
    if report.added:
        reporter.info(f"{cfg.client}: {len(report.added)} new opt-outs recorded before sending")


def record_send(store, cfg, result: dict, now, reporter) -> None:
    """The send in the activity record (what the monthly report counts)."""
    from ..errors import SitekeeperError
    from ..state import activity

    if result.get("state") != "due":
        return
    try:
        activity.record(store, cfg.client, "send", {
            "campaign": result["campaign"].split("/", 1)[1], "sent": result.get("sent", 0),
            "failed": result.get("failed", 0), "uncertain": result.get("uncertain", 0),
            "skipped": result.get("skipped", {}), "transport": result.get("transport", ""),
        }, at=now)
    except SitekeeperError as exc:
        reporter.warn(f"{result['campaign']}: sent, but the activity record could not be written: "
                      f"{exc.diagnostics()[0].message}")


def _fix(due: Due, name: str) -> str:
    return {"not_due": "wait for send_at, or change send_at in the promotion",
            "stale": "a campaign is never sent on or after `ends`; move `ends` if the offer still stands",
            "no_send_at": "add `send_at: YYYY-MM-DD HH:MM` to the front matter to send it"}.get(due.state, "")


def _stream_client(ws, cfg, promo, problems, now):
    """The client's campaigns with audience.csv's header only (the rows are streamed later)."""
    from .campaign import ClientCampaigns, escaping_campaign_links

    stream = open_audience(ws, cfg.client, now)
    if stream.exists and stream.columns and cfg.mail.require_consent:
        missing = consent_column_problem(stream.columns, stream.rel, "error")
        stream.problems += [missing] if missing else []
    aud = Audience(stream.rel, columns=stream.columns, problems=list(stream.problems), exists=stream.exists)
    return ClientCampaigns(cfg, [promo], list(problems or []), aud, load_unsubscribed(ws, cfg.client),
                           escaping_campaign_links(ws, cfg.client)), stream


def send_campaign(ws, cfg, promo, problems, store, clock, reporter, *, dry_run: bool = False, batch: int = BATCH) -> dict:
    from .campaign import validated
    from .dkim import signer_for
    from .throttle import bucket_for
    from .transport import open_transport

    name = f"{cfg.client}/{promo.slug}"
    now = clock.now(cfg.tz)
    cc, stream = _stream_client(ws, cfg, promo, problems, now)
    compiled = validated(ws, cc, promo, now, reporter)
    if not stream.exists:
        raise ProblemsError([Diagnostic(stream.rel, None, f"{name} is due but there is no audience.csv",
                                        "create it with a header row: email,name,lang,tags,consented_at,source")])
    conds, _ = parse_filter(promo.audience)
    unsubscribed = cc.unsubscribed
    require = cfg.mail.require_consent
    ledger = Ledger(store, cfg.client, promo.slug)
    lock = None
    if not dry_run:
        lock = workspace_lock(ws, store, campaign_lock_key(cfg.client, promo.slug))
        try:
            lock.acquire()
        except LockBusy as exc:
            if exc.record is None:  # a lock that cannot be read names no owner and never expires
                raise LockBusy(f"{name}: its send lock {lock.store.describe(lock.key)} cannot be read: this run "
                               "sends nothing", "wait for any send of it to finish; if none is running, remove that "
                               "lock by hand", record=None) from exc
            raise LockBusy(f"{name} is being sent by {exc.record.owner()}: this run sends nothing",
                           "wait for that run to finish; a lock of a machine that died expires after "
                           f"{int(lock.ttl)} s", record=exc.record) from exc
        if lock.degraded:
            reporter.warn(f"{name}: {lock.degraded}")
        if lock.took_over is not None:
            reporter.warn(f"{name}: took over the lock of a run that stopped ({lock.took_over.owner()})")
    try:
        ledger.load()
        plan = plan_send(stream, conds, unsubscribed, require, ledger, promo, reporter)
        reporter.problems(plan.problems)
        result = {"campaign": name, "dry_run": dry_run, "state": "due", "transport": cfg.mail.transport.kind,
                  "ledger": ledger.describe(), "recipients": plan.recipients, "sent": 0, "skipped": dict(plan.skipped),
                  "failed": 0, "uncertain": 0, "deferred": 0, "stopped": None}
        if plan.skipped["uncertain"]:
            reporter.warn(f"{name}: {plan.skipped['uncertain']} recipients are uncertain after an interrupted send "
                          f"and are not mailed again: run `sitekeeper campaign reconcile {name}`")
        if dry_run or plan.recipients == 0:
            result["sample"] = plan.as_json()["sample"]
            result["languages"] = dict(plan.languages)
            if not dry_run and not plan.skipped["uncertain"]:
                store.write(campaign_complete_key(cfg.client, promo.slug), completion_mark(ws, cfg, promo))
            return result
        _require_key(cfg)
        transport = open_transport(ws, cfg, folder=promo.slug)
        signer = signer_for(ws, cfg)
        bucket = bucket_for(cfg.client, cfg.mail.from_, cfg.mail.rate_per_second)
        quota_left = None
        if hasattr(transport, "quota"):
            rate, quota_left = transport.quota()
            bucket.slow_to(rate)
            if quota_left is not None and quota_left < plan.recipients:
                reporter.warn(f"{name}: the SES account may send {quota_left} more messages in the next 24 hours: "
                              f"{plan.recipients - quota_left} are left for a later run")
        transport.open()
        try:
            _apply(ws, cfg, promo, compiled, stream, conds, unsubscribed, require, ledger, lock, transport, signer,
                   bucket, clock, reporter, result, batch, quota_left)
        finally:
            transport.close()
        if not (result["deferred"] or result["stopped"] or result["uncertain"] or result["failed"]
                or plan.skipped["uncertain"]):
            store.write(campaign_complete_key(cfg.client, promo.slug), completion_mark(ws, cfg, promo))
        return result
    finally:
        if lock is not None and lock.held:
            lock.release()


class _Stop(Exception):
    pass


def _apply(ws, cfg, promo, compiled, stream, conds, unsubscribed, require, ledger, lock, transport, signer, bucket,
           clock, reporter, result, batch_size, quota_left) -> None:
    from urllib.parse import urlsplit

    from .outcomes import SendRefused, TransportDown

    domain = urlsplit(cfg.base_url).hostname or "localhost"
    mail = cfg.mail
    name = result["campaign"]
    refreshed = time.monotonic()
    budget = quota_left
    dead: list[tuple[str, str]] = []
    previous = _terminate_as_interrupt()
    signing = SignAhead(signer)
    try:
        with reporter.progress(f"{name} via {transport.name}", total=result["recipients"], unit="messages") as bar:
            pending: list[Recipient] = []
            rows = classify(stream, conds, unsubscribed, require, ledger, promo.client, promo.slug, promo.languages,
                            promo.default.lang)
            done = False
            while not done:
                pending.clear()
                for rcpt, _, _, _ in rows:
                    if rcpt is not None:
                        pending.append(rcpt)
                        if len(pending) >= batch_size:
                            break
                else:
                    done = True
                if not pending:
                    break
                if budget is not None and budget <= 0:
                    result["deferred"] += len(pending) + sum(1 for r, *_ in rows if r is not None)
                    result["stopped"] = "quota"
                    break
                segment = ledger.begin([(r.key, r.address) for r in pending])
                outcomes: list[dict] = []
                now = clock.now(cfg.tz)
                stop = None

                def compose(r: Recipient, now=now):
                    parts = compiled[r.lang].personalize(merge_record(r.fields, r.address, mail, cfg, r.lang))
                    return message_bytes(cfg, promo, parts, r.address, now, message_id=f"<{r.key}@{domain}>")

                try:
                    for r, out, bad in signing.ahead(pending, compose):
                        if budget is not None and budget <= 0:
                            raise _Stop("quota")
                        bucket.take()
                        if bad is not None:
                            outcomes.append({"k": r.key, "a": r.address, "s": FAILED, "p": True, "d": str(bad)})
                            _failed(reporter, result, r, str(bad))
                            continue
                        assert out is not None
                        try:
                            transport.send(out)
                        except SendRefused as exc:
                            outcomes.append({"k": r.key, "a": r.address, "s": FAILED, "p": exc.permanent,
                                             "d": exc.message})
                            _failed(reporter, result, r, exc.message)
                            _note_dead(dead, r.address, exc)
                        except TransportDown as exc:
                            stop = exc
                            raise _Stop("transport") from exc
                        except MailError as exc:  # the uncertain outcome
                            outcomes.append({"k": r.key, "a": r.address, "s": UNCERTAIN, "d": exc.message})
                            result["uncertain"] += 1
                            reporter.event("uncertain", campaign=name, address=r.address, line=r.line,
                                           message=exc.message)
                            reporter.warn(f"{stream.rel}:{r.line}: {exc.message}")
                        else:
                            outcomes.append({"k": r.key, "a": r.address, "s": SENT})
                            result["sent"] += 1
                            if budget is not None:
                                budget -= 1
                        bar.advance(1, len(out.data))
                except _Stop as why:
                    result["stopped"] = str(why)
                    rest = pending[len(outcomes):]
                    outcomes += [{"k": r.key, "a": r.address, "s": RELEASED} for r in rest]
                    result["deferred"] += len(rest) + sum(1 for r, *_ in rows if r is not None)
                    ledger.finish(segment, outcomes)
                    _suppress_dead(ws, cfg, dead, clock, reporter, name)
                    if stop is not None:
                        result["problems"] = [d.as_json() for d in stop.diagnostics()]
                        raise stop from why
                    return
                except BaseException:
                    # Interrupted (Ctrl-C, SIGTERM) mid-batch: what went is recorded, the one in
                    # flight is uncertain, the rest was certainly not sent.
                    if len(outcomes) < len(pending):
                        r = pending[len(outcomes)]
                        outcomes.append({"k": r.key, "a": r.address, "s": UNCERTAIN, "d": "interrupted while sending"})
                        outcomes += [{"k": x.key, "a": x.address, "s": RELEASED} for x in pending[len(outcomes):]]
                    ledger.finish(segment, outcomes)
                    _suppress_dead(ws, cfg, dead, clock, reporter, name)
                    raise
                ledger.finish(segment, outcomes)
                _suppress_dead(ws, cfg, dead, clock, reporter, name)
                if lock is not None and time.monotonic() - refreshed > min(REFRESH_SECONDS, lock.ttl / 3):
                    lock.refresh()
                    refreshed = time.monotonic()
    finally:
        signing.close()
        _restore(previous)


class SignAhead:
    """Composes each message in turn and has its DKIM signature made a few messages ahead, on
    a second thread, while the transport waits on the server: the RSA signature (the costly
    part; ``cryptography`` lets go of the interpreter lock while it signs) then overlaps the
    network wait instead of adding to it. Without a signer nothing is ahead: composing alone
    holds the interpreter lock, and a thread would only add its hand-over."""

    AHEAD = 4

    def __init__(self, signer):
        self.signer = signer
        self.pool = None
        if signer is not None:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dkim")

    def _sign(self, out):
        import dataclasses

        return dataclasses.replace(out, data=self.signer.sign(out.data))

    def ahead(self, pending, compose):
        """(recipient, message, None) in ``pending``'s order, or (recipient, None, HeaderError)."""
        from collections import deque

        window: deque = deque()
        for r in pending:
            try:
                out = compose(r)
            except HeaderError as exc:
                window.append((r, None, exc))
            else:
                window.append((r, self.pool.submit(self._sign, out) if self.pool else out, None))
            if len(window) > (self.AHEAD if self.pool else 0):
                yield self._resolved(window.popleft())
        while window:
            yield self._resolved(window.popleft())

    def _resolved(self, item):
        r, out, bad = item
        return r, (out.result() if self.pool is not None and out is not None else out), bad

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _require_key(cfg) -> None:
    """With ``unsubscribe_key_env`` set, its variable must hold the secret before anything is sent."""
    from .tokens import key_of

    name = cfg.mail.unsubscribe_key_env
    if name and key_of(cfg.mail) is None:
        raise ProblemsError([Diagnostic(cfg.path, cfg.line_of("mail", "unsubscribe_key_env"),
                                        f"the environment variable {name} (the secret that keys unsubscribe "
                                        "tokens) is not set: nothing is sent",
                                        f"set {name} to the client's secret (the same every time: tokens in sent "
                                        "mail stay valid only with it), e.g. from `openssl rand -hex 32`")])


def _note_dead(dead: list[tuple[str, str]], address: str, exc) -> None:
    """A permanent refusal saying the mailbox does not exist or is disabled (mail.dead)."""
    from .dead import dead_status

    status = dead_status(exc.message) if exc.permanent else None
    if status:
        dead.append((address, status))


def _suppress_dead(ws, cfg, dead: list[tuple[str, str]], clock, reporter, name: str) -> None:
    """The batch's dead mailboxes appended to unsubscribed.csv (after its ledger segment is
    written), so no later campaign of the client mails them; the list is emptied."""
    if not dead:
        return
    from ..errors import SuppressionError
    from ..suppressions.pull import record_refused

    batch, dead[:] = list(dead), []
    try:
        written = record_refused(ws, cfg.client, batch, clock.now(cfg.tz))
    except SuppressionError as exc:  # the ledger holds the failure: this campaign never retries it
        for d in exc.diagnostics():
            reporter.warn(f"{d}".replace(": error: ", ": warning: ", 1) + " (dead addresses not recorded)")
        return
    if written:
        reporter.info(f"{name}: {len(written)} addresses whose mailbox does not exist added to unsubscribed.csv")


def _failed(reporter, result, r: Recipient, message: str) -> None:
    result["failed"] += 1
    reporter.event("failed", campaign=result["campaign"], address=r.address, line=r.line, message=message)
    reporter.warn(message)


def _terminate_as_interrupt():
    """SIGTERM (a CI job cancelled) ends the run like Ctrl-C: the batch in flight is recorded."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # pragma: no cover - not the main interpreter
        return None


def _restore(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


# ---------------------------------------------------------------- reconcile


def reconcile(ws, spec: str, clock, reporter, *, mark_sent: bool = False, resend: bool = False,
              only: list[str] | None = None, repair: bool = False) -> dict:
    """The recipients whose send is uncertain (and those that failed); with ``mark_sent`` or
    ``resend``, settle them (all, or only the addresses given): marked sent, never mailed
    again, or released so that the next `campaign send` mails them.

    A damaged ledger (a segment empty, cut short or failing its checksum) is refused with the
    fix, unless ``repair``: each damaged segment is set aside and what can be read of it is
    recorded (sent stays sent, anyone else it names becomes uncertain; see Ledger.repair),
    then the settling above applies as asked."""
    from ..state import open_workspace_store
    from .campaign import find

    cc, promo = find(ws, spec, audience=False)
    name = f"{cc.cfg.client}/{promo.slug}"
    store = open_workspace_store(ws)
    ledger = Ledger(store, cc.cfg.client, promo.slug)
    lock = None
    if mark_sent or resend or repair:
        lock = workspace_lock(ws, store, campaign_lock_key(cc.cfg.client, promo.slug))
        try:
            lock.acquire()
        except LockBusy as exc:
            who = exc.record.owner() if exc.record else "another run"
            raise LockBusy(f"{name} is being sent by {who}: reconcile settles nothing meanwhile",
                           "wait for that run to finish, then reconcile", record=exc.record) from exc
    try:
        ledger.load(tolerate=repair)
        repaired = ledger.repair() if repair and ledger.damaged else []
        unsettled = ledger.unsettled()
        wanted = {normalise(a) for a in only or []}
        if wanted:
            unknown = wanted - {normalise(e.address) for _, e in unsettled}
            if unknown:
                raise ProblemsError([Diagnostic("--only", None, f"not uncertain in {name}: {', '.join(sorted(unknown))}",
                                                "run `sitekeeper campaign reconcile " + name + "` to list them")])
        chosen = [(k, e) for k, e in unsettled if not wanted or normalise(e.address) in wanted]
        settled = 0
        if mark_sent or resend:
            status = SENT if mark_sent else RELEASED
            how = "marked sent by reconcile" if mark_sent else "released by reconcile"
            ledger.settle([{"k": k, "a": e.address, "s": status, "d": how} for k, e in chosen])
            settled = len(chosen)
        if resend and settled:
            store.delete(campaign_complete_key(cc.cfg.client, promo.slug))
        return {"campaign": name, "ledger": ledger.describe(),
                "uncertain": [{"address": e.address, "since": _iso(e.at), "detail": e.detail} for _, e in unsettled],
                "failed": [{"address": e.address, "permanent": e.permanent, "detail": e.detail}
                           for _, e in ledger.failed()],
                "action": "mark_sent" if mark_sent else "resend" if resend else None, "settled": settled,
                "repaired": repaired, "counts": ledger.counts()}
    finally:
        if lock is not None and lock.held:
            lock.release()


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


