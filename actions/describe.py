"""How a protocol reads to people: the diff in rows, who is contacted, record names, amounts
and values in words, what each check means. The card (`presentation.ActionCard`), approval
emails, revalidation messages and record pages all word things here, so every channel says the
same thing."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timeuntil

from .inputs import SendEmailInputs
from .protocol import ActionProtocol


@dataclass(frozen=True)
class ChangeRow:
    record: str
    field: str
    before: str
    after: str
    change_type: str


@dataclass(frozen=True)
class ContactRow:
    channel: str
    recipient: str
    subject: str
    message: str


#: Odoo records as people name them, for the models AIOM acts on.
RECORD_NOUNS = {
    "account.move": "invoice", "crm.lead": "deal", "project.task": "task", "res.partner": "customer",
    "project.project": "project", "mail.activity": "activity", "hr.expense": "expense", "hr.employee": "employee",
    "product.product": "expense category", "ir.attachment": "attachment",
}
#: The records that have a page of their own (everything AIOM proposed and did for them).
RECORD_PAGE_MODELS = ("account.move", "crm.lead", "project.task", "res.partner", "project.project")
#: Odoo field names in plain words.
FIELD_LABELS = {
    "message_ids": "Chatter note", "stage_id": "Stage", "name": "Name", "amount_residual": "Amount due",
    "amount_total": "Total", "payment_state": "Payment status", "state": "Status", "date_deadline": "Deadline",
    "user_id": "Salesperson", "partner_id": "Customer", "expected_revenue": "Expected revenue",
    "summary": "Summary", "probability": "Probability", "total_amount_currency": "Amount",
    "checksum": "Content fingerprint",
}
#: Fields that hold money: shown with two decimals and the currency.
MONEY_FIELDS = frozenset({"amount_residual", "amount_total", "amount_untaxed", "expected_revenue"})
#: Odoo selection values in plain words.
VALUE_WORDS = {
    "payment_state": {"not_paid": "not paid", "partial": "partly paid", "in_payment": "in payment",
                      "paid": "paid", "reversed": "reversed", "invoicing_legacy": "paid before Odoo"},
}
#: Thousands and decimal separators by language; every other language reads like English.
_SEPARATORS = {"de": (".", ","), "nl": (".", ","), "es": (".", ","), "it": (".", ","), "fr": ("\u202f", ",")}


def record_noun(model: str) -> str:
    return RECORD_NOUNS.get(model, "record")


def field_label(field: str) -> str:
    """Field names in words (stage_id → Stage); one without a label reads as its name."""
    return FIELD_LABELS.get(field) or field.removesuffix("_ids").removesuffix("_id").replace("_", " ").capitalize()


def format_amount(value, currency: str = "", locale: str | None = None) -> str:
    """One way to write money: "1,250.00 EUR", zero as "0.00". The separators follow the
    language (`LANGUAGE_CODE` unless given): "1.250,00 EUR" in German."""
    thousands, decimal = _SEPARATORS.get((locale or settings.LANGUAGE_CODE).split("-")[0].lower(), (",", "."))
    text = f"{float(value):,.2f}".translate(str.maketrans({",": thousands, ".": decimal}))
    return f"{text} {currency}" if currency else text


def show_value(value, *, field: str = "", currency: str = "") -> str:
    """Odoo values as a person reads them: many2one pairs by name, money with two decimals,
    selection values in words; only nothing at all (None, False, "", []) is a dash, 0 is "0"."""
    if value is None or value is False or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
        return value[1]
    if isinstance(value, list):
        return ", ".join(show_value(item, field=field, currency=currency) for item in value)
    if isinstance(value, (int, float)) and (field in MONEY_FIELDS or isinstance(value, float)):
        return format_amount(value, currency if field in MONEY_FIELDS else "")
    if isinstance(value, str) and field in VALUE_WORDS:
        return VALUE_WORDS[field].get(value, value.replace("_", " "))
    return str(value)


def _metadata_text(protocol: ActionProtocol | None, key: str) -> str:
    value = protocol.metadata.get(key) if protocol is not None else None
    return value.strip() if isinstance(value, str) else ""


def currency_of(protocol: ActionProtocol | None) -> str:
    return _metadata_text(protocol, "currency")


def record_label(model: str, record_id: int | None, protocol: ActionProtocol | None = None) -> str:
    """A record as people name it: "Invoice INV/2026/00014 — Westpoint", "Customer Westpoint",
    "New task"; "Invoice #8" when the action holds no name for it."""
    noun = record_noun(model)
    if not record_id:
        return f"New {noun}"
    partner = _metadata_text(protocol, "partner_name")
    if protocol is not None and model == "res.partner" and partner and record_id == partner_of(protocol):
        return f"Customer {partner}"
    target = protocol is not None and (model, record_id) == (protocol.affected_records.odoo_model,
                                                             protocol.affected_records.odoo_ids[0])
    name = _metadata_text(protocol, "record_name") if target else ""
    label = f"{noun.capitalize()} {name or f'#{record_id}'}"
    return f"{label} — {partner}" if target and partner and model != "res.partner" else label


def partner_of(protocol: ActionProtocol) -> int | None:
    partner = getattr(protocol.operation.inputs, "partner_id", None)
    if partner is None and protocol.affected_records.odoo_model == "res.partner":
        return protocol.affected_records.odoo_ids[0]
    return partner


def changes(protocol: ActionProtocol) -> list[ChangeRow]:
    currency = currency_of(protocol)
    return [ChangeRow(record=record_label(change.model, change.record_id, protocol), field=field_label(change.field),
                      before=show_value(change.before, field=change.field, currency=currency),
                      after=show_value(change.after, field=change.field, currency=currency),
                      change_type=change.change_type)
            for change in protocol.proposed_changes]


def contacts(protocol: ActionProtocol) -> list[ContactRow]:
    """Who will be contacted, with the exact message the operation will send."""
    inputs = protocol.operation.inputs
    body = getattr(inputs, "body", "") if protocol.is_external else ""
    return [ContactRow(channel=effect.effect_type, recipient=effect.recipient,
                       subject=effect.subject or getattr(inputs, "subject", "") or "",
                       message=body or effect.preview)
            for effect in protocol.external_effects]


def recipient_domains(protocol: ActionProtocol) -> list[str]:
    """The domains an email goes to, in order, when there are several (a reminder to acme.com
    that also goes to another domain deserves a second look); empty otherwise."""
    inputs = protocol.operation.inputs
    if not isinstance(inputs, SendEmailInputs):
        return []
    domains = list(dict.fromkeys(str(address).rpartition("@")[2].lower() for address in [*inputs.to, *inputs.cc]))
    return domains if len(domains) > 1 else []


def content_flags(protocol: ActionProtocol) -> list[str]:
    """What was cleaned out of Odoo text before it was written into this action, in words
    ("partner name: a link removed"); set when the action was written."""
    flags = protocol.metadata.get("content_flags")
    return [str(flag) for flag in flags] if isinstance(flags, list) else []


def approver_notes(protocol: ActionProtocol) -> list[str]:
    """What the author wants an approver to weigh ("this customer has invoices 45 days overdue")."""
    notes = protocol.metadata.get("approver_notes")
    return [str(note) for note in notes] if isinstance(notes, list) else []


#: Notes other apps add to the cards of a page as it is drawn ("this address bounced"): each takes
#: the page's actions and answers {action id: [notes]} in one query. An app registers its own in its
#: AppConfig.ready(), so this module knows none of them.
CARD_NOTE_SOURCES: list = []


#: The check id of sending hours kept in the customer's own time zone (Odoo's `tz` on the customer).
CUSTOMER_HOURS = "customer-hours"


def describe_predicate(predicate, protocol: ActionProtocol | None = None, *, check_id: str = "") -> str:
    """What is checked again before the action runs, in words."""
    kind = predicate.type
    if kind == "quiet_hours_ok":
        days = "every day" if predicate.weekends else "Monday to Friday"
        hours = f"between {predicate.start:%H:%M} and {predicate.end:%H:%M}"
        if check_id == CUSTOMER_HOURS:
            return f"Sent only {hours} in the customer's time zone, {predicate.timezone}, {days}"
        return f"Sent only {hours} {predicate.timezone}, {days}"
    if kind == "no_duplicate_action_in_window":
        channel = "an email" if predicate.channel == "email" else "an SMS"
        return f"Nobody sent this customer {channel} in the last {predicate.hours} h"
    if kind == "calendar_slot_free":
        return "The organiser's calendar is still free at the meeting's time"
    if predicate.model == "ir.attachment" and getattr(predicate, "field", "") == "checksum":
        return f"The PDF {_attachment_name(protocol, predicate.id)} in Odoo is still the one approved"
    label = record_label(predicate.model, predicate.id, protocol)
    if kind == "odoo_record_exists":
        return f"{label} still exists in Odoo"
    field, currency = predicate.field, currency_of(protocol)
    wanted = [predicate.expected] if kind == "odoo_field_equals" else predicate.allowed
    words = [show_value(value, field=field, currency=currency) for value in wanted]
    return (f"{label}: {field_label(field).lower()} is still "
            f"{words[0] if len(words) == 1 else 'one of ' + ', '.join(words)}")


def _attachment_name(protocol: ActionProtocol | None, attachment_id: int) -> str:
    files = getattr(protocol.operation.inputs, "attachments", []) if protocol is not None else []
    return next((f"“{file.name}”" for file in files if file.attachment_id == attachment_id), f"#{attachment_id}")


def attachments(protocol: ActionProtocol) -> list[str]:
    """What an email carries (each PDF's name and size), then what it leaves out and why, as
    written when it was proposed ("Invoice INV/7: no PDF in Odoo: not attached; …")."""
    files = getattr(protocol.operation.inputs, "attachments", None) or []
    sizes = protocol.metadata.get("attachment_bytes")
    sizes = sizes if isinstance(sizes, list) and len(sizes) == len(files) else [None] * len(files)
    left_out = protocol.metadata.get("attachments_left_out")
    return ([f"{file.name} ({file_size(size)})" for file, size in zip(files, sizes)]
            + ([str(line) for line in left_out] if isinstance(left_out, list) else []))


def file_size(size) -> str:
    """"612 bytes", "48 KB", "1.4 MB"; "size not known" when nothing says."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return "size not known"
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    return f"{size / 1024:.0f} KB" if size < 2**20 else f"{size / 2**20:.1f} MB"


#: What happens when a check fails, by its severity; the time of day only makes it wait.
ON_FAIL = {"block": "the action stops", "require_reapproval": "you are asked again"}
WAITS = "it waits for the sending hours"


def checks(protocol: ActionProtocol, policy=None) -> list[tuple[str, str]]:
    """(description, what happens if it fails); with the organisation's policy, a message also
    names the contact budget the executor keeps when it sends (a guardrail, not a predicate)."""
    listed = [(describe_predicate(check.predicate, protocol, check_id=check.check_id),
               WAITS if check.predicate.type == "quiet_hours_ok" else ON_FAIL[check.severity_on_fail.value])
              for check in protocol.revalidation_plan.checks]
    return listed + ([contact_budget_check(policy)] if policy is not None and _budgeted(protocol, policy) else [])


def _budgeted(protocol: ActionProtocol, policy) -> bool:
    return bool(protocol.is_external and policy.contact_cap_messages and partner_of(protocol))


def contact_budget_check(policy) -> tuple[str, str]:
    """The guardrails' contact budget as a check on the card."""
    count = policy.contact_cap_messages
    on_fail = ("the action is refused" if policy.on_rate_limit == "deny"
               else "it waits until the customer may be written to again, or stops if that is after it expires")
    return (f"At most {count} message{'s' if count != 1 else ''} (email and SMS together) to this customer in "
            f"{policy.contact_cap_days} days, invoice reminders and sales messages alike", on_fail)


def expires_in(expires_at: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if expires_at <= now:
        return "expired"
    return f"expires in {timeuntil(expires_at, now, depth=1)}"
