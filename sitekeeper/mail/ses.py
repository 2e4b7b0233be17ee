"""Amazon SES (v2) transport, through sitekeeper.aws (the one boto3 user, imported lazily).

``SendEmail`` with the raw MIME message. At start, ``quota()`` reads the account's maximum
send rate and what is left of its 24-hour quota (SES ``GetSendQuota``): the sender slows
its token bucket to the rate and stops when the quota is used up.

Throttling (``TooManyRequestsException``, ``Throttling``: "Maximum sending rate exceeded")
is retried with backoff; a rejected message (``MessageRejected``) is refused for that
recipient; an unverified sender, a paused account or a used-up daily quota stop the run
(``TransportDown``); bad credentials too. A request whose answer was lost (read timeout,
connection closed) may have been accepted: ``outcome="uncertain"``.
"""
from __future__ import annotations

import time

from .. import aws
from ..errors import MailError
from .outcomes import SendRefused, TransportDown, retry_delays

THROTTLED = ("TooManyRequestsException", "Throttling", "ThrottlingException")
STOPS = ("MailFromDomainNotVerifiedException", "AccountSuspendedException", "SendingPausedException",
         "NotFoundException", "AccessDeniedException", "UnrecognizedClientException", "InvalidClientTokenId",
         "SignatureDoesNotMatch", "ExpiredToken", "LimitExceededException")


class SesTransport:
    name = "ses"

    def __init__(self, region: str | None = None, endpoint_url: str | None = None, configuration_set: str | None = None,
                 delays: list[float] | None = None, sleep=time.sleep):
        self.region, self.endpoint_url = region, endpoint_url
        try:
            self.client = aws.client("sesv2", region=region, endpoint_url=endpoint_url, retries=1)
        except ImportError as exc:
            raise MailError("transport = \"ses\" needs boto3", "pip install boto3") from exc
        except aws.errors() as exc:
            message, fix = aws.explain(exc, "opening the SES client")
            raise TransportDown(f"ses: {message}", fix) from exc
        self.configuration_set = configuration_set
        self.delays = retry_delays() if delays is None else delays
        self.sleep = sleep
        self.retries = 0

    def open(self) -> None:
        pass

    def quota(self) -> tuple[float | None, int | None]:
        """(max messages a second, messages left in the 24-hour window); None where unknown."""
        try:
            v1 = aws.client("ses", region=self.region, endpoint_url=self.endpoint_url, retries=2)
            got = v1.get_send_quota()
        except aws.errors() as exc:
            message, fix = aws.explain(exc, "reading the SES send quota")
            raise TransportDown(f"ses: {message}", fix) from exc
        rate = float(got.get("MaxSendRate") or 0) or None
        cap = got.get("Max24HourSend")
        if cap is None or float(cap) < 0:  # -1: unlimited
            return rate, None
        return rate, max(0, int(float(cap) - float(got.get("SentLast24Hours") or 0)))

    def send(self, out) -> str:
        args = dict(FromEmailAddress=out.sender, Destination={"ToAddresses": [out.to]},
                    Content={"Raw": {"Data": out.data}})
        if self.configuration_set:
            args["ConfigurationSetName"] = self.configuration_set
        delays = list(self.delays)
        while True:
            try:
                answer = self.client.send_email(**args)
                return str(answer.get("MessageId", ""))
            except aws.errors() as exc:
                code = aws.code(exc)
                if aws.outcome_unknown(exc):
                    raise MailError(f"ses: sending to {out.to}: no answer from SES ({exc}); it may have been sent",
                                    "do not resend blindly: `sitekeeper campaign reconcile` settles uncertain sends",
                                    outcome="uncertain") from exc
                err = getattr(exc, "response", {}).get("Error", {})
                detail = f"{err.get('Code')}: {err.get('Message')}" if err else str(exc)
                if code in THROTTLED and "daily" not in str(err.get("Message", "")).lower():
                    if delays:
                        self.retries += 1
                        self.sleep(delays.pop(0))
                        continue
                    raise SendRefused(f"ses: sending to {out.to}: still throttled after {len(self.delays)} retries",
                                      "lower rate_per_second in [mail]; the next run sends the rest",
                                      permanent=False) from exc
                _, fix = aws.explain(exc, f"sending to {out.to}")
                if code in STOPS or code in THROTTLED or not code:
                    raise TransportDown(f"ses: {detail}", fix) from exc
                raise SendRefused(f"ses: sending to {out.to} failed: {detail}", fix,
                                  permanent=code in ("MessageRejected", "BadRequestException")) from exc

    def close(self) -> None:
        pass
