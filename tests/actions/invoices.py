"""Invoice reminders as the analyzers write them: the invoice's and the customer's names and
the currency in the metadata, the amount due checked again before sending."""

from actions.types import ActionType

from .protocols import changed, protocol_for


def invoice_reminder(invoice_id: int = 8, name: str = "INV/2026/00014", customer: str = "Westpoint",
                     partner_id: int = 7, amount_due: float = 4100.0) -> dict:
    document = protocol_for(
        ActionType.SEND_INVOICE_REMINDER,
        title=f"Reminder: Invoice {name} is 14 days overdue ({amount_due:,.2f} EUR)",
        affected_records={"odoo_model": "account.move", "odoo_ids": [invoice_id],
                          "description": f"Invoice {name} is 14 days overdue ({amount_due:,.2f} EUR)"},
        metadata={"record_name": name, "partner_name": customer, "currency": "EUR", "days_overdue": 14},
        proposed_changes=[{"model": "account.move", "record_id": invoice_id, "field": "amount_residual",
                           "before": amount_due, "after": 0.0, "change_type": "set"},
                          {"model": "account.move", "record_id": invoice_id, "field": "message_ids",
                           "after": f"Note: email sent about {name}", "change_type": "append"}],
    )
    document = changed(document, "operation.inputs.partner_id", partner_id)
    document = changed(document, "operation.inputs.related_id", invoice_id)
    document = changed(document, "external_effects.0.recipient_partner_id", partner_id)
    checks = [
        {"check_id": "target-exists", "predicate": {"type": "odoo_record_exists", "model": "account.move",
                                                     "id": invoice_id}},
        {"check_id": "still-unpaid", "predicate": {"type": "odoo_field_in", "model": "account.move", "id": invoice_id,
                                                    "field": "payment_state", "allowed": ["not_paid"]}},
        {"check_id": "amount-unchanged", "predicate": {"type": "odoo_field_equals", "model": "account.move",
                                                        "id": invoice_id, "field": "amount_residual",
                                                        "expected": amount_due}},
        {"check_id": "no-recent-contact", "predicate": {"type": "no_duplicate_action_in_window",
                                                         "partner_id": partner_id, "channel": "email", "hours": 4}},
        {"check_id": "quiet-hours", "predicate": {"type": "quiet_hours_ok", "timezone": "Europe/Brussels",
                                                   "start": "09:00:00", "end": "17:00:00", "weekends": False}},
    ]
    return changed(document, "revalidation_plan.checks", checks)
