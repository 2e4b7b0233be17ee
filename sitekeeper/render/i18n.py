"""UI strings of the built-in theme, per language.

Templates call ``t(key)``; the builder binds it to the page's language. Every key exists
in every language listed here (tests hold them to that); a site may add or override
strings per language with ``[lang.<code>] strings = {...}`` in site.toml, which is also how
a language not listed here gets its words. ``missing_keys`` names what a language lacks:
such a language shows those words in English, and ``check`` warns once per language
(``--strict`` fails).
"""
from __future__ import annotations

from typing import Mapping

from ..locale.tags import base as _base

_KEYS = (
    "skip_to_content menu main_navigation footer_navigation language read_more page_not_found not_found_text "
    "back_home published promotion promotion_until promotion_from offer offer_valid see_offer latest feed "
    "all_rights home tags back_to_top opening_hours closed closed_on phone email address show_map follow_us "
    "contact call_us valid_until day_mon day_tue day_wed day_thu day_fri day_sat day_sun newsletters"
).split()

# Each language as one table; weekday names are short forms as shops write them on the door.
_TABLE = {
    "en": [
        "Skip to content", "Menu", "Main navigation", "Footer navigation", "Language", "Read more",
        "Page not found", "Sorry, we could not find this page. It may have moved, or the link may be mistyped.",
        "Back to the home page", "Published", "Promotion", "until", "from", "Special offer", "Valid",
        "See the offer", "Latest", "News feed (Atom)", "All rights reserved.", "Home", "Tags", "Back to top",
        "Opening hours", "Closed", "Closed on", "Phone", "Email", "Address", "Show on the map", "Follow us",
        "Contact", "Call us", "Valid until", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Newsletters",
    ],
    "de": [
        "Zum Inhalt springen", "Menü", "Hauptnavigation", "Fußzeilen-Navigation", "Sprache", "Weiterlesen",
        "Seite nicht gefunden",
        "Diese Seite gibt es leider nicht (mehr). Vielleicht ist sie umgezogen, oder der Link enthält einen Tippfehler.",
        "Zur Startseite", "Veröffentlicht", "Aktion", "bis", "ab", "Angebot", "Gültig", "Zum Angebot", "Aktuelles",
        "Neuigkeiten-Feed (Atom)", "Alle Rechte vorbehalten.", "Startseite", "Schlagwörter", "Nach oben",
        "Öffnungszeiten", "Geschlossen", "Geschlossen am", "Telefon", "E-Mail", "Adresse", "Auf der Karte zeigen",
        "Folgen Sie uns", "Kontakt", "Rufen Sie uns an", "Gültig bis", "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So", "Newsletter",
    ],
    "cs": [
        "Přejít na obsah", "Menu", "Hlavní navigace", "Navigace v zápatí", "Jazyk", "Číst dále", "Stránka nenalezena",
        "Tuto stránku jsme bohužel nenašli. Možná byla přesunuta, nebo je v odkazu překlep.",
        "Zpět na úvodní stránku", "Zveřejněno", "Akce", "do", "od", "Zvláštní nabídka", "Platí", "Zobrazit nabídku",
        "Novinky", "Kanál novinek (Atom)", "Všechna práva vyhrazena.", "Úvod", "Štítky", "Nahoru",
        "Otevírací doba", "Zavřeno", "Zavřeno", "Telefon", "E-mail", "Adresa", "Zobrazit na mapě", "Sledujte nás",
        "Kontakt", "Zavolejte nám", "Platí do", "Po", "Út", "St", "Čt", "Pá", "So", "Ne", "Zpravodaje",
    ],
    "sk": [
        "Prejsť na obsah", "Menu", "Hlavná navigácia", "Navigácia v päte stránky", "Jazyk", "Čítať ďalej",
        "Stránka sa nenašla", "Túto stránku sme, žiaľ, nenašli. Možno bola presunutá alebo je v odkaze preklep.",
        "Späť na úvodnú stránku", "Zverejnené", "Akcia", "do", "od", "Špeciálna ponuka", "Platí", "Zobraziť ponuku",
        "Novinky", "Kanál noviniek (Atom)", "Všetky práva vyhradené.", "Úvod", "Štítky", "Nahor",
        "Otváracie hodiny", "Zatvorené", "Zatvorené", "Telefón", "E-mail", "Adresa", "Zobraziť na mape",
        "Sledujte nás", "Kontakt", "Zavolajte nám", "Platí do", "Po", "Ut", "St", "Št", "Pi", "So", "Ne", "Spravodaje",
    ],
    "ro": [
        "Salt la conținut", "Meniu", "Navigare principală", "Navigare în subsol", "Limbă", "Citește mai mult",
        "Pagina nu a fost găsită",
        "Ne pare rău, nu am găsit această pagină. Poate a fost mutată sau linkul conține o greșeală.",
        "Înapoi la pagina principală", "Publicat", "Promoție", "până la", "de la", "Ofertă specială", "Valabil",
        "Vezi oferta", "Noutăți", "Flux de noutăți (Atom)", "Toate drepturile rezervate.", "Acasă", "Etichete",
        "Înapoi sus", "Program", "Închis", "Închis pe", "Telefon", "E-mail", "Adresă", "Vezi pe hartă",
        "Urmărește-ne", "Contact", "Sună-ne", "Valabil până la", "Lun", "Mar", "Mie", "Joi", "Vin", "Sâm", "Dum", "Buletine informative",
    ],
    "fr": [
        "Aller au contenu", "Menu", "Navigation principale", "Navigation de pied de page", "Langue", "Lire la suite",
        "Page introuvable",
        "Désolés, cette page est introuvable. Elle a peut-être été déplacée, ou le lien contient une faute de frappe.",
        "Retour à l’accueil", "Publié le", "Promotion", "jusqu’au", "à partir du", "Offre spéciale", "Valable",
        "Voir l’offre", "Actualités", "Flux d’actualités (Atom)", "Tous droits réservés.", "Accueil", "Mots-clés",
        "Haut de page", "Horaires d’ouverture", "Fermé", "Fermé le", "Téléphone", "E-mail", "Adresse",
        "Voir sur la carte", "Suivez-nous", "Contact", "Appelez-nous", "Valable jusqu’au",
        "lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.", "Lettres d’information",
    ],
    "es": [
        "Saltar al contenido", "Menú", "Navegación principal", "Navegación del pie de página", "Idioma", "Leer más",
        "Página no encontrada",
        "Lo sentimos, no encontramos esta página. Puede que se haya movido o que el enlace tenga un error.",
        "Volver a la página de inicio", "Publicado", "Promoción", "hasta el", "desde el", "Oferta especial", "Válido",
        "Ver la oferta", "Novedades", "Canal de novedades (Atom)", "Todos los derechos reservados.", "Inicio",
        "Etiquetas", "Volver arriba", "Horario", "Cerrado", "Cerrado el", "Teléfono", "Correo electrónico",
        "Dirección", "Ver en el mapa", "Síguenos", "Contacto", "Llámanos", "Válido hasta el",
        "lun", "mar", "mié", "jue", "vie", "sáb", "dom", "Boletines",
    ],
    "it": [
        "Vai al contenuto", "Menu", "Navigazione principale", "Navigazione a piè di pagina", "Lingua",
        "Leggi di più", "Pagina non trovata",
        "Spiacenti, non abbiamo trovato questa pagina. Potrebbe essere stata spostata, oppure il link contiene un errore.",
        "Torna alla pagina iniziale", "Pubblicato", "Promozione", "fino al", "dal", "Offerta speciale", "Valida",
        "Vedi l’offerta", "Novità", "Feed delle novità (Atom)", "Tutti i diritti riservati.", "Home", "Tag",
        "Torna su", "Orari di apertura", "Chiuso", "Chiuso il", "Telefono", "E-mail", "Indirizzo",
        "Vedi sulla mappa", "Seguici", "Contatti", "Chiamaci", "Valida fino al",
        "lun", "mar", "mer", "gio", "ven", "sab", "dom", "Newsletter",
    ],
    "nl": [
        "Naar de inhoud", "Menu", "Hoofdnavigatie", "Navigatie in de voettekst", "Taal", "Lees meer",
        "Pagina niet gevonden",
        "Sorry, we konden deze pagina niet vinden. Misschien is ze verplaatst, of bevat de link een tikfout.",
        "Terug naar de startpagina", "Gepubliceerd", "Actie", "tot", "vanaf", "Speciale aanbieding", "Geldig",
        "Bekijk de aanbieding", "Nieuws", "Nieuwsfeed (Atom)", "Alle rechten voorbehouden.", "Home", "Labels",
        "Naar boven", "Openingstijden", "Gesloten", "Gesloten op", "Telefoon", "E-mail", "Adres",
        "Bekijk op de kaart", "Volg ons", "Contact", "Bel ons", "Geldig tot", "ma", "di", "wo", "do", "vr", "za", "zo", "Nieuwsbrieven",
    ],
    "pl": [
        "Przejdź do treści", "Menu", "Nawigacja główna", "Nawigacja w stopce", "Język", "Czytaj dalej",
        "Nie znaleziono strony",
        "Niestety nie znaleźliśmy tej strony. Mogła zostać przeniesiona albo link zawiera literówkę.",
        "Wróć na stronę główną", "Opublikowano", "Promocja", "do", "od", "Oferta specjalna", "Ważna",
        "Zobacz ofertę", "Aktualności", "Kanał aktualności (Atom)", "Wszelkie prawa zastrzeżone.",
        "Strona główna", "Tagi", "Do góry", "Godziny otwarcia", "Zamknięte", "Zamknięte w dniu", "Telefon",
        "E-mail", "Adres", "Pokaż na mapie", "Obserwuj nas", "Kontakt", "Zadzwoń do nas", "Ważna do",
        "pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz.", "Biuletyny",
    ],
    "hu": [
        "Ugrás a tartalomra", "Menü", "Főmenü", "Lábléc menü", "Nyelv", "Tovább olvasom", "Az oldal nem található",
        "Sajnáljuk, ezt az oldalt nem találjuk. Lehet, hogy elköltözött, vagy elírás van a linkben.",
        "Vissza a kezdőlapra", "Közzétéve", "Akció", "-ig", "-tól", "Különleges ajánlat", "Érvényes",
        "Megnézem az ajánlatot", "Friss hírek", "Hírcsatorna (Atom)", "Minden jog fenntartva.", "Kezdőlap",
        "Címkék", "Vissza a tetejére", "Nyitvatartás", "Zárva", "Zárva", "Telefon", "E-mail", "Cím",
        "Megnézem a térképen", "Kövessen minket", "Kapcsolat", "Hívjon minket", "Érvényes eddig:",
        "H", "K", "Sze", "Cs", "P", "Szo", "V", "Hírlevelek",
    ],
    "pt": [
        "Saltar para o conteúdo", "Menu", "Navegação principal", "Navegação do rodapé", "Idioma", "Ler mais",
        "Página não encontrada",
        "Lamentamos, não encontrámos esta página. Pode ter mudado de endereço, ou o link tem um erro.",
        "Voltar à página inicial", "Publicado", "Promoção", "até", "a partir de", "Oferta especial", "Válido",
        "Ver a oferta", "Novidades", "Feed de novidades (Atom)", "Todos os direitos reservados.", "Início",
        "Etiquetas", "Voltar ao topo", "Horário", "Fechado", "Fechado a", "Telefone", "E-mail", "Morada",
        "Ver no mapa", "Siga-nos", "Contacto", "Ligue-nos", "Válido até", "seg", "ter", "qua", "qui", "sex", "sáb", "dom", "Newsletters",
    ],
}

STRINGS: dict[str, dict[str, str]] = {lang: dict(zip(_KEYS, words)) for lang, words in _TABLE.items()}
KEYS: tuple[str, ...] = tuple(_KEYS)
"""Every key a language needs."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def base_language(lang: str) -> str:
    return _base(lang)


def strings_for(lang: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every string known for ``lang`` (``de-AT`` uses ``de``), with the site's own on top."""
    found = dict(STRINGS.get(lang) or STRINGS.get(base_language(lang)) or {})
    if extra:
        found.update(extra)
    return found


def missing_keys(lang: str, extra: Mapping[str, str] | None = None) -> list[str]:
    """The keys ``lang`` has no string for (built in or from the site)."""
    have = strings_for(lang, extra)
    return [k for k in KEYS if k not in have]


def t(lang: str, key: str, extra: Mapping[str, str] | None = None) -> str:
    """The UI string ``key`` in ``lang``.

    ``check`` refuses a site whose languages lack strings, so a missing one here falls
    back to English (a preview still renders); an unknown key is a theme bug: KeyError.
    """
    if extra and key in extra:
        return extra[key]
    for code in (lang, base_language(lang), "en"):
        strings = STRINGS.get(code)
        if strings is not None and key in strings:
            return strings[key]
    raise KeyError(f"unknown UI string {key!r} (add it to every language in sitekeeper/render/i18n.py)")


def language_problems(cfg) -> list:
    """A warning per site language without every UI string: those words are shown in English."""
    from ..errors import Diagnostic

    found = []
    for lang in cfg.languages:
        own = cfg.lang_texts.get(lang)
        missing = missing_keys(lang, own.strings if own else None)
        if missing:
            known = ", ".join(sorted(STRINGS))
            what = "all" if len(missing) == len(KEYS) else str(len(missing))
            found.append(Diagnostic(
                cfg.path, cfg.line_of("", "languages"),
                f"{lang!r} has no built-in theme strings: {what} {len(KEYS)} of the theme's words are shown "
                f"in English ({', '.join(missing)})",
                f"add them to site.toml under [lang.{lang}] as `strings = {{ {missing[0]} = \"…\", … }}` "
                f"(built in: {known})", severity="warning"))
    return found
