"""WordPress media: where each file of the export comes from, and what a page shows meanwhile.

Media URLs on the site's other hosts (WordPress.com's files.*, Jetpack's i0.wp.com, a CDN)
become the site's own /wp-content/uploads/ paths. Each used path is then taken from
``--uploads`` (read only inside that folder), else over the client's deploy target, else,
with ``--fetch-media``, downloaded from the old site (its own hosts only, see media_fetch);
a file found nowhere is named in the report, and its pages show it from the old site's
address until it is there, so the preview builds.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .common import SiteImport, SourceTree, path_refusal
from .media_fetch import MediaFetcher

# Media the site served from other hosts: WordPress.com's <site>.files.wordpress.com/2020/05/x.jpg,
# Jetpack's i0.wp.com/<host>/wp-content/uploads/…, a CDN's https://cdn…/wp-content/uploads/….
_WPCOM_FILES_RE = re.compile(r"https?://[\w-]+\.files\.wordpress\.com/(\d{4}/\d{2}/[^\s\"'?#)<>]+)(\?[^\s\"'#)<>]*)?")
_PHOTON_RE = re.compile(r"https?://i[0-3]\.wp\.com/[^/\s\"']+(/wp-content/uploads/[^\s\"'?#)<>]+)(\?[^\s\"'#)<>]*)?")
_ANY_UPLOADS_RE = re.compile(r"https?://[^/\s\"'<>]+(/wp-content/uploads/[^\s\"'?#)<>]+)(\?[^\s\"'#)<>]*)?")
_WP_MEDIA_HOST_RE = re.compile(r"^(?:[\w-]+\.files\.wordpress\.com|i[0-3]\.wp\.com)$")


def media_on_other_hosts(html: str, seen: dict[str, str]) -> str:
    """Each media URL on another host becomes the site's own /wp-content/uploads/ path, so that
    --uploads (or the target) supplies the file; ``seen`` keeps where it came from."""
    if "wp-content/uploads" not in html and "wp.com" not in html and "wordpress.com" not in html:
        return html

    def files(m):
        path = "/wp-content/uploads/" + m.group(1)
        seen.setdefault(path, m.group(0).split("?", 1)[0])
        return path

    def other(m):
        seen.setdefault(m.group(1), m.group(0).split("?", 1)[0])
        return m.group(1)

    html = _WPCOM_FILES_RE.sub(files, html)
    html = _PHOTON_RE.sub(other, html)
    return _ANY_UPLOADS_RE.sub(other, html)


def host_re(base_url: str):
    m = re.match(r"^https?://(?:www\.)?([^/]+)", base_url)
    if not m:
        return None
    return re.compile(r"https?://(?:www\.)?" + re.escape(m.group(1)) + r"(?=[/\"'#?]|$)", re.I)


def own_hosts(imp: SiteImport) -> frozenset[str]:
    """The hosts ``--fetch-media`` may ask: the site's (with and without www.) and WordPress's
    media hosts the export itself used for it (files.wordpress.com, i0.wp.com); never a CDN or
    any other host an export names."""
    host = (urlsplit(imp.base_url).hostname or "").lower()
    hosts = {host, host.removeprefix("www."), "www." + host.removeprefix("www.")} if host else set()
    for url in imp.media_urls.values():
        other = (urlsplit(url).hostname or "").lower()
        if _WP_MEDIA_HOST_RE.match(other):
            hosts.add(other)
    return frozenset(h for h in hosts if h and h != "www.")


def old_url(imp: SiteImport, path: str) -> str:
    """Where the old site served a media path."""
    return imp.media_urls.get(path) or imp.base_url.rstrip("/") + path


def take_uploads(imp: SiteImport, used: dict, uploads: Path | None, fetch, fetcher: MediaFetcher | None = None,
                 progress: Callable | None = None) -> None:
    """Media from wp-content/uploads (a folder, or the live site over its deploy target, or
    downloaded), read only inside that folder: an attachment URL that would step out is refused."""
    missing = []
    tree = SourceTree(uploads, imp) if uploads is not None else None
    for path, (src, line) in sorted(used.items()):
        rel = unquote(path.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        why = path_refusal(rel)
        if why:
            imp.note(src, line, f"the media URL {path!r} {why}: not imported",
                     "correct the attachment's URL in WordPress, or add the file by hand under static/")
            continue
        inner = rel[len("wp-content/uploads/"):]
        found = tree.file(inner) if tree is not None else None
        data = None
        if found is not None and tree is not None:
            imp.static[rel] = found
            imp.origins[rel] = tree.show(inner)
            continue
        if fetch is not None:
            data = fetch(rel)
        if data is None:
            missing.append((path, rel, src, line))
        else:
            imp.static[rel] = data
    if fetcher is not None and missing:
        missing = _download(imp, missing, fetcher, progress)
    for path, _, src, line in missing:
        _say_missing(imp, path, src, line, uploads, fetch)
    point_at_old_site(imp, [path for path, _, _, _ in missing])


def _download(imp: SiteImport, missing: list, fetcher: MediaFetcher, progress: Callable | None) -> list:
    """Fetch each missing file from the old site; what could not be had stays missing, named
    in the report by its URL and why."""
    from ..report import Reporter

    left = []
    with (progress or Reporter().progress)("fetching media from the old site", total=len(missing)) as bar:
        for path, rel, src, line in missing:
            url = old_url(imp, path)
            got = fetcher.get(url)
            bar.advance(1, len(got.data or b""))
            if got.data is not None:
                imp.static[rel] = got.data
                imp.origins[rel] = url
                continue
            imp.note(src, line, f"{url} could not be fetched: {got.why}; the page shows it from the old site "
                                "until then", f"download it by hand to static{path}, or give --uploads")
            left.append((path, "", "", None))  # named once: by the line above
    return left


def _say_missing(imp: SiteImport, path: str, src: str, line, uploads: Path | None, fetch) -> None:
    if not src:
        return
    where = "the --uploads folder" if uploads is not None else ("the target" if fetch else "")
    imp.note(src, line, f"{path} is not " + (f"in {where}" if where else "imported (no --uploads folder given)")
             + f": the page shows it from the old site ({old_url(imp, path)}) until then",
             "run the import again with --fetch-media while the old site runs, or with --uploads "
             "PATH/TO/wp-content/uploads (or --target NAME), "
             f"or put the file at static{path} and the page's link back to {path}")


def point_at_old_site(imp: SiteImport, paths: list[str]) -> None:
    """A missing upload is shown from the old site while it runs, so the preview builds and
    every page is there to look at; the report names each file."""
    if not paths or not imp.base_url.startswith(("http://", "https://")):
        return
    swap = re.compile(r"(?<![\w/.:-])(" + "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True))
                      + r")(?![\w/.-])")

    for page in imp.pages:
        page.body = swap.sub(lambda m: old_url(imp, m.group(1)), page.body)
        for key in ("image",):
            if isinstance(page.meta.get(key), str) and page.meta[key] in paths:
                page.meta[key] = old_url(imp, page.meta[key])
