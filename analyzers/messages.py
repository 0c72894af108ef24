"""Outside messages: facts written by code, prose slots written by the rules or by Claude.

Every email or SMS to a customer is laid out by its action type's template (the registry's
`message_template`): a greeting and the customer's name, an opening, the facts block (invoice
number, amount due, due date, days overdue; a deal's name and salesperson), the organisation's
own payment instructions, a closing and the company name. Only the greeting, opening and
closing are prose anyone may write; the facts, the instructions and the subject are written
here from Odoo's structured fields and the organisation's settings, so no draft can remove or
restate them.

Names come from Odoo free text, which customers write through website forms: they are printed
only after `actions.content.neutralise`, and a name with nothing left is replaced by a
reference ("customer #7"), so a planted link or account number never reaches a message.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string

from actions import types
from actions.types import ActionType
from aiom.text import one_line
from integrations.email import render_email

from .odoo_text import NAME_LIMIT, neutral_name

SLOT_NAMES = ("greeting", "opening", "closing")
#: Subjects are one line of at most this many characters.
SUBJECT_LIMIT = 255
TOPIC_LIMIT = 200
#: What an SMS leaves out, first to last, until it fits; the facts are never cut.
SMS_DROP_ORDER = ("payment_instructions", "closing", "opening")


@dataclass(frozen=True)
class Slots:
    """The prose of one message; the template puts the facts between opening and closing."""

    greeting: str
    opening: str
    closing: str


@dataclass(frozen=True)
class Composed:
    subject: str | None  # None for an SMS
    body: str


class DoesNotFit(ValueError):
    """An SMS whose facts and greeting alone are longer than one message may be."""


# ---------------------------------------------------------------------------------------------
# The rules' own prose

_FRIENDLY, _FIRM = "friendly", "firm"
_DEFAULT_SLOTS = {
    (ActionType.SEND_INVOICE_REMINDER, _FRIENDLY): Slots(
        "Dear", "This is a friendly reminder that the invoice below is still open. If you have already paid "
                "it, thank you and please ignore this message.", "Kind regards,"),
    (ActionType.SEND_INVOICE_REMINDER, _FIRM): Slots(
        "Dear", "The invoice below is now past its due date and remains unpaid. If there is a problem with the "
                "invoice, please reply to this email.", "Kind regards,"),
    (ActionType.SEND_INVOICE_REMINDER_SMS, _FRIENDLY): Slots(
        "Dear", "A friendly reminder about an open invoice: please arrange payment, or ignore this message if "
                "you have already paid.", "Kind regards,"),
    (ActionType.SEND_INVOICE_REMINDER_SMS, _FIRM): Slots(
        "Dear", "This invoice is past its due date and remains unpaid. Please contact us if there is a problem "
                "with it.", "Kind regards,"),
    (ActionType.FOLLOW_UP_STALLED_DEAL, _FRIENDLY): Slots(
        "Dear", "I wanted to follow up on our recent conversation. Is there anything you need from us to move "
                "forward, or a good time for a short call?", "Kind regards,"),
    (ActionType.SEND_DUNNING_EMAIL, "courtesy"): Slots(
        "Dear", "A short note ahead of the due date below. If the payment is already on its way, thank you, and "
                "please ignore this message.", "Kind regards,"),
    (ActionType.SEND_DUNNING_EMAIL, _FRIENDLY): Slots(
        "Dear", "This is a friendly reminder about the open amount below. If you have already paid, thank you "
                "and please ignore this message.", "Kind regards,"),
    (ActionType.SEND_DUNNING_EMAIL, _FIRM): Slots(
        "Dear", "The amount below is past its due date and remains unpaid. If there is a problem with an "
                "invoice, please reply to this email.", "Kind regards,"),
    (ActionType.SEND_DUNNING_EMAIL, "final"): Slots(
        "Dear", "Despite our earlier reminders, the amount below remains unpaid. This is our final notice before "
                "we hand the matter over for collection.", "Regards,"),
    (ActionType.SEND_DUNNING_SMS, _FRIENDLY): Slots(
        "Dear", "A friendly reminder about an open amount: please arrange payment, or ignore this message if you "
                "have already paid.", "Kind regards,"),
    (ActionType.SEND_DUNNING_SMS, _FIRM): Slots(
        "Dear", "This amount is past due and remains unpaid. Please contact us if there is a problem.",
        "Kind regards,"),
    (ActionType.THANK_FOR_PAYMENT, _FRIENDLY): Slots(
        "Dear", "Thank you for your payment: the invoices below are now settled. We appreciate it.", "Kind regards,"),
    (ActionType.EMAIL_CUSTOMER, _FRIENDLY): Slots(
        "Dear", "I would like to get in touch with you about the subject below. Could you let me know when "
                "would suit you to discuss it?", "Kind regards,"),
}


def default_slots(action_type: str, tone: str) -> Slots:
    """The rules' prose for a message of `action_type` in `tone` ("friendly" or "firm"); a type
    with one wording (the deal follow-up) uses it for every tone."""
    action_type = ActionType(action_type)
    return _DEFAULT_SLOTS.get((action_type, tone)) or _DEFAULT_SLOTS[(action_type, _FRIENDLY)]


def customer_reference(facts: dict, none: str) -> str:
    """How a customer whose name cannot be printed is named: by partner id, else `none`."""
    return f"customer #{facts['partner_id']}" if facts.get("partner_id") else none


def amount_due(facts: dict) -> str:
    """An invoice's open amount with its currency: "1,250.00 EUR"."""
    return f"{facts['residual']:,.2f} {facts['currency']}".strip()


# ---------------------------------------------------------------------------------------------
# Composing


def compose(action_type: str, facts: dict, slots: Slots, *, organization_name: str, payment_instructions: str,
            tone: str) -> Composed:
    """The subject and plain-text body of an outside message of `action_type`.

    `facts` are a finding's facts (an overdue invoice's or a stalled deal's) with the partner's
    id under "partner_id"; `payment_instructions` are the organisation's own, printed as written
    where the template has a place for them (payment reminders) and nowhere when empty.
    Raises DoesNotFit for an SMS whose facts and greeting alone exceed one message."""
    spec = types.action_type(action_type)
    if spec.message_template is None:
        raise ValueError(f"{spec.name!r} is not an outside message")
    context = {
        **_facts_context(facts),
        "greeting": one_line(slots.greeting), "opening": slots.opening.strip(), "closing": one_line(slots.closing),
        "payment_instructions": (payment_instructions or "").strip(), "tone": tone,
        "company_name": one_line(organization_name, NAME_LIMIT),
    }
    if spec.subject == "none":  # a text message: one body within the channel's limit
        return Composed(None, _sms(spec.message_template, context, limit=spec.body_limit))
    subject, text, _ = render_email(spec.message_template, context)
    return Composed(one_line(subject, SUBJECT_LIMIT), text.rstrip("\n"))


def _facts_context(facts: dict) -> dict:
    """What the templates print about the customer and the record: an invoice's number, open
    amount and dates, or a deal's name and salesperson."""
    context = {"partner_name": neutral_name(facts.get("partner_name"), customer_reference(facts, "there"))}
    if "residual" in facts:
        context |= {"invoice_name": one_line(facts["name"], NAME_LIMIT), "amount_due": amount_due(facts),
                    "due_date": date.fromisoformat(facts["due"]), "days_overdue": facts["days_overdue"]}
    if "invoices" in facts:  # a customer's open invoices together (a follow-up level)
        invoices = [{"name": one_line(invoice["name"], NAME_LIMIT), "amount": amount_due(invoice),
                     "due_date": date.fromisoformat(invoice["due"]), "days_overdue": invoice["days_overdue"]}
                    for invoice in facts["invoices"]]
        total = {"residual": sum(invoice["residual"] for invoice in facts["invoices"]),
                 "currency": facts["invoices"][0]["currency"] if facts["invoices"] else ""}
        # A level may leave the lines out: then the message states the count and the total only.
        context |= {"invoices": invoices, "total_due": amount_due(total),
                    "list_invoices": facts.get("list_invoices", True) is not False}
    if "topic" in facts:  # a message someone asked for: its subject, as they typed it
        context["topic"] = one_line(facts["topic"], TOPIC_LIMIT)
    if "lead_id" in facts:
        context |= {"deal_name": neutral_name(facts.get("name"), f"deal #{facts['lead_id']}"),
                    "salesperson": neutral_name(facts.get("salesperson"), "")}
    return context


def _sms(template: str, context: dict, *, limit: int) -> str:
    """One text of at most `limit` characters: the parts in SMS_DROP_ORDER go, in turn, until it fits."""
    for dropped in range(len(SMS_DROP_ORDER) + 1):
        text = _plain(template, {**context, **dict.fromkeys(SMS_DROP_ORDER[:dropped], "")})
        if len(text) <= limit:
            return text
    raise DoesNotFit(f"the SMS is {len(text)} characters even without its optional parts (at most {limit})")


def _plain(template: str, context: dict) -> str:
    """A plain-text template rendered (it turns escaping off itself), without stray blank lines."""
    text = "\n".join(line.rstrip() for line in render_to_string(template, context).splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip()
