"""Read-side queries for the overview and health pages."""

from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu import Connection

from actions.models import Action, ActionStatus
from actions.selectors import queue_metrics, status_counts
from analyzers import charts
from analyzers.selectors import latest_analysis, latest_successful_analysis, open_alerts
from integrations.models import OdooConnection


def overview_for(organization) -> dict:
    """The figures on the first page: the queue, today's work, and the last analysis."""
    analysis = latest_successful_analysis(organization=organization)
    metrics = analysis.metrics if analysis else {}
    financial, sales = metrics.get("financial", {}), metrics.get("sales", {})
    pipeline = charts.pipeline_bars(sales)
    return {
        **_action_counts(organization),
        "analysis": analysis,
        "last_run": latest_analysis(organization=organization),
        "plan": getattr(analysis, "plan", None) if analysis else None,
        "financial": financial,
        "sales": sales,
        "aging": charts.aging_bars(financial),
        "pipeline": pipeline,
        "pipeline_height": charts.rows_height(pipeline),
        "alerts": list(open_alerts(organization=organization)),
    }


def _action_counts(organization) -> dict:
    counts = status_counts(organization=organization)
    today = timezone.localdate()
    return {
        "executed_today": Action.objects.filter(organization=organization, status=ActionStatus.EXECUTED,
                                                executed_at__date=today).count(),
        "pending": counts[ActionStatus.PENDING_APPROVAL],
        "executed": counts[ActionStatus.EXECUTED],
        "failed": counts[ActionStatus.FAILED] + counts[ActionStatus.OUTCOME_UNKNOWN],
        "by_status": sorted((status, n) for status, n in counts.items() if n),
    }


def health_for(organization) -> dict:
    """What an operator checks when something seems stuck: queue, Odoo, broker, schedules."""
    return {
        "queue": queue_metrics(organization=organization),
        "odoo": OdooConnection.objects.filter(organization=organization).first(),
        "broker": broker_status(),
        "schedules": list(PeriodicTask.objects.select_related("interval", "crontab").order_by("name")),
    }


def broker_status() -> dict:
    """Can we reach the broker right now? (It is only a wake-up signal: nothing is lost if not.)"""
    try:
        with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                        connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"; shown to operators
        return {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:200]}
    return {"ok": True, "error": ""}
