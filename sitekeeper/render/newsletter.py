"""The site's side of the mailbox: the unsubscribe page and the sign-up block, as values.

No server: both are mailto: links to the client's own mailbox, which ``mailbox pull`` reads.

- ``/newsletter/unsubscribe/`` (``/<lang>/newsletter/unsubscribe/`` for the other languages;
  the newsletter word follows ``[lang.<code>] paths``) is built when ``[mail]`` names a sender.
  A campaign's unsubscribe link goes there with the reader's token after ``#t=`` (a fragment:
  it never reaches the web server or its logs). A small inline script reads it and turns the
  page's one button into a prefilled mailto: ``unsubscribe <address> <token>`` to the opt-out
  mailbox, as the List-Unsubscribe mailto is. Without the script (or without a token) the
  button is a plain mailto: with the subject in the page's language, which the pull reads as
  a request of its sender for their own address. Opening the page changes nothing.
- With ``[mail] signup = true``, ``/newsletter/`` and a block in every page's footer offer a
  mailto: to ``signup_mailto`` (default: the ``from`` address) whose subject, in the page's
  language, the pull knows as a sign-up request in that language (``signup_subject``).

The words are the ``[newsletter]`` table of each catalog (English for a language without one; ``[lang.<code>]
strings`` overrides any of them).
"""
from __future__ import annotations

import unicodedata
from email.utils import parseaddr
from typing import Mapping
from urllib.parse import quote

from ..config.business import path_word
from ..locale import catalog

UNSUBSCRIBE_WORD = "unsubscribe"
"""The unsubscribe page's folder under the newsletter folder (the same in every language)."""

_EN: dict[str, str] = catalog.english("newsletter")
STRINGS: dict[str, dict[str, str]] = catalog.table("newsletter")
"""{language: its words for these pages}, from locale/catalogs/<lang>.toml ([newsletter])."""
KEYS = tuple(_EN)


def text(lang: str, key: str, extra: Mapping[str, str] | None = None) -> str:
    """The word ``key`` in ``lang`` (``de-AT``: ``de``; English for a language without it)."""
    if extra and key in extra:
        return extra[key]
    return catalog.lookup("newsletter", lang).get(key) or _EN[key]


def _own(cfg, lang: str) -> Mapping[str, str] | None:
    own = cfg.lang_texts.get(lang)
    return own.strings if own else None


def _address(value: str | None) -> str:
    return parseaddr(value or "")[1].strip()


def optout_mailbox(cfg) -> str:
    """Where the unsubscribe page's mailto goes: ``unsubscribe_mailto``, else the Reply-To,
    else the From address ("" when [mail] names none)."""
    mail = cfg.mail
    return _address(mail.unsubscribe_mailto) or _address(mail.reply_to) or _address(mail.from_)


def signup_mailbox(cfg) -> str:
    """Where sign-up requests go: ``signup_mailto``, else the From address."""
    mail = cfg.mail
    return _address(getattr(mail, "signup_mailto", None)) or _address(mail.from_)


def has_unsubscribe_page(cfg) -> bool:
    """The site gets /newsletter/unsubscribe/ when [mail] names a sender."""
    return bool(_address(cfg.mail.from_)) and bool(optout_mailbox(cfg))


def has_signup(cfg) -> bool:
    return bool(getattr(cfg.mail, "signup", False)) and bool(signup_mailbox(cfg))


def newsletter_path(cfg, lang: str) -> str:
    """/newsletter/ (the default language) or /<lang>/newsletter/ (the newsletter word per language)."""
    word = path_word(cfg, lang, "newsletter")
    return f"/{word}/" if lang == cfg.default_language else f"/{lang}/{word}/"


def unsubscribe_path(cfg, lang: str) -> str:
    return f"{newsletter_path(cfg, lang)}{UNSUBSCRIBE_WORD}/"


def unsubscribe_link(cfg, lang: str, token: str) -> str:
    """The absolute link a campaign in ``lang`` carries for the reader with ``token``."""
    if lang not in cfg.languages:
        lang = cfg.default_language
    return f"{cfg.base_url}{quote(unsubscribe_path(cfg, lang), safe='/')}#t={token}"


def mailto(box: str, subject: str, body: str = "") -> str:
    url = f"mailto:{box}?subject={quote(subject, safe='')}"
    return url + (f"&body={quote(body, safe='')}" if body else "")


def fold(value: str) -> str:
    """A subject as compared: accents off, lower case, spaces collapsed, Re:/AW:/Fwd: off."""
    import re

    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    value = re.sub(r"\s+", " ", value).strip()
    while True:
        stripped = re.sub(r"^(?:re|aw|wg|fw|fwd|odp|sv|vs|tr)\s*:\s*", "", value)
        if stripped == value:
            return value
        value = stripped


def signup_subjects(cfg) -> dict[str, str]:
    """{folded subject: language} of a sign-up request, for the site's languages (their own first)."""
    out: dict[str, str] = {}
    for lang in cfg.languages:
        out.setdefault(fold(text(lang, "signup_subject", _own(cfg, lang))), lang)
    return out


def context(cfg, lang: str) -> dict:
    """What the templates see as ``mailbox``: the unsubscribe page's and the sign-up block's
    links and words in ``lang``."""
    own = _own(cfg, lang)

    def w(key: str) -> str:
        return text(lang, key, own)

    out: dict = {"unsubscribe": None, "signup": None}
    if has_unsubscribe_page(cfg):
        box = optout_mailbox(cfg)
        out["unsubscribe"] = {
            "mailbox": box, "url": unsubscribe_path(cfg, lang), "title": w("unsub_title"), "lead": w("unsub_lead"),
            "button": w("unsub_button"), "for": w("unsub_for"), "when": w("unsub_when"),
            "plain": w("unsub_plain").format(mailbox=box), "href": mailto(box, w("unsub_subject")),
        }
    if has_signup(cfg):
        box = signup_mailbox(cfg)
        subject = w("signup_subject")
        out["signup"] = {
            "mailbox": box, "url": newsletter_path(cfg, lang), "heading": w("signup_heading"),
            "page_heading": w("signup_page_heading"),
            "lead": w("signup_lead"), "how": w("signup_how"), "button": w("signup_button"),
            "href": mailto(box, subject, w("signup_body")),
            "plain": w("signup_plain").format(mailbox=box, subject=subject),
        }
    return out


def fingerprint_parts(cfg) -> tuple:
    """What of [mail] the pages show (a change re-renders them; nothing else of [mail] does)."""
    words = [(lang, sorted((catalog.lookup("newsletter", lang) or _EN).items())) for lang in cfg.languages]
    return (has_unsubscribe_page(cfg) and optout_mailbox(cfg), has_signup(cfg) and signup_mailbox(cfg), words)
