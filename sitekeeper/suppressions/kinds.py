"""The kinds of message a mailbox pull tells apart, and the hook for more of them.

Built in: ``unsubscribe``, ``bounce`` (permanent or temporary failures), ``complaint`` (ARF,
SES) and ``ignored`` (everything else; left in the mailbox as it was). The other kinds the
contract names (``signup_request``, ``signup_confirmed``, ``approval``, ``approval_declined``)
are counted once a module registers a classifier for them:

    from sitekeeper.suppressions.kinds import register

    def approval_reply(message, raw, cfg) -> Claim | None: ...
    def act(ws, cfg, claims, now, reporter) -> None: ...
    register("approval", approval_reply, act)

A registered classifier sees every message before the built-in rules (in the order of
registration) and claims it by returning a ``Claim``; ``act`` is called once per pull with
that kind's claims, after unsubscribed.csv is written and before the mailbox is marked, so a
failure in it (an exception) leaves those messages for the next pull.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .events import BOUNCE, COMPLAINT, TEMPORARY, UNSUBSCRIBE, Finding

KINDS = ("unsubscribe", "bounce", "complaint", "signup_request", "signup_confirmed", "approval",
         "approval_declined", "ignored")
"""Every kind ``--json`` counts in ``by_kind`` (zero when none came)."""


@dataclass(frozen=True)
class Claim:
    kind: str
    """One of KINDS."""
    data: dict = field(default_factory=dict)
    """What the classifier read from the message, for its ``act``."""
    note: str = ""
    """For the report."""
    leave: bool = False
    """True: left in the mailbox as it was (not marked processed), for the user to read."""
    warning: bool = False
    """True: the note is a problem the user should look at (listed among the pull's problems)."""


@dataclass(frozen=True)
class Registered:
    kind: str
    classify: Callable
    """(message, raw bytes, cfg) -> Claim | None."""
    act: Callable | None
    """(ws, cfg, [(Claim, message ref)], now, reporter) -> None, or a list of what the report
    should say (strings for its notes, Diagnostics for its problems)."""


_REGISTRY: list[Registered] = []


def register(kind: str, classify: Callable, act: Callable | None = None) -> None:
    """Add a kind of message to every pull (see the module's docstring)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    if not any(r.classify is classify for r in _REGISTRY):
        _REGISTRY.append(Registered(kind, classify, act))


def registered() -> tuple[Registered, ...]:
    return tuple(_REGISTRY)


def kind_of(finding: Finding) -> str:
    """The kind of a message the built-in rules read."""
    if isinstance(finding.claim, Claim):
        return finding.claim.kind
    kinds = {e.kind for e in finding.events}
    if UNSUBSCRIBE in kinds:
        return "unsubscribe"
    if COMPLAINT in kinds:
        return "complaint"
    if kinds & {BOUNCE, TEMPORARY} or (finding.handled and finding.note.startswith("delivery status")):
        return "bounce"
    return "ignored"


def by_kind(findings) -> dict[str, int]:
    out = dict.fromkeys(KINDS, 0)
    for f in findings:
        k = kind_of(f)
        out[k] = out.get(k, 0) + 1
    return out
