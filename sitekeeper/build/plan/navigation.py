"""What every page shows: the menus, the promotions' banners, the theme's colours and icons
(the site's template context), and one fingerprint of all of it."""
from __future__ import annotations

from ... import __version__
from ...content.promotions import Promotion
from ...render.colors import mix, on_color, readable_on
from ...render.merge import for_site
from ...render.newsletter import fingerprint_parts as mailbox_fingerprint
from ...render.styles import photo_shade
from .assets import favicons, static_url
from .context import PlanContext
from .jobs import fingerprint

DARK_BG = "#161616"  # the page background of the dark mode (style.css, prefers-color-scheme)


def banners(ctx: PlanContext, live: list[Promotion]) -> dict[str, tuple]:
    """Per language: (banner text, promotion page URL or None, title, slug) of each live promotion."""
    return {
        lang: tuple(
            (for_site(pr.text(lang).banner or pr.text(lang).title),
             pr.url(lang, ctx.deflang, ctx.words) if pr.page else None,
             for_site(pr.text(lang).title), pr.slug)
            for pr in live
        )
        for lang in ctx.langs
    }


def menus(ctx: PlanContext) -> dict[str, tuple]:
    """Menus per language (a page without a translation shows in its default language)."""
    found = {}
    for lang in ctx.langs:
        items = []
        for key, versions in ctx.vis_by_key.items():
            p = versions.get(lang) or (versions.get(ctx.deflang) if lang != ctx.deflang else None)
            if p is None or p.menu is None:
                continue
            items.append((p.menu, p.menu_title or p.title, ctx.urls[(key, p.lang)]))
        items.sort(key=lambda x: (x[0], x[1]))
        found[lang] = tuple(items)
    return found


def contact_urls(ctx: PlanContext) -> dict[str, str]:
    """lang -> URL of the site's contact page (the first with template contact.html; a language
    without its own gets the default language's); the compact footer points there."""
    found: dict[str, str] = {}
    for p in sorted(ctx.visible, key=lambda p: (p.key, p.lang)):
        if p.template == "contact.html" and p.lang not in found:
            found[p.lang] = ctx.urls[(p.key, p.lang)]
    fallback = found.get(ctx.deflang)
    return {lang: found.get(lang) or fallback or "" for lang in ctx.langs}


def global_ctx(ctx: PlanContext, asset_urls: dict, menus: dict, banners: dict, font: dict | None = None) -> dict:
    """What every page's template sees of the site (adds the icons' outputs)."""
    cfg = ctx.cfg
    theme = cfg.theme
    on_accent = on_color(theme.accent_color)
    icon_urls = favicons(ctx)
    return {
        "name": cfg.name, "base_url": cfg.base_url, "languages": list(ctx.langs),
        "default_language": ctx.deflang, "description": cfg.description,
        "theme": {
            "primary_color": theme.primary_color, "on_primary": on_color(theme.primary_color),
            # the banner's colour, moved just enough for its text to reach 4.5:1
            "accent_color": readable_on(on_accent, theme.accent_color), "on_accent": on_accent,
            # links sit on white and on a 7 % tint of the primary colour: AA against the tint
            "link_color": readable_on(mix(theme.primary_color, "#ffffff", 0.93),
                                      mix(theme.primary_color, "#000000", 0.18)),
            # dark mode: the brand colour lightened until it reads on the darkest tint it meets
            "link_dark": readable_on(mix(DARK_BG, theme.primary_color, 0.2), mix(theme.primary_color, "#ffffff", 0.5)),
            "tagline": theme.tagline, "logo_url": static_url(theme.logo),
            "favicon_url": static_url(theme.favicon), "style": theme.style,
            # photo: the brand colour laid over the hero's picture, deep enough for its text
            "photo_shade": photo_shade(theme.primary_color, on_color(theme.primary_color)),
            **icon_urls, **(font or {}),
        },
        "contact_urls": contact_urls(ctx),
        "asset_urls": asset_urls, "menus": menus, "banners": banners, "year": ctx.now.year,
        "home_urls": {lg: cfg.home_url(lg) for lg in ctx.langs},
        # where each language's home page is (an imported one keeps its old URL: Hugo's /pt-br/)
        "home_pages": {lg: ctx.urls.get(("index", lg)) or cfg.home_url(lg) for lg in ctx.langs},
    }


def global_fingerprint(ctx: PlanContext, asset_urls: dict, menus: dict, banners: dict, images: dict,
                       font: dict | None = None) -> str:
    """One hash of everything every page shows: a change to it re-renders every page."""
    cfg, now = ctx.cfg, ctx.now
    # Only what pages show: a change to [mail] or [deploy] re-renders nothing.
    site_fp = (cfg.name, cfg.base_url, cfg.languages, cfg.timezone, cfg.description, cfg.theme, cfg.business,
               sorted((k, repr(v)) for k, v in cfg.lang_texts.items()),
               cfg.business.upcoming_closed(now.date()) if cfg.business else None,
               mailbox_fingerprint(cfg),
               # without [business], the footer shows [mail]'s address and reply address
               None if cfg.business else (cfg.mail.postal_address, cfg.mail.reply_to, cfg.mail.from_))
    return fingerprint(__version__, site_fp, ctx.content.templates.fingerprint, sorted(asset_urls.items()),
                       menus, banners, now.year, sorted(images.items()), sorted((font or {}).items()),
                       sorted(contact_urls(ctx).items()))
