"""Protocols aimed at real sandbox records (built from the generic valid examples)."""

from actions.types import ActionType
from tests.actions.protocols import protocol_for


def reminder(invoice: dict, *, checks: list | None = None, **overrides) -> dict:
    partner = invoice["partner"]
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER, **overrides)
    subject = f"Invoice {invoice['name']} is overdue"
    body = f"Dear {partner['name']},\n\nInvoice {invoice['name']} is still open. Thank you for paying it."
    document["operation"]["inputs"].update(to=[partner["email"]], subject=subject, body=body,
                                           partner_id=partner["id"], related_model="account.move",
                                           related_id=invoice["id"])
    document["external_effects"] = [{"effect_type": "email", "recipient": partner["email"],
                                      "recipient_partner_id": partner["id"], "subject": subject, "preview": body[:80]}]
    document["affected_records"] = {"odoo_model": "account.move", "odoo_ids": [invoice["id"]]}
    document["revalidation_plan"] = {"checks": checks if checks is not None else [
        {"check_id": "exists", "predicate": {"type": "odoo_record_exists", "model": "account.move", "id": invoice["id"]}},
        {"check_id": "unpaid", "predicate": {"type": "odoo_field_equals", "model": "account.move", "id": invoice["id"],
                                             "field": "payment_state", "expected": "not_paid"}},
        {"check_id": "amount", "predicate": {"type": "odoo_field_equals", "model": "account.move", "id": invoice["id"],
                                             "field": "amount_residual", "expected": invoice["amount_residual"]}},
        {"check_id": "no-recent", "predicate": {"type": "no_duplicate_action_in_window",
                                                "partner_id": partner["id"], "channel": "email", "hours": 4}},
    ]}
    return document
