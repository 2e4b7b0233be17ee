"""Amazon SES (v2) transport, through sitekeeper.aws (the one boto3 user, imported lazily).

A refusal by SES (an error answer: rejected message, unverified sender, throttling, bad
credentials) means the message was not sent: ``MailError(outcome="refused")``. A request
whose answer was lost (read timeout, connection closed) may have been accepted:
``outcome="uncertain"``.
"""
from __future__ import annotations

from email.utils import parseaddr

from .. import aws
from ..errors import MailError
from .message import to_bytes


class SesTransport:
    name = "ses"

    def __init__(self, region: str | None = None, endpoint_url: str | None = None, configuration_set: str | None = None):
        try:
            self.client = aws.client("sesv2", region=region, endpoint_url=endpoint_url, retries=1)
        except ImportError as exc:
            raise MailError("transport = \"ses\" needs boto3", "pip install boto3") from exc
        except aws.errors() as exc:
            message, fix = aws.explain(exc, "opening the SES client")
            raise MailError(f"ses: {message}", fix) from exc
        self.configuration_set = configuration_set

    def send(self, msg, to: str) -> str:
        args = dict(FromEmailAddress=parseaddr(str(msg["From"]))[1], Destination={"ToAddresses": [to]},
                    Content={"Raw": {"Data": to_bytes(msg)}})
        if self.configuration_set:
            args["ConfigurationSetName"] = self.configuration_set
        try:
            answer = self.client.send_email(**args)
        except aws.errors() as exc:
            _, fix = aws.explain(exc, f"sending to {to}")
            if aws.outcome_unknown(exc):
                raise MailError(f"ses: sending to {to}: no answer from SES ({exc}); it may have been sent",
                                "do not resend blindly: `sitekeeper campaign reconcile` settles uncertain sends",
                                outcome="uncertain") from exc
            err = getattr(exc, "response", {}).get("Error", {})
            detail = f"{err.get('Code')}: {err.get('Message')}" if err else str(exc)
            raise MailError(f"ses: sending to {to} failed: {detail}", fix, outcome="refused") from exc
        return str(answer.get("MessageId", ""))

    def close(self) -> None:
        pass
