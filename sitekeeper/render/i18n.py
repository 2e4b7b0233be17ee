"""UI strings of the built-in theme, per language: the ``[site]`` table of each catalog
(locale/catalogs/<lang>.toml, read by locale/catalog.py).

Templates call ``t(key)``; the builder binds it to the page's language. Every key exists
in every shipped catalog (tests hold them to that); a site may add or override
strings per language with ``[lang.<code>] strings = {...}`` in site.toml, which is also how
a language not listed here gets its words. ``missing_keys`` names what a language lacks:
such a language shows those words in English, and ``check`` warns once per language
(``--strict`` fails).
"""
from __future__ import annotations

from typing import Mapping

from ..locale import catalog
from ..locale.tags import base as _base

STRINGS: dict[str, dict[str, str]] = catalog.table("site")
"""{language: its theme words}, from locale/catalogs/<lang>.toml ([site])."""
KEYS: tuple[str, ...] = catalog.keys("site")
"""Every key a language needs."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def base_language(lang: str) -> str:
    return _base(lang)


def strings_for(lang: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every string known for ``lang`` (``de-AT`` uses ``de``, ``zh-TW`` ``zh-Hant``), with the site's own on top."""
    found = catalog.own("site", lang)
    if extra:
        found.update(extra)
    return found


def missing_keys(lang: str, extra: Mapping[str, str] | None = None) -> list[str]:
    """The keys ``lang`` has no string for (built in or from the site)."""
    have = strings_for(lang, extra)
    return [k for k in KEYS if k not in have]


def t(lang: str, key: str, extra: Mapping[str, str] | None = None) -> str:
    """The UI string ``key`` in ``lang``.

    ``check`` refuses a site whose languages lack strings, so a missing one here falls
    back to English (a preview still renders); an unknown key is a theme bug: KeyError.
    """
    if extra and key in extra:
        return extra[key]
    for strings in (catalog.lookup("site", lang), catalog.lookup("site", "en")):
        if key in strings:
            return strings[key]
    raise KeyError(f"unknown UI string {key!r} (add it to [site] of every catalog in sitekeeper/locale/catalogs/)")


def language_problems(cfg) -> list:
    """A warning per site language without every UI string: those words are shown in English."""
    from ..errors import Diagnostic

    found = []
    for lang in cfg.languages:
        own = cfg.lang_texts.get(lang)
        missing = missing_keys(lang, own.strings if own else None)
        if missing:
            known = ", ".join(sorted(STRINGS))
            what = "all" if len(missing) == len(KEYS) else str(len(missing))
            found.append(Diagnostic(
                cfg.path, cfg.line_of("", "languages"),
                f"{lang!r} has no built-in theme strings: {what} {len(KEYS)} of the theme's words are shown "
                f"in English ({', '.join(missing)})",
                f"add them to site.toml under [lang.{lang}] as `strings = {{ {missing[0]} = \"…\", … }}` "
                f"(built in: {known})", severity="warning"))
    return found
