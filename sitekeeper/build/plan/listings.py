"""Listings: the rows a section page lists (its pages and subsections, `weight` first, then
newest), the home page's latest pages, and a generated listing for each section that has
no index page of its own, and for each language that has pages but no home page."""
from __future__ import annotations

from typing import Any

from ...content.pages import Page, default_url, output_path, translation_url
from .context import PlanContext
from .jobs import Output, PageJob, fingerprint


def title_from_folder(folder: str) -> str:
    name = folder.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ")
    return name[:1].upper() + name[1:]


def card_image(p: Page, links: dict[str, tuple[Any, ...]]) -> str | None:
    """A page's picture for cards: its `image`, else the first site-absolute image in its text."""
    if p.image:
        return p.image
    return next((target for target, _, kind in links.get(p.relpath, ()) if kind == "image"
                 and target.startswith("/") and not target.startswith("//")), None)


def synthetic_sections(ctx: PlanContext) -> list[tuple[str, str, str]]:
    """(folder, lang, URL) of each section without an index page: it gets a generated listing."""
    folders_by_lang: dict[str, set[str]] = {lang: set() for lang in ctx.langs}
    index_folders = {(p.folder, p.lang) for p in ctx.visible if p.is_index}
    for p in ctx.visible:
        parts = p.folder.split("/") if p.folder else []
        upto = len(parts) - (1 if p.is_index else 0)
        for i in range(1, upto + 1):
            folders_by_lang[p.lang].add("/".join(parts[:i]))
    synthetic = []
    for lang, folders in folders_by_lang.items():
        for folder in sorted(folders):
            if (folder, lang) in index_folders:
                continue
            key = f"{folder}/index"
            if lang == ctx.deflang:
                url = ctx.def_prefix + default_url(key, None)
            else:
                d = ctx.by_key.get(key, {}).get(ctx.deflang)
                url = translation_url(lang, key, None, default_url(key, d.slug) if d else None)
            synthetic.append((folder, lang, url))
    return synthetic


def child_row(ctx: PlanContext, p: Page) -> tuple[Any, ...]:
    """(title, URL, date iso, description, timestamp, card image) of a listed page."""
    return (p.title, ctx.urls[(p.key, p.lang)], p.date.isoformat() if p.date else None, p.description,
            p.date.timestamp() if p.date else None, card_image(p, ctx.content.links))


def sort_children(ctx: PlanContext, rows: list[tuple[Any, ...]] | tuple[Any, ...]) -> tuple[Any, ...]:
    # `weight` first (lower first, as in Hugo), then newest first, then by title
    weights = ctx.weights
    return tuple(sorted(rows, key=lambda r: (r[1] not in weights, weights.get(r[1], 0), -(r[4] or 0), r[0])))


def children_by_folder(ctx: PlanContext, synthetic: list[tuple[str, str, str]]) -> dict[tuple[str, str], list[Any]]:
    """(folder, lang) -> the rows of the pages and subsections in it, unsorted."""
    children_by: dict[tuple[str, str], list[Any]] = {}
    for p in ctx.visible:
        if p.is_index:
            parent = p.folder.rsplit("/", 1)[0] if "/" in p.folder else ""
            if p.folder:
                children_by.setdefault((parent, p.lang), []).append(child_row(ctx, p))
        else:
            children_by.setdefault((p.folder, p.lang), []).append(child_row(ctx, p))
    for folder, lang, url in synthetic:
        parent = folder.rsplit("/", 1)[0] if "/" in folder else ""
        children_by.setdefault((parent, lang), []).append((title_from_folder(folder), url, None, "", None, None))
    return children_by


def latest(ctx: PlanContext) -> dict[str, tuple[Any, ...]]:
    """Per language: the three dated pages the home page lists."""
    found = {}
    for lang in ctx.langs:
        dated = [child_row(ctx, p) for p in ctx.visible if p.lang == lang and p.date and not p.is_index]
        found[lang] = sort_children(ctx, dated)[:3]
    return found


def listing_job(ctx: PlanContext, lang: str, url: str, title: str, source: str, children: tuple[Any, ...],
                what: str) -> None:
    """A generated page at ``url`` that lists ``children`` (a section's, or a language's home)."""
    job = PageJob(lang, url, "section", "section.html", title, source, "", "", None, None, (), children, "")
    ctx.add_page(Output(output_path(url), fingerprint(ctx.gfp, what, url, children), "page", job.source, job))


def section_jobs(ctx: PlanContext, synthetic: list[tuple[str, str, str]], children_by: dict[Any, Any]) -> None:
    """A generated listing page for each section without an index page."""
    for folder, lang, url in synthetic:
        listing_job(ctx, lang, url, title_from_folder(folder), f"{ctx.content.content_rel}/{folder}/",
                    sort_children(ctx, children_by.get((folder, lang), [])), "section")


def missing_homes(ctx: PlanContext) -> list[tuple[str, str, str]]:
    """("", lang, URL) of each language that has pages to show but no home page: its home URL
    (where the logo and the language bar lead) gets a generated list of that language's pages."""
    taken = set(ctx.urls.values())
    with_pages = {p.lang for p in ctx.visible}
    with_home = {p.lang for p in ctx.visible if p.key == "index"}
    return [("", lang, ctx.cfg.home_url(lang)) for lang in ctx.langs
            if lang in with_pages and lang not in with_home and ctx.cfg.home_url(lang) not in taken]


def home_jobs(ctx: PlanContext, homes: list[tuple[str, str, str]], children_by: dict[Any, Any]) -> None:
    """A generated home page, titled with the site's name, listing the language's top pages and sections."""
    for _folder, lang, url in homes:
        listing_job(ctx, lang, url, ctx.cfg.name, f"{ctx.content.content_rel}/",
                    sort_children(ctx, children_by.get(("", lang), [])), "home")
