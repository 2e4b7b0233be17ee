"""What a Hugo site's theme drew from data, carried over or named: `data/` files shown by a
shortcode or by the home or a section's layout become tables on those pages, front-matter
lists of records and pictures become tables and galleries, and the theme's settings
(`params.*`), front-matter fields and data files the new site cannot show are reported by
file and key.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from . import data_files
from .common import SiteImport, SourceTree

USED_PARAMS = {"description", "logo", "logo_image", "brandlogo", "primarycolor", "maincolor", "primary_color", "themecolor",
               "color", "colors", "tagline", "subtitle"}
_PARTIAL_RE = re.compile(r"""\b(?:partial|partialCached)\s+"([^"]+)\"""")


def templates(tree: SourceTree, cfg: dict) -> dict[str, str]:
    """The layouts (path under layouts/ -> text): the theme's, then the site's own over them."""
    found: dict[str, str] = {}
    theme = cfg.get("theme")
    themes = [theme] if isinstance(theme, str) else [t for t in theme if isinstance(t, str)] if isinstance(theme, list) else []
    folder = str(cfg.get("themesdir") or "themes").strip("/")
    for top in [f"{folder}/{t}/layouts" for t in reversed(themes)] + ["layouts"]:
        for rel, path in tree.files(top):
            if rel.endswith((".html", ".htm")):
                found[rel] = path.read_text(encoding="utf-8", errors="replace")
    return found


def _refs(layouts: dict[str, str]) -> dict[str, set[str]]:
    """The data each layout reads, with what the partials it calls read (nested partials too)."""
    direct = {rel: data_files.template_refs(text) for rel, text in layouts.items()}
    calls = {rel: {f"partials/{n if n.endswith('.html') else n + '.html'}" for n in _PARTIAL_RE.findall(text)}
             for rel, text in layouts.items()}
    refs = {rel: set(r) for rel, r in direct.items()}
    for _ in range(4):
        for rel in refs:
            for callee in calls[rel]:
                refs[rel] |= refs.get(callee, set())
    return refs


def theme_data(imp: SiteImport, tree: SourceTree, cfg: dict, cfg_line: str, pages: list[dict],
               urlize: Callable[[str], str]) -> None:
    static = set(imp.static)
    data, bad = data_files.load(tree, str(cfg.get("datadir") or "data").strip("/"))
    for src, why in bad:
        imp.note(src, None, f"the data file cannot be read ({why}); not imported", "fix it so that `hugo` accepts it")
    layouts = templates(tree, cfg)
    refs = _refs(layouts)
    everywhere = refs.get("_default/baseof.html", set())
    for p in pages:
        page = p["page"]
        page.body = _shortcodes(page.body, refs, data, static, page.origin)
        own = _layout_refs(p, refs) - everywhere
        html = page.relpath.endswith(".html")
        if own:
            md = data_files.markdown_for(data, own, static, page.origin, headings=True, plain=html)
            if md:
                page.body = page.body.rstrip("\n") + "\n\n" + (data_files.for_html(md) if html else md)
    fields: dict[str, list[str]] = {}
    for p in pages:
        page = p["page"]
        folder = urlize(p["key"][: -len("index")]) if p["key"].endswith("index") else ""
        image = page.meta.get("image")
        if isinstance(image, str) and not re.match(r"^(?:[a-z]+:|/)", image):
            found = data_files.site_image(image, static)
            if found:
                page.meta["image"] = found  # the theme took it from static/'s root
        data_files.fit_params(imp, page, static, folder)
        shown, missing, left = data_files.show_front_matter_lists(page, static, folder)
        for key in shown:
            imp.note(page.origin, None, f"front-matter list `{key}` is shown at the end of the page (the old theme drew it)",
                     "move it where it belongs in the text, or remove it from `params`")
        for path in missing:
            imp.note(page.origin, None, f"picture {path!r} of a front-matter list is not in the site; left out of the page",
                     "add the file under static/ and to the page")
        for key in left:
            fields.setdefault(key, []).append(page.origin)
    data_files.report_fields(imp, fields)
    params = cfg["params"] if isinstance(cfg.get("params"), dict) else {}
    data_files.report_settings(imp, cfg_line, params, "params.", USED_PARAMS)
    data_files.report_data(imp, data)


def _layout_refs(p: dict, refs: dict[str, set[str]]) -> set[str]:
    """The data the layout of this page read: the home's (index.html), a section's list."""
    if p["key"] == "index":
        return refs.get("index.html", set())
    if p["key"].endswith("/index") and p["key"].count("/") == 1:
        section = p["key"].split("/", 1)[0]
        for rel in (f"{section}/list.html", f"section/{section}.html", f"{p['layout']}/list.html" if p["layout"] else ""):
            if rel in refs:
                return refs[rel]
    return set()


def _shortcodes(body: str, refs: dict[str, set[str]], data: dict, static: set[str], origin: str) -> str:
    """A shortcode of the site whose template reads data becomes that data's table."""
    if "{{" not in body:
        return body

    def one(m: re.Match) -> str:
        used = refs.get(f"shortcodes/{m.group(1)}.html")
        if not used:
            return m.group(0)
        md = data_files.markdown_for(data, used, static, origin, headings=False)
        return md.rstrip("\n") if md else m.group(0)

    body = re.sub(r"\{\{[<%]\s*([\w-]+)\b[^}]*?[>%]\}\}", one, body)
    return body

