"""Load with chaos: 1,000 approved reminders executed by a pool of
workers while workers are `kill -9`-ed at random, Redis is killed and restarted empty, and
every PostgreSQL session of the workers is ended (a database restart, as they see it).

Pass criteria: lost = 0 (every action settles), duplicated = 0 (no message accepted twice by
the SMTP server), and the actions whose outcome cannot be known are listed, not guessed.
"""

import random
import time

import pytest

from actions import services
from actions.models import Action
from tests.execution.actions import reminder
from tests.fixtures.workers import Worker
from tests.processes import wait_until

from .services import PrivateRedis, end_other_sessions
from .support import (APPROVE, SETTLED, SWEEP, S, allow_bulk_email, duplicated, ids_with, message_id_of, message_ids,
                      run_aiom, statuses)

pytestmark = pytest.mark.slow

ACTIONS = 1_000
WORKERS = 3
CONCURRENCY = 3

#: The beat sweeper, run once every worker is stopped: every lease taken so far has ended.
SWEEP_AFTER_EVERY_LEASE = """
from datetime import timedelta
from django.utils import timezone
from actions import execution, sweeper
report = sweeper.sweep_and_enqueue(now=timezone.now() + timedelta(seconds=execution.lease_seconds() + 1))
print(len(report.due), report.released, report.unknown)
"""


def test_1000_actions_through_worker_kills_a_redis_restart_and_a_database_restart(
        connected_org, approver, overdue_invoice, smtp_server, process_env):
    allow_bulk_email(connected_org)
    ids = [services.propose(connected_org, reminder(overdue_invoice, checks=[]), source="analyzer").pk
           for _ in range(ACTIONS)]
    chaos = random.Random(24)
    started = time.monotonic()
    events = []
    with PrivateRedis() as broker:
        env = {**process_env, "CELERY_BROKER_URL": broker.url()}
        run_aiom(env, APPROVE, str(approver.pk), *map(str, ids))  # the web server: 1,000 tasks queued
        events.append(f"approved {ACTIONS} in {time.monotonic() - started:.0f} s")
        smtp_server.delay = 0.05  # a mail server's pace, so the chaos lands mid-batch
        workers = [Worker(env, CONCURRENCY) for _ in range(WORKERS)]
        try:

            def executed() -> int:
                return statuses(ids)[S.EXECUTED]

            for step, at in enumerate((100, 250, 400, 550, 700)):
                wait_until(lambda: executed() >= at, timeout=120, interval=0.2, what=f"{at} actions executed")
                victim = chaos.randrange(len(workers))
                workers[victim].kill()
                workers[victim] = Worker(env, CONCURRENCY)
                events.append(f"kill -9 worker at {executed()}")
                if step == 1:
                    broker.kill()  # kill -9, no persistence: the queue and every unacked task are gone
                    for worker in workers:
                        worker.kill()
                    broker.start()
                    workers = [Worker(env, CONCURRENCY) for _ in range(WORKERS)]
                    run_aiom(env, SWEEP)
                    events.append(f"Redis killed and restarted empty at {executed()}, sweeper run")
                if step == 3:
                    ended = 0
                    for _ in range(3):  # a restart: every session ends, a few times over a second
                        ended += end_other_sessions()
                        time.sleep(0.3)
                    events.append(f"{ended} database sessions ended at {executed()}")

            last = {}

            def drained() -> bool:
                """Nothing left in the queue and nothing changed in the last two seconds (a
                killed worker's claims stay `executing` until their lease ends)."""
                now = statuses(ids)
                quiet = broker.client().llen("celery") == 0 and now == last.get("statuses")
                last["statuses"] = now
                return quiet

            wait_until(drained, timeout=180, interval=2, what="the workers to go through every task")
            for _ in range(5):  # workers stopped, so every claim still open was abandoned
                for worker in workers:
                    worker.stop()
                due, released, unknown = map(int, run_aiom(env, SWEEP_AFTER_EVERY_LEASE).stdout.split())
                events.append(f"sweeper: {due} due, {released} released, {unknown} unknown")
                if not due:
                    break
                workers = [Worker(env, CONCURRENCY)]
                wait_until(drained, timeout=120, interval=2, what="the swept actions to run")
        finally:
            for worker in workers:
                worker.stop()

    final = statuses(ids)
    received = message_ids(smtp_server)
    lost = ACTIONS - sum(final[status] for status in SETTLED)
    unknown = sorted(map(str, ids_with(ids, S.OUTCOME_UNKNOWN)))
    events.append(f"all settled after {time.monotonic() - started:.0f} s")
    print(f"\n{'; '.join(events)}\nfinal: {dict(final)}; received {sum(received.values())} messages; "
          f"lost={lost} duplicated={duplicated(received)} outcome_unknown={len(unknown)} {unknown}")
    assert lost == 0, dict(final)
    assert duplicated(received) == 0
    actions = Action.objects.in_bulk(ids)
    assert {received[message_id_of(actions[pk])] for pk in ids_with(ids, S.EXECUTED)} == {1}  # sent, once
    assert {received[message_id_of(actions[pk])] for pk in ids_with(ids, S.FAILED)} <= {0}  # nothing went out
