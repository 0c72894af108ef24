"""Guardrails: per organisation, decide whether an action runs by itself, waits for a human,
or is refused — at proposal, and again at execution (limits may have been reached since).

Decisions carry their reasons in words an approver understands; they are stored on the
action and in the audit trail.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.forms.models import model_to_dict

from audit.models import EventType
from audit.services import Actor, append_event

from .models import Channel, GuardrailPolicy, LedgerStatus, OutboundRecord
from .fields import RiskLevel
from . import types
from .types import approvals_required
from .protocol import ActionProtocol
from .policy.facts import amount_involved
from .policy.rules import Effect

AUTO_EXECUTE = "auto_execute"
REQUIRE_APPROVAL = "require_approval"
DENY = "deny"

@dataclass(frozen=True)
class Decision:
    outcome: str
    risk_level: RiskLevel
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {"decision": self.outcome, "risk_level": self.risk_level.value, "reasons": list(self.reasons)}


def policy_for(organization) -> GuardrailPolicy:
    policy, _ = GuardrailPolicy.objects.get_or_create(organization=organization)
    return policy


#: Set by the recommender when Claude wrote the copy or chose the type (metadata "written_by").
WRITTEN_BY_CLAUDE = "claude"


def decide_proposal(policy: GuardrailPolicy, protocol: ActionProtocol, *, rules=None, grant=None) -> Decision:
    """The built-in guardrails, then the organisation's policy rules (`rules`, a
    `actions.policy.evaluate.Verdict`) and an earned-autonomy `grant`, strongest effect first.

    Rules and grants only tighten: a deny or a required approval always counts; running by
    itself is possible only where the built-in guardrails hold nothing that needs a person
    (see `_needs_a_person`), and for messages to people outside only when the organisation
    allows that explicitly."""
    spec = protocol.spec
    floors = [spec]
    # A type Claude chose instead of the rules' one keeps the stricter of the two floors.
    if (replaced := protocol.metadata.get("rules_action_type")) in types.ACTION_TYPES:
        floors.append(types.action_type(replaced))
    strictest = max(floors, key=lambda entry: entry.risk_floor.rank)
    risk = RiskLevel.highest(protocol.risk_level, strictest.risk_floor)
    notes = []
    if risk != protocol.risk_level:
        notes.append(f"Risk raised from {protocol.risk_level.value} to {risk.value}, the minimum for "
                     f"{strictest.label}.")
    if rules is not None and rules.raise_risk_to and RiskLevel(rules.raise_risk_to).rank > risk.rank:
        notes.append(f"Risk raised from {risk.value} to {rules.raise_risk_to} by a policy rule.")
        risk = RiskLevel(rules.raise_risk_to)
    rule_words = [match.sentence() for match in rules.matched] if rules is not None else []
    refusals = refusals_for(policy, protocol)
    if refusals or (rules is not None and rules.effect == Effect.DENY):
        denying = [match.sentence() for match in rules.matched if match.effect == Effect.DENY] if rules else []
        return Decision(DENY, risk, tuple(refusals + denying + notes))
    hard, soft = _needs_a_person(policy, protocol, risk)
    if hard:
        return Decision(REQUIRE_APPROVAL, risk, tuple(notes + [hard] + rule_words))
    if rules is not None and rules.effect == Effect.REQUIRE_APPROVAL:
        return Decision(REQUIRE_APPROVAL, risk, tuple(notes + rule_words))
    if rules is not None and rules.effect == Effect.AUTO_EXECUTE:
        return Decision(AUTO_EXECUTE, risk, tuple(notes + rule_words))
    if grant is not None:
        until = grant.active_until.date().isoformat() if grant.active_until else "further notice"
        return Decision(AUTO_EXECUTE, risk, tuple(notes + [
            f"Runs by itself: {grant.streak} approvals in a row without a change, and an admin let this kind "
            f"of action run automatically until {until}."]))
    if soft:
        return Decision(REQUIRE_APPROVAL, risk, tuple(notes + [soft]))
    return Decision(AUTO_EXECUTE, risk, tuple(notes + [
        "Low-risk internal action; this organisation lets such actions run automatically."]))


def _needs_a_person(policy: GuardrailPolicy, protocol: ActionProtocol, risk: RiskLevel) -> tuple[str, str]:
    """(hard, soft) reasons a person must approve. Nothing lifts a hard one; a policy rule or an
    earned-autonomy grant may lift a soft one (medium risk, the organisation's switch)."""
    amount = amount_involved(protocol)
    if protocol.is_external and not policy.allow_external_auto_execute:
        return "Messages to people outside the company always need approval.", ""
    if approvals_required(risk) > 1:
        return f"{risk.value.capitalize()} actions need {approvals_required(risk)} different approvers.", ""
    if risk.rank > RiskLevel.MEDIUM.rank:
        return f"{risk.value.capitalize()}-risk actions need approval.", ""
    if not protocol.is_external and not protocol.spec.op.auto_executable:
        return "This kind of action always needs approval.", ""
    if protocol.metadata.get("written_by") == WRITTEN_BY_CLAUDE:
        return "Claude wrote or chose this action, so a person approves it.", ""
    if amount is not None and amount > policy.max_amount_without_approval:
        return (f"It concerns an amount of {amount}, above the {policy.max_amount_without_approval} "
                "allowed without approval."), ""
    if protocol.is_external:
        return "", "Messages to people outside the company need approval unless a policy rule lets them run."
    if risk != RiskLevel.LOW:
        return "", f"{risk.value.capitalize()}-risk actions need approval."
    if not policy.auto_execute_internal:
        return "", "Automatic execution of internal actions is turned off for this organisation."
    return "", ""


def refusals_for(policy: GuardrailPolicy, protocol: ActionProtocol) -> list[str]:
    """Reasons the policy forbids this action outright (empty when allowed)."""
    refusals = []
    capability = protocol.spec.op.capability
    if capability and not getattr(policy, capability[0]):
        refusals.append(f"{capability[1]} is turned off for this organisation.")
    if protocol.spec.op.channel == Channel.EMAIL:
        inputs = protocol.operation.inputs
        recipients = len(inputs.to) + len(inputs.cc)
        if recipients > policy.max_recipients_per_email:
            refusals.append(f"{recipients} recipients exceed the limit of {policy.max_recipients_per_email} per email.")
    records = len(protocol.affected_records.odoo_ids)
    if records > policy.max_records_per_bulk:
        refusals.append(f"{records} records exceed the limit of {policy.max_records_per_bulk} per action.")
    return refusals


def is_high_value(policy: GuardrailPolicy, protocol: ActionProtocol) -> bool:
    """High or critical risk, or an amount above what may run without approval: what
    approvers are warned about before it expires."""
    amount = amount_involved(protocol)
    return (protocol.risk_level in (RiskLevel.HIGH, RiskLevel.CRITICAL)
            or (amount is not None and amount > policy.max_amount_without_approval))


# ---------------------------------------------------------------------------------------------
# Rate limits, checked at execution while the policy row is locked (see `locked_policy`).

RATE_WINDOWS = {Channel.EMAIL: ("emails_per_hour", timedelta(hours=1), "emails per hour"),
                Channel.SMS: ("sms_per_day", timedelta(days=1), "SMS per day")}


def locked_policy(organization) -> GuardrailPolicy:
    """The policy row, locked until the caller's transaction ends: counting sends and
    reserving the next one happen under this lock, so concurrent workers can't both take
    the last slot."""
    policy_for(organization)
    return GuardrailPolicy.objects.select_for_update(no_key=True, of=("self",)).select_related("organization").get(
        organization=organization)


def rate_limit_until(policy: GuardrailPolicy, channel: str, now: datetime) -> datetime | None:
    """When the next message on `channel` may go out, or None if one may go now."""
    if channel not in RATE_WINDOWS:
        return None
    limit_field, window, _ = RATE_WINDOWS[channel]
    limit = getattr(policy, limit_field)
    recent = (OutboundRecord.objects
              .filter(organization=policy.organization, channel=channel, created_at__gt=now - window)
              .exclude(status=LedgerStatus.NOT_SENT))
    count = recent.count()
    if count < limit:
        return None
    # The slot frees up when enough of the oldest sends leave the window.
    oldest_blocking = recent.order_by("created_at").values_list("created_at", flat=True)[count - limit]
    return oldest_blocking + window


def rate_limit_reason(policy: GuardrailPolicy, channel: str) -> str:
    limit_field, _, label = RATE_WINDOWS[channel]
    return f"The limit of {getattr(policy, limit_field)} {label} is reached."


# ---------------------------------------------------------------------------------------------
# Policy changes


EDITABLE_FIELDS = [f.name for f in GuardrailPolicy._meta.fields
                   if f.editable and f.name not in {"id", "organization", "updated_at"}]


def policy_update(policy: GuardrailPolicy, *, actor: Actor, **changes) -> GuardrailPolicy:
    """Change policy settings and audit exactly what changed (before → after)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not policy settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = GuardrailPolicy.objects.select_for_update(no_key=True).get(pk=policy.pk)
        before = model_to_dict(locked, fields=EDITABLE_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        locked.refresh_from_db()
        after = model_to_dict(locked, fields=EDITABLE_FIELDS)
        diff = {name: {"before": before[name], "after": after[name]} for name in EDITABLE_FIELDS
                if before[name] != after[name]}
        if diff:
            append_event(locked.organization, event_type=EventType.POLICY_CHANGED, actor=actor,
                         data={"changes": diff})
    return locked
