"""Celery tasks: thin wrappers that call the services. Retries are decided by the executor
(its attempt count lives in the database, so it survives a lost broker message)."""

import logging

from celery import shared_task

from . import dispatch, execution, notifications, services, sweeper

logger = logging.getLogger(__name__)


@shared_task(name="aiom.actions.execute", bind=True, acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def execute_action(self, action_id: str) -> str:
    outcome = execution.execute(action_id)
    if outcome.retry_in is not None:
        dispatch.enqueue(action_id, countdown=outcome.retry_in)
    return outcome.status


@shared_task(name="aiom.actions.sweep", acks_late=True, ignore_result=True)
def sweep() -> str:
    report = sweeper.sweep_and_enqueue()
    return str(report)


@shared_task(name="aiom.actions.expire", acks_late=True, ignore_result=True)
def expire() -> int:
    return services.expire_due()


@shared_task(name="aiom.actions.notify", acks_late=True, ignore_result=True)
def notify(purpose: str, action_id: str) -> None:
    notifications.deliver(purpose, action_id)


@shared_task(name="aiom.actions.send_digests", acks_late=True, ignore_result=True)
def send_digests() -> int:
    return notifications.send_due_digests()


@shared_task(name="aiom.actions.warn_expiring", acks_late=True, ignore_result=True)
def warn_expiring() -> int:
    return notifications.send_expiry_warnings()
