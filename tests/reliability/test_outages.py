"""Redis or Odoo down: approvals stand, transient failures are retried with backoff, and
once the outage is over each action takes effect once."""

import pytest
import redis
from django.conf import settings

from actions import execution, services, sweeper
from actions.models import Action, ActionStatus, Approval, ExecutionLog
from audit.models import ActionEvent, EventType
from integrations.models import OdooConnection
from integrations.odoo.client import OdooClient
from integrations.odoo.sandbox.server import start_in_thread
from tests.execution.actions import reminder
from tests.integrations.servers import free_port

from tests.processes import wait_until

from .support import APPROVE, approved, message_id_of, message_ids, note_on, queued_executions, run_aiom

pytestmark = pytest.mark.slow

def executed(action) -> bool:
    return Action.objects.filter(pk=action.pk, status=ActionStatus.EXECUTED).exists()


def test_redis_down_during_approval_the_approval_stands_and_the_sweeper_runs_it_once(
        connected_org, approver, overdue_invoice, smtp_server, process_env, start_worker):
    action = services.propose(connected_org, reminder(overdue_invoice), source="analyzer")
    broker_down = {**process_env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/5"}
    approval = run_aiom(broker_down, APPROVE, str(approver.pk), str(action.pk), timeout=30)  # its broker is down

    assert f"could not enqueue action {action.pk}" in approval.stderr
    action.refresh_from_db()
    assert action.status == ActionStatus.APPROVED and Approval.objects.filter(action=action).count() == 1
    assert not queued_executions(redis.Redis.from_url(settings.CELERY_BROKER_URL))  # the wake-up never arrived

    start_worker()
    report = sweeper.sweep_and_enqueue()
    assert report.due == [action.pk]
    wait_until(lambda: executed(action), timeout=30, what="the swept action to run")
    assert sweeper.sweep_and_enqueue().due == []
    assert message_ids(smtp_server) == {message_id_of(action): 1}


def test_odoo_down_retries_with_backoff_then_fails_and_a_manual_retry_posts_once(
        connected_org, approver, sandbox, overdue_invoice, start_worker):
    partner_id = overdue_invoice["partner"]["id"]
    start_worker()
    sandbox.stop()
    action = approved(connected_org, approver, note_on("res.partner", partner_id))

    wait_until(lambda: Action.objects.filter(pk=action.pk, status=ActionStatus.FAILED).exists(), timeout=30,
               what="the worker to give up on the unreachable Odoo")
    action.refresh_from_db()
    assert action.status_reason.startswith(f"Gave up after {execution.MAX_ATTEMPTS} attempts:")
    assert "Odoo" in action.error
    assert ExecutionLog.objects.filter(action=action).count() == execution.MAX_ATTEMPTS
    delays = [event.data["retry_in_seconds"] for event in
              ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.DEFERRED).order_by("pk")]
    assert len(delays) == execution.MAX_ATTEMPTS - 1
    assert all(0 < delay <= settings.AIOM_RETRY_MAX_SECONDS for delay in delays)

    restarted = start_in_thread(seed="demo")  # Odoo is back, at a new address
    try:
        OdooConnection.objects.filter(organization=connected_org).update(url=restarted.url)
        services.retry_failed(action, user=approver)
        wait_until(lambda: executed(action), timeout=30, what="the retried action to run")
        with OdooClient(OdooConnection.objects.get(organization=connected_org).config()) as odoo:
            notes = odoo.search_read("mail.message", [("model", "=", "res.partner"), ("res_id", "=", partner_id),
                                                      ("body", "ilike", f"AIOM-REF:{action.pk}")], ["id"])
        assert len(notes) == 1
    finally:
        restarted.stop()
