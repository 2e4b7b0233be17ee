"""What a Jekyll site's theme drew from data, carried over or named: `_data/` files a page
loops over (`{% for m in site.data.team %}`), includes or shows through its layout become
tables on that page; front-matter lists of records and pictures become tables and galleries;
the theme's `_config.yml` settings, front-matter fields and data files the new site cannot
show are reported by file and key.
"""
from __future__ import annotations

import re

from . import data_files
from .common import SiteImport, SourceTree

# Jekyll's own settings, and those the importer reads: the rest belong to the theme.
JEKYLL_KEYS = {
    "source", "destination", "collections_dir", "plugins_dir", "layouts_dir", "data_dir", "includes_dir", "sass_dir",
    "collections", "safe", "include", "exclude", "keep_files", "encoding", "markdown_ext", "strict_front_matter",
    "show_drafts", "limit_posts", "future", "unpublished", "whitelist", "plugins", "gems", "markdown", "highlighter",
    "lsi", "excerpt_separator", "incremental", "detach", "port", "host", "baseurl", "url", "show_dir_listing",
    "permalink", "paginate_path", "paginate", "timezone", "quiet", "verbose", "defaults", "liquid", "kramdown",
    "sass", "title", "description", "lang", "language", "languages", "default_lang", "locale", "logo", "theme",
    "remote_theme", "exclude_from_localization", "parallel_localization", "webrick", "livereload", "profile",
    "feed", "sitemap", "jekyll-archives", "compress_html", "repository", "github", "strict_variables",
    "strict_filters", "config", "disable_disk_cache", "jekyll_env", "environment", "name",
}
MENU_FILES = {"navigation", "menu", "menus", "nav"}
_FOR_RE = re.compile(r"\{%-?\s*for\s+\w+\s+in\s+(site\.data|page)\.([\w.-]+)[^%]*-?%\}")
_TAG_RE = re.compile(r"\{%-?\s*(for|endfor)\b[^%]*-?%\}")
_INCLUDE_RE = re.compile(r"\{%-?\s*include\s+([\w./-]+)[^%]*-?%\}")


class ThemeData:
    """The `_data/` files and the templates that read them, for one import."""

    def __init__(self, imp: SiteImport, tree: SourceTree, config: dict, includes: dict[str, str]):
        self.imp, self.config = imp, config
        folder = str(config.get("data_dir") or "_data").strip("/")
        self.data, bad = data_files.load(tree, folder)
        for src, why in bad:
            imp.note(src, None, f"the data file cannot be read ({why}); not imported",
                     "fix it so that `jekyll build` accepts it")
        self.in_place: dict[str, set[str]] = {}
        """The front-matter lists each page showed in place of its loop over them."""
        self.includes = {rel: _with_includes(text, includes) for rel, text in includes.items()}
        layouts = {rel.rsplit(".", 1)[0]: path.read_text(encoding="utf-8", errors="replace")
                   for rel, path in tree.files(str(config.get("layouts_dir") or "_layouts").strip("/"))}
        parents = {m.group(1) for text in layouts.values() for m in re.finditer(r"(?m)^layout:\s*['\"]?([\w-]+)", text)}
        self.chrome = set().union(*(data_files.template_refs(_with_includes(layouts[n], includes))
                                    for n in parents if n in layouts))
        self.layouts = {name: data_files.template_refs(_with_includes(text, includes)) - self.chrome
                        for name, text in layouts.items() if name not in parents}

    def in_body(self, body: str, origin: str, meta: dict, html: bool) -> str:
        """Loops over data (or over a front-matter list) and includes that read data, in a
        page's text, as the data's tables."""
        if "{%" not in body:
            return body
        static = set(self.imp.static)
        done = self.in_place.setdefault(origin, set())

        def table(scope: str, ref: str) -> str:
            if scope == "page":
                md = data_files.as_markdown(meta.get(ref), static, plain=html) if ref in meta else None
                if md:
                    done.add(ref)
            else:
                md = data_files.markdown_for(self.data, {ref}, static, origin, False, plain=html)
            return (data_files.for_html(md) if html else md) if md else ""

        body = _replace_loops(body, table)

        def include(m: re.Match) -> str:
            refs = data_files.template_refs(self.includes.get(m.group(1), ""))
            md = data_files.markdown_for(self.data, refs, static, origin, headings=False, plain=html) if refs else ""
            return ((data_files.for_html(md) if html else md).rstrip("\n")) if md else m.group(0)

        return _INCLUDE_RE.sub(include, body)

    def finish(self, docs: list[dict]) -> None:
        """Tables of the data each page's layout showed, front-matter lists, and the report."""
        static = set(self.imp.static)
        fields: dict[str, list[str]] = {}
        for d in docs:
            page = d["page"]
            refs = self.layouts.get(d.get("layout") or "", set())
            html = page.relpath.endswith(".html")
            md = data_files.markdown_for(self.data, refs, static, page.origin, headings=True, plain=html) if refs else ""
            if md:
                page.body = page.body.rstrip("\n") + "\n\n" + (data_files.for_html(md) if html else md)
            if isinstance(page.meta.get("image"), str):
                page.meta["image"] = data_files.rooted(page.meta["image"], static, "")
            data_files.fit_params(self.imp, page, static, "")
            in_place = self.in_place.get(page.origin, set())
            for key in sorted(in_place):
                self.imp.note(page.origin, None, f"the loop over the front-matter list `{key}` is a table in its place",
                              "check it, and edit it there from now on")
            shown, missing, left = data_files.show_front_matter_lists(page, static, skip=frozenset(in_place))
            for key in shown:
                self.imp.note(page.origin, None, f"front-matter list `{key}` is shown at the end of the page (the old "
                              "theme drew it)", "move it where it belongs in the text, or remove it from `params`")
            for path in missing:
                self.imp.note(page.origin, None, f"picture {path!r} of a front-matter list is not in the site; left "
                              "out of the page", "add the file under static/ and to the page")
            for key in left:
                fields.setdefault(key, []).append(page.origin)
        data_files.report_fields(self.imp, fields)
        data_files.report_settings(self.imp, _config_path(docs), self.config, "", JEKYLL_KEYS)
        data_files.report_data(self.imp, self.data, frozenset(MENU_FILES))


def _config_path(docs: list[dict]) -> str:
    root = docs[0]["src"][: -len(docs[0]["rel"])] if docs else ""
    return root + "_config.yml"


def _with_includes(text: str, includes: dict[str, str], depth: int = 0) -> str:
    """A template with the includes it names added (two levels), to find the data they read."""
    if depth > 2 or "include" not in text:
        return text
    named = [includes.get(m.group(1), "") for m in _INCLUDE_RE.finditer(text)]
    return text + "".join(_with_includes(t, includes, depth + 1) for t in named)


def _replace_loops(body: str, table) -> str:
    """Each `{% for x in site.data.NAME %} … {% endfor %}` (nested loops inside it too) ->
    table('site.data', NAME), `{% for x in page.NAME %}` -> table('page', NAME), when that
    gives a table; else the loop stays as written."""
    out, pos = [], 0
    for m in _FOR_RE.finditer(body):
        if m.start() < pos:
            continue
        depth, end = 0, None
        for tag in _TAG_RE.finditer(body, m.start()):
            depth += 1 if tag.group(1) == "for" else -1
            if depth == 0:
                end = tag.end()
                break
        md = table(m.group(1), m.group(2)) if end is not None else ""
        if not md:
            continue
        out.append(body[pos:m.start()])
        out.append(md.rstrip("\n"))
        pos = end or m.end()
    out.append(body[pos:])
    return "".join(out)
