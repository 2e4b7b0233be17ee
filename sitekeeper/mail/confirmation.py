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

from ..locale.tags import base as base_language

_EN = {
    "subject": "Please confirm: the newsletter of {name}",
    "title": "Please confirm your sign-up",
    "asked": "Someone, hopefully you, asked to receive the newsletter of {name} at {address}.",
    "confirm": "To confirm, simply reply to this email; no text is needed. You may also send us any email "
               "with the code below.",
    "ignore": "If it was not you, ignore this email: without a reply you get nothing, and the request is "
              "forgotten after {days} days.",
    "code": "Code",
}
STRINGS: dict[str, dict[str, str]] = {
    "en": _EN,
    "de": {
        "subject": "Bitte bestätigen: der Newsletter von {name}",
        "title": "Bitte bestätigen Sie Ihre Anmeldung",
        "asked": "Jemand, hoffentlich Sie, möchte den Newsletter von {name} an {address} bekommen.",
        "confirm": "Zum Bestätigen antworten Sie einfach auf diese E-Mail; Text ist nicht nötig. Sie können uns "
                   "auch irgendeine E-Mail mit dem Code unten senden.",
        "ignore": "Waren Sie es nicht, ignorieren Sie diese E-Mail: Ohne Antwort bekommen Sie nichts, und die "
                  "Anfrage wird nach {days} Tagen vergessen.",
        "code": "Code",
    },
    "cs": {
        "subject": "Prosíme o potvrzení: novinky od {name}",
        "title": "Potvrďte prosím přihlášení",
        "asked": "Někdo, snad vy, požádal o zasílání novinek od {name} na adresu {address}.",
        "confirm": "Pro potvrzení na tento e-mail jen odpovězte; text není potřeba. Můžete nám také poslat "
                   "jakýkoli e-mail s kódem níže.",
        "ignore": "Pokud jste to nebyli vy, e-mail ignorujte: bez odpovědi vám nic nepřijde a žádost bude po "
                  "{days} dnech zapomenuta.",
        "code": "Kód",
    },
    "sk": dict(zip(_EN, (
        'Prosíme o potvrdenie: newsletter od {name}',
        'Potvrďte, prosím, prihlásenie',
        'Niekto, dúfajme, že vy, požiadal o zasielanie newslettera od {name} na adresu {address}.',
        'Na potvrdenie na tento e-mail len odpovedzte; text nie je potrebný. Môžete nám poslať aj akýkoľvek e-mail s kódom nižšie.',
        'Ak ste to neboli vy, e-mail ignorujte: bez odpovede vám nič nepríde a žiadosť bude po {days} dňoch zabudnutá.',
        'Kód',
    ))),
    "pl": dict(zip(_EN, (
        'Prosimy o potwierdzenie: newsletter {name}',
        'Potwierdź zapis',
        'Ktoś, mamy nadzieję, że Ty, poprosił o newsletter {name} na adres {address}.',
        'Aby potwierdzić, po prostu odpowiedz na tego e-maila; tekst nie jest potrzebny. Możesz też wysłać nam dowolny e-mail z kodem poniżej.',
        'Jeśli to nie Ty, zignoruj tę wiadomość: bez odpowiedzi nic nie dostaniesz, a prośba zostanie zapomniana po {days} dniach.',
        'Kod',
    ))),
    "fr": dict(zip(_EN, (
        'Merci de confirmer : la lettre d’information de {name}',
        'Confirmez votre abonnement',
        'Quelqu’un, vous sans doute, a demandé à recevoir la lettre d’information de {name} à l’adresse {address}.',
        'Pour confirmer, répondez simplement à cet e-mail ; aucun texte n’est nécessaire. Vous pouvez aussi nous '
        'envoyer n’importe quel e-mail contenant le code ci-dessous.',
        'Si ce n’était pas vous, ignorez cet e-mail : sans réponse, vous ne recevrez rien, et la demande sera oubliée après {days} jours.',
        'Code',
    ))),
    "es": dict(zip(_EN, (
        'Confirme, por favor: el boletín de {name}',
        'Confirme su suscripción',
        'Alguien, esperamos que usted, ha pedido recibir el boletín de {name} en {address}.',
        'Para confirmarlo, basta con responder a este correo; no hace falta escribir nada. También puede enviarnos '
        'cualquier correo con el código de abajo.',
        'Si no fue usted, ignore este correo: sin respuesta no recibirá nada y la solicitud se olvidará a los {days} días.',
        'Código',
    ))),
    "it": dict(zip(_EN, (
        'Conferma, per favore: la newsletter di {name}',
        'Conferma la tua iscrizione',
        'Qualcuno, speriamo tu, ha chiesto di ricevere la newsletter di {name} all’indirizzo {address}.',
        'Per confermare basta rispondere a questa e-mail; non serve scrivere nulla. Puoi anche inviarci una qualsiasi '
        'e-mail con il codice qui sotto.',
        'Se non sei stato tu, ignora questa e-mail: senza risposta non riceverai nulla e la richiesta sarà dimenticata dopo {days} giorni.',
        'Codice',
    ))),
    "nl": dict(zip(_EN, (
        'Graag bevestigen: de nieuwsbrief van {name}',
        'Bevestig uw aanmelding',
        'Iemand, hopelijk u, heeft gevraagd om de nieuwsbrief van {name} op {address} te ontvangen.',
        'Beantwoord deze e-mail om te bevestigen; tekst is niet nodig. U kunt ons ook een willekeurige e-mail met de onderstaande code sturen.',
        'Was u het niet, negeer deze e-mail dan: zonder antwoord krijgt u niets, en het verzoek wordt na {days} dagen vergeten.',
        'Code',
    ))),
    "hu": dict(zip(_EN, (
        'Kérjük, erősítse meg: {name} hírlevele',
        'Erősítse meg a feliratkozást',
        'Valaki, reméljük, Ön, kérte {name} hírlevelét a(z) {address} címre.',
        'A megerősítéshez egyszerűen válaszoljon erre az e-mailre; szöveg nem szükséges. Bármilyen e-mailt is küldhet nekünk az alábbi kóddal.',
        'Ha nem Ön volt, hagyja figyelmen kívül ezt az e-mailt: válasz nélkül semmit sem kap, és a kérést {days} nap után elfelejtjük.',
        'Kód',
    ))),
    "pt": dict(zip(_EN, (
        'Confirme, por favor: a newsletter de {name}',
        'Confirme a sua subscrição',
        'Alguém, esperamos que tenha sido o próprio, pediu para receber a newsletter de {name} em {address}.',
        'Para confirmar, basta responder a este e-mail; não é preciso escrever nada. Também pode enviar-nos qualquer '
        'e-mail com o código abaixo.',
        'Se não foi o próprio, ignore este e-mail: sem resposta não recebe nada, e o pedido é esquecido ao fim de {days} dias.',
        'Código',
    ))),
    "ro": dict(zip(_EN, (
        'Vă rugăm să confirmați: newsletterul de la {name}',
        'Confirmați abonarea',
        'Cineva, sperăm că dumneavoastră, a cerut să primească newsletterul de la {name} la adresa {address}.',
        'Pentru confirmare, răspundeți pur și simplu la acest e-mail; nu e nevoie de text. Ne puteți trimite și orice '
        'e-mail care conține codul de mai jos.',
        'Dacă nu ați fost dumneavoastră, ignorați acest e-mail: fără răspuns nu primiți nimic, iar cererea este uitată după {days} zile.',
        'Cod',
    ))),
}


def words(lang: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The confirmation's words in ``lang`` (English for a language without them)."""
    found = dict(_EN)
    found.update(STRINGS.get(base_language(lang), {}))
    found.update(STRINGS.get(lang, {}))
    if extra:
        found.update({k[len("confirm_"):]: v for k, v in extra.items() if k.startswith("confirm_")})
    return found


def compose_confirmation(cfg, address: str, lang: str, token: str, days: int) -> EmailMessage:
    """The confirmation to ``address`` in ``lang`` (From, Date and Message-ID are notice.py's)."""
    from ..config.business import text_for
    from ..render.newsletter import signup_mailbox
    from ..render.typography import nbsp_html, nbsp_text
    from .message import localized_from
    from .render import BUILTIN_TEMPLATES, _styles, dark_colors, email_logo, on_color

    own = cfg.lang_texts.get(lang)
    w = words(lang, own.email_strings if own else None)
    name = text_for(cfg, lang, "name") or cfg.name
    subject = f"{w['subject'].format(name=name)} [{token}]"
    paragraphs = [w["asked"].format(name=name, address=address), w["confirm"], w["ignore"].format(days=days)]
    logo_url, _, logo_width = email_logo(cfg)
    context = dict(
        lang=lang, site_name=name, site_url=cfg.base_url + "/", site_url_label=urlsplit(cfg.base_url).hostname or "",
        tagline=text_for(cfg, lang, "tagline"), logo_url=logo_url, logo_width=logo_width,
        primary_color=cfg.theme.primary_color, on_primary=on_color(cfg.theme.primary_color),
        link_color=_styles(cfg.theme.primary_color)["link"], **dark_colors(cfg.theme.primary_color),
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
