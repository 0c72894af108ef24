"""Separation of duties: whoever asked for a high or critical action never approves it, nor does
their stand-in in their name; one person's approval is one approval, through a delegation too,
so a critical action still needs two different people."""

from datetime import date, datetime, timezone as dt_timezone

import pytest
import time_machine

from actions.models import Action, ActionStatus, Approval
from actions.policy import delegation
from actions.policy.approvers import may_approve, progress
from actions.services import approve
from aiom.errors import Conflict, NotAllowed
from aiom.models import Role

from .people import member, with_groups

#: 3 Dec 2026, 10:00 in Brussels: Dana is away, Lee stands in for her.
DURING = datetime(2026, 12, 3, 9, 0, tzinfo=dt_timezone.utc)


@pytest.fixture(autouse=True)
def _during_the_days_away():
    with time_machine.travel(DURING, tick=False):
        yield


@pytest.fixture
def sam(org):
    return member(org, "Sam", "Roe", role=Role.ADMIN)


@pytest.fixture
def away(org, dana, lee):
    return delegation.delegate(org, delegator=dana, delegate=lee, starts_on=date(2026, 12, 3),
                               ends_on=date(2026, 12, 10), actor=dana)


def status_of(action) -> str:
    return Action.objects.get(pk=action.pk).status


@pytest.mark.parametrize("risk", ["high", "critical"])
def test_the_proposer_of_a_high_or_critical_action_never_approves_it(make_action, dana, risk):
    action = make_action(risk_level=risk, created_by=f"user:{dana.pk}")
    with pytest.raises(NotAllowed, match="You asked for this action, and it is high risk"):
        may_approve(dana, action)
    with pytest.raises(NotAllowed, match="someone else must approve it"):
        approve(action, dana)
    assert not Approval.objects.filter(action=action).exists()


def test_the_proposer_of_a_medium_action_may_still_approve_it(make_action, dana):
    assert approve(make_action(created_by=f"user:{dana.pk}"), dana).status == ActionStatus.APPROVED


def test_a_stand_in_does_not_approve_in_the_proposers_name(make_action, away, dana, lee, sam):
    action = with_groups(make_action(risk_level="high", created_by=f"user:{dana.pk}"),
                         {"kind": "users", "users": [dana.pk, sam.pk], "count": 1})
    approve(action, lee)  # Lee may approve as himself: it counts as one approver, not as Dana
    assert status_of(action) == ActionStatus.PENDING_APPROVAL
    so_far = progress(Action.objects.get(pk=action.pk))
    assert so_far.given == 1
    assert list(so_far.missing) == ["one more approval from Dana Smith or Sam Roe (or whoever stands in for them)"]
    approve(action, sam)
    assert status_of(action) == ActionStatus.APPROVED


def test_a_stand_in_approves_in_the_name_of_someone_who_did_not_ask(make_action, away, dana, lee, sam):
    action = with_groups(make_action(risk_level="high", created_by=f"user:{sam.pk}"),
                         {"kind": "users", "users": [dana.pk]})
    approve(action, lee)
    assert status_of(action) == ActionStatus.APPROVED


def test_one_person_gives_one_approval_of_a_critical_action(make_action, approver, second_approver):
    action = make_action(risk_level="critical")
    approve(action, approver)
    with pytest.raises(Conflict, match="already decided"):
        approve(action, approver)
    assert status_of(action) == ActionStatus.PENDING_APPROVAL
    approve(action, second_approver)
    assert status_of(action) == ActionStatus.APPROVED


def test_standing_in_does_not_make_one_person_two_approvers(make_action, away, dana, lee, sam):
    """Lee approving for Dana is still Lee's one approval: the critical action needs a second person."""
    action = with_groups(make_action(risk_level="critical"), {"kind": "users", "users": [dana.pk]})
    approve(action, lee)
    so_far = progress(Action.objects.get(pk=action.pk))
    assert (status_of(action), so_far.given, list(so_far.missing)) == (
        ActionStatus.PENDING_APPROVAL, 1, ["one more approver"])
    with pytest.raises(Conflict, match="already decided"):
        approve(action, lee)
    approve(action, sam)
    assert status_of(action) == ActionStatus.APPROVED
    assert set(Approval.objects.filter(action=action).values_list("user", flat=True)) == {lee.pk, sam.pk}


def test_one_stand_in_for_two_people_fills_one_place(make_action, org, away, dana, lee, sam):
    kim = member(org, "Kim", "Park")
    delegation.delegate(org, delegator=kim, delegate=lee, starts_on=date(2026, 12, 3), ends_on=date(2026, 12, 4),
                        actor=kim)
    action = with_groups(make_action(), {"kind": "users", "users": [dana.pk, kim.pk], "quorum": "all"})
    approve(action, lee)
    so_far = progress(Action.objects.get(pk=action.pk))
    assert status_of(action) == ActionStatus.PENDING_APPROVAL and len(so_far.missing) == 1
    approve(action, kim)
    assert status_of(action) == ActionStatus.APPROVED


def test_naming_people_does_not_stop_others_approving(make_action, dana, lee):
    action = with_groups(make_action(), {"kind": "users", "users": [dana.pk]})
    approve(action, lee)  # no delegation: recorded, but Dana is still asked for
    assert status_of(action) == ActionStatus.PENDING_APPROVAL
    assert Approval.objects.filter(action=action, user=lee).exists()
    approve(action, dana)
    assert status_of(action) == ActionStatus.APPROVED


def test_a_viewer_or_another_organisations_member_never_approves(make_action, viewer, outsider):
    action = make_action()
    for user in (viewer, outsider):
        with pytest.raises(NotAllowed):
            may_approve(user, action)
