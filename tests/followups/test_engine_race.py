"""A person stops a follow-up while the engine's run is going over that customer: the stop
stands. The person's transaction holds the follow-up until the engine is seen waiting for it,
so the two meet in that order every time (polling for the wait, no fixed delay)."""

import threading
import time

from django.db import close_old_connections, connection, transaction

from followups import engine
from followups import services as followup_services
from followups.models import FollowUp, FollowUpStatus

from .conftest import EMMA


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # within a transaction the view is read once
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0] > 0


def test_a_stop_during_a_run_is_not_undone_by_the_run(transactional_db, chasing_org, odoo, approver):
    engine.tick(chasing_org, odoo)  # Emma's first level waits for approval
    follow_up = FollowUp.objects.get(organization=chasing_org, target_id=EMMA, status=FollowUpStatus.ACTIVE)
    failures = []

    def run():
        try:
            engine.tick(chasing_org, odoo)
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    with transaction.atomic():  # the person's stop, not yet committed
        followup_services.stop(follow_up, approver, reason="Agreed a payment plan by phone")
        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock():  # the run has reached Emma and waits for the stop
            assert runner.is_alive() and time.monotonic() < deadline, "the run never met the stop"
            time.sleep(0.02)
    runner.join(60)

    assert not failures
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.STOPPED
    assert follow_up.reason.startswith("Stopped by alice")
