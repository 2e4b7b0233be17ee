"""The values that flow through a pull: what a source found, and what it means.

A source (the IMAP mailbox, the SQS queue) turns each message into a ``Finding``: the
``Event``s it holds (a request to unsubscribe, a permanent or temporary failure, a
complaint, a delivery) and whether the message was understood (``handled``: it is marked
processed, or deleted from the queue, once the CSV is safely written).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

UNSUBSCRIBE, BOUNCE, TEMPORARY, COMPLAINT, DELIVERY = "unsubscribe", "bounce", "temporary", "complaint", "delivery"
SOFT_BOUNCE = "soft-bounce"
"""The reason recorded when repeated temporary failures suppress an address."""


@dataclass(frozen=True)
class Event:
    kind: str
    """unsubscribe | bounce (permanent failure) | temporary | complaint | delivery."""
    address: str
    """The address concerned, normalised (config.mail.normalize_address)."""
    detail: str = ""
    """Why: the phrase or "mailto", the status code ("5.1.1"), the complaint type."""
    at: datetime | None = None
    """When it happened, as the notice says (None: unknown)."""
    ref: str = ""
    """The notice's own id (Message-ID, SES feedback id): the same notice counts once."""


@dataclass
class Finding:
    handled: bool
    """True: the message was understood (mark it processed / delete it after writing)."""
    events: list[Event] = field(default_factory=list)
    """What it says."""
    note: str = ""
    """For the report: why it was left alone or what was odd about it."""
    warning: bool = False
    """True: the note is a problem the user should look at (a malformed DSN)."""
    claim: object = None
    """A registered classifier's ``kinds.Claim`` (a sign-up, an approval reply); None: a built-in kind."""


@dataclass(frozen=True)
class Item:
    """One message of a source with what it was found to be."""

    source: str
    """"imap:INBOX", "ses:<queue name>"."""
    key: str
    """The source's handle on it (an IMAP UID, an SQS receipt handle)."""
    label: str
    """How to name it in the report: the subject, the SQS message id."""
    finding: Finding
    """What it is."""
