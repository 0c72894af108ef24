"""Valid Action Protocol documents for every action type, as the JSON an author would send.

Tests start from one of these and change the one thing they are about, so a refusal can only
come from that change.
"""

import copy
import uuid
from datetime import datetime, timedelta, timezone

from actions.types import SINCE_V12, ActionType, SafeOperation, action_type as registered_type

EMAIL = "billing@customer.example"
PHONE = "+32470123456"
PARTNER_ID = 7

#: What each action type is about: the Odoo record it targets.
TARGETS: dict[ActionType, tuple[str, int]] = {
    ActionType.SEND_INVOICE_REMINDER: ("account.move", 42),
    ActionType.SEND_INVOICE_REMINDER_SMS: ("account.move", 42),
    ActionType.FOLLOW_UP_STALLED_DEAL: ("crm.lead", 11),
    ActionType.SCHEDULE_DEAL_CALL: ("crm.lead", 11),
    ActionType.ADVANCE_DEAL_STAGE: ("crm.lead", 11),
    ActionType.CREATE_COLLECTION_TASK: ("account.move", 42),
    ActionType.CREATE_STAFF_TASK: ("project.project", 3),
    ActionType.NOTE_OVERDUE_TASK: ("project.task", 5),
    ActionType.NOTE_ON_RECORD: ("res.partner", PARTNER_ID),
    ActionType.SCHEDULE_NEXT_FOLLOW_UP: ("res.partner", PARTNER_ID),
    ActionType.SCHEDULE_MEETING: ("crm.lead", 11),
}


def _operation(operation: SafeOperation, model: str, record_id: int, now: datetime) -> tuple[dict, list, list]:
    """(inputs, external_effects, proposed_changes) for one operation on one record."""
    if operation == SafeOperation.SEND_EMAIL:
        subject = "Invoice INV/2025/0042 is 14 days overdue"
        inputs = {"to": [EMAIL], "subject": subject, "partner_id": PARTNER_ID,
                  "body": "Hello,\n\nOur invoice INV/2025/0042 of 1,250.00 EUR is 14 days overdue.",
                  "related_model": model, "related_id": record_id}
        effects = [{"effect_type": "email", "recipient": EMAIL, "recipient_partner_id": PARTNER_ID,
                    "subject": subject, "preview": inputs["body"][:80]}]
        return inputs, effects, []
    if operation == SafeOperation.SEND_SMS:
        inputs = {"to": PHONE, "body": "Reminder: invoice INV/2025/0042 (1,250.00 EUR) is overdue.",
                  "partner_id": PARTNER_ID, "related_model": model, "related_id": record_id}
        effects = [{"effect_type": "sms", "recipient": PHONE, "recipient_partner_id": PARTNER_ID,
                    "preview": inputs["body"]}]
        return inputs, effects, []
    if operation == SafeOperation.CREATE_ODOO_TASK:
        inputs = {"project_id": 3, "name": "Call the customer about INV/2025/0042", "assignee_user_ids": [2],
                  "date_deadline": (now + timedelta(days=2)).date().isoformat(), "priority": "1",
                  "subtasks": [{"name": "Check the payment terms"}],
                  "related_model": model, "related_id": record_id}
        return inputs, [], [{"model": "project.task", "record_id": None, "field": "name",
                             "after": inputs["name"], "change_type": "create"}]
    if operation == SafeOperation.UPDATE_ODOO_STAGE:
        inputs = {"model": "crm.lead", "record_id": record_id, "expected_stage_id": 2, "new_stage_id": 3}
        return inputs, [], [{"model": "crm.lead", "record_id": record_id, "field": "stage_id",
                             "before": [2, "Qualified"], "after": [3, "Proposition"], "change_type": "set"}]
    if operation == SafeOperation.LOG_ODOO_ACTIVITY:
        inputs = {"model": model, "record_id": record_id, "activity_type": "call",
                  "summary": "Call about the stalled proposal",
                  "date_deadline": (now + timedelta(days=1)).date().isoformat()}
        return inputs, [], [{"model": "mail.activity", "field": "summary", "after": inputs["summary"],
                             "change_type": "create"}]
    if operation == SafeOperation.CREATE_INTERNAL_NOTE:
        inputs = {"model": model, "record_id": record_id, "body": "This task is 5 days past its deadline."}
        return inputs, [], [{"model": model, "record_id": record_id, "field": "message_ids",
                             "after": inputs["body"], "change_type": "append"}]
    if operation == SafeOperation.CREATE_ODOO_EXPENSE:
        inputs = {"employee_id": 3, "product_id": 1, "name": "Taxi to the airport", "total_amount": 42.5,
                  "currency_id": 1, "date": now.date().isoformat()}
        return inputs, [], [{"model": "hr.expense", "record_id": None, "field": "total_amount_currency",
                             "after": "42.50 EUR", "change_type": "create"}]
    if operation == SafeOperation.CREATE_CALENDAR_EVENT:
        start = (now + timedelta(days=2)).replace(hour=9, minute=0, second=0)
        slots = [{"start": (start + timedelta(days=day)).isoformat(),
                  "stop": (start + timedelta(days=day, minutes=30)).isoformat()} for day in range(3)]
        inputs = {"name": "Call about the proposal", "organizer_user_id": 2, "partner_ids": [PARTNER_ID],
                  "attendee_emails": [EMAIL], "start": slots[0]["start"], "stop": slots[0]["stop"],
                  "timezone": "Europe/Brussels", "partner_id": PARTNER_ID, "related_model": model,
                  "related_id": record_id, "candidate_slots": slots}
        effects = [{"effect_type": "email", "recipient": EMAIL, "recipient_partner_id": PARTNER_ID,
                    "subject": inputs["name"]}]
        return inputs, effects, []
    assert operation == SafeOperation.SCHEDULE_FOLLOW_UP
    inputs = {"follow_up_at": (now + timedelta(days=3)).isoformat(), "reason": "No answer to the reminder yet.",
              "channel": "email", "partner_id": PARTNER_ID, "related_model": model, "related_id": record_id}
    return inputs, [], []


def _checks(operation: SafeOperation, model: str, record_id: int) -> list[dict]:
    checks = [{"check_id": "target-exists", "predicate": {"type": "odoo_record_exists", "model": model, "id": record_id}}]
    if operation == SafeOperation.UPDATE_ODOO_STAGE:
        checks.append({"check_id": "still-in-stage", "severity_on_fail": "require_reapproval",
                       "predicate": {"type": "odoo_field_in", "model": model, "id": record_id,
                                     "field": "stage_id", "allowed": [2]}})
    if operation in (SafeOperation.SEND_EMAIL, SafeOperation.SEND_SMS):
        channel = "email" if operation == SafeOperation.SEND_EMAIL else "sms"
        checks += [
            {"check_id": "still-unpaid", "predicate": {"type": "odoo_field_equals", "model": model, "id": record_id,
                                                        "field": "payment_state", "expected": "not_paid"}},
            {"check_id": "no-recent-contact", "predicate": {"type": "no_duplicate_action_in_window",
                                                             "partner_id": PARTNER_ID, "channel": channel, "hours": 4}},
            {"check_id": "quiet-hours", "predicate": {"type": "quiet_hours_ok", "timezone": "Europe/Brussels",
                                                       "start": "09:00:00", "end": "17:00:00", "weekends": False}},
        ]
    return checks


def protocol_for(action_type: ActionType | str = ActionType.SEND_INVOICE_REMINDER, **overrides) -> dict:
    """A valid protocol document for `action_type`; `overrides` replace top-level fields.

    Each call gets a fresh action_id and idempotency key, so two calls are two different actions.
    """
    spec = registered_type(action_type)
    operation = spec.operation
    model, record_id = TARGETS.get(spec.name, ("res.partner", PARTNER_ID))
    now = datetime.now(timezone.utc).replace(microsecond=0)
    inputs, effects, changes = _operation(operation, model, record_id, now)
    document = {
        "version": "1.1",
        "action_id": str(uuid.uuid4()),
        "action_type": spec.name,
        "safe_operation": operation.value,
        "operation": {"type": operation.value, "inputs": inputs},
        "risk_level": "medium",
        "requires_approval": True,
        "title": f"{spec.name.replace('_', ' ').capitalize()} for {model} {record_id}",
        "expected_effect": "The customer is reminded and pays the overdue amount sooner.",
        "reasoning": "The invoice is 14 days overdue and nobody has contacted the customer in a week.",
        "proposed_changes": changes,
        "revalidation_plan": {"checks": _checks(operation, model, record_id)},
        "external_effects": effects,
        "affected_records": {"odoo_model": model, "odoo_ids": [record_id], "description": f"{model} {record_id}"},
        "estimated_impact": {"revenue_change": 1250.0, "time_saved_hours": 0.25, "risk_reduction_score": 20},
        "idempotency_key": f"acme:{spec.name}:{model}:{record_id}:{uuid.uuid4().hex[:12]}",
        "created_at": now.isoformat(),
        "expires_at": (now + timedelta(hours=24)).isoformat(),
        "created_by": "ai_coo",
        "source": "analyzer",
        "analysis_id": "analysis-2025-06-01",
        "finding_id": "finding-42",
        "metadata": {"analyzer": "financial", "days_overdue": 14},
    }
    if operation in SINCE_V12:
        document["version"] = "1.2"
    document.update(overrides)
    return document


def changed(document: dict, path: str | tuple, value=None, *, delete: bool = False) -> dict:
    """A deep copy of `document` with the value at `path` replaced (or deleted).

    `path` is dotted ("operation.inputs.to.0") or a tuple of keys and list positions.
    """
    parts = path.split(".") if isinstance(path, str) else path
    result = copy.deepcopy(document)
    node = result
    for part in parts[:-1]:
        node = node[int(part) if isinstance(node, list) else part]
    last = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if delete:
        del node[last]
    else:
        node[last] = value
    return result
