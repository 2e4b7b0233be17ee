"""The words of an approval request and of its confirmation, in the client's language.

Every key exists in every language of the site theme (render/i18n.py's twelve); tests hold
them to that. Any other language gets English. Placeholders in braces are filled by ``say``.
"""
from __future__ import annotations

from ..locale.tags import base as _base

LANGUAGES = ("en", "de", "cs", "sk", "ro", "nl", "it", "fr", "es", "pl", "hu", "pt")

KEYS = ("subject", "heading", "intro", "send_on", "yes", "else", "proofs", "no_proofs", "versions",
        "ok_subject", "ok_body", "no_subject", "no_body", "changed_subject", "changed_body", "your_reply", "ref")

_T: dict[str, dict[str, str]] = {
    "en": {
        "subject": "please approve", "heading": "Please approve: {title}",
        "intro": "This is the email your customers will receive. Please check the text, the dates and the prices.",
        "send_on": "Planned send: {date}",
        "yes": "To approve it, reply to this message with OK.",
        "else": "Anything else you write is taken as changes: nothing is sent until you approve.",
        "proofs": "Below and attached: how it looks, in light and dark mode, on a computer and on a phone.",
        "no_proofs": "Each language version is attached as an email of its own: open it to see it as your customers will.",
        "versions": "Language versions: {langs}",
        "ok_subject": "Approved: {title}",
        "ok_body": "Thank you: your approval of “{title}” is recorded ({by}, {at}). It goes out as planned.",
        "no_subject": "Changes received: {title}",
        "no_body": "Thank you: your reply about “{title}” is taken as changes. Nothing is sent; you will get "
                   "a new proof to approve.",
        "changed_subject": "Not approved yet: {title}",
        "changed_body": "“{title}” was changed after this proof was sent, so your reply cannot approve it. Nothing "
                        "is sent; you will get a new proof to approve.",
        "your_reply": "Your reply:", "ref": "Reference",
    },
    "de": {
        "subject": "bitte freigeben", "heading": "Bitte freigeben: {title}",
        "intro": "So erhalten Ihre Kundinnen und Kunden diese E-Mail. Bitte prüfen Sie Text, Termine und Preise.",
        "send_on": "Geplanter Versand: {date}",
        "yes": "Zur Freigabe antworten Sie einfach mit OK.",
        "else": "Alles andere in Ihrer Antwort gilt als Änderungswunsch: Versendet wird erst nach Ihrer Freigabe.",
        "proofs": "Unten und im Anhang: die Ansicht hell und dunkel, am Computer und am Handy.",
        "no_proofs": "Jede Sprachfassung liegt als eigene E-Mail bei: Öffnen Sie sie, um sie wie Ihre Kunden zu sehen.",
        "versions": "Sprachfassungen: {langs}",
        "ok_subject": "Freigegeben: {title}",
        "ok_body": "Danke: Ihre Freigabe von „{title}“ ist vermerkt ({by}, {at}). Der Versand erfolgt wie geplant.",
        "no_subject": "Änderungswunsch erhalten: {title}",
        "no_body": "Danke: Ihre Antwort zu „{title}“ ist als Änderungswunsch vermerkt. Es wird nichts versendet; "
                   "Sie bekommen eine neue Fassung zur Freigabe.",
        "changed_subject": "Noch nicht freigegeben: {title}",
        "changed_body": "„{title}“ wurde geändert, nachdem Ihnen diese Fassung geschickt wurde; Ihre Antwort kann sie "
                        "daher nicht freigeben. Es wird nichts versendet; Sie bekommen eine neue Fassung zur Freigabe.",
        "your_reply": "Ihre Antwort:", "ref": "Referenz",
    },
    "cs": {
        "subject": "prosím o schválení", "heading": "Prosím o schválení: {title}",
        "intro": "Takto tento e-mail dostanou vaši zákazníci. Zkontrolujte prosím text, termíny a ceny.",
        "send_on": "Plánované odeslání: {date}",
        "yes": "Pro schválení odpovězte na tuto zprávu slovem OK.",
        "else": "Cokoli jiného v odpovědi bereme jako požadavek na změny: nic se neodešle, dokud neschválíte.",
        "proofs": "Níže a v příloze: jak vypadá ve světlém i tmavém režimu, na počítači i na telefonu.",
        "no_proofs": "Každá jazyková verze je přiložena jako samostatný e-mail: otevřete ji a uvidíte ji jako zákazníci.",
        "versions": "Jazykové verze: {langs}",
        "ok_subject": "Schváleno: {title}",
        "ok_body": "Děkujeme: vaše schválení „{title}“ je zaznamenáno ({by}, {at}). Odejde podle plánu.",
        "no_subject": "Požadavek na změny přijat: {title}",
        "no_body": "Děkujeme: vaši odpověď k „{title}“ bereme jako požadavek na změny. Nic se neodešle; dostanete "
                   "novou verzi ke schválení.",
        "changed_subject": "Zatím neschváleno: {title}",
        "changed_body": "„{title}“ byl po odeslání této verze změněn, proto jej vaše odpověď nemůže schválit. Nic se "
                        "neodešle; dostanete novou verzi ke schválení.",
        "your_reply": "Vaše odpověď:", "ref": "Reference",
    },
    "sk": {
        "subject": "prosím o schválenie", "heading": "Prosím o schválenie: {title}",
        "intro": "Takto tento e-mail dostanú vaši zákazníci. Skontrolujte, prosím, text, termíny a ceny.",
        "send_on": "Plánované odoslanie: {date}",
        "yes": "Na schválenie odpovedzte na túto správu slovom OK.",
        "else": "Čokoľvek iné v odpovedi berieme ako požiadavku na zmeny: nič sa neodošle, kým neschválite.",
        "proofs": "Nižšie a v prílohe: ako vyzerá vo svetlom aj tmavom režime, na počítači aj na telefóne.",
        "no_proofs": "Každá jazyková verzia je priložená ako samostatný e-mail: otvorte ju a uvidíte ju ako zákazníci.",
        "versions": "Jazykové verzie: {langs}",
        "ok_subject": "Schválené: {title}",
        "ok_body": "Ďakujeme: vaše schválenie „{title}“ je zaznamenané ({by}, {at}). Odíde podľa plánu.",
        "no_subject": "Požiadavka na zmeny prijatá: {title}",
        "no_body": "Ďakujeme: vašu odpoveď k „{title}“ berieme ako požiadavku na zmeny. Nič sa neodošle; dostanete "
                   "novú verziu na schválenie.",
        "changed_subject": "Zatiaľ neschválené: {title}",
        "changed_body": "„{title}“ bol po odoslaní tejto verzie zmenený, preto ho vaša odpoveď nemôže schváliť. Nič sa "
                        "neodošle; dostanete novú verziu na schválenie.",
        "your_reply": "Vaša odpoveď:", "ref": "Referencia",
    },
    "ro": {
        "subject": "vă rog să aprobați", "heading": "Vă rog să aprobați: {title}",
        "intro": "Acesta este e-mailul pe care îl vor primi clienții dumneavoastră. Verificați textul, datele și prețurile.",
        "send_on": "Trimitere planificată: {date}",
        "yes": "Pentru aprobare, răspundeți la acest mesaj cu OK.",
        "else": "Orice altceva scrieți este luat drept modificări: nu se trimite nimic până nu aprobați.",
        "proofs": "Mai jos și în atașament: cum arată în modul luminos și întunecat, pe calculator și pe telefon.",
        "no_proofs": "Fiecare versiune lingvistică este atașată ca e-mail separat: deschideți-o ca s-o vedeți ca clienții.",
        "versions": "Versiuni lingvistice: {langs}",
        "ok_subject": "Aprobat: {title}",
        "ok_body": "Mulțumim: aprobarea pentru „{title}” este înregistrată ({by}, {at}). Se trimite conform planului.",
        "no_subject": "Modificări primite: {title}",
        "no_body": "Mulțumim: răspunsul despre „{title}” este luat drept modificări. Nu se trimite nimic; veți primi "
                   "o versiune nouă spre aprobare.",
        "changed_subject": "Încă neaprobat: {title}",
        "changed_body": "„{title}” a fost modificat după trimiterea acestei versiuni, deci răspunsul nu o poate aproba. "
                        "Nu se trimite nimic; veți primi o versiune nouă spre aprobare.",
        "your_reply": "Răspunsul dumneavoastră:", "ref": "Referință",
    },
    "nl": {
        "subject": "graag goedkeuren", "heading": "Graag goedkeuren: {title}",
        "intro": "Zo ontvangen je klanten deze e-mail. Controleer de tekst, de data en de prijzen.",
        "send_on": "Geplande verzending: {date}",
        "yes": "Antwoord op dit bericht met OK om hem goed te keuren.",
        "else": "Al het andere dat je schrijft, geldt als wijziging: er gaat niets uit tot je goedkeurt.",
        "proofs": "Hieronder en als bijlage: hoe hij eruitziet, licht en donker, op een computer en op een telefoon.",
        "no_proofs": "Elke taalversie is bijgevoegd als aparte e-mail: open hem om hem te zien zoals je klanten.",
        "versions": "Taalversies: {langs}",
        "ok_subject": "Goedgekeurd: {title}",
        "ok_body": "Dank je: je goedkeuring van ‘{title}’ is vastgelegd ({by}, {at}). Hij gaat uit zoals gepland.",
        "no_subject": "Wijzigingen ontvangen: {title}",
        "no_body": "Dank je: je antwoord over ‘{title}’ geldt als wijziging. Er gaat niets uit; je krijgt een nieuwe "
                   "versie om goed te keuren.",
        "changed_subject": "Nog niet goedgekeurd: {title}",
        "changed_body": "‘{title}’ is gewijzigd nadat deze versie is verstuurd, dus je antwoord kan hem niet "
                        "goedkeuren. Er gaat niets uit; je krijgt een nieuwe versie om goed te keuren.",
        "your_reply": "Je antwoord:", "ref": "Referentie",
    },
    "it": {
        "subject": "da approvare", "heading": "Da approvare: {title}",
        "intro": "Questa è l’e-mail che riceveranno i tuoi clienti. Controlla il testo, le date e i prezzi.",
        "send_on": "Invio previsto: {date}",
        "yes": "Per approvarla, rispondi a questo messaggio con OK.",
        "else": "Qualsiasi altra risposta vale come richiesta di modifiche: nulla parte finché non approvi.",
        "proofs": "Qui sotto e in allegato: come appare in modalità chiara e scura, su computer e su telefono.",
        "no_proofs": "Ogni versione linguistica è allegata come e-mail a sé: aprila per vederla come i tuoi clienti.",
        "versions": "Versioni linguistiche: {langs}",
        "ok_subject": "Approvata: {title}",
        "ok_body": "Grazie: la tua approvazione di «{title}» è registrata ({by}, {at}). Partirà come previsto.",
        "no_subject": "Modifiche ricevute: {title}",
        "no_body": "Grazie: la tua risposta su «{title}» vale come richiesta di modifiche. Non parte nulla; riceverai "
                   "una nuova versione da approvare.",
        "changed_subject": "Non ancora approvata: {title}",
        "changed_body": "«{title}» è stata modificata dopo l’invio di questa versione, quindi la tua risposta non può "
                        "approvarla. Non parte nulla; riceverai una nuova versione da approvare.",
        "your_reply": "La tua risposta:", "ref": "Riferimento",
    },
    "fr": {
        "subject": "à valider", "heading": "À valider : {title}",
        "intro": "Voici l’e-mail que recevront vos clients. Merci de vérifier le texte, les dates et les prix.",
        "send_on": "Envoi prévu : {date}",
        "yes": "Pour le valider, répondez à ce message par OK.",
        "else": "Toute autre réponse est prise comme une demande de modifications : rien ne part avant votre accord.",
        "proofs": "Ci-dessous et en pièce jointe : son aspect en mode clair et sombre, sur ordinateur et sur téléphone.",
        "no_proofs": "Chaque version linguistique est jointe comme un e-mail à part : ouvrez-la pour la voir comme vos clients.",
        "versions": "Versions linguistiques : {langs}",
        "ok_subject": "Validé : {title}",
        "ok_body": "Merci : votre accord pour « {title} » est enregistré ({by}, {at}). L’envoi se fera comme prévu.",
        "no_subject": "Modifications reçues : {title}",
        "no_body": "Merci : votre réponse au sujet de « {title} » est prise comme une demande de modifications. Rien "
                   "ne part ; vous recevrez une nouvelle version à valider.",
        "changed_subject": "Pas encore validé : {title}",
        "changed_body": "« {title} » a été modifié après l’envoi de cette version : votre réponse ne peut donc pas le "
                        "valider. Rien ne part ; vous recevrez une nouvelle version à valider.",
        "your_reply": "Votre réponse :", "ref": "Référence",
    },
    "es": {
        "subject": "para aprobar", "heading": "Para aprobar: {title}",
        "intro": "Este es el correo que recibirán sus clientes. Revise el texto, las fechas y los precios.",
        "send_on": "Envío previsto: {date}",
        "yes": "Para aprobarlo, responda a este mensaje con OK.",
        "else": "Cualquier otra respuesta se toma como cambios: no se envía nada hasta que lo apruebe.",
        "proofs": "Abajo y adjunto: cómo se ve en modo claro y oscuro, en un ordenador y en un teléfono.",
        "no_proofs": "Cada versión de idioma va adjunta como un correo aparte: ábrala para verla como sus clientes.",
        "versions": "Versiones de idioma: {langs}",
        "ok_subject": "Aprobado: {title}",
        "ok_body": "Gracias: su aprobación de «{title}» queda registrada ({by}, {at}). Se enviará según lo previsto.",
        "no_subject": "Cambios recibidos: {title}",
        "no_body": "Gracias: su respuesta sobre «{title}» se toma como cambios. No se envía nada; recibirá una "
                   "nueva versión para aprobar.",
        "changed_subject": "Aún sin aprobar: {title}",
        "changed_body": "«{title}» se modificó después de enviarle esta versión, así que su respuesta no puede "
                        "aprobarlo. No se envía nada; recibirá una nueva versión para aprobar.",
        "your_reply": "Su respuesta:", "ref": "Referencia",
    },
    "pl": {
        "subject": "prośba o akceptację", "heading": "Prośba o akceptację: {title}",
        "intro": "Tak ten e-mail otrzymają Twoi klienci. Sprawdź tekst, daty i ceny.",
        "send_on": "Planowana wysyłka: {date}",
        "yes": "Aby zaakceptować, odpowiedz na tę wiadomość słowem OK.",
        "else": "Każda inna odpowiedź oznacza prośbę o zmiany: nic nie zostanie wysłane bez Twojej akceptacji.",
        "proofs": "Poniżej i w załączniku: jak wygląda w trybie jasnym i ciemnym, na komputerze i na telefonie.",
        "no_proofs": "Każda wersja językowa jest załączona jako osobny e-mail: otwórz ją, by zobaczyć ją jak klienci.",
        "versions": "Wersje językowe: {langs}",
        "ok_subject": "Zaakceptowano: {title}",
        "ok_body": "Dziękujemy: Twoja akceptacja „{title}” została zapisana ({by}, {at}). Wysyłka nastąpi zgodnie z planem.",
        "no_subject": "Otrzymaliśmy prośbę o zmiany: {title}",
        "no_body": "Dziękujemy: Twoja odpowiedź w sprawie „{title}” oznacza prośbę o zmiany. Nic nie zostanie "
                   "wysłane; otrzymasz nową wersję do akceptacji.",
        "changed_subject": "Jeszcze nie zaakceptowano: {title}",
        "changed_body": "„{title}” zmieniono po wysłaniu tej wersji, więc Twoja odpowiedź nie może jej zaakceptować. "
                        "Nic nie zostanie wysłane; otrzymasz nową wersję do akceptacji.",
        "your_reply": "Twoja odpowiedź:", "ref": "Numer",
    },
    "hu": {
        "subject": "jóváhagyásra", "heading": "Jóváhagyásra: {title}",
        "intro": "Így kapják meg ügyfelei ezt az e-mailt. Kérjük, ellenőrizze a szöveget, a dátumokat és az árakat.",
        "send_on": "Tervezett kiküldés: {date}",
        "yes": "Jóváhagyáshoz válaszoljon erre az üzenetre azzal, hogy OK.",
        "else": "Minden más válasz módosítási kérésnek számít: jóváhagyásáig semmi sem megy ki.",
        "proofs": "Lent és mellékletben: így néz ki világos és sötét módban, számítógépen és telefonon.",
        "no_proofs": "Minden nyelvi változat külön e-mailként van csatolva: nyissa meg, és úgy látja, mint ügyfelei.",
        "versions": "Nyelvi változatok: {langs}",
        "ok_subject": "Jóváhagyva: {title}",
        "ok_body": "Köszönjük: a(z) „{title}” jóváhagyását rögzítettük ({by}, {at}). A kiküldés a terv szerint történik.",
        "no_subject": "Módosítási kérés megérkezett: {title}",
        "no_body": "Köszönjük: a(z) „{title}” kapcsán küldött válaszát módosítási kérésként rögzítettük. Semmi sem "
                   "megy ki; új változatot kap jóváhagyásra.",
        "changed_subject": "Még nincs jóváhagyva: {title}",
        "changed_body": "A(z) „{title}” e változat elküldése után módosult, ezért válasza nem hagyhatja jóvá. Semmi "
                        "sem megy ki; új változatot kap jóváhagyásra.",
        "your_reply": "Az Ön válasza:", "ref": "Hivatkozás",
    },
    "pt": {
        "subject": "para aprovar", "heading": "Para aprovar: {title}",
        "intro": "Este é o e-mail que os seus clientes vão receber. Verifique o texto, as datas e os preços.",
        "send_on": "Envio previsto: {date}",
        "yes": "Para aprovar, responda a esta mensagem com OK.",
        "else": "Qualquer outra resposta é tomada como alterações: nada é enviado até aprovar.",
        "proofs": "Em baixo e em anexo: o aspeto em modo claro e escuro, num computador e num telemóvel.",
        "no_proofs": "Cada versão de idioma vai em anexo como um e-mail próprio: abra-a para a ver como os clientes.",
        "versions": "Versões de idioma: {langs}",
        "ok_subject": "Aprovado: {title}",
        "ok_body": "Obrigado: a sua aprovação de «{title}» está registada ({by}, {at}). Será enviado como previsto.",
        "no_subject": "Alterações recebidas: {title}",
        "no_body": "Obrigado: a sua resposta sobre «{title}» é tomada como alterações. Nada é enviado; vai receber "
                   "uma nova versão para aprovar.",
        "changed_subject": "Ainda não aprovado: {title}",
        "changed_body": "«{title}» foi alterado depois de esta versão ser enviada, por isso a sua resposta não o pode "
                        "aprovar. Nada é enviado; vai receber uma nova versão para aprovar.",
        "your_reply": "A sua resposta:", "ref": "Referência",
    },
}


def language(lang: str) -> str:
    """The language the words come in: ``lang``, its base (pt-BR -> pt), else English."""
    if lang in _T:
        return lang
    return _base(lang) if _base(lang) in _T else "en"


def say(lang: str, key: str, **values: str) -> str:
    text = _T[language(lang)][key]
    return text.format(**values) if values else text
