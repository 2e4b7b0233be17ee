"""Jekyll: a site folder with _config.yml.

Pages (Markdown or HTML with front matter) and posts (`_posts/`, dated by file name, with
`_posts/<lang>/` or `lang:` for translations; `_drafts/` as drafts); permalinks (the
`permalink` style of _config.yml or a page's own, `redirect_from` as aliases); translations
paired by `ref` / `lang_ref` / `translation_key`, else by path; `_data/navigation.yml` as the
menu; includes of plain HTML inlined, `{% link %}` and `{% post_url %}` resolved, `highlight`
and `raw` converted; other Liquid reported. Files without front matter go to static/.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..content.pages import default_url, normalise_url, translation_url
from .common import ImportFailed, ImportedPage, SiteImport, SourceTree, date_text, region_of, split_more, url_path
from .shortcodes import liquid, resolve_file_links
from ..errors import Diagnostic
from ..locale.tags import SITE_TAG, site_tag as language_of

SKIP_DIRS = {"_site", "_includes", "_layouts", "_sass", "_data", "_plugins", "vendor", "node_modules", ".jekyll-cache",
             ".sass-cache", ".bundle", ".git", ".github"}
SKIP_FILES = {"Gemfile", "Gemfile.lock", "_config.yml", "_config.yaml", ".gitignore", "CNAME"}
PAGE_EXT = {".md", ".markdown", ".mkd", ".html", ".htm"}
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
POST_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
KNOWN = {"title", "date", "layout", "permalink", "published", "categories", "category", "tags", "lang", "language",
         "ref", "lang_ref", "translation_key", "page_id", "description", "excerpt", "redirect_from", "redirect_to",
         "slug", "image", "last_modified_at", "lastmod", "nav_order", "weight", "menu", "sitemap", "author"}


def _yaml_front(text: str):
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---"):
        return None, text
    m = re.search(r"^---\s*$", text[3:], re.M)
    if m is None:
        raise ValueError("the front matter (---) is not closed")
    import yaml

    meta = yaml.safe_load(text[3:3 + m.start()]) or {}
    rest = text[3 + m.end():]
    return (meta if isinstance(meta, dict) else {}), rest[1:] if rest.startswith("\n") else rest


def _slugify(text: str) -> str:
    return re.sub(r"[^\w]+", "-", str(text).lower()).strip("-")


def _skip(rel: str, is_dir: bool) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in SKIP_DIRS or (name.startswith(".") and name != ".well-known")


def _config(tree: SourceTree) -> dict:
    name = "_config.yml" if tree.file("_config.yml") or not tree.file("_config.yaml") else "_config.yaml"
    conf_path = tree.file(name)
    if conf_path is None:
        return {}
    import yaml

    try:
        config = yaml.safe_load(conf_path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ImportFailed([Diagnostic(tree.show(name), mark.line + 1 if mark else None,
                                       f"{name} is not valid YAML: {getattr(exc, 'problem', exc)}",
                                       "fix it so that `jekyll build` accepts it")]) from None
    if not isinstance(config, dict):
        raise ImportFailed([Diagnostic(tree.show(name), 1, f"{name} is not a mapping of settings",
                                       "fix it so that `jekyll build` accepts it")])
    return config


@dataclass
class _Ctx:
    """What reading one page or post needs from the site as a whole."""
    root: Path
    deflang: str
    pattern: str
    site_vars: dict
    includes: dict[str, str]
    baseurl: str
    collections: dict[str, str]
    """Name -> permalink pattern of each collection whose documents are pages (`output: true`)."""
    data_tables: Callable[[str, str, dict, bool], str] = lambda body, origin, meta, html: body
    """Data loops and includes of a body as tables (set by the data reader): (body, file, front matter, HTML?)."""


def import_jekyll(root: Path) -> SiteImport:
    if not root.is_dir():
        raise ImportFailed([Diagnostic(str(root), None, "not a folder", "give the Jekyll site's folder")])
    imp = SiteImport("jekyll")
    tree = SourceTree(root, imp)
    config = _config(tree)
    ctx = _settings(imp, tree, config)
    from .jekyll_data import ThemeData

    theme = ThemeData(imp, tree, config, ctx.includes)
    ctx.data_tables = theme.in_body
    found = _sort_files(imp, tree, ctx.collections)
    docs = [d for d in (_read(imp, ctx, kind, path, rel) for kind, path, rel in found) if d is not None]
    if not docs:
        what = "no pages or posts (files with --- front matter) found"
        if not config and not tree.is_dir("_posts"):
            what = "not a Jekyll site: no _config.yml, no _posts/ and " + what
        raise ImportFailed(imp.problems + [Diagnostic(str(root), None, what, "give the Jekyll site's folder (with "
                                           "_config.yml), or name the right kind with --from hugo or --from html")])
    _translations_and_paths(imp, docs, ctx.deflang)
    _pages(imp, docs, ctx.deflang)
    _navigation(imp, tree, docs)
    logo = config.get("logo")
    if isinstance(logo, dict):  # logo: {desktop: …, mobile: …}
        logo = logo.get("desktop") or logo.get("image") or logo.get("src") or logo.get("mobile")
    if isinstance(logo, str) and logo.lstrip("/").removeprefix(ctx.baseurl.lstrip("/")).lstrip("/") in imp.static:
        imp.theme["logo"] = "static/" + logo.lstrip("/").removeprefix(ctx.baseurl.lstrip("/")).lstrip("/")
    if (root / "_layouts").is_dir() or config.get("theme") or config.get("remote_theme"):
        imp.note(str(root / "_layouts"), None, "the Jekyll theme and layouts are not imported: the site gets the "
                 "built-in theme", "restyle it with [theme] in site.toml, or templates in the client's templates/")
    theme.finish(docs)
    imp.count["pages"] = len(imp.pages)
    return imp


def _settings(imp: SiteImport, tree: SourceTree, config: dict) -> _Ctx:
    """The site's name, address, timezone, languages and permalink style from _config.yml."""
    imp.name = str(config.get("title") or tree.root.name)
    imp.description = str(config.get("description") or "").strip()
    baseurl = str(config.get("baseurl") or "").rstrip("/")
    imp.base_url = (str(config.get("url") or imp.base_url).rstrip("/") + baseurl) or imp.base_url
    if config.get("timezone"):
        imp.timezone, imp.timezone_from = str(config["timezone"]), "the Jekyll config (timezone)"
    lang_tag = str(config.get("default_lang") or config.get("lang") or config.get("language") or config.get("locale")
                   or "en")
    deflang = language_of(lang_tag)
    imp.region = region_of(lang_tag)
    langs = [language_of(str(lg)) for lg in (config.get("languages") or [])]
    imp.languages = [deflang] + [lg for lg in langs if lg != deflang]
    style = str(config.get("permalink") or "date")
    site_vars = {k: v for k, v in config.items() if isinstance(v, (str, int, float))}
    includes = {rel: path.read_text(encoding="utf-8", errors="replace") for rel, path in tree.files("_includes")}
    pattern = STYLES.get(style, style)
    return _Ctx(tree.root, deflang, pattern, site_vars, includes, baseurl, _collections(config, pattern))


def _collections(config: dict, pattern: str) -> dict[str, str]:
    """The collections Jekyll wrote pages of, with their permalink patterns."""
    found = {}
    items = config.get("collections")
    if isinstance(items, list):
        items = {str(name): {} for name in items}
    for name, conf in (items.items() if isinstance(items, dict) else []):
        conf = conf if isinstance(conf, dict) else {}
        if conf.get("output") and name != "posts":
            default = "/:collection/:path/" if pattern.endswith("/") else "/:collection/:path:output_ext"
            found[str(name)] = str(conf.get("permalink") or default)
    return found


def _sort_files(imp: SiteImport, tree: SourceTree, collections: dict[str, str]) -> list[tuple[str, Path, str]]:
    """(kind, path, rel) of the pages and posts (a collection's documents are pages); other
    files go to static/ or are reported."""
    found = []
    for rel, path in tree.files(skip=_skip):
        parts = rel.split("/")
        shown = Path(tree.show(rel))
        if parts[-1] in SKIP_FILES or rel.endswith(".gemspec") or (len(parts) == 1 and re.match(r"^_config.*\.ya?ml$", rel)):
            continue
        if "_posts" in parts or "_drafts" in parts:
            found.append(("post", path, rel))
            continue
        if parts[0].startswith("_") and parts[0][1:] not in collections:
            imp.note(str(shown), None, f"{parts[0]}/ (a collection or plugin folder) is not imported",
                     "copy its pages into content/ by hand")
            continue
        try:
            with open(path, "rb") as fh:
                head = fh.read(3)
        except OSError:
            continue
        if head == b"---" and shown.suffix.lower() in PAGE_EXT:
            found.append(("page", path, rel))
        elif head == b"---":
            imp.note(str(shown), 1, f"{rel} is processed by Jekyll (Sass or Liquid); not imported",
                     "build it once with Jekyll and put the result in static/")
        elif parts[-1] not in ("README.md", "LICENSE", "LICENSE.md", "CHANGELOG.md"):
            imp.static[rel] = path
            imp.origins[rel] = str(shown)
    return found


def _translations_and_paths(imp: SiteImport, docs: list[dict], deflang: str) -> None:
    """Translations share the default-language document's key; each gets its file under content/."""
    by_ref = {d["ref"]: d["key"] for d in docs if d["ref"] and d["lang"] == deflang}
    for d in docs:
        if d["ref"] and d["lang"] != deflang and d["ref"] in by_ref:
            d["key"] = by_ref[d["ref"]]
    for d in docs:
        if d["lang"] not in imp.languages:
            imp.languages.append(d["lang"])
    seen: set[str] = set()
    for d in docs:
        relpath = d["key"] + ("" if d["lang"] == deflang else f".{d['lang']}") + d["ext"]
        if relpath in seen:
            relpath = d["key"] + f"-{len(seen)}" + ("" if d["lang"] == deflang else f".{d['lang']}") + d["ext"]
        seen.add(relpath)
        d["relpath"] = relpath


def _pages(imp: SiteImport, docs: list[dict], deflang: str) -> None:
    """The imported pages: old URLs kept as `url`, links to other files resolved."""
    lookup: dict[str, str] = {}
    for d in sorted(docs, key=lambda d: d["lang"] != deflang):  # a link names the default-language file
        lookup.setdefault(d["rel"], d["relpath"])
        if d["kind"] == "post":
            lookup.setdefault("post:" + d["post_name"], d["relpath"])
    for d in docs:
        base = default_url(d["key"], None)
        natural = base if d["lang"] == deflang else translation_url(d["lang"], d["key"], None, base)
        if d["old"] != natural:
            d["meta"]["url"] = d["old"]
        body, missing = resolve_file_links(d["body"], lambda t: lookup.get(t.lstrip("/")) or lookup.get(t))
        for target in missing:
            imp.note(d["src"], None, f"link to {target!r}: no such page or post", "correct the link by hand")
        d["page"] = ImportedPage(d["relpath"], d["meta"], body, d["src"],
                                 tuple(dict.fromkeys([d["old"], *d["meta"].get("aliases", [])]))
                                 if not d["meta"].get("draft") else ())
        imp.pages.append(d["page"])


def _read(imp: SiteImport, ctx: _Ctx, kind: str, path: Path, rel: str) -> dict | None:
    src = str(ctx.root / rel)
    deflang, pattern = ctx.deflang, ctx.pattern
    try:
        meta, body = _yaml_front(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        imp.note(src, 1, f"cannot be read ({exc}); not imported", "fix it so that `jekyll build` accepts it")
        return None
    except Exception as exc:  # YAML errors
        mark = getattr(exc, "problem_mark", None)
        imp.note(src, mark.line + 1 if mark else 1, "front matter is not valid YAML; not imported", "fix the YAML")
        return None
    meta = meta or {}
    if meta.get("redirect_to"):
        imp.note(src, None, f"a redirect to {meta['redirect_to']} (redirect_to) is not a page; not imported",
                 "add the old URL to the `aliases` of the page it pointed to, or link out from a page")
        return None
    parts = rel.split("/")
    stem, _, ext = parts[-1].rpartition(".")
    is_html = ext.lower() in ("html", "htm")
    lang = language_of(str(meta.get("lang") or meta.get("language") or ""))
    folder_parts = parts[:-1]
    if kind == "post":
        idx = folder_parts.index("_posts") if "_posts" in folder_parts else folder_parts.index("_drafts")
        under = folder_parts[idx + 1:]
        cats_from_path = folder_parts[:idx]
        if under and SITE_TAG.match(under[0]) and (under[0] in imp.languages or not lang):
            lang = lang or under[0]
            under = under[1:]
        m = POST_RE.match(stem)
        if m is None and "_drafts" not in folder_parts:
            imp.note(src, None, "a post's file name must start with its date (2024-03-01-title.md); not imported",
                     "rename it, or move it out of _posts/")
            return None
        y, mo, d, slug = m.groups() if m else ("", "", "", stem)
        slug = str(meta.get("slug") or slug)
        date = date_text(meta.get("date")) if meta.get("date") else (f"{y}-{mo}-{d}" if y else None)
        cats = meta.get("categories") or meta.get("category") or []
        cats = cats.split() if isinstance(cats, str) else [str(c) for c in cats]
        cats = cats_from_path + cats
        day = date or ""
        permalink = meta.get("permalink") or pattern
        old = (str(permalink).replace(":categories", "/".join(_slugify(c) for c in cats))
               .replace(":year", day[:4]).replace(":month", day[5:7]).replace(":i_month", str(int(day[5:7] or 0)))
               .replace(":day", day[8:10]).replace(":i_day", str(int(day[8:10] or 0))).replace(":title", slug)
               .replace(":slug", _slugify(slug)).replace(":output_ext", ".html"))
        key = f"posts/{'/'.join(under) + '/' if under else ''}{(y + '-' + mo + '-' + d + '-') if y else ''}{slug}"
        post_name = stem
    else:
        if folder_parts and SITE_TAG.match(folder_parts[0]) and (folder_parts[0] in imp.languages or lang == folder_parts[0]):
            lang = lang or folder_parts[0]
            folder_parts = folder_parts[1:]
        date = date_text(meta.get("date")) if meta.get("date") else None
        key = "/".join(folder_parts + [stem])
        if meta.get("permalink"):
            old = str(meta["permalink"])
        elif parts[0].startswith("_") and parts[0][1:] in ctx.collections:
            key, old = _collection_url(parts, stem, ctx.collections[parts[0][1:]])
        else:
            pretty = pattern.endswith("/")
            if stem == "index":
                old = "/" + "/".join(parts[:-1]) + ("/" if parts[:-1] else "")
            else:
                old = "/" + "/".join(parts[:-1] + [stem]) + ("/" if pretty else ".html")
        post_name = ""
    lang = lang or deflang
    old = normalise_url(unquote(re.sub(r"/{2,}", "/", old))) or "/"
    if lang != deflang and not (old == f"/{lang}/" or old.startswith(f"/{lang}/")):
        old = f"/{lang}" + old  # as jekyll-polyglot serves the other languages
    out: dict = {"title": str(meta.get("title") or stem.replace("-", " ").title())}
    if date:
        out["date"] = date
    if meta.get("published") is False or "_drafts" in parts:
        out["draft"] = True
    desc = meta.get("description") or meta.get("excerpt")
    if desc:
        out["description"] = str(desc).strip()
    tags = meta.get("tags") or []
    tags = tags.split() if isinstance(tags, str) else [str(t) for t in tags]
    if kind == "post":
        tags = list(dict.fromkeys(tags + [c for c in (meta.get("categories") or []) if isinstance(c, str)]
                                  if not isinstance(meta.get("categories"), str) else tags + meta["categories"].split()))
    if tags:
        out["tags"] = tags
    if isinstance(meta.get("image"), str):
        out["image"] = meta["image"]
    elif isinstance(meta.get("image"), dict) and isinstance(meta["image"].get("path"), str):
        out["image"] = meta["image"]["path"]
    lastmod = meta.get("last_modified_at") or meta.get("lastmod")
    if lastmod and date_text(lastmod):
        out["lastmod"] = date_text(lastmod)
    weight = meta.get("nav_order") or meta.get("weight")
    if isinstance(weight, int):
        out["weight"] = weight
    aliases = meta.get("redirect_from") or []
    aliases = [aliases] if isinstance(aliases, str) else aliases
    norm = [n for n in (normalise_url(unquote(str(a))) for a in aliases) if n]
    if norm:
        out["aliases"] = norm
    own = {k: v for k, v in meta.items() if k not in KNOWN}
    if own:
        out["params"] = _plain(own)
    body, summary = split_more(body)
    if summary and "description" not in out:
        out["description"] = summary
    body = liquid(body, ctx.includes, {**meta, "title": out["title"]}, ctx.site_vars, imp.embeds)
    body = _liquid_in_links(imp, src, ctx.data_tables(body, src, meta, is_html))
    return {"src": src, "rel": rel, "kind": kind, "key": key, "lang": lang, "ext": ".html" if is_html else ".md",
            "meta": out, "body": body, "old": old, "layout": str(meta.get("layout") or ""), "ref": meta.get("ref") or meta.get("lang_ref")
            or meta.get("translation_key") or meta.get("page_id"), "post_name": post_name}


def _collection_url(parts: list[str], stem: str, pattern: str) -> tuple[str, str]:
    """(key, old URL) of a collection's document (`_services/tax.md` -> services/tax, /services/tax/)."""
    name, inner = parts[0][1:], "/".join(parts[1:-1] + [stem])
    old = (pattern.replace(":collection", name).replace(":path", inner).replace(":name", stem)
           .replace(":title", _slugify(stem)).replace(":slug", _slugify(stem)).replace(":output_ext", ".html"))
    return f"{name}/{inner}", old


_LIQUID_ATTR_RE = re.compile(r"""((?:href|src)\s*=\s*)(["'])([^"']*\{[{%][^"']*)\2""", re.I)
_LIQUID_LINK_RE = re.compile(r"\]\(([^)\s]*\{[{%][^)\s]*)\)")


def _liquid_in_links(imp, src: str, body: str) -> str:
    """A link or image whose address is a Liquid expression (`href="{{ m.url }}"`) cannot be
    worked out without the old theme's data: it goes to `#` (no broken link), and is named."""
    found: list[str] = []

    def attr(m):
        found.append(m.group(3))
        return f"{m.group(1)}{m.group(2)}#{m.group(2)}"

    def link(m):
        found.append(m.group(1))
        return "](#)"

    body = _LIQUID_LINK_RE.sub(link, _LIQUID_ATTR_RE.sub(attr, body))
    for expr in dict.fromkeys(found):
        imp.note(src, None, f"a link or image address is Liquid ({expr[:60]!r}): it now goes to #",
                 "write the real address in the page (the old theme filled it in from its data)")
    return body


def _plain(value):
    from datetime import date, datetime

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return date_text(value)
    return value


def _navigation(imp: SiteImport, tree: SourceTree, docs: list) -> None:
    """_data/navigation.yml (`main:` or a list of title/url) -> `menu` and `menu_title`."""
    for name in ("navigation.yml", "navigation.yaml", "menu.yml", "nav.yml"):
        real = tree.file(f"_data/{name}")
        if real is not None:
            path = Path(tree.show(f"_data/{name}"))
            break
    else:
        return
    import yaml

    try:
        data = yaml.safe_load(real.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        imp.note(str(path), mark.line + 1 if mark else None, "the navigation is not valid YAML; the menu is not imported",
                 "fix the YAML, or set `menu` in the pages' front matter by hand")
        return
    entries = data.get("main", []) if isinstance(data, dict) else data
    for n, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        label = str(entry.get("title") or entry.get("name") or entry.get("text") or "")
        link = str(entry.get("url") or entry.get("link") or entry.get("href") or "")
        target_path = url_path(link, imp.base_url)
        target_path = normalise_url(target_path) if target_path else None
        target = next((d["page"] for d in docs if d["old"] == target_path), None)
        if target is None:
            imp.note(str(path), None, f"menu entry {label!r} ({link}) points at no page of the site; "
                                      "it is not in the navigation", "link to it from a page instead")
            continue
        target.meta["menu"] = n + 1
        if label and label != target.meta.get("title"):
            target.meta["menu_title"] = label
        if entry.get("children"):
            imp.note(str(path), None, f"the submenu of {label!r}: the navigation has one level",
                     "link to those pages from that page instead")
