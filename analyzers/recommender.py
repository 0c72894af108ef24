"""Findings → Action Protocol v1.2 → `actions.services.propose()`, and withdrawing what cleared.

The rules (`rules.py`) choose what to do and write the copy; `builders.py` turns each intent
into a complete protocol from the finding's Odoo facts. This module decides which intents to
propose on this run (open actions are not proposed again, a run proposes a bounded number),
supersedes pending actions the rule replaced with another, and cancels pending actions whose
finding no longer holds.

When Claude is configured (`drafting`), it may rewrite the prose slots of an outside message
and choose among the intent's allowed types; the facts, subject and recipients are still
written from Odoo data (`messages`), anything the model writes that fails a check falls back to
the rules, and what Claude wrote or chose is marked as such and always waits for a person.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.conf import settings

from actions import content, guardrails, types
from actions import services as action_services
from actions.lifecycle import StaleTransition
from actions.models import Action, ActionStatus, GuardrailPolicy
from actions.fields import Source
from actions.protocol import ProtocolError, parse_protocol

from . import drafting, messages, rules
from .builders import build_protocol, rule_of, target_of
from .models import FindingKind, Severity

logger = logging.getLogger(__name__)

#: New proposals per run; the most severe and largest findings go first, the rest follow on
#: later runs (open actions are not proposed again), so approvers are never flooded.
MAX_NEW_PROPOSALS_PER_RUN = 40
#: Drafts per run the language model may rewrite (cost and latency bound).
MAX_MODEL_DRAFTS_PER_RUN = 20
OPEN_STATUSES = [ActionStatus.PENDING_APPROVAL, ActionStatus.APPROVED, ActionStatus.EXECUTING]
CLEARED_BECAUSE = {
    FindingKind.INVOICE_OVERDUE: "the invoice is no longer open and overdue in Odoo (paid, credited or cancelled)",
    FindingKind.DEAL_STALLED: "the deal moved on (its stage changed, it was won or lost, or its date moved)",
    FindingKind.TASK_OVERDUE: "the task is done, cancelled or has a new deadline",
    FindingKind.CASH_RUNWAY_LOW: "the cash runway is back above the threshold",
}
#: With sequences on, these findings are followed up by the follow-up engine, not per analysis.
FOLLOWED_UP_BY_SEQUENCES = (FindingKind.INVOICE_OVERDUE, FindingKind.DEAL_STALLED)
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
    superseded: list = field(default_factory=list)
    usage: ModelUsage = field(default_factory=ModelUsage)

    def as_dict(self) -> dict:
        return {"proposed": self.proposed, "existing": self.existing, "skipped": self.skipped,
                "cancelled": self.cancelled, "superseded": self.superseded}


@dataclass(frozen=True)
class _Open:
    """An open analyzer action, as far as deciding what to propose needs it."""

    action_id: str
    action_type: str
    title: str
    status: str
    fingerprint: str | None
    rule: str | None
    #: Proposed by this run: never replaced by another of the same run.
    new: bool = False

    @property
    def external(self) -> bool:
        return types.action_type(self.action_type).external


# ---------------------------------------------------------------------------------------------
# Proposing


def propose_for_findings(findings, ctx: Context) -> Report:
    """Propose the actions the rules want for `findings` (saved Finding rows).

    An open action of the same type for the same record is not proposed again, unless the rule
    for its finding has since taken another branch (`metadata.rule`: yesterday's friendly
    reminder, today's firm one). Then the new proposal replaces every still-pending action of
    the same finding that did the same kind of work (a message outside, or internal work) under
    the old branch: each becomes `superseded`, linked to its successor. Approved or running
    actions are never replaced, and a new proposal that guardrails deny replaces nothing.
    """
    report = Report()
    open_actions = {}
    for pk, action_type, model, record_id, title, status, fingerprint, rule in Action.objects.filter(
            organization=ctx.organization, source=Source.ANALYZER, status__in=OPEN_STATUSES).values_list(
            "pk", "action_type", "target_model", "target_id", "title", "status",
            "protocol__metadata__finding_fingerprint", "protocol__metadata__rule"):
        open_actions[(action_type, model, record_id)] = _Open(str(pk), action_type, title, status, fingerprint, rule)
    new = 0
    for finding in sorted(findings, key=lambda f: (-SEVERITY_RANK[Severity(f.severity)], -float(f.amount or 0), f.pk or 0)):
        if finding.kind in FOLLOWED_UP_BY_SEQUENCES and ctx.policy.follow_up_sequences:
            report.skipped.append({"title": finding.title, "reason": "Followed up by its sequence."})
            continue
        outcome = rules.intents_for(finding, organization_name=ctx.organization.name, as_of=ctx.as_of,
                                    payment_instructions=ctx.policy.payment_instructions,
                                    has_staff_project=ctx.staff_project is not None)
        report.skipped += [{"title": finding.title, "reason": note} for note in outcome.notes]
        for intent in outcome.intents:
            target = target_of(finding, intent, ctx)
            rule = rule_of(finding, intent)
            open_action = open_actions.get((intent.action_type.value, *target))
            if open_action and not _replaceable(open_action, finding.fingerprint, rule):
                report.existing.append({"action_id": open_action.action_id, "title": open_action.title,
                                        "action_type": intent.action_type.value, "status": open_action.status,
                                        "reason": "An open action already covers it."})
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
                if action.status != ActionStatus.DENIED:
                    report.superseded += _supersede_replaced(action, open_actions, finding.fingerprint, rule)
                open_actions[(action.action_type, action.target_model, action.target_id)] = _Open(
                    entry["action_id"], action.action_type, action.title, action.status, finding.fingerprint, rule,
                    new=True)
                new += 1
            else:
                report.existing.append({**entry, "reason": "Already proposed today."})
    return report


def _replaceable(open_action: _Open, fingerprint: str, rule: str) -> bool:
    """A pending action of the same finding proposed under another branch of its rule."""
    return (open_action.status == ActionStatus.PENDING_APPROVAL and not open_action.new
            and open_action.fingerprint == fingerprint and open_action.rule is not None and open_action.rule != rule)


def _supersede_replaced(successor: Action, open_actions: dict, fingerprint: str, rule: str) -> list[dict]:
    """Supersede the pending actions `successor` replaces (see `propose_for_findings`)."""
    superseded = []
    external = types.action_type(successor.action_type).external
    for key, open_action in list(open_actions.items()):
        if not _replaceable(open_action, fingerprint, rule) or open_action.external != external:
            continue
        try:
            action_services.supersede(Action.objects.select_related("organization").get(pk=open_action.action_id),
                                      by=successor)
        except StaleTransition:
            continue  # decided meanwhile
        del open_actions[key]
        superseded.append({"action_id": open_action.action_id, "title": open_action.title,
                           "superseded_by": str(successor.pk)})
    return superseded


def _protocol_with_model_copy(finding, intent: rules.Intent, ctx: Context, usage: ModelUsage) -> dict | None:
    """The rules' protocol, with the model's prose when it offers prose that passes every check."""
    improved, detail = _improve_copy(finding, intent, ctx, usage)  # detail: its provenance, or why not
    if improved is not None:
        try:
            return _with_provenance(build_protocol(finding, improved, ctx), detail)
        except ProtocolError as error:
            usage.fallbacks.append({"finding": finding.fingerprint, "reason": f"model copy invalid: {error.message}"})
    elif detail:
        usage.fallbacks.append({"finding": finding.fingerprint, "reason": detail})
    try:
        return build_protocol(finding, intent, ctx)
    except ProtocolError as error:
        logger.error("rule for %s built an invalid action: %s", finding.fingerprint, error.message)
        return None


def _improve_copy(finding, intent: rules.Intent, ctx: Context, usage: ModelUsage):
    """(the intent Claude's answer makes, its provenance) or (None, why the rules' copy stays)."""
    if not settings.ANTHROPIC_API_KEY or usage.drafts >= MAX_MODEL_DRAFTS_PER_RUN:
        return None, None
    # Claude writes the prose of an outside message: the rules' own, or an allowed alternative's.
    message = next((candidate for candidate in (intent, *intent.alternative_intents) if candidate.slots), None)
    if message is None:
        return None, None
    usage.drafts += 1
    outcome = drafting.improve_draft(
        finding_facts=finding.facts,
        draft=drafting.rules_draft(message.action_type, slots=message.slots, reasoning=message.copy.reasoning),
        allowed_action_types=intent.allowed_types, organization_name=ctx.organization.name,
        claim_facts=content.ClaimFacts(amount_open=True, allows_escalation=message.tone == "firm"),
        **({"client": ctx.model_client} if ctx.model_client is not None else {}))
    usage.input_tokens += outcome.input_tokens or 0
    usage.output_tokens += outcome.output_tokens or 0
    usage.latency_ms += outcome.latency_ms or 0
    if not outcome.used_model:
        return None, outcome.fallback_reason or "model not used"
    chosen = intent.for_type(outcome.draft.action_type)
    provenance = {"written_by": guardrails.WRITTEN_BY_CLAUDE, "rules_action_type": str(intent.action_type),
                  "rules_body": chosen.copy.body}
    if chosen.slots is None:  # an internal alternative: Claude chose it, the rules' own words describe it
        return chosen, provenance
    slots = messages.Slots(**outcome.draft.slots())
    try:
        composed = messages.compose(chosen.action_type, finding.facts, slots, organization_name=ctx.organization.name,
                                    payment_instructions=ctx.policy.payment_instructions, tone=chosen.tone)
    except messages.DoesNotFit as error:
        return None, f"Claude's prose does not fit one message: {error}; rules wrote this"
    copy = rules.Copy(subject=composed.subject or chosen.copy.subject, body=composed.body,
                      reasoning=outcome.draft.reasoning)
    return replace(chosen, copy=copy, slots=slots), provenance


def _with_provenance(document: dict, provenance: dict) -> dict:
    """Who wrote the words goes with them: approvers see it, and guardrails never let an action
    Claude wrote or chose run without a person (nor below the rules' type's risk)."""
    document = {**document, "metadata": {**document["metadata"], **provenance}}
    return parse_protocol(document).model_dump(mode="json")


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


def protocol_for(finding, intent: rules.Intent, ctx: Context) -> dict | None:
    """One finding's protocol as a run would propose it (Claude's prose when it passes every
    check), for callers that propose a single action on request."""
    return _protocol_with_model_copy(finding, intent, ctx, ModelUsage())
