"""How a transport tells the sender what happened to a message beyond ``MailError``'s outcome.

    MailError(outcome="uncertain")   it may have been delivered: recorded uncertain, reconciled
    SendRefused                      this recipient was certainly not delivered (``permanent``: 5xx)
    TransportDown                    nothing more can go this run (connection, login, sender, quota)
"""
from __future__ import annotations


from ..errors import MailError


class SendRefused(MailError):
    """The message to one recipient was certainly not delivered. ``permanent``: a 5xx answer
    (a retry would be refused again); otherwise a 4xx that outlasted the retries."""

    def __init__(self, message: str, fix: str = "", *, permanent: bool, code: int | None = None):
        self.permanent, self.code = permanent, code
        super().__init__(message, fix, outcome="refused")


class TransportDown(MailError):
    """The transport as a whole is unusable (cannot connect, login refused, the sender refused,
    the quota used up): the run stops; nothing more is tried for anyone."""


def retry_delays() -> list[float]:
    """Seconds to wait before each retry of a temporary failure (SMTP 4xx, SES throttling).
    ``SITEKEEPER_RETRY_DELAYS="1,4,15"`` changes them (sitekeeper.settings)."""
    from ..settings import tuning

    return list(tuning().retry_delays)


