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
_PICTURE_TAG_RE = re.compile(r"<(?:img|source)\b(?:\{\{.*?\}\}|\{%.*?%\}|[^>])*>", re.IGNORECASE | re.DOTALL)
"""An <img> or <source> of a template, Jinja's `{{ a > b }}` inside it included."""
_PICTURE_ATTR_RE = re.compile(r"""\s(?:src|srcset|data-src|data-srcset)\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_JINJA_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_PLAIN_RE = re.compile(r"^\{\{-?\s*[A-Za-z_]\w*(?:\.\w+|\[\s*(?:'\w+'|\"\w+\"|\d+)\s*\])*"
                       r"(?:\s*\|\s*(?:e|escape|safe|trim|string|first|last))*\s*-?\}\}$")
"""An address that is one value as it is (`{{ page.image }}`, `{{ member.photo }}`)."""
_BUILT_RE = re.compile(r"~|\|\s*(?:format|replace|join|urlencode|default|d)\b|\.format\(|[\"']\s*\+|\+\s*[\"']")
"""Jinja that builds a text (joins, formats, replaces) rather than passing a value on."""
MAX_NAME = 255


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def names_in(text: str) -> Iterator[str]:
    """Every tail of ``text`` that could be an image's file name, as a key: for each place a
    raster extension ends, the text back to the `/` or line before it, and each of its tails that
    starts after a character other than a letter or digit."""
    forms = {text}
    if "%" in text or "&" in text:
        forms.add(unquote(html.unescape(text)))
        forms.add(html.unescape(text))
    for form in forms:
        for m in _NAME_END_RE.finditer(form):
            end = m.end()
            start = max(form.rfind("/", 0, end), form.rfind("\n", 0, end), form.rfind("\\", 0, end),
                        end - MAX_NAME - 1) + 1
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


def computed_folders(template: str) -> Iterator[str | None]:
    """The folders (keys, ending in /) under which a template's pictures have addresses it
    computes; None for one whose folder is not written. An address that is one value as it is
    comes from the pages, promotions or site.toml, which are read as they are, unless the
    template builds texts somewhere (then it may have built that value)."""
    builds = any(_BUILT_RE.search(m.group(0)) for m in _JINJA_RE.finditer(template))
    for tag in _PICTURE_TAG_RE.finditer(template):
        for m in _PICTURE_ATTR_RE.finditer(tag.group(0)):
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


def shown_images(cfg: SiteConfig, content: SiteContent, rels: Iterable[str],
                 templates: list[str] | None = None) -> set[str]:
    """The relpaths among ``rels`` (raster images under static/) that the site may show."""
    rels = list(rels)
    if not rels:
        return set()
    by_name: dict[str, set[str]] = {}
    for rel in rels:
        name = rel.rsplit("/", 1)[-1]
        stem = name.rsplit(".", 1)[0]
        for key in (name, f"{stem}.webp", *(f"{stem}.{w}w.webp" for w in (480, 960, 1600))):
            by_name.setdefault(_key(key), set()).add(rel)
    shown: set[str] = set()
    folders: set[str] = set()
    everything = False

    def scan(text: str) -> None:
        for key in names_in(text):
            found = by_name.get(key)
            if found:
                shown.update(found)

    for page in content.pages:
        for target, _line, kind in content.links.get(page.relpath, ()):
            if kind == "gallery":
                folders.add(_gallery_folder(target))
            else:
                scan(target)
        for _line, fragment in content.raw_html.get(page.relpath, ()):
            scan(fragment)
        if page.image:
            scan(page.image)
        for text in strings_of(page.params):
            scan(text)
    for pr in content.promotions:
        for text in strings_of((pr.meta, pr.default, tuple(pr.translations.values()))):
            scan(text)
            if "gallery" in text:
                folders.update(_gallery_folder(m.group(1)) for m in _GALLERY_RE.finditer(text))
    for text in strings_of(cfg):
        scan(text)
    for _source, _line, value, _kind in content.template_links:
        scan(value)
    for text in (client_templates(cfg) if templates is None else templates):
        scan(text)
        for folder in computed_folders(text):
            if folder is None:
                everything = True
            else:
                folders.add(folder)
    if everything:
        return set(rels)
    if folders:
        for rel in rels:
            parent = _key("/" + rel.rpartition("/")[0] + "/") if "/" in rel else "/"
            if parent in folders or any(parent.startswith(f) for f in folders if f != "/"):
                shown.add(rel)
    return shown
