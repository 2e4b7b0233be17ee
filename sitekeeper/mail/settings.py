"""The [mail] table: validation without importing any transport."""
from __future__ import annotations


def validate_mail(mail: dict) -> list[tuple[str, str, str]]:
    """Problems of the [mail] table as (key, message, fix)."""
    return []
