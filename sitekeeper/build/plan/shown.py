"""Which static images the site shows, worked out conservatively: an image gets its WebP
variants only when something names it, and one that nothing names is copied as it is.

Named counts wherever a name could reach an ``<img>``: the links, images and raw HTML of every
page's body (drafts and future pages too, so that a publish day makes no variants of its own),
every text of their front matter (``image``, ``params``), every text of the promotions and
campaigns (bodies, titles, banners, front matter), every text of site.toml (the logo, the share
image, the words) and the client's own templates. A name is matched by the file's name alone
(in any folder, in any case, percent-encoded or not, and a variant's name for its image), so a
relative path or a `static/` prefix is found too; a gallery shows every picture of its folder.
A client template whose picture's address is computed (``src="/img/{{ name }}.jpg"``) makes
every image under the folder it starts with shown, or every image when no folder is written.
Erring means more variants (what every image had before), never a page without them."""
from __future__ import annotations

import dataclasses
import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote

from ...config import SiteConfig
from ..sources import SiteContent, walk

_NAME_END_RE = re.compile(r"\.(?:jpe?g|png|webp)(?![A-Za-z0-9])", re.IGNORECASE)
"""Where a name of a raster image ends (build/sources RASTER, the images that get variants)."""
_GALLERY_RE = re.compile(r"^[ \t]*:{3,}[ \t]*gallery[ \t]+(\S[^\n]*?)[ \t]*$", re.MULTILINE)
_PICTURE_START_RE = re.compile(r"<(?:img|source)\b", re.IGNORECASE)
MAX_TAG = 8192
"""The longest <img> of a template read (a longer one is read that far)."""
_PICTURE_ATTR_RE = re.compile(r"""\s(?:src|srcset|data-src|data-srcset)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_PLAIN_RE = re.compile(r"^\{\{-?\s*[A-Za-z_]\w*(?:\.\w+|\[\s*(?:'\w+'|\"\w+\"|\d+)\s*\])*"
                       r"(?:\s*\|\s*(?:e|escape|safe|trim|string|first|last))*\s*-?\}\}$")
"""An address that is one value as it is (`{{ page.image }}`, `{{ member.photo }}`)."""
_BUILT_RE = re.compile(r"~|\|\s*(?:format|replace|join|urlencode|default|d)\b|\.format\(|[\"']\s*\+|\+\s*[\"']")
"""Jinja that builds a text (joins, formats, replaces) rather than passing a value on."""
MAX_NAME = 255
_VARIANT_RE = re.compile(r"^(.+)\.\d+w\.webp$")


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def names_in(text: str, longest: int = MAX_NAME) -> Iterator[str]:
    """Every tail of ``text`` that could be an image's file name, as a key: for each place a
    raster extension ends, the text back to the `/` or line before it (at most ``longest``
    characters, the longest name looked for), and each of its tails that starts after a
    character other than a letter or digit."""
    forms = {text}
    if "%" in text or "&" in text:
        forms.add(unquote(html.unescape(text)))
        forms.add(html.unescape(text))
    for form in forms:
        for m in _NAME_END_RE.finditer(form):
            end = m.end()
            start = max(form.rfind("/", 0, end), form.rfind("\n", 0, end), form.rfind("\\", 0, end),
                        end - longest - 1) + 1
            seg = form[start:end]
            yield _key(seg)
            for i, ch in enumerate(seg[:-1]):
                if not ch.isalnum():
                    yield _key(seg[i + 1:])


def strings_of(value: object, limit: int = 100_000) -> Iterator[str]:
    """Every text inside a value: dataclass fields, mappings (keys too), lists, tuples, sets."""
    stack = [value]
    seen: set[int] = set()
    while stack and limit > 0:
        v = stack.pop()
        limit -= 1
        if isinstance(v, str):
            yield v
        elif isinstance(v, (int, float, bool, bytes, Path)) or v is None:
            continue
        elif id(v) in seen:
            continue
        else:
            seen.add(id(v))
            if isinstance(v, dict):
                stack.extend(v.keys())
                stack.extend(v.values())
            elif isinstance(v, (list, tuple, set, frozenset)):
                stack.extend(v)
            elif dataclasses.is_dataclass(v) and not isinstance(v, type):
                stack.extend(getattr(v, f.name, None) for f in dataclasses.fields(v))


def _gallery_folder(value: str) -> str:
    v = value.strip()
    if v.startswith("static/"):
        v = v[len("static/"):]
    v = v if v.startswith("/") else "/" + v
    return _key(v.rstrip("/") + "/")


def client_templates(cfg: SiteConfig) -> list[str]:
    """The text of each of the client's own templates."""
    folder = cfg.templates_dir
    if not folder.is_dir():
        return []
    texts = []
    for _rel, entry in walk(folder, cfg.root):
        try:
            texts.append(Path(entry.path).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return texts


def jinja_parts(template: str) -> Iterator[str]:
    """Each `{{ … }}` and `{% … %}` of a template (an unclosed one runs to the end)."""
    at = 0
    while True:
        starts = [i for i in (template.find("{{", at), template.find("{%", at)) if i >= 0]
        if not starts:
            return
        start = min(starts)
        close = "}}" if template.startswith("{{", start) else "%}"
        end = template.find(close, start + 2)
        end = len(template) if end < 0 else end + 2
        yield template[start:end]
        at = end


def picture_tags(template: str) -> Iterator[str]:
    """Each <img> and <source> of a template, with Jinja's `{{ a > b }}` inside it."""
    for m in _PICTURE_START_RE.finditer(template):
        i, stop = m.end(), min(len(template), m.end() + MAX_TAG)
        while i < stop and template[i] != ">":
            if template.startswith(("{{", "{%"), i):
                close = template.find("}}" if template[i + 1] == "{" else "%}", i + 2, stop)
                i = stop if close < 0 else close + 2
            else:
                i += 1
        yield template[m.start():i + 1]


def computed_folders(template: str) -> Iterator[str | None]:
    """The folders (keys, ending in /) under which a template's pictures have addresses it
    computes; None for one whose folder is not written. An address that is one value as it is
    comes from the pages, promotions or site.toml, which are read as they are, unless the
    template builds texts somewhere (then it may have built that value)."""
    builds = any(_BUILT_RE.search(part) for part in jinja_parts(template))
    for tag in picture_tags(template):
        for m in _PICTURE_ATTR_RE.finditer(tag):
            value = m.group(2).strip()
            cuts = [i for i in (value.find("{{"), value.find("{%"), value.find("{#")) if i >= 0]
            if not cuts or (not builds and _PLAIN_RE.match(value)):
                continue
            prefix = value[:min(cuts)]
            if prefix.startswith(("http://", "https://", "//")):
                prefix = "/" + prefix.split("//", 1)[1].partition("/")[2]
            if prefix.startswith("static/"):
                prefix = prefix[len("static/"):]
            folder = prefix.rpartition("/")[0].strip("/")
            yield _key("/" + folder + "/") if folder else None


def named_texts(cfg: SiteConfig, content: SiteContent, templates: list[str]) -> Iterator[str]:
    """Every text that may name a picture the site shows."""
    for page in content.pages:
        yield from (target for target, _line, kind in content.links.get(page.relpath, ()) if kind != "gallery")
        yield from (fragment for _line, fragment in content.raw_html.get(page.relpath, ()))
        if page.image:
            yield page.image
        yield from strings_of(page.params)
    for pr in content.promotions:
        yield from strings_of((pr.meta, pr.default, tuple(pr.translations.values())))
    yield from strings_of(cfg)
    yield from (value for _source, _line, value, _kind in content.template_links)
    yield from templates


def named_folders(content: SiteContent, templates: list[str]) -> set[str | None]:
    """The folders whose every picture the site may show (keys ending in /): galleries' and those
    under which a template computes addresses; None when a template's folder is not known."""
    folders: set[str | None] = set()
    for page in content.pages:
        folders.update(_gallery_folder(target) for target, _line, kind in content.links.get(page.relpath, ())
                       if kind == "gallery")
    for pr in content.promotions:
        for text in strings_of((pr.default, tuple(pr.translations.values()))):
            if "gallery" in text:
                folders.update(_gallery_folder(m.group(1)) for m in _GALLERY_RE.finditer(text))
    for text in templates:
        folders.update(computed_folders(text))
    return folders


def shown_images(cfg: SiteConfig, content: SiteContent, rels: Iterable[str],
                 templates: list[str] | None = None) -> set[str]:
    """The relpaths among ``rels`` (raster images under static/) that the site may show."""
    rels = list(rels)
    if not rels:
        return set()
    templates = client_templates(cfg) if templates is None else templates
    folders = named_folders(content, templates)
    if None in folders:
        return set(rels)
    by_name: dict[str, set[str]] = {}
    by_stem: dict[str, set[str]] = {}  # a variant's name (`laden.960w.webp`) names its image
    for rel in rels:
        name = rel.rsplit("/", 1)[-1]
        by_name.setdefault(_key(name), set()).add(rel)
        by_stem.setdefault(_key(name.rsplit(".", 1)[0]), set()).add(rel)
    longest = max(len(key) for key in by_name) + 16  # room for a variant's `.1600w` and for NFC
    shown: set[str] = set()
    for text in named_texts(cfg, content, templates):
        for key in names_in(text, longest):
            found = by_name.get(key)
            if found:
                shown.update(found)
            elif key.endswith("w.webp"):
                variant = _VARIANT_RE.match(key)
                if variant and variant.group(1) in by_stem:
                    shown.update(by_stem[variant.group(1)])
    for rel in rels:
        parent = _key("/" + rel.rpartition("/")[0] + "/") if "/" in rel else "/"
        if parent in folders or any(parent.startswith(f) for f in folders if f and f != "/"):
            shown.add(rel)
    return shown
