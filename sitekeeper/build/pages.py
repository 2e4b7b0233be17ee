"""Rendering planned outputs to bytes: pages through Jinja2 (imported only when a page
needs rendering), feeds and sitemap through feeds.py, files as they are."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .cache import HtmlStore
from .feeds import feed_bytes, sitemap_bytes
from .plan import BytesJob, CopyJob, FeedJob, FontJob, IconJob, ImageJob, Job, JoinJob, PageJob, SitemapJob, SitePlan
from .sources import html_body, render_md


class Params(dict):
    """A page's own fields: one a page lacks reads as empty (`page.params.hero_title` on a
    page without it), as in the other generators' templates, rather than failing the build."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self.get(name, "")


class Renderer:
    """Turns a plan's jobs into bytes."""

    def __init__(self, plan: SitePlan, html: HtmlStore, jinja_cache: Path, font_cache: Path | None = None):
        from ..render import i18n
        from ..render.env import make_env

        self.plan = plan
        self.cfg = plan.cfg
        self.env = make_env(self.cfg.templates_dir, jinja_cache)
        self.html = html
        self.font_cache = font_cache
        """Where font subsets are kept (the workspace's cache: shared by every output folder)."""
        self.filled: dict[str, str] = {}
        """Bodies this renderer had to render because the store lacked them."""
        self.per_language: dict = {}
        """What the theme shows alike on every page of a language (the business block)."""
        self.i18n = i18n

    def t(self, lang: str):
        i18n = self.i18n

        own = self.cfg.lang_texts.get(lang)
        extra = own.strings if own else None

        def t(key: str) -> str:
            return i18n.t(lang, key, extra)

        return t

    def asset(self, name: str) -> str:
        url = self.plan.global_ctx["asset_urls"].get(name)
        if url is None:
            raise KeyError(f"no asset named {name!r} (theme assets and the client's static CSS/JS)")
        return url

    def body_html(self, job: PageJob) -> str:
        if not job.body_key:
            return ""
        html = self.html.get(job.body_key)
        if html is None:
            body = job.body
            if job.page is not None:  # the store lost it: read the page again
                from ..content.frontmatter import parse_document

                body = parse_document((self.cfg.content_dir / job.body).read_text(encoding="utf-8")).body
            html = html_body(body).html if job.page is not None and job.page.is_html else render_md(body).html
            self.html[job.body_key] = html
            self.filled[job.body_key] = html
        return with_page_links(html, job.md_links)

    def page_bytes(self, job: PageJob) -> bytes:
        from markupsafe import Markup

        from ..render.dates import format_date, language_name, last_day

        g = self.plan.global_ctx
        cfg = self.cfg
        lang = job.lang
        page = job.page
        date = page.date if page else None
        if job.kind == "newsletter" and job.promo is not None:
            date = job.promo.send_at  # the web copy of a sent newsletter says when it was sent
        translations = [
            {"lang": lg, "url": u, "title": title, "label": language_name(lg), "current": lg == lang}
            for lg, u, title in job.translations
        ]
        children = [
            {"title": title, "url": u, "date_iso": d, "description": desc,
             "date_display": format_date(datetime.fromisoformat(d), lang) if d else None, "image": image}
            for title, u, d, desc, _, image in job.children
        ]
        promo = None
        if job.promo is not None:
            pr = job.promo
            text = pr.text(lang)
            from ..locale.datetext import without_date
            from ..render.landing import offer_line

            # the offer without its closing date: the line below it says the date, once
            offer = without_date(offer_line(text.banner, text.title), last_day(pr.ends).date(), lang)
            promo = {
                "title": text.title, "banner": text.banner, "offer": offer,
                "starts_display": format_date(pr.starts, lang), "ends_display": format_date(last_day(pr.ends), lang),
                "starts_iso": pr.starts.isoformat(), "ends_iso": pr.ends.isoformat(),
            }
        t = self.t(lang)
        from ..render.blocks import finish

        body = finish(self.body_html(job), self.plan.images, t, lang)  # galleries and maps need the build's facts
        title = job.title if job.kind != "404" else t("page_not_found")
        ctx = {
            "site": {**{k: g[k] for k in ("name", "base_url", "languages", "default_language", "description")},
                     "theme": g["theme"], "lang": lang},
            "page": {
                "title": title, "url": job.url, "permalink": cfg.base_url + job.url, "lang": lang, "kind": job.kind,
                "date": date, "date_iso": date.isoformat() if date else None,
                "date_display": format_date(date, lang), "description": job.description or "",
                "tags": list(page.tags) if page else [], "content": Markup(body),
                "children": children, "translations": translations, "promotion": promo,
                "image": page.image if page else None, "params": Params(page.params if page else {}),
                "lastmod": page.lastmod if page else None,
            },
            "menu": [{"title": mt, "url": mu, "active": mu == job.url or (mu != "/" and mu != f"/{lang}/"
                                                                             and job.url.startswith(mu))}
                     for _, mt, mu in g["menus"][lang]],
            "banners": [{"text": bt, "url": bu, "title": btitle} for bt, bu, btitle, _ in g["banners"][lang]],
            "feed_url": g["home_urls"][lang] + "feed.xml",
            "home_url": g["home_pages"][lang], "home_pages": g["home_pages"],
            "contact_url": g["contact_urls"][lang],
            "asset": self.asset, "t": t, "now": self.plan.now, "year": g["year"],
        }
        from ..render import pagekit, typography

        pagekit.extend(ctx, cfg, job, ctx["page"]["content"], self.plan.now.date(), t, self.per_language)
        from ..render.images import responsive

        template = self.env.get_template(job.template)
        return responsive(typography.nbsp_html(template.render(ctx), lang), self.plan.images).encode("utf-8")

    def render(self, job: Job) -> bytes:
        match job:
            case PageJob():
                return self.page_bytes(job)
            case CopyJob(file=file):
                return file.read_bytes()
            case JoinJob(files=files):
                return b"\n".join(f.read_bytes() for f in files)
            case BytesJob(data=data):
                return data
            case ImageJob(file=file, width=width):
                from ..render.images import webp_variant

                return webp_variant(file, width)
            case IconJob(size=size, logo=logo):
                from ..render.colors import on_color
                from ..render.icons import icon_png

                theme = self.cfg.theme
                return icon_png(size, logo, self.cfg.name, theme.primary_color, on_color(theme.primary_color),
                                theme.font)
            case FontJob(face=face, chars=chars):
                from ..render.webfonts import subset_woff2

                return subset_woff2(face, chars, self.font_cache)
            case FeedJob(lang=lang, rows=rows):
                return feed_bytes(self.cfg, lang, rows, self.plan.now)
            case SitemapJob(entries=entries):
                return sitemap_bytes(self.cfg.base_url, entries)
        raise TypeError(f"nothing renders {job!r}")


def with_page_links(html: str, md_links) -> str:
    """Links to a page's file (`href="kontakt.md"`) pointed at that page's URL."""
    if not md_links:
        return html
    from html import escape

    for target, url in md_links:
        for q in ('"', "'"):
            html = html.replace(f"href={q}{escape(target, quote=True)}{q}", f"href={q}{escape(url, quote=True)}{q}")
            if escape(target, quote=True) != target:
                html = html.replace(f"href={q}{target}{q}", f"href={q}{escape(url, quote=True)}{q}")
    return html
