"""One job per visible page: its template, its language versions, what it lists, the links
to other pages' files it holds; a redirect for each of its old URLs; the home page checks."""
from __future__ import annotations

from typing import Any

from ...content.pages import Page, file_link, output_path
from ...content.promotions import Promotion
from ...errors import Diagnostic
from ..redirects import redirect_html
from ..writer import content_hash
from .context import PlanContext
from .jobs import BytesJob, Output, PageJob, fingerprint
from .listings import latest, sort_children


def translations_of(ctx: PlanContext, key: str, promo: Promotion | None = None) -> tuple[Any, ...]:
    """(lang, URL, title) of each language version of a page (by key) or of a promotion."""
    langs, deflang = ctx.langs, ctx.deflang
    if promo is not None:
        return tuple((lg, promo.url(lg, deflang, ctx.words), promo.text(lg).title) for lg in langs
                     if lg == deflang or lg in promo.translations)
    found = ctx.translations_memo.get(key)
    if found is None:
        versions = ctx.vis_by_key.get(key, {})
        if len(versions) == 1:
            (lg, p), = versions.items()
            found = ((lg, ctx.urls[(key, lg)], p.title),)
        else:
            found = tuple((lg, ctx.urls[(key, lg)], versions[lg].title) for lg in langs if lg in versions)
        ctx.translations_memo[key] = found
    return found


def md_links_of(ctx: PlanContext, p: Page) -> tuple[tuple[str, str], ...]:
    """(target as written, URL) of each link in ``p`` to a page's file, in p's language when
    the target page has a version in it."""
    found = []
    for target, _line, _kind in ctx.content.links.get(p.relpath, ()):
        hit = file_link(p.relpath, target)
        if hit is None or hit[0] not in ctx.file_pages:
            continue
        tp = ctx.file_pages[hit[0]]
        lang = p.lang if p.lang in ctx.vis_by_key.get(tp.key, {}) else tp.lang
        found.append((target, ctx.urls[(tp.key, lang)] + hit[1]))
    return tuple(dict.fromkeys(found))


def page_jobs(ctx: PlanContext, children_by: dict[tuple[str, str], list[Any]]) -> list[tuple[Page, str]]:
    """One job per visible page (and a redirect per alias); (page, URL) of each for the link checker."""
    cfg, content = ctx.cfg, ctx.content
    tnames = content.templates.names
    home_rows = latest(ctx)
    links = []
    for p in ctx.visible:
        url = ctx.urls[(p.key, p.lang)]
        is_home = p.key == "index"
        kind = "home" if is_home else ("section" if p.is_index else "page")
        template = p.template or f"{kind}.html"
        if template not in tnames:
            ctx.problems.append(Diagnostic(
                p.source, p.line_of("template"), f"unknown template `{template}`",
                f"use one of: {', '.join(sorted(tnames))}, or add sites/{cfg.client}/templates/{template}"))
            continue
        if is_home:
            children = home_rows[p.lang]
        elif p.is_index:
            children = sort_children(ctx, children_by.get((p.folder, p.lang), []))
        else:
            children = ()
        sha = content.sha[p.relpath]
        md_links = md_links_of(ctx, p)
        job = PageJob(p.lang, url, kind, template, p.title, p.source, sha, p.relpath, p, None,
                      translations_of(ctx, p.key), children, p.description, md_links)
        fp = fingerprint(ctx.gfp, "page", sha, url, template, job.translations, children, md_links)
        ctx.add_page(Output(output_path(url), fp, "page", p.source, job))
        links.append((p, url))
        aliases(ctx, p, url)
    if ctx.def_prefix and "index.html" not in ctx.outputs:
        data = redirect_html(cfg.base_url, f"{ctx.def_prefix}/", ctx.deflang, cfg.name)
        ctx.add(Output("index.html", content_hash(data), "redirect", "", BytesJob(data)))
    return links


def aliases(ctx: PlanContext, p: Page, url: str) -> None:
    for alias in p.aliases:  # an old URL: a page that sends the visitor (and search engines) on
        if alias == url:
            continue
        data = redirect_html(ctx.cfg.base_url, url, p.lang, p.title)
        ctx.add(Output(output_path(alias), content_hash(data), "redirect", p.source, BytesJob(data)))


def home_problems(ctx: PlanContext, homes: list[tuple[str, str, str]]) -> None:
    """No page to show is an error; a language without a home page a warning (its home URL
    shows a generated list of its pages: ``homes``)."""
    content_dir = f"{ctx.content.content_rel}/"
    if not ctx.visible:
        ctx.problems.append(Diagnostic(
            content_dir, None, "the site has no page to show now (no Markdown page, "
            "or every page is a draft, not yet published or expired)",
            f"add {content_dir}index.md with `title:` front matter and some text"))
        return
    for _folder, lang, url in homes:
        if lang == ctx.deflang:
            where, whose = f"{content_dir}index.md", "pages"
        else:
            where, whose = f"{content_dir}index.{lang}.md", f"its {lang!r} pages"
        ctx.problems.append(Diagnostic(
            content_dir, None, f"there is no home page{'' if lang == ctx.deflang else f' in {lang!r}'} ({where}): "
            f"visitors of {url} get a generated list of {whose}", f"add {where}", "warning"))
