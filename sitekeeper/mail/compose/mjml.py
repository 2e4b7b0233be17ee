"""The HTML part: the template's context (the site's name, logo and colours, the blocks,
the preheader, the footer's links), the Jinja2 MJML template (``email.mjml``, the client's
own or the built-in one) and its compilation by MRML, each failure a Diagnostic."""
from __future__ import annotations

import struct
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...config.business import path_word, text_for
from ...errors import Diagnostic
from ...locale.cldr import direction
from ...render.dates import format_date, last_day
from .links import iri_to_uri
from .styles import dark_colors, on_color

TEMPLATE_NAME = "email.mjml"
BUILTIN_TEMPLATES = Path(__file__).parent.parent / "templates"


def _png_size(path: Path) -> tuple[int, int] | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    w, h = struct.unpack(">II", head[16:24])
    return w, h


def offer(text: Any, promo: Any, lang: str) -> str:
    """The banner as the email's band says it: without what the title says and without its
    closing date (the line under the title says the date, once)."""
    from ...locale.datetext import without_date
    from ...render.landing import offer_line

    line = offer_line(text.banner, text.title)
    return without_date(line, last_day(promo.ends).date(), lang) if line and promo.ends else line


def email_logo(cfg: Any) -> tuple[str | None, Path | None, int]:
    """(URL, local file, display width) of the logo for email: a PNG sibling of an SVG logo."""
    logo = cfg.theme.logo
    if not logo:
        return None, None, 0
    local = cfg.root / logo
    if local.suffix.lower() == ".svg":
        png = local.with_suffix(".png")
        if not png.is_file():
            return None, None, 0
        local = png
    rel = local.relative_to(cfg.root).as_posix()
    path = rel[len("static/"):] if rel.startswith("static/") else rel
    size = _png_size(local)
    width = 160
    if size:
        w, h = size
        # Fit a 200x90 box, never upscaled beyond the file's own pixels.
        width = int(min(w, 200, 90 * w / h if h else 200))
    return iri_to_uri(cfg.base_url + "/" + path), local, max(width, 40)


def template_path(cfg: Any) -> Path:
    own = cfg.templates_dir / TEMPLATE_NAME
    return own if own.is_file() else BUILTIN_TEMPLATES / TEMPLATE_NAME


def _jinja_env(cfg: Any) -> Any:
    from ...render.env import make_env

    return make_env(cfg.templates_dir, builtin=BUILTIN_TEMPLATES, keep_trailing_newline=False)


def template_context(cfg: Any, promo: Any, text: Any, used_lang: str, *, fields: Any, t: dict[str, str],
                     styles: dict[str, str], blocks: list[dict], preheader: str, logo: tuple[str | None, int],
                     unsubscribe: str) -> dict:
    """What email.mjml sees (the names listed at the top of the built-in template)."""
    from markupsafe import Markup

    logo_url, logo_width = logo
    accent = cfg.theme.accent_color
    return dict(
        lang=used_lang, text_dir=direction(used_lang), site_name=text_for(cfg, used_lang, "name"),
        site_url=cfg.base_url + "/", site_url_label=urlsplit(cfg.base_url).hostname or cfg.base_url,
        tagline=text_for(cfg, used_lang, "tagline"), logo_url=logo_url, logo_width=logo_width,
        valid_until=(f"{t['valid_until']} {format_date(last_day(promo.ends), used_lang)}" if promo.ends else ""),
        primary_color=cfg.theme.primary_color, on_primary=on_color(cfg.theme.primary_color),
        link_color=styles["link"], accent_color=accent, on_accent=on_color(accent),
        **dark_colors(cfg.theme.primary_color),
        title=fields.protect(text.title), banner=fields.protect(offer(text, promo, used_lang)),
        preheader=preheader, blocks=blocks,
        # Invisible filler after the preheader, so mail apps do not append the body's first words to it.
        preheader_filler=Markup("&#847;&zwnj;&nbsp;" * 90) if preheader.strip() else "",
        # "View in browser": the newsletter page, which stays after the promotion ends.
        web_url=iri_to_uri(cfg.base_url + promo.newsletter_url(
            used_lang, cfg.default_language, {lg: path_word(cfg, lg, "newsletter") for lg in cfg.languages}))
        if not promo.draft else None,
        postal_address=cfg.mail.postal_address, reason=t["reason"].format(name=text_for(cfg, used_lang, "name")),
        unsubscribe_url=unsubscribe, t=t,
    )


def render_mjml(ws: Any, cfg: Any, context: dict, text: Any,
                problems: list[Diagnostic]) -> tuple[str, str, str] | None:
    """(MJML source, compiled HTML, the template as named in messages), or None with the
    template's or MRML's error added to ``problems``."""
    tpl_path = template_path(cfg)
    own_template = tpl_path.parent != BUILTIN_TEMPLATES
    tpl_rel = ws.rel(tpl_path) if own_template else f"built-in {TEMPLATE_NAME}"
    import jinja2

    try:
        mjml_src = _jinja_env(cfg).get_template(TEMPLATE_NAME).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        problems.append(Diagnostic(tpl_rel, exc.lineno, f"email template error: {exc.message}",
                                   "fix the Jinja2 syntax at that line"))
        return None
    except jinja2.TemplateError as exc:
        problems.append(Diagnostic(tpl_rel, None, f"email template error: {exc}",
                                   "the template may only use the names listed at the top of the built-in email.mjml"))
        return None

    from mjml import mjml2html

    try:
        html = mjml2html(mjml_src, disable_comments=True)
    except Exception as exc:  # MRML raises ValueError with its reason; no line numbers
        line = text.body_line if tpl_rel.startswith("built-in") else None
        where = text.source if tpl_rel.startswith("built-in") else tpl_rel
        problems.append(Diagnostic(where, line, f"MJML does not compile: {exc}",
                                   "raw HTML in the body or the template must be well-formed: close every tag "
                                   "(<br /> not <br>), quote attributes" + ("" if tpl_rel.startswith("built-in")
                                                                             else f"; template: {tpl_rel}")))
        return None
    return mjml_src, html, tpl_rel
