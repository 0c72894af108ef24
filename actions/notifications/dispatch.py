"""When notifications go out: a Celery task (`aiom.actions.notify`) enqueued after the
transaction that changed the action commits, so a slow mail server never holds up the
proposing process. When the broker cannot take the task, this process sends at once instead:
a notification is never lost, and nothing raises into the caller."""

import logging
from functools import partial

from celery import current_app
from django.db import transaction

from ..models import Action, ActionStatus
from .requests import send_approval_requests
from .results import NOTICE_LEVELS, RESULT_STATUSES, post_notices, send_result
from .sending import APPROVAL_REQUEST, RESULT

logger = logging.getLogger(__name__)

#: The task is named, not imported: the tasks module imports this package.
NOTIFY_TASK = "aiom.actions.notify"


def notify_pending(action: Action) -> None:
    """Ask the approvers about an action waiting for them, once the transaction has committed."""
    if action.status == ActionStatus.PENDING_APPROVAL:
        transaction.on_commit(partial(enqueue, APPROVAL_REQUEST, action.pk), robust=True)


def notify_result(action: Action) -> None:
    """Tell the approvers how an action they approved ended: an in-app notice, written with the
    caller's transaction, and for a failed or unknown outcome an email once it has committed."""
    if action.status in NOTICE_LEVELS:
        post_notices(action)
    if action.status in RESULT_STATUSES:
        transaction.on_commit(partial(enqueue, RESULT, action.pk), robust=True)


def enqueue(purpose: str, action_id) -> None:
    """Hand the sending to a worker; when the broker cannot take it, send from here right away."""
    try:
        current_app.send_task(NOTIFY_TASK, args=(purpose, str(action_id)), retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: deliver here rather than lose it
        logger.warning("could not enqueue the %s notification for action %s (%s); sending it now", purpose,
                       action_id, exc.__class__.__name__)
        deliver(purpose, action_id)


def deliver(purpose: str, action_id) -> None:
    """Send one notification now (what the `aiom.actions.notify` task runs)."""
    {APPROVAL_REQUEST: send_approval_requests, RESULT: send_result}[purpose](action_id)
