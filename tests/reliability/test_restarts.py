"""Restarts: a worker stopped politely, Redis restarted empty, PostgreSQL dropping its
connections mid-task or down during an approval. Each time nothing approved is lost, nothing
is sent twice, and what cannot be known is said (restarts and outages of each service).

Redis and PostgreSQL outages are caused on the test's own instances and sessions only
(`services.py`); the machine's servers keep running.
"""

import os
import signal
import time

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from actions import services, sweeper
from actions.tokens import make_token
from actions.models import Action, ActionStatus, Approval, Decision, UsedApprovalLink
from actions.types import ActionType
from audit.models import ActionEvent
from tests.actions.protocols import protocol_for
from tests.approvals.pages import decision_form
from tests.execution.actions import reminder
from tests.fixtures.workers import Worker
from tests.processes import wait_until

from .services import PrivateRedis, database_unreachable, end_other_sessions
from .support import (APPROVE, SETTLED, SWEEP, all_settled, allow_bulk_email, approved, duplicated, ids_with,
                      message_id_of, message_ids, queued_executions, run_aiom, statuses)
from .test_crashes import past_every_lease

pytestmark = pytest.mark.slow
S = ActionStatus


def test_warm_shutdown_mid_batch_finishes_what_it_started_and_the_next_worker_does_the_rest(
        connected_org, approver, overdue_invoice, smtp_server, start_worker):
    allow_bulk_email(connected_org)
    actions = [approved(connected_org, approver, reminder(overdue_invoice, checks=[])) for _ in range(30)]
    ids = [action.pk for action in actions]
    smtp_server.delay = 0.3
    worker = start_worker(concurrency=2)

    def sending():
        return statuses(ids)[S.EXECUTED] >= 2 and ids_with(ids, S.EXECUTING)

    in_flight = wait_until(sending, timeout=30, what="the worker to be sending reminders")
    os.kill(worker.process.pid, signal.SIGTERM)  # the main process only, as `docker stop` and systemd do
    assert worker.process.wait(timeout=30) == 0, worker.log()

    at_exit = statuses(ids)
    assert "Warm shutdown" in worker.log()
    assert at_exit[S.EXECUTING] == 0, "the worker left an execution half-done"
    assert in_flight <= ids_with(ids, S.EXECUTED)  # what it had started, it finished
    assert 0 < at_exit[S.APPROVED], "the worker finished the batch before it was stopped"
    assert queued_executions(redis.Redis.from_url(settings.CELERY_BROKER_URL)) == {
        str(pk): 1 for pk in ids_with(ids, S.APPROVED)}  # the rest went back to the queue, once each

    start_worker(concurrency=2)
    wait_until(lambda: statuses(ids)[S.EXECUTED] == len(ids), timeout=45, what="the new worker to finish the batch")
    report = sweeper.sweep_and_enqueue()
    assert (report.due, report.released, report.unknown) == ([], 0, 0)
    assert message_ids(smtp_server) == {message_id_of(action): 1 for action in actions}
    print(f"\nSIGTERM after {len(ids) - at_exit[S.APPROVED]} of {len(ids)}; {len(in_flight)} in flight finished; "
          f"{at_exit[S.APPROVED]} waiting in the queue; lost=0 duplicated=0")


def test_redis_killed_with_100_tasks_queued_the_sweeper_runs_each_once(
        connected_org, approver, overdue_invoice, smtp_server, process_env):
    allow_bulk_email(connected_org)
    actions = [services.propose(connected_org, reminder(overdue_invoice, checks=[]), source="analyzer")
               for _ in range(100)]
    ids = [action.pk for action in actions]
    with PrivateRedis() as broker:
        env = {**process_env, "CELERY_BROKER_URL": broker.url()}
        run_aiom(env, APPROVE, str(approver.pk), *map(str, ids))  # the web server, no worker running
        assert statuses(ids) == {S.APPROVED: len(ids)}
        assert queued_executions(broker.client()) == {str(pk): 1 for pk in ids}

        broker.kill()  # kill -9, no persistence: every queued task is gone
        broker.start()
        assert broker.client().llen("celery") == 0

        worker = Worker(env, concurrency=4)
        try:
            worker.wait_ready()
            assert run_aiom(env, SWEEP).stdout.strip() == str(len(ids))  # the beat sweeper, from PostgreSQL
            wait_until(lambda: statuses(ids)[S.EXECUTED] == len(ids), timeout=60,
                       what="every swept action to run")
            assert run_aiom(env, SWEEP).stdout.strip() == "0"
        finally:
            worker.stop()

    received = message_ids(smtp_server)
    assert received == {message_id_of(action): 1 for action in actions}
    print(f"\nRedis killed with {len(ids)} queued; swept and executed {len(ids)}; lost=0 "
          f"duplicated={duplicated(received)}")


def test_database_sessions_ended_mid_batch_every_action_settles_and_nothing_is_sent_twice(
        connected_org, approver, overdue_invoice, smtp_server, start_worker):
    allow_bulk_email(connected_org)
    actions = [approved(connected_org, approver, reminder(overdue_invoice, checks=[])) for _ in range(40)]
    ids = [action.pk for action in actions]
    smtp_server.delay = 0.2
    start_worker(concurrency=4)
    wait_until(lambda: statuses(ids)[S.EXECUTED] >= 4, timeout=30, what="the first reminders to go out")

    ended = 0
    for _ in range(3):  # PostgreSQL restarting: every session ends, a few times over 1.5 s
        ended += end_other_sessions()
        time.sleep(0.5)
    assert ended > 0, "no worker session was connected"

    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    wait_until(lambda: queue.llen("celery") == 0 and queue.hlen("unacked") == 0, timeout=45,
               what="the worker to go through every task it was given")
    stranded = statuses(ids)
    report = sweeper.sweep_and_enqueue(now=past_every_lease())  # once the interrupted claims expire
    wait_until(lambda: all_settled(ids), timeout=45, what="every action to settle after the sweep")

    final = statuses(ids)
    received = message_ids(smtp_server)
    lost = len(ids) - sum(final[status] for status in SETTLED)
    unknown = ids_with(ids, S.OUTCOME_UNKNOWN)
    print(f"\nended {ended} sessions; stranded after the outage: {dict(stranded)}; sweeper: {report}; "
          f"final: {dict(final)}; received {sum(received.values())} messages; lost={lost} "
          f"duplicated={duplicated(received)} outcome_unknown={sorted(map(str, unknown))}")
    assert lost == 0
    assert duplicated(received) == 0
    executed, failed = ids_with(ids, S.EXECUTED), ids_with(ids, S.FAILED)
    assert {received[message_id_of(action)] for action in actions if action.pk in executed} == {1}
    # "Failed" tells a person nothing went out, and offers a retry: it must be true.
    sent_yet_failed = [str(action.pk) for action in actions if action.pk in failed and received[message_id_of(action)]]
    assert sent_yet_failed == []


def dashboard_form(client, action, approver):
    client.force_login(approver)
    return reverse("dashboard:approve", args=[action.pk]), {"protocol_hash": action.protocol_hash}


def approval_link_form(client, action, approver):
    page = client.get(reverse("approval-link", args=[make_token(action, approver, Decision.APPROVE)]))
    return reverse("approval-link-decide"), decision_form(page.content.decode())


def everything_about(action) -> tuple:
    return (Action.objects.values().get(pk=action.pk), Approval.objects.filter(action=action).count(),
            UsedApprovalLink.objects.filter(action=action).count(), ActionEvent.objects.count())


@pytest.mark.parametrize("open_form", [dashboard_form, approval_link_form], ids=["dashboard", "approval-link"])
def test_database_down_during_an_approval_post_answers_503_and_the_same_post_works_afterwards(
        transactional_db, org, approver, broker, open_form, caplog):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    client = Client()
    url, form = open_form(client, action, approver)  # the page was loaded while the database was up
    before = everything_about(action)
    queue = redis.Redis.from_url(broker)
    queued = queue.llen("celery")  # the approval request notification

    with database_unreachable():
        response = client.post(url, form)

    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "AIOM cannot reach its database right now; nothing was changed." in response.content.decode()
    assert f"database unavailable during POST {url}" in caplog.text
    assert everything_about(action) == before
    assert queue.llen("celery") == queued  # no worker was woken

    assert client.post(url, form).status_code < 400  # the same click, once PostgreSQL is back
    action.refresh_from_db()
    assert action.status == S.APPROVED
    assert Approval.objects.filter(action=action).count() == 1
    assert queue.llen("celery") == queued + 1
