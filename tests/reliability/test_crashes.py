"""Workers killed with SIGKILL: nothing approved is lost, nothing is sent or created twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actions import execution, operations, sweeper
from actions.models import Action, ActionStatus, LedgerStatus, OutboundRecord
from actions.types import ActionType
from tests.actions.protocols import protocol_for
from tests.execution.actions import reminder

from tests.processes import wait_until

from .support import SETTLED, all_settled, allow_bulk_email, approved, message_id_of, message_ids, statuses

pytestmark = pytest.mark.slow
BATCH = 200


def past_every_lease():
    """A sweeper's `now` after every claim taken so far has expired (the workers' leases are
    shorter than this process's, which uses the default time limit)."""
    return timezone.now() + timedelta(seconds=execution.lease_seconds() + 1)


def test_kill_9_mid_batch_loses_nothing_and_sends_nothing_twice(connected_org, approver, overdue_invoice,
                                                                smtp_server, start_worker):
    allow_bulk_email(connected_org)
    actions = [approved(connected_org, approver, reminder(overdue_invoice, checks=[])) for _ in range(BATCH)]
    ids = [action.pk for action in actions]
    worker = start_worker()
    wait_until(lambda: statuses(ids)[ActionStatus.EXECUTED] >= 20, timeout=30, what="20 reminders to go out")
    worker.kill()
    at_kill = statuses(ids)
    assert at_kill[ActionStatus.EXECUTED] < BATCH, "the worker finished before it could be killed"

    report = sweeper.sweep_and_enqueue(now=past_every_lease())  # what the sweeper finds once the leases expire
    start_worker()
    wait_until(lambda: all_settled(ids), timeout=45, what="every action to settle after the restart")

    final = statuses(ids)
    received = message_ids(smtp_server)
    lost = BATCH - sum(final[status] for status in SETTLED)
    duplicated = sum(count - 1 for count in received.values() if count > 1)
    unknown = [str(pk) for pk in Action.objects.filter(pk__in=ids, status=ActionStatus.OUTCOME_UNKNOWN)
               .values_list("pk", flat=True)]
    print(f"\nkill -9 after {at_kill[ActionStatus.EXECUTED]} of {BATCH} executed ({at_kill[ActionStatus.EXECUTING]} "
          f"executing); sweeper: {report}; final: {dict(final)}; received {sum(received.values())} messages; "
          f"lost={lost} duplicated={duplicated} outcome_unknown={unknown}")
    assert lost == 0 and duplicated == 0
    executed = Action.objects.filter(pk__in=ids, status=ActionStatus.EXECUTED)
    assert {received[message_id_of(action)] for action in executed} == {1}  # executed means sent, once
    not_sent = Action.objects.filter(pk__in=ids, status=ActionStatus.FAILED)
    assert {received[message_id_of(action)] for action in not_sent} <= {0}  # failed means nothing went out
    # The unknown ones were left alone after the crash: never sent by a second attempt.
    assert report.unknown == final[ActionStatus.OUTCOME_UNKNOWN]


def test_kill_after_odoo_create_before_commit_finds_the_created_task(connected_org, approver, odoo, start_worker):
    project_id = odoo.search("project.project", [], limit=1)[0]
    document = protocol_for(ActionType.CREATE_STAFF_TASK)
    document["operation"]["inputs"].update(project_id=project_id, assignee_user_ids=[], related_model=None,
                                           related_id=None)
    document["affected_records"] = {"odoo_model": "project.project", "odoo_ids": [project_id]}
    document["revalidation_plan"] = {"checks": [{"check_id": "project-exists", "predicate": {
        "type": "odoo_record_exists", "model": "project.project", "id": project_id}}]}
    action = approved(connected_org, approver, document)
    # A worker claimed it, committed its outbound record, Odoo created the task and sub-task,
    # and the worker died before recording it:
    claimed = execution._claim(action.pk, timezone.now())
    OutboundRecord.objects.create(organization=connected_org, action=claimed, key=f"{action.pk}:create_odoo_task",
                                  channel="odoo")
    first = operations.perform(operations.Context(organization=connected_org, action_id=action.pk,
                                                  protocol=claimed.parsed, odoo=odoo, retrying=False,
                                                  now=timezone.now()))
    task_id = first.external_ids["project.task"]

    report = sweeper.sweep_and_enqueue(now=past_every_lease())
    assert report.released == 1 and action.pk in report.due
    start_worker()
    wait_until(lambda: Action.objects.filter(pk=action.pk, status=ActionStatus.EXECUTED).exists(), timeout=30,
               what="the released action to run again")

    reference = f"AIOM-REF:{action.pk}"
    tasks = odoo.search_read("project.task", [("description", "ilike", reference)], ["parent_id"])
    assert sorted(task["id"] for task in tasks) == sorted([task_id, *first.external_ids["subtasks"]])
    action.refresh_from_db()
    assert action.result["external_ids"]["project.task"] == task_id
    assert "found from an earlier attempt" in action.result["summary"]
    assert OutboundRecord.objects.get(action=action).status == LedgerStatus.SENT
