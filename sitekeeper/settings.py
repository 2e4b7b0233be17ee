"""The tuning knobs set in the environment (``SITEKEEPER_*``), read and checked in one place.

Each knob is one field of the frozen ``Tuning``; ``tuning()`` reads them all from the
environment once per process, at the first use, and a bad value raises ``BadSetting`` (a
usage error naming the variable and the fix: the CLI exits 2 before doing anything). None is
read when a module is imported, so a bad value never breaks an import.

| variable                            | default  | what                                                  |
|-------------------------------------|----------|-------------------------------------------------------|
| SITEKEEPER_SFTP_CHANNELS            | 4        | SFTP channels listing a docroot's folders at once     |
| SITEKEEPER_SFTP_SEND_CHANNELS       | 1        | SFTP channels uploading at once, each a pipeline      |
| SITEKEEPER_SFTP_BATCH               | 64       | files in flight per SFTP pipeline round               |
| SITEKEEPER_S3_WORKERS               | 16       | S3 uploads at once                                    |
| SITEKEEPER_S3_MULTIPART_THRESHOLD   | 67108864 | bytes from which a file goes to S3 in parts           |
| SITEKEEPER_LOCK_TTL                 | 600      | seconds a lock lives without a refresh                |
| SITEKEEPER_RETRY_DELAYS             | 1,4,15   | seconds before each retry of a temporary mail failure |
| SITEKEEPER_JOBS                     | cores≤4  | worker processes of a build                           |
| SITEKEEPER_CLOUDFRONT_ENDPOINT      | (AWS)    | another CloudFront endpoint (a test server)           |

``SITEKEEPER_NOW`` (the clock) is read and checked by sitekeeper.clock; the crash tests'
``SITEKEEPER_DEPLOY_FAULT`` by sitekeeper.deploy.faults.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Mapping

from .errors import Diagnostic, ProblemsError


class BadSetting(ProblemsError):
    """A SITEKEEPER_* variable with a value that cannot be used (a usage error)."""


@dataclass(frozen=True)
class Tuning:
    sftp_channels: int = 4
    """SITEKEEPER_SFTP_CHANNELS: channels walking an SFTP docroot's folders at once."""
    sftp_send_channels: int = 1
    """SITEKEEPER_SFTP_SEND_CHANNELS: channels uploading at once, each running a pipeline."""
    sftp_batch: int = 64
    """SITEKEEPER_SFTP_BATCH: files in flight per pipeline round."""
    s3_workers: int = 16
    """SITEKEEPER_S3_WORKERS: S3 uploads at once."""
    s3_multipart_threshold: int = 64 << 20
    """SITEKEEPER_S3_MULTIPART_THRESHOLD: bytes from which a file is sent in parts."""
    lock_ttl: float = 600.0
    """SITEKEEPER_LOCK_TTL: seconds a lock lives without a refresh."""
    retry_delays: tuple[float, ...] = (1.0, 4.0, 15.0)
    """SITEKEEPER_RETRY_DELAYS: seconds before each retry of a temporary mail failure."""
    jobs: int | None = None
    """SITEKEEPER_JOBS: worker processes of a build (None: one per core, at most 4)."""
    cloudfront_endpoint: str | None = None
    """SITEKEEPER_CLOUDFRONT_ENDPOINT: another CloudFront endpoint (None: AWS's)."""


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw.strip().replace("_", ""))
        if not low <= value <= high:
            raise ValueError
        return value

    parse.__doc__ = f"a whole number from {low} to {high}"
    return parse


def _seconds(raw: str) -> float:
    """a number of seconds above 0"""
    value = float(raw)
    if not 0 < value < float("inf"):
        raise ValueError
    return value


def _delays(raw: str) -> tuple[float, ...]:
    """seconds separated by commas, each 0 or more"""
    values = tuple(float(v) for v in raw.split(",") if v.strip())
    if any(not 0 <= v < float("inf") for v in values):
        raise ValueError
    return values


def _text(raw: str) -> str | None:
    """any text"""
    return raw or None


KNOBS: dict[str, tuple[str, Callable[[str], object], str]] = {
    # variable: (field, parser, an example for the fix)
    "SITEKEEPER_SFTP_CHANNELS": ("sftp_channels", _count(1, 64), "4"),
    "SITEKEEPER_SFTP_SEND_CHANNELS": ("sftp_send_channels", _count(1, 64), "1"),
    "SITEKEEPER_SFTP_BATCH": ("sftp_batch", _count(1, 4096), "64"),
    "SITEKEEPER_S3_WORKERS": ("s3_workers", _count(1, 256), "16"),
    "SITEKEEPER_S3_MULTIPART_THRESHOLD": ("s3_multipart_threshold", _count(1, 5 << 30), str(64 << 20)),
    "SITEKEEPER_LOCK_TTL": ("lock_ttl", _seconds, "600"),
    "SITEKEEPER_RETRY_DELAYS": ("retry_delays", _delays, "1,4,15"),
    "SITEKEEPER_JOBS": ("jobs", _count(1, 256), "2"),
    "SITEKEEPER_CLOUDFRONT_ENDPOINT": ("cloudfront_endpoint", _text, "http://127.0.0.1:5000"),
}


def read(environ: Mapping[str, str]) -> Tuning:
    """The knobs set in ``environ`` over the defaults; BadSetting names every bad one."""
    values: dict[str, object] = {}
    problems = []
    for name, (field, parse, example) in KNOBS.items():
        raw = environ.get(name)
        if raw is None or (raw.strip() == "" and field != "cloudfront_endpoint"):
            continue
        try:
            values[field] = parse(raw)
        except ValueError:
            problems.append(Diagnostic(name, None, f"{name}={raw!r} is not {parse.__doc__}",
                                       f"unset {name} for its default, or set e.g. {name}={example}"))
    if problems:
        raise BadSetting(problems)
    return Tuning(**values)  # type: ignore[arg-type]


_READ: list[Tuning] = []


def tuning() -> Tuning:
    """The knobs of this process, read from the environment at the first call."""
    if not _READ:
        _READ.append(read(os.environ))
    return _READ[0]


def forget() -> None:
    """Read the environment again at the next ``tuning()`` (for a test that changes it)."""
    _READ.clear()
