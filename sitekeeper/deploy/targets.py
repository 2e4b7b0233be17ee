"""Deploy target URLs: parsing and validation without importing any SDK."""
from __future__ import annotations


def validate_target(name: str, table: dict) -> list[tuple[str, str, str]]:
    """Problems of one [deploy.NAME] table as (key, message, fix)."""
    url = table.get("url")
    if not isinstance(url, str) or not url.startswith(("dir:", "sftp://", "s3://")):
        return [("url", f"[deploy.{name}] url {url!r} has an unknown scheme",
                 'use "sftp://user@host/path", "s3://bucket/prefix" or "dir:path"')]
    return []
