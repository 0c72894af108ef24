"""Earned autonomy: a kind of action people keep approving unchanged is suggested to run by
itself; an admin decides; any rejection, edit, failure or complaint puts it back under approval."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from actions import editing, services
from actions.models import ActionStatus, GuardrailPolicy
from actions.policy import autonomy
from actions.policy.models import AutonomyStatus, AutonomyTrack
from aiom.errors import NotAllowed
from audit.models import ActionEvent, EventType
from followups import delivery

from ..protocols import EMAIL, PARTNER_ID

STREAK = 5
#: An internal medium-risk type with no amount: only people (or a grant) let it run.
STAFF_TASK = "create_staff_task"


@pytest.fixture
def policy(org):
    GuardrailPolicy.objects.filter(organization=org).update(autonomy_streak=STREAK, autonomy_days=30)
    return GuardrailPolicy.objects.get(organization=org)


@pytest.fixture
def propose(make_action, policy):
    def make(action_type=STAFF_TASK, **overrides):
        return make_action(action_type, estimated_impact=None, **overrides)
    return make


def approve_many(propose, approver, count, action_type=STAFF_TASK, **overrides):
    return [services.approve(propose(action_type, **overrides), approver) for _ in range(count)]


def track_of(org, action_type=STAFF_TASK) -> AutonomyTrack:
    return AutonomyTrack.objects.get(organization=org, action_type=action_type)


def autonomy_words(org) -> list[str]:
    return [event.data["autonomy"] for event in ActionEvent.objects.filter(
        organization=org, event_type=EventType.POLICY_CHANGED).order_by("seq") if "autonomy" in event.data]


@pytest.fixture
def active(org, propose, approver, admin_member):
    approve_many(propose, approver, STREAK)
    return autonomy.accept(track_of(org), admin_member)


def test_suggested_after_exactly_the_streak_not_one_before(org, propose, approver):
    approve_many(propose, approver, STREAK - 1)
    assert track_of(org).status == AutonomyStatus.COUNTING and track_of(org).streak == STREAK - 1
    assert autonomy_words(org) == []

    approve_many(propose, approver, 1)
    track = track_of(org)
    assert track.status == AutonomyStatus.SUGGESTED and track.suggested_at is not None
    assert autonomy_words(org) == [f"AIOM suggests running Staff tasks (medium risk) automatically: {STREAK} "
                                   "approvals in a row without a change."]


def test_an_edit_in_between_starts_the_count_again(org, propose, approver):
    approve_many(propose, approver, STREAK - 1)
    edited = propose()
    edited = editing.edit(edited, approver, inputs={"name": "Call the customer today"},
                          protocol_hash=edited.protocol_hash)
    assert track_of(org).streak == 0
    services.approve(edited, approver)
    assert track_of(org).streak == 0
    approve_many(propose, approver, STREAK - 1)
    assert track_of(org).status == AutonomyStatus.COUNTING
    approve_many(propose, approver, 1)
    assert track_of(org).status == AutonomyStatus.SUGGESTED


def test_a_rejection_resets_the_count(org, propose, approver):
    approve_many(propose, approver, STREAK - 1)
    services.reject(propose(), approver, reason="Wrong project")
    approve_many(propose, approver, 1)
    assert track_of(org).streak == 1 and track_of(org).status == AutonomyStatus.COUNTING


def test_an_accepted_grant_lets_the_kind_run_by_itself_until_it_expires(org, propose, approver, admin_member):
    approve_many(propose, approver, STREAK)
    track = autonomy.accept(track_of(org), admin_member)
    assert track.status == AutonomyStatus.ACTIVE and track.decided_by == admin_member
    assert track.active_until == track.decided_at + timedelta(days=30)
    assert "ada let Staff tasks (medium risk) run automatically until" in autonomy_words(org)[-1]

    assert autonomy.grant_for(org, propose().parsed) == track
    runs = propose()
    assert runs.status == ActionStatus.APPROVED and not runs.requires_approval

    with time_machine.travel(timezone.now() + timedelta(days=29, hours=23)):
        assert autonomy.grant_for(org, propose().parsed) is not None
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert autonomy.grant_for(org, propose().parsed) is None
        assert propose().status == ActionStatus.PENDING_APPROVAL
    track.refresh_from_db()
    assert track.status == AutonomyStatus.COUNTING and track.streak == 0
    assert "ended on" in autonomy_words(org)[-1]


def test_a_grant_is_for_its_own_class_only(org, propose, approver, active):
    """The class is the type, template and final risk: a staff task declared low is raised to
    medium and runs; a high-risk one, or another type, waits for a person."""
    assert propose(risk_level="low").status == ActionStatus.APPROVED
    assert propose(risk_level="high").status == ActionStatus.PENDING_APPROVAL
    assert propose("create_requested_task").status == ActionStatus.PENDING_APPROVAL
    assert autonomy.grant_for(org, propose(risk_level="high").parsed) is None


@pytest.fixture
def waiting_then_active(org, propose, approver, admin_member):
    """One action still waiting from before an admin accepted the grant, and the grant."""
    approve_many(propose, approver, STREAK)
    waiting = propose()
    return waiting, autonomy.accept(track_of(org), admin_member)


def test_one_rejection_sends_an_active_kind_back_to_approval(org, propose, approver, waiting_then_active):
    waiting, _ = waiting_then_active
    assert propose().status == ActionStatus.APPROVED  # runs by itself while granted
    services.reject(waiting, approver, reason="Not this week")
    track = track_of(org)
    assert track.status == AutonomyStatus.DEMOTED and track.streak == 0
    assert track.last_change.startswith("Back to approval: an action of this kind was rejected")
    assert autonomy_words(org)[-1] == track.last_change
    assert propose().status == ActionStatus.PENDING_APPROVAL


def test_an_edit_sends_an_active_kind_back_to_approval(org, propose, approver, waiting_then_active):
    waiting, _ = waiting_then_active
    editing.edit(waiting, approver, inputs={"name": "Call them on Monday"}, protocol_hash=waiting.protocol_hash)
    track = track_of(org)
    assert track.status == AutonomyStatus.DEMOTED
    assert "changed before approval" in track.last_change and "changed before approval" in autonomy_words(org)[-1]
    assert propose().status == ActionStatus.PENDING_APPROVAL


def test_a_failure_sends_an_active_kind_back_to_approval(org, propose, active):
    ran = propose()
    autonomy.record_failed(ran)
    track = track_of(org)
    assert track.status == AutonomyStatus.DEMOTED and "failed" in track.last_change
    assert autonomy.grant_for(org, propose().parsed) is None


def test_a_spam_complaint_sends_the_emails_that_reached_the_customer_back_to_approval(
        org, policy, propose, approver, admin_member):
    GuardrailPolicy.objects.filter(pk=policy.pk).update(allow_external_auto_execute=True)
    sent = approve_many(propose, approver, STREAK, "send_invoice_reminder")
    email_track = autonomy.accept(track_of(org, "send_invoice_reminder"), admin_member)
    approve_many(propose, approver, STREAK)
    task_track = autonomy.accept(track_of(org), admin_member)

    delivery.record(org, source="smtp2go", event_id="spam-1", kind="spam", address=EMAIL,
                    occurred_at=timezone.now(), action=sent[-1])
    email_track.refresh_from_db()
    task_track.refresh_from_db()
    assert email_track.status == AutonomyStatus.DEMOTED
    assert "a customer complained" in email_track.last_change and EMAIL in email_track.last_change
    assert task_track.status == AutonomyStatus.ACTIVE  # it never messaged anyone
    assert autonomy.record_complaint(org, PARTNER_ID, reason="again") == 0  # nothing left to demote


def test_messages_to_customers_are_not_suggested_unless_the_guardrails_allow_them(org, policy, propose, approver):
    approve_many(propose, approver, STREAK + 2, "send_invoice_reminder")
    track = track_of(org, "send_invoice_reminder")
    assert track.status == AutonomyStatus.COUNTING and track.streak == STREAK + 2

    GuardrailPolicy.objects.filter(pk=policy.pk).update(allow_external_auto_execute=True)
    approve_many(propose, approver, 1, "send_invoice_reminder")
    assert track_of(org, "send_invoice_reminder").status == AutonomyStatus.SUGGESTED
    assert autonomy.describe(track) == "Invoice reminder emails (medium risk)"


def test_an_active_message_grant_stops_counting_once_the_guardrails_forbid_it(org, policy, propose, approver,
                                                                              admin_member):
    GuardrailPolicy.objects.filter(pk=policy.pk).update(allow_external_auto_execute=True)
    approve_many(propose, approver, STREAK, "send_invoice_reminder")
    autonomy.accept(track_of(org, "send_invoice_reminder"), admin_member)
    GuardrailPolicy.objects.filter(pk=policy.pk).update(allow_external_auto_execute=False)
    assert autonomy.grant_for(org, propose("send_invoice_reminder").parsed) is None


def test_high_risk_is_never_suggested(org, policy, propose, approver):
    GuardrailPolicy.objects.filter(pk=policy.pk).update(allow_external_auto_execute=True)
    approve_many(propose, approver, STREAK + 1, risk_level="high")
    approve_many(propose, approver, STREAK + 1, "send_invoice_reminder_sms")
    assert not AutonomyTrack.objects.filter(organization=org).exists()


def test_follow_up_levels_are_classes_of_their_own(org, policy, propose, approver):
    approve_many(propose, approver, STREAK, metadata={"level_name": "Friendly reminder", "wording": "friendly"})
    approve_many(propose, approver, 1, metadata={"level_name": "Final notice", "wording": "final"})
    friendly, final = (AutonomyTrack.objects.get(organization=org, template__contains=level)
                       for level in ("Friendly reminder", "Final notice"))
    assert friendly.status == AutonomyStatus.SUGGESTED and final.streak == 1
    assert autonomy.describe(friendly) == "Friendly staff tasks, “Friendly reminder” level (medium risk)"


def test_only_admins_of_the_organisation_decide(org, propose, approver, admin_member, outsider):
    approve_many(propose, approver, STREAK)
    track = track_of(org)
    for someone in (approver, outsider):
        with pytest.raises(NotAllowed):
            autonomy.accept(track, someone)
        with pytest.raises(NotAllowed):
            autonomy.decline(track, someone)
    assert track_of(org).status == AutonomyStatus.SUGGESTED


def test_a_declined_suggestion_is_asked_again_only_after_a_new_streak(org, propose, approver, admin_member):
    approve_many(propose, approver, STREAK)
    autonomy.decline(track_of(org), admin_member)
    assert track_of(org).status == AutonomyStatus.DECLINED and track_of(org).streak == 0
    assert "declined" in autonomy_words(org)[-1]
    approve_many(propose, approver, STREAK - 1)
    assert track_of(org).status == AutonomyStatus.DECLINED
    approve_many(propose, approver, 1)
    assert track_of(org).status == AutonomyStatus.SUGGESTED


def test_an_admin_may_stop_a_grant(org, propose, admin_member, active):
    autonomy.stop(active, admin_member)
    track = track_of(org)
    assert track.status == AutonomyStatus.DEMOTED and track.last_change == "Back to approval: stopped by ada."
    assert autonomy_words(org)[-1] == "Back to approval: stopped by ada."
    assert propose().status == ActionStatus.PENDING_APPROVAL
