"""Labels of the built-in email, per language.

Every key exists in every language listed here (tests hold them to that); a site adds or
overrides labels with ``[lang.<code>] email_strings = {...}`` in site.toml. ``check`` refuses
a campaign language that lacks any of them (``missing_keys``) instead of mailing English
words to its readers; ``strings`` falls back to English only for a preview.
"""
from __future__ import annotations

from typing import Mapping

from ..locale.tags import base as _base

KEYS = ("view_online", "unsubscribe", "reason", "links", "see_offer", "unsubscribe_text", "valid_until")

_TABLE = {
    "en": ("View this email in your browser", "Unsubscribe",
           "You are receiving this email because you subscribed to news from {name}.", "Links", "See the offer",
           "Unsubscribe", "Valid until"),
    "de": ("E-Mail im Browser ansehen", "Abmelden",
           "Sie erhalten diese E-Mail, weil Sie den Newsletter von {name} abonniert haben.", "Links", "Zum Angebot",
           "Abmelden", "Gültig bis"),
    "cs": ("Zobrazit e-mail v prohlížeči", "Odhlásit odběr",
           "Tento e-mail dostáváte, protože jste se přihlásili k odběru novinek od {name}.", "Odkazy",
           "Zobrazit nabídku", "Odhlásit odběr", "Platí do"),
    "sk": ("Zobraziť e-mail v prehliadači", "Odhlásiť odber",
           "Tento e-mail dostávate, pretože ste sa prihlásili na odber noviniek od {name}.", "Odkazy",
           "Zobraziť ponuku", "Odhlásiť odber", "Platí do"),
    "ro": ("Vezi acest e-mail în browser", "Dezabonare",
           "Primiți acest e-mail pentru că v-ați abonat la noutățile de la {name}.", "Linkuri", "Vezi oferta",
           "Dezabonare", "Valabil până la"),
    "fr": ("Voir cet e-mail dans votre navigateur", "Se désabonner",
           "Vous recevez cet e-mail car vous êtes abonné(e) aux actualités de {name}.", "Liens", "Voir l’offre",
           "Se désabonner", "Valable jusqu’au"),
    "es": ("Ver este correo en el navegador", "Darse de baja",
           "Recibe este correo porque se suscribió a las novedades de {name}.", "Enlaces", "Ver la oferta",
           "Darse de baja", "Válido hasta el"),
    "it": ("Visualizza questa e-mail nel browser", "Annulla l’iscrizione",
           "Ricevi questa e-mail perché ti sei iscritto alle novità di {name}.", "Link", "Vedi l’offerta",
           "Annulla l’iscrizione", "Valida fino al"),
    "nl": ("Bekijk deze e-mail in je browser", "Afmelden",
           "Je ontvangt deze e-mail omdat je je hebt aangemeld voor nieuws van {name}.", "Links",
           "Bekijk de aanbieding", "Afmelden", "Geldig tot"),
    "pl": ("Zobacz tę wiadomość w przeglądarce", "Wypisz się",
           "Otrzymujesz tę wiadomość, ponieważ zapisałeś się na wiadomości od {name}.", "Linki", "Zobacz ofertę",
           "Wypisz się", "Ważna do"),
    "hu": ("Az e-mail megtekintése böngészőben", "Leiratkozás",
           "Azért kapja ezt az e-mailt, mert feliratkozott a(z) {name} híreire.", "Linkek", "Megnézem az ajánlatot",
           "Leiratkozás", "Érvényes eddig:"),
    "pt": ("Ver este e-mail no navegador", "Cancelar subscrição",
           "Recebe este e-mail porque subscreveu as novidades de {name}.", "Ligações", "Ver a oferta",
           "Cancelar subscrição", "Válido até"),
}

STRINGS: dict[str, dict[str, str]] = {lang: dict(zip(KEYS, words)) for lang, words in _TABLE.items()}


def _own(lang: str) -> dict[str, str]:
    return dict(STRINGS.get(lang) or STRINGS.get(_base(lang)) or {})


def missing_keys(lang: str, extra: Mapping[str, str] | None = None) -> list[str]:
    """The labels ``lang`` has none for (built in or from the site)."""
    have = {**_own(lang), **(extra or {})}
    return [k for k in KEYS if k not in have]


def strings(lang: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {**STRINGS["en"], **_own(lang), **(extra or {})}


def language_problems(cfg, langs) -> list:
    """A warning per email language without every label (those are written in English), and
    only for a client that sends mail (`[mail] from` set): a site alone needs no labels."""
    from ..errors import Diagnostic

    found: list = []
    if not cfg.mail.from_:
        return found
    for lang in langs:
        own = cfg.lang_texts.get(lang)
        missing = missing_keys(lang, own.email_strings if own else None)
        if missing:
            found.append(Diagnostic(
                cfg.path, cfg.line_of("", "languages"),
                f"the email has no labels in {lang!r}: {', '.join(missing)} are written in English",
                f"add them to site.toml under [lang.{lang}] as `email_strings = {{ {missing[0]} = \"…\", … }}`",
                severity="warning"))
    return found
