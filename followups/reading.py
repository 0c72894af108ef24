"""What the engine reads from Odoo: each customer's open invoices (what is chased, with each
invoice's own open amount, so a partial payment is chased for the rest only), what
customers wrote in the chatter since our last message, and the bounces that landed there."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.utils import parseaddr

from analyzers.base import many2one_id, many2one_name, money, odoo_date
from analyzers.financial import OPEN_PAYMENT_STATES, PARTNER_FIELDS, partner_zone

#: How mail servers sign the bounces they send back, and how those begin.
BOUNCE_SENDERS = ("mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster")
BOUNCE_SUBJECTS = ("undelivered mail returned to sender", "delivery status notification (failure)",
                   "mail delivery failed", "mail delivery failure", "undeliverable:", "undelivered:",
                   "returned mail:", "failure notice", "delivery failure", "message not delivered")
INVOICE_FIELDS = ["name", "partner_id", "amount_residual", "invoice_date_due", "invoice_date", "currency_id",
                  "payment_state"]
PAGE_SIZE = 500


@dataclass
class Customer:
    partner_id: int
    name: str
    email: str = ""
    phone: str = ""
    invoices: list = field(default_factory=list)  # [{"id", "name", "residual", "due", "days_overdue", ...}]
    #: The customer's own time zone (Odoo's `tz`) when it is a real one, else "": sending hours follow it.
    tz: str = ""

    @property
    def anchor(self) -> date:
        """The oldest due date among the invoices chased: offsets count from it."""
        return min(date.fromisoformat(invoice["due"]) for invoice in self.invoices)

    @property
    def open_amount(self) -> float:
        return money(sum(invoice["residual"] for invoice in self.invoices))


def customers_with_open_invoices(odoo, *, today: date, lead_days: int) -> dict[int, Customer]:
    """Customers with posted customer invoices still open and due by `today + lead_days` (the
    earliest courtesy level), by partner id, invoices oldest first."""
    domain = [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
              ("payment_state", "in", OPEN_PAYMENT_STATES), ("amount_residual", ">", 0),
              ("invoice_date_due", "<=", (today + timedelta(days=max(lead_days, 0))).isoformat())]
    grouped: dict[int, list] = defaultdict(list)
    for row in odoo.iter_search_read("account.move", domain, INVOICE_FIELDS, page_size=PAGE_SIZE):
        partner_id = many2one_id(row["partner_id"])
        if partner_id is None:
            continue
        due = odoo_date(row["invoice_date_due"]) or odoo_date(row["invoice_date"]) or today
        grouped[partner_id].append({
            "id": row["id"], "name": row["name"], "residual": money(row["amount_residual"]), "due": due.isoformat(),
            "days_overdue": (today - due).days, "currency": many2one_name(row["currency_id"]),
            "payment_state": row["payment_state"], "partner_name": many2one_name(row["partner_id"])})
    if not grouped:
        return {}
    for invoices in grouped.values():
        invoices.sort(key=lambda invoice: (invoice["due"], invoice["id"]))
    partners = {row["id"]: row for row in odoo.read("res.partner", sorted(grouped), PARTNER_FIELDS)}
    return {partner_id: Customer(partner_id, str(partners.get(partner_id, {}).get("name") or invoices[0]["partner_name"]),
                                 str(partners.get(partner_id, {}).get("email") or ""),
                                 str(partners.get(partner_id, {}).get("phone") or ""), invoices,
                                 partner_zone(partners.get(partner_id, {}).get("tz")))
            for partner_id, invoices in grouped.items()}


def replies_since(odoo, *, partner_id: int, invoice_ids: list[int], since: str) -> list[dict]:
    """Emails the customer's company wrote into Odoo (on their record or their invoices) after
    `since` (our last message): each pauses the follow-up for a person to read. A bounce is not a
    reply, even when Odoo put a contact of the customer's as its author."""
    authors = odoo.search("res.partner", ["|", ("id", "=", partner_id), ("parent_id", "=", partner_id)], limit=200)
    if not authors:
        return []
    messages = odoo.search_read("mail.message", [*_threads(partner_id, invoice_ids), ("message_type", "=", "email"),
                                                 ("author_id", "in", authors), ("date", ">", since)],
                                ["date", "author_id", "model", "res_id", "email_from", "subject"],
                                order="date asc", limit=5)
    return [message for message in messages if not is_bounce(message)]


def bounces_since(odoo, *, partner_id: int, invoice_ids: list[int], since: str) -> list[dict]:
    """Bounces of our emails that landed in Odoo (on the customer's record or their invoices) after
    `since` (our last message), oldest first."""
    messages = odoo.search_read("mail.message", [*_threads(partner_id, invoice_ids), ("message_type", "=", "email"),
                                                 ("date", ">", since)],
                                ["date", "author_id", "model", "res_id", "email_from", "subject", "body"],
                                order="date asc", limit=20)
    return [message for message in messages if is_bounce(message)]


def is_bounce(message: dict) -> bool:
    """A mail server's bounce: sent by its daemon (MAILER-DAEMON@…, postmaster@…) or with a bounce's
    subject; a delay notice is not one (the server still tries)."""
    sender = parseaddr(str(message.get("email_from") or ""))[1].lower()
    subject = " ".join(str(message.get("subject") or "").split()).lower()
    if "delay" in subject:
        return False
    return sender.partition("@")[0] in BOUNCE_SENDERS or subject.startswith(BOUNCE_SUBJECTS)


def _threads(partner_id: int, invoice_ids: list[int]) -> list:
    return ["|", "&", ("model", "=", "res.partner"), ("res_id", "=", partner_id),
            "&", ("model", "=", "account.move"), ("res_id", "in", invoice_ids or [0])]
