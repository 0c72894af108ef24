"""The state machine is the only way status changes: legal moves are audited, others change nothing."""

import itertools

import pytest

from actions import lifecycle, services
from actions.models import Action, ActionStatus, Approval
from aiom.errors import Conflict
from audit.models import ActionEvent
from audit.services import verify_chain

from .concurrency import run_together

LEGAL = sorted((source, target) for target, (sources, _) in lifecycle.TRANSITIONS.items() for source in sources)
ILLEGAL = sorted(set(itertools.product(ActionStatus.values, repeat=2)) - set(LEGAL))


def in_status(action: Action, status: str) -> Action:
    """Put `action` in `status` directly (test setup; the application never does this)."""
    Action.objects.filter(pk=action.pk).update(status=status)
    action.refresh_from_db()
    return action


def events_of(action: Action) -> list[ActionEvent]:
    return list(ActionEvent.objects.filter(action_id=action.pk).order_by("seq"))


def test_the_table_covers_exactly_the_known_states():
    assert set(lifecycle.TRANSITIONS) == set(ActionStatus.values)
    assert {source for source, _ in LEGAL} <= set(ActionStatus.values)


@pytest.mark.parametrize("source, target", LEGAL)
def test_legal_transition_updates_status_and_writes_one_event(make_action, source, target):
    action = in_status(make_action(), source)
    before = events_of(action)
    lifecycle.transition(action, target, reason="because the test says so", data={"attempt": 1})
    assert action.status == target
    assert Action.objects.get(pk=action.pk).status == target
    new = events_of(action)[len(before):]
    assert len(new) == 1
    assert new[0].event_type == lifecycle.TRANSITIONS[target][1]
    assert new[0].data == {"from": source, "to": target, "reason": "because the test says so", "attempt": 1}
    assert verify_chain(action.organization).ok


@pytest.mark.parametrize("source, target", ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(make_action, source, target):
    action = in_status(make_action(), source)
    before = events_of(action)
    with pytest.raises(lifecycle.InvalidTransition) as refused:
        lifecycle.transition(action, target)
    assert refused.value.extra == {"from": source, "to": target}
    assert action.status == source
    assert Action.objects.get(pk=action.pk).status == source
    assert events_of(action) == before


def test_unknown_target_status_is_refused(make_action):
    action = make_action()
    with pytest.raises(lifecycle.InvalidTransition, match="Unknown status"):
        lifecycle.transition(action, "teleported")
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL


def test_transition_from_a_stale_status_is_refused(make_action):
    action = make_action()
    stale = Action.objects.get(pk=action.pk)
    lifecycle.transition(action, ActionStatus.APPROVED)
    events = events_of(action)
    with pytest.raises(lifecycle.StaleTransition, match="already approved") as refused:
        lifecycle.transition(stale, ActionStatus.REJECTED, reason="too late")
    assert refused.value.extra == {"expected": ActionStatus.PENDING_APPROVAL, "current": ActionStatus.APPROVED}
    assert Action.objects.get(pk=action.pk).status == ActionStatus.APPROVED
    assert events_of(action) == events


def test_extra_fields_are_written_in_the_same_update(make_action):
    action = in_status(make_action(), ActionStatus.EXECUTING)
    lifecycle.transition(action, ActionStatus.EXECUTED, result={"message_id": "<1@example>"}, attempts=1)
    stored = Action.objects.get(pk=action.pk)
    assert (stored.status, stored.result, stored.attempts) == ("executed", {"message_id": "<1@example>"}, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_let_exactly_one_win(make_action, approver, second_approver):
    action = make_action()
    outcomes = run_together(
        lambda: services.approve(Action.objects.get(pk=action.pk), approver),
        lambda: services.approve(Action.objects.get(pk=action.pk), second_approver),
    )
    winners = [outcome for outcome in outcomes if isinstance(outcome, Action)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], Conflict) and "already approved" in str(losers[0])
    assert Approval.objects.filter(action_id=action.pk).count() == 1
    assert [e.event_type for e in events_of(action)] == ["created", "guardrail_decision", "approved"]  # notifying is a queued task
    assert Action.objects.get(pk=action.pk).status == ActionStatus.APPROVED
    assert verify_chain(action.organization).ok
