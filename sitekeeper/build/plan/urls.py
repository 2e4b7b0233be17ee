"""Every page's URL, from every parsed page (a draft keeps its URL stable): the default
language's path, a translation's under /<lang>/, or the `url` the page writes. Pure."""
from __future__ import annotations

from collections.abc import Iterable

from ...content.pages import Page, default_url, translation_url
from ...errors import Diagnostic


def pages_by_key(pages: Iterable[Page], problems: list[Diagnostic]) -> dict[str, dict[str, Page]]:
    """Translation key -> language -> page; a second page for one key and language is a problem."""
    by_key: dict[str, dict[str, Page]] = {}
    for p in pages:
        by_key.setdefault(p.key, {})
        if p.lang in by_key[p.key]:
            other = by_key[p.key][p.lang]
            problems.append(Diagnostic(
                p.source, None, f"{p.source} and {other.source} are the same page in `{p.lang}`",
                "remove one of them (about.md and about.<default>.md are the same page)"))
            continue
        by_key[p.key][p.lang] = p
    return by_key


def page_urls(by_key: dict[str, dict[str, Page]], deflang: str, def_prefix: str) -> dict[tuple[str, str], str]:
    """(key, lang) -> URL of every page. ``def_prefix`` is "/<default>" when the default
    language lives in its own subfolder too, else ""."""
    urls: dict[tuple[str, str], str] = {}
    for key, versions in by_key.items():
        d = versions.get(deflang)
        d_url = (d.url or default_url(key, d.slug)) if d else None
        for lang, p in versions.items():
            if p.url:  # the page's whole path, as written
                urls[(key, lang)] = p.url
            elif lang == deflang:
                urls[(key, lang)] = def_prefix + default_url(key, p.slug)  # p is d, without a `url`
            else:
                urls[(key, lang)] = translation_url(lang, key, p.slug, d_url)
    return urls
