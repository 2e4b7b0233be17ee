"""Amazon SES (v2) transport: the only boto3 user on the mail side, imported lazily."""
from __future__ import annotations

from email.utils import parseaddr

from ..errors import MailError
from .message import to_bytes


class SesTransport:
    name = "ses"

    def __init__(self, region: str | None = None, endpoint_url: str | None = None, configuration_set: str | None = None):
        try:
            import boto3
        except ImportError as exc:
            raise MailError("transport = \"ses\" needs boto3 (pip install boto3)") from exc
        self.client = boto3.client("sesv2", region_name=region, endpoint_url=endpoint_url)
        self.configuration_set = configuration_set

    def send(self, msg, to: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        args = dict(FromEmailAddress=parseaddr(str(msg["From"]))[1], Destination={"ToAddresses": [to]},
                    Content={"Raw": {"Data": to_bytes(msg)}})
        if self.configuration_set:
            args["ConfigurationSetName"] = self.configuration_set
        try:
            answer = self.client.send_email(**args)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise MailError(f"ses: sending to {to} failed: {err.get('Code')}: {err.get('Message')}") from exc
        except BotoCoreError as exc:
            raise MailError(f"ses: sending to {to} failed: {exc}") from exc
        return str(answer.get("MessageId", ""))

    def close(self) -> None:
        pass
