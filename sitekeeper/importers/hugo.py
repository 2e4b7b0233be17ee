"""Hugo: a site folder (hugo.toml / config.toml / config.yaml, or config/_default/).

Front matter in YAML, TOML (+++) or JSON; `_index.md` (a section's page); page bundles with
their images; `url`, `slug`, `aliases`, `[permalinks]`; menus from the config and from
front matter with their labels and weights; translations by file suffix (`about.de.md`)
and by content folder per language (`contentDir`), paired by path or `translationKey`;
`<!--more-->` summaries; the common shortcodes (figure, youtube, vimeo, ref/relref,
notice-style boxes, details, highlight, param). Old URLs follow Hugo's rules (lowercased
paths, `/<lang>/` for other languages), and a page whose URL would differ gets `url:`.
"""
from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..content.pages import default_url, normalise_url, translation_url
from . import data_files
from .common import (ImportFailed, ImportedPage, SiteImport, SourceTree, join_rel, date_text, is_static_name, region_of,
                     split_more, url_path)
from .shortcodes import hugo as convert_shortcodes, resolve_file_links
from ..errors import Diagnostic
from ..locale.tags import base as language_of, site_tag

PAGE_EXT = (".md", ".markdown", ".html", ".htm")
KNOWN = {"title", "date", "draft", "description", "summary", "tags", "categories", "slug", "url", "aliases",
         "lastmod", "weight", "publishdate", "expirydate", "images", "image", "featured_image", "menu", "linktitle",
         "translationkey", "layout", "type", "params", "headless", "build", "_build", "outputs", "cascade",
         "keywords", "markup", "isCJKLanguage".lower(), "resources", "sitemap"}


def _load(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text) or {}
    return json.loads(text)


def _lower(d):
    """Hugo's config keys are case-insensitive."""
    if isinstance(d, dict):
        return {str(k).lower(): _lower(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_lower(x) for x in d]
    return d


CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml",
                "config.json")


def load_config(tree: SourceTree) -> dict:
    cfg: dict = {}
    for name in CONFIG_NAMES:
        path = tree.file(name)
        if path is not None:
            cfg = _lower(_load(path))
            break
    if tree.is_dir("config/_default"):
        for rel, path in tree.files("config/_default", skip=lambda rel, is_dir: "/" in rel or is_dir):
            if path.suffix not in (".toml", ".yaml", ".yml", ".json"):
                continue
            data = _lower(_load(path))
            stem = Path(rel).stem.lower()
            if stem in ("hugo", "config"):
                cfg.update(data)
            elif stem.startswith("menus") or stem.startswith("menu"):
                lang = stem.partition(".")[2]
                if lang:
                    cfg.setdefault("languages", {}).setdefault(lang, {})["menus"] = data
                else:
                    cfg["menus"] = data
            else:
                cfg[stem] = data
    return cfg


def is_hugo_site(root: Path) -> bool:
    """Whether ``root`` has a Hugo config (hugo.*, config.* beside content/, or config/_default/)."""
    names = {p.name for p in root.iterdir()} if root.is_dir() else set()
    return bool(names & {"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"}
                or (names & {"config.toml", "config.yaml", "config.yml", "config.json"} and "content" in names)
                or (root / "config" / "_default").is_dir())


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(meta, body, line of the body) of a Hugo content file (YAML, TOML or JSON)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if text.startswith("+++"):
        end = text.find("\n+++", 3)
        if end == -1:
            raise ValueError("the TOML front matter (+++) is not closed")
        meta = tomllib.loads(text[3:end])
        rest = text[end + 4:]
    elif text.startswith("---"):
        end = re.search(r"^---\s*$", text[3:], re.M)
        if end is None:
            raise ValueError("the YAML front matter (---) is not closed")
        import yaml

        meta = yaml.safe_load(text[3:3 + end.start()]) or {}
        rest = text[3 + end.end():]
    elif text.startswith("{"):
        dec = json.JSONDecoder()
        meta, end = dec.raw_decode(text)
        rest = text[end:]
    else:
        return {}, text, 1
    rest = rest[1:] if rest.startswith("\n") else rest
    return meta, rest, text[: len(text) - len(rest)].count("\n") + 1


def _urlize(path: str, lower: bool) -> str:
    path = re.sub(r"\s+", "-", path)
    return path.lower() if lower else path


@dataclass
class _Site:
    """What the config says that every reader of the pages needs."""
    cfg: dict
    languages: dict
    deflang: str
    lower: bool
    permalinks: dict
    cfg_line: str
    params: dict


def import_hugo(root: Path) -> SiteImport:
    _refuse_other(root)
    imp = SiteImport("hugo")
    tree = SourceTree(root, imp)
    site = _settings(imp, root, _read_config(tree, root))
    pages = _read_content(imp, tree, site)
    tag = _keys_and_paths(imp, pages, site)
    _urls_kept(imp, pages, site, tag)
    _pages(imp, pages, site)
    terms = {(k, str(v)) for p in pages if not p["meta"].get("draft") for k in ("tags",) for v in p["meta"].get("tags", [])}
    if terms and not site.cfg.get("disablekinds"):
        imp.note(site.cfg_line, None, f"{len(terms)} taxonomy pages (/tags/…/, /categories/…/) are not pages of the new "
                 "site: their old URLs are not kept", "link the pages that matter from a section page; add a "
                 "taxonomy page's old URL to that page's `aliases` to keep it")
    _menus(imp, site.cfg, site.languages, pages, site.cfg_line)
    _homes_for_every_language(imp, pages, tag, site.deflang, site.lower, site.cfg_line)
    imp.languages = [tag.get(lg, lg) for lg in imp.languages]
    _static_and_theme(imp, tree, site.cfg, site.params)
    from .hugo_data import theme_data

    theme_data(imp, tree, site.cfg, site.cfg_line, pages, lambda key: _urlize(key, site.lower))
    imp.count["pages"] = len(imp.pages)
    return imp


def _refuse_other(root: Path) -> None:
    if not root.is_dir():
        raise ImportFailed([Diagnostic(str(root), None, "not a folder", "give the Hugo site's folder")])
    if not is_hugo_site(root):
        raise ImportFailed([Diagnostic(str(root), None, "not a Hugo site: it has no hugo.toml (or config.toml beside "
                                       "content/, or config/_default/)", "give the folder that holds the site's "
                                       "hugo.toml, or name the right kind with --from jekyll or --from html")])


def _read_config(tree: SourceTree, root: Path) -> dict:
    try:
        return load_config(tree)
    except (tomllib.TOMLDecodeError, ValueError, OSError) as exc:
        raise ImportFailed([Diagnostic(str(root / "hugo.toml"), None, f"cannot read the Hugo config: {exc}",
                                       "fix the config so that `hugo` itself accepts it")]) from exc


def _settings(imp: SiteImport, root: Path, cfg: dict) -> _Site:
    """The site's name, address, timezone and languages from the config."""
    cfg_line = next((str(root / n) for n in CONFIG_NAMES if (root / n).is_file()), str(root / "config"))
    zone = cfg.get("timezone")
    if isinstance(zone, str) and zone.strip():
        imp.timezone, imp.timezone_from = zone.strip(), "the Hugo config (timeZone)"
    imp.name = str(cfg.get("title", "") or root.name)
    given = str(cfg.get("baseurl", "") or "").strip()
    if given and not re.match(r"^https?://[^/\s]+", given):
        # `baseURL = "/"` (or a bare path) names no domain: a placeholder `check` warns about.
        imp.note(cfg_line, None, f"the Hugo config's baseURL {given!r} names no domain; "
                 f"base_url is {imp.base_url} for now",
                 'set the real address in site.toml: `base_url = "https://www.client-domain.example"`')
        given = ""
    imp.base_url = (given or imp.base_url).rstrip("/")
    params = cfg.get("params", {}) if isinstance(cfg.get("params"), dict) else {}
    imp.description = str(params.get("description", "") or "")
    languages = cfg.get("languages") or {}
    deflang = str(cfg.get("defaultcontentlanguage") or language_of(str(cfg.get("languagecode") or "en"))).lower()
    deflang_conf = languages.get(deflang) if isinstance(languages, dict) and isinstance(languages.get(deflang), dict) else {}
    imp.region = region_of(str(deflang_conf.get("languagecode") or cfg.get("languagecode") or ""))
    order = sorted(languages, key=lambda lg: (lg != deflang, languages[lg].get("weight", 0)
                                              if isinstance(languages[lg], dict) else 0, lg))
    imp.languages = [deflang] + [lg for lg in order if lg != deflang]
    imp.in_subfolder = bool(cfg.get("defaultcontentlanguageinsubdir", False))
    permalinks = cfg.get("permalinks", {}) or {}
    if isinstance(permalinks.get("page"), dict):  # Hugo 0.115+: [permalinks.page]
        permalinks = permalinks["page"]
    return _Site(cfg, languages, deflang, not cfg.get("disablepathtolower", False), permalinks, cfg_line, params)


def _read_content(imp: SiteImport, tree: SourceTree, site: _Site) -> list[dict]:
    """Every page of the content folders (one per language with contentDir, else content/
    with suffixes); the other files go to static/ at the same path, as bundle resources."""
    dirs = []
    for lg in imp.languages:
        conf = site.languages.get(lg, {}) if isinstance(site.languages.get(lg), dict) else {}
        if conf.get("contentdir"):
            dirs.append((_folder_rel(conf["contentdir"]), lg))
    if not dirs:
        dirs = [(_folder_rel(site.cfg.get("contentdir", "content")), None)]
    pages: list[dict] = []
    for folder, dir_lang in dirs:
        if not tree.is_dir(folder):
            imp.note(site.cfg_line, None, f"content folder {tree.show(folder)} does not exist inside the site's folder",
                     "check contentDir in the config")
            continue
        for rel, path in tree.files(folder, skip=_hidden_file):
            src = tree.show(join_rel(folder, rel))
            if path.suffix.lower() in PAGE_EXT:
                page = _read_page(imp, path, src, rel, dir_lang)
                if page is not None:
                    pages.append(page)
            else:
                imp.static.setdefault(rel, path)  # bundle resources and files: at the same path
                imp.origins.setdefault(rel, src)
                if not is_static_name(rel):
                    imp.note(src, None, "copied to static/ as it is (not a page)", "")
    pages = _bundle_resources(imp, pages)
    if not pages:
        raise ImportFailed(imp.problems + [Diagnostic(tree.show(dirs[0][0]), None, "no pages found in the Hugo site's "
                                           "content folder", "give the Hugo site's folder (with content/ and its "
                                           "pages), or check contentDir in the config")])
    return pages


def _bundle_resources(imp: SiteImport, pages: list[dict]) -> list[dict]:
    """Content files inside a leaf bundle (a folder with index.md) are no pages in Hugo: its
    layout drew them into the bundle's page. Their text is added to that page, under their
    titles, in the order of their weights."""
    bundles = {p["key"][: -len("/index")]: p for p in sorted(pages, key=lambda p: p["lang"] != imp.languages[0])
               if p["key"].endswith("/index") and not p["src_rel"].rsplit("/", 1)[-1].startswith("_index")}
    inside: dict[str, list[dict]] = {}
    kept = []
    for p in pages:
        folder = next((b for b in bundles if p["key"].startswith(b + "/") and p is not bundles[b]
                       and not p["key"].endswith("/index")), None)
        if folder is None:
            kept.append(p)
        else:
            inside.setdefault(folder, []).append(p)
    for folder, parts in inside.items():
        home = next((q for q in kept if q["key"] == folder + "/index" and q["lang"] == parts[0]["lang"]), bundles[folder])
        for part in sorted(parts, key=lambda q: (q["meta"].get("weight", 0), q["key"])):
            home["body"] = home["body"].rstrip("\n") + f"\n\n## {part['meta']['title']}\n\n" + part["body"].strip("\n") + "\n"
        names = ", ".join(q["src_rel"].rsplit("/", 1)[-1] for q in parts[:4]) + (", …" if len(parts) > 4 else "")
        imp.note(home["src"], None, f"{len(parts)} content files of this page bundle ({names}) were no pages of their "
                 "own (the old layout drew them into this page): their text is added to it under their titles",
                 "check the order and the headings of the page")
    return kept


def _keys_and_paths(imp: SiteImport, pages: list[dict], site: _Site) -> dict[str, str]:
    """Each page's old URL, its key (shared by translations) and its file under content/;
    returns the site's tag of each Hugo language."""
    for p in pages:  # from the page's own path, before translations share a key
        p["old"] = _hugo_url(p, site.deflang, imp.in_subfolder, site.lower, site.permalinks)
    # keys: the default-language file's path, shared by translations (or translationKey)
    by_tkey = {p["tkey"]: p["key"] for p in pages if p["tkey"] and p["lang"] == site.deflang}
    for p in pages:
        if p["tkey"] and p["lang"] != site.deflang and p["tkey"] in by_tkey:
            p["key"] = by_tkey[p["tkey"]]
    # Hugo's language keys are its URL folders, lower case (`pt-br`); the site writes the tag as
    # a tag is written (`pt-BR`: about.pt-BR.md) and keeps the old URL as the page's `url`.
    tag = {lg: site_tag(lg) if "-" in lg else lg for lg in imp.languages}
    for p in pages:
        # Paths are lowercased as Hugo served them, so files and URLs agree
        p["relpath"] = _urlize(p["key"], site.lower) + ("" if p["lang"] == site.deflang else f".{tag[p['lang']]}") + p["ext"]
    return tag


def _urls_kept(imp: SiteImport, pages: list[dict], site: _Site, tag: dict[str, str]) -> None:
    """A page whose old URL is not the one the new site gives it keeps it as its `url`."""
    default_pages = {p["key"]: p for p in pages if p["lang"] == site.deflang}
    for p in pages:
        key = _urlize(p["key"], site.lower)
        d = default_pages.get(p["key"])
        base = default_url(key, d["meta"].get("slug") if d else None)
        natural = base if p["lang"] == site.deflang else translation_url(tag[p["lang"]], key, p["meta"].get("slug"), base)
        if p["lang"] == site.deflang and imp.in_subfolder:
            natural = f"/{tag[site.deflang]}" + natural
        if p["old"] and p["old"] != natural:
            p["meta"]["url"] = p["old"]


def _pages(imp: SiteImport, pages: list[dict], site: _Site) -> None:
    """The imported pages: ref links resolved, bundle pictures pointed at static/."""
    lookup: dict[str, str] = {}
    for p in pages:
        for name in (p["src_rel"], p["src_rel"].rsplit(".", 1)[0], p["key"]):
            lookup.setdefault(name.lstrip("/"), p["relpath"])
        lookup.setdefault(p["src_rel"].rsplit("/", 1)[-1], p["relpath"])

    def find(target: str):
        target = target.strip().lstrip("/")
        for candidate in (target, target.removesuffix(".md"), target.rstrip("/") + "/_index.md",
                          target.rstrip("/") + "/index.md", target + ".md"):
            if candidate in lookup:
                return lookup[candidate]
        return None

    for p in pages:
        body, missing = resolve_file_links(p["body"], find)
        for target in missing:
            imp.note(p["src"], None, f"ref to {target!r}: no such page in the site", "link to the right page file")
        body = _bundle_links(body, p, site.lower)
        image = p["meta"].get("image")
        if image and not re.match(r"^(?:[a-z]+:|/)", image) and p["key"].endswith("index") and "/" in p["key"]:
            p["meta"]["image"] = "/" + _urlize(p["key"][: -len("index")], site.lower) + image
        p["page"] = ImportedPage(p["relpath"], p["meta"], body, p["src"],
                                 tuple(dict.fromkeys([p["old"], *p["meta"].get("aliases", [])]))
                                 if not p["meta"].get("draft") else ())
        imp.pages.append(p["page"])


def _homes_for_every_language(imp: SiteImport, pages: list, tag: dict, deflang: str, lower: bool, cfg_line: str) -> None:
    """Hugo builds a home page for every language; a language without an `_index` file of its
    own gets one here (at the old home's URL), so its logo and language-bar links lead somewhere."""
    have = {p["lang"] for p in pages if p["key"] == "index" and p.get("page") is not None}
    for lg in imp.languages:
        if lg in have:
            continue
        old = "/" if lg == deflang and not imp.in_subfolder else f"/{_urlize(lg, lower)}/"
        site_lang = tag.get(lg, lg)
        natural = "/" if lg == deflang and not imp.in_subfolder else f"/{site_lang}/"
        meta: dict = {"title": imp.name}
        if old != natural:
            meta["url"] = old
        relpath = "index.md" if lg == deflang else f"index.{site_lang}.md"
        imp.pages.append(ImportedPage(relpath, meta, "", cfg_line, (old,)))
        imp.note(cfg_line, None, f"{lg!r} had no home page file (Hugo made one from the theme): content/{relpath} "
                 "is one, with the site's name as its title", "write its welcome text")


def _hidden_file(rel: str, is_dir: bool) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name == ".git" if is_dir else name.startswith(".")


def _folder_rel(value) -> str:
    """A folder named by the config, as a path inside the site's folder ('' for the folder itself)."""
    return str(value).replace("\\", "/").strip("/") if not str(value).startswith("/") else str(value)


def _read_page(imp: SiteImport, path: Path, src: str, rel: str, dir_lang: str | None) -> dict | None:
    """One content file as the importer's page record, or None (unreadable, headless, not rendered)."""
    read = _front_matter_of(imp, path, src)
    if read is None:
        return None
    meta, body = read
    lmeta = {k.lower(): v for k, v in meta.items()}
    built = lmeta.get("_build") or lmeta.get("build")
    if lmeta.get("headless") or (isinstance(built, dict) and built.get("render") in (False, "never")):
        return None
    stem, ext, lang = _file_language(imp, rel, dir_lang)
    name = stem.rsplit("/", 1)[-1]
    key = stem[: -len("_index")] + "index" if name == "_index" else stem
    title = lmeta.get("title") or (name.replace("-", " ").title() if name not in ("_index", "index")
                                   else (stem.rsplit("/", 2)[-2] if "/" in stem else imp.name))
    out: dict = {"title": str(title)}
    _dates(imp, src, lmeta, out)
    _plain_fields(lmeta, out)
    _aliases(imp, src, lmeta, out, key, lang)
    _menu_entry(imp, src, lmeta, out)
    own = {k: v for k, v in meta.items() if k.lower() not in KNOWN}
    if isinstance(lmeta.get("params"), dict):
        own.update(lmeta["params"])
    pictures = lmeta.get("images")
    if isinstance(pictures, list) and len(pictures) > 1:
        own.setdefault("images", pictures)  # a gallery on the page (the first is its `image` too)
    if own:
        out["params"] = _plain(own)
    explicit = None
    if isinstance(lmeta.get("url"), str):
        explicit = normalise_url(lmeta["url"])
        if explicit is None:
            imp.note(src, None, f"`url` {lmeta['url']!r} is not a path of this site; left out", "")
    body, summary = split_more(body)
    if summary and "description" not in out:
        out["description"] = summary
    body = convert_shortcodes(body, imp.embeds, {})
    return {"src": src, "src_rel": rel, "key": key, "lang": lang, "ext": ext, "meta": out, "body": body,
            "explicit_url": explicit, "tkey": lmeta.get("translationkey"), "section": key.split("/", 1)[0] if "/" in key else "",
            "date": out.get("date"), "layout": str(lmeta.get("layout") or lmeta.get("type") or "")}


def _front_matter_of(imp: SiteImport, path: Path, src: str) -> tuple[dict, str] | None:
    try:
        meta, body, _body_line = split_front_matter(path.read_text(encoding="utf-8"))
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        imp.note(src, 1, f"front matter cannot be read ({exc}); not imported", "fix it so that `hugo` accepts it")
        return None
    except UnicodeDecodeError:
        imp.note(src, None, "not UTF-8 text; not imported", "save it as UTF-8")
        return None
    return {str(k): v for k, v in (meta or {}).items()}, body


def _file_language(imp: SiteImport, rel: str, dir_lang: str | None) -> tuple[str, str, str]:
    """(path without suffixes, '.md' or '.html', language) of a content file: `about.de.md` is German."""
    stem, ext = rel.rsplit(".", 1)
    ext = ".html" if ext in ("html", "htm") else ".md"
    lang = dir_lang or imp.languages[0]
    head, dot, tail = stem.rpartition(".")
    if dot and tail in imp.languages and "/" not in tail:
        stem, lang = head, tail
    elif dot and re.match(r"^[a-z]{2}$", tail) and "/" not in tail:
        imp.languages.append(tail)
        stem, lang = head, tail
    return stem, ext, lang


def _dates(imp: SiteImport, src: str, lmeta: dict, out: dict) -> None:
    for key_from, key_to in (("date", "date"), ("publishdate", "publish"), ("expirydate", "expires"), ("lastmod", "lastmod")):
        if lmeta.get(key_from) not in (None, ""):
            text = date_text(lmeta[key_from])
            if text:
                out[key_to] = text
            else:
                imp.note(src, None, f"`{key_from}` {lmeta[key_from]!r} is not a date; left out", "write it as 2024-03-01")


def _plain_fields(lmeta: dict, out: dict) -> None:
    """draft, description, tags (and categories), slug, weight, image, linkTitle."""
    if lmeta.get("draft"):
        out["draft"] = True
    if lmeta.get("description") or lmeta.get("summary"):
        out["description"] = str(lmeta.get("description") or lmeta.get("summary"))
    tags, cats = lmeta.get("tags") or [], lmeta.get("categories") or []
    found = [str(t) for t in tags + cats] if isinstance(tags, list) and isinstance(cats, list) else []
    if found:
        out["tags"] = list(dict.fromkeys(found))
    if lmeta.get("slug"):
        out["slug"] = str(lmeta["slug"])
    if isinstance(lmeta.get("weight"), int):
        out["weight"] = lmeta["weight"]
    images = lmeta.get("images")
    image = lmeta.get("image") or lmeta.get("featured_image") or (images[0] if isinstance(images, list) and images else None)
    if isinstance(image, str):
        out["image"] = image
    if lmeta.get("linktitle"):
        out["menu_title"] = str(lmeta["linktitle"])


def _aliases(imp: SiteImport, src: str, lmeta: dict, out: dict, key: str, lang: str) -> None:
    aliases = lmeta.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    base_folder = "/" + key.rsplit("/", 1)[0] + "/" if "/" in key else "/"
    if lang != imp.languages[0] or imp.in_subfolder:
        # Hugo resolves a relative alias inside the page's language: /fr/legal/…, never /legal/…
        base_folder = f"/{lang}{base_folder}"
    norm = []
    for a in aliases:
        a = str(a)
        n = normalise_url(a if a.startswith("/") else base_folder + a)
        if n:
            norm.append(n)
        else:
            imp.note(src, None, f"alias {a!r} is not a path of this site; left out", "")
    if norm:
        out["aliases"] = norm


def _menu_entry(imp: SiteImport, src: str, lmeta: dict, out: dict) -> None:
    """A front-matter `menu: main` (or its mapping with weight and name) -> `menu`, `menu_title`."""
    menu = lmeta.get("menu") or lmeta.get("menus")
    if not menu:
        return
    entry = None
    if menu in ("main",) or (isinstance(menu, list) and "main" in menu):
        entry = {}
    elif isinstance(menu, dict) and isinstance(menu.get("main"), dict):
        entry = {k.lower(): v for k, v in menu["main"].items()}
    elif isinstance(menu, dict) and "main" in menu:
        entry = {}
    if entry is None:
        return
    if entry.get("parent"):
        imp.note(src, None, f"submenu entry under {entry['parent']!r}: the navigation has one level",
                 "link to the page from its parent page instead")
    else:
        out["menu"] = int(entry.get("weight") or lmeta.get("weight") or 100)
        if entry.get("name"):
            out["menu_title"] = str(entry["name"])


def _plain(value):
    """Front matter values YAML can write (TOML dates become text)."""
    from datetime import date, datetime, time

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date, time)):
        return date_text(value) or str(value)
    return value


def _hugo_url(p, deflang, in_subdir, lower, permalinks) -> str:
    """The URL Hugo served the page at."""
    if p["explicit_url"]:
        return p["explicit_url"]
    key = p["key"]
    slug = p["meta"].get("slug")
    pattern = permalinks.get(p["section"]) if p["section"] and not key.endswith("index") else None
    if isinstance(pattern, str):
        date = p.get("date") or ""
        y, mo, d = (date[:4], date[5:7], date[8:10]) if len(date) >= 10 else ("", "", "")
        name = key.rsplit("/", 1)[-1]
        title_slug = re.sub(r"[^\w]+", "-", p["meta"]["title"].lower()).strip("-")
        path = (pattern.replace(":year", y).replace(":month", mo).replace(":day", d)
                .replace(":slug", slug or title_slug).replace(":title", title_slug)
                .replace(":filename", name).replace(":contentbasename", name).replace(":section", p["section"]))
        path = normalise_url(_urlize(path, lower)) or "/"
    else:
        path = default_url(_urlize(key, lower), slug)
    if p["lang"] != deflang or in_subdir:
        path = f"/{p['lang']}" + path
    return unquote(path)


def _bundle_links(body: str, p: dict, lower: bool) -> str:
    """A bundle's images are linked relative to the page; the page may move (a translation,
    a `url:`), so they point at their place under static/ instead."""
    key = p["key"]
    if not key.endswith("index"):
        return body
    folder = _urlize(key[: -len("index")], lower).rstrip("/")
    if not folder:
        return body
    prefix = "/" + folder + "/"

    def fix(m):
        target = m.group(2)
        if re.match(r"^(?:[a-z]+:|/|#|\.\./)", target) or target.endswith((".md", ".html")) or "{{" in target:
            return m.group(0)
        return m.group(1) + prefix + target.removeprefix("./") + m.group(3)

    body = re.sub(r"(!?\[[^\]]*\]\()([^)\s]+)((?:\s+\"[^\"]*\")?\))", fix, body)
    return re.sub(r"""(\bsrc=["'])([^"']+)(["'])""", fix, body)


def _norm_ref(ref: str) -> str:
    ref = str(ref).strip().strip("/")
    ref = re.sub(r"\.(?:md|markdown|html)$", "", ref)
    return re.sub(r"(?:^|/)_?index$", "", ref)


def _menus(imp: SiteImport, cfg: dict, languages: dict, pages: list, cfg_line: str) -> None:
    """[[menus.main]] (and per language) -> `menu` and `menu_title` of the pages they name."""
    sets = [(imp.languages[0], cfg.get("menus") or cfg.get("menu") or {})]
    for lg, conf in languages.items():
        if isinstance(conf, dict) and (conf.get("menus") or conf.get("menu")):
            sets.append((lg, conf.get("menus") or conf.get("menu")))
    for lg, menus in sets:
        entries = menus.get("main", []) if isinstance(menus, dict) else []
        for n, entry in enumerate(entries if isinstance(entries, list) else []):
            entry = {k.lower(): v for k, v in entry.items()}
            label = str(entry.get("name") or entry.get("identifier") or "")
            if entry.get("parent"):
                imp.note(cfg_line, None, f"menu entry {label!r} is a submenu entry: the navigation has one level",
                         "link to the page from its parent page instead")
                continue
            target = None
            if entry.get("pageref"):
                want = _norm_ref(entry["pageref"])
                target = next((p["page"] for p in pages if p["lang"] == lg and _norm_ref(p["key"]) == want), None)
            elif entry.get("url"):
                path = url_path(str(entry["url"]), imp.base_url)
                path = normalise_url(path) if path else None
                if path and lg != imp.languages[0] and not path.startswith(f"/{lg}/"):
                    path = f"/{lg}" + path
                target = next((p["page"] for p in pages if p["old"] == path), None)
            if target is None:
                which = "no page of the site" if lg == imp.languages[0] else f"no page in `{lg}`"
                imp.note(cfg_line, None, f"menu entry {label!r} ({entry.get('pageref') or entry.get('url')}) points at "
                                         f"{which}; it is not in the navigation",
                         "link to it from a page instead")
                continue
            target.meta["menu"] = int(entry.get("weight") or n + 1)
            if label and label != target.meta.get("title"):
                target.meta["menu_title"] = label


def _asset_pictures(imp: SiteImport, tree: SourceTree, cfg: dict) -> None:
    """The pictures of assets/ (Hugo publishes one at its path there when a template uses it,
    as themes do with a page's `image`) go to static/ at that path, unless static/ has one."""
    assets = _folder_rel(cfg.get("assetdir", "assets"))
    if not tree.is_dir(assets):
        return
    taken = 0
    for rel, path in tree.files(assets, skip=_hidden_file):
        if rel.lower().endswith(data_files.IMAGE_EXT) and rel not in imp.static:
            imp.static[rel] = path
            imp.origins[rel] = tree.show(join_rel(assets, rel))
            taken += 1
    if taken:
        imp.note(tree.show(assets), None, f"{taken} pictures of assets/ (which the theme published) are copied to static/ "
                 "at the same paths", "remove the ones no page shows")


def _static_and_theme(imp: SiteImport, tree: SourceTree, cfg: dict, params: dict) -> None:
    static = _folder_rel(cfg.get("staticdir", "static"))
    if tree.is_dir(static):
        for rel, path in tree.files(static, skip=lambda rel, is_dir: not is_dir and rel.rsplit("/", 1)[-1].startswith(".")):
            imp.static[rel] = path
            imp.origins[rel] = tree.show(join_rel(static, rel))
    _asset_pictures(imp, tree, cfg)
    root = tree.root
    if (root / "layouts").is_dir() or (root / "themes").is_dir() or cfg.get("theme"):
        imp.note(str(root / "layouts"), None, "the Hugo theme and layouts are not imported: the site gets the "
                 "built-in theme", "restyle it with [theme] in site.toml, or templates in the client's templates/")
    logo = params.get("logo") or params.get("logo_image") or params.get("brandlogo")
    if isinstance(logo, dict):  # [params.logo] desktop = "…", mobile = "…"
        logo = logo.get("desktop") or logo.get("image") or logo.get("src") or logo.get("mobile")
    if isinstance(logo, str) and logo.lstrip("/") in imp.static:
        imp.theme["logo"] = "static/" + logo.lstrip("/")
    colors = params.get("colors") if isinstance(params.get("colors"), dict) else {}
    for key in ("primarycolor", "maincolor", "primary_color", "themecolor", "color"):
        value = params.get(key) or (colors.get(key.removesuffix("color").removesuffix("_") or "primary")
                                    if key in ("primarycolor", "primary_color") else None)
        if isinstance(value, str) and re.match(r"^#(?:[0-9a-fA-F]{3}){1,2}$", value):
            imp.theme["primary_color"] = value
            break
    if isinstance(params.get("tagline") or params.get("subtitle"), str):
        imp.theme["tagline"] = params.get("tagline") or params.get("subtitle")
