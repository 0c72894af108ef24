"""The send delay on real services (the Odoo sandbox, an SMTP server, the executor): a message
undone within the delay is never sent; after the delay Undo is refused and the executor sends
it once; with no delay it goes at approval, as before."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actions import guardrails, lifecycle, services
from actions.models import Action, ActionStatus
from audit.services import SYSTEM, verify_chain

from .actions import reminder


def _delay(org, seconds):
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, send_delay_seconds=seconds)


def _approved(org, approver, document):
    return services.approve(services.propose(org, document, source="analyzer"), approver)


def _time_passes(action):
    """The delay runs out (as if the minutes had gone by)."""
    Action.objects.filter(pk=action.pk).update(not_before=timezone.now() - timedelta(seconds=1))


def test_undo_within_the_delay_sends_nothing_and_it_needs_a_new_approval(connected_org, approver, smtp,
                                                                         overdue_invoice):
    _delay(connected_org, 120)
    action = _approved(connected_org, approver, reminder(overdue_invoice))

    assert services.execute(action.pk).status == ActionStatus.APPROVED  # the worker woken early does nothing
    assert smtp.received == []

    undone = services.undo_send(Action.objects.get(pk=action.pk), user=approver)
    assert undone.status == ActionStatus.PENDING_APPROVAL
    _time_passes(action)
    assert services.execute(action.pk).status == ActionStatus.PENDING_APPROVAL
    assert smtp.received == [] and not hasattr(Action.objects.get(pk=action.pk), "outbound")

    again = services.approve(Action.objects.get(pk=action.pk), approver, protocol_hash=action.protocol_hash)
    assert again.status == ActionStatus.APPROVED and again.send_delay_left() is not None
    _time_passes(again)
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert len(smtp.received) == 1
    assert verify_chain(connected_org).ok


def test_after_the_delay_undo_is_refused_and_the_executor_sends_once(connected_org, approver, smtp, overdue_invoice):
    _delay(connected_org, 120)
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    _time_passes(action)

    with pytest.raises(lifecycle.InvalidTransition, match="Too late to undo"):
        services.undo_send(Action.objects.get(pk=action.pk), user=approver)

    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert services.execute(action.pk).status == ActionStatus.EXECUTED  # a second delivery finds nothing to do
    assert len(smtp.received) == 1
    with pytest.raises(lifecycle.InvalidTransition, match="Too late to undo: this action is already executed"):
        services.undo_send(Action.objects.get(pk=action.pk), user=approver)


def test_with_no_delay_the_message_is_sent_at_approval(connected_org, approver, smtp, overdue_invoice):
    _delay(connected_org, 0)
    action = _approved(connected_org, approver, reminder(overdue_invoice))

    assert action.not_before is None
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert len(smtp.received) == 1
