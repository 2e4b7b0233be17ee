"""The one boto3 user: sessions, clients and the meaning of AWS errors.

boto3 and botocore are imported inside these functions only, so importing this module costs
nothing and ``sitekeeper --help`` never loads them. Callers (deploy/s3.py, mail/ses.py,
state/store.py) catch ``aws.errors()`` and turn what ``explain()`` says into their own error
class with ``raise DeployError(message, fix) from exc``: the wording of an AWS failure is
written here once, the error class belongs to the caller's layer.
"""
from __future__ import annotations

from typing import Any


def errors() -> tuple[type[BaseException], ...]:
    """The vendor exceptions an AWS call can raise (for ``except aws.errors() as exc``)."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (ClientError, BotoCoreError)


def session(profile: str | None = None, region: str | None = None):
    """A boto3 session; credentials come from the AWS chain (environment, profile, role)."""
    try:
        import boto3
    except ImportError as exc:  # pragma: no cover - boto3 is a dependency
        raise ImportError("this needs boto3 (pip install boto3)") from exc
    return boto3.session.Session(profile_name=profile, region_name=region)


def has_credentials(sess) -> bool:
    return sess.get_credentials() is not None


def client(service: str, *, sess=None, profile: str | None = None, region: str | None = None,
           endpoint_url: str | None = None, pool: int = 10, retries: int = 4):
    """A client for ``service`` ("s3", "sesv2", "sqs", "cloudfront", "ses")."""
    from botocore.config import Config

    from . import network

    limits = network.timeouts()  # [timeouts] of sitekeeper.toml
    sess = sess or session(profile, region)
    return sess.client(service, endpoint_url=endpoint_url, config=Config(
        retries={"max_attempts": retries, "mode": "standard"}, max_pool_connections=pool,
        connect_timeout=limits.connect, read_timeout=limits.read))


def code(exc: BaseException) -> str:
    """The error code of a ClientError ("NoSuchKey", "PreconditionFailed"), else ""."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def is_not_found(exc: BaseException) -> bool:
    return code(exc) in ("NoSuchKey", "404", "NotFound") or status(exc) == 404


def is_precondition_failed(exc: BaseException) -> bool:
    """A conditional write lost (If-None-Match / If-Match did not hold)."""
    return code(exc) in ("PreconditionFailed", "ConditionalRequestConflict") or status(exc) in (409, 412)


def explain(exc: BaseException, what: str, *, bucket: str | None = None, table: str = "") -> tuple[str, str]:
    """(what went wrong, the fix) for an exception of ``aws.errors()`` raised while ``what``.

    ``table`` names the config table for region hints (``[deploy.preview]``)."""
    from botocore.exceptions import (BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError,
                                     NoCredentialsError, ProfileNotFound, ReadTimeoutError)

    if isinstance(exc, NoCredentialsError):
        return ("no AWS credentials found",
                "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment that runs "
                "sitekeeper, or configure `aws configure`")
    if isinstance(exc, ProfileNotFound):
        return (f"AWS profile cannot be used ({exc})", "check the profile name in ~/.aws/config, or remove `profile`")
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        from . import network

        limits = network.timeouts()
        step, wait, key = (("connecting", limits.connect, "connect") if isinstance(exc, ConnectTimeoutError)
                           else ("waiting for the answer", limits.read, "read"))
        return (f"{what}: no answer from {getattr(exc, 'kwargs', {}).get('endpoint_url') or 'the endpoint'} "
                f"within {wait:g} s ({step}, after retries)",
                f"check endpoint_url, region and the network, then run again; [timeouts] {key} in sitekeeper.toml "
                "sets the wait")
    if isinstance(exc, EndpointConnectionError):
        return (f"cannot reach the AWS endpoint ({exc})", "check endpoint_url and region, and the network")
    if isinstance(exc, ClientError):
        c, st = code(exc), status(exc)
        meta: dict[str, Any] = exc.response.get("ResponseMetadata", {})
        if bucket and (c == "NoSuchBucket" or (st == 404 and what == "checking the bucket")):
            return (f"bucket {bucket} does not exist", "create it, or fix the bucket name in the url")
        if c in ("PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException") \
                or st == 301:
            region = meta.get("HTTPHeaders", {}).get("x-amz-bucket-region")
            where = f" ({region})" if region else ""
            return (f"bucket {bucket} is in another region{where}",
                    f"set region = \"{region or 'the bucket region'}\"" + (f" in {table}" if table else ""))
        if c in ("AccessDenied", "AccessDeniedException", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                 "InvalidClientTokenId", "UnrecognizedClientException", "403") or st == 403:
            return (f"access denied while {what} ({c})",
                    "check the credentials and that their policy allows this action on this resource"
                    + (": s3:ListBucket, GetObject, PutObject and DeleteObject on this bucket and prefix"
                       if bucket else ""))
        message = exc.response.get("Error", {}).get("Message")
        return (f"{what} failed ({c or st}{': ' + message if message else ''})",
                "check the bucket and the endpoint" if bucket else "check the region, endpoint_url and the account")
    if isinstance(exc, BotoCoreError):
        return (f"{what} failed ({exc})", "check endpoint_url, region and the network")
    return (f"{what} failed ({exc})", "check the configuration and the network")  # pragma: no cover


def outcome_unknown(exc: BaseException) -> bool:
    """True when a request was sent but its answer never came (the outcome is unknown)."""
    from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

    return isinstance(exc, (ReadTimeoutError, ConnectionClosedError))
