"""The one reading of a language tag: `de-AT`, `de_AT` and `DE` all name German."""
from __future__ import annotations


def normalise(tag: str) -> str:
    """`de_at` -> `de-AT`, `DE` -> `de`: lower-case language, upper-case region, hyphen between."""
    parts = tag.strip().replace("_", "-").split("-")
    head = parts[0].lower()
    rest = [p.upper() if len(p) == 2 else p for p in parts[1:] if p]
    return "-".join([head, *rest])


def base(tag: str) -> str:
    """The language without its region: `de-AT` -> `de`."""
    return normalise(tag).split("-", 1)[0]
