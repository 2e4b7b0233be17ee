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
    "sv": (r"\bavregistr", r"\bavprenumer", r"\bavsluta\w* (?:min )?prenumeration", r"\bavanmal", r"\bta bort mig\b"),
    "da": (r"\bafmeld", r"\bframeld", r"\bopsig\w* (?:mit )?abonnement", r"\bslet mig\b"),
    "nb": (r"\bmeld (?:meg )?av\b", r"\bavmeld", r"\bavslutt\w* (?:mitt )?abonnement", r"\bfjern meg\b"),
    "is": (r"\bafskra", r"\bhaett\w* askrift", r"\btakid mig af\b"),
    "fi": (r"\bperu\w* (?:\w+ )?tilau", r"\blopeta\w* tilau", r"\bpoista(?:kaa)? minut\b"),
    "et": (r"\bloobu", r"\bloobun", r"\beemalda(?:ge)? mind\b"),
    "lv": (r"\batteik", r"\batrakstit", r"\bizslegt\w* mani\b"),
    "lt": (r"\batsisak", r"\bpasalin\w* mane\b"),
    "hr": (r"\bodjav", r"\bmaknite me\b", r"\bne zelim (?:vise )?primati\b"),
    "sl": (r"\bodjav", r"\bne zelim (?:vec )?prejemati\b", r"\bodstranite me\b"),
    "bg": (r"\bотпи[сш]", r"\bпремахнете ме\b", r"\bне искам (?:повече )?да получавам\b"),
    "el": (r"\bδιαγραφ", r"\bκαταργηση (?:της )?εγγραφης\b", r"\bαφαιρεστε με\b"),
    "ga": (r"\bdiliostail", r"\bbain (?:den liosta )?me\b"),
    "mt": (r"\bħassar", r"\bneħħini\b", r"\bma (?:rridx|nixtieqx) (?:aktar )?nircievi\b"),
    "tr": (r"\babonelikten cik", r"\baboneligi\w* iptal", r"\blisteden cikar"),
    "uk": (r"\bвідпи[сш]", r"\bвидаліть мене\b", r"\bне (?:хочу|бажаю) (?:більше )?отримувати\b"),
    "ru": (r"\bотпи[сш]", r"\bудалите меня\b", r"\bне (?:хочу|желаю) (?:больше )?получать\b"),
    "ar": (r"الغاء (?:ال)?اشتراك", r"\bازالتي\b", r"\bلا (?:اريد|ارغب) (?:في )?(?:تلقي|استلام)\b"),
    "he": (r"\bהסרה\b", r"\bלהסיר\b", r"\bהסירו אותי\b"),
    "ja": (r"配信停止", r"配信を停止", r"購読解除", r"購読を解除", r"登録解除"),
    "ko": (r"수신\s?거부", r"구독\s?(?:취소|해지)"),
    "zh": (r"退订", r"退訂", r"取消订阅", r"取消訂閱"),
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

_SPELLED = str.maketrans({"ł": "l", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ı": "i", "’": "'", "ð": "d", "þ": "th"})
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|wg|fw|fwd|tr|rv|odp|sv|vs|r|res|ref|antw|doorst|odg|ynt)\s*(?:\[\d+\])?\s*:\s*)+",
                           re.IGNORECASE)


def _folded_pattern(pattern: str) -> str:
    """A pattern in the form text takes once folded (Hangul syllables decompose under NFKD)."""
    pattern = unicodedata.normalize("NFKD", pattern)
    return "".join(ch for ch in pattern if not unicodedata.combining(ch))


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(_SPELLED))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip()


_COMPILED = {lang: [re.compile(_folded_pattern(p)) for p in pats] for lang, pats in PHRASES.items()}


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
            if bare in SUBJECT_ONLY.get(lang, SUBJECT_ONLY.get(language_of(lang), ())):
                return bare
    for lang in languages:
        for pattern in _COMPILED.get(lang) or _COMPILED.get(language_of(lang)) or []:
            m = pattern.search(folded)
            if m:
                return m.group(0)
    return None
