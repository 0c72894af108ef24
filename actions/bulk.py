"""Deciding many actions at once: a pre-flight table first, then approving only what passes.

The pre-flight changes nothing: for each selected action (with the revision the person saw) it
runs the guardrails and the revalidation against live Odoo read-only and says what approving
would lead to. `bulk_approve` then approves only the rows that pass, each through
`services.approve` bound to its hash, and records the batch as one audit event.
"""

import uuid
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from aiom.errors import ApplicationError
from audit.models import EventType
from audit.services import Actor, append_event
from integrations.errors import ExternalError
from integrations.odoo.connections import shared_client_for

from . import guardrails, services
from .fields import RiskLevel
from .models import Action, ActionStatus, Approval, Decision
from .permissions import ensure_can_decide, own_high_risk
from .revalidation import revalidate
from .policy import approvers
from .types import RISK_RULES

WILL_EXECUTE = "will_execute"
WILL_BE_BLOCKED = "will_be_blocked"
NEEDS_ANOTHER_APPROVER = "needs_another_approver"
LEFT_OUT = "left_out"

#: The outcomes that get this person's approval in a bulk approval.
APPROVED_OUTCOMES = frozenset({WILL_EXECUTE, NEEDS_ANOTHER_APPROVER})

@dataclass(frozen=True)
class Row:
    """One line of the pre-flight table. `action` is None when the id matched nothing."""

    action_id: str
    protocol_hash: str
    action: Action | None
    outcome: str
    reason: str

    def as_dict(self) -> dict:
        return {"id": self.action_id, "outcome": self.outcome, "reason": self.reason}


@dataclass(frozen=True)
class BulkResult:
    rows: list[Row]

    @property
    def approved(self) -> list[Row]:
        return [row for row in self.rows if row.outcome in APPROVED_OUTCOMES]

    @property
    def skipped(self) -> list[Row]:
        return [row for row in self.rows if row.outcome not in APPROVED_OUTCOMES]


def preflight(organization, user, items: list[tuple]) -> list[Row]:
    """What approving each (action id, protocol hash) would lead to, in the order given.

    Read-only: nothing is approved, written to Odoo or recorded. Only people who may decide
    in the organisation get an answer.
    """
    ensure_can_decide(user, organization)
    items = _unique(items)
    actions = _actions(organization, [action_id for action_id, _ in items])
    policy = guardrails.policy_for(organization)
    now = timezone.now()
    rows = [_row(str(action_id), protocol_hash, actions.get(str(action_id)), user=user, policy=policy, now=now)
            for action_id, protocol_hash in items]
    return _apply_bulk_limit(rows, policy.max_records_per_bulk)


def bulk_approve(organization, user, items: list[tuple], *, comment: str = "") -> BulkResult:
    """Approve the rows of the pre-flight that pass, each bound to the revision the person saw,
    in one transaction with one audit event for the batch; the others are left as they are."""
    rows = preflight(organization, user, items)
    done = []
    with transaction.atomic():
        for row in rows:
            if row.outcome in APPROVED_OUTCOMES:
                try:
                    services.approve(row.action, user, comment=comment, channel="bulk",
                                     protocol_hash=row.protocol_hash)
                except ApplicationError as exc:  # decided, edited or expired since the pre-flight
                    row = replace(row, outcome=LEFT_OUT, reason=exc.message)
            done.append(row)
        result = BulkResult(done)
        append_event(organization, event_type=EventType.APPROVED, actor=Actor.for_user(user),
                     data={"bulk": True, "comment": comment,
                           "approved": [{"id": row.action_id, "protocol_hash": row.protocol_hash}
                                        for row in result.approved],
                           "skipped": [row.as_dict() for row in result.skipped]})
    return result


def _unique(items: list[tuple]) -> list[tuple[str, str]]:
    seen, unique = set(), []
    for action_id, protocol_hash in items:
        if str(action_id) not in seen:
            seen.add(str(action_id))
            unique.append((str(action_id), protocol_hash or ""))
    return unique


def _actions(organization, ids: list[str]) -> dict[str, Action]:
    valid = []
    for value in ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue  # answered as "not found"
    found = Action.objects.filter(organization=organization, pk__in=valid).select_related("organization")
    return {str(action.pk): action for action in found.prefetch_related("approvals")}


def _row(action_id: str, protocol_hash: str, action: Action | None, *, user, policy, now) -> Row:
    def row(outcome: str, reason: str) -> Row:
        return Row(action_id, protocol_hash, action, outcome, reason)

    if action is None:
        return row(LEFT_OUT, "Not found in your organisation.")
    if action.status != ActionStatus.PENDING_APPROVAL:
        return row(LEFT_OUT, f"It is already {ActionStatus(action.status).label.lower()}.")
    if protocol_hash != action.protocol_hash:
        return row(LEFT_OUT, "It was edited since you saw it; review the new version.")
    if action.expires_at <= now:
        return row(LEFT_OUT, "It has expired; it can no longer be approved.")
    if RISK_RULES[RiskLevel(action.risk_level)].bulk_only_if_allowed and not policy.bulk_approve_high_risk:
        return row(LEFT_OUT, f"{action.risk_level.capitalize()}-risk actions are approved one at a time, "
                             "after reading each.")
    if own_high_risk(user, action):
        return row(LEFT_OUT, "You asked for it, and it is high risk: someone else must approve it.")
    standing = action.standing_decisions()
    if any(decision.user_id == user.pk for decision in standing):
        return row(LEFT_OUT, "You have already decided on this version.")
    protocol = action.parsed
    refusals = guardrails.refusals_for(policy, protocol)
    if refusals:
        return row(WILL_BE_BLOCKED, " ".join(refusals))
    try:
        verdict = revalidate(protocol, organization=action.organization, odoo=shared_client_for(action.organization),
                             now=now, action_id=action.pk)
    except ExternalError as exc:
        return row(WILL_BE_BLOCKED, f"Odoo could not be reached to check it ({exc.message}); try again later.")
    if verdict.blocking:
        return row(WILL_BE_BLOCKED, " ".join(result.summary for result in verdict.blocking))
    if verdict.needs_reapproval:
        return row(WILL_BE_BLOCKED, " ".join(result.summary for result in verdict.needs_reapproval)
                   + " It would come back for approval with the new state.")
    yours = Approval(action=action, user=user, decision=Decision.APPROVE, protocol_hash=action.protocol_hash)
    after = approvers.progress(action, [*(d for d in standing if d.decision == Decision.APPROVE), yours])
    if not after.complete:
        if after.short_of_people and not after.after_count:
            return row(NEEDS_ANOTHER_APPROVER, f"{action.risk_level.capitalize()} actions need {after.required} "
                                               "different approvers; yours is recorded and it waits for another.")
        return row(NEEDS_ANOTHER_APPROVER, f"Yours is recorded; it still needs {_joined(after.missing)}.")
    return row(WILL_EXECUTE, verdict.summary() if verdict.failures else "All checks pass.")


def _joined(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _apply_bulk_limit(rows: list[Row], limit: int) -> list[Row]:
    """At most `limit` actions are approved at once; the ones after that are left for the next batch."""
    passing = 0
    limited = []
    for row in rows:
        if row.outcome in APPROVED_OUTCOMES:
            passing += 1
            if passing > limit:
                row = replace(row, outcome=LEFT_OUT,
                              reason=f"Over the bulk limit of {limit}: approve it in the next batch.")
        limited.append(row)
    return limited
