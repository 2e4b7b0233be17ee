"""The characters a site's pages can show, gathered before anything is rendered, so that the
site's font subset (and the hash in its name, which every page links) is known when pages are.

What goes in: each visible page's source and rendered body (kept per file in the build
cache), the promotions and newsletters shown, the site's settings that pages print
([business], [lang.*], [mail], name, tagline, description), the theme's words in the site's
languages, CLDR's month and day names, list and number symbols and language names for them,
the templates and the stylesheet (read with the content), and the punctuation the typography inserts. A page can show
nothing outside this set, so the subset never lacks a glyph the family has; it may hold a few
more (a character in a template's comment). A character nobody wrote is left out."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from ...config import SiteConfig
from ...content.promotions import Promotion
from .context import PlanContext
from .jobs import FontJob, Output

ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + (
    "\u00a0\u202f\u2009\u2011\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a"
    "\u2026\u2022\u00b7\u2192\u2190\u00a9\u00d7\u2212")
"""ASCII, the no-break and thin spaces typography puts in, dashes, quotes, ellipsis, arrows, ©."""

_TEXT_FIELDS = ("title", "banner", "subject", "preheader", "description", "body")
_CATALOG_DOMAINS = ("site", "newsletter", "confirmation")


@lru_cache(maxsize=256)
def language_chars(lang: str) -> frozenset[str]:
    """What the theme writes in ``lang`` besides the site's own text: its catalog words (English
    under them) and CLDR's names and symbols."""
    from ...locale import catalog, cldr

    found: set[str] = set(cldr.display_name(lang))
    for domain in _CATALOG_DOMAINS:
        for text in catalog.words(domain, lang).values():
            found.update(text)
    loc = cldr.locale_for(lang) or cldr.locale_for("en")
    if loc is not None:
        for table in (loc.months, loc.days, loc.quarters, loc.periods, loc.list_patterns, loc.number_symbols):
            _collect(table, found)
    return frozenset(found)


def _collect(value, found: set[str]) -> None:
    if isinstance(value, str):
        found.update(value)
    elif hasattr(value, "items"):
        for v in value.values():
            _collect(v, found)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect(v, found)


def promotion_chars(promotions: Iterable[Promotion], found: set[str]) -> None:
    for pr in promotions:
        for text in (pr.default, *pr.translations.values()):
            for name in _TEXT_FIELDS:
                value = getattr(text, name, "")
                if isinstance(value, str):
                    found.update(value)


def site_chars(cfg: SiteConfig, page_chars: Iterable[str], promotions: Iterable[Promotion], theme_chars: str) -> str:
    """Every character the site's pages can show, sorted: the input of its font subset."""
    found: set[str] = set(ALWAYS)
    for chars in page_chars:
        found.update(chars)
    promotion_chars(promotions, found)
    for value in (cfg.name, cfg.description, cfg.theme.tagline, repr(cfg.business), repr(dict(cfg.lang_texts)),
                  repr(cfg.mail)):
        found.update(value)
    for lang in cfg.languages:
        found |= language_chars(lang)
    found.update(theme_chars)
    found.discard("\n")
    found.discard("\r")
    found.discard("\t")
    return "".join(sorted(found))


def site_font(ctx: PlanContext, live: list[Promotion]) -> dict:
    """The site's font: a subset of each face for the characters its pages show, under
    assets/fonts/ with the hash of what it holds in its name; the @font-face rules and the
    preload of the regular face that every page's head carries."""
    from ...render import webfonts

    fam = webfonts.family(ctx.cfg.theme.font)
    if not fam.faces:
        return {"font_css": webfonts.font_face_css(fam, []), "font_preload": None}
    content = ctx.content
    shown = [pr for pr in content.promotions if pr in live or pr.archived(ctx.now)]  # banners, pages, copies
    chars = webfonts.in_family(fam, site_chars(ctx.cfg, (content.chars.get(p.relpath, "") for p in ctx.visible),
                                               shown, content.theme_chars))
    urls = []
    for face in fam.faces:
        rel = "assets/fonts/" + webfonts.file_name(face, chars)
        ctx.add(Output(rel, webfonts.subset_key(face, chars), "asset", f"sitekeeper/render/fonts/{face.file}",
                       FontJob(face, chars)))
        urls.append("/" + rel)
    return {"font_css": webfonts.font_face_css(fam, urls), "font_preload": urls[0]}
