"""SES bounce, complaint and delivery notices from an SQS queue (``ses_events_queue``).

SES publishes notices to an SNS topic, the topic to the queue: each SQS message is an SNS
envelope (``{"Type": "Notification", "Message": "<the notice as JSON>"}``) or, with raw
message delivery, the notice itself. ``parse_notice`` is pure: a body in, a ``Finding``
out. A permanent bounce and a complaint suppress; a transient or undetermined bounce is a
temporary failure; a delivery resets the count of temporary ones. Both SES notification
(``notificationType``) and event publishing (``eventType``) forms are read.

A notice about mail of another sender (``mail.source`` is not the client's ``from``: a queue
shared by several clients) is put back at once for that client's pull. A message that is not
an SES notice is put back too (reported; never deleted, so nothing is lost). Messages
are deleted only after unsubscribed.csv is safely written (pull.py calls ``delete``).
boto3 is reached only through sitekeeper.aws.
"""
from __future__ import annotations

import json
from datetime import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from .. import aws
from ..config.mail import is_address, normalize_address
from ..errors import SuppressionError
from .events import BOUNCE, COMPLAINT, DELIVERY, TEMPORARY, Event, Finding

MAX_BATCHES = 100
"""At most this many receives of 10 per pull; the rest waits for the next run."""
VISIBILITY = 120
"""Seconds a received message stays hidden from other readers while a pull works on it."""
_QUIET = {"Send", "Reject", "Open", "Click", "Rendering Failure", "DeliveryDelay", "Subscription",
          "AmazonSnsSubscriptionSucceeded"}


def queue_name(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rpartition("/")[2] or url


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def parse_notice(body: str, own_senders: frozenset[str] = frozenset()) -> Finding:
    """What one SQS message body says. ``own_senders``: the client's addresses; a notice of
    mail from another sender is ``handled=False`` with the note "other sender"."""
    try:
        outer = json.loads(body)
    except (ValueError, TypeError):
        return Finding(False, note="not an SES notice (not JSON): left in the queue", warning=True)
    notice = outer
    if isinstance(outer, dict) and outer.get("Type") == "Notification" and "Message" in outer:
        try:
            notice = json.loads(outer["Message"])
        except (ValueError, TypeError):
            return Finding(False, note="an SNS notification that holds no SES notice: left in the queue", warning=True)
    if not isinstance(notice, dict):
        return Finding(False, note="not an SES notice: left in the queue", warning=True)
    kind = notice.get("notificationType") or notice.get("eventType")
    if not kind:
        return Finding(False, note="not an SES notice (no notificationType or eventType): left in the queue",
                       warning=True)
    if kind in _QUIET:
        return Finding(True, note=f"SES {kind}: nothing to suppress")
    mail: dict = notice["mail"] if isinstance(notice.get("mail"), dict) else {}
    source = normalize_address(parseaddr(str(mail.get("source", "")))[1])
    if own_senders and source and source not in own_senders:
        return Finding(False, note="other sender")
    try:
        if kind == "Bounce":
            bounce = notice["bounce"]
            permanent = bounce.get("bounceType") == "Permanent"
            at = _when(bounce.get("timestamp")) or _when(mail.get("timestamp"))
            ref = str(bounce.get("feedbackId") or mail.get("messageId") or "")
            events = []
            for i, r in enumerate(bounce["bouncedRecipients"]):
                address = normalize_address(parseaddr(str(r["emailAddress"]))[1])
                if not is_address(address):
                    continue
                status = str(r.get("status") or ("5.0.0" if permanent else "4.0.0"))
                detail = status if permanent else f"{status} {bounce.get('bounceType', '')} {bounce.get('bounceSubType', '')}".strip()
                events.append(Event(BOUNCE if permanent else TEMPORARY, address, detail, at, f"{ref}#{i}"))
            return Finding(True, events)
        if kind == "Complaint":
            complaint = notice["complaint"]
            feedback = str(complaint.get("complaintFeedbackType") or "")
            if feedback == "not-spam":
                return Finding(True, note="SES complaint of type not-spam: nothing to suppress")
            at = _when(complaint.get("timestamp")) or _when(mail.get("timestamp"))
            ref = str(complaint.get("feedbackId") or mail.get("messageId") or "")
            events = [Event(COMPLAINT, normalize_address(parseaddr(str(r["emailAddress"]))[1]), feedback, at, f"{ref}#{i}")
                      for i, r in enumerate(complaint["complainedRecipients"])]
            return Finding(True, [e for e in events if is_address(e.address)])
        if kind == "Delivery":
            delivery = notice.get("delivery", {})
            at = _when(delivery.get("timestamp")) or _when(mail.get("timestamp"))
            return Finding(True, [Event(DELIVERY, normalize_address(str(r)), "", at, str(mail.get("messageId", "")))
                                  for r in delivery.get("recipients", []) if is_address(normalize_address(str(r)))])
    except (KeyError, TypeError, AttributeError) as exc:
        return Finding(False, note=f"an SES {kind} notice without {exc}: left in the queue", warning=True)
    return Finding(True, note=f"SES {kind}: nothing to suppress")


def _location(url: str, region: str | None, endpoint_url: str | None) -> tuple[str | None, str | None]:
    """(region, endpoint) for the queue: AWS's region from its URL; another host is its endpoint."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.endswith(".amazonaws.com"):
        labels = host.split(".")
        return (region or (labels[1] if len(labels) > 3 and labels[0] == "sqs" else None)), None
    return region or "us-east-1", endpoint_url or (f"{parts.scheme}://{parts.netloc}" if host else None)


class Queue:
    """The queue of one client. ``receive`` -> (pull writes the CSV) -> ``delete`` / ``release``."""

    def __init__(self, url: str, *, region: str | None = None, path: str = "", line: int | None = None):
        self.url = url
        self.name = queue_name(url)
        self.path, self.line = path, line
        self.region, self.endpoint = _location(url, region, None)
        self._client = None

    def _fail(self, exc, what: str) -> SuppressionError:
        message, fix = aws.explain(exc, what)
        if aws.code(exc) in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            message, fix = f"the queue {self.url} does not exist", "check ses_events_queue in [mail] of site.toml"
        return SuppressionError(f"SQS queue {self.name}: {message}", fix, path=self.path, line=self.line)

    def _sqs(self):
        if self._client is None:
            try:
                self._client = aws.client("sqs", region=self.region, endpoint_url=self.endpoint)
            except aws.errors() as exc:
                raise self._fail(exc, "connecting to SQS") from exc
        return self._client

    def receive(self):
        """Every message available now, as (message id, receipt handle, body)."""
        out, seen = [], set()
        for _ in range(MAX_BATCHES):
            try:
                got = self._sqs().receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                                  VisibilityTimeout=VISIBILITY)
            except aws.errors() as exc:
                raise self._fail(exc, "receiving from the queue") from exc
            messages = got.get("Messages", [])
            if not messages:
                break
            for m in messages:
                if m["MessageId"] not in seen:
                    seen.add(m["MessageId"])
                    out.append((m["MessageId"], m["ReceiptHandle"], m.get("Body", "")))
        return out

    def _batches(self, receipts):
        receipts = list(receipts)
        for start in range(0, len(receipts), 10):
            yield [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(receipts[start:start + 10])]

    def delete(self, receipts) -> int:
        """Delete handled messages; returns how many could not be (they come back: no harm)."""
        failed = 0
        for entries in self._batches(receipts):
            try:
                got = self._sqs().delete_message_batch(QueueUrl=self.url, Entries=entries)
            except aws.errors() as exc:
                raise self._fail(exc, "deleting handled messages") from exc
            failed += len(got.get("Failed", []))
        return failed

    def release(self, receipts) -> None:
        """Make messages visible again at once: what this pull leaves (a notice of another
        sender, for its own pull; a message that is no notice), or all it took when it failed."""
        for entries in self._batches(receipts):
            try:
                self._sqs().change_message_visibility_batch(
                    QueueUrl=self.url, Entries=[{**e, "VisibilityTimeout": 0} for e in entries])
            except aws.errors():
                pass  # they become visible by themselves after VISIBILITY seconds
