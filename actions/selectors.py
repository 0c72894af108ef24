"""Reading actions for people: queues, history and one action's story."""

from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from audit.models import ActionEvent

from .models import Action, ActionStatus
from .records import actions_for_record

#: Odoo ids are PostgreSQL integers: a longer number cannot be one.
_MAX_ODOO_ID = 2**31 - 1


def _filtered(queryset: QuerySet, *, organization, risk: str = "", action_type: str = "", source: str = "",
              q: str = "", partner: int | None = None, record: tuple[str, int] | None = None,
              created_after: datetime | None = None, created_before: datetime | None = None) -> QuerySet:
    """`record` = (model, id) keeps what that record's page shows, `partner` what the customer's
    page shows (the record ("res.partner", id)); created_after is inclusive, created_before not."""
    if partner:
        queryset = _about(queryset, organization, "res.partner", partner)
    if record:
        queryset = _about(queryset, organization, *record)
    if created_after:
        queryset = queryset.filter(created_at__gte=created_after)
    if created_before:
        queryset = queryset.filter(created_at__lt=created_before)
    if risk:
        queryset = queryset.filter(risk_level=risk)
    if action_type:
        queryset = queryset.filter(action_type=action_type)
    if source:
        queryset = queryset.filter(source=source)
    if q.strip():
        queryset = queryset.filter(search_terms(q))
    return queryset


def _about(queryset: QuerySet, organization, model: str, record_id: int) -> QuerySet:
    return queryset.filter(pk__in=actions_for_record(organization=organization, model=model,
                                                     record_id=record_id).values("pk"))


def search_terms(q: str) -> Q:
    """What a search box matches, case-insensitive: the title, the record's description, the
    names the action holds (invoice, deal or task, customer), or an Odoo id ("8" or "#8")."""
    q = q.strip()
    match = (Q(title__icontains=q) | Q(protocol__affected_records__description__icontains=q)
             | Q(protocol__metadata__record_name__icontains=q) | Q(protocol__metadata__partner_name__icontains=q))
    number = q.removeprefix("#")
    if number.isdigit() and 0 < int(number) <= _MAX_ODOO_ID:
        match |= Q(target_id=int(number)) | Q(partner_id=int(number))
    return match


def matching_action_ids(*, organization, q: str) -> QuerySet:
    """The ids of the organisation's actions a search matches (for the audit trail's search)."""
    return Action.objects.filter(organization=organization).filter(search_terms(q)).values("pk")


def actions_pending(*, organization, **filters) -> QuerySet:
    """The approval queue: most urgent (soonest to expire) first."""
    queryset = Action.objects.filter(organization=organization, status=ActionStatus.PENDING_APPROVAL)
    return _filtered(queryset, organization=organization, **filters) \
        .select_related("organization", "organization__guardrail_policy") \
        .prefetch_related("approvals__user").order_by("expires_at", "created_at")


def actions_history(*, organization, status: str = "", **filters) -> QuerySet:
    queryset = Action.objects.filter(organization=organization).exclude(status=ActionStatus.PENDING_APPROVAL)
    if status:
        queryset = queryset.filter(status=status)
    return _filtered(queryset, organization=organization, **filters).order_by("-updated_at")


def actions_listed(*, organization, status: str = "", **filters) -> QuerySet:
    """Every action of the organisation, newest first, with the dashboard's filters (the API's list)."""
    queryset = Action.objects.filter(organization=organization)
    if status:
        queryset = queryset.filter(status=status)
    return _filtered(queryset, organization=organization, **filters).order_by("-created_at", "-pk")


def pending_count(*, organization) -> int:
    return Action.objects.filter(organization=organization, status=ActionStatus.PENDING_APPROVAL).count()


def action_timeline(action: Action) -> QuerySet:
    return ActionEvent.objects.filter(organization_id=action.organization_id, action_id=action.pk).order_by("seq")


def status_counts(*, organization) -> dict[str, int]:
    """How many of the organisation's actions are in each status (every status, zeros too)."""
    counts = dict(Action.objects.filter(organization=organization).values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in ActionStatus.values}


def queue_metrics(*, organization) -> dict:
    """How the pipeline is doing: counts by status, the oldest pending, what is due or stuck."""
    actions = Action.objects.filter(organization=organization)
    now = timezone.now()
    by_status = status_counts(organization=organization)
    oldest = actions.filter(status=ActionStatus.PENDING_APPROVAL).aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "by_status": by_status,
        "pending": by_status[ActionStatus.PENDING_APPROVAL],
        "oldest_pending_age_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "due_now": actions.filter(status=ActionStatus.APPROVED).exclude(not_before__gt=now).count(),
        "deferred": actions.filter(status=ActionStatus.APPROVED, not_before__gt=now).count(),
        "stuck_executing": actions.filter(status=ActionStatus.EXECUTING, lease_expires_at__lt=now).count(),
    }
