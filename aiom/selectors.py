"""Read-side queries for the dashboard shell."""

from django.db.models import Count

from actions.models import Action, ActionStatus


def overview_for(organization) -> dict:
    counts = dict(
        Action.objects.filter(organization=organization)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "pending": counts.get(ActionStatus.PENDING_APPROVAL, 0),
        "executed": counts.get(ActionStatus.EXECUTED, 0),
        "failed": counts.get(ActionStatus.FAILED, 0) + counts.get(ActionStatus.OUTCOME_UNKNOWN, 0),
        "by_status": sorted(counts.items()),
    }
