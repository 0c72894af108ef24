"""Reading the audit trail: filtered, newest first, always within one organisation."""

from collections.abc import Callable
from datetime import date, datetime, time, timezone as dt_timezone

from django.db.models import QuerySet

from .models import ActionEvent, ChainHead, EventType


def events_for(*, organization, q: str = "", action_ids: QuerySet | None = None, event_type: str = "",
               actor_type: str = "", action_id=None, since: date | None = None, until: date | None = None,
               search: Callable[..., QuerySet] | None = None) -> QuerySet:
    """`q` keeps the events of the actions it names: `action_ids` when the caller knows the actions
    (the dashboard passes the actions' own search), or `search(organization=, q=)` gives them, else
    those whose title, when created, matches."""
    queryset = ActionEvent.objects.filter(organization=organization)
    if q.strip():
        if action_ids is None and search is not None:
            action_ids = search(organization=organization, q=q)
        if action_ids is None:
            action_ids = ActionEvent.objects.filter(organization=organization, event_type=EventType.CREATED,
                                                    data__title__icontains=q.strip()).values("action_id")
        queryset = queryset.filter(action_id__in=action_ids)
    if event_type:
        queryset = queryset.filter(event_type=event_type)
    if actor_type:
        queryset = queryset.filter(actor_type=actor_type)
    if action_id:
        queryset = queryset.filter(action_id=action_id)
    if since:
        queryset = queryset.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=dt_timezone.utc))
    if until:
        queryset = queryset.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=dt_timezone.utc))
    return queryset.order_by("-seq")


def chain_head(*, organization) -> ChainHead | None:
    return ChainHead.objects.filter(organization=organization).first()
