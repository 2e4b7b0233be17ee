"""How people ask to be unsubscribed, per language: pure text matching, no I/O.

Text is folded before matching (``fold``): lower case, accents stripped (``odhlásit`` ->
``odhlasit``, ``dezabonați`` -> ``dezabonati``, ``wypiszę`` -> ``wypisze``), ``ł ß ø æ œ``
spelled out, whitespace collapsed; so a reply typed without accents matches too. Patterns
are word stems, so ``abmelden``, ``Abmeldung`` and ``bitte melden Sie mich ab`` all count.

``SUBJECT_ONLY`` words are requests only when they are the whole subject ("STOP", "Baja"):
in a sentence they mean something else.
"""
from __future__ import annotations

import re
import unicodedata

from ..locale.tags import base as language_of

PHRASES: dict[str, tuple[str, ...]] = {
    "en": (r"\bunsubscri", r"\bopt(?:[- ]?out)\b", r"\bremove me\b", r"\btake me off\b",
           r"\bstop (?:sending|emailing|mailing)\b", r"\bno (?:more|further) (?:e-?mails?|newsletters?|mailings?)\b",
           r"\bdo not (?:e-?mail|contact) me\b"),
    "de": (r"\babmeld", r"\bmelden sie mich\b.*\bab\b", r"\bmeld(?:e|et) mich\b.*\bab\b", r"\babbestell",
           r"\baustragen\b", r"\btragen sie mich\b.*\baus\b", r"\bkeine (?:weiteren )?(?:e-?mails|mails|newsletter|werbung)\b"),
    "cs": (r"\bodhlas", r"\bzrus\w* (?:muj |meho )?odber", r"\bnezasil\w*", r"\bnechci\b.*\b(?:dostavat|odebirat|dalsi)\b",
           r"\bvyrad\w* me\b"),
    "sk": (r"\bodhlas", r"\bzrus\w* (?:moj )?odber", r"\bnezasiel\w*", r"\bnechcem\b.*\b(?:dostavat|odoberat|dalsie)\b",
           r"\bvyrad\w* ma\b"),
    "ro": (r"\bdezabon", r"\bdezinscri", r"\bnu mai (?:doresc|vreau)\b", r"\bscoate\w*[- ]ma\b", r"\bsterge\w*[- ]ma\b"),
    "nl": (r"\bafmeld", r"\buitschrij", r"\bschrijf (?:me|mij) uit\b", r"\bmeld (?:me|mij) af\b",
           r"\bgeen (?:e-?mails?|mails?|nieuwsbrie\w*) meer\b"),
    "it": (r"\bdisiscri", r"\bcancellami\b", r"\bcancella\w* (?:la )?(?:mia )?iscrizione\b", r"\bannulla\w* (?:l'|la )?iscrizione\b",
           r"\bnon (?:voglio|desidero) piu\b", r"\brimuovetemi\b"),
    "fr": (r"\bdesabonn", r"\bdesinscri", r"\bne (?:plus|pas) recevoir\b", r"\bretirez[- ]moi\b", r"\bsupprimez[- ]moi\b"),
    "es": (r"\bdar(?:me)? de baja\b", r"\bdenme de baja\b", r"\bdesuscri", r"\bdesinscri", r"\bcancelar (?:la |mi )?suscripcion\b",
           r"\bno (?:quiero|deseo) (?:mas |seguir )?recibir\b", r"\beliminarme\b"),
    "pl": (r"\bwypis", r"\brezygnuj\w*", r"\bnie chce (?:juz )?(?:otrzymywac|dostawac)\b", r"\busun\w* mnie\b",
           r"\bodsubskryb", r"\banuluj\w* subskrypcj"),
    "hu": (r"\bleiratkoz", r"\biratkoztass\w* ki\b", r"\biratkozz?\w* ki\b", r"\bnem kerek (?:tobb|tovabbi|tobbet)\b",
           r"\btorolj\w* (?:a )?listarol\b"),
    "pt": (r"\bdescadastr", r"\bcancelar (?:a |minha )?(?:inscricao|subscricao|assinatura)\b",
           r"\bnao (?:quero|desejo) (?:mais )?receber\b", r"\bremova[- ]me\b", r"\bremover[- ]me\b", r"\banular (?:a )?subscricao\b"),
}
SUBJECT_ONLY: dict[str, tuple[str, ...]] = {
    "en": ("stop", "remove", "unsubscribe"),
    "de": ("stop", "abmelden"),
    "es": ("baja", "stop"),
    "fr": ("stop",),
    "it": ("stop",),
    "pt": ("stop", "sair"),
    "nl": ("stop",),
}
ALWAYS = ("en",)
"""Languages matched for every client besides its own: the List-Unsubscribe mailto subject is
English ("unsubscribe <address>"), and so are the requests of many readers abroad."""

_COMPILED = {lang: [re.compile(p) for p in pats] for lang, pats in PHRASES.items()}
_SPELLED = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i", "’": "'"})
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|wg|fw|fwd|tr|rv|odp|sv|vs|r|res|ref|antw|doorst|odg|ynt)\s*(?:\[\d+\])?\s*:\s*)+",
                           re.IGNORECASE)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(_SPELLED))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


def languages_for(site_languages) -> tuple[str, ...]:
    """The client's languages that have phrases, plus ``ALWAYS``."""
    out = [language_of(lang) for lang in site_languages]
    return tuple(dict.fromkeys([*(lang for lang in out if lang in PHRASES), *ALWAYS]))


def find_request(text: str, languages, *, subject: bool = False) -> str | None:
    """The phrase in ``text`` that asks to unsubscribe (as written, folded), or None."""
    folded = fold(_REPLY_PREFIX.sub("", text) if subject else text)
    if not folded:
        return None
    if subject:
        bare = folded.strip(" .!-_*[]()")
        for lang in languages:
            if bare in SUBJECT_ONLY.get(lang, ()):
                return bare
    for lang in languages:
        for pattern in _COMPILED.get(lang, ()):
            m = pattern.search(folded)
            if m:
                return m.group(0)
    return None
