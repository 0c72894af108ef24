"""The send delay and its Undo where people decide: an approved message to someone outside the
company waits the organisation's delay, shown as a countdown with Undo on its card, and in the
API. (What the executor sends, or does not, is in tests/execution/test_send_delay.py.)"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import dispatch, guardrails, lifecycle, services
from actions.models import Action, ActionStatus, GuardrailPolicy
from actions.types import ActionType
from audit.models import ActionEvent, EventType
from audit.services import SYSTEM, verify_chain
from tests.aiom.test_operator_pages import _policy_form_data

from .protocols import protocol_for


@pytest.fixture
def delayed(org):
    """The organisation keeps the default send delay (the shared fixture turns it off)."""
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM,
                             send_delay_seconds=GuardrailPolicy._meta.get_field("send_delay_seconds").default)
    return org


def _approved(org, user, action_type=ActionType.SEND_INVOICE_REMINDER):
    return services.approve(services.propose(org, protocol_for(action_type), source="analyzer"), user)


def _after_the_delay(action):
    """The delay has run out (as if two minutes had passed)."""
    Action.objects.filter(pk=action.pk).update(not_before=timezone.now() - timedelta(seconds=1))
    return Action.objects.get(pk=action.pk)


def test_a_new_organisation_waits_two_minutes_and_the_worker_is_woken_when_they_are_over(
        delayed, approver, django_capture_on_commit_callbacks, monkeypatch):
    assert GuardrailPolicy._meta.get_field("send_delay_seconds").default == 120
    woken = []
    monkeypatch.setattr(dispatch, "enqueue", lambda action_id, countdown=None: woken.append(countdown))

    with django_capture_on_commit_callbacks(execute=True):
        action = _approved(delayed, approver)

    assert action.status == ActionStatus.APPROVED
    assert action.not_before == action.decided_at + timedelta(seconds=120)
    assert woken == [120]
    assert 100 < action.send_delay_left().total_seconds() <= 120
    event = ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.APPROVED).last()
    assert event.data["send_delay_seconds"] == 120


def test_internal_work_and_an_organisation_without_delay_run_at_once(delayed, org, approver):
    task = _approved(delayed, approver, ActionType.CREATE_STAFF_TASK)
    assert task.not_before is None and task.send_delay_left() is None

    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, send_delay_seconds=0)
    message = _approved(org, approver)
    assert message.status == ActionStatus.APPROVED and message.not_before is None
    with pytest.raises(lifecycle.InvalidTransition, match="Only an approved message still waiting"):
        services.undo_send(message, user=approver)


def test_undo_puts_it_back_in_the_approvals_and_the_approvals_given_stop_counting(delayed, approver,
                                                                                  second_approver):
    action = _approved(delayed, approver, ActionType.SEND_INVOICE_REMINDER)

    undone = services.undo_send(action, user=second_approver)

    assert undone.status == ActionStatus.PENDING_APPROVAL and undone.not_before is None
    assert undone.current_approvals().count() == 0
    assert undone.approvals.get().undone_at is not None  # kept on record, no longer counted
    event = ActionEvent.objects.filter(action_id=action.pk).last()
    assert event.event_type == EventType.UNDONE and event.actor.startswith(f"user:{second_approver.pk} ")
    assert event.data["approvals_undone"] == 1 and event.data["protocol_hash"] == action.protocol_hash
    assert verify_chain(delayed).ok

    again = services.approve(undone, approver, protocol_hash=action.protocol_hash)  # the same person may decide again
    assert again.status == ActionStatus.APPROVED and again.send_delay_left() is not None


def test_undo_of_a_critical_action_needs_both_approvals_again(delayed, approver, second_approver):
    action = services.propose(delayed, protocol_for(ActionType.SEND_INVOICE_REMINDER, risk_level="critical"),
                              source="analyzer")
    services.approve(action, approver)
    approved = services.approve(action, second_approver)
    assert approved.status == ActionStatus.APPROVED

    services.undo_send(approved, user=approver)

    first = services.approve(Action.objects.get(pk=action.pk), second_approver)
    assert first.status == ActionStatus.PENDING_APPROVAL  # one approval is not enough any more
    assert services.approve(first, approver).status == ActionStatus.APPROVED


def test_after_the_delay_or_once_started_undo_is_refused_and_nothing_changes(delayed, approver):
    late = _after_the_delay(_approved(delayed, approver))
    with pytest.raises(lifecycle.InvalidTransition, match="Too late to undo: the send delay is over"):
        services.undo_send(late, user=approver)
    assert Action.objects.get(pk=late.pk).status == ActionStatus.APPROVED

    started = lifecycle.transition(_after_the_delay(_approved(delayed, approver, ActionType.FOLLOW_UP_STALLED_DEAL)),
                                   ActionStatus.EXECUTING)
    with pytest.raises(lifecycle.InvalidTransition, match="Too late to undo: this action is already executing"):
        services.undo_send(started, user=approver)
    assert not ActionEvent.objects.filter(event_type=EventType.UNDONE).exists()


# ---------------------------------------------------------------------------------------------
# The dashboard


def test_the_card_counts_down_and_undo_is_a_post_for_people_who_decide(client, delayed, approver, viewer):
    action = _approved(delayed, approver)
    client.force_login(viewer)
    page = client.get(reverse("dashboard:action", args=[action.pk])).content.decode()
    assert "Sends in <span" in page and " min " in page
    assert reverse("dashboard:undo", args=[action.pk]) not in page
    assert client.post(reverse("dashboard:undo", args=[action.pk])).status_code == 403
    assert client.get(reverse("dashboard:undo", args=[action.pk])).status_code == 405

    client.force_login(approver)
    page = client.get(reverse("dashboard:action", args=[action.pk])).content.decode()
    assert f'action="{reverse("dashboard:undo", args=[action.pk])}"' in page and ">Undo</button>" in page
    response = client.post(reverse("dashboard:undo", args=[action.pk]),
                           {"next": reverse("dashboard:action", args=[action.pk])})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "was not sent and waits for approval again" in page
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL
    assert "Sends in" not in page and ">Approve</button>" in page


def test_undo_too_late_in_the_dashboard_says_so(client, delayed, approver):
    action = _after_the_delay(_approved(delayed, approver))
    client.force_login(approver)
    assert "Sends in" not in client.get(reverse("dashboard:action", args=[action.pk])).content.decode()
    response = client.post(reverse("dashboard:undo", args=[action.pk]),
                           {"next": reverse("dashboard:action", args=[action.pk])})
    assert "Too late to undo" in client.get(response["Location"]).content.decode()
    assert Action.objects.get(pk=action.pk).status == ActionStatus.APPROVED


def test_another_organisation_cannot_undo(client, delayed, approver, outsider):
    action = _approved(delayed, approver)
    client.force_login(outsider)
    assert client.post(reverse("dashboard:undo", args=[action.pk])).status_code == 404
    assert client.post(reverse("api-undo", args=[action.pk])).status_code == 404
    assert Action.objects.get(pk=action.pk).status == ActionStatus.APPROVED


def test_the_guardrails_page_sets_the_send_delay(client, admin_member, org):
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:guardrails")).content.decode()
    assert 'name="send_delay_seconds"' in page and "0 sends at once." in page

    response = client.post(reverse("dashboard:guardrails"), {**_policy_form_data(org), "send_delay_seconds": "30"})

    assert response.status_code == 302 and guardrails.policy_for(org).send_delay_seconds == 30
    event = ActionEvent.objects.get(organization=org, event_type=EventType.POLICY_CHANGED)
    assert event.data["changes"] == {"send_delay_seconds": {"before": 0, "after": 30}}


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_undoes_within_the_delay_and_answers_409_after(client, delayed, approver, viewer):
    action = _approved(delayed, approver)
    client.force_login(viewer)
    assert client.post(reverse("api-undo", args=[action.pk])).status_code == 403

    client.force_login(approver)
    response = client.post(reverse("api-undo", args=[action.pk]))
    assert response.status_code == 200 and response.json()["status"] == ActionStatus.PENDING_APPROVAL

    again = _after_the_delay(services.approve(Action.objects.get(pk=action.pk), approver))
    response = client.post(reverse("api-undo", args=[again.pk]))
    assert response.status_code == 409 and "Too late to undo" in response.json()["detail"]
    assert Action.objects.get(pk=action.pk).status == ActionStatus.APPROVED
