"""The words of an approval request and of its confirmation, in the client's language: the
``[approval]`` table of each catalog (locale/catalogs/<lang>.toml, read by locale/catalog.py).

A catalog either has every key of it or none (tests hold them to that); a language whose
catalog has none, or that has no catalog, gets English. Placeholders in braces are filled by
``say``.
"""
from __future__ import annotations

from ..locale import catalog

KEYS: tuple[str, ...] = catalog.keys("approval")
_EN: dict[str, str] = catalog.english("approval")


def _has(code: str | None) -> bool:
    return bool(code) and bool(catalog.lookup("approval", code or ""))


LANGUAGES: tuple[str, ...] = tuple(lang for lang in catalog.shipped() if _has(lang))
"""The languages whose catalog has the approval words (the others get English)."""


def language(lang: str) -> str:
    """The catalog the words come from: ``lang``'s (pt-BR -> pt, zh-TW -> zh-Hant) when it has
    the approval words, else English."""
    code = catalog.catalog_for(lang)
    return code if code and _has(code) else "en"


def say(lang: str, key: str, **values: str) -> str:
    text = catalog.lookup("approval", language(lang)).get(key) or _EN[key]
    return text.format(**values) if values else text
