"""Labels of the built-in email, per language (falls back to English)."""
from __future__ import annotations

STRINGS = {
    "en": {
        "view_online": "View this email in your browser",
        "unsubscribe": "Unsubscribe",
        "reason": "You are receiving this email because you subscribed to news from {name}.",
        "links": "Links",
        "see_offer": "See the offer",
        "unsubscribe_text": "Unsubscribe",
    },
    "de": {
        "view_online": "E-Mail im Browser ansehen",
        "unsubscribe": "Abmelden",
        "reason": "Sie erhalten diese E-Mail, weil Sie den Newsletter von {name} abonniert haben.",
        "links": "Links",
        "see_offer": "Zum Angebot",
        "unsubscribe_text": "Abmelden",
    },
    "cs": {
        "view_online": "Zobrazit e-mail v prohlížeči",
        "unsubscribe": "Odhlásit odběr",
        "reason": "Tento e-mail dostáváte, protože jste se přihlásili k odběru novinek od {name}.",
        "links": "Odkazy",
        "see_offer": "Zobrazit nabídku",
        "unsubscribe_text": "Odhlásit odběr",
    },
    "fr": {
        "view_online": "Voir cet e-mail dans votre navigateur",
        "unsubscribe": "Se désabonner",
        "reason": "Vous recevez cet e-mail car vous êtes abonné(e) aux actualités de {name}.",
        "links": "Liens",
        "see_offer": "Voir l'offre",
        "unsubscribe_text": "Se désabonner",
    },
}


def strings(lang: str) -> dict[str, str]:
    base = STRINGS["en"]
    return {**base, **STRINGS.get(lang, STRINGS.get(lang.split("-")[0], {}))}
