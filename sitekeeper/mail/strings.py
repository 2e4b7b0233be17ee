"""Labels of the built-in email, per language: the ``[email]`` table of each catalog
(locale/catalogs/<lang>.toml, read by locale/catalog.py).

Every key exists in every shipped catalog (tests hold them to that); a site adds or
overrides labels with ``[lang.<code>] email_strings = {...}`` in site.toml. A language without
a catalog gets English labels (``strings``), and the site's one language warning
(render/i18n.py ``language_problems``) names the ones missing (``missing_keys``).
"""
from __future__ import annotations

from typing import Mapping

from ..locale import catalog

KEYS: tuple[str, ...] = catalog.keys("email")
STRINGS: dict[str, dict[str, str]] = catalog.table("email")
"""{language: its email labels}, from locale/catalogs/<lang>.toml ([email])."""


def _own(lang: str) -> dict[str, str]:
    return catalog.own("email", lang)


def missing_keys(lang: str, extra: Mapping[str, str] | None = None) -> list[str]:
    """The labels ``lang`` has none for (built in or from the site)."""
    return catalog.missing("email", lang, extra)


def strings(lang: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**STRINGS["en"], **_own(lang), **(extra or {})}
