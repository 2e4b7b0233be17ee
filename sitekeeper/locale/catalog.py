"""The words sitekeeper writes, as data: one catalog per language, ``catalogs/<lang>.toml``.

Each catalog holds one table per part (``DOMAINS``): the site theme (``site``), the campaign
email's labels (``email``), the activity report (``report``), the newsletter pages
(``newsletter``), the sign-up confirmation email (``confirmation``), the home page
``new client`` writes (``scaffold``) and the note asking a client to approve a campaign with
its confirmations (``approval``). English (``en.toml``) names every key; every shipped catalog
has every key of English with the same ``{placeholders}`` (tests/test_catalogs.py holds them to
that, ``problems`` says what is wrong). A part in ``OPTIONAL`` may be left out of a catalog as a
whole (its words are then English); when it is there, it is complete.

A tag with a region (``pt-BR``, ``de-AT``) uses its own catalog when one is shipped, else its
base language's; a language without a catalog gets English words, and the callers warn once per
site (``[lang.<code>] strings`` / ``email_strings`` fill them in and win over any catalog).
Catalogs are read once per process.
"""
from __future__ import annotations

import re
import string
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from .tags import base, normalise

CATALOGS = Path(__file__).resolve().parent / "catalogs"
DOMAINS = ("site", "email", "report", "newsletter", "confirmation", "scaffold", "approval")
OPTIONAL = frozenset({"approval"})
"""Parts a catalog may leave out as a whole: English is written in their place."""
ENGLISH = "en"


@lru_cache(maxsize=None)
def shipped() -> tuple[str, ...]:
    """The languages with a catalog, English first, then by tag."""
    found = sorted(p.stem for p in CATALOGS.glob("*.toml"))
    return (ENGLISH, *[lang for lang in found if lang != ENGLISH])


@lru_cache(maxsize=None)
def _read(lang: str) -> Mapping[str, Mapping[str, str]]:
    with (CATALOGS / f"{lang}.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {domain: dict(data.get(domain, {})) for domain in DOMAINS}


# Regions whose Chinese is written in Traditional characters.
_TRADITIONAL = {"zh-TW": "zh-Hant", "zh-HK": "zh-Hant", "zh-MO": "zh-Hant"}


def catalog_for(tag: str) -> str | None:
    """The catalog ``tag`` uses (`pt-BR` -> its own or `pt`; `zh-Hant-TW`, `zh-TW` -> `zh-Hant`),
    None when none is shipped."""
    tag = normalise(tag)
    parts = tag.split("-")
    script = "-".join(parts[:2]) if len(parts) > 1 and len(parts[1]) == 4 else None
    for code in (tag, _TRADITIONAL.get(tag), script, base(tag)):
        if code and code in shipped():
            return code
    return None


def has_catalog(tag: str) -> bool:
    return catalog_for(tag) is not None


@lru_cache(maxsize=1024)
def lookup(domain: str, tag: str) -> Mapping[str, str]:
    """The words ``tag``'s catalog has for ``domain``, shared: read it, never change it ({}
    without a catalog). For the hot paths (a theme string per call)."""
    code = catalog_for(tag)
    return _read(code)[domain] if code else {}


def own(domain: str, tag: str) -> dict[str, str]:
    """The words ``tag``'s catalog has for ``domain``, a copy ({} without a catalog)."""
    return dict(lookup(domain, tag))


def keys(domain: str) -> tuple[str, ...]:
    """Every key of ``domain``, in English's order."""
    return tuple(_read(ENGLISH)[domain])


def missing(domain: str, tag: str, extra: Mapping[str, str] | None = None) -> list[str]:
    """The keys of ``domain`` that ``tag`` has no words for, in its catalog or in ``extra``
    (the site's own), in English's order."""
    have = lookup(domain, tag)
    return [k for k in keys(domain) if k not in have and k not in (extra or {})]


def english(domain: str) -> dict[str, str]:
    return dict(_read(ENGLISH)[domain])


def words(domain: str, tag: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every word of ``domain`` in ``tag``: English under the catalog's, the site's own on top."""
    return {**english(domain), **own(domain, tag), **(extra or {})}


def table(domain: str) -> dict[str, dict[str, str]]:
    """{language: its words for ``domain``} for every shipped catalog."""
    return {lang: own(domain, lang) for lang in shipped()}


def files() -> tuple[Path, ...]:
    """The catalog files, for a build's input signature."""
    return tuple(CATALOGS / f"{lang}.toml" for lang in shipped())


def placeholders(text: str) -> frozenset[str]:
    """The ``{names}`` a string is filled with."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")


def problems(lang: str) -> list[str]:
    """What is wrong with ``lang``'s catalog: a missing part or key, a key English has not, an
    empty string, other placeholders than English's ([] when it is complete)."""
    found = []
    if not _TAG.match(lang):
        found.append(f"{lang}.toml: the file name is not a language tag as sitekeeper writes it (e.g. pt-BR)")
    data = _read(lang)
    for domain in DOMAINS:
        want, have = english(domain), data[domain]
        if domain in OPTIONAL and not have:
            continue
        for key in want:
            if key not in have:
                found.append(f"{lang}.toml [{domain}] {key}: missing")
            elif not have[key].strip():
                found.append(f"{lang}.toml [{domain}] {key}: empty")
            elif placeholders(have[key]) != placeholders(want[key]):
                found.append(f"{lang}.toml [{domain}] {key}: placeholders {sorted(placeholders(have[key]))}, "
                             f"English has {sorted(placeholders(want[key]))}")
        found += [f"{lang}.toml [{domain}] {key}: not a key of English" for key in have if key not in want]
    return found
