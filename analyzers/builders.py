"""A rules intent on a finding → one complete, validated Action Protocol document (v1.2).

Recipients, amounts and ids come only from the finding's Odoo facts; the intent brings the
copy. Each document also says what must still hold at execution (invoice unpaid with the same
residual, deal in the same stage, task still open, no recent outreach, business hours), the
diff approvers see, and an idempotency key per target and day, so a re-run proposes nothing
twice.
"""

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils.module_loading import import_string

from actions import slots, types
from actions.fields import Source
from actions.models import GuardrailPolicy
from actions.describe import CUSTOMER_HOURS
from actions.protocol import PROTOCOL_VERSION, ProtocolError, build_idempotency_key, parse_protocol
from actions.types import ActionType
from aiom.text import one_line
from integrations.channels import SMS_MAX_CHARS
from integrations.errors import ExternalError
from integrations.odoo.connections import shared_client_for

from . import rules
from .contacts import e164_phone, email_addresses
from .financial import partner_zone
from .models import FindingKind, Severity
from .odoo_text import neutral_name

if TYPE_CHECKING:
    from .recommender import Context

# ---------------------------------------------------------------------------------------------
# The document

IDEMPOTENCY_WINDOW = timedelta(days=1)


def target_of(finding, intent: rules.Intent, ctx: "Context") -> tuple[str, int]:
    """The record an action is about (its idempotency target and affected record)."""
    if intent.action_type == ActionType.CREATE_STAFF_TASK:
        return "project.project", ctx.staff_project["id"]
    return finding.target_model, finding.target_id


def rule_of(finding, intent: rules.Intent) -> str:
    """Which branch of which rule proposed it ("invoice_overdue:firm"): recorded in the protocol's
    metadata, and compared by the recommender to tell a changed rule from a repeat."""
    return f"{finding.kind}:{intent.variant}"


def build_protocol(finding, intent: rules.Intent, ctx: "Context") -> dict:
    """A validated protocol document (JSON-ready dict) for `intent` on `finding`."""
    spec = types.action_type(intent.action_type)
    if spec.builder is None:
        raise ValueError(f"the recommender cannot build {spec.name!r} actions (no builder registered)")
    operation = spec.operation.value
    inputs, effects, changes, checks = import_string(spec.builder)(finding, intent, ctx)
    model, record_id = target_of(finding, intent, ctx)
    facts = finding.facts
    document = {
        "version": PROTOCOL_VERSION,
        "action_id": str(uuid.uuid4()),
        "action_type": spec.name,
        "safe_operation": operation,
        "operation": {"type": operation, "inputs": inputs},
        "risk_level": spec.risk_floor.value,
        "requires_approval": True,
        "title": one_line(f"{spec.title_prefix}: {finding.title}" if spec.title_prefix else intent.copy.subject,
                          rules.LINE_LIMIT),
        "expected_effect": _expected_effect(finding, intent),
        "reasoning": one_line(intent.copy.reasoning, 1000),
        "proposed_changes": changes,
        "revalidation_plan": {"checks": [{"check_id": "target-exists", "predicate": {
            "type": "odoo_record_exists", "model": model, "id": record_id}}, *checks]},
        "external_effects": effects,
        "affected_records": {"odoo_model": model, "odoo_ids": [record_id],
                             "description": one_line(finding.title, 500)},
        "estimated_impact": _impact(finding),
        "idempotency_key": build_idempotency_key(org=ctx.organization.slug, action_type=intent.action_type,
                                                 target_model=model, target_id=record_id,
                                                 window=IDEMPOTENCY_WINDOW, at=ctx.now),
        "created_at": ctx.now.isoformat(),
        "expires_at": (ctx.now + timedelta(hours=ctx.policy.expiry_hours)).isoformat(),
        "created_by": "ai_coo",
        "source": Source.ANALYZER.value,
        "analysis_id": str(ctx.analysis_id) if ctx.analysis_id else None,
        "finding_id": str(finding.pk) if finding.pk else None,
        "metadata": {"finding_fingerprint": finding.fingerprint, "finding_kind": finding.kind,
                     "rule": rule_of(finding, intent), "as_of": ctx.as_of.isoformat(),
                     **({"days_overdue": facts["days_overdue"]} if "days_overdue" in facts else {}),
                     **({"content_flags": list(intent.flags)} if intent.flags else {}),
                     **_names(finding, model, record_id)},
    }
    return parse_protocol(document).model_dump(mode="json")


def _expected_effect(finding, intent: rules.Intent) -> str:
    kind = FindingKind(finding.kind)
    if kind == FindingKind.INVOICE_OVERDUE:
        return f"The customer pays the {finding.amount:,.2f} {finding.currency} still open on {finding.facts['name']} sooner."
    if kind == FindingKind.DEAL_STALLED:
        return "The salesperson and the customer agree the next step, and the deal moves again."
    if kind == FindingKind.TASK_OVERDUE:
        return "The assignees finish the task or set a realistic deadline."
    return "Staff review cash this week and act on receivables, payables and financing."


def _names(finding, model: str, record_id: int) -> dict:
    """How the console names the record and the customer ("Invoice INV/2026/00014 — Westpoint"),
    and the currency its amounts are in; names neutralised like every other Odoo text."""
    facts = finding.facts
    names = {"currency": finding.currency} if finding.currency else {}
    if (model, record_id) == (finding.target_model, finding.target_id) and facts.get("name"):
        names["record_name"] = neutral_name(facts["name"], "")
    if facts.get("partner_name"):
        names["partner_name"] = neutral_name(facts["partner_name"], "")
    return {key: value for key, value in names.items() if value}


def _impact(finding) -> dict:
    kind = FindingKind(finding.kind)
    risk = {Severity.LOW: 10, Severity.MEDIUM: 25, Severity.HIGH: 45, Severity.CRITICAL: 70}[Severity(finding.severity)]
    revenue = float(finding.amount) if kind in (FindingKind.INVOICE_OVERDUE, FindingKind.DEAL_STALLED) and finding.amount else None
    return {"revenue_change": revenue, "time_saved_hours": 0.25, "risk_reduction_score": risk}


# ---------------------------------------------------------------------------------------------
# What must still hold when the action runs


def _outreach_checks(finding, channel: str, policy: GuardrailPolicy) -> list[dict]:
    return outreach_checks(finding.partner_id, channel, policy, timezone=finding.facts.get("partner_tz"))


def outreach_checks(partner_id: int | None, channel: str, policy: GuardrailPolicy, *,
                    timezone: str | None = None) -> list[dict]:
    """No other message to the partner on this channel within the policy's window, and the
    policy's sending hours in the customer's time zone (`timezone`, Odoo's `tz`, when it is a
    real zone other than the organisation's) or else the organisation's: checked again when the
    message is about to go."""
    checks = []
    if partner_id:
        hours = policy.email_window_hours if channel == "email" else policy.sms_window_hours
        checks.append({"check_id": "no-recent-contact", "predicate": {
            "type": "no_duplicate_action_in_window", "partner_id": partner_id, "channel": channel,
            "hours": max(1, hours)}})
    zone = partner_zone(timezone)
    customers = bool(zone) and zone != policy.zone
    checks.append({"check_id": CUSTOMER_HOURS if customers else "business-hours", "predicate": {
        "type": "quiet_hours_ok", "timezone": zone if customers else policy.zone,
        "start": policy.business_hours_start.isoformat(), "end": policy.business_hours_end.isoformat(),
        "weekends": not policy.weekends_off}})
    return checks


def _state_checks(finding) -> list[dict]:
    """What made the finding true must still be true when the action runs."""
    facts, model, record_id = finding.facts, finding.target_model, finding.target_id
    kind = FindingKind(finding.kind)
    if kind == FindingKind.INVOICE_OVERDUE:
        return [
            {"check_id": "still-unpaid", "predicate": {"type": "odoo_field_in", "model": model, "id": record_id,
                                                        "field": "payment_state", "allowed": [facts["payment_state"]]}},
            {"check_id": "amount-unchanged", "predicate": {"type": "odoo_field_equals", "model": model, "id": record_id,
                                                            "field": "amount_residual", "expected": facts["residual"]}},
        ]
    if kind == FindingKind.DEAL_STALLED:
        return [{"check_id": "same-stage", "predicate": {"type": "odoo_field_in", "model": model, "id": record_id,
                                                          "field": "stage_id", "allowed": [facts["stage_id"]]}}]
    if kind == FindingKind.TASK_OVERDUE:
        return [
            {"check_id": "still-open", "predicate": {"type": "odoo_field_in", "model": model, "id": record_id,
                                                      "field": "state", "allowed": [facts["state"]]}},
            {"check_id": "same-deadline", "predicate": {"type": "odoo_field_equals", "model": model, "id": record_id,
                                                         "field": "date_deadline", "expected": facts["deadline"]}},
        ]
    return []


# ---------------------------------------------------------------------------------------------
# One builder per safe operation


def _note_change(model: str, record_id: int, text: str) -> dict:
    return {"model": model, "record_id": record_id, "field": "message_ids", "after": one_line(text, 500),
            "change_type": "append"}


def email(finding, intent, ctx):
    facts = finding.facts
    recipients = email_addresses(facts.get("partner_email")) or email_addresses(facts.get("lead_email"))
    inputs = {"to": recipients, "subject": one_line(intent.copy.subject, rules.LINE_LIMIT), "body": intent.copy.body,
              "partner_id": finding.partner_id, "related_model": finding.target_model,
              "related_id": finding.target_id}
    effects = [{"effect_type": "email", "recipient": address, "recipient_partner_id": finding.partner_id,
                "subject": inputs["subject"], "preview": intent.copy.body[:300]} for address in recipients]
    changes = [_note_change(finding.target_model, finding.target_id,
                            f"Note: email sent to {', '.join(recipients)}: {inputs['subject']}")]
    return inputs, effects, changes, [*_state_checks(finding), *_outreach_checks(finding, "email", ctx.policy)]


def sms(finding, intent, ctx):
    phone = e164_phone(finding.facts.get("partner_phone"))
    inputs = {"to": phone, "body": intent.copy.body[:SMS_MAX_CHARS], "partner_id": finding.partner_id,
              "related_model": finding.target_model, "related_id": finding.target_id}
    effects = [{"effect_type": "sms", "recipient": phone, "recipient_partner_id": finding.partner_id,
                "preview": inputs["body"]}]
    changes = [_note_change(finding.target_model, finding.target_id, f"Note: SMS sent to {phone}")]
    return inputs, effects, changes, [*_state_checks(finding), *_outreach_checks(finding, "sms", ctx.policy)]


def task(finding, intent, ctx):
    facts = finding.facts
    urgent = intent.variant in ("collect", "runway")
    subtasks = {"collect": rules.COLLECTION_SUBTASKS, "runway": rules.RUNWAY_SUBTASKS}.get(intent.variant, [])
    assignee = facts.get("salesperson_id")
    inputs = {
        "project_id": ctx.staff_project["id"],
        "name": one_line(intent.copy.subject, rules.LINE_LIMIT),
        "description": intent.copy.body,
        "assignee_user_ids": [assignee] if assignee else [],
        "date_deadline": (ctx.as_of + timedelta(days=2 if urgent else 5)).isoformat(),
        "priority": "1" if urgent else "0",
        "subtasks": [{"name": name} for name in subtasks],
        "partner_id": finding.partner_id,
        "related_model": finding.target_model or None,
        "related_id": finding.target_id,
    }
    changes = [{"model": "project.task", "record_id": None, "field": "name", "after": inputs["name"],
                "change_type": "create"}]
    changes += [{"model": "project.task", "record_id": None, "field": "name", "after": name, "change_type": "create"}
                for name in subtasks]
    return inputs, [], changes, _state_checks(finding)


def note(finding, intent, ctx):
    inputs = {"model": finding.target_model, "record_id": finding.target_id, "body": intent.copy.body}
    return inputs, [], [_note_change(finding.target_model, finding.target_id, intent.copy.body)], _state_checks(finding)


def activity(finding, intent, ctx):
    facts = finding.facts
    inputs = {"model": finding.target_model, "record_id": finding.target_id, "activity_type": "call",
              "summary": one_line(intent.copy.subject, rules.LINE_LIMIT), "note": intent.copy.body,
              "date_deadline": next_working_day(ctx.as_of).isoformat(), "user_id": facts.get("salesperson_id")}
    changes = [{"model": "mail.activity", "record_id": None, "field": "summary", "after": inputs["summary"],
                "change_type": "create"}]
    return inputs, [], changes, _state_checks(finding)


def meeting(finding, intent, ctx):
    """A call booked with the customer: three times the salesperson is free in Odoo (one a day,
    business hours, a day's notice, clear of other meetings), the first chosen until the approver
    picks another; the invitation goes to the partner's email from Odoo."""
    facts = finding.facts
    recipients = email_addresses(facts.get("partner_email"))
    organizer = facts.get("salesperson_id")
    if not (recipients and organizer and finding.partner_id):
        raise ProtocolError(["operation.inputs: a meeting needs the customer's email and a salesperson"])
    try:
        candidates = slots.candidate_slots(shared_client_for(ctx.organization), ctx.policy, organizer, now=ctx.now)
    except ExternalError as error:
        raise ProtocolError([f"operation.inputs.candidate_slots: the calendar could not be read ({error.message})"])
    if not candidates:
        raise ProtocolError(["operation.inputs.candidate_slots: no free time in the salesperson's calendar"])
    start, stop = candidates[0]
    name = one_line(intent.copy.subject, rules.LINE_LIMIT)
    inputs = {"name": name, "organizer_user_id": organizer, "partner_ids": [finding.partner_id],
              "attendee_emails": recipients, "start": start.isoformat(), "stop": stop.isoformat(),
              "timezone": ctx.policy.zone, "description": intent.copy.body, "partner_id": finding.partner_id,
              "related_model": finding.target_model, "related_id": finding.target_id,
              "candidate_slots": [{"start": a.isoformat(), "stop": b.isoformat()} for a, b in candidates]}
    effects = [{"effect_type": "email", "recipient": address, "recipient_partner_id": finding.partner_id,
                "subject": name, "preview": f"Meeting invitation: {intent.copy.body}"[:300]} for address in recipients]
    changes = [{"model": "calendar.event", "record_id": None, "field": field, "after": value, "change_type": "create"}
               for field, value in (("name", name), ("start", slots.when_words(start, ctx.policy.zone)),
                                    ("stop", slots.when_words(stop, ctx.policy.zone)))]
    slot_check = {"check_id": "slot-free", "predicate": {"type": "calendar_slot_free", "organizer_user_id": organizer,
                                                          "start": inputs["start"], "stop": inputs["stop"]}}
    return inputs, effects, changes, [*_state_checks(finding), *_outreach_checks(finding, "email", ctx.policy),
                                      slot_check]


def next_working_day(day: date) -> date:
    """The first weekday after `day`."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
