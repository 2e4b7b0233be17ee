"""The report's own words, dates and numbers, per language, without a locale database.

Every key exists in every language of the site theme (render/i18n.py's twelve); tests hold
them to that. Placeholders in braces (``{n}``, ``{date}``) are filled by ``say``.
"""
from __future__ import annotations

from datetime import datetime

from ..locale import dates as _dates
from ..locale.tags import base as _base

LANGUAGES = ("en", "de", "cs", "sk", "ro", "nl", "it", "fr", "es", "pl", "hu", "pt")

KEYS = (
    "title", "period", "prepared", "summary", "nothing", "site", "pages_added", "pages_changed", "pages_removed",
    "page", "address", "scheduled", "other_files", "work", "date", "change", "by", "publishes", "target",
    "uploaded", "deleted", "transferred", "promotions", "window", "send_at", "approval", "approved",
    "not_approved", "void", "campaigns", "campaign", "reached", "failed", "uncertain", "skipped", "optouts",
    "optouts_none", "pulls", "approvals", "gaps", "gaps_intro", "gap_store", "gap_git", "gap_history",
    "gap_publish", "gap_send", "r_already_sent", "r_unsubscribed", "r_no_consent", "r_invalid", "r_filtered",
    "o_unsubscribe", "o_bounce", "o_complaint", "o_soft_bounce", "o_other", "shared_commit", "n_publishes",
    "n_emails", "n_optouts", "n_pages", "n_promotions", "footer",
)

_T: dict[str, dict[str, str]] = {
    "en": {
        "title": "Activity report", "period": "Period", "prepared": "Prepared on {date}", "summary": "At a glance",
        "nothing": "Nothing in this period.", "site": "Website", "pages_added": "Pages added",
        "pages_changed": "Pages updated", "pages_removed": "Pages removed", "page": "Page", "address": "Address",
        "scheduled": "on schedule", "other_files": "Images and other files changed: {n}", "work": "Work log",
        "date": "Date", "change": "Change", "by": "By", "publishes": "Publishing", "target": "Where",
        "uploaded": "Files uploaded", "deleted": "Files removed", "transferred": "Data", "promotions": "Promotions",
        "window": "Running", "send_at": "Email planned", "approval": "Approval", "approved": "approved by {who}",
        "not_approved": "not approved", "void": "changed after approval", "campaigns": "Email campaigns",
        "campaign": "Campaign", "reached": "Reached", "failed": "Failed", "uncertain": "Uncertain",
        "skipped": "Not sent to", "optouts": "Opt-outs", "optouts_none": "No one opted out.",
        "pulls": "Mailbox checked for opt-outs and bounces: {n} times", "approvals": "Approvals",
        "gaps": "Missing records",
        "gaps_intro": "Some of this period's work could not be read; this report may be incomplete:",
        "gap_store": "The activity record could not be read ({detail}): publishing, emails, opt-out checks "
                     "and approvals are missing.",
        "gap_git": "The change history could not be read ({detail}): website changes are missing.",
        "gap_history": "The website as of {date} could not be read ({detail}).",
        "gap_publish": "A publication to {target} on {date} is known, but not in the activity record.",
        "gap_send": "{n} emails of {campaign} were sent at a time not in the activity record.",
        "r_already_sent": "already received it", "r_unsubscribed": "unsubscribed",
        "r_no_consent": "no consent on record", "r_invalid": "invalid address", "r_filtered": "not in the audience",
        "o_unsubscribe": "unsubscribed", "o_bounce": "address no longer exists", "o_complaint": "marked as spam",
        "o_soft_bounce": "mailbox repeatedly unreachable", "o_other": "other",
        "shared_commit": "Website files updated", "n_publishes": "publications", "n_emails": "emails delivered",
        "n_optouts": "opt-outs", "n_pages": "pages added or updated", "n_promotions": "promotions",
        "footer": "Times are {zone}. No subscriber's address appears in this report.",
    },
    "de": {
        "title": "Tätigkeitsbericht", "period": "Zeitraum", "prepared": "Erstellt am {date}",
        "summary": "Auf einen Blick", "nothing": "In diesem Zeitraum nichts.", "site": "Website",
        "pages_added": "Neue Seiten", "pages_changed": "Aktualisierte Seiten", "pages_removed": "Entfernte Seiten",
        "page": "Seite", "address": "Adresse", "scheduled": "planmäßig",
        "other_files": "Bilder und sonstige Dateien geändert: {n}", "work": "Arbeitsprotokoll", "date": "Datum",
        "change": "Änderung", "by": "Von", "publishes": "Veröffentlichungen", "target": "Wohin",
        "uploaded": "Dateien hochgeladen", "deleted": "Dateien entfernt", "transferred": "Daten",
        "promotions": "Aktionen", "window": "Laufzeit", "send_at": "E-Mail geplant", "approval": "Freigabe",
        "approved": "freigegeben von {who}", "not_approved": "nicht freigegeben",
        "void": "nach der Freigabe geändert", "campaigns": "E-Mail-Kampagnen", "campaign": "Kampagne",
        "reached": "Erreicht", "failed": "Fehlgeschlagen", "uncertain": "Unklar", "skipped": "Nicht gesendet an",
        "optouts": "Abmeldungen", "optouts_none": "Niemand hat sich abgemeldet.",
        "pulls": "Postfach auf Abmeldungen und Rückläufer geprüft: {n}-mal", "approvals": "Freigaben",
        "gaps": "Fehlende Aufzeichnungen",
        "gaps_intro": "Ein Teil der Arbeit dieses Zeitraums konnte nicht gelesen werden; der Bericht ist "
                      "möglicherweise unvollständig:",
        "gap_store": "Das Tätigkeitsprotokoll konnte nicht gelesen werden ({detail}): Veröffentlichungen, "
                     "E-Mails, Abmeldungsprüfungen und Freigaben fehlen.",
        "gap_git": "Der Änderungsverlauf konnte nicht gelesen werden ({detail}): Änderungen der Website fehlen.",
        "gap_history": "Die Website mit Stand {date} konnte nicht gelesen werden ({detail}).",
        "gap_publish": "Eine Veröffentlichung nach {target} am {date} ist bekannt, steht aber nicht im "
                       "Tätigkeitsprotokoll.",
        "gap_send": "{n} E-Mails von {campaign} wurden zu einer Zeit versandt, die nicht im Tätigkeitsprotokoll "
                    "steht.",
        "r_already_sent": "hatten sie schon erhalten", "r_unsubscribed": "abgemeldet",
        "r_no_consent": "keine Einwilligung vermerkt", "r_invalid": "ungültige Adresse",
        "r_filtered": "nicht in der Zielgruppe", "o_unsubscribe": "abgemeldet",
        "o_bounce": "Adresse existiert nicht mehr", "o_complaint": "als Spam markiert",
        "o_soft_bounce": "Postfach wiederholt nicht erreichbar", "o_other": "sonstige",
        "shared_commit": "Website-Dateien aktualisiert", "n_publishes": "Veröffentlichungen",
        "n_emails": "E-Mails zugestellt", "n_optouts": "Abmeldungen", "n_pages": "Seiten neu oder aktualisiert",
        "n_promotions": "Aktionen",
        "footer": "Zeiten in {zone}. Dieser Bericht enthält keine Adressen von Abonnenten.",
    },
    "cs": {
        "title": "Přehled činnosti", "period": "Období", "prepared": "Vytvořeno {date}", "summary": "Stručně",
        "nothing": "V tomto období nic.", "site": "Web", "pages_added": "Nové stránky",
        "pages_changed": "Upravené stránky", "pages_removed": "Odstraněné stránky", "page": "Stránka",
        "address": "Adresa", "scheduled": "podle plánu", "other_files": "Změněné obrázky a další soubory: {n}",
        "work": "Záznam práce", "date": "Datum", "change": "Změna", "by": "Kdo", "publishes": "Zveřejnění",
        "target": "Kam", "uploaded": "Nahrané soubory", "deleted": "Odstraněné soubory", "transferred": "Data",
        "promotions": "Akce", "window": "Trvání", "send_at": "Plánovaný e-mail", "approval": "Schválení",
        "approved": "schválil(a) {who}", "not_approved": "neschváleno", "void": "změněno po schválení",
        "campaigns": "E-mailové kampaně", "campaign": "Kampaň", "reached": "Doručeno", "failed": "Selhalo",
        "uncertain": "Nejisté", "skipped": "Neodesláno", "optouts": "Odhlášení",
        "optouts_none": "Nikdo se neodhlásil.",
        "pulls": "Kontrola schránky na odhlášení a nedoručitelné zprávy: {n}×", "approvals": "Schválení",
        "gaps": "Chybějící záznamy",
        "gaps_intro": "Část práce v tomto období se nepodařilo načíst; přehled nemusí být úplný:",
        "gap_store": "Záznam činnosti se nepodařilo načíst ({detail}): chybí zveřejnění, e-maily, kontroly "
                     "odhlášení a schválení.",
        "gap_git": "Historii změn se nepodařilo načíst ({detail}): chybí změny webu.",
        "gap_history": "Web ke dni {date} se nepodařilo načíst ({detail}).",
        "gap_publish": "Zveřejnění na {target} dne {date} je známé, ale chybí v záznamu činnosti.",
        "gap_send": "{n} e-mailů kampaně {campaign} bylo odesláno v době, která v záznamu činnosti chybí.",
        "r_already_sent": "už jej dostali", "r_unsubscribed": "odhlášení", "r_no_consent": "bez souhlasu",
        "r_invalid": "neplatná adresa", "r_filtered": "mimo cílovou skupinu", "o_unsubscribe": "odhlášení",
        "o_bounce": "adresa už neexistuje", "o_complaint": "označeno jako spam",
        "o_soft_bounce": "schránka opakovaně nedostupná", "o_other": "ostatní",
        "shared_commit": "Aktualizace souborů webu", "n_publishes": "zveřejnění", "n_emails": "doručených e-mailů",
        "n_optouts": "odhlášení", "n_pages": "nových či upravených stránek", "n_promotions": "akcí",
        "footer": "Časy v zóně {zone}. Tento přehled neobsahuje adresy odběratelů.",
    },
    "sk": {
        "title": "Prehľad činnosti", "period": "Obdobie", "prepared": "Vytvorené {date}", "summary": "Stručne",
        "nothing": "V tomto období nič.", "site": "Web", "pages_added": "Nové stránky",
        "pages_changed": "Upravené stránky", "pages_removed": "Odstránené stránky", "page": "Stránka",
        "address": "Adresa", "scheduled": "podľa plánu", "other_files": "Zmenené obrázky a ďalšie súbory: {n}",
        "work": "Záznam práce", "date": "Dátum", "change": "Zmena", "by": "Kto", "publishes": "Zverejnenia",
        "target": "Kam", "uploaded": "Nahrané súbory", "deleted": "Odstránené súbory", "transferred": "Dáta",
        "promotions": "Akcie", "window": "Trvanie", "send_at": "Plánovaný e-mail", "approval": "Schválenie",
        "approved": "schválil(a) {who}", "not_approved": "neschválené", "void": "zmenené po schválení",
        "campaigns": "E-mailové kampane", "campaign": "Kampaň", "reached": "Doručené", "failed": "Zlyhalo",
        "uncertain": "Neisté", "skipped": "Neodoslané", "optouts": "Odhlásenia",
        "optouts_none": "Nikto sa neodhlásil.",
        "pulls": "Kontrola schránky na odhlásenia a nedoručiteľné správy: {n}×", "approvals": "Schválenia",
        "gaps": "Chýbajúce záznamy",
        "gaps_intro": "Časť práce v tomto období sa nepodarilo načítať; prehľad nemusí byť úplný:",
        "gap_store": "Záznam činnosti sa nepodarilo načítať ({detail}): chýbajú zverejnenia, e-maily, kontroly "
                     "odhlásení a schválenia.",
        "gap_git": "Históriu zmien sa nepodarilo načítať ({detail}): chýbajú zmeny webu.",
        "gap_history": "Web k {date} sa nepodarilo načítať ({detail}).",
        "gap_publish": "Zverejnenie na {target} dňa {date} je známe, ale chýba v zázname činnosti.",
        "gap_send": "{n} e-mailov kampane {campaign} bolo odoslaných v čase, ktorý v zázname činnosti chýba.",
        "r_already_sent": "už ho dostali", "r_unsubscribed": "odhlásení", "r_no_consent": "bez súhlasu",
        "r_invalid": "neplatná adresa", "r_filtered": "mimo cieľovej skupiny", "o_unsubscribe": "odhlásenie",
        "o_bounce": "adresa už neexistuje", "o_complaint": "označené ako spam",
        "o_soft_bounce": "schránka opakovane nedostupná", "o_other": "ostatné",
        "shared_commit": "Aktualizácia súborov webu", "n_publishes": "zverejnení", "n_emails": "doručených e-mailov",
        "n_optouts": "odhlásení", "n_pages": "nových či upravených stránok", "n_promotions": "akcií",
        "footer": "Časy v zóne {zone}. Tento prehľad neobsahuje adresy odberateľov.",
    },
    "ro": {
        "title": "Raport de activitate", "period": "Perioada", "prepared": "Întocmit la {date}",
        "summary": "Pe scurt", "nothing": "Nimic în această perioadă.", "site": "Site", "pages_added": "Pagini noi",
        "pages_changed": "Pagini actualizate", "pages_removed": "Pagini eliminate", "page": "Pagina",
        "address": "Adresa", "scheduled": "conform planului",
        "other_files": "Imagini și alte fișiere modificate: {n}", "work": "Jurnal de lucru", "date": "Data",
        "change": "Modificare", "by": "De", "publishes": "Publicări", "target": "Unde",
        "uploaded": "Fișiere încărcate", "deleted": "Fișiere șterse", "transferred": "Date",
        "promotions": "Promoții", "window": "Perioadă", "send_at": "E-mail planificat", "approval": "Aprobare",
        "approved": "aprobat de {who}", "not_approved": "neaprobat", "void": "modificat după aprobare",
        "campaigns": "Campanii e-mail", "campaign": "Campanie", "reached": "Livrate", "failed": "Eșuate",
        "uncertain": "Incerte", "skipped": "Netrimise", "optouts": "Dezabonări",
        "optouts_none": "Nimeni nu s-a dezabonat.",
        "pulls": "Căsuța verificată pentru dezabonări și returnări: de {n} ori", "approvals": "Aprobări",
        "gaps": "Înregistrări lipsă",
        "gaps_intro": "O parte din activitatea acestei perioade nu a putut fi citită; raportul poate fi incomplet:",
        "gap_store": "Registrul de activitate nu a putut fi citit ({detail}): lipsesc publicările, e-mailurile, "
                     "verificările de dezabonare și aprobările.",
        "gap_git": "Istoricul modificărilor nu a putut fi citit ({detail}): lipsesc modificările site-ului.",
        "gap_history": "Site-ul la data de {date} nu a putut fi citit ({detail}).",
        "gap_publish": "O publicare pe {target} la {date} este cunoscută, dar lipsește din registrul de activitate.",
        "gap_send": "{n} e-mailuri din {campaign} au fost trimise într-un moment care lipsește din registru.",
        "r_already_sent": "îl primiseră deja", "r_unsubscribed": "dezabonați", "r_no_consent": "fără consimțământ",
        "r_invalid": "adresă invalidă", "r_filtered": "în afara publicului", "o_unsubscribe": "dezabonare",
        "o_bounce": "adresa nu mai există", "o_complaint": "marcat ca spam",
        "o_soft_bounce": "căsuță indisponibilă repetat", "o_other": "altele",
        "shared_commit": "Fișierele site-ului actualizate", "n_publishes": "publicări", "n_emails": "e-mailuri livrate",
        "n_optouts": "dezabonări", "n_pages": "pagini noi sau actualizate", "n_promotions": "promoții",
        "footer": "Ore în fusul {zone}. Raportul nu conține adresele abonaților.",
    },
    "nl": {
        "title": "Activiteitenverslag", "period": "Periode", "prepared": "Opgesteld op {date}",
        "summary": "In het kort", "nothing": "Niets in deze periode.", "site": "Website",
        "pages_added": "Nieuwe pagina's", "pages_changed": "Bijgewerkte pagina's",
        "pages_removed": "Verwijderde pagina's", "page": "Pagina", "address": "Adres", "scheduled": "volgens planning",
        "other_files": "Afbeeldingen en andere bestanden gewijzigd: {n}", "work": "Werklog", "date": "Datum",
        "change": "Wijziging", "by": "Door", "publishes": "Publicaties", "target": "Waar",
        "uploaded": "Bestanden geüpload", "deleted": "Bestanden verwijderd", "transferred": "Data",
        "promotions": "Acties", "window": "Looptijd", "send_at": "E-mail gepland", "approval": "Goedkeuring",
        "approved": "goedgekeurd door {who}", "not_approved": "niet goedgekeurd",
        "void": "gewijzigd na goedkeuring", "campaigns": "E-mailcampagnes", "campaign": "Campagne",
        "reached": "Bereikt", "failed": "Mislukt", "uncertain": "Onzeker", "skipped": "Niet verzonden aan",
        "optouts": "Afmeldingen", "optouts_none": "Niemand heeft zich afgemeld.",
        "pulls": "Mailbox gecontroleerd op afmeldingen en bounces: {n} keer", "approvals": "Goedkeuringen",
        "gaps": "Ontbrekende gegevens",
        "gaps_intro": "Een deel van het werk in deze periode kon niet worden gelezen; dit verslag is mogelijk "
                      "onvolledig:",
        "gap_store": "Het activiteitenlogboek kon niet worden gelezen ({detail}): publicaties, e-mails, "
                     "afmeldcontroles en goedkeuringen ontbreken.",
        "gap_git": "De wijzigingsgeschiedenis kon niet worden gelezen ({detail}): websitewijzigingen ontbreken.",
        "gap_history": "De website per {date} kon niet worden gelezen ({detail}).",
        "gap_publish": "Een publicatie naar {target} op {date} is bekend, maar staat niet in het logboek.",
        "gap_send": "{n} e-mails van {campaign} zijn verzonden op een moment dat niet in het logboek staat.",
        "r_already_sent": "hadden hem al", "r_unsubscribed": "afgemeld", "r_no_consent": "geen toestemming bekend",
        "r_invalid": "ongeldig adres", "r_filtered": "niet in de doelgroep", "o_unsubscribe": "afgemeld",
        "o_bounce": "adres bestaat niet meer", "o_complaint": "als spam gemarkeerd",
        "o_soft_bounce": "mailbox herhaaldelijk onbereikbaar", "o_other": "overig",
        "shared_commit": "Websitebestanden bijgewerkt", "n_publishes": "publicaties", "n_emails": "e-mails bezorgd",
        "n_optouts": "afmeldingen", "n_pages": "pagina's nieuw of bijgewerkt", "n_promotions": "acties",
        "footer": "Tijden in {zone}. Dit verslag bevat geen adressen van abonnees.",
    },
    "it": {
        "title": "Rapporto di attività", "period": "Periodo", "prepared": "Redatto il {date}",
        "summary": "In breve", "nothing": "Nulla in questo periodo.", "site": "Sito web",
        "pages_added": "Pagine aggiunte", "pages_changed": "Pagine aggiornate", "pages_removed": "Pagine rimosse",
        "page": "Pagina", "address": "Indirizzo", "scheduled": "come programmato",
        "other_files": "Immagini e altri file modificati: {n}", "work": "Registro dei lavori", "date": "Data",
        "change": "Modifica", "by": "Da", "publishes": "Pubblicazioni", "target": "Dove",
        "uploaded": "File caricati", "deleted": "File rimossi", "transferred": "Dati", "promotions": "Promozioni",
        "window": "Durata", "send_at": "E-mail prevista", "approval": "Approvazione",
        "approved": "approvato da {who}", "not_approved": "non approvato", "void": "modificato dopo l’approvazione",
        "campaigns": "Campagne e-mail", "campaign": "Campagna", "reached": "Raggiunti", "failed": "Non riusciti",
        "uncertain": "Incerti", "skipped": "Non inviati", "optouts": "Disiscrizioni",
        "optouts_none": "Nessuno si è disiscritto.",
        "pulls": "Casella controllata per disiscrizioni e rimbalzi: {n} volte", "approvals": "Approvazioni",
        "gaps": "Registrazioni mancanti",
        "gaps_intro": "Parte del lavoro di questo periodo non è stata letta; il rapporto potrebbe essere incompleto:",
        "gap_store": "Il registro delle attività non è leggibile ({detail}): mancano pubblicazioni, e-mail, "
                     "controlli delle disiscrizioni e approvazioni.",
        "gap_git": "La cronologia delle modifiche non è leggibile ({detail}): mancano le modifiche al sito.",
        "gap_history": "Il sito al {date} non è leggibile ({detail}).",
        "gap_publish": "Una pubblicazione su {target} del {date} è nota, ma manca nel registro delle attività.",
        "gap_send": "{n} e-mail di {campaign} sono state inviate in un momento che manca nel registro.",
        "r_already_sent": "l’avevano già ricevuta", "r_unsubscribed": "disiscritti",
        "r_no_consent": "nessun consenso registrato", "r_invalid": "indirizzo non valido",
        "r_filtered": "fuori dal pubblico", "o_unsubscribe": "disiscrizione", "o_bounce": "indirizzo inesistente",
        "o_complaint": "segnalato come spam", "o_soft_bounce": "casella ripetutamente irraggiungibile",
        "o_other": "altro", "shared_commit": "File del sito aggiornati", "n_publishes": "pubblicazioni",
        "n_emails": "e-mail consegnate", "n_optouts": "disiscrizioni", "n_pages": "pagine nuove o aggiornate",
        "n_promotions": "promozioni",
        "footer": "Orari nel fuso {zone}. Il rapporto non contiene indirizzi degli iscritti.",
    },
    "fr": {
        "title": "Rapport d’activité", "period": "Période", "prepared": "Établi le {date}", "summary": "En bref",
        "nothing": "Rien sur cette période.", "site": "Site web", "pages_added": "Pages ajoutées",
        "pages_changed": "Pages mises à jour", "pages_removed": "Pages supprimées", "page": "Page",
        "address": "Adresse", "scheduled": "comme prévu", "other_files": "Images et autres fichiers modifiés : {n}",
        "work": "Journal des travaux", "date": "Date", "change": "Modification", "by": "Par",
        "publishes": "Mises en ligne", "target": "Où", "uploaded": "Fichiers envoyés",
        "deleted": "Fichiers supprimés", "transferred": "Données", "promotions": "Promotions", "window": "Durée",
        "send_at": "E-mail prévu", "approval": "Validation", "approved": "validé par {who}",
        "not_approved": "non validé", "void": "modifié après validation", "campaigns": "Campagnes e-mail",
        "campaign": "Campagne", "reached": "Reçus", "failed": "Échecs", "uncertain": "Incertains",
        "skipped": "Non envoyés", "optouts": "Désabonnements", "optouts_none": "Personne ne s’est désabonné.",
        "pulls": "Boîte vérifiée (désabonnements et retours) : {n} fois", "approvals": "Validations",
        "gaps": "Enregistrements manquants",
        "gaps_intro": "Une partie du travail de cette période n’a pas pu être lue ; ce rapport peut être incomplet :",
        "gap_store": "Le journal d’activité n’a pas pu être lu ({detail}) : mises en ligne, e-mails, contrôles "
                     "des désabonnements et validations manquent.",
        "gap_git": "L’historique des modifications n’a pas pu être lu ({detail}) : les modifications du site "
                   "manquent.",
        "gap_history": "Le site au {date} n’a pas pu être lu ({detail}).",
        "gap_publish": "Une mise en ligne vers {target} le {date} est connue, mais absente du journal d’activité.",
        "gap_send": "{n} e-mails de {campaign} ont été envoyés à un moment absent du journal d’activité.",
        "r_already_sent": "l’avaient déjà reçu", "r_unsubscribed": "désabonnés",
        "r_no_consent": "sans consentement enregistré", "r_invalid": "adresse invalide",
        "r_filtered": "hors du public visé", "o_unsubscribe": "désabonnement", "o_bounce": "adresse inexistante",
        "o_complaint": "signalé comme spam", "o_soft_bounce": "boîte injoignable à plusieurs reprises",
        "o_other": "autre", "shared_commit": "Fichiers du site mis à jour", "n_publishes": "mises en ligne",
        "n_emails": "e-mails remis", "n_optouts": "désabonnements", "n_pages": "pages ajoutées ou mises à jour",
        "n_promotions": "promotions",
        "footer": "Heures du fuseau {zone}. Ce rapport ne contient aucune adresse d’abonné.",
    },
    "es": {
        "title": "Informe de actividad", "period": "Periodo", "prepared": "Elaborado el {date}",
        "summary": "En resumen", "nothing": "Nada en este periodo.", "site": "Sitio web",
        "pages_added": "Páginas nuevas", "pages_changed": "Páginas actualizadas",
        "pages_removed": "Páginas eliminadas", "page": "Página", "address": "Dirección",
        "scheduled": "según lo previsto", "other_files": "Imágenes y otros archivos modificados: {n}",
        "work": "Registro de trabajo", "date": "Fecha", "change": "Cambio", "by": "Por",
        "publishes": "Publicaciones", "target": "Dónde", "uploaded": "Archivos subidos",
        "deleted": "Archivos eliminados", "transferred": "Datos", "promotions": "Promociones", "window": "Vigencia",
        "send_at": "Correo previsto", "approval": "Aprobación", "approved": "aprobado por {who}",
        "not_approved": "sin aprobar", "void": "modificado tras la aprobación", "campaigns": "Campañas de correo",
        "campaign": "Campaña", "reached": "Entregados", "failed": "Fallidos", "uncertain": "Inciertos",
        "skipped": "No enviados", "optouts": "Bajas", "optouts_none": "Nadie se dio de baja.",
        "pulls": "Buzón revisado en busca de bajas y rebotes: {n} veces", "approvals": "Aprobaciones",
        "gaps": "Registros que faltan",
        "gaps_intro": "Parte del trabajo de este periodo no se pudo leer; el informe puede estar incompleto:",
        "gap_store": "No se pudo leer el registro de actividad ({detail}): faltan publicaciones, correos, "
                     "revisiones de bajas y aprobaciones.",
        "gap_git": "No se pudo leer el historial de cambios ({detail}): faltan los cambios del sitio.",
        "gap_history": "No se pudo leer el sitio a fecha de {date} ({detail}).",
        "gap_publish": "Se conoce una publicación en {target} el {date}, pero no está en el registro de actividad.",
        "gap_send": "{n} correos de {campaign} se enviaron en un momento que no está en el registro.",
        "r_already_sent": "ya lo habían recibido", "r_unsubscribed": "dados de baja",
        "r_no_consent": "sin consentimiento registrado", "r_invalid": "dirección no válida",
        "r_filtered": "fuera del público", "o_unsubscribe": "baja", "o_bounce": "la dirección ya no existe",
        "o_complaint": "marcado como spam", "o_soft_bounce": "buzón inaccesible repetidamente", "o_other": "otros",
        "shared_commit": "Archivos del sitio actualizados", "n_publishes": "publicaciones",
        "n_emails": "correos entregados", "n_optouts": "bajas", "n_pages": "páginas nuevas o actualizadas",
        "n_promotions": "promociones",
        "footer": "Horas en la zona {zone}. Este informe no contiene direcciones de suscriptores.",
    },
    "pl": {
        "title": "Raport z działań", "period": "Okres", "prepared": "Sporządzono {date}", "summary": "W skrócie",
        "nothing": "W tym okresie nic.", "site": "Strona", "pages_added": "Nowe podstrony",
        "pages_changed": "Zaktualizowane podstrony", "pages_removed": "Usunięte podstrony", "page": "Podstrona",
        "address": "Adres", "scheduled": "zgodnie z planem", "other_files": "Zmienione obrazy i inne pliki: {n}",
        "work": "Dziennik prac", "date": "Data", "change": "Zmiana", "by": "Kto", "publishes": "Publikacje",
        "target": "Gdzie", "uploaded": "Wysłane pliki", "deleted": "Usunięte pliki", "transferred": "Dane",
        "promotions": "Promocje", "window": "Czas trwania", "send_at": "Planowany e-mail",
        "approval": "Akceptacja", "approved": "zaakceptował(a) {who}", "not_approved": "niezaakceptowane",
        "void": "zmienione po akceptacji", "campaigns": "Kampanie e-mail", "campaign": "Kampania",
        "reached": "Dostarczone", "failed": "Nieudane", "uncertain": "Niepewne", "skipped": "Niewysłane",
        "optouts": "Wypisania", "optouts_none": "Nikt się nie wypisał.",
        "pulls": "Skrzynka sprawdzona pod kątem wypisań i zwrotów: {n} razy", "approvals": "Akceptacje",
        "gaps": "Brakujące zapisy",
        "gaps_intro": "Części prac z tego okresu nie udało się odczytać; raport może być niepełny:",
        "gap_store": "Nie udało się odczytać dziennika działań ({detail}): brakuje publikacji, e-maili, "
                     "sprawdzeń wypisań i akceptacji.",
        "gap_git": "Nie udało się odczytać historii zmian ({detail}): brakuje zmian strony.",
        "gap_history": "Nie udało się odczytać strony według stanu na {date} ({detail}).",
        "gap_publish": "Publikacja na {target} z dnia {date} jest znana, ale brak jej w dzienniku działań.",
        "gap_send": "{n} e-maili kampanii {campaign} wysłano w czasie, którego brak w dzienniku działań.",
        "r_already_sent": "już go otrzymali", "r_unsubscribed": "wypisani", "r_no_consent": "brak zgody",
        "r_invalid": "nieprawidłowy adres", "r_filtered": "poza grupą docelową", "o_unsubscribe": "wypisanie",
        "o_bounce": "adres już nie istnieje", "o_complaint": "oznaczone jako spam",
        "o_soft_bounce": "skrzynka wielokrotnie niedostępna", "o_other": "inne",
        "shared_commit": "Zaktualizowano pliki strony", "n_publishes": "publikacje", "n_emails": "dostarczone e-maile",
        "n_optouts": "wypisania", "n_pages": "nowe lub zaktualizowane podstrony", "n_promotions": "promocje",
        "footer": "Godziny w strefie {zone}. Raport nie zawiera adresów subskrybentów.",
    },
    "hu": {
        "title": "Tevékenységi jelentés", "period": "Időszak", "prepared": "Készült: {date}", "summary": "Röviden",
        "nothing": "Ebben az időszakban semmi.", "site": "Weboldal", "pages_added": "Új oldalak",
        "pages_changed": "Frissített oldalak", "pages_removed": "Eltávolított oldalak", "page": "Oldal",
        "address": "Cím", "scheduled": "ütemezés szerint", "other_files": "Módosított képek és egyéb fájlok: {n}",
        "work": "Munkanapló", "date": "Dátum", "change": "Változás", "by": "Ki", "publishes": "Közzétételek",
        "target": "Hová", "uploaded": "Feltöltött fájlok", "deleted": "Törölt fájlok", "transferred": "Adat",
        "promotions": "Akciók", "window": "Időtartam", "send_at": "Tervezett e-mail", "approval": "Jóváhagyás",
        "approved": "jóváhagyta: {who}", "not_approved": "nincs jóváhagyva", "void": "jóváhagyás után módosult",
        "campaigns": "E-mail kampányok", "campaign": "Kampány", "reached": "Kézbesítve", "failed": "Sikertelen",
        "uncertain": "Bizonytalan", "skipped": "Nem küldve", "optouts": "Leiratkozások",
        "optouts_none": "Senki sem iratkozott le.",
        "pulls": "Postafiók ellenőrizve leiratkozásokra és visszapattanásokra: {n} alkalommal",
        "approvals": "Jóváhagyások", "gaps": "Hiányzó feljegyzések",
        "gaps_intro": "Az időszak munkájának egy részét nem sikerült beolvasni; a jelentés hiányos lehet:",
        "gap_store": "A tevékenységnapló nem olvasható ({detail}): hiányoznak a közzétételek, e-mailek, "
                     "leiratkozás-ellenőrzések és jóváhagyások.",
        "gap_git": "A változástörténet nem olvasható ({detail}): hiányoznak a weboldal változásai.",
        "gap_history": "A weboldal {date} állapota nem olvasható ({detail}).",
        "gap_publish": "Ismert egy közzététel ide: {target}, {date}, de nem szerepel a tevékenységnaplóban.",
        "gap_send": "A(z) {campaign} kampány {n} e-mailje olyan időpontban ment ki, amely nincs a naplóban.",
        "r_already_sent": "már megkapták", "r_unsubscribed": "leiratkoztak", "r_no_consent": "nincs hozzájárulás",
        "r_invalid": "érvénytelen cím", "r_filtered": "nem a célcsoport", "o_unsubscribe": "leiratkozás",
        "o_bounce": "a cím már nem létezik", "o_complaint": "spamnek jelölve",
        "o_soft_bounce": "a postafiók többször elérhetetlen", "o_other": "egyéb",
        "shared_commit": "A weboldal fájljai frissítve", "n_publishes": "közzététel", "n_emails": "kézbesített e-mail",
        "n_optouts": "leiratkozás", "n_pages": "új vagy frissített oldal", "n_promotions": "akció",
        "footer": "Időpontok: {zone}. A jelentés nem tartalmazza a feliratkozók címét.",
    },
    "pt": {
        "title": "Relatório de atividade", "period": "Período", "prepared": "Elaborado a {date}",
        "summary": "Em resumo", "nothing": "Nada neste período.", "site": "Site", "pages_added": "Páginas novas",
        "pages_changed": "Páginas atualizadas", "pages_removed": "Páginas removidas", "page": "Página",
        "address": "Endereço", "scheduled": "conforme previsto",
        "other_files": "Imagens e outros ficheiros alterados: {n}", "work": "Registo de trabalho", "date": "Data",
        "change": "Alteração", "by": "Por", "publishes": "Publicações", "target": "Onde",
        "uploaded": "Ficheiros enviados", "deleted": "Ficheiros removidos", "transferred": "Dados",
        "promotions": "Promoções", "window": "Duração", "send_at": "E-mail previsto", "approval": "Aprovação",
        "approved": "aprovado por {who}", "not_approved": "não aprovado", "void": "alterado após a aprovação",
        "campaigns": "Campanhas de e-mail", "campaign": "Campanha", "reached": "Entregues", "failed": "Falhados",
        "uncertain": "Incertos", "skipped": "Não enviados", "optouts": "Cancelamentos",
        "optouts_none": "Ninguém cancelou a subscrição.",
        "pulls": "Caixa verificada para cancelamentos e devoluções: {n} vezes", "approvals": "Aprovações",
        "gaps": "Registos em falta",
        "gaps_intro": "Parte do trabalho deste período não pôde ser lida; este relatório pode estar incompleto:",
        "gap_store": "Não foi possível ler o registo de atividade ({detail}): faltam publicações, e-mails, "
                     "verificações de cancelamentos e aprovações.",
        "gap_git": "Não foi possível ler o histórico de alterações ({detail}): faltam as alterações do site.",
        "gap_history": "Não foi possível ler o site à data de {date} ({detail}).",
        "gap_publish": "É conhecida uma publicação em {target} a {date}, mas não consta do registo de atividade.",
        "gap_send": "{n} e-mails de {campaign} foram enviados num momento que não consta do registo.",
        "r_already_sent": "já o tinham recebido", "r_unsubscribed": "subscrição cancelada",
        "r_no_consent": "sem consentimento registado", "r_invalid": "endereço inválido",
        "r_filtered": "fora do público", "o_unsubscribe": "cancelamento", "o_bounce": "o endereço já não existe",
        "o_complaint": "marcado como spam", "o_soft_bounce": "caixa repetidamente inacessível", "o_other": "outros",
        "shared_commit": "Ficheiros do site atualizados", "n_publishes": "publicações", "n_emails": "e-mails entregues",
        "n_optouts": "cancelamentos", "n_pages": "páginas novas ou atualizadas", "n_promotions": "promoções",
        "footer": "Horas no fuso {zone}. Este relatório não contém endereços de subscritores.",
    },
}

# Digit grouping and the decimal mark.
_NUMBERS = {"en": (",", "."), "de": (".", ","), "nl": (".", ","), "it": (".", ","), "es": (".", ","),
            "ro": (".", ","), "pt": ("\u202f", ","), "fr": ("\u202f", ","), "cs": ("\u00a0", ","),
            "sk": ("\u00a0", ","), "pl": ("\u00a0", ","), "hu": ("\u00a0", ",")}


def base(lang: str) -> str:
    code = _base(lang)
    return code if code in _T else "en"


def say(lang: str, key: str, **values) -> str:
    """The report's word ``key`` in ``lang`` (English for a language not listed), filled in."""
    text = _T[base(lang)][key]
    return text.format(**values) if values else text


def strings(lang: str) -> dict[str, str]:
    return dict(_T[base(lang)])


def month_title(year: int, month: int, lang: str) -> str:
    return _dates.month_title(year, month, lang)


def date(when: datetime | None, lang: str) -> str:
    """15. November 2026 / 15 November 2026 / 2026. november 15. ..."""
    return "–" if when is None else _dates.long_date(when, lang)


def short_date(when: datetime | None, lang: str) -> str:
    """15.11.2026 / 15/11/2026 / 2026.11.15. / 15-11-2026: for tables."""
    return "–" if when is None else _dates.short_date(when, lang)


def date_time(when: datetime | None, lang: str) -> str:
    if when is None:
        return "–"
    return f"{short_date(when, lang)} {when:%H:%M}"


def number(n: int | float, lang: str, decimals: int = 0) -> str:
    group, point = _NUMBERS[base(lang)]
    text = f"{n:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", group)


def size(nbytes: int, lang: str) -> str:
    """1,2 MB in German, 1.2 MB in English."""
    value = float(nbytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{number(value, lang, 0 if unit == 'B' else 1)} {unit}"
        value /= 1024
    return str(nbytes)
