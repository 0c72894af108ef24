"""The words behind the content checks, one tuple per class and per language.

Each class maps a language code to its entries; adding a language is adding its entries to
every class. How an entry is read:

- matching ignores case and accents, and letters from other alphabets that pass for Latin ones
  ("réglé" also matches "regle", "RÉGLÉ"); an entry starting with "=" keeps its accents, for
  words that differ from another language's only by them (Spanish "tres", French "très");
- a space matches any run of spaces or hyphens, a hyphen matches a hyphen, a space or nothing
  ("write-off" matches "write off" and "writeoff");
- a "*" at the end lets the word go on ("cancel*": "cancelled", "cancellation"), a "*" at the
  start lets it end a longer word ("*hundert": "fünfhundert");
- otherwise an entry is whole words only.

Every class is matched in every language at once (a text does not say which language it is in),
so a word that means something harmless in another language is left out or written as a longer
phrase: Spanish "once" (eleven) is English "once", French "onze" (eleven) is Dutch "onze" (our),
Dutch "rekening" (account) is also an invoice, German "raten" (instalments) also means "advise".
"""

# ---------------------------------------------------------------------------------------------
# What a prose slot may not contain

#: Numbers written in words, and percentages. Articles that also mean "one" (un, une, ein, een,
#: un, una) are left out: no sentence could do without them.
NUMBER_WORDS = {
    "en": (
        "zero", "nought", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        "twenty", "thirty", "forty", "fourty", "fifty", "sixty", "seventy", "eighty", "ninety",
        "hundred*", "thousand*", "million*", "billion*", "dozen*", "per cent", "percent*",
    ),
    "fr": (
        "zéro", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "douze",
        "treize", "quatorze", "quinze", "seize", "vingt*", "trente", "quarante", "cinquante", "soixante",
        "septante", "huitante", "octante", "nonante", "cent", "cents", "mille", "milliers", "million*",
        "milliard*", "pour cent", "pourcent*",
    ),
    "de": (
        "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf",
        "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn",
        "*zwanzig", "*dreißig", "*vierzig", "*fünfzig", "*sechzig", "*siebzig", "*achtzig", "*neunzig",
        "*hundert*", "*tausend*", "million*", "milliarde*", "prozent*",
    ),
    "nl": (
        "nul", "=één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf",
        "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien", "achttien", "negentien",
        "*twintig", "*dertig", "*veertig", "*vijftig", "*zestig", "*zeventig", "*tachtig", "*negentig",
        "*honderd*", "*duizend*", "miljoen*", "miljard*", "procent*",
    ),
    "es": (
        "cero", "uno", "dos", "=tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "doce",
        "trece", "catorce", "quince", "dieci*", "veinte", "veinti*", "treinta", "cuarenta", "cincuenta",
        "sesenta", "setenta", "ochenta", "noventa", "cien", "ciento*", "*cientos", "*cientas", "quinientos",
        "quinientas", "mil", "miles", "millón", "millones", "por ciento", "porcentaje*",
    ),
}

#: Bank details and money transfers: never for a slot to speak of (the organisation's own
#: payment instructions are written by code).
BANK_DETAILS = {
    "en": (
        "iban", "bic", "swift code", "swift bic", "swift transfer", "sort code", "routing number",
        "account number*", "account no", "acct", "bank account*", "bank details", "banking details",
        "bank transfer*", "wire transfer*", "by wire", "via wire", "wire the", "wired", "money transfer*",
        "transfer the amount", "transfer the money", "beneficiary",
    ),
    "fr": (
        "relevé d'identité bancaire", "un rib", "le rib", "notre rib", "votre rib", "nouveau rib",
        "coordonnées bancaires", "numéro de compte", "compte bancaire", "virement*", "virer", "code swift",
        "code bic", "bénéficiaire",
    ),
    "de": (
        "bankverbindung*", "bankdaten", "kontonummer*", "kontodaten", "bankkonto*", "*überweis*",
        "bankleitzahl", "blz", "swift-code", "empfängerkonto",
    ),
    "nl": (
        "rekeningnummer*", "bankrekening*", "bankgegevens", "overschrijving*", "overmaken", "overboeking*",
        "overboeken", "storten op", "begunstigde", "swiftcode",
    ),
    "es": (
        "código swift", "cuenta bancaria", "número de cuenta", "datos bancarios", "transferencia*",
        "transferir", "ingreso en cuenta", "cuenta corriente", "beneficiario",
    ),
}

#: Ways to pay other than the organisation's own instructions (also a claim: "it suggests
#: another payment method").
PAYMENT_METHODS = {
    "en": (
        "paypal", "venmo", "zelle", "cash app", "cashapp", "western union", "moneygram", "gift card*",
        "giftcard*", "gift voucher*", "itunes card*", "crypto*", "bitcoin*", "btc", "usdt", "tether",
        "ethereum", "litecoin", "crypto wallet", "digital wallet", "wallet address", "e-wallet", "revolut",
        "apple pay", "google pay", "pay in cash", "in cash", "cash payment*", "credit card*", "debit card*",
        "card payment*", "pay by card", "by cheque", "a cheque", "direct debit", "payment link", "qr code",
        "money order",
    ),
    "fr": (
        "carte cadeau", "cartes cadeaux", "mandat cash", "espèces", "en liquide", "portefeuille numérique",
        "par chèque", "carte bancaire", "carte de crédit", "prélèvement*", "lien de paiement", "code qr",
        "paylib", "lydia",
    ),
    "de": (
        "gutschein*", "geschenkkarte*", "bargeld", "in bar", "bar zahlen", "barzahlung", "krypto*",
        "kreditkarte*", "lastschrift*", "scheck*", "paysafecard", "giropay", "zahlungslink",
    ),
    "nl": (
        "cadeaubon*", "cadeaukaart*", "contant*", "creditcard*", "tikkie", "betaalverzoek", "betaallink",
        "automatische incasso", "cheque*",
    ),
    "es": (
        "tarjeta regalo", "tarjetas regalo", "tarjeta de regalo", "efectivo", "en metálico", "criptomoneda*",
        "billetera*", "monedero", "bizum", "tarjeta de crédito", "tarjeta de débito", "domiciliación*",
        "enlace de pago", "código qr", "giro postal",
    ),
}

# ---------------------------------------------------------------------------------------------
# What Odoo free text may not carry

#: Payment instructions planted in a name: the phrase and everything after it are removed.
PAYMENT_INSTRUCTIONS = {
    "en": ("pay to", "pay into", "payable to", "pay via", "send payment*", "send money", "send funds",
           "transfer to", "remit to"),
    "fr": ("virement sur", "virement au", "virement à", "payer sur", "payez sur", "à payer sur",
           "versement sur", "verser sur", "règlement sur"),
    "de": ("zahlbar an", "zahlen an", "zahlung an", "zahlung auf", "einzahlen auf", "bezahlen an"),
    "nl": ("betalen op", "betalen aan", "betaal op", "betaal aan", "betaling op", "overmaken naar",
           "overmaken op", "overmaken aan"),
    "es": ("pagar a la cuenta", "pagar en la cuenta", "ingresar en", "ingrese en", "pague a", "transferir a"),
}

#: Spoken email addresses ("name at example dot com"), by language: the word for "@" and the
#: word for ".". Inside brackets ("[at]", "(dot)") any language's word counts.
AT_WORDS = {"en": ("at",), "fr": ("arobase", "arobas"), "de": ("at", "klammeraffe"),
            "nl": ("apenstaartje",), "es": ("arroba",)}
DOT_WORDS = {"en": ("dot",), "fr": ("point",), "de": ("punkt",), "nl": ("punt",), "es": ("punto",)}

# ---------------------------------------------------------------------------------------------
# Claims the facts never support

CANCELLED = {
    "en": ("cancel*", "void", "voided", "annul*", "credit note*", "credit memo*", "null and void", "revoked",
           "withdrawn"),
    "fr": ("annul*", "caduque", "note de crédit", "facture d'avoir"),
    "de": ("storn*", "annull*", "gutschrift*", "aufgehoben", "hinfällig", "ungültig"),
    "nl": ("geannuleerd", "annuler*", "creditnota*", "gecrediteerd", "ingetrokken", "ongeldig"),
    "es": ("cancelad*", "cancelación", "anulad*", "anulación", "nota de crédito", "nota de abono",
           "sin efecto", "invalidad*"),
}

WAIVED = {
    "en": ("waive*", "written off", "write off", "writing off", "forgiven", "forgive", "forgiveness"),
    "fr": ("renonc*", "passé en perte*", "passée en perte*", "abandon de créance", "remise de dette"),
    "de": ("erlass*", "abgeschrieben", "abschreib*", "verzicht*"),
    "nl": ("kwijtgescholden", "kwijtschelding*", "kwijtschelden", "afgeschreven", "zien af van",
           "zien wij af", "afzien van"),
    "es": ("condon*", "renunci*", "dar por perdid*", "damos por perdid*"),
}

#: Said while an amount is open, these are false; after a conditional ("if you have already
#: paid", see CONDITIONALS) or a negation ("not yet paid", see NEGATIONS) they are not claims.
NOTHING_OWED = {
    "en": (
        "paid", "settled", "paid off", "cleared", "nothing to pay", "nothing is owed", "nothing owed",
        "owe nothing", "owe us nothing", "no longer owe", "nothing is due", "nothing due", "no payment is needed",
        "no payment is required", "no payment is necessary", "no payment needed", "no payment required",
        "no further payment", "no balance", "no outstanding balance", "received your payment",
        "payment has been received", "payment was received", "thank you for your payment",
        "thanks for your payment", "thank you for paying", "no action is needed", "no action is required",
        "no action needed", "no action required",
    ),
    "fr": (
        "payé", "payée", "payés", "payées", "réglé", "réglée", "réglés", "réglées", "soldé", "soldée",
        "soldées", "acquitté", "acquittée", "rien à payer", "rien à régler", "plus rien à payer",
        "rien ne reste dû", "aucun paiement n'est", "aucun paiement requis", "reçu votre paiement",
        "reçu votre règlement", "merci pour votre paiement", "merci pour votre règlement",
        "merci de votre paiement", "merci de votre règlement", "aucune action n'est", "aucune action requise",
    ),
    "de": (
        "bezahlt", "beglichen", "gezahlt", "ausgeglichen", "getilgt", "erledigt", "nichts zu zahlen",
        "nichts zu bezahlen", "nichts mehr zu zahlen", "keine zahlung erforderlich", "keine zahlung notwendig",
        "keine zahlung nötig", "zahlung erhalten", "zahlung ist eingegangen", "zahlung eingegangen",
        "danke für ihre zahlung", "dank für ihre zahlung", "kein handlungsbedarf",
    ),
    "nl": (
        "betaald", "voldaan", "vereffend", "afbetaald", "niets te betalen", "niets meer te betalen",
        "niets verschuldigd", "geen betaling nodig", "geen betaling vereist", "betaling ontvangen",
        "betaling is ontvangen", "bedankt voor uw betaling", "dank voor uw betaling", "bedankt voor je betaling",
        "geen actie nodig", "geen actie vereist",
    ),
    "es": (
        "pagado", "pagada", "pagados", "pagadas", "saldado*", "saldada*", "liquidado*", "liquidada*",
        "nada que pagar", "nada pendiente", "no debe nada", "ningún pago", "recibido su pago",
        "recibimos su pago", "gracias por su pago", "gracias por el pago",
    ),
}

#: Words that make what follows them in the sentence a condition, not a statement.
CONDITIONALS = {
    "en": ("if", "in case", "should you", "should it", "should the", "unless", "once", "when", "whether",
           "until", "provided", "as soon as", "after"),
    "fr": ("si", "s'il", "s'ils", "au cas où", "dans le cas où", "à moins que", "une fois", "dès que",
           "lorsque", "quand", "jusqu'à ce que", "après"),
    "de": ("falls", "wenn", "sofern", "sollten", "sollte", "soweit", "sobald", "bis", "nachdem", "ob"),
    "nl": ("als", "indien", "mocht", "mochten", "wanneer", "zodra", "tenzij", "totdat", "nadat"),
    "es": ("si", "en caso de", "en el caso de", "a menos que", "una vez", "cuando", "hasta que",
           "en cuanto", "tan pronto como", "después de"),
}

#: Words that, just before a "paid" word, deny it ("not yet paid", "noch nicht bezahlt").
NEGATIONS = {
    "en": ("not", "no", "never", "*n't", "yet to", "still to be", "needs to be", "need to be", "has to be",
           "have to be", "must be", "should be", "remains to be", "remain to be"),
    "fr": ("pas", "non", "jamais", "ne"),
    "de": ("nicht", "kein*", "nie", "niemals", "noch zu"),
    "nl": ("niet", "geen", "nooit", "nog te"),
    "es": ("no", "nunca", "sin", "ni"),
}

DISCOUNT = {
    "en": ("discount*", "rebate*", "reduction", "reduced price", "reduced amount", "reduce the amount",
           "lower the amount", "lower amount", "money off", "price cut", "cashback", "special offer",
           "promo*", "coupon*", "goodwill gesture"),
    "fr": ("remise*", "réduction*", "rabais", "ristourne*", "escompte*", "promotion*", "code promo",
           "prix réduit", "geste commercial"),
    "de": ("rabatt*", "skonto*", "*nachlass*", "ermäßigung*", "preisminderung*", "sonderangebot*",
           "kulanz*", "reduziert*", "reduzierung*"),
    "nl": ("korting*", "reductie*", "prijsverlaging*", "verlaagd*", "coulance", "actieprijs"),
    "es": ("descuento*", "rebaja*", "bonificación*", "reducción*", "precio reducido", "oferta especial",
           "promoción*", "código promocional"),
}

FREE = {
    "en": ("free of charge", "for free", "at no cost", "at no charge", "at no extra cost", "no charge",
           "without charge", "complimentary", "on the house", "costs nothing", "cost nothing", "is free"),
    "fr": ("gratuit*", "gratis", "sans frais", "offert", "offerte", "offerts", "à titre gracieux",
           "sans aucun frais"),
    "de": ("kostenlos*", "gratis", "umsonst", "kostenfrei*", "gebührenfrei*", "unentgeltlich*", "geschenkt"),
    "nl": ("gratis", "kosteloos", "kostenloos", "voor niets", "zonder kosten", "niets kosten"),
    "es": ("gratis", "gratuit*", "sin coste*", "sin costo*", "sin cargo*", "de regalo", "de balde"),
}

PAYMENT_PLAN = {
    "en": ("instalment*", "installment*", "payment plan*", "payment arrangement*", "payment schedule*",
           "repayment plan*", "pay in parts", "spread the payment*", "spread the cost", "split the payment*",
           "split the amount", "monthly payments", "partial payment*", "part payment*", "pay later",
           "deferred payment*", "defer the payment", "postpone the payment", "payment holiday",
           "an extension", "extend the deadline", "extra time", "more time to pay", "pay half", "half now"),
    "fr": ("échéancier*", "échelonn*", "en plusieurs fois", "plusieurs versements", "mensualité*",
           "plan de paiement", "plan de remboursement", "étaler le paiement", "étalement*",
           "report de paiement", "paiement partiel", "paiements partiels", "délai supplémentaire", "acompte*",
           "la moitié"),
    "de": ("ratenzahlung*", "in raten", "monatliche raten", "monatlichen raten", "raten zahlen", "ratenweise",
           "teilzahlung*", "zahlungsplan*", "ratenplan*", "stundung*", "zahlungsaufschub",
           "zahlungsvereinbarung*", "abschlagszahlung*", "die hälfte"),
    "nl": ("betalingsregeling*", "in termijnen", "termijnbetaling*", "afbetalingsregeling*", "afbetaling*",
           "gespreid betalen", "gespreide betaling", "uitstel van betaling", "deelbetaling*", "betalingsplan*",
           "extra tijd", "de helft"),
    "es": ("plan de pago*", "a plazos", "en plazos", "cuotas", "fraccionad*", "fraccionar", "aplazamiento*",
           "aplazar", "pago parcial", "pagos parciales", "prórroga*", "más tiempo", "la mitad"),
}

LEGAL = {
    "en": ("lawyer*", "attorney*", "solicitor*", "court", "courts", "lawsuit*", "sue", "sued", "suing",
           "legal action*", "legal proceedings", "legal steps", "legal measures", "legal consequences",
           "litigation", "bailiff*", "judge", "judgment", "judgement", "small claims", "tribunal",
           "enforcement agent*", "prosecut*"),
    "fr": ("avocat*", "tribunal", "tribunaux", "huissier*", "justice", "juge", "judiciaire*", "poursuite*",
           "action en justice", "procès", "contentieux", "injonction de payer", "assignation",
           "commissaire de justice"),
    "de": ("*anwalt*", "*anwält*", "gericht", "gerichte*", "gerichtlich*", "*gericht", "gerichtsvollzieher*",
           "gerichtsverfahren*", "klage*", "verklag*", "rechtliche schritte", "rechtlichen schritte*",
           "juristische schritte", "juristischen schritte*", "rechtsweg*", "mahnbescheid*", "vollstreckung*",
           "pfändung*", "rechtsstreit*"),
    "nl": ("advoca*", "rechter*", "rechtbank*", "deurwaarder*", "gerechtelijk*", "juridische stappen",
           "juridische maatregelen", "dagvaard*", "rechtszaak*", "procederen", "beslaglegging"),
    "es": ("abogad*", "tribunal*", "juzgado*", "demanda*", "acciones legales", "acción legal",
           "medidas legales", "acciones judiciales", "procedimiento judicial", "vía judicial", "juez",
           "jueces", "embargo*", "litigio*", "reclamación judicial", "monitorio"),
}

#: Allowed only where the message's level allows escalation (the firm reminder).
COLLECTION = {
    "en": ("collection agenc*", "collections", "debt collector*", "debt collection", "collection costs",
           "collection fees", "collection process", "debt recovery", "recovery agenc*", "formal notice",
           "final notice", "final demand", "letter of demand", "notice of default", "default notice",
           "credit rating", "credit bureau*", "credit reference", "escalat*"),
    "fr": ("recouvrement*", "mise en demeure", "mettre en demeure", "dernier avis", "dernier rappel",
           "sommation", "fichier des incidents"),
    "de": ("*inkasso*", "mahnverfahren*", "letzte mahnung", "forderungsmanagement", "schufa", "eskalation*",
           "eskalier*"),
    "nl": ("incassobureau*", "incassokosten", "incassotraject*", "incassobedrijf*", "incassoprocedure*",
           "ingebrekestelling*", "in gebreke", "laatste aanmaning", "uit handen", "bkr", "sommatie*"),
    "es": ("agencia de cobro*", "empresa de cobro*", "empresa de recobro*", "recobro*", "gestión de cobro*",
           "requerimiento formal", "requerimiento de pago", "último aviso", "aviso final", "burofax*",
           "fichero de morosos", "morosos", "asnef"),
}

#: "The bank details changed": a change word and an account word a few words apart.
CHANGE_WORDS = {
    "en": ("new", "changed", "change", "changes", "updated", "update", "different", "another", "other",
           "moved", "switched", "modified"),
    "fr": ("nouveau*", "nouvel", "nouvelle*", "changé*", "changement*", "modifié*", "modification*",
           "autre*", "mis à jour", "mises à jour"),
    "de": ("neu*", "geändert*", "*änderung*", "andere*", "gewechselt", "aktualisiert*"),
    "nl": ("nieuw*", "gewijzigd*", "wijziging*", "veranderd*", "verandering*", "ander", "andere",
           "aangepast*"),
    "es": ("nuev*", "cambi*", "modificad*", "actualizad*", "otra", "otro", "diferente*", "distint*"),
}
ACCOUNT_WORDS = {
    "en": ("bank", "banks", "banking", "account number*", "account details", "iban", "bic", "sort code",
           "payment details", "beneficiary"),
    "fr": ("banque*", "bancaire*", "iban", "rib", "compte bancaire", "numéro de compte",
           "coordonnées de paiement"),
    "de": ("bank*", "konto*", "iban", "bic"),
    "nl": ("bank*", "rekeningnummer*", "bankrekening*", "bankgegevens", "iban"),
    "es": ("banco*", "bancari*", "cuenta bancaria", "número de cuenta", "iban", "datos de pago"),
}

DEADLINES = {
    "en": ("today", "tonight", "tomorrow", "this week", "next week", "next month", "end of the week",
           "end of this week", "end of the month", "end of this month", "end of the day", "end of day",
           "end of business", "close of business", "by noon", "by midnight", "by the weekend",
           "before the weekend", "at the latest", "no later than", "within a week", "within the week",
           "within a fortnight", "within days", "within a few days", "within the next few days", "fortnight",
           "new deadline", "final deadline", "monday", "tuesday", "wednesday", "thursday", "friday",
           "saturday", "sunday", "january", "february", "march", "april", "by may", "in may", "end of may",
           "until may", "june", "july", "august", "september", "october", "november", "december"),
    "fr": ("aujourd'hui", "ce soir", "demain", "après-demain", "cette semaine", "semaine prochaine",
           "mois prochain", "fin de la semaine", "fin de semaine", "fin du mois", "fin de mois",
           "fin de journée", "au plus tard", "date limite", "nouveau délai", "dernier délai", "sous huitaine",
           "sous quinzaine", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
           "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "de": ("heute", "heute abend", "morgen", "übermorgen", "diese woche", "dieser woche", "nächste woche",
           "nächsten woche", "nächsten monat", "ende der woche", "ende dieser woche", "ende des monats",
           "monatsende", "ende des tages", "spätestens", "frist bis", "neue frist", "letzte frist",
           "nachfrist", "innerhalb einer woche", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
           "samstag", "sonnabend", "sonntag", "januar", "jänner", "februar", "märz", "april", "mai", "juni",
           "juli", "august", "september", "oktober", "november", "dezember"),
    "nl": ("vandaag", "vanavond", "morgen", "overmorgen", "deze week", "volgende week", "volgende maand",
           "einde van de week", "eind van de week", "einde van de maand", "eind van de maand",
           "eind deze maand", "einde deze maand", "uiterlijk", "binnen een week", "maandag", "dinsdag",
           "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag", "januari", "februari", "maart", "april",
           "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"),
    "es": ("hoy", "esta noche", "mañana", "pasado mañana", "esta semana", "la próxima semana",
           "la semana que viene", "el próximo mes", "fin de semana", "final de la semana", "fin de mes",
           "final de mes", "final del mes", "a más tardar", "como muy tarde", "fecha límite", "nuevo plazo",
           "último plazo", "plazo máximo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado",
           "domingo", "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "setiembre", "octubre", "noviembre", "diciembre"),
}

#: Phrases that contain a listed word but say something harmless: taken out before any class
#: is matched ("Guten Morgen" is a greeting, "bonne fin de journée" a closing).
HARMLESS_PHRASES = {
    "en": ("no one", "one of", "this one", "that one", "one another", "feel free", "until today", "as of today"),
    "fr": ("bonne fin de semaine", "bonne fin de journée", "bon week-end", "mille mercis", "jusqu'à aujourd'hui"),
    "de": ("guten morgen", "am morgen", "tausend dank", "bis heute"),
    "nl": ("goede morgen", "duizendmaal dank", "duizend maal dank", "tot vandaag", "tot op vandaag"),
    "es": ("por la mañana", "de la mañana", "esta mañana", "buen fin de semana", "mil gracias", "hasta hoy"),
}
