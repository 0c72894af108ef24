"""A real Celery worker process executes what was approved, once."""

import pytest
import redis
from django.conf import settings

from actions import dispatch
from actions.models import Action, ActionStatus, ExecutionLog
from audit.models import ActionEvent, EventType
from tests.execution.actions import reminder

from tests.processes import wait_until

from .support import all_settled, allow_bulk_email, approved, message_id_of, message_ids

pytestmark = pytest.mark.slow


def test_approval_is_executed_by_a_worker_and_sent_exactly_once(connected_org, approver, overdue_invoice, odoo,
                                                              smtp_server, start_worker):
    start_worker()
    action = approved(connected_org, approver, reminder(overdue_invoice))

    wait_until(lambda: Action.objects.filter(pk=action.pk, status=ActionStatus.EXECUTED).exists(), timeout=30,
               what="the worker to execute the approved reminder")
    inputs = action.parsed.operation.inputs
    assert message_ids(smtp_server) == {message_id_of(action): 1}
    [mail] = [mail for mail in smtp_server.received if mail.message["Message-ID"] == message_id_of(action)]
    assert mail.rcpt_tos == [overdue_invoice["partner"]["email"]]
    assert mail.message["Subject"] == inputs.subject
    assert mail.message.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == inputs.body
    notes = odoo.search_read("mail.message", [("model", "=", "account.move"), ("res_id", "=", overdue_invoice["id"]),
                                              ("body", "ilike", f"AIOM-REF:{action.pk}")], ["body"])
    assert len(notes) == 1 and "Email sent by AIOM" in notes[0]["body"]
    assert ExecutionLog.objects.get(action=action).outcome == ActionStatus.EXECUTED


def test_duplicate_deliveries_to_two_workers_execute_each_action_once(connected_org, approver, overdue_invoice,
                                                                    smtp_server, start_worker):
    allow_bulk_email(connected_org)
    actions = [approved(connected_org, approver, reminder(overdue_invoice, checks=[])) for _ in range(12)]
    for action in actions:  # on top of the enqueue on approval: four deliveries of every action
        for _ in range(3):
            assert dispatch.enqueue(action.pk)
    start_worker()
    start_worker()

    ids = [action.pk for action in actions]
    wait_until(lambda: all_settled(ids), timeout=40, what="every action to settle")
    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    wait_until(lambda: queue.llen("celery") == 0 and queue.hlen("unacked") == 0, timeout=20,
               what="the workers to drain every duplicate delivery")

    assert set(Action.objects.filter(pk__in=ids).values_list("status", flat=True)) == {ActionStatus.EXECUTED}
    assert message_ids(smtp_server) == {message_id_of(action): 1 for action in actions}
    for action in actions:
        assert ExecutionLog.objects.filter(action=action).count() == 1
        assert ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.EXECUTED).count() == 1
