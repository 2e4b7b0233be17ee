"""Taking over an existing site: one module per source, a shared value in between.

    wordpress.py  a WXR export (+ wp-content/uploads)   hugo.py    a Hugo site folder
    jekyll.py     a Jekyll site folder                    html.py    static HTML (a folder or a target)
    wordpress_body.py   a WordPress body (shortcodes, classic paragraphs) -> Markdown
    wordpress_media.py  its media: from --uploads, the target or the old site; shown from the old site meanwhile
    media_fetch.py      downloads from the old site's own hosts only (--fetch-media), capped and timed
    hugo_data.py, jekyll_data.py  what a Hugo or Jekyll theme drew from data, shown on pages or reported
    data_files.py       data files, front-matter lists and picture lists -> tables, blocks, galleries
    common.py     SiteImport, HTML -> Markdown, main content, shortcodes shared by Hugo and Jekyll
    remote.py     reading a live site read-only over a deploy target
    write.py      SiteImport -> a client folder, the old URLs checked, the report

``run_import`` detects the source, runs its importer and writes the client.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Diagnostic, ProblemsError

SOURCES = ("wordpress", "hugo", "jekyll", "html")


def detect(source: Path) -> str | None:
    """Which kind of site ``source`` is, or None."""
    from .wordpress import looks_like_wxr

    if source.is_file():
        return "wordpress" if looks_like_wxr(source) else None
    if not source.is_dir():
        return None
    from .common import SiteImport, SourceTree
    from .hugo import is_hugo_site

    names = {p.name for p in source.iterdir()}
    if is_hugo_site(source):
        return "hugo"
    if "_config.yml" in names or "_config.yaml" in names or "_posts" in names:
        return "jekyll"
    # the walker reads only inside the folder, and each folder once (a link loop ends)
    files = SourceTree(source, SiteImport("html")).files(skip=lambda rel, is_dir: rel.rsplit("/", 1)[-1] == ".git")
    if any(rel.lower().endswith((".html", ".htm")) for rel, _ in files):
        return "html"
    return None


def read_source(kind: str, source: Path | None, uploads: Path | None = None, fetch=None, files=None,
                fetch_media: bool = False, progress=None):
    """The SiteImport of one source (nothing written)."""
    # only an HTML site is read from a target instead of a folder: the others always have a source
    if kind == "wordpress":
        from .wordpress import import_wordpress

        assert source is not None
        return import_wordpress(source, uploads, fetch, fetch_media=fetch_media, progress=progress)
    if kind == "hugo":
        from .hugo import import_hugo

        assert source is not None
        return import_hugo(source)
    if kind == "jekyll":
        from .jekyll import import_jekyll

        assert source is not None
        return import_jekyll(source)
    from .html import import_html

    return import_html(source, files)


def run_import(ws, client: str, source: Path | None, kind: str | None, clock, reporter,
               uploads: Path | None = None, target=None, timezone: str | None = None, fetch_media: bool = False):
    """Import ``source`` (or the live site on ``target``) as the new client ``client``."""
    from .common import ImportFailed
    from .write import write_import

    fetch = files = None
    where = str(source) if source is not None else f"target {getattr(target, 'name', '')}"
    if target is not None:
        from .remote import RemoteReader

        reader = RemoteReader(target, client, reporter)
        if kind in (None, "html") and source is None:
            kind = "html"
            reporter.info(f"reading the live site from {target.name} (read only)")
            files = reader.all_files()
        else:
            fetch = reader.read
    if kind is None:
        assert source is not None  # without one, kind is html (above)
        kind = detect(source)
        if kind is None:
            raise ProblemsError([Diagnostic(where, None, "cannot tell what kind of site this is",
                                            "give --from wordpress, hugo, jekyll or html")])
    if fetch_media and kind != "wordpress":
        raise ProblemsError([Diagnostic("--fetch-media", None, f"--fetch-media is for a WordPress export, and {where} "
                                        f"is {kind}", "leave --fetch-media out: the site's folder holds its files")])
    reporter.info(f"importing {where} as {kind}")
    try:
        imp = read_source(kind, source, uploads, fetch, files, fetch_media=fetch_media, progress=reporter.progress)
    except ImportFailed as exc:
        raise ProblemsError(exc.diagnostics) from None
    return write_import(ws, client, imp, clock, reporter, timezone=timezone)
