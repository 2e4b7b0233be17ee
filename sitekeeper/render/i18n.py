"""UI strings of the built-in theme, per language: the ``[site]`` table of each catalog
(locale/catalogs/<lang>.toml, read by locale/catalog.py).

Templates call ``t(key)``; the builder binds it to the page's language. Every key exists
in every shipped catalog (tests hold them to that); a site may add or override
strings per language with ``[lang.<code>] strings = {...}`` in site.toml, which is also how
a language not listed here gets its words. ``missing_keys`` names what a language lacks:
such a language shows those words in English, and ``language_problems`` is the site's one
warning about it (theme, newsletter pages and email labels together; ``--strict`` fails, a
build goes on).
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
    return catalog.missing("site", lang, extra)


def t(lang: str, key: str, extra: Mapping[str, str] | None = None) -> str:
    """The UI string ``key`` in ``lang``.

    A language without the word gets English (``language_problems`` warns once for the
    site); an unknown key is a theme bug: KeyError.
    """
    if extra and key in extra:
        return extra[key]
    for strings in (catalog.lookup("site", lang), catalog.lookup("site", "en")):
        if key in strings:
            return strings[key]
    raise KeyError(f"unknown UI string {key!r} (add it to [site] of every catalog in sitekeeper/locale/catalogs/)")


def _left_in_english(cfg, lang: str) -> list[tuple[str, list[str], int]]:
    """[(what, the keys still without words, how many it has)] for ``lang``: the theme's words,
    the newsletter pages' (when the site has them), the email's labels (when the client sends mail)."""
    from . import newsletter

    own = cfg.lang_texts.get(lang)
    site_own = dict(own.strings) if own and own.strings else {}
    parts = [("the theme's words", missing_keys(lang, site_own), len(KEYS))]
    if newsletter.has_unsubscribe_page(cfg) or newsletter.has_signup(cfg):
        parts.append(("the newsletter pages' words", catalog.missing("newsletter", lang, site_own),
                      len(newsletter.KEYS)))
    if cfg.mail.from_:
        parts.append(("the email's labels", catalog.missing("email", lang, own.email_strings if own else None),
                      len(catalog.keys("email"))))
    return [(what, keys, total) for what, keys, total in parts if keys]


def language_problems(cfg) -> list:
    """One warning for the site when a language of it has no catalog (and the site does not give
    every word itself): those words are shown in English, the build goes on (``--strict`` fails)."""
    from ..errors import Diagnostic

    said: list[str] = []
    fixes: list[str] = []
    for lang in cfg.languages:
        parts = _left_in_english(cfg, lang)
        if not parts:
            continue
        counted = ", ".join(
            f"{what} ({'all ' + str(total) if len(keys) == total else ', '.join(keys)})" for what, keys, total in parts)
        said.append(f"{lang!r} has no catalog: {counted} are shown in English")
        for what, keys, _ in parts:
            setting = "email_strings" if what == "the email's labels" else "strings"
            if not any(f.startswith(f"[lang.{lang}] {setting} ") for f in fixes):
                fixes.append(f"[lang.{lang}] {setting} = {{ {keys[0]} = \"…\", … }}")
    if not said:
        return []
    return [Diagnostic(
        cfg.path, cfg.line_of("", "languages"), "; ".join(said),
        f"the pages build as they are; for words in the language add them to site.toml ({'; '.join(fixes)}), "
        f"or use a language with a catalog: {', '.join(catalog.shipped())}", severity="warning")]
