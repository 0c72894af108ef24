"""Actions already on their way when the rules change: a rule edit tightens them, never loosens.

Every action carries the verdict of the rules that judged it (`guardrail_decision["policy"]`,
with the rules version). When the rules change, `retighten` judges each pending action again and
keeps the stricter of the stamped and the fresh verdict; at execution, `recheck` does the same
for an approved action, so a rule added between approval and sending still counts. A rule
removed or loosened never lowers what an action already needed. See docs/architecture.md.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.models import EventType
from audit.services import append_event

from ..fields import RiskLevel
from ..models import Action, ActionStatus
from .. import lifecycle
from . import approvers, evaluate
from .facts import policy_of
from .rules import Effect


def stamp_of(action: Action) -> dict | None:
    """The rules' verdict stored on the action, or None when no rule has judged it."""
    return (action.guardrail_decision or {}).get("policy")


def with_stamp(action: Action, verdict: "evaluate.Verdict") -> dict:
    """The action's guardrail decision with `verdict` as its rules' part."""
    return {**(action.guardrail_decision or {}), "policy": verdict.as_dict()}


def retighten(organization, *, now: datetime | None = None) -> int:
    """Judge every pending action of the organisation by the rules as they stand now; returns
    how many changed (denied, or needing more, sooner or stricter)."""
    now = now or timezone.now()
    changed = 0
    policy, rules = policy_of(organization), evaluate.active_rules(organization)  # as they stand, read once
    pending = (Action.objects.filter(organization=organization, status=ActionStatus.PENDING_APPROVAL)
               .values_list("pk", flat=True))
    for pk in list(pending):
        with transaction.atomic():
            action = (Action.objects.select_for_update(of=("self",)).select_related("organization")
                      .filter(pk=pk, status=ActionStatus.PENDING_APPROVAL).first())
            if action is not None and _retighten_one(action, now, policy, rules):
                changed += 1
    return changed


def _retighten_one(action: Action, now: datetime, policy, rules) -> bool:
    fresh = evaluate.judge(action.organization, action.parsed, at=now, policy=policy, rules=rules)
    merged = evaluate.tightened(stamp_of(action), fresh)
    if merged.effect == Effect.DENY:
        reason = " ".join(merged.deny_reasons) or "A policy rule refuses this action."
        lifecycle.transition(action, ActionStatus.DENIED, reason=reason,
                             data={"rules_version": merged.rules_version, "policy": merged.as_dict()})
        return True
    updates = {}
    decision = with_stamp(action, merged)
    if decision != action.guardrail_decision:
        updates["guardrail_decision"] = decision
    if merged.raise_risk_to and RiskLevel(merged.raise_risk_to).rank > RiskLevel(action.risk_level).rank:
        updates["risk_level"] = merged.raise_risk_to
    if merged.expiry_hours:
        sooner = action.created_at + timedelta(hours=merged.expiry_hours)
        if sooner < action.expires_at:
            updates["expires_at"] = sooner
    if not updates:
        return False
    Action.objects.filter(pk=action.pk).update(**updates, updated_at=now)
    append_event(action.organization, event_type=EventType.GUARDRAIL_DECISION, action_id=action.pk,
                 data={"decision": action.guardrail_decision.get("decision", "require_approval"),
                       "in_flight": True, "rules_version": merged.rules_version,
                       "reasons": [match.sentence() for match in merged.matched] or
                                  ["The policy rules changed; what this action already needed still holds."],
                       **({"risk_level": updates["risk_level"]} if "risk_level" in updates else {}),
                       **({"expires_at": updates["expires_at"].isoformat()} if "expires_at" in updates else {})})
    return True


@dataclass(frozen=True)
class Recheck:
    """What the rules say about an approved action at the moment it would run."""

    deny: str = ""
    #: Why it goes back to people (a rule now asks for more than it has), or "".
    needs_people: str = ""
    decision: dict = field(default_factory=dict)
    #: Revalidation checks the rules add, in the protocol's format.
    extra_checks: tuple[dict, ...] = ()


def recheck(action: Action, protocol, *, now: datetime, policy=None) -> Recheck:
    policy = policy or policy_of(action.organization)
    fresh = evaluate.judge(action.organization, protocol, at=now, policy=policy)
    merged = evaluate.tightened(stamp_of(action), fresh)
    decision = with_stamp(action, merged)
    checks = tuple(evaluate.checks_for(protocol, merged.add_checks, policy=policy)) if merged.add_checks else ()
    if merged.effect == Effect.DENY:
        return Recheck(deny=" ".join(merged.deny_reasons) or "A policy rule refuses this action.", decision=decision,
                       extra_checks=checks)
    ran_by_itself = (action.guardrail_decision or {}).get("decision") == "auto_execute"
    if ran_by_itself:
        if merged.effect == Effect.REQUIRE_APPROVAL:
            words = " ".join(match.sentence() for match in merged.matched if match.effect == Effect.REQUIRE_APPROVAL)
            return Recheck(needs_people=f"A policy rule now asks a person to approve this. {words}".strip(),
                           decision=decision, extra_checks=checks)
        return Recheck(decision=decision, extra_checks=checks)
    risk = action.risk_level
    if merged.raise_risk_to and RiskLevel(merged.raise_risk_to).rank > RiskLevel(risk).rank:
        risk = merged.raise_risk_to
    stamped = stamp_of(action) or {}
    asked_before = (list(stamped.get("approvers") or []), [list(groups) for groups in stamped.get("alternatives") or []])
    if risk == action.risk_level and (list(merged.approvers), [list(g) for g in merged.alternatives]) == asked_before:
        return Recheck(decision=decision, extra_checks=checks)  # nothing asked that its approval did not give
    judged = Action(pk=action.pk, organization=action.organization, risk_level=risk,
                    created_by=action.created_by, protocol_hash=action.protocol_hash, guardrail_decision=decision)
    progress = approvers.progress(judged, list(action.current_approvals().select_related("user")))
    if not progress.complete:
        return Recheck(needs_people=f"The policy rules changed since it was approved. {progress.sentence()}",
                       decision=decision, extra_checks=checks)
    return Recheck(decision=decision, extra_checks=checks)
