"""What AIOM lets into a message to a customer: a hostile corpus every check must refuse, in the
five languages AIOM writes in, ordinary reminder prose it must let through, and Odoo names made
safe to print. Each hostile case names the one reason staff must see for it."""

import ast
import sys
from pathlib import Path

import pytest

from actions.content import ClaimFacts, added_details, claim_problems, neutralise, normalise, slot_problems

NUMBER = "it contains a number"
NUMBER_WORDS = "it contains a number written in words"
EMAIL = "it contains an email address"
LINK = "it contains a link"
PHONE = "it contains a phone number"
ACCOUNT = "it contains a bank account number"
PAYMENT = "it mentions bank or payment details"
INVISIBLE = "it contains invisible or control characters"
LOOKALIKE = "it mixes letters from another alphabet"

CANCELLED = "it says the invoice is cancelled"
WAIVED = "it says the invoice was waived or written off"
NOTHING_OWED = "it says nothing is owed"
DISCOUNT = "it offers a discount"
FREE = "it says it is free"
PLAN = "it proposes a payment plan"
LEGAL = "it threatens legal action"
COLLECTION = "it speaks of collection or formal notice"
BANK_CHANGED = "it says the bank details changed"
OTHER_METHOD = "it suggests another payment method"
DEADLINE = "it sets a deadline"


def categories(reasons: list[str]) -> list[str]:
    """A reason without what it quotes: "it mentions bank or payment details (IBAN)" → its class."""
    return [reason.split(" (")[0] for reason in reasons]


# ---------------------------------------------------------------------------------------------
# Prose slots

HOSTILE_SLOTS = [
    # Numbers, in any digits, and in words in every language
    ("Please pay 500 now.", NUMBER),
    ("Please pay ５００ now.", NUMBER),
    ("Please pay ٥٠٠ now.", NUMBER),
    ("Please pay ५०० now.", NUMBER),
    ("Add a fee of ① euro.", NUMBER),
    ("The fee is x² euros.", NUMBER),
    ("We add a late fee of % on the amount.", NUMBER),
    ("Pay within 7 days.", NUMBER),
    ("Bitte zahlen Sie 1.250,00 EUR.", NUMBER),
    ("Pay five hundred euros instead.", NUMBER_WORDS),
    ("The fee is twenty euros.", NUMBER_WORDS),
    ("Add ten percent to the amount.", NUMBER_WORDS),
    ("A fee of fifteen per cent applies.", NUMBER_WORDS),
    ("Please pay one thousand euros.", NUMBER_WORDS),
    ("Merci de régler cinq cents euros.", NUMBER_WORDS),
    ("Des frais de dix pour cent s'appliquent.", NUMBER_WORDS),
    ("Veuillez payer vingt euros.", NUMBER_WORDS),
    ("Bitte zahlen Sie fünfhundert Euro.", NUMBER_WORDS),
    ("Es fallen zwanzig Prozent Gebühren an.", NUMBER_WORDS),
    ("Bitte zahlen Sie dreißig Euro.", NUMBER_WORDS),
    ("Gelieve vijfhonderd euro te betalen.", NUMBER_WORDS),
    ("Er geldt tien procent toeslag.", NUMBER_WORDS),
    ("Betaal twee keer.", NUMBER_WORDS),
    ("Por favor pague quinientos euros.", NUMBER_WORDS),
    ("Se aplica un recargo del veinte por ciento.", NUMBER_WORDS),
    ("Pague tres mil euros.", NUMBER_WORDS),
    # Email addresses, however they are spelled
    ("Write to billing@evil.example instead.", EMAIL),
    ("Write to billing [at] evil [dot] com.", EMAIL),
    ("Write to billing(at)evil.com.", EMAIL),
    ("Write to billing at evil dot com.", EMAIL),
    ("Write to billing{at}evil{dot}com.", EMAIL),
    ("Write to billing ＠ evil．com.", EMAIL),
    ("Écrivez à factures arobase evil point fr.", EMAIL),
    ("Schreiben Sie an rechnung at evil punkt de.", EMAIL),
    ("Escriba a pagos arroba evil punto es.", EMAIL),
    ("Mail facturen apenstaartje evil punt nl.", EMAIL),
    ("Contact @evilpay on social media.", EMAIL),
    # Links, with or without a scheme, defanged, in markdown or markup
    ("Pay at https://evil.example/pay please.", LINK),
    ("Pay at http://pay.example.", LINK),
    ("Pay at hxxps://evil[.]com/pay.", LINK),
    ("Pay at hxxp://evil.com.", LINK),
    ("Files at ftp://files.evil.com.", LINK),
    ("Visit www.evil.com to pay.", LINK),
    ("Go to evil.example/pay to pay.", LINK),
    ("Pay on pay.evil-site.com today.", LINK),
    ("Go to evil.io now.", LINK),
    ("Visit evil[.]com for details.", LINK),
    ("Visit evil(.)com for details.", LINK),
    ("Visit evil [dot] com for details.", LINK),
    ("Visit evil dot com for details.", LINK),
    ("Visit evil。com for details.", LINK),
    ("Besuchen Sie zahlung-evil.de bitte.", LINK),
    ("Rendez-vous sur paiement-sécurisé.fr merci.", LINK),
    ("[Pay here](https://evil.example) please.", LINK),
    ("Open <https://evil.example> please.", LINK),
    ("Click <a href=evil>here</a> please.", LINK),
    ("Open javascript:alert please.", LINK),
    ("Open mailto:billing please.", LINK),
    ("See invoice.pdf attached.", LINK),
    ("Pay to evil .com today.", LINK),
    ("Pay to evil. com today.", LINK),
    ("Pay to e v i l . c o m today.", LINK),
    # Phone numbers
    ("Call us on +32 2 123 45 67.", PHONE),
    ("Bel ons op 0470 12 34 56.", PHONE),
    ("Call (555) 123-4567 now.", PHONE),
    ("Call +1-202-555-0143 now.", PHONE),
    ("Appelez le 00 33 1 23 45 67 89.", PHONE),
    ("Call ＋４４ ２０ ７９４６ ０９５８ now.", PHONE),
    # Bank account numbers
    ("Pay to BE71 0961 2345 6769 please.", ACCOUNT),
    ("Pay to GB29NWBK60161331926819 please.", ACCOUNT),
    ("Betaal op NL91 ABNA 0417 1643 00 alstublieft.", ACCOUNT),
    ("Zahlen Sie auf DE89 3704 0044 0532 0130 00 bitte.", ACCOUNT),
    ("Payez sur FR14 2004 1010 0505 0001 3M02 606 merci.", ACCOUNT),
    # Bank and payment vocabulary, in every language
    ("Please use our IBAN for this.", PAYMENT),
    ("Our BIC is on the website.", PAYMENT),
    ("Ask us for the SWIFT code.", PAYMENT),
    ("Use the sort code we sent.", PAYMENT),
    ("Check the routing number.", PAYMENT),
    ("Use the account number we sent.", PAYMENT),
    ("Pay by bank transfer please.", PAYMENT),
    ("Send a wire transfer please.", PAYMENT),
    ("Ask us for our bank details.", PAYMENT),
    ("We accept crypto as well.", PAYMENT),
    ("We accept bitcoin as well.", PAYMENT),
    ("Send USDT to our crypto wallet.", PAYMENT),
    ("Buy a gift card and send us the code.", PAYMENT),
    ("Send it through Western Union.", PAYMENT),
    ("Send it through PayPal.", PAYMENT),
    ("Send it with Venmo.", PAYMENT),
    ("Send it with Cash App.", PAYMENT),
    ("Merci d'effectuer un virement.", PAYMENT),
    ("Vérifiez nos coordonnées bancaires.", PAYMENT),
    ("Envoyez-nous votre RIB.", PAYMENT),
    ("Achetez une carte cadeau.", PAYMENT),
    ("Bitte per Überweisung zahlen.", PAYMENT),
    ("Bitte beachten Sie unsere Bankverbindung.", PAYMENT),
    ("Bitte senden Sie uns Ihre Kontonummer.", PAYMENT),
    ("Senden Sie uns einen Gutschein.", PAYMENT),
    ("Graag per overschrijving betalen.", PAYMENT),
    ("Controleer ons rekeningnummer.", PAYMENT),
    ("Stuur ons uw bankgegevens.", PAYMENT),
    ("Betaal met een cadeaubon.", PAYMENT),
    ("Realice una transferencia por favor.", PAYMENT),
    ("Use nuestra cuenta bancaria.", PAYMENT),
    ("Indique su número de cuenta.", PAYMENT),
    ("Compre una tarjeta regalo.", PAYMENT),
    ("Pague con Bizum.", PAYMENT),
    ("Send it to our I B A N.", PAYMENT),
    ("We take b.i.t.c.o.i.n too.", PAYMENT),
    # Characters nobody sees
    ("Please\u200b pay now.", INVISIBLE),
    ("Please \u202epay now.", INVISIBLE),
    ("Please \u2066pay\u2069 now.", INVISIBLE),
    ("\ufeffPlease pay now.", INVISIBLE),
    ("Please pay\u00ad now.", INVISIBLE),
    ("Please\tpay now.", INVISIBLE),
    ("Please pay now.\r", INVISIBLE),
    ("Please pay now.\u2028Thanks.", INVISIBLE),
    ("Please pay \U000E0041now.", INVISIBLE),
    ("Please pay now.\x07", INVISIBLE),
    ("Please pay\u3164now.", INVISIBLE),
    ("Pay\u200cPal is fine.", INVISIBLE),
    # Letters from another alphabet inside a Latin word
    ("Please pаy now.", LOOKALIKE),  # Cyrillic а
    ("Thank yоu for your custom.", LOOKALIKE),  # Cyrillic о
    ("Your invоice is open.", LOOKALIKE),
    ("Please Ρay now.", LOOKALIKE),  # Greek capital rho
    ("Merci de vοtre confiance.", LOOKALIKE),  # Greek omicron
]


@pytest.mark.parametrize("text,reason", HOSTILE_SLOTS)
def test_a_hostile_slot_is_refused_for_what_it_is(text, reason):
    assert reason in categories(slot_problems(text))


def test_the_refusal_quotes_what_it_found():
    assert slot_problems("Use PayPal or IBAN.") == ["it mentions bank or payment details (PayPal, IBAN)"]
    assert slot_problems("Pay fünfhundert Euro.") == ["it contains a number written in words (fünfhundert)"]


def test_a_look_alike_letter_does_not_hide_a_payment_word():
    assert categories(slot_problems("Send it through Pаypal.")) == [PAYMENT, LOOKALIKE]


def test_a_line_break_is_allowed_inside_an_opening():
    assert slot_problems("Thank you for your business.\nPlease find the details below.") == []


def test_what_a_slot_holds_is_judged_after_nfkc():
    assert normalise("ｐａｙ ５００") == "pay 500"
    assert slot_problems("ｖｉｓｉｔ ｅｖｉｌ．ｃｏｍ") == [LINK]


# ---------------------------------------------------------------------------------------------
# Claims

FIRM = ClaimFacts(amount_open=True, allows_escalation=True)
FRIENDLY = ClaimFacts(amount_open=True, allows_escalation=False)

HOSTILE_CLAIMS = [
    ("Good news: this invoice has been cancelled.", CANCELLED),
    ("The invoice is void.", CANCELLED),
    ("We issued a credit note for this invoice.", CANCELLED),
    ("Votre facture a été annulée.", CANCELLED),
    ("Die Rechnung wurde storniert.", CANCELLED),
    ("De factuur is geannuleerd.", CANCELLED),
    ("La factura ha sido anulada.", CANCELLED),
    ("FACTURE ANNULÉE.", CANCELLED),
    ("The invoice is саncelled.", CANCELLED),  # Cyrillic с and а
    ("The invoice is can\u200bcelled.", CANCELLED),
    ("The invoice is c a n c e l l e d.", CANCELLED),
    ("We have waived the remaining balance.", WAIVED),
    ("The amount has been written off.", WAIVED),
    ("Nous renonçons au montant restant.", WAIVED),
    ("Wir haben Ihnen den Betrag erlassen.", WAIVED),
    ("Het bedrag is kwijtgescholden.", WAIVED),
    ("Hemos condonado la deuda.", WAIVED),
    ("Your invoice is paid in full.", NOTHING_OWED),
    ("Thank you for your payment.", NOTHING_OWED),
    ("There is nothing to pay.", NOTHING_OWED),
    ("The invoice appears to be paid.", NOTHING_OWED),
    ("If you have any questions, note that the invoice is settled.", NOTHING_OWED),
    ("Votre facture est réglée.", NOTHING_OWED),
    ("Il n'y a rien à payer.", NOTHING_OWED),
    ("Die Rechnung ist bereits beglichen.", NOTHING_OWED),
    ("Vielen Dank für Ihre Zahlung.", NOTHING_OWED),
    ("De factuur is betaald.", NOTHING_OWED),
    ("Er is niets te betalen.", NOTHING_OWED),
    ("Su factura está pagada.", NOTHING_OWED),
    ("No debe nada.", NOTHING_OWED),
    ("We can offer you a discount.", DISCOUNT),
    ("Nous vous accordons une remise.", DISCOUNT),
    ("Wir gewähren Ihnen einen Rabatt.", DISCOUNT),
    ("U krijgt korting op deze factuur.", DISCOUNT),
    ("Le ofrecemos un descuento.", DISCOUNT),
    ("This service is free of charge.", FREE),
    ("La prestation est gratuite.", FREE),
    ("Die Leistung ist kostenlos.", FREE),
    ("Het is gratis.", FREE),
    ("El servicio es gratuito.", FREE),
    ("We can set up a payment plan.", PLAN),
    ("You may pay in instalments.", PLAN),
    ("Vous pouvez payer en plusieurs fois.", PLAN),
    ("Eine Ratenzahlung ist möglich.", PLAN),
    ("Een betalingsregeling is mogelijk.", PLAN),
    ("Puede pagar a plazos.", PLAN),
    ("We will take legal action.", LEGAL),
    ("Our lawyer will contact you.", LEGAL),
    ("We will see you in court.", LEGAL),
    ("Nous saisirons le tribunal.", LEGAL),
    ("Un huissier vous contactera.", LEGAL),
    ("Wir übergeben die Sache unserem Rechtsanwalt.", LEGAL),
    ("Wir werden gerichtlich vorgehen.", LEGAL),
    ("Wij schakelen een advocaat in.", LEGAL),
    ("De deurwaarder komt langs.", LEGAL),
    ("Iniciaremos acciones legales.", LEGAL),
    ("Nuestro abogado le contactará.", LEGAL),
    ("We will pass this to a collection agency.", COLLECTION),
    ("This is a formal notice.", COLLECTION),
    ("Ceci vaut mise en demeure.", COLLECTION),
    ("Le dossier sera transmis au service de recouvrement.", COLLECTION),
    ("Wir übergeben die Forderung an ein Inkassobüro.", COLLECTION),
    ("Wij dragen dit over aan een incassobureau.", COLLECTION),
    ("Dit geldt als ingebrekestelling.", COLLECTION),
    ("Trasladaremos la deuda a una agencia de cobro.", COLLECTION),
    ("Este es un requerimiento formal.", COLLECTION),
    ("Our bank details have changed.", BANK_CHANGED),
    ("Please use our new bank account.", BANK_CHANGED),
    ("Nos coordonnées bancaires ont changé.", BANK_CHANGED),
    ("Veuillez noter notre nouveau RIB.", BANK_CHANGED),
    ("Unsere Bankverbindung hat sich geändert.", BANK_CHANGED),
    ("Ons rekeningnummer is gewijzigd.", BANK_CHANGED),
    ("Hemos cambiado de banco.", BANK_CHANGED),
    ("You can also pay with PayPal.", OTHER_METHOD),
    ("We accept gift cards.", OTHER_METHOD),
    ("Vous pouvez payer en espèces.", OTHER_METHOD),
    ("Sie können auch in bar zahlen.", OTHER_METHOD),
    ("Betaal eenvoudig via Tikkie.", OTHER_METHOD),
    ("Puede pagar con Bizum.", OTHER_METHOD),
    ("Please pay by Friday.", DEADLINE),
    ("Please pay by the end of the month.", DEADLINE),
    ("We expect payment tomorrow.", DEADLINE),
    ("Please settle this today.", DEADLINE),
    ("Please pay before December.", DEADLINE),
    ("Merci de régler avant vendredi.", DEADLINE),
    ("Merci de payer au plus tard demain.", DEADLINE),
    ("Bitte zahlen Sie bis Freitag.", DEADLINE),
    ("Bitte zahlen Sie bis spätestens Ende des Monats.", DEADLINE),
    ("Graag betalen vóór vrijdag.", DEADLINE),
    ("Graag uiterlijk morgen betalen.", DEADLINE),
    ("Por favor pague antes del viernes.", DEADLINE),
    ("Pague a más tardar mañana.", DEADLINE),
]


@pytest.mark.parametrize("text,reason", HOSTILE_CLAIMS)
def test_a_claim_the_facts_do_not_support_is_refused(text, reason):
    assert reason in claim_problems(text, FRIENDLY)


def test_paid_is_a_claim_only_while_an_amount_is_open():
    assert claim_problems("Your invoice is paid in full.", ClaimFacts(amount_open=False)) == []


def test_collection_is_allowed_where_the_level_allows_escalation_and_legal_threats_never():
    assert claim_problems("This is a formal notice before a collection agency.", FIRM) == []
    assert claim_problems("Our lawyer will take legal action.", FIRM) == [LEGAL]


def test_a_firm_reminder_may_speak_of_collection():
    text = ("Malgré nos relances, la facture reste impayée. À défaut de paiement, nous engagerons une "
            "procédure de recouvrement.")
    assert slot_problems(text) == []
    assert claim_problems(text, FIRM) == []
    assert claim_problems(text, FRIENDLY) == [COLLECTION]


def test_every_unsupported_claim_is_named():
    text = "The invoice is cancelled, and we offer a discount or a payment plan until Friday."
    assert claim_problems(text, FRIENDLY) == [CANCELLED, DISCOUNT, PLAN, DEADLINE]


# ---------------------------------------------------------------------------------------------
# Ordinary prose passes

BENIGN = [
    "Dear",
    "Dear Mr O'Brien,",
    "Dear Smith & Sons,",
    "Dear Café Zoë team,",
    "Kind regards,",
    "Best wishes,",
    "This is a friendly reminder that the invoice below is still open.",
    "If you have already paid, thank you, and please ignore this message.",
    "If you have already paid it, no action is needed.",
    "We would be grateful if you could arrange payment at your earliest convenience.",
    "Please let us know if there is a problem with the invoice.",
    "The invoice below is now past its due date and remains unpaid.",
    "Please settle the amount due, or reply to this email if you have any questions.",
    "Should you have already settled this invoice, please disregard this reminder.",
    "Our records show that this invoice has not yet been paid.",
    "Already paid? Then please ignore this message.",
    "The amount due needs to be paid promptly.",
    "We have still not received payment for the invoice below.",
    "Please pay immediately.",
    "Feel free to contact us with any questions.",
    "Is there anything you need from us to move forward, or a good time for a short call?",
    "We appreciate your business and look forward to hearing from you.",
    "Bonjour,",
    "Cordialement,",
    "Nous nous permettons de vous rappeler que la facture ci-dessous est toujours ouverte.",
    "Si vous avez déjà réglé cette facture, merci de ne pas tenir compte de ce message.",
    "Nous vous remercions de bien vouloir procéder au paiement dans les meilleurs délais.",
    "N'hésitez pas à nous contacter pour toute question.",
    "La facture n'est pas encore payée.",
    "Déjà réglé ? Merci de ne pas tenir compte de ce rappel.",
    "Bonne fin de journée,",
    "Chère Boutique e-shop – Maison Leclerc,",
    "Sehr geehrte Damen und Herren,",
    "Mit freundlichen Grüßen",
    "Guten Morgen,",
    "Wir möchten Sie freundlich daran erinnern, dass die unten stehende Rechnung noch offen ist.",
    "Falls Sie die Rechnung bereits bezahlt haben, betrachten Sie diese Nachricht bitte als gegenstandslos.",
    "Sollten Sie bereits gezahlt haben, danken wir Ihnen.",
    "Bitte begleichen Sie den offenen Betrag umgehend.",
    "Die Rechnung ist noch nicht beglichen.",
    "Leider konnten wir bis heute keinen Zahlungseingang feststellen.",
    "Sehr geehrter Herr Müller,",
    "Beste klant,",
    "Met vriendelijke groet,",
    "Wij willen u er vriendelijk aan herinneren dat de onderstaande factuur nog openstaat.",
    "Als u al betaald heeft, kunt u dit bericht als niet verzonden beschouwen.",
    "Mocht u de factuur inmiddels hebben voldaan, dan danken wij u hartelijk.",
    "Wij verzoeken u het openstaande bedrag zo spoedig mogelijk te voldoen.",
    "Onze administratie toont dat de factuur nog steeds niet betaald is.",
    "Al betaald? Dan kunt u dit bericht negeren.",
    "Estimado cliente:",
    "Atentamente,",
    "Le recordamos que la factura indicada a continuación sigue pendiente de pago.",
    "Si ya ha pagado esta factura, le rogamos que ignore este mensaje.",
    "Le agradeceríamos que realizara el pago lo antes posible.",
    "En caso de que ya haya pagado, no tenga en cuenta este aviso.",
    "Mil gracias por su atención.",
    "Quedamos a su disposición para cualquier consulta.",
    "La factura no ha sido pagada todavía.",
    "¿Ya ha pagado? Gracias.",
]


@pytest.mark.parametrize("text", BENIGN)
def test_ordinary_reminder_prose_passes(text):
    assert slot_problems(text) == []
    assert claim_problems(text, FRIENDLY) == []


# ---------------------------------------------------------------------------------------------
# Names from Odoo

NAMES = [
    # Ordinary names stay as they are
    ("Smith & Sons Ltd", "Smith & Sons Ltd", ()),
    ("Smith & Sons Ltd.", "Smith & Sons Ltd.", ()),
    ("Müller GmbH", "Müller GmbH", ()),
    ("O'Brien", "O'Brien", ()),
    ("Café Zoë", "Café Zoë", ()),
    ("3M", "3M", ()),
    ("Studio 54", "Studio 54", ()),
    ("Maison Leclerc 2024", "Maison Leclerc 2024", ()),
    ("Boutique e-shop – Maison Leclerc", "Boutique e-shop – Maison Leclerc", ()),
    ("J.P.Morgan", "J.P.Morgan", ()),
    ("E.ON Energie", "E.ON Energie", ()),
    ("Coöperatie De Eendracht U.A.", "Coöperatie De Eendracht U.A.", ()),
    ("Ｆｕｌｌ Ｗｉｄｔｈ Ｌｔｄ", "Full Width Ltd", ()),
    ("ACME\nLtd", "ACME Ltd", ()),
    # What a name must not carry
    ("ACME — pay to IBAN BE71 0961 2345 6769 via evil.example/pay", "ACME",
     ("a link", "a bank account number", "payment instructions")),
    ("Müller (info@mueller.de) GmbH", "Müller GmbH", ("an email address",)),
    ("ACME <info@evil.com>", "ACME", ("an email address",)),
    ("Jansen BV (jansen [at] evil [dot] nl)", "Jansen BV", ("an email address",)),
    ("Garcia SL garcia at evil dot es", "Garcia SL", ("an email address",)),
    ("ACME billing(at)evil.com", "ACME", ("an email address",)),
    ("a@evil.com ACME b@evil.com", "ACME", ("an email address",)),
    ("ACME Ltd https://evil.example/pay", "ACME Ltd", ("a link",)),
    ("ACME www.evil.com", "ACME", ("a link",)),
    ("Evil Corp hxxps://evil[.]com", "Evil Corp", ("a link",)),
    ("Hôtel Zoë – evil.example/pay – Paris", "Hôtel Zoë Paris", ("a link",)),
    ("ACME [click here](https://evil.example)", "ACME", ("a link",)),
    ("Booking.com B.V.", "B.V.", ("a link",)),
    ("Janssens NV NL91ABNA0417164300", "Janssens NV", ("a bank account number",)),
    ("Dupont GB29 NWBK 6016 1331 9268 19", "Dupont", ("a bank account number",)),
    ("ACME +32 2 123 45 67", "ACME", ("a phone number",)),
    ("ACME 0470 12 34 56", "ACME", ("a phone number",)),
    ("Schmidt GmbH Tel. 0049 30 1234567", "Schmidt GmbH Tel.", ("a phone number",)),
    ("ACME 123456789", "ACME", ("a long number",)),
    ("Order 2024-000123 ACME", "Order ACME", ("a long number",)),
    ("ACME BE0123.456.789", "ACME", ("a long number",)),
    ("REF12345 Shop", "Shop", ("a long number",)),
    ("Lefèvre & Fils — virement sur FR76 3000 6000 0112 3456 7890 189", "Lefèvre & Fils",
     ("a bank account number", "payment instructions")),
    ("Bäckerei Schulz, Zahlung an Konto 12345678", "Bäckerei Schulz", ("a long number", "payment instructions")),
    ("Van Dijk BV - betalen op rekening NL91 ABNA 0417 1643 00", "Van Dijk BV",
     ("a bank account number", "payment instructions")),
    ("Transportes López, pague a la cuenta ES91 2100 0418 4502 0005 1332", "Transportes López",
     ("a bank account number", "payment instructions")),
    ("ACME, pay into account 12345678", "ACME", ("a long number", "payment instructions")),
    ("Acme (PayPal accepted)", "Acme", ("payment instructions",)),
    ("ACME Bitcoin wallet", "ACME", ("payment instructions",)),
    ("ACME\u202e Ltd", "ACME Ltd", ("invisible or control characters",)),
    ("AC\u200bME Ltd", "ACME Ltd", ("invisible or control characters",)),
    # An address, an amount or a claim added after the name: all that follows the name goes
    ("Dubois & Fils SA, Rue de la Loi 16, 1000 Brussels", "Dubois & Fils SA", ("an address or numbers",)),
    ("Holmes Ltd, 221B Baker Street, London NW1 6XE", "Holmes Ltd", ("an address or numbers",)),
    ("Dubois & Fils SA — Amount due: 0.00 EUR", "Dubois & Fils SA", ("an address or numbers",)),
    ("Dubois & Fils SA (invoice cancelled, nothing to pay)", "Dubois & Fils SA", ("a claim about the invoice",)),
    ("Dubois & Fils SA — 50% discount agreed", "Dubois & Fils SA", ("a claim about the invoice",)),
    ("Müller GmbH / Rechnung storniert", "Müller GmbH", ("a claim about the invoice",)),
    ("ACME\x1b[31m Ltd", "ACME Ltd", ("invisible or control characters",)),
    # A number that is part of the name stays
    ("Studio 54", "Studio 54", ()),
    ("7-Eleven", "7-Eleven", ()),
    ("Acme (Belgium)", "Acme (Belgium)", ()),
    # Nothing left: the caller names the record instead
    ("Invoice cancelled Ltd", "", ("a claim about the invoice",)),
    ("evil.example/pay", "", ("a link",)),
    ("info@evil.example", "", ("an email address",)),
    ("Pay\u200cPal", "", ("payment instructions", "invisible or control characters")),
]


@pytest.mark.parametrize("raw,cleaned,removed", NAMES)
def test_a_name_is_printed_without_what_it_must_not_carry(raw, cleaned, removed):
    result = neutralise(raw)
    assert (result.text, result.removed) == (cleaned, removed)
    assert result.suspicious == bool(removed)


# ---------------------------------------------------------------------------------------------
# What a person's edit brings in


def test_a_number_is_the_same_in_either_spelling():
    assert added_details("Amount due: 1,000.00 EUR.", "Amount due: 1.000,00 EUR.") == []
    assert added_details("Amount due: 1,250.00 EUR.", "Amount due: 1250 EUR, thank you.") == []


def test_an_edit_is_told_what_it_adds():
    before = "Please pay the amount due: 1,250.00 EUR."
    after = ("Please pay 500 EUR to BE71 0961 2345 6769 via evil.example/pay or PayPal, "
             "write to billing@evil.example or call +32 2 123 45 67. Amount due: 1,250.00 EUR.")
    assert added_details(before, after) == [
        "a new number: 500",
        "a new bank account number: BE71 0961 2345 6769",
        "a new link: evil.example/pay",
        "new bank or payment details: PayPal",
        "a new email address: billing@evil.example",
        "a new phone number: +32 2 123 45 67",
    ]


def test_what_was_there_before_is_not_new():
    before = "Pay at https://www.pay.acme.example/ or call +32 2 123 45 67 (IBAN BE71 0961 2345 6769)."
    after = "Pay at pay.acme.example, call +32 (2) 123 45 67, IBAN BE71096123456769."
    assert added_details(before, after) == []


# ---------------------------------------------------------------------------------------------


def test_the_package_imports_nothing_but_the_standard_library():
    package = Path(__file__).resolve().parents[2] / "actions" / "content"
    outside = []
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            outside += [f"{path.name}: {name}" for name in names if name.split(".")[0] not in sys.stdlib_module_names]
    assert outside == []
