"""Demo chatter: short threads on three open deals and two overdue invoices.

Customer emails arrive the way Odoo's mail gateway posts them (``message_type`` ``email``,
subtype "Discussions", author the customer's contact, ``email_from`` their address); salespeople
log internal notes (``comment``, subtype "Note") and once reply from the chatter (``comment``,
"Discussions"). Messages are dated over the last ten days, each thread in date order, so the
default order (``id desc``) lists the newest first. The newest email in each deal thread asks
a question that is still open. Nothing here changes a deal, an invoice or a partner.
"""

from html import escape

# Thread targets: ("crm.lead", deal name) or ("account.move", (customer key, invoice total)).
# Messages: days ago, time (UTC), kind, author, subject, paragraphs. Kinds: "email" (from the
# customer's contact), "reply" (from the salesperson), "note" (internal). ``{invoice}`` in a
# subject or paragraph is the invoice number.
THREADS = [
    (("crm.lead", "Cold chain audit – Polder Foods"), "polder", "sofia", [
        (6, "09:12", "email", "Cold chain audit – sites in scope", [
            "Hi Sofia,",
            "Thank you for the proposal. We went through it with our quality team on Monday.",
            "We would like to add our Zwolle warehouse to the audit, which makes three sites instead of two.",
            "Kind regards,<br>Bram de Vries<br>Polder Foods BV",
        ]),
        (5, "14:30", "note", None, [
            "Called Bram: the budget is approved in principle. He needs a revised quote for three sites "
            "before their board meets on Thursday.",
        ]),
        (2, "08:45", "email", "Re: Cold chain audit – sites in scope", [
            "Hello Sofia,",
            "Could you send the revised quote including the Zwolle site by Wednesday?",
            "Also, does the price include the on-site training for our shift leads?",
            "Best regards,<br>Bram de Vries",
        ]),
    ]),
    (("crm.lead", "Solar monitoring – Helios"), "helios", "sofia", [
        (9, "10:05", "email", "Monitoring pilot – inverter brands", [
            "Dear Sofia,",
            "Before we commit to the pilot, could you confirm which inverter brands your platform reads "
            "out of the box? We run SMA and Huawei on most of our sites.",
            "Thanks,<br>Femke Visser",
        ]),
        (8, "16:20", "reply", "Re: Monitoring pilot – inverter brands", [
            "Hi Femke,",
            "SMA is supported today. I am checking Huawei with our engineers and will come back to you this week.",
            "Sofia",
        ]),
        (3, "11:00", "note", None, [
            "Lena confirmed that Huawei needs an extra gateway (about 400 EUR per site). Femke has not been told yet.",
        ]),
    ]),
    (("crm.lead", "Booking engine – Silverleaf Hotels"), "silverleaf", "sofia", [
        (1, "13:40", "email", "Booking engine – timeline and integrations", [
            "Hello,",
            "We are comparing two suppliers this month. Could you send us a project timeline and the list "
            "of property management systems you integrate with?",
            "We use Mews in all four hotels.",
            "Kind regards,<br>Grace O'Neil<br>Silverleaf Hotels",
        ]),
    ]),
    (("account.move", ("brightline", 3400.00)), "brightline", "marc", [
        (4, "09:30", "email", "Invoice {invoice}", [
            "Hello,",
            "Our accounts payable team cannot book invoice {invoice} because our purchase order number is "
            "missing. Could you send a corrected copy with PO 4500-1187?",
            "We will pay within a week of receiving it.",
            "Regards,<br>Pieter De Smet<br>Brightline Logistics NV",
        ]),
        (3, "10:15", "note", None, [
            "Brightline needs PO 4500-1187 on the invoice before paying. Asked accounting to reissue it.",
        ]),
    ]),
    (("account.move", ("dubois", 1200.00)), "dubois", "sofia", [
        (1, "15:05", "email", "Re: Invoice {invoice}", [
            "Bonjour,",
            "The payment of invoice {invoice} was scheduled for Friday; you should receive it early next week.",
            "Cordialement,<br>Camille Dubois",
        ]),
    ]),
]


def build(builder):
    """Insert the threads into the store ``builder`` (a ``demo.DemoBuilder``) fills."""
    store = builder.store
    subtypes = {"note": store.ref("mail.mt_note")[1], "discussion": store.ref("mail.mt_comment")[1]}
    for (model, key), customer, salesperson, messages in THREADS:
        record_id = builder.leads[key] if model == "crm.lead" else _invoice(store, builder.partners[key[0]], key[1])
        invoice = store.row(model, record_id).get("name", "") if model == "account.move" else ""
        contact = store.row("res.partner", builder.partners.get(f"{customer}-contact") or builder.partners[customer])
        seller = store.row("res.partner", store.row("res.users", builder.users[salesperson])["partner_id"])
        for days_ago, time, kind, subject, paragraphs in messages:
            author = contact if kind == "email" else seller
            values = {
                "model": model,
                "res_id": record_id,
                "message_type": "email" if kind == "email" else "comment",
                "subtype_id": subtypes["note" if kind == "note" else "discussion"],
                "author_id": author["id"],
                "email_from": f'"{author["name"]}" <{author["email"]}>',
                "subject": subject.format(invoice=invoice) if subject else False,
                "body": "".join(f"<p>{_html(paragraph.format(invoice=invoice))}</p>" for paragraph in paragraphs),
                "partner_ids": [contact["id"]] if kind == "reply" else [],
                "date": f"{builder.day(-days_ago)} {time}:00",
            }
            store.insert("mail.message", values)


def _invoice(store, partner_id, total):
    """The open scenario invoice of a customer (filler invoices are paid)."""
    return next(
        row["id"]
        for row in sorted(store.tables["account.move"].values(), key=lambda row: row["id"])
        if row.get("partner_id") == partner_id and row.get("move_type") == "out_invoice" and row.get("state") == "posted"
        and row.get("payment_state") == "not_paid" and row.get("amount_total") == total
    )


def _html(text):
    """Escape text but keep the ``<br>`` line breaks the paragraphs use."""
    return escape(text, quote=False).replace("&lt;br&gt;", "<br>")
