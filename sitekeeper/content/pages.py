"""Pages: the content model of a site.

``parse_page`` is pure: (site, relative path, text) -> Page, or FrontMatterError /
diagnostics. ``url_for`` derives URLs per SPEC: ``about.md`` -> ``/about/``,
``index.md`` in a folder is the folder's page, ``about.de.md`` is the German
translation at ``/de/`` + the default-language URL unless its own ``slug`` says otherwise;
``url`` gives a page its whole path, ``aliases`` the old URLs that redirect to it.
``.html`` files with front matter are pages too: their body is used as it is.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ..clock import BadDate, parse_when
from ..errors import Diagnostic, did_you_mean
from .frontmatter import Document, FrontMatterError, parse_document
from .languages import foreign_language
from .leftovers import FIX as LEFTOVER_FIX, find_leftovers

Meta = Mapping[str, Any]
"""A page's front matter, as YAML read it."""
T = TypeVar("T")

PAGE_KEYS = {
    "title", "date", "draft", "publish", "expires", "slug", "template", "description", "menu", "tags",
    "summary", "aliases", "lastmod", "image", "weight", "author", "url", "menu_title", "params", "layout",
}
PAGE_SUFFIXES = (".md", ".html")
"""Files under content/ that are pages; any other file there is reported, never dropped."""
_URL_RE = re.compile(r"^/(?:[^\s?#\\\"<>]*)$")


@dataclass(frozen=True)
class Page:
    relpath: str
    """Path under content/, '/' separated, e.g. 'aktuelles/eröffnung.de.md'."""
    source: str
    """Path for messages (relative to the workspace)."""
    lang: str
    """Language of this file."""
    key: str
    """Translation key: relpath without language suffix and .md ('aktuelles/eröffnung')."""
    title: str
    """The title (required)."""
    body: str
    """Markdown body."""
    body_line: int
    """Line of the file where the body starts."""
    date: datetime | None = None
    """The page's date (site timezone)."""
    draft: bool = False
    """Drafts are never built."""
    publish: datetime | None = None
    """Not shown before this time."""
    expires: datetime | None = None
    """Not shown from this time on."""
    slug: str | None = None
    """Overrides the last URL segment."""
    template: str | None = None
    """Template name (e.g. 'page.html'), or None for the default of its kind."""
    description: str = ""
    """Meta description and summary in lists and feeds."""
    menu: int | None = None
    """Position in the navigation; None keeps it out."""
    tags: tuple[str, ...] = ()
    """Tags."""
    key_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    """Front matter key -> line, for later diagnostics."""
    url: str | None = None
    """The page's whole path ('/leistungen/' or '/about.html'), or None for the derived one."""
    aliases: tuple[str, ...] = ()
    """Old URLs that redirect here, normalised ('/old/' or '/old.html')."""
    lastmod: datetime | None = None
    """When the page last changed (the sitemap's lastmod)."""
    image: str | None = None
    """Image for the hero, cards and link previews."""
    menu_title: str | None = None
    """The navigation's label when it differs from the title."""
    weight: int | None = None
    """Order in listings (lower first; then newest first)."""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Any other fields, for templates (`page.params.hero_title`; the built-in home reads cta and cta_url)."""
    is_html: bool = False
    """An .html file: the body is HTML, used as it is."""

    @property
    def is_index(self) -> bool:
        return self.key == "index" or self.key.endswith("/index")

    @property
    def folder(self) -> str:
        """The folder this page describes (for an index) or lives in; '' is the root."""
        return self.key.rsplit("/", 1)[0] if "/" in self.key else ""

    def visible(self, now: datetime) -> bool:
        if self.draft:
            return False
        if self.publish is not None and now < self.publish:
            return False
        if self.expires is not None and now >= self.expires:
            return False
        return True

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def split_lang(relpath: str, languages: Collection[str]) -> tuple[str, str | None]:
    """('about.de.md', [...]) -> ('about', 'de'); ('about.md') -> ('about', None)."""
    stem = relpath
    for suffix in PAGE_SUFFIXES:
        if relpath.endswith(suffix):
            stem = relpath[: -len(suffix)]
            break
    head, dot, tail = stem.rpartition(".")
    if dot and tail in languages and "/" not in tail:
        return head, tail
    return stem, None


def _as_bool(meta: Meta, key: str, problems: list[Diagnostic], source: str, doc: Document) -> bool:
    value = meta.get(key, False)
    if not isinstance(value, bool):
        problems.append(Diagnostic(source, doc.line_of(key), f"`{key}` must be true or false, not {value!r}",
                                   f"write `{key}: true` or `{key}: false`"))
        return False
    return value


def parse_when_field(meta: Meta, key: str, tz: ZoneInfo, problems: list[Diagnostic], source: str,
                     doc: Document) -> datetime | None:
    if key not in meta or meta[key] in (None, ""):
        return None
    try:
        return parse_when(meta[key], tz)
    except BadDate as exc:
        problems.append(Diagnostic(source, doc.line_of(key), f"`{key}`: {exc}",
                                   f"write it as `{key}: 2026-03-01` or `{key}: 2026-03-01 08:00`"))
        return None


def parse_page(relpath: str, source: str, text: str, languages: Collection[str], default_language: str,
               tz: ZoneInfo) -> tuple[Page | None, list[Diagnostic]]:
    """Parse one page. Returns (Page or None, [Diagnostic])."""
    problems: list[Diagnostic] = []
    try:
        doc = parse_document(text)
    except FrontMatterError as exc:
        return None, [Diagnostic(source, exc.line, exc.message, exc.fix)]
    return page_from_document(relpath, source, doc, languages, default_language, tz, problems)


def page_from_document(relpath: str, source: str, doc: Document, languages: Collection[str], default_language: str, tz: ZoneInfo,
                       problems: list[Diagnostic]) -> tuple[Page | None, list[Diagnostic]]:
    """A parsed document as a Page, each front matter field read and checked by its own
    reader (in the order their problems are reported); None when any error was found."""
    meta = doc.meta
    key, lang = split_lang(relpath, languages)
    if lang is None:
        foreign = foreign_language(key.removesuffix(".html"), languages)
        if foreign:
            return None, problems + [Diagnostic(
                source, None, f"{relpath.rpartition('/')[2]} is a translation into `{foreign}`, a language the site "
                "does not have", f"add \"{foreign}\" to `languages` in site.toml, or rename the file")]
    lang = lang or default_language
    args = (meta, problems, source, doc)
    _unknown_keys(*args)
    title = _title(*args)
    date = parse_when_field(meta, "date", tz, problems, source, doc)
    publish = parse_when_field(meta, "publish", tz, problems, source, doc)
    expires = parse_when_field(meta, "expires", tz, problems, source, doc)
    if publish and expires and publish >= expires:
        problems.append(Diagnostic(source, doc.line_of("expires"), "`publish` is not before `expires`: the page would never show",
                                   "set `expires` later than `publish`, or remove one of them"))
    draft = _as_bool(meta, "draft", problems, source, doc)
    slug = _slug(*args)
    template = _template(*args)
    description = _description(*args)
    menu = _menu(*args)
    tags = _tags(*args)
    url = _url_field(meta, "url", problems, source, doc)
    aliases = _aliases(*args)
    lastmod = parse_when_field(meta, "lastmod", tz, problems, source, doc)
    image = _typed(*args, "image", str, "`image` must be a path or URL", "write e.g. `image: /images/shop.jpg`")
    menu_title = _typed(*args, "menu_title", (str, int), "`menu_title` must be text", "quote it")
    weight = _weight(*args)
    params = _params(*args)
    if template is None and isinstance(meta.get("layout"), str) and meta["layout"].strip():
        template = meta["layout"].strip()
        template = template if template.endswith(".html") else template + ".html"
    for line, kind, text in find_leftovers(doc.body, doc.body_line):
        problems.append(Diagnostic(source, line, f"{kind} {text!r} left in the text", LEFTOVER_FIX, "warning"))
    if any(d.is_error for d in problems):
        return None, problems
    page = Page(
        relpath=relpath, source=source, lang=lang, key=key, title=str(title), body=doc.body,
        body_line=doc.body_line, date=date, draft=draft, publish=publish, expires=expires, slug=slug,
        template=template, description=description.strip(), menu=menu, tags=tuple(str(t) for t in tags),
        key_lines=dict(doc.key_lines), url=url, aliases=tuple(dict.fromkeys(aliases)), lastmod=lastmod,
        image=image, menu_title=str(menu_title) if menu_title is not None else None, weight=weight,
        params=dict(params), is_html=relpath.endswith(".html"),
    )
    return page, problems


# ---------------------------------------------------------------- front matter readers
# Each reads one field of ``meta``, adds a Diagnostic at its line when the value is wrong,
# and returns the value to use (a neutral one after a problem).


def _unknown_keys(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> None:
    for k in meta:
        if k not in PAGE_KEYS:
            hint = did_you_mean(str(k), PAGE_KEYS)
            problems.append(Diagnostic(source, doc.line_of(k), f"unknown front matter key `{k}` (ignored)",
                                       hint or f"known keys: {', '.join(sorted(PAGE_KEYS))}; "
                                       "a field for your own templates goes under `params:`", "warning"))


def _title(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> str | int | float:
    title = meta.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        problems.append(Diagnostic(source, doc.line_of("title") if "title" in meta else 1, "the page has no `title`",
                                   "add `title: Your page title` to the front matter (between the --- lines)"))
        return ""
    if not isinstance(title, (str, int, float)):
        problems.append(Diagnostic(source, doc.line_of("title"), "`title` must be text",
                                   'write it as `title: "Our cakes"`'))
        return ""
    return title


def _slug(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> str | None:
    slug = meta.get("slug")
    if slug is None:
        return None
    if not isinstance(slug, (str, int)) or not str(slug).strip() or any(c in str(slug) for c in '/\\?#<>"'):
        problems.append(Diagnostic(source, doc.line_of("slug"), f"`slug` {slug!r} is not a valid URL segment",
                                   "use words and dashes, without /, ?, # or quotes"))
        return None
    return str(slug).strip()


def _template(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> str | None:
    template = meta.get("template")
    if template is None:
        return None
    if not isinstance(template, str):
        problems.append(Diagnostic(source, doc.line_of("template"), "`template` must be a template file name",
                                   "write e.g. `template: page.html`"))
        return None
    return template if template.endswith(".html") else template + ".html"


def _description(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> str:
    description = meta.get("description", meta.get("summary", "")) or ""
    if not isinstance(description, str):
        problems.append(Diagnostic(source, doc.line_of("description"), "`description` must be text", "quote it"))
        return ""
    return description


def _menu(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> int | None:
    menu = meta.get("menu")
    if menu is not None and (isinstance(menu, bool) or not isinstance(menu, int)):
        if menu is True:
            return 100
        problems.append(Diagnostic(source, doc.line_of("menu"), f"`menu` must be a number (its order), not {menu!r}",
                                   "write `menu: 2` to show the page second in the navigation"))
        return None
    return menu


def _tags(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> list[Any]:
    tags = meta.get("tags", []) or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    if not isinstance(tags, list):
        problems.append(Diagnostic(source, doc.line_of("tags"), "`tags` must be a list", "write `tags: [bread, cakes]`"))
        return []
    return tags


def _aliases(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> list[str]:
    aliases = []
    raw_aliases = meta.get("aliases") or []
    if isinstance(raw_aliases, str):
        raw_aliases = [raw_aliases]
    if not isinstance(raw_aliases, list):
        problems.append(Diagnostic(source, doc.line_of("aliases"), "`aliases` must be a list of old URLs",
                                   "write `aliases: [/old-page/, /old.html]`"))
        raw_aliases = []
    for a in raw_aliases:
        norm = normalise_url(str(a)) if isinstance(a, (str, int)) else None
        if norm is None or norm == "/":
            problems.append(Diagnostic(source, doc.line_of("aliases"), f"alias {a!r} is not a URL path of this site",
                                       "write old URLs as site paths, e.g. `/alte-seite/` or `/kontakt.html`"))
        else:
            aliases.append(norm)
    return aliases


def _typed(meta: Meta, problems: list[Diagnostic], source: str, doc: Document, key: str,
           types: type[T] | tuple[type[T], ...], message: str, fix: str) -> T | None:
    """A field that must be of ``types`` when given; None after a problem."""
    value = meta.get(key)
    if value is not None and not isinstance(value, types):
        problems.append(Diagnostic(source, doc.line_of(key), message, fix))
        return None
    return value


def _weight(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> int | None:
    weight = meta.get("weight")
    if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int)):
        problems.append(Diagnostic(source, doc.line_of("weight"), f"`weight` must be a whole number, not {weight!r}",
                                   "write `weight: 10` (lower comes first in listings)"))
        return None
    return weight


def _params(meta: Meta, problems: list[Diagnostic], source: str, doc: Document) -> dict[str, Any]:
    params = meta.get("params") or {}
    if not isinstance(params, dict):
        problems.append(Diagnostic(source, doc.line_of("params"), "`params` must be a mapping of names to values",
                                   "write it as `params:` with indented `hero_title: ...` lines below"))
        return {}
    return params


def normalise_url(value: str) -> str | None:
    """A site path as a page URL: '/a/b' -> '/a/b/', '/a.html' stays, 'http://...' -> None."""
    value = value.strip()
    if not value or "://" in value or value.startswith("//"):
        return None
    value = value.split("#", 1)[0]
    if not value.startswith("/"):
        value = "/" + value
    if not _URL_RE.match(value) or "/../" in value + "/" or "/./" in value + "/":
        return None
    value = re.sub(r"/{2,}", "/", value)
    last = value.rsplit("/", 1)[-1]
    if last and "." not in last:
        value += "/"
    return value


def _url_field(meta: Meta, key: str, problems: list[Diagnostic], source: str, doc: Document) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    norm = normalise_url(str(value)) if isinstance(value, str) else None
    if norm is None:
        problems.append(Diagnostic(source, doc.line_of(key), f"`{key}` {value!r} is not a path of this site",
                                   f"write the page's whole path, e.g. `{key}: /leistungen/beratung/`"))
    return norm


def file_link(from_relpath: str, target: str) -> tuple[str, str] | None:
    """A link to a page's file, as (content relpath, '#anchor' or ''); None for other links.

    ``[Kontakt](kontakt.md)`` from ``about/team.md`` -> ('about/kontakt.md', '');
    ``../about.md#team`` -> ('about.md', '#team'); ``/preise.md`` is from the content root.
    """
    if not target or "://" in target or target.startswith(("#", "//", "mailto:", "tel:")):
        return None
    path, _, anchor = target.partition("#")
    path = path.split("?", 1)[0]
    if not path.endswith(".md"):
        return None
    from urllib.parse import unquote

    path = unquote(path)
    if path.startswith("/"):
        joined = path.lstrip("/")
    else:
        folder = from_relpath.rsplit("/", 1)[0] if "/" in from_relpath else ""
        joined = posixpath.join(folder, path)
    joined = posixpath.normpath(joined)
    if joined.startswith("../") or joined == "..":
        return None
    return joined, ("#" + anchor if anchor else "")


def default_url(key: str, slug: str | None) -> str:
    """URL of a default-language page from its key and slug."""
    parts = key.split("/")
    if parts[-1] == "index":
        parts = parts[:-1]
        if slug and parts:
            parts[-1] = slug
    elif slug:
        parts[-1] = slug
    return "/" + "".join(p + "/" for p in parts)


def translation_url(lang: str, key: str, slug: str | None, default_page_url: str | None) -> str:
    if slug:
        return f"/{lang}" + default_url(key, slug)
    if default_page_url is not None:
        return f"/{lang}" + default_page_url
    return f"/{lang}" + default_url(key, None)


def output_path(url: str) -> str:
    """'/about/' -> 'about/index.html'; '/' -> 'index.html'; '/about.html' -> 'about.html'."""
    if not url.endswith("/"):
        return url.lstrip("/")
    return url.lstrip("/") + "index.html"
