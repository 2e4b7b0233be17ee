"""What the built-in theme shows beyond the page itself, added to a page's template context:
the site's texts in the page's language, the local-business kit, link previews (Open Graph,
Twitter), the language bar (a language without this page links to its home page), the home
page's hero and a promotion's landing. Pure: values in, a dict out."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote, urljoin

from markupsafe import Markup

from ..config.business import text_for
from . import landing, newsletter
from .business import business_context, json_ld, known_business
from .dates import language_name

OG_LOCALES = {
    "en": "en_GB", "de": "de_DE", "cs": "cs_CZ", "sk": "sk_SK", "ro": "ro_RO", "nl": "nl_NL", "it": "it_IT",
    "fr": "fr_FR", "es": "es_ES", "pl": "pl_PL", "hu": "hu_HU", "pt": "pt_PT", "da": "da_DK", "sv": "sv_SE",
    "fi": "fi_FI", "el": "el_GR", "hr": "hr_HR", "sl": "sl_SI", "bg": "bg_BG", "uk": "uk_UA", "tr": "tr_TR",
}


def og_locale(lang: str) -> str:
    if "-" in lang:
        a, b = lang.split("-", 1)
        return f"{a.lower()}_{b.upper()}"
    return OG_LOCALES.get(lang, lang)


def absolute(cfg, page_url: str, src: str | None) -> str | None:
    if not src:
        return None
    if src.startswith(("http://", "https://")):
        return src
    return quote(urljoin(cfg.base_url + page_url, src), safe=":/?#[]@!$&'()*+,;=%-._~")


def language_bar(cfg, lang: str, translations: list[dict], homes: dict | None = None) -> list[dict]:
    """Every site language: this page's translation when there is one, else that language's home
    (``homes``: {language: its home page's URL}, where that is not /<lang>/)."""
    by_lang = {tr["lang"]: tr for tr in translations}
    bar = []
    for lg in cfg.languages:
        tr = by_lang.get(lg)
        home = (homes or {}).get(lg) or cfg.home_url(lg)
        bar.append({"lang": lg, "label": language_name(lg), "current": lg == lang,
                    "url": tr["url"] if tr else home, "translation": tr is not None})
    return bar


def extend(ctx: dict, cfg, job, body_html: str, today: date, t, per_language: dict | None = None) -> dict:
    """``ctx`` (the page's context) with the theme's extras; ``body_html`` is the page's body.
    ``per_language``: a dict kept across the pages of one build (one ``today``), for what is the
    same on every page of a language."""
    lang = job.lang
    page = ctx["page"]
    site = ctx["site"]
    site["name"] = text_for(cfg, lang, "name")
    site["tagline"] = text_for(cfg, lang, "tagline")
    site["description"] = text_for(cfg, lang, "description")
    site["theme"] = {**site["theme"], "tagline": site["tagline"]}
    business = per_language.get(("business", lang)) if per_language is not None else None
    if business is None:
        business = business_context(known_business(cfg), lang, today, t)
        if per_language is not None:
            per_language[("business", lang)] = business
    site["business"] = business
    # A template that shows the whole contact block (contact, home) sets this: the footer then
    # leaves the details to it instead of saying them twice.
    ctx.setdefault("shows_contact", False)
    site["languages_bar"] = language_bar(cfg, lang, page["translations"], ctx.get("home_pages")) if len(cfg.languages) > 1 else []
    mailbox = per_language.get(("mailbox", lang)) if per_language is not None else None
    if mailbox is None:
        mailbox = newsletter.context(cfg, lang)
        if per_language is not None:
            per_language[("mailbox", lang)] = mailbox
    ctx["mailbox"] = mailbox
    if job.kind == "unsubscribe" and mailbox["unsubscribe"]:
        page["title"] = mailbox["unsubscribe"]["title"]
        page["description"] = mailbox["unsubscribe"]["lead"]

    theme = site["theme"]
    src = getattr(job.page, "image", None) if job.page is not None else None
    if job.promo is not None:
        src = job.promo.meta.get("image") if isinstance(job.promo.meta.get("image"), str) else None
    body_html = str(body_html)  # plain text: Markup would escape what is joined to it
    body = body_html
    hero_image = ""
    page["cta_top"] = None
    if job.kind == "promotion":
        body, _ = landing.button_cta(body)
        # the call to action beside the offer, at the top: on a phone the body's is a long scroll away
        page["cta_top"] = landing.first_button(body)
        if page["cta_top"]:
            body = landing.drop_near_button(body)
        if not src:
            hero_image, body = landing.lift_image(body)
            src = landing.first_image(hero_image)
    page["image_url"] = src
    src = src or landing.first_image(body_html)
    share = cfg.business.share_image if cfg.business and cfg.business.share_image else None
    if share and share.startswith("static/"):
        share = "/" + share[len("static/"):]
    og_image = absolute(cfg, job.url, src) or absolute(cfg, "/", share) or absolute(cfg, "/", theme.get("icon_png"))
    if og_image and og_image.lower().split("?")[0].endswith(".svg"):
        # Link previews do not show SVG: a PNG sibling is used when the site has one.
        png = og_image[:-4] + ".png"
        og_image = png if _static_has(cfg, png) else absolute(cfg, "/", theme.get("icon_png"))
    description = (page["description"] or landing.summary(body_html) or landing.price_caption(body_html, page["title"])
                   or site["description"])
    page["meta_description"] = description
    page["content"] = Markup(body)
    page["hero_image"] = Markup(hero_image)
    page["og"] = {
        "title": site["name"] if job.kind == "home" else page["title"],
        "image": og_image, "locale": og_locale(lang),
        "alternates": [og_locale(tr["lang"]) for tr in page["translations"] if tr["lang"] != lang],
        "card": "summary_large_image" if src or share else "summary",
    }
    params = getattr(job.page, "params", None) or {}
    page.setdefault("params", params)  # the build's own (missing fields read as empty) wins
    page["cta"] = None
    if job.kind == "home" and isinstance(params.get("cta"), str) and isinstance(params.get("cta_url"), str):
        page["cta"] = {"label": params["cta"], "url": params["cta_url"]}
    if job.kind == "home" and cfg.business is not None:
        logo = absolute(cfg, "/", theme.get("logo_url")) if theme.get("logo_url") else None
        if logo and logo.endswith(".svg"):
            logo = logo[:-4] + ".png" if _static_has(cfg, logo[:-4] + ".png") else None
        page["json_ld"] = Markup(json_ld(cfg.business, name=site["name"], url=cfg.base_url + job.url,
                                         description=site["description"], logo=logo, image=og_image, lang=lang))
    else:
        page["json_ld"] = None
    return ctx


def _static_has(cfg, url: str) -> bool:
    base = cfg.base_url + "/"
    if not url.startswith(base):
        return False
    from urllib.parse import unquote

    return (cfg.static_dir / unquote(url[len(base):])).is_file()
