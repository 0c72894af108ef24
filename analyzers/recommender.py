"""Findings → Action Protocol v1.1 → `actions.services.propose()`.

The rules (`rules.py`) choose what to do and write the copy; this module turns each intent
into a complete protocol: the operation with recipients, amounts and ids taken from the
finding's Odoo facts, what must still hold at execution (invoice unpaid with the same
residual, deal in the same stage, no recent outreach, business hours), the diff approvers
see, and an idempotency key per target and day, so a re-run proposes nothing twice.

When a language model is configured (`integrations.llm`), it may rewrite the copy of outside
messages and choose among the intent's allowed types; the protocol is still built here from
Odoo data, and anything the model writes that does not validate falls back to the rules.
"""

import importlib
import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.conf import settings

from actions import services as action_services
from actions.lifecycle import StaleTransition
from actions.models import Action, ActionStatus, GuardrailPolicy
from actions.protocol import ActionType, OPERATION_FOR_ACTION, ProtocolError, Source, build_idempotency_key, parse_protocol

from . import rules
from .contacts import e164_phone, email_addresses
from .models import FindingKind, Severity

logger = logging.getLogger(__name__)

#: New proposals per run; the most severe and largest findings go first, the rest follow on
#: later runs (open actions are not proposed again), so approvers are never flooded.
MAX_NEW_PROPOSALS_PER_RUN = 40
#: Drafts per run the language model may rewrite (cost and latency bound).
MAX_MODEL_DRAFTS_PER_RUN = 20
IDEMPOTENCY_WINDOW = timedelta(days=1)
OPEN_STATUSES = [ActionStatus.PENDING_APPROVAL, ActionStatus.APPROVED, ActionStatus.EXECUTING]
MESSAGE_TYPES = frozenset({ActionType.SEND_INVOICE_REMINDER, ActionType.SEND_INVOICE_REMINDER_SMS,
                           ActionType.FOLLOW_UP_STALLED_DEAL})
RISK_FOR = {
    ActionType.SEND_INVOICE_REMINDER: "medium",
    ActionType.SEND_INVOICE_REMINDER_SMS: "high",
    ActionType.FOLLOW_UP_STALLED_DEAL: "medium",
    ActionType.SCHEDULE_DEAL_CALL: "low",
    ActionType.CREATE_COLLECTION_TASK: "low",
    ActionType.CREATE_STAFF_TASK: "medium",
    ActionType.NOTE_OVERDUE_TASK: "low",
    ActionType.NOTE_ON_RECORD: "low",
}
CLEARED_BECAUSE = {
    FindingKind.INVOICE_OVERDUE: "the invoice is no longer open and overdue in Odoo (paid, credited or cancelled)",
    FindingKind.DEAL_STALLED: "the deal moved on (its stage changed, it was won or lost, or its date moved)",
    FindingKind.TASK_OVERDUE: "the task is done, cancelled or has a new deadline",
    FindingKind.CASH_RUNWAY_LOW: "the cash runway is back above the threshold",
}
SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


@dataclass(frozen=True)
class Context:
    organization: object
    policy: GuardrailPolicy
    as_of: date
    now: datetime
    staff_project: dict | None = None
    analysis_id: int | None = None
    #: An anthropic client to use instead of the one the settings describe.
    model_client: object | None = None


@dataclass
class ModelUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0
    drafts: int = 0
    fallbacks: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "latency_ms": round(self.latency_ms, 1), "drafts": self.drafts, "fallbacks": self.fallbacks}


@dataclass
class Report:
    proposed: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    usage: ModelUsage = field(default_factory=ModelUsage)

    def as_dict(self) -> dict:
        return {"proposed": self.proposed, "existing": self.existing, "skipped": self.skipped,
                "cancelled": self.cancelled}


# ---------------------------------------------------------------------------------------------
# Proposing


def propose_for_findings(findings, ctx: Context) -> Report:
    """Propose the actions the rules want for `findings` (saved Finding rows)."""
    report = Report()
    open_actions = {(action_type, model, record_id): (str(pk), title, status)
                    for pk, action_type, model, record_id, title, status in Action.objects.filter(
                        organization=ctx.organization, source=Source.ANALYZER, status__in=OPEN_STATUSES)
                    .values_list("pk", "action_type", "target_model", "target_id", "title", "status")}
    new = 0
    for finding in sorted(findings, key=lambda f: (-SEVERITY_RANK[Severity(f.severity)], -float(f.amount or 0), f.pk or 0)):
        outcome = rules.intents_for(finding, organization_name=ctx.organization.name, as_of=ctx.as_of,
                                    has_staff_project=ctx.staff_project is not None)
        report.skipped += [{"title": finding.title, "reason": note} for note in outcome.notes]
        for intent in outcome.intents:
            target = _target(finding, intent, ctx)
            if open_action := open_actions.get((intent.action_type.value, *target)):
                action_id, title, status = open_action
                report.existing.append({"action_id": action_id, "title": title, "action_type": intent.action_type.value,
                                        "status": status, "reason": "An open action already covers it."})
                continue
            if new >= MAX_NEW_PROPOSALS_PER_RUN:
                report.skipped.append({"title": finding.title, "reason": "Over this run's proposal limit; "
                                       "it will be proposed once earlier actions are decided."})
                continue
            protocol = _protocol_with_model_copy(finding, intent, ctx, report.usage)
            if protocol is None:
                report.skipped.append({"title": finding.title, "reason": "The rules produced an invalid action."})
                continue
            try:
                action = action_services.propose(ctx.organization, protocol, source=Source.ANALYZER)
            except action_services.IdempotencyConflict:
                report.existing.append({"title": protocol["title"], "action_type": protocol["action_type"],
                                        "reason": "Already proposed today."})
                continue
            entry = {"action_id": str(action.pk), "title": action.title, "action_type": action.action_type,
                     "status": action.status}
            if str(action.pk) == protocol["action_id"]:
                report.proposed.append(entry)
                open_actions[(action.action_type, action.target_model, action.target_id)] = (
                    entry["action_id"], action.title, action.status)
                new += 1
            else:
                report.existing.append({**entry, "reason": "Already proposed today."})
    return report


def _protocol_with_model_copy(finding, intent: rules.Intent, ctx: Context, usage: ModelUsage) -> dict | None:
    """The rules' protocol, with the model's copy when it offers valid copy."""
    improved, reason = _improve_copy(finding, intent, ctx, usage)
    if improved is not None:
        try:
            return build_protocol(finding, improved, ctx)
        except ProtocolError as error:
            usage.fallbacks.append({"finding": finding.fingerprint, "reason": f"model copy invalid: {error.message}"})
    elif reason:
        usage.fallbacks.append({"finding": finding.fingerprint, "reason": reason})
    try:
        return build_protocol(finding, intent, ctx)
    except ProtocolError as error:
        logger.error("rule for %s built an invalid action: %s", finding.fingerprint, error.message)
        return None


def _improve_copy(finding, intent: rules.Intent, ctx: Context, usage: ModelUsage) -> tuple[rules.Intent | None, str | None]:
    """(the intent with the model's copy, None) or (None, why the rules' copy stays)."""
    if not (intent.action_type in MESSAGE_TYPES or intent.alternatives) or not settings.ANTHROPIC_API_KEY:
        return None, None
    if usage.drafts >= MAX_MODEL_DRAFTS_PER_RUN:
        return None, None
    try:
        llm = importlib.import_module("integrations.llm")
    except ModuleNotFoundError as error:
        if error.name != "integrations.llm":
            raise
        return None, None
    usage.drafts += 1
    outcome = llm.improve_draft(
        finding_facts=finding.facts,
        draft=llm.MessageDraft(action_type=intent.action_type.value, subject=_draft_subject(intent),
                               body=intent.copy.body, reasoning=intent.copy.reasoning),
        allowed_action_types=intent.allowed_types, organization_name=ctx.organization.name,
        **({"client": ctx.model_client} if ctx.model_client is not None else {}))
    usage.input_tokens += outcome.input_tokens or 0
    usage.output_tokens += outcome.output_tokens or 0
    usage.latency_ms += outcome.latency_ms or 0
    if not outcome.used_model:
        return None, outcome.fallback_reason or "model not used"
    chosen = str(outcome.draft.action_type)
    if chosen not in intent.allowed_types:
        return None, f"model chose {chosen!r}, which is not allowed for this finding"
    subject = outcome.draft.subject or (intent.copy.subject if chosen == intent.action_type else finding.title)
    return replace(intent, action_type=ActionType(chosen),
                   copy=rules.Copy(subject=subject, body=outcome.draft.body, reasoning=outcome.draft.reasoning)), None


def _draft_subject(intent: rules.Intent) -> str | None:
    """Texts and notes have no subject in a draft (their title is ours, not the model's)."""
    return None if OPERATION_FOR_ACTION[intent.action_type].value in ("send_sms", "create_internal_note") \
        else intent.copy.subject


# ---------------------------------------------------------------------------------------------
# Withdrawing


def withdraw_cleared(organization, current_fingerprints: set[str], *, as_of: date) -> list[dict]:
    """Cancel pending analyzer actions whose finding this run no longer sees, saying why."""
    cancelled = []
    pending = Action.objects.select_related("organization").filter(
        organization=organization, source=Source.ANALYZER, status=ActionStatus.PENDING_APPROVAL)
    for action in pending.iterator(chunk_size=200):
        metadata = action.protocol.get("metadata") or {}
        fingerprint = metadata.get("finding_fingerprint")
        if not fingerprint or fingerprint in current_fingerprints:
            continue
        because = CLEARED_BECAUSE.get(metadata.get("finding_kind"), "its finding no longer holds")
        reason = f"No longer needed: {because} (analysis of {as_of.isoformat()})."
        try:
            action_services.cancel(action, reason=reason)
        except StaleTransition:
            continue  # decided meanwhile
        cancelled.append({"action_id": str(action.pk), "title": action.title, "reason": reason})
    return cancelled


# ---------------------------------------------------------------------------------------------
# Building protocols


def _target(finding, intent: rules.Intent, ctx: Context) -> tuple[str, int]:
    """The record an action is about (its idempotency target and affected record)."""
    if intent.action_type == ActionType.CREATE_STAFF_TASK:
        return "project.project", ctx.staff_project["id"]
    return finding.target_model, finding.target_id


def build_protocol(finding, intent: rules.Intent, ctx: Context) -> dict:
    """A validated protocol document (JSON-ready dict) for `intent` on `finding`."""
    builder = BUILDERS[OPERATION_FOR_ACTION[intent.action_type].value]
    inputs, effects, changes, checks = builder(finding, intent, ctx)
    model, record_id = _target(finding, intent, ctx)
    facts = finding.facts
    document = {
        "version": "1.1",
        "action_id": str(uuid.uuid4()),
        "action_type": intent.action_type.value,
        "safe_operation": OPERATION_FOR_ACTION[intent.action_type].value,
        "operation": {"type": OPERATION_FOR_ACTION[intent.action_type].value, "inputs": inputs},
        "risk_level": RISK_FOR[intent.action_type],
        "requires_approval": True,
        "title": rules.one_line(intent.copy.subject if intent.action_type not in MESSAGE_TYPES
                                else f"{_verb(intent.action_type)}: {finding.title}"),
        "expected_effect": _expected_effect(finding, intent),
        "reasoning": rules.one_line(intent.copy.reasoning, 1000),
        "proposed_changes": changes,
        "revalidation_plan": {"checks": [{"check_id": "target-exists", "predicate": {
            "type": "odoo_record_exists", "model": model, "id": record_id}}, *checks]},
        "external_effects": effects,
        "affected_records": {"odoo_model": model, "odoo_ids": [record_id],
                             "description": rules.one_line(finding.title, 500)},
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
                     "rule": f"{finding.kind}:{intent.variant}", "as_of": ctx.as_of.isoformat(),
                     **({"days_overdue": facts["days_overdue"]} if "days_overdue" in facts else {})},
    }
    return parse_protocol(document).model_dump(mode="json")


def _verb(action_type: ActionType) -> str:
    return {ActionType.SEND_INVOICE_REMINDER: "Email reminder", ActionType.SEND_INVOICE_REMINDER_SMS: "SMS reminder",
            ActionType.FOLLOW_UP_STALLED_DEAL: "Follow-up email"}[action_type]


def _expected_effect(finding, intent: rules.Intent) -> str:
    kind = FindingKind(finding.kind)
    if kind == FindingKind.INVOICE_OVERDUE:
        return f"The customer pays the {finding.amount:,.2f} {finding.currency} still open on {finding.facts['name']} sooner."
    if kind == FindingKind.DEAL_STALLED:
        return "The salesperson and the customer agree the next step, and the deal moves again."
    if kind == FindingKind.TASK_OVERDUE:
        return "The assignees finish the task or set a realistic deadline."
    return "Staff review cash this week and act on receivables, payables and financing."


def _impact(finding) -> dict:
    kind = FindingKind(finding.kind)
    risk = {Severity.LOW: 10, Severity.MEDIUM: 25, Severity.HIGH: 45, Severity.CRITICAL: 70}[Severity(finding.severity)]
    revenue = float(finding.amount) if kind in (FindingKind.INVOICE_OVERDUE, FindingKind.DEAL_STALLED) and finding.amount else None
    return {"revenue_change": revenue, "time_saved_hours": 0.25, "risk_reduction_score": risk}


def _outreach_checks(finding, channel: str, policy: GuardrailPolicy) -> list[dict]:
    checks = []
    if finding.partner_id:
        hours = policy.email_window_hours if channel == "email" else policy.sms_window_hours
        checks.append({"check_id": "no-recent-contact", "predicate": {
            "type": "no_duplicate_action_in_window", "partner_id": finding.partner_id, "channel": channel,
            "hours": max(1, hours)}})
    checks.append({"check_id": "business-hours", "predicate": {
        "type": "quiet_hours_ok", "timezone": policy.zone, "start": policy.business_hours_start.isoformat(),
        "end": policy.business_hours_end.isoformat(), "weekends": not policy.weekends_off}})
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


def _note_change(model: str, record_id: int, text: str) -> dict:
    return {"model": model, "record_id": record_id, "field": "message_ids", "after": rules.one_line(text, 500),
            "change_type": "append"}


def _email(finding, intent, ctx):
    facts = finding.facts
    recipients = email_addresses(facts.get("partner_email")) or email_addresses(facts.get("lead_email"))
    inputs = {"to": recipients, "subject": rules.one_line(intent.copy.subject), "body": intent.copy.body,
              "partner_id": finding.partner_id, "related_model": finding.target_model,
              "related_id": finding.target_id}
    effects = [{"effect_type": "email", "recipient": address, "recipient_partner_id": finding.partner_id,
                "subject": inputs["subject"], "preview": intent.copy.body[:300]} for address in recipients]
    changes = [_note_change(finding.target_model, finding.target_id,
                            f"Note: email sent to {', '.join(recipients)}: {inputs['subject']}")]
    return inputs, effects, changes, [*_state_checks(finding), *_outreach_checks(finding, "email", ctx.policy)]


def _sms(finding, intent, ctx):
    phone = e164_phone(finding.facts.get("partner_phone"))
    inputs = {"to": phone, "body": intent.copy.body[:rules.SMS_LIMIT], "partner_id": finding.partner_id,
              "related_model": finding.target_model, "related_id": finding.target_id}
    effects = [{"effect_type": "sms", "recipient": phone, "recipient_partner_id": finding.partner_id,
                "preview": inputs["body"]}]
    changes = [_note_change(finding.target_model, finding.target_id, f"Note: SMS sent to {phone}")]
    return inputs, effects, changes, [*_state_checks(finding), *_outreach_checks(finding, "sms", ctx.policy)]


def _task(finding, intent, ctx):
    facts = finding.facts
    urgent = intent.variant in ("collect", "runway")
    subtasks = {"collect": rules.COLLECTION_SUBTASKS, "runway": rules.RUNWAY_SUBTASKS}.get(intent.variant, [])
    assignee = facts.get("salesperson_id")
    inputs = {
        "project_id": ctx.staff_project["id"],
        "name": rules.one_line(intent.copy.subject),
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


def _note(finding, intent, ctx):
    inputs = {"model": finding.target_model, "record_id": finding.target_id, "body": intent.copy.body}
    return inputs, [], [_note_change(finding.target_model, finding.target_id, intent.copy.body)], _state_checks(finding)


def _activity(finding, intent, ctx):
    facts = finding.facts
    inputs = {"model": finding.target_model, "record_id": finding.target_id, "activity_type": "call",
              "summary": rules.one_line(intent.copy.subject), "note": intent.copy.body,
              "date_deadline": _next_working_day(ctx.as_of).isoformat(), "user_id": facts.get("salesperson_id")}
    changes = [{"model": "mail.activity", "record_id": None, "field": "summary", "after": inputs["summary"],
                "change_type": "create"}]
    return inputs, [], changes, _state_checks(finding)


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


BUILDERS = {
    "send_email": _email,
    "send_sms": _sms,
    "create_odoo_task": _task,
    "create_internal_note": _note,
    "log_odoo_activity": _activity,
}
