"""The activity record: what was done for each client, kept in the state store.

Every publish, send, opt-out pull, unsubscribe and approval is recorded by the command that
did it, so status and the monthly client report never depend on anyone's shell history.
Append-only and safe from several machines at once: each event is its own blob,

    activity/<client>/<YYYY-MM>/<UTC timestamp>-<random>.json

created with ``Store.create`` (never overwritten), so two runners recording at the same
moment both keep their event, on a local folder and on S3 alike. A month is read by listing
its prefix. Events carry UTC times; readers convert to the site's zone.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .keys import activity_prefix
from .store import Store

KINDS = ("publish", "send", "suppressions", "unsubscribe", "approval")
"""The kinds of event: what a report can count."""


@dataclass(frozen=True)
class Activity:
    client: str
    """The client it was done for."""
    kind: str
    """One of KINDS."""
    at: datetime
    """When it was done (UTC)."""
    data: dict[str, Any] = field(default_factory=dict)
    """What was done: target, commit, counts ... (JSON values)."""
    by: str = ""
    """Who did it: a person (the login name) or a CI run."""

    def to_json(self) -> dict[str, Any]:
        return {"client": self.client, "kind": self.kind, "at": self.at.isoformat(timespec="seconds"),
                "by": self.by, **self.data}


def actor() -> str:
    """Who runs this command: the CI run when there is one, else the login name."""
    env = os.environ
    if env.get("GITHUB_ACTIONS") == "true":
        run = f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/{env.get('GITHUB_REPOSITORY', '')}" \
              f"/actions/runs/{env.get('GITHUB_RUN_ID', '')}"
        return f"GitHub Actions {run}"
    if env.get("GITLAB_CI") == "true":
        return f"GitLab CI {env.get('CI_JOB_URL', env.get('CI_JOB_ID', ''))}".strip()
    if env.get("CI"):
        return "CI"
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


def _month(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m")


def record(store: Store, client: str, kind: str, data: dict[str, Any], at: datetime | None = None,
           by: str | None = None) -> Activity:
    """Append one event; returns it. ``at`` defaults to now (UTC)."""
    if kind not in KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    at = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    event = Activity(client, kind, at, dict(data), actor() if by is None else by)
    # Time, then the wall clock's nanoseconds (order among events given one fixed time), then chance.
    key = (f"{activity_prefix(client, _month(at))}{at.strftime('%Y%m%dT%H%M%S%fZ')}-{time.time_ns():x}-"
           f"{uuid.uuid4().hex[:8]}.json")
    store.create(key, json.dumps(event.to_json(), ensure_ascii=False, sort_keys=True).encode())
    return event


def read(store: Store, client: str, month: str) -> list[Activity]:
    """Every event of a client in a UTC month (``YYYY-MM``), oldest first. Blobs that cannot be
    read as events are skipped (a report is never blocked by one bad record)."""
    out = []
    for key in sorted(store.list(activity_prefix(client, month))):  # keys sort by time
        got = store.read(key)
        if got is None:
            continue
        try:
            obj = json.loads(got[0])
            at = datetime.fromisoformat(obj.pop("at"))
            kind = obj.pop("kind")
            obj.pop("client", None)
            by = obj.pop("by", "")
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        out.append(Activity(client, kind, at, obj, by))
    return out


def months_around(month: str) -> list[str]:
    """The UTC months whose events can fall in a local calendar month (a local month starts up
    to 14 hours before or after the UTC one)."""
    y, m = (int(x) for x in month.split("-"))
    prev = f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
    nxt = f"{y + 1}-01" if m == 12 else f"{y}-{m + 1:02d}"
    return [prev, month, nxt]
