"""The sign-up confirmation (double opt-in): one message in the page's language, in the client's
look (the campaign email's header band, its name, logo and postal address), whose Subject
carries the keyed token that confirms the request when it comes back (a reply, or any mail
holding it). ``compose_confirmation`` is pure but for the template; mail/notice.py sends it.

The message says ``Auto-Submitted: auto-replied`` (RFC 3834: it answers the person's request),
so out-of-office robots leave it unanswered, and its Reply-To is the sign-up address, the
mailbox ``mailbox pull`` reads.
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr
from typing import Mapping
from urllib.parse import urlsplit

from ..locale import catalog

_EN: dict[str, str] = catalog.english("confirmation")
STRINGS: dict[str, dict[str, str]] = catalog.table("confirmation")
"""{language: the confirmation's words}, from locale/catalogs/<lang>.toml ([confirmation])."""


def words(lang: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The confirmation's words in ``lang`` (English for a language without them)."""
    found = catalog.words("confirmation", lang)
    if extra:
        found.update({k[len("confirm_"):]: v for k, v in extra.items() if k.startswith("confirm_")})
    return found


def compose_confirmation(cfg, address: str, lang: str, token: str, days: int) -> EmailMessage:
    """The confirmation to ``address`` in ``lang`` (From, Date and Message-ID are notice.py's)."""
    from ..config.business import text_for
    from ..locale.cldr import direction
    from ..render.newsletter import signup_mailbox
    from ..render.typography import nbsp_html, nbsp_text
    from .message import localized_from
    from .compose import BUILTIN_TEMPLATES, dark_colors, email_logo, email_styles, on_color

    own = cfg.lang_texts.get(lang)
    w = words(lang, own.email_strings if own else None)
    name = text_for(cfg, lang, "name") or cfg.name
    subject = f"{w['subject'].format(name=name)} [{token}]"
    paragraphs = [w["asked"].format(name=name, address=address), w["confirm"], w["ignore"].format(days=days)]
    logo_url, _, logo_width = email_logo(cfg)
    context = dict(
        lang=lang, text_dir=direction(lang), site_name=name, site_url=cfg.base_url + "/", site_url_label=urlsplit(cfg.base_url).hostname or "",
        tagline=text_for(cfg, lang, "tagline"), logo_url=logo_url, logo_width=logo_width,
        primary_color=cfg.theme.primary_color, on_primary=on_color(cfg.theme.primary_color),
        link_color=email_styles(cfg.theme.primary_color)["link"], **dark_colors(cfg.theme.primary_color),
        title=w["title"], paragraphs=paragraphs, token=token, postal_address=cfg.mail.postal_address,
    )
    import jinja2
    from mjml import mjml2html

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)), autoescape=True)
    html = mjml2html(env.get_template("confirmation.mjml").render(**context), disable_comments=True)
    if "<head>" in html and 'name="color-scheme"' not in html:
        html = html.replace("<head>", '<head><meta name="color-scheme" content="light dark">', 1)
    import textwrap

    text = "\n".join([name, "", w["title"], "=" * len(w["title"]), "", *[textwrap.fill(p, 72) + "\n" for p in paragraphs],
                      f"{w['code']}: {token}", "", "-- ", name, cfg.mail.postal_address, cfg.base_url + "/", ""])
    msg = EmailMessage()
    msg["From"] = localized_from(cfg, cfg.mail.from_, lang)
    msg["To"] = address
    msg["Reply-To"] = formataddr((name, signup_mailbox(cfg)))
    msg["Subject"] = subject
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(nbsp_text(text, lang))
    msg.add_alternative(nbsp_html(html, lang), subtype="html")
    msg["Content-Language"] = lang  # after the parts: set_content replaces every Content-* header
    return msg
