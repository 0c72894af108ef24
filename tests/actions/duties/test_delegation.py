"""Standing in: while Dana is away (her days, in the organisation's time zone, both ends
included) Lee's approval counts where Dana is asked for by name; before, after, or once revoked,
it does not. Every change is in the audit log."""

from datetime import date, datetime, timezone as dt_timezone

import pytest
import time_machine

from actions.models import Action, ActionStatus, Approval, Decision, GuardrailPolicy
from actions.policy import delegation
from actions.policy.approvers import progress, stand_in_lines
from actions.services import approve
from aiom.errors import ApplicationError, Conflict, NotAllowed
from aiom.models import Role
from audit.models import ActionEvent, EventType

from .people import member, with_groups

#: 09:00 in Brussels on 1 Dec 2026: Dana's time off is planned from here.
PLANNING = datetime(2026, 12, 1, 8, 0, tzinfo=dt_timezone.utc)
FIRST, LAST = date(2026, 12, 3), date(2026, 12, 10)


@pytest.fixture
def away(org, dana, lee):
    """Lee stands in for Dana from 3 to 10 December."""
    with time_machine.travel(PLANNING, tick=False):
        return delegation.delegate(org, delegator=dana, delegate=lee, starts_on=FIRST, ends_on=LAST,
                                   reason="Holiday", actor=dana)


@pytest.fixture
def needs_dana(make_action, dana):
    with time_machine.travel(PLANNING, tick=False):
        return with_groups(make_action(), {"kind": "users", "users": [dana.pk]})


def approved_by(action, user):
    Approval.objects.create(action=action, user=user, decision=Decision.APPROVE, protocol_hash=action.protocol_hash)
    return action


@pytest.mark.parametrize("day, counts", [
    (date(2026, 12, 2), False), (FIRST, True), (LAST, True), (date(2026, 12, 11), False),
])
def test_a_stand_in_counts_on_the_days_away_only(away, needs_dana, lee, day, counts):
    approved_by(needs_dana, lee)
    assert progress(needs_dana, on_date=day).complete is counts
    assert (delegation.active_for(needs_dana.organization, away.delegator, day) == away) is counts


@pytest.mark.parametrize("moment, counts", [
    (datetime(2026, 12, 2, 22, 59, tzinfo=dt_timezone.utc), False),  # 23:59 on 2 Dec in Brussels
    (datetime(2026, 12, 2, 23, 0, tzinfo=dt_timezone.utc), True),  # midnight: 3 Dec in Brussels, 2 Dec in UTC
    (datetime(2026, 12, 10, 22, 59, tzinfo=dt_timezone.utc), True),  # the last minute of 10 Dec
    (datetime(2026, 12, 10, 23, 0, tzinfo=dt_timezone.utc), False),
])
def test_days_follow_the_organisations_clock(away, needs_dana, lee, moment, counts):
    approved_by(needs_dana, lee)
    with time_machine.travel(moment, tick=False):
        assert progress(needs_dana).complete is counts


def test_the_policy_time_zone_wins_over_the_organisations(org, away, needs_dana, lee):
    GuardrailPolicy.objects.filter(organization=org).update(timezone="America/New_York")
    approved_by(needs_dana, lee)
    action = Action.objects.select_related("organization__guardrail_policy").get(pk=needs_dana.pk)
    with time_machine.travel(datetime(2026, 12, 3, 1, 0, tzinfo=dt_timezone.utc), tick=False):  # 20:00 on 2 Dec there
        assert not progress(action).complete
    with time_machine.travel(datetime(2026, 12, 3, 5, 0, tzinfo=dt_timezone.utc), tick=False):
        assert progress(action).complete


def test_a_revoked_delegation_stops_counting(away, needs_dana, lee, dana):
    approved_by(needs_dana, lee)
    assert progress(needs_dana, on_date=FIRST).complete
    with time_machine.travel(datetime(2026, 12, 4, 8, 0, tzinfo=dt_timezone.utc), tick=False):
        delegation.revoke(away, dana)
    assert not progress(needs_dana, on_date=date(2026, 12, 5)).complete
    assert delegation.active_for(needs_dana.organization, dana, date(2026, 12, 5)) is None


def test_approving_as_a_stand_in_approves_the_action(away, needs_dana, lee):
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=dt_timezone.utc), tick=False):
        waiting = approve(needs_dana, lee)  # Dana is not away yet: Lee's approval is recorded, nothing more
    assert waiting.status == ActionStatus.PENDING_APPROVAL
    event = ActionEvent.objects.filter(action_id=needs_dana.pk, event_type=EventType.APPROVED).last()
    assert event.data["missing"] == ["Dana Smith's approval (or whoever stands in for them)"]


def test_approving_during_the_days_away(org, away, dana, lee, make_action):
    with time_machine.travel(datetime(2026, 12, 4, 9, 0, tzinfo=dt_timezone.utc), tick=False):
        action = with_groups(make_action(), {"kind": "users", "users": [dana.pk]})
        assert stand_in_lines(action) == ["Lee Chan stands in for Dana Smith until 10 Dec."]
        assert approve(action, lee).status == ActionStatus.APPROVED
    last = ActionEvent.objects.filter(action_id=action.pk).last()
    assert (last.data["to"], last.data["approvals"], last.data["missing"]) == ("approved", 1, [])


def test_every_change_is_audited(org, away, dana):
    made = ActionEvent.objects.get(organization=org, event_type=EventType.POLICY_CHANGED)
    assert made.data["delegation"] == "Dana Smith → Lee Chan, 3–10 Dec"
    assert made.actor == f"user:{dana.pk} {dana.username}" and made.data["reason"] == "Holiday"
    with time_machine.travel(PLANNING, tick=False):
        delegation.revoke(away, dana)
    revoked = ActionEvent.objects.filter(organization=org, event_type=EventType.POLICY_CHANGED).last()
    assert (revoked.data["delegation"], revoked.data["change"]) == ("Dana Smith → Lee Chan, 3–10 Dec",
                                                                    "delegation revoked")
    with pytest.raises(Conflict, match="already revoked"):
        delegation.revoke(away, dana)


def set_up(org, actor, delegator, delegate, first=FIRST, last=LAST):
    with time_machine.travel(PLANNING, tick=False):
        return delegation.delegate(org, delegator=delegator, delegate=delegate, starts_on=first, ends_on=last,
                                   reason="", actor=actor)


def test_overlapping_days_are_refused_with_the_days_already_taken(org, away, dana):
    sam = member(org, "Sam", "Roe")
    with pytest.raises(Conflict, match="Lee Chan already stands in for Dana Smith on 3–10 Dec"):
        set_up(org, dana, dana, sam, date(2026, 12, 10), date(2026, 12, 12))
    assert set_up(org, dana, dana, sam, date(2026, 12, 11), date(2026, 12, 12)).delegate == sam


def test_after_a_revoke_the_days_are_free_again(org, away, dana):
    with time_machine.travel(PLANNING, tick=False):
        delegation.revoke(away, dana)
    assert set_up(org, dana, dana, member(org, "Sam", "Roe")).starts_on == FIRST


@pytest.mark.parametrize("first, last, message", [
    (date(2026, 12, 5), date(2026, 12, 4), "last day cannot be before the first"),
    (date(2026, 11, 30), date(2026, 12, 4), "first day cannot be in the past"),
])
def test_days_must_make_sense(org, dana, lee, first, last, message):
    with pytest.raises(ApplicationError, match=message):
        set_up(org, dana, dana, lee, first, last)


def test_today_may_be_the_first_day(org, dana, lee):
    assert set_up(org, dana, dana, lee, date(2026, 12, 1), date(2026, 12, 1)).ends_on == date(2026, 12, 1)


def test_only_deciding_members_stand_in(org, dana, viewer, outsider):
    with pytest.raises(ApplicationError, match="cannot stand in"):
        set_up(org, dana, dana, viewer)
    with pytest.raises(ApplicationError, match="cannot stand in"):
        set_up(org, dana, dana, outsider)
    with pytest.raises(ApplicationError, match="someone else"):
        set_up(org, dana, dana, dana)


def test_people_set_their_own_and_admins_anyone(org, dana, lee, viewer):
    with pytest.raises(NotAllowed, match="Only an admin"):
        set_up(org, lee, dana, lee)
    with pytest.raises(NotAllowed):
        set_up(org, viewer, dana, lee)
    ada = member(org, "Ada", "King", role=Role.ADMIN)
    made = set_up(org, ada, dana, lee)
    assert (made.delegator, made.created_by) == (dana, ada)


def test_a_member_of_another_organisation_sets_nothing_here(org, dana, lee, outsider):
    with pytest.raises(NotAllowed):
        set_up(org, outsider, dana, lee)


def test_revoking_is_for_the_people_named_or_an_admin(org, away):
    with pytest.raises(NotAllowed):
        with time_machine.travel(PLANNING, tick=False):
            delegation.revoke(away, member(org, "Sam", "Roe"))
    with time_machine.travel(PLANNING, tick=False):
        assert delegation.revoke(away, away.delegate).revoked_at is not None
