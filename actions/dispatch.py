"""Waking workers: enqueue after commit, and re-enqueue from the database (the sweeper).

An enqueue that fails (broker down) is logged, never raised into the request that approved
the action: the approval stands, and the sweeper will find the action.
"""

import logging

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

#: The task is named, not imported: the tasks module imports this one.
EXECUTE_TASK = "aiom.actions.execute"


def enqueue(action_id, *, countdown: float | None = None) -> bool:
    countdown = min(countdown or 0, max_countdown()) or None
    try:
        current_app.send_task(EXECUTE_TASK, args=(str(action_id),), countdown=countdown, retry=False)
        return True
    except Exception as exc:  # noqa: BLE001 - any broker failure: the sweeper covers it
        logger.warning("could not enqueue action %s (%s); the sweeper will pick it up", action_id,
                       exc.__class__.__name__)
        return False


def enqueue_on_commit(action_id, *, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: enqueue(action_id, countdown=countdown))


def max_countdown() -> float:
    """Delays stay far below the broker's visibility timeout (or the task is delivered twice)."""
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600) / 4

