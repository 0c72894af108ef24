"""Two sweepers at once (beat overlapping a manual `dispatch_actions`): each stuck action is
recovered exactly once, and the audit trail shows one recovery per action."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actions import execution, services, sweeper
from actions.models import Action, ActionStatus, OutboundRecord
from actions.types import ActionType
from audit.models import ActionEvent, EventType
from audit.services import verify_chain
from tests.actions.concurrency import run_together
from tests.actions.protocols import protocol_for


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_recover_each_stuck_action_once(org, approver):
    stuck_internal, stuck_emails = [], []
    for index in range(6):
        kind = ActionType.NOTE_ON_RECORD if index % 2 else ActionType.SEND_INVOICE_REMINDER
        action = services.approve(services.propose(org, protocol_for(kind), source="analyzer"), approver)
        claimed = execution._claim(action.pk, timezone.now())
        if kind == ActionType.SEND_INVOICE_REMINDER:  # died mid-send
            OutboundRecord.objects.create(organization=org, action=claimed, key=f"{action.pk}:send_email",
                                          channel="email", partner_id=claimed.partner_id)
            stuck_emails.append(action.pk)
        else:  # died before any outside effect
            stuck_internal.append(action.pk)
    later = timezone.now() + timedelta(seconds=execution.lease_seconds() + 1)

    first, second = run_together(lambda: sweeper.sweep(now=later), lambda: sweeper.sweep(now=later))

    assert first.released + second.released == len(stuck_internal)
    assert first.unknown + second.unknown == len(stuck_emails)
    statuses = dict(Action.objects.values_list("pk", "status"))
    assert {statuses[pk] for pk in stuck_internal} == {ActionStatus.APPROVED}
    assert {statuses[pk] for pk in stuck_emails} == {ActionStatus.OUTCOME_UNKNOWN}
    for pk in stuck_internal:
        assert ActionEvent.objects.filter(action_id=pk, event_type=EventType.REQUEUED).count() == 1
    for pk in stuck_emails:
        assert ActionEvent.objects.filter(action_id=pk, event_type=EventType.OUTCOME_UNKNOWN).count() == 1
    assert verify_chain(org).ok
