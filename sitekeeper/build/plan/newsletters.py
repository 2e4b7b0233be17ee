"""Promotions and campaigns on the site: a page per live promotion and language, the sent
campaigns readable at /newsletter/<slug>/ with their archive, and the unsubscribe page."""
from __future__ import annotations

from typing import Any

from ...config.business import path_word
from ...content.pages import output_path
from ...content.promotions import Promotion
from ...render.i18n import t as ui_text
from ...render.merge import for_site
from ...render.newsletter import has_signup, has_unsubscribe_page, unsubscribe_path
from ..writer import content_hash
from .context import PlanContext
from .jobs import Output, PageJob, fingerprint
from .pages import translations_of


def promo_langs(ctx: PlanContext, pr: Promotion) -> list[str]:
    return [lang for lang in [ctx.deflang, *sorted(pr.translations)] if lang in ctx.langs]


def promotion_jobs(ctx: PlanContext, live: list[Promotion]) -> None:
    for pr in live:
        if not pr.page:
            continue
        for lang in promo_langs(ctx, pr):
            text = pr.text(lang)
            url = pr.url(lang, ctx.deflang, ctx.words)
            body = for_site(text.body)
            body_key = "promo:" + content_hash(body.encode())
            job = PageJob(lang, url, "promotion", "promotion.html", for_site(text.title), text.source, body_key,
                          body, None, pr, translations_of(ctx, "", pr), (),
                          for_site(text.description or text.banner))
            assert pr.starts is not None and pr.ends is not None  # a live promotion has both
            dates = (pr.starts.isoformat(), pr.ends.isoformat())
            ctx.add_page(Output(output_path(url), fingerprint(ctx.gfp, "promo", body_key, text, dates,
                                                              job.translations), "page", text.source, job))


def newsletter_jobs(ctx: PlanContext) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Sent campaigns stay readable: /newsletter/<slug>/ (the email's "view in browser").
    Returns the archive's rows per language and the newsletter path word per language."""
    cfg, deflang = ctx.cfg, ctx.deflang
    archive: dict[str, list[Any]] = {}
    news_words = {lang: path_word(cfg, lang, "newsletter") for lang in ctx.langs}
    sent = sorted(((pr, pr.send_at) for pr in ctx.content.promotions if pr.archived(ctx.now) and pr.send_at),
                  key=lambda row: row[1], reverse=True)
    for pr, send_at in sent:
        versions = tuple((lg, pr.newsletter_url(lg, deflang, news_words),
                          for_site(pr.text(lg).subject or pr.default.subject))
                         for lg in promo_langs(ctx, pr))
        for lang in promo_langs(ctx, pr):
            text = pr.text(lang)
            url = pr.newsletter_url(lang, deflang, news_words)
            body = for_site(text.body)
            body_key = "promo:" + content_hash(body.encode())
            title = for_site(text.subject or pr.default.subject or text.title)
            job = PageJob(lang, url, "newsletter", "page.html", title, text.source, body_key, body, None, pr,
                          versions, (), for_site(text.preheader or text.banner))
            ctx.add_page(Output(output_path(url), fingerprint(ctx.gfp, "newsletter", body_key, text,
                                                              send_at.isoformat(), job.translations),
                                "page", text.source, job))
            archive.setdefault(lang, []).append((title, url, send_at.isoformat(), for_site(text.preheader),
                                                 send_at.timestamp(), None))
    return archive, news_words


def archive_jobs(ctx: PlanContext, archive: dict[str, list[Any]], news_words: dict[str, str]) -> None:
    """/newsletter/ per language: the sent campaigns, and the sign-up block with ``[mail] signup``
    (then also in a language that has no sent campaign yet)."""
    if has_signup(ctx.cfg):
        archive = {lang: archive.get(lang, []) for lang in ctx.langs}
    for lang, rows in archive.items():
        url = (f"/{news_words[lang]}/" if lang == ctx.deflang else f"/{lang}/{news_words[lang]}/")
        if output_path(url) in ctx.outputs:
            continue  # the client's own page at that URL wins
        own = ctx.cfg.lang_texts.get(lang)
        title = ui_text(lang, "newsletters", own.strings if own else None)
        job = PageJob(lang, url, "section", "section.html", title, f"{ctx.content.content_rel}/", "", "",
                      None, None, (), tuple(rows), "")
        ctx.add_page(Output(output_path(url), fingerprint(ctx.gfp, "newsletters", url, tuple(rows)), "page",
                            job.source, job))


def unsubscribe_jobs(ctx: PlanContext) -> None:
    """/newsletter/unsubscribe/ per language when [mail] names a sender: where every campaign's
    unsubscribe link leads (render/newsletter.py). Not in the sitemap; a page of the client's
    own at that URL wins."""
    if not has_unsubscribe_page(ctx.cfg):
        return
    for lang in ctx.langs:
        url = unsubscribe_path(ctx.cfg, lang)
        ctx.add(Output(output_path(url), fingerprint(ctx.gfp, "unsubscribe", lang, url), "unsubscribe", "",
                       PageJob(lang, url, "unsubscribe", "unsubscribe.html", "", "", "", "", None, None, (),
                               (), "")))
