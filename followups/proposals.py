"""One level of a follow-up → one complete Action Protocol, proposed through `propose()`.

A message lists every invoice chased with its own open amount (or, when the level says not to,
their number and total), laid out by the safe template (`emails/dunning`,
`messages/dunning_sms.txt`); an email may carry the invoices' PDFs from Odoo (`attachments.py`),
each sent only if unchanged since. Each invoice must still be open with the same amount when it
is sent, no other message may have reached the customer within the policy's window, and it goes
in business hours — so a payment between approval and sending stops it.
The idempotency key is the send key: customer, level and the set of invoices, and nothing
else, so a re-run, a retry or a second worker proposes the same action again, never a second.
"""

import hashlib
import uuid
from datetime import timedelta

from actions import types
from actions.fields import Source
from actions.protocol import parse_protocol
from actions.types import ActionType
from aiom.text import one_line
from analyzers import messages
from analyzers.builders import outreach_checks
from analyzers.contacts import e164_phone, email_addresses
from analyzers.odoo_text import neutral_name

from . import attachments, timing
from .models import LevelChannel

TYPE_FOR_CHANNEL = {LevelChannel.EMAIL: ActionType.SEND_DUNNING_EMAIL, LevelChannel.SMS: ActionType.SEND_DUNNING_SMS,
                    LevelChannel.TASK: ActionType.CREATE_DUNNING_TASK, LevelChannel.CALL: ActionType.SCHEDULE_CALL}


class CannotReach(ValueError):
    """The customer has no usable address for the level's channel."""


def send_key(organization, follow_up, level, invoices: list[dict]) -> str:
    invoice_set = ",".join(str(invoice["id"]) for invoice in sorted(invoices, key=lambda invoice: invoice["id"]))
    digest = hashlib.sha256(invoice_set.encode()).hexdigest()[:16]
    return f"followup:{organization.slug}:{follow_up.target_model}:{follow_up.target_id}:{level.position}:{digest}"


def invoice_level(ctx, follow_up, level, customer) -> dict:
    """The protocol of `level` for `customer`'s open invoices."""
    invoices = customer.invoices
    name = neutral_name(customer.name, f"customer #{customer.partner_id}")
    action_type = TYPE_FOR_CHANNEL[level.channel]
    checks = [check for invoice in invoices for check in (
        {"check_id": f"still-open-{invoice['id']}", "predicate": {
            "type": "odoo_field_in", "model": "account.move", "id": invoice["id"], "field": "payment_state",
            "allowed": ["not_paid", "partial"]}},
        {"check_id": f"amount-unchanged-{invoice['id']}", "predicate": {
            "type": "odoo_field_equals", "model": "account.move", "id": invoice["id"], "field": "amount_residual",
            "expected": invoice["residual"]}})]
    total = messages.amount_due({"residual": customer.open_amount, "currency": invoices[0]["currency"]})
    what = f"{len(invoices)} open invoice{'s' if len(invoices) != 1 else ''} ({total})"
    effects, changes = [], []
    if level.channel in (LevelChannel.EMAIL, LevelChannel.SMS):
        composed = _compose(ctx, action_type, customer, level)
        if level.channel == LevelChannel.EMAIL:
            recipients = email_addresses(customer.email)
            if not recipients:
                raise CannotReach(f"{name} has no usable email address in Odoo")
            inputs = {"to": recipients, "subject": composed.subject, "body": composed.body}
            effects = [{"effect_type": "email", "recipient": address, "recipient_partner_id": customer.partner_id,
                        "subject": composed.subject, "preview": composed.body[:300]} for address in recipients]
        else:
            phone = e164_phone(customer.phone)
            if not phone:
                raise CannotReach(f"{name} has no mobile number in international form in Odoo")
            inputs = {"to": phone, "body": composed.body}
            effects = [{"effect_type": "sms", "recipient": phone, "recipient_partner_id": customer.partner_id,
                        "preview": composed.body}]
        inputs |= {"partner_id": customer.partner_id, "related_model": "res.partner", "related_id": customer.partner_id}
        checks += outreach_checks(customer.partner_id, level.channel, ctx.policy, timezone=customer.tz)
    elif level.channel == LevelChannel.TASK:
        if ctx.staff_project is None:
            raise CannotReach("Odoo has no project to hold the collection task")
        lines = [f"Call {name} about {what}:"] + [
            f"- {invoice['name']}: {messages.amount_due(invoice)} open, {invoice['days_overdue']} days overdue"
            for invoice in invoices]
        inputs = {"project_id": ctx.staff_project["id"], "name": one_line(f"Collect from {name}: {what}", 255),
                  "description": "\n".join(lines), "date_deadline": (ctx.today + timedelta(days=2)).isoformat(),
                  "priority": "1", "partner_id": customer.partner_id, "related_model": "res.partner",
                  "related_id": customer.partner_id}
        changes = [{"model": "project.task", "record_id": None, "field": "name", "after": inputs["name"],
                    "change_type": "create"}]
    else:
        inputs = {"model": "res.partner", "record_id": customer.partner_id, "activity_type": "call",
                  "summary": one_line(f"Call {name} about {what}", 255), "date_deadline": ctx.today.isoformat()}
        changes = [{"model": "mail.activity", "record_id": None, "field": "summary", "after": inputs["summary"],
                    "change_type": "create"}]
    extra = {}
    if level.channel == LevelChannel.EMAIL and getattr(level, "attach_invoices", False):
        pdfs = attachments.plan(ctx.odoo, invoices, room=attachments.PLAN_CHECKS - 1 - len(checks))
        inputs["attachments"] = pdfs.inputs
        extra = {"attachment_bytes": pdfs.sizes, "attachments_left_out": pdfs.left_out}
        checks += pdfs.checks
    return _document(ctx, follow_up, level, action_type, inputs, effects, changes, checks, customer,
                     title=f"{level.name}: {name}, {what}", extra_metadata=extra)


def _compose(ctx, action_type, customer, level):
    """The level's wording (an SMS without its own courtesy or final wording falls back to the
    friendly one) around the invoices, by the safe template."""
    facts = {"partner_id": customer.partner_id, "partner_name": customer.name, "invoices": customer.invoices,
             "list_invoices": getattr(level, "list_invoices", True)}
    slots = messages.default_slots(action_type, level.wording)
    return messages.compose(action_type, facts, slots, organization_name=ctx.organization.name,
                            payment_instructions=ctx.policy.payment_instructions, tone=level.wording)


def _document(ctx, follow_up, level, action_type, inputs, effects, changes, checks, customer, *, title,
              extra_metadata=None) -> dict:
    spec = types.action_type(action_type)
    operation = spec.operation.value
    chosen = timing.applied(follow_up, level)  # the day Claude suggested, with its reason
    when = timing.moved_words(level, chosen) if chosen else (
        f"{level.offset_days:+d} days from {'the due date' if level.offset_from == 'due' else 'the previous level'}.")
    return parse_protocol({
        "action_id": str(uuid.uuid4()), "action_type": spec.name, "safe_operation": operation,
        "operation": {"type": operation, "inputs": inputs}, "risk_level": level.risk_level,
        "title": one_line(title, 255),
        "expected_effect": f"{neutral_name(customer.name, 'The customer')} pays the "
                           f"{messages.amount_due({'residual': customer.open_amount, 'currency': customer.invoices[0]['currency']})} "
                           "still open.",
        "reasoning": one_line(f"Level {level.position + 1} of the “{follow_up.sequence.name}” sequence is due: "
                              f"{level.name.lower()}, {when}", 1000),
        "proposed_changes": changes, "external_effects": effects,
        "revalidation_plan": {"checks": [{"check_id": "target-exists", "predicate": {
            "type": "odoo_record_exists", "model": "res.partner", "id": customer.partner_id}}, *checks]},
        "affected_records": {"odoo_model": "res.partner", "odoo_ids": [customer.partner_id],
                             "description": one_line(f"{neutral_name(customer.name, '')} — "
                                                     + ", ".join(i["name"] for i in customer.invoices), 500)},
        "estimated_impact": {"revenue_change": customer.open_amount},
        "idempotency_key": send_key(ctx.organization, follow_up, level, customer.invoices),
        "created_at": ctx.now.isoformat(), "expires_at": (ctx.now + timedelta(hours=ctx.policy.expiry_hours)).isoformat(),
        "created_by": "system", "source": Source.FOLLOW_UP.value,
        "metadata": {"follow_up_id": follow_up.pk, "level": level.position, "level_name": level.name,
                     "invoice_ids": [invoice["id"] for invoice in customer.invoices],
                     # What policy rules about "days overdue" read: the oldest invoice chased.
                     "days_overdue": max(invoice.get("days_overdue", 0) for invoice in customer.invoices),
                     "partner_name": neutral_name(customer.name, ""), "currency": customer.invoices[0]["currency"],
                     **(extra_metadata or {})},
    }).model_dump(mode="json")


def thank_you(ctx, follow_up, partner: dict) -> dict:
    """The thank-you email after a customer paid what a follow-up chased: sent only while every
    invoice is still paid (a reversed payment stops it)."""
    invoices = follow_up.invoices
    recipients = email_addresses(partner.get("email"))
    if not recipients or not invoices:
        raise CannotReach("no usable email address in Odoo" if invoices else "nothing was chased")
    customer_facts = {"partner_id": follow_up.target_id, "partner_name": partner.get("name") or "", "invoices": invoices}
    slots = messages.default_slots(ActionType.THANK_FOR_PAYMENT, "friendly")
    composed = messages.compose(ActionType.THANK_FOR_PAYMENT, customer_facts, slots,
                                organization_name=ctx.organization.name, payment_instructions="", tone="friendly")
    name = neutral_name(partner.get("name"), f"customer #{follow_up.target_id}")
    inputs = {"to": recipients, "subject": composed.subject, "body": composed.body, "partner_id": follow_up.target_id,
              "related_model": "res.partner", "related_id": follow_up.target_id}
    effects = [{"effect_type": "email", "recipient": address, "recipient_partner_id": follow_up.target_id,
                "subject": composed.subject, "preview": composed.body[:300]} for address in recipients]
    checks = [{"check_id": f"still-paid-{invoice['id']}", "predicate": {
        "type": "odoo_field_in", "model": "account.move", "id": invoice["id"], "field": "payment_state",
        "allowed": ["paid", "in_payment"]}} for invoice in invoices]
    # Sending hours, but not the outreach window: a payment often answers the reminder within hours.
    outreach = outreach_checks(follow_up.target_id, "email", ctx.policy, timezone=partner.get("tz"))
    checks += [check for check in outreach if check["check_id"] != "no-recent-contact"]
    spec = types.action_type(ActionType.THANK_FOR_PAYMENT)
    return parse_protocol({
        "action_id": str(uuid.uuid4()), "action_type": spec.name, "safe_operation": spec.operation.value,
        "operation": {"type": spec.operation.value, "inputs": inputs}, "risk_level": "medium",
        "title": one_line(f"Thank you for your payment: {name}", 255),
        "expected_effect": "The customer hears that their payment arrived, after our reminders.",
        "reasoning": one_line(f"Everything the “{follow_up.sequence.name}” follow-up chased is paid; the sequence "
                              "thanks customers who pay after a reminder.", 1000),
        "external_effects": effects,
        "revalidation_plan": {"checks": [{"check_id": "target-exists", "predicate": {
            "type": "odoo_record_exists", "model": "res.partner", "id": follow_up.target_id}}, *checks]},
        "affected_records": {"odoo_model": "res.partner", "odoo_ids": [follow_up.target_id],
                             "description": one_line(f"{name} — " + ", ".join(i["name"] for i in invoices), 500)},
        "idempotency_key": f"followup:{ctx.organization.slug}:res.partner:{follow_up.target_id}:thanks:{follow_up.pk}",
        "created_at": ctx.now.isoformat(), "expires_at": (ctx.now + timedelta(hours=ctx.policy.expiry_hours)).isoformat(),
        "created_by": "system", "source": Source.FOLLOW_UP.value,
        "metadata": {"follow_up_id": follow_up.pk, "level_name": "Thank you", "partner_name": name,
                     "invoice_ids": [invoice["id"] for invoice in invoices]},
    }).model_dump(mode="json")
