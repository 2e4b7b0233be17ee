"""Labels of the built-in email, per language: the ``[email]`` table of each catalog
(locale/catalogs/<lang>.toml, read by locale/catalog.py).

Every key exists in every shipped catalog (tests hold them to that); a site adds or
overrides labels with ``[lang.<code>] email_strings = {...}`` in site.toml. ``check`` refuses
a campaign language that lacks any of them (``missing_keys``) instead of mailing English
words to its readers; ``strings`` falls back to English only for a preview.
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
    have = {**_own(lang), **(extra or {})}
    return [k for k in KEYS if k not in have]


def strings(lang: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**STRINGS["en"], **_own(lang), **(extra or {})}


def language_problems(cfg, langs) -> list:
    """A warning per email language without every label (those are written in English), and
    only for a client that sends mail (`[mail] from` set): a site alone needs no labels."""
    from ..errors import Diagnostic

    found: list = []
    if not cfg.mail.from_:
        return found
    for lang in langs:
        own = cfg.lang_texts.get(lang)
        missing = missing_keys(lang, own.email_strings if own else None)
        if missing:
            found.append(Diagnostic(
                cfg.path, cfg.line_of("", "languages"),
                f"the email has no labels in {lang!r}: {', '.join(missing)} are written in English",
                f"add them to site.toml under [lang.{lang}] as `email_strings = {{ {missing[0]} = \"…\", … }}`",
                severity="warning"))
    return found
