"""A client's reply to an approval request, read: approved, declined, or not an answer.

``read_reply(message, pending, current_hash)`` is pure: a parsed email message, the requests
still waiting, and a function giving a campaign's approval hash now. The request is found by
its token (in In-Reply-To / References, the Subject or the text); only a reply FROM the
address it was sent to counts; a yes in the first line before the quote (a well-kept
reply-quote parser, mail-parser-reply, cuts the quote and signature off in many languages)
approves when the campaign's hash still equals the one the token was bound to.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Callable, Iterable

YES = {
    # en, de, cs, sk, fr, it, es, pt, nl, pl, ro, hu, sv, da, no, fi
    "ok", "okay", "okey", "yes", "yep", "approved", "approve", "agreed", "fine", "good", "go", "lgtm",
    "ja", "jawohl", "passt", "freigegeben", "einverstanden", "gut", "genehmigt",
    "ano", "souhlasim", "schvaleno", "schvalujem", "suhlasim", "v poradku", "super",
    "oui", "d'accord", "daccord", "valide", "approuve", "si", "va bene", "approvato", "vale", "de acuerdo",
    "aprobado", "sim", "aprovado", "ja hoor", "akkoord", "goedgekeurd", "prima", "tak", "zgoda",
    "zatwierdzam", "da", "aprob", "de acord", "igen", "rendben", "jovahagyva", "godkand", "godkendt",
    "godkjent", "kylla", "hyvaksytty", "perfect", "perfekt", "perfetto", "perfecto", "parfait",
    # the same in the other forms people write (folded: no accents)
    "schvalene", "schvaluji", "souhlas", "aprobat", "aprobata", "jovahagyom", "akceptuje",
    "approvata", "aprobada", "aprovada", "validee", "valider", "freigabe", "oki",
}
SEND_WORDS = {
    # "send it": a yes when nothing but yes-words stand beside it ("OK, posílejte")
    "posilejte", "poslat", "odeslat", "posli", "odoslat", "raus", "rausschicken", "abschicken", "versenden",
    "verschicken", "envoyer", "envoyez", "invia", "inviate", "enviar", "envialo", "verstuur", "versturen",
    "wyslij", "wysylajcie", "trimite", "trimiteti", "kuldje", "mehet", "envie",
}
FILLER = {
    "so", "is", "it", "all", "alles", "das", "ist", "thanks", "thank", "you", "danke", "vielen", "dank", "dekuji",
    "diky", "merci", "grazie", "gracias", "obrigado", "obrigada", "bedankt", "dziekuje", "multumesc", "koszonom",
    "tack", "tak", "kiitos", "from", "me", "von", "mir", "za", "mne", "pour", "moi", "per", "por", "mi",
    "please", "bitte", "send", "senden", "very", "sehr", "go", "ahead", "je", "to", "es", "c'est", "cest",
    "looks", "sieht", "aus", "great", "toll", "klar", "na", "the", "campaign", "kampagne", "it's", "its",
    "dakujem", "kann", "konnen", "kannst", "vous", "pouvez", "peut", "puede", "puoi", "potete", "muzete",
    "mozete", "mozesz", "kunt", "can", "now", "jetzt", "ted", "teraz", "maintenant", "ora", "ahora",
}
QUOTE_START = re.compile(
    r"^(>|-{2,}\s*(original|ursprüngliche|původní|pôvodná|originální|originale|oorspronkelijk|mensaje original|"
    r"message d'origine)|_{5,}|(from|von|od|de|van|da|från|feladó|de la)\s*:\s|on .* wrote:|am .* schrieb|"
    r"le .+ a écrit|el .+ escribió|il .+ ha scritto|op .+ schreef|dne .+ napsal|dňa .+ napísal|w dniu .+ napisał|"
    r"em .+ escreveu|în .+ a scris|.+ írta:?$)", re.I)
"""Where a quoted original begins, for the languages the reply-quote parser does not know (sk,
ro, hu, pt …) and the mail programs it misses: the line that introduces the quote."""


@dataclass(frozen=True)
class Pending:
    token: str
    """Unguessable, in the request's Message-ID and Subject."""
    campaign: str
    """CLIENT/SLUG."""
    to: str
    """The address the request went to."""
    approval_hash: str
    """The campaign's approval hash when it was requested."""


@dataclass(frozen=True)
class Outcome:
    kind: str
    """approved | declined | wrong_sender | changed | not_a_reply."""
    request: Pending | None
    """The request it answers (None: none found)."""
    text: str = ""
    """The reply's own words (before the quote)."""
    by: str = ""
    """The sender: "Name <address>"."""
    at: str = ""
    """The reply's Date, ISO."""


def _plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    if part is not None:
        return part.get_content()
    part = message.get_body(("html",))
    if part is None:
        return ""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(part.get_content(), "html.parser")
    for quote in soup.find_all("blockquote"):
        quote.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["p", "div"]):
        block.append("\n")
    return soup.get_text()


def own_words(text: str) -> str:
    """The reply before its quote and signature."""
    from mailparser_reply import EmailReplyParser

    cut = EmailReplyParser(languages=["en", "de", "fr", "it", "es", "nl", "pl", "cs", "sv", "da", "pt"]).parse_reply(
        text=text.replace("\r\n", "\n")) or ""
    lines = []
    for line in cut.splitlines():
        if QUOTE_START.match(line.strip()):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def says_yes(words: str) -> bool:
    """The first line holds a yes and nothing but yes-words and thanks."""
    first = next((ln for ln in words.splitlines() if ln.strip()), "")
    folded = _fold(first)
    for phrase in sorted((p for p in YES if " " in p), key=len, reverse=True):
        folded = folded.replace(phrase, " yes ")
    tokens = [t for t in re.split(r"[^\w']+", folded) if t]
    return bool(tokens) and any(t in YES for t in tokens) and all(t in YES or t in FILLER or t in SEND_WORDS
                                                                  for t in tokens)


def _find(message: EmailMessage, text: str, pending: Iterable[Pending]) -> Pending | None:
    hay = " ".join(str(message.get(h, "")) for h in ("In-Reply-To", "References", "Subject")) + " " + text
    return next((p for p in pending if p.token and p.token in hay), None)


def read_reply(message: EmailMessage, pending: Iterable[Pending], current_hash: Callable[[str], str | None]) -> Outcome:
    text = _plain(message)
    request = _find(message, text, list(pending))
    if request is None:
        return Outcome("not_a_reply", None)
    words = own_words(text)
    (name, addr), = getaddresses([str(message.get("From", ""))]) or [("", "")]
    by = f"{name} <{addr}>" if name else addr
    try:
        at = parsedate_to_datetime(str(message.get("Date"))).isoformat()
    except (TypeError, ValueError):
        at = ""
    if addr.lower() != request.to.lower():
        return Outcome("wrong_sender", request, words, by, at)
    if current_hash(request.campaign) != request.approval_hash:
        return Outcome("changed", request, words, by, at)
    return Outcome("approved" if says_yes(words) else "declined", request, words, by, at)
