"""Reading actions for people: queues, history and one action's story."""

from django.db.models import QuerySet

from audit.models import ActionEvent

from .models import Action, ActionStatus

DECIDED = [ActionStatus.EXECUTED, ActionStatus.FAILED, ActionStatus.OUTCOME_UNKNOWN, ActionStatus.REJECTED,
           ActionStatus.EXPIRED, ActionStatus.CANCELLED, ActionStatus.DENIED, ActionStatus.BLOCKED]


def _filtered(queryset: QuerySet, *, risk: str = "", action_type: str = "", source: str = "") -> QuerySet:
    if risk:
        queryset = queryset.filter(risk_level=risk)
    if action_type:
        queryset = queryset.filter(action_type=action_type)
    if source:
        queryset = queryset.filter(source=source)
    return queryset


def actions_pending(*, organization, **filters) -> QuerySet:
    """The approval queue: most urgent (soonest to expire) first."""
    queryset = Action.objects.filter(organization=organization, status=ActionStatus.PENDING_APPROVAL)
    return _filtered(queryset, **filters).select_related("organization").prefetch_related("approvals__user") \
        .order_by("expires_at", "created_at")


def actions_history(*, organization, status: str = "", **filters) -> QuerySet:
    queryset = Action.objects.filter(organization=organization).exclude(status=ActionStatus.PENDING_APPROVAL)
    if status:
        queryset = queryset.filter(status=status)
    return _filtered(queryset, **filters).order_by("-updated_at")


def pending_count(*, organization) -> int:
    return Action.objects.filter(organization=organization, status=ActionStatus.PENDING_APPROVAL).count()


def action_timeline(action: Action) -> QuerySet:
    return ActionEvent.objects.filter(organization_id=action.organization_id, action_id=action.pk).order_by("seq")
