"""The site-wide files: a 404 page and an Atom feed per language, sitemap.xml and robots.txt."""
from __future__ import annotations

from typing import Any

from ...content.promotions import Promotion
from ..writer import content_hash
from .context import PlanContext
from .jobs import BytesJob, FeedJob, Output, PageJob, SitemapJob, fingerprint


def not_found_and_feeds(ctx: PlanContext) -> None:
    for lang in ctx.langs:  # one per language: /404.html, /en/404.html ...
        path = "404.html" if lang == ctx.deflang else f"{lang}/404.html"
        ctx.add(Output(path, fingerprint(ctx.gfp, "404", lang), "404", "",
                       PageJob(lang, "/" + path, "404", "404.html", "", "", "", "", None, None, (), (), "")))
    for lang in ctx.langs:
        dated = sorted(((p, p.date) for p in ctx.visible if p.lang == lang and p.date), key=lambda row: row[1],
                       reverse=True)[:30]
        rows = tuple((p.title, ctx.urls[(p.key, p.lang)], date.isoformat(), p.description) for p, date in dated)
        ctx.add(Output(ctx.cfg.home_url(lang).lstrip("/") + "feed.xml", fingerprint(ctx.gfp, "feed", lang, rows),
                       "feed", "", FeedJob(lang, rows)))


def sitemap(ctx: PlanContext, synthetic: list[tuple[str, str, str]], live: list[Promotion],
            archive: dict[str, list[Any]]) -> None:
    """sitemap.xml (one entry per URL, with its language alternates) and robots.txt pointing to it."""
    langs, deflang, urls = ctx.langs, ctx.deflang, ctx.urls
    entries = []
    for key, versions in ctx.vis_by_key.items():
        alts = tuple((lg, urls[(key, lg)]) for lg in langs if lg in versions)
        for lg, p in versions.items():
            changed = p.lastmod or p.date
            entries.append((urls[(key, lg)], changed.date().isoformat() if changed else None,
                            alts if len(alts) > 1 else ()))
    for _folder, _lang, url in synthetic:
        entries.append((url, None, ()))
    for pr in live:
        if pr.page:
            alts = tuple((lg, pr.url(lg, deflang, ctx.words)) for lg in langs
                         if lg == deflang or lg in pr.translations)
            for _lg, u in alts:
                entries.append((u, None, alts if len(alts) > 1 else ()))
    for _lang, rows in archive.items():
        for row in rows:
            entries.append((row[1], row[2][:10], ()))
    # One entry per URL (a page wins over a generated listing at the same address), by URL.
    unique: dict[str, tuple[Any, ...]] = {}
    for entry in entries:
        unique.setdefault(entry[0], entry)
    ordered = sorted(unique.values(), key=lambda e: e[0])
    ctx.add(Output("sitemap.xml", fingerprint(ctx.gfp, "sitemap", ordered), "sitemap", "",
                   SitemapJob(tuple(ordered))))
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {ctx.cfg.base_url}/sitemap.xml\n".encode()
    ctx.add(Output("robots.txt", content_hash(robots), "robots", "", BytesJob(robots)))
