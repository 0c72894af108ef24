"""The action state machine (docs/architecture.md, "Lifecycle"): the only way an action's status changes.

Each transition is one conditional UPDATE (`… WHERE id = … AND status = <expected>`) plus its
audit event, in one transaction. If another process moved the action first, the UPDATE
matches no row and the caller gets `StaleTransition`: exactly one of two racing requests wins.
"""

from django.db import transaction
from django.utils import timezone

from aiom.errors import ApplicationError, Conflict
from audit.models import EventType
from audit.services import SYSTEM, Actor, append_event

from .models import Action, ActionStatus

S = ActionStatus

#: to-state → the states it may be entered from, and the audit event that records it.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    S.APPROVED: (frozenset({S.PENDING_APPROVAL, S.EXECUTING, S.FAILED}), EventType.APPROVED),
    S.EXECUTING: (frozenset({S.APPROVED}), EventType.EXECUTING),
    S.EXECUTED: (frozenset({S.EXECUTING, S.OUTCOME_UNKNOWN}), EventType.EXECUTED),
    S.FAILED: (frozenset({S.EXECUTING, S.OUTCOME_UNKNOWN}), EventType.FAILED),
    S.OUTCOME_UNKNOWN: (frozenset({S.EXECUTING}), EventType.OUTCOME_UNKNOWN),
    S.REJECTED: (frozenset({S.PENDING_APPROVAL}), EventType.REJECTED),
    S.EXPIRED: (frozenset({S.PENDING_APPROVAL, S.APPROVED, S.EXECUTING}), EventType.EXPIRED),
    S.CANCELLED: (frozenset({S.PENDING_APPROVAL, S.APPROVED}), EventType.CANCELLED),
    S.DENIED: (frozenset({S.PENDING_APPROVAL, S.EXECUTING}), EventType.DENIED),
    S.BLOCKED: (frozenset({S.EXECUTING}), EventType.BLOCKED),
    S.SUPERSEDED: (frozenset({S.PENDING_APPROVAL}), EventType.SUPERSEDED),
    S.PENDING_APPROVAL: (frozenset({S.EXECUTING, S.APPROVED}), EventType.REVALIDATION_FAILED),  # approved: Undo
}

class InvalidTransition(ApplicationError):
    status_code = 409


class StaleTransition(Conflict):
    """The action was no longer in the state the caller saw (someone else decided first)."""


def can_transition(from_status: str, to_status: str) -> bool:
    sources, _ = TRANSITIONS.get(to_status, (frozenset(), None))
    return from_status in sources


def transition(action: Action, to_status: str, *, actor: Actor = SYSTEM, reason: str = "",
               event_type: str | None = None, data: dict | None = None, **fields) -> Action:
    """Move `action` from its current status to `to_status`, or raise.

    `fields` are written in the same UPDATE (e.g. `result=…`, `executed_at=…`). The audit event
    carries from/to, the reason and `data`.
    """
    from_status = action.status
    if to_status not in TRANSITIONS:
        raise InvalidTransition(f"Unknown status {to_status!r}.")
    if not can_transition(from_status, to_status):
        raise InvalidTransition(
            f"An action that is {ActionStatus(from_status).label.lower()} cannot become "
            f"{ActionStatus(to_status).label.lower()}.",
            {"from": from_status, "to": to_status},
        )
    now = timezone.now()
    values = {"status": to_status, "status_reason": reason, "updated_at": now, **fields}
    with transaction.atomic():
        updated = Action.objects.filter(pk=action.pk, status=from_status).update(**values)
        if updated != 1:
            current = Action.objects.filter(pk=action.pk).values_list("status", flat=True).first()
            raise StaleTransition(
                f"This action is already {ActionStatus(current).label.lower() if current else 'gone'}.",
                {"expected": from_status, "current": current},
            )
        append_event(
            action.organization,
            event_type=event_type or TRANSITIONS[to_status][1],
            actor=actor,
            action_id=action.pk,
            data={"from": from_status, "to": to_status, **({"reason": reason} if reason else {}), **(data or {})},
        )
    for name, value in values.items():
        setattr(action, name, value)
    return action
