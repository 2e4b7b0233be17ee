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

The words are per language here (English for a language without them; ``[lang.<code>]
strings`` overrides any of them).
"""
from __future__ import annotations

import unicodedata
from email.utils import parseaddr
from typing import Mapping
from urllib.parse import quote

from ..config.business import path_word
from ..locale.tags import base as base_language

UNSUBSCRIBE_WORD = "unsubscribe"
"""The unsubscribe page's folder under the newsletter folder (the same in every language)."""

_EN = {
    "unsub_title": "Unsubscribe from the newsletter",
    "unsub_lead": "One tap opens an email to us that is already written. Send it, and no further "
                  "newsletter reaches your address. Nothing else changes.",
    "unsub_button": "Write the unsubscribe email",
    "unsub_for": "For {address}",
    "unsub_plain": "No button, or another address? Write to {mailbox} from the address that should get no more "
                   "newsletters, with the subject “unsubscribe”.",
    "unsub_when": "We record it the next time we read our mail, within two days at the latest.",
    "unsub_subject": "unsubscribe",
    "signup_heading": "Newsletter",
    "signup_page_heading": "Subscribe",
    "signup_lead": "Our news and offers by email.",
    "signup_how": "One tap opens an email to us. Send it, and we answer with a confirmation email: only when you "
                  "reply to that are you on the list. Every newsletter has a link to unsubscribe.",
    "signup_button": "Subscribe by email",
    "signup_subject": "Subscribe to the newsletter",
    "signup_body": "Please add me to your newsletter.",
    "signup_plain": "Or write to {mailbox} with the subject “{subject}”.",
}

STRINGS: dict[str, dict[str, str]] = {
    "en": _EN,
    "de": {
        "unsub_title": "Vom Newsletter abmelden",
        "unsub_lead": "Ein Tipp öffnet eine fertig geschriebene E-Mail an uns. Senden Sie sie ab, und an Ihre "
                      "Adresse geht kein Newsletter mehr. Sonst ändert sich nichts.",
        "unsub_button": "Abmelde-E-Mail schreiben",
        "unsub_for": "Für {address}",
        "unsub_plain": "Kein Knopf, oder eine andere Adresse? Schreiben Sie von der Adresse, die keinen Newsletter "
                       "mehr bekommen soll, an {mailbox} mit dem Betreff „abmelden“.",
        "unsub_when": "Wir tragen es ein, sobald wir unsere Post lesen, spätestens nach zwei Tagen.",
        "unsub_subject": "abmelden",
        "signup_heading": "Newsletter",
        "signup_page_heading": "Abonnieren",
        "signup_lead": "Unsere Neuigkeiten und Angebote per E-Mail.",
        "signup_how": "Ein Tipp öffnet eine E-Mail an uns. Senden Sie sie ab, und wir antworten mit einer "
                      "Bestätigungs-E-Mail: Erst wenn Sie darauf antworten, stehen Sie auf der Liste. Jeder "
                      "Newsletter enthält einen Link zum Abmelden.",
        "signup_button": "Per E-Mail abonnieren",
        "signup_subject": "Newsletter abonnieren",
        "signup_body": "Bitte nehmen Sie mich in Ihren Newsletter auf.",
        "signup_plain": "Oder schreiben Sie an {mailbox} mit dem Betreff „{subject}“.",
    },
    "cs": {
        "unsub_title": "Odhlášení z odběru novinek",
        "unsub_lead": "Jedním klepnutím otevřete předem napsaný e-mail pro nás. Odešlete ho a na vaši adresu už "
                      "žádné novinky nepřijdou. Nic jiného se nemění.",
        "unsub_button": "Napsat e-mail s odhlášením",
        "unsub_for": "Pro adresu {address}",
        "unsub_plain": "Tlačítko nefunguje, nebo jde o jinou adresu? Napište z adresy, na kterou už novinky nemají "
                       "chodit, na {mailbox} s předmětem „odhlásit“.",
        "unsub_when": "Zapíšeme to, jakmile si přečteme poštu, nejpozději do dvou dnů.",
        "unsub_subject": "odhlásit",
        "signup_heading": "Novinky e-mailem",
        "signup_page_heading": "Přihlášení k odběru",
        "signup_lead": "Naše novinky a nabídky e-mailem.",
        "signup_how": "Jedním klepnutím otevřete e-mail pro nás. Odešlete ho a my odpovíme potvrzovacím e-mailem: "
                      "na seznamu budete, až když na něj odpovíte. Každý e-mail s novinkami obsahuje odkaz "
                      "k odhlášení.",
        "signup_button": "Přihlásit se e-mailem",
        "signup_subject": "Přihlásit k odběru novinek",
        "signup_body": "Prosím, přihlaste mě k odběru vašich novinek.",
        "signup_plain": "Nebo napište na {mailbox} s předmětem „{subject}“.",
    },
    "sk": dict(zip(_EN, (
        'Odhlásenie z odberu noviniek',
        'Jedným ťuknutím otvoríte vopred napísaný e-mail pre nás. Odošlite ho a na vašu adresu už nepríde žiadny newsletter. Nič iné sa nemení.',
        'Napísať e-mail s odhlásením',
        'Pre adresu {address}',
        'Tlačidlo nefunguje alebo ide o inú adresu? Napíšte z adresy, na ktorú už newsletter nemá chodiť, na {mailbox} s predmetom „odhlásiť“.',
        'Zapíšeme to, keď si prečítame poštu, najneskôr do dvoch dní.',
        'odhlásiť',
        'Newsletter',
        'Prihlásenie na odber',
        'Naše novinky a ponuky e-mailom.',
        'Jedným ťuknutím otvoríte e-mail pre nás. Odošlite ho a my odpovieme potvrdzovacím e-mailom: na zozname budete, '
        'až keď naň odpoviete. Každý newsletter obsahuje odkaz na odhlásenie.',
        'Prihlásiť sa e-mailom',
        'Prihlásiť na odber noviniek',
        'Prosím, prihláste ma na odber vášho newslettera.',
        'Alebo napíšte na {mailbox} s predmetom „{subject}“.',
    ))),
    "pl": dict(zip(_EN, (
        'Rezygnacja z newslettera',
        'Jedno dotknięcie otwiera gotowy e-mail do nas. Wyślij go, a na Twój adres nie przyjdzie już żaden newsletter. '
        'Nic więcej się nie zmienia.',
        'Napisz e-mail z rezygnacją',
        'Dla adresu {address}',
        'Przycisk nie działa albo chodzi o inny adres? Napisz z adresu, na który newsletter ma już nie przychodzić, na '
        '{mailbox} z tematem „wypisz”.',
        'Zapiszemy to, gdy przeczytamy pocztę, najpóźniej w ciągu dwóch dni.',
        'wypisz',
        'Newsletter',
        'Zapisz się',
        'Nasze nowości i oferty e-mailem.',
        'Jedno dotknięcie otwiera e-mail do nas. Wyślij go, a odpowiemy e-mailem z prośbą o potwierdzenie: na liście '
        'znajdziesz się dopiero po odpowiedzi na niego. Każdy newsletter zawiera link do rezygnacji.',
        'Zapisz się e-mailem',
        'Zapis na newsletter',
        'Proszę o zapisanie mnie na Wasz newsletter.',
        'Albo napisz na {mailbox} z tematem „{subject}”.',
    ))),
    "fr": dict(zip(_EN, (
        'Se désabonner de la lettre d’information',
        'Un geste ouvre un e-mail déjà rédigé à notre intention. Envoyez-le, et plus aucune lettre d’information '
        'n’arrivera à votre adresse. Rien d’autre ne change.',
        'Écrire l’e-mail de désabonnement',
        'Pour {address}',
        'Pas de bouton, ou une autre adresse ? Écrivez à {mailbox} depuis l’adresse qui ne doit plus recevoir la '
        'lettre, avec l’objet « désabonner ».',
        'Nous l’enregistrons à la prochaine lecture de notre courrier, au plus tard sous deux jours.',
        'désabonner',
        'Lettre d’information',
        'S’abonner',
        'Nos nouvelles et nos offres par e-mail.',
        'Un geste ouvre un e-mail à notre intention. Envoyez-le, et nous répondons par un e-mail de confirmation : vous '
        'n’êtes sur la liste qu’après y avoir répondu. Chaque lettre contient un lien pour se désabonner.',
        'S’abonner par e-mail',
        'Abonnement à la lettre d’information',
        'Merci de m’inscrire à votre lettre d’information.',
        'Ou écrivez à {mailbox} avec l’objet « {subject} ».',
    ))),
    "es": dict(zip(_EN, (
        'Darse de baja del boletín',
        'Un toque abre un correo ya escrito para nosotros. Envíelo y no llegará ningún boletín más a su dirección. Nada más cambia.',
        'Escribir el correo de baja',
        'Para {address}',
        '¿No hay botón, o es otra dirección? Escriba a {mailbox} desde la dirección que ya no debe recibir boletines, '
        'con el asunto «darme de baja».',
        'Lo registramos la próxima vez que leamos el correo, como muy tarde en dos días.',
        'darme de baja',
        'Boletín',
        'Suscribirse',
        'Nuestras novedades y ofertas por correo electrónico.',
        'Un toque abre un correo para nosotros. Envíelo y le responderemos con un correo de confirmación: solo estará '
        'en la lista cuando responda a ese correo. Cada boletín incluye un enlace para darse de baja.',
        'Suscribirse por correo',
        'Suscripción al boletín',
        'Por favor, inclúyanme en su boletín.',
        'O escriba a {mailbox} con el asunto «{subject}».',
    ))),
    "it": dict(zip(_EN, (
        'Annulla l’iscrizione alla newsletter',
        'Un tocco apre un’e-mail già scritta per noi. Inviala e al tuo indirizzo non arriverà più nessuna newsletter. Nient’altro cambia.',
        'Scrivi l’e-mail di cancellazione',
        'Per {address}',
        'Nessun pulsante, o un altro indirizzo? Scrivi a {mailbox} dall’indirizzo che non deve più ricevere la '
        'newsletter, con oggetto «disiscrivimi».',
        'Lo registriamo alla prossima lettura della posta, al più tardi entro due giorni.',
        'disiscrivimi',
        'Newsletter',
        'Iscriviti',
        'Le nostre novità e offerte via e-mail.',
        'Un tocco apre un’e-mail per noi. Inviala e ti risponderemo con un’e-mail di conferma: sarai nella lista solo '
        'dopo aver risposto. Ogni newsletter contiene un link per annullare l’iscrizione.',
        'Iscriviti via e-mail',
        'Iscrizione alla newsletter',
        'Vi prego di iscrivermi alla vostra newsletter.',
        'Oppure scrivi a {mailbox} con oggetto «{subject}».',
    ))),
    "nl": dict(zip(_EN, (
        'Afmelden voor de nieuwsbrief',
        'Eén tik opent een kant-en-klare e-mail aan ons. Verstuur hem, en er komt geen nieuwsbrief meer naar uw adres. '
        'Verder verandert er niets.',
        'Afmeldmail schrijven',
        'Voor {address}',
        'Geen knop, of een ander adres? Schrijf vanaf het adres dat geen nieuwsbrief meer moet krijgen naar {mailbox}, '
        'met als onderwerp ‘afmelden’.',
        'We verwerken het zodra we onze post lezen, uiterlijk binnen twee dagen.',
        'afmelden',
        'Nieuwsbrief',
        'Aanmelden',
        'Ons nieuws en onze aanbiedingen per e-mail.',
        'Eén tik opent een e-mail aan ons. Verstuur hem, en we antwoorden met een bevestigingsmail: pas als u daarop '
        'antwoordt, staat u op de lijst. Elke nieuwsbrief bevat een link om af te melden.',
        'Aanmelden per e-mail',
        'Aanmelden voor de nieuwsbrief',
        'Graag wil ik uw nieuwsbrief ontvangen.',
        'Of schrijf naar {mailbox} met als onderwerp ‘{subject}’.',
    ))),
    "hu": dict(zip(_EN, (
        'Leiratkozás a hírlevélről',
        'Egy érintés megnyit egy nekünk szóló, előre megírt e-mailt. Küldje el, és a címére több hírlevél nem érkezik. Más nem változik.',
        'Leiratkozó e-mail írása',
        'Cím: {address}',
        'Nincs gomb, vagy másik címről van szó? Írjon arról a címről, amelyre már nem kér hírlevelet, a(z) {mailbox} '
        'címre „leiratkozás” tárggyal.',
        'Amint elolvassuk a leveleinket, rögzítjük, legkésőbb két napon belül.',
        'leiratkozás',
        'Hírlevél',
        'Feliratkozás',
        'Híreink és ajánlataink e-mailben.',
        'Egy érintés megnyit egy nekünk szóló e-mailt. Küldje el, és egy megerősítő e-maillel válaszolunk: csak akkor '
        'kerül a listára, ha arra válaszol. Minden hírlevélben van leiratkozási link.',
        'Feliratkozás e-mailben',
        'Feliratkozás a hírlevélre',
        'Kérem, vegyenek fel a hírlevelük címzettjei közé.',
        'Vagy írjon a(z) {mailbox} címre „{subject}” tárggyal.',
    ))),
    "pt": dict(zip(_EN, (
        'Cancelar a subscrição da newsletter',
        'Um toque abre um e-mail para nós já escrito. Envie-o e não chegará mais nenhuma newsletter ao seu endereço. Nada mais muda.',
        'Escrever o e-mail de cancelamento',
        'Para {address}',
        'Sem botão, ou outro endereço? Escreva para {mailbox} a partir do endereço que deixa de receber a newsletter, '
        'com o assunto «cancelar a subscrição».',
        'Registamos o pedido quando lermos o correio, no máximo em dois dias.',
        'cancelar a subscrição',
        'Newsletter',
        'Subscrever',
        'As nossas novidades e ofertas por e-mail.',
        'Um toque abre um e-mail para nós. Envie-o e respondemos com um e-mail de confirmação: só fica na lista quando '
        'responder a esse e-mail. Cada newsletter tem uma ligação para cancelar a subscrição.',
        'Subscrever por e-mail',
        'Subscrever a newsletter',
        'Por favor, incluam-me na vossa newsletter.',
        'Ou escreva para {mailbox} com o assunto «{subject}».',
    ))),
    "ro": dict(zip(_EN, (
        'Dezabonare de la newsletter',
        'O atingere deschide un e-mail către noi, deja scris. Trimiteți-l și la adresa dumneavoastră nu mai ajunge '
        'niciun newsletter. Nimic altceva nu se schimbă.',
        'Scrieți e-mailul de dezabonare',
        'Pentru {address}',
        'Niciun buton sau altă adresă? Scrieți la {mailbox} de pe adresa care nu mai trebuie să primească newsletterul, '
        'cu subiectul „dezabonare”.',
        'Îl înregistrăm când ne citim corespondența, cel târziu în două zile.',
        'dezabonare',
        'Newsletter',
        'Abonare',
        'Noutățile și ofertele noastre prin e-mail.',
        'O atingere deschide un e-mail către noi. Trimiteți-l și vă răspundem cu un e-mail de confirmare: ajungeți pe '
        'listă doar după ce răspundeți la el. Fiecare newsletter conține un link de dezabonare.',
        'Abonare prin e-mail',
        'Abonare la newsletter',
        'Vă rog să mă abonați la newsletterul dumneavoastră.',
        'Sau scrieți la {mailbox} cu subiectul „{subject}”.',
    ))),
}
KEYS = tuple(_EN)


def text(lang: str, key: str, extra: Mapping[str, str] | None = None) -> str:
    """The word ``key`` in ``lang`` (``de-AT``: ``de``; English for a language without it)."""
    if extra and key in extra:
        return extra[key]
    for code in (lang, base_language(lang)):
        found = STRINGS.get(code, {}).get(key)
        if found:
            return found
    return _EN[key]


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
    words = [(lang, sorted(STRINGS.get(lang, STRINGS.get(base_language(lang), _EN)).items())) for lang in cfg.languages]
    return (has_unsubscribe_page(cfg) and optout_mailbox(cfg), has_signup(cfg) and signup_mailbox(cfg), words)


def language_problems(cfg) -> list:
    """A warning per site language without the sign-up and unsubscribe words (shown in English)."""
    from ..errors import Diagnostic

    if not (has_unsubscribe_page(cfg) or has_signup(cfg)):
        return []
    found = []
    for lang in cfg.languages:
        own = _own(cfg, lang) or {}
        missing = [k for k in KEYS if k not in own and not (STRINGS.get(lang) or STRINGS.get(base_language(lang)))]
        if missing:
            found.append(Diagnostic(
                cfg.path, cfg.line_of("", "languages"),
                f"{lang!r} has no built-in words for the unsubscribe page and the sign-up block: they are shown "
                f"in English ({', '.join(missing)})",
                f"add them to site.toml under [lang.{lang}] as `strings = {{ {missing[0]} = \"…\", … }}` "
                f"(built in: {', '.join(sorted(STRINGS))})", severity="warning"))
    return found
