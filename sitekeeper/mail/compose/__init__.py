"""Promotion -> email: one Markdown body, an MJML-compiled HTML part and a text part.

``compile_email`` does the expensive work once per campaign and language: merge fields
become placeholders, the Markdown is parsed with the site's own markdown-it setup, links
are made absolute (plus optional UTM parameters), the first call to action becomes a
button, the Jinja2 MJML template (``email.mjml``, overridable per client) is rendered
and compiled by MRML, and a plain-text part is written from the same tokens (links as
numbered footnotes). ``CompiledEmail.personalize`` is then a string substitution per
recipient, so a large audience costs little.

One module per step: styles (colours, inline styles), links (absolute URLs, UTM, refused
schemes), blocks (button, images, HTML; the preview sentence), text (the plain-text part),
mjml (the template's context, Jinja2 and MRML); the values are in values.py.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ...config.business import promo_words
from ...errors import Diagnostic
from ...locale.cldr import direction
from ...render.htmlpolicy import for_email
from ...render.typography import nbsp_html, nbsp_text
from ..merge import Field, Fields
from ..strings import strings
from .blocks import body_blocks, first_sentence
from .links import UrlRewriter, add_utm, rewrite_tokens
from .mjml import BUILTIN_TEMPLATES, TEMPLATE_NAME, email_logo, render_mjml, template_context, template_path
from .styles import dark_colors, on_color, styles as email_styles
from .text import TextWriter, text_part
from .values import CompiledEmail, EmailParts, LinkRef

GMAIL_CLIP_BYTES = 102 * 1024
"""Gmail clips an HTML part larger than this behind a "View entire message" link."""

__all__ = ["BUILTIN_TEMPLATES", "GMAIL_CLIP_BYTES", "TEMPLATE_NAME", "CompiledEmail", "EmailParts", "LinkRef",
           "TextWriter", "UrlRewriter", "add_utm", "compile_email", "dark_colors", "email_logo", "email_styles",
           "first_sentence", "on_color", "template_path", "utm_enabled"]


def utm_enabled(cfg: Any, promo: Any) -> bool:
    if promo.utm is not None:
        return bool(promo.utm)
    return bool(cfg.mail.utm)


def _text_in(promo: Any, lang: str) -> Any:
    """The promotion's text in ``lang``: a translation needs only what differs, its blanks
    come from the default language."""
    text = promo.text(lang)
    if text is not promo.default:
        text = dataclasses.replace(text, **{k: getattr(promo.default, k) for k in ("title", "banner", "subject", "preheader")
                                            if not getattr(text, k).strip()})
    return text


def compile_email(ws: Any, cfg: Any, promo: Any, lang: str) -> tuple[CompiledEmail | None, list[Diagnostic]]:
    """Render a promotion in ``lang`` (falling back to the default language) once."""
    from markupsafe import Markup

    from ...render.markdown import markdown_parser

    problems: list[Diagnostic] = []
    text = _text_in(promo, lang)
    used_lang = text.lang
    fields = Fields()
    own = cfg.lang_texts.get(used_lang)
    t = strings(used_lang, own.email_strings if own else None)
    page_url = cfg.base_url + promo.url(used_lang, cfg.default_language, promo_words(cfg))
    rewriter = UrlRewriter(cfg, page_url, promo.slug if utm_enabled(cfg, promo) else None)
    styles = email_styles(cfg.theme.primary_color, rtl=direction(used_lang) == "rtl")

    md = markdown_parser()
    env: dict = {"email": True}  # blocks (::: team …) become plain content an email can show
    tokens = md.parse(fields.protect(text.body), env)
    for line, message, fix in env.get("block_problems", ()):
        problems.append(Diagnostic(text.source, text.body_line + line, message, fix))
    rewrite_tokens(tokens, 0, rewriter, styles, text.source, text.body_line)
    problems.extend(rewriter.refused)

    blocks, cta_done = body_blocks(tokens, md, env)
    # Footnotes (a plugin) render their own block at the end.
    if not cta_done and promo.page and not promo.draft:
        blocks.append({"kind": "button", "href": rewriter.rewrite(page_url, "link", text.source, text.body_line),
                       "label": t["see_offer"]})
    for b in blocks:
        if b["kind"] == "text":
            # Script, iframe, form and object never get into an email, whatever the site allows.
            b["html"] = Markup(for_email(b["html"]).strip())

    logo_url, logo_local, logo_width = email_logo(cfg)
    if logo_url:
        rewriter.refs.append(LinkRef(logo_url, cfg.theme.logo or "", "image", cfg.path, cfg.line_of("theme", "logo") or 1,
                                     "/" + logo_url.split("/", 3)[-1], logo_local))
    unsubscribe = fields.placeholder(Field("unsubscribe_url", ""))
    # Without a preheader the inbox would show the first text of the email, the "view in
    # browser" line: the body's first sentence is said there instead.
    preheader = fields.protect(text.preheader) if text.preheader.strip() else first_sentence(tokens)
    context = template_context(cfg, promo, text, used_lang, fields=fields, t=t, styles=styles, blocks=blocks,
                               preheader=preheader, logo=(logo_url, logo_width), unsubscribe=unsubscribe)
    rendered = render_mjml(ws, cfg, context, text, problems)
    if rendered is None:
        return None, problems
    mjml_src, html, tpl_rel = rendered

    writer = TextWriter()
    writer.lang = used_lang
    writer.write(tokens)
    plain = text_part(cfg, writer, t, unsubscribe, context)
    if "<head>" in html and 'name="color-scheme"' not in html:
        html = html.replace("<head>", '<head><meta name="color-scheme" content="light dark">'
                            '<meta name="supported-color-schemes" content="light dark">', 1)
    # Locale typography in both parts (the subject stays as written).
    html = nbsp_html(html, used_lang)
    plain = nbsp_text(plain, used_lang)
    compiled = CompiledEmail(
        client=cfg.client, slug=promo.slug, lang=lang, text_lang=used_lang, source=text.source,
        subject=fields.protect(text.subject), html=html, plain=plain, fields=fields, links=rewriter.refs,
        template=tpl_rel, mjml=mjml_src,
    )
    return compiled, problems
