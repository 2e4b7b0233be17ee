"""The workspace state store's keys, in one place: what sitekeeper remembers between runs and
where. The use cases build their keys here; the strings are part of every existing store (a
changed one would forget what a store already holds), so tests/test_state_keys.py holds each
to what it was.

    published/<client>/<target>.json         what a target last received (signature, at, commit)
    published/<client>/<target>.files.json   the files it received then
    targets/<client>/<target>/...            a target's own state kept in the workspace store
    campaigns/<client>/<slug>/ledger/...     a campaign's send ledger (damaged/ beside it)
    campaigns/<client>/<slug>/complete       the mark of a finished send
    campaigns/<client>/<slug>/lock           the lock a send or a reconcile holds
    pulled/<client>                          when the client's opt-outs were last pulled
    <client>/suppressions/lock               the lock a pull holds
    reports/<client>/sent/<period>.json      a report sent for a period
    reports/<client>/last.json               the last report sent
    activity/<client>/<YYYY-MM>/<event>.json the activity log, one blob per event
    locks/tick[-<shard>]                     the lock a tick holds
    previews/<client>/<id>.json              a private preview (link, folder, target, expiry)
    approvals/<client>/<slug>/<id>.json      an approval request and the reply to it
    <client>/signup/pending/<hash>.json      a sign-up waiting for its confirmation
    live/<client>.json                       when the live site was last checked, and what was found
"""
from __future__ import annotations

TICK_LOCK = "locks/tick"


def published_key(client: str, target: str) -> str:
    """Where the state store keeps what a target last received from a publish."""
    return f"published/{client}/{target}.json"


def deployed_key(client: str, target: str) -> str:
    """Where the state store keeps the files a target received at its last publish."""
    return f"published/{client}/{target}.files.json"


def target_prefix(client: str, target_name: str) -> str:
    """Where a target's state lives in the workspace store."""
    return f"targets/{client}/{target_name}"


def campaign_prefix(client: str, slug: str) -> str:
    """A campaign's records: its ledger, the damaged segments set aside, the completion mark."""
    return f"campaigns/{client}/{slug}/"


def campaign_complete_key(client: str, slug: str) -> str:
    """The mark of a campaign's finished send."""
    return campaign_prefix(client, slug) + "complete"


def campaign_lock_key(client: str, slug: str) -> str:
    """The lock a campaign's send (or reconcile) holds."""
    return campaign_prefix(client, slug) + "lock"


def pulled_key(client: str) -> str:
    """Where the state store keeps when the client's opt-outs were last pulled."""
    return f"pulled/{client}"


def suppressions_lock_key(client: str) -> str:
    """The lock a pull of the client's opt-outs holds."""
    return f"{client}/suppressions/lock"


def report_sent_key(client: str, period_slug: str) -> str:
    """A report sent to the client for a period."""
    return f"reports/{client}/sent/{period_slug}.json"


def report_last_key(client: str) -> str:
    """The last report sent to the client."""
    return f"reports/{client}/last.json"


def activity_prefix(client: str, month: str) -> str:
    """The client's activity events of one UTC month (``YYYY-MM``); one blob each beneath."""
    return f"activity/{client}/{month}/"


def previews_prefix(client: str | None = None) -> str:
    """Every client's previews, or one client's."""
    return "previews/" + (f"{client}/" if client else "")


def preview_key(client: str, preview_id: str) -> str:
    """One private preview's record."""
    return f"{previews_prefix(client)}{preview_id}.json"


def approvals_prefix(client: str | None = None, slug: str | None = None) -> str:
    """Every approval request, a client's, or those of one of its campaigns."""
    return "approvals/" + (f"{client}/" if client else "") + (f"{slug}/" if client and slug else "")


def approval_key(client: str, slug: str, ident: str) -> str:
    """One approval request (``ident``: its token's id)."""
    return f"{approvals_prefix(client, slug)}{ident}.json"


def signup_pending_prefix(client: str) -> str:
    """The client's sign-ups waiting for their confirmation."""
    return f"{client}/signup/pending/"


def signup_pending_key(client: str, digest: str) -> str:
    """One waiting sign-up (``digest``: its address's hash)."""
    return f"{signup_pending_prefix(client)}{digest}.json"


def live_key(client: str) -> str:
    """Where the state store keeps the time and outcome of the client's last live check."""
    return f"live/{client}.json"


def tick_lock_key(shard_lock_name: str | None = None) -> str:
    """The lock a tick holds: one for the workspace, or one per shard."""
    return TICK_LOCK if shard_lock_name is None else f"{TICK_LOCK}-{shard_lock_name}"
