"""Retry, resolve and cancel wherever a person decides: the action page, the API, the admin.
(What they do to real sends is in tests/execution/test_recovery.py.)"""

import json

import pytest
from django.urls import reverse

from actions import lifecycle, services
from actions.models import Action, ActionStatus, LedgerStatus, OutboundRecord
from actions.types import ActionType
from audit.models import ActionEvent, EventType

from .admin_pages import admin_action, staff
from .protocols import protocol_for


def _approved(org, approver, action_type=ActionType.SEND_INVOICE_REMINDER):
    return services.approve(services.propose(org, protocol_for(action_type), source="analyzer"), approver)


@pytest.fixture
def approved(org, approver):
    return _approved(org, approver)


def _executing(action):
    return lifecycle.transition(action, ActionStatus.EXECUTING)


@pytest.fixture
def failed(org, approver):
    return lifecycle.transition(_executing(_approved(org, approver, ActionType.CREATE_STAFF_TASK)), ActionStatus.FAILED, reason="Gave up after 3 attempts: Odoo "
                                "unreachable", error="Odoo unreachable")


@pytest.fixture
def unknown(org, approver):
    action = _executing(_approved(org, approver, ActionType.FOLLOW_UP_STALLED_DEAL))
    OutboundRecord.objects.create(organization=org, action=action, key=f"{action.pk}:send_email", channel="email",
                                  partner_id=7)
    return lifecycle.transition(action, ActionStatus.OUTCOME_UNKNOWN, reason="It may or may not have gone out.",
                                error="SMTP connection lost")


def _status(action):
    return Action.objects.get(pk=action.pk).status


def _page(client, action):
    return client.get(reverse("dashboard:action", args=[action.pk])).content.decode()


def _messages(client, response):
    return client.get(response["Location"]).content.decode()


# ---------------------------------------------------------------------------------------------
# The action page


def test_a_failed_action_page_offers_retry_and_retrying_runs_it_again(client, approver, failed):
    client.force_login(approver)
    page = _page(client, failed)
    assert "Run it again?" in page and 'action="%s"' % reverse("dashboard:retry", args=[failed.pk]) in page
    assert "comes back to the approvals as a new version" in page

    response = client.post(reverse("dashboard:retry", args=[failed.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:action", args=[failed.pk])
    assert _status(failed) == ActionStatus.APPROVED
    assert "will run again shortly" in _messages(client, response)

    again = client.post(reverse("dashboard:retry", args=[failed.pk]))
    assert _status(failed) == ActionStatus.APPROVED
    assert "Only a failed action can be retried; this one is approved." in _messages(client, again)


def test_an_unknown_outcome_shows_the_evidence_and_both_answers(client, approver, unknown):
    OutboundRecord.objects.filter(action=unknown).update(external_id="smtp2go-abc123")
    client.force_login(approver)
    page = _page(client, unknown)
    assert "Was it sent?" in page
    assert "What AIOM holds about the send" in page
    assert "About to send (outcome unknown if it stays here)" in page  # the ledger row's status
    assert "smtp2go-abc123" in page
    assert f"&lt;{unknown.pk}@" in page  # the Message-ID to search the sent mail for
    assert "Recorded before sending" in page and "Last updated" in page
    assert 'name="sent" value="yes"' in page and "It was sent" in page
    assert 'name="sent" value="no"' in page and "It was not sent" in page


def test_resolving_as_not_sent_from_the_page_lets_it_be_retried(client, approver, unknown):
    client.force_login(approver)
    response = client.post(reverse("dashboard:resolve", args=[unknown.pk]),
                           {"sent": "no", "note": "Not in the customer's inbox"})
    assert _status(unknown) == ActionStatus.FAILED
    assert "was not sent. Press Retry to send it." in _messages(client, response)
    assert OutboundRecord.objects.get(action=unknown).status == LedgerStatus.NOT_SENT
    event = ActionEvent.objects.filter(action_id=unknown.pk).last()
    assert (event.event_type, event.data["reason"]) == (EventType.FAILED, "Not in the customer's inbox")
    assert event.actor.startswith(f"user:{approver.pk} ")
    assert "Run it again?" in _page(client, unknown)


def test_resolving_as_sent_ends_it(client, approver, unknown):
    client.force_login(approver)
    response = client.post(reverse("dashboard:resolve", args=[unknown.pk]), {"sent": "yes", "note": ""})
    assert _status(unknown) == ActionStatus.EXECUTED
    assert "was sent; it will not be sent again" in _messages(client, response)
    page = _page(client, unknown)
    assert "Run it again?" not in page and "Was it sent?" not in page


def test_resolving_needs_an_answer(client, approver, unknown):
    client.force_login(approver)
    response = client.post(reverse("dashboard:resolve", args=[unknown.pk]), {"note": "hmm"})
    assert "Say whether it was sent or not" in _messages(client, response)
    assert _status(unknown) == ActionStatus.OUTCOME_UNKNOWN


def test_an_approved_action_can_be_cancelled_with_a_reason(client, approver, approved):
    client.force_login(approver)
    assert "Stop it?" in _page(client, approved)
    without = client.post(reverse("dashboard:cancel", args=[approved.pk]), {"reason": " "})
    assert "Say why you cancel it." in _messages(client, without)
    assert _status(approved) == ActionStatus.APPROVED

    response = client.post(reverse("dashboard:cancel", args=[approved.pk]), {"reason": "Customer paid by phone"})
    assert _status(approved) == ActionStatus.CANCELLED
    assert "it will not run" in _messages(client, response)
    assert Action.objects.get(pk=approved.pk).status_reason == "Customer paid by phone"


def test_an_action_already_running_offers_no_cancel_and_refuses_one(client, approver, approved):
    _executing(approved)
    client.force_login(approver)
    assert "Stop it?" not in _page(client, approved)
    response = client.post(reverse("dashboard:cancel", args=[approved.pk]), {"reason": "Stop"})
    assert "Only an approved action that has not started can be cancelled; this one is executing." in _messages(
        client, response)
    assert _status(approved) == ActionStatus.EXECUTING


def test_an_approved_action_whose_send_may_have_started_cannot_be_cancelled(client, approver, approved, org):
    OutboundRecord.objects.create(organization=org, action=approved, key=f"{approved.pk}:send_email",
                                  channel="email")  # a send left in "about to send"
    client.force_login(approver)
    assert "Stop it?" not in _page(client, approved)
    response = client.post(reverse("dashboard:cancel", args=[approved.pk]), {"reason": "Stop"})
    assert "already started running" in _messages(client, response)
    assert _status(approved) == ActionStatus.APPROVED


def test_viewers_see_no_buttons_and_cannot_recover(client, viewer, failed, unknown):
    client.force_login(viewer)
    page = _page(client, failed)
    assert "Run it again?" in page and reverse("dashboard:retry", args=[failed.pk]) not in page
    assert "can view this action but not decide" in page
    assert client.post(reverse("dashboard:retry", args=[failed.pk])).status_code == 403
    assert client.post(reverse("dashboard:resolve", args=[unknown.pk]), {"sent": "yes"}).status_code == 403
    assert _status(failed) == ActionStatus.FAILED and _status(unknown) == ActionStatus.OUTCOME_UNKNOWN


def test_recovery_is_post_only_and_scoped_to_the_organisation(client, approver, outsider, failed):
    client.force_login(approver)
    assert client.get(reverse("dashboard:retry", args=[failed.pk])).status_code == 405
    client.force_login(outsider)
    assert client.post(reverse("dashboard:retry", args=[failed.pk])).status_code == 404
    assert client.post(reverse("dashboard:cancel", args=[failed.pk]), {"reason": "x"}).status_code == 404
    assert _status(failed) == ActionStatus.FAILED


def test_a_pending_action_cannot_be_retried_into_approval(approver, org):
    pending = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    with pytest.raises(lifecycle.InvalidTransition, match="this one is pending approval"):
        services.retry_failed(pending, user=approver)
    executing = _executing(_approved(org, approver, ActionType.NOTE_ON_RECORD))
    with pytest.raises(lifecycle.InvalidTransition, match="whose outcome is unknown"):
        services.resolve_outcome_unknown(executing, user=approver, sent=True)
    assert _status(pending) == ActionStatus.PENDING_APPROVAL and _status(executing) == ActionStatus.EXECUTING


# ---------------------------------------------------------------------------------------------
# The API


def _post(client, name, action, payload=None):
    return client.post(reverse(name, args=[action.pk]), json.dumps(payload or {}), content_type="application/json")


def test_api_retry_resolve_and_cancel(client, approver, failed, unknown, org):
    client.force_login(approver)
    response = _post(client, "api-retry", failed)
    assert response.status_code == 200 and response.json()["status"] == ActionStatus.APPROVED

    response = _post(client, "api-resolve", unknown, {"sent": False, "note": "Bounced"})
    assert response.status_code == 200 and response.json()["status"] == ActionStatus.FAILED

    response = _post(client, "api-cancel", failed, {"reason": "Not needed any more"})
    assert response.status_code == 200 and response.json()["status"] == ActionStatus.CANCELLED


def test_api_wrong_state_is_a_conflict(client, approver, approved, failed):
    client.force_login(approver)
    retry = _post(client, "api-retry", approved)
    assert retry.status_code == 409 and retry.json()["detail"] == (
        "Only a failed action can be retried; this one is approved.")
    resolve = _post(client, "api-resolve", failed, {"sent": True})
    assert resolve.status_code == 409 and "whose outcome is unknown" in resolve.json()["detail"]
    cancel = _post(client, "api-cancel", failed, {"reason": "x"})
    assert cancel.status_code == 409 and "has not started can be cancelled" in cancel.json()["detail"]
    assert _status(approved) == ActionStatus.APPROVED and _status(failed) == ActionStatus.FAILED


def test_api_recovery_input_is_checked(client, approver, unknown, approved):
    client.force_login(approver)
    missing = _post(client, "api-resolve", unknown, {"note": "?"})
    assert missing.status_code == 400 and missing.json()["detail"].startswith("sent:")
    assert _post(client, "api-cancel", approved, {}).status_code == 400
    assert _status(unknown) == ActionStatus.OUTCOME_UNKNOWN and _status(approved) == ActionStatus.APPROVED


def test_api_recovery_for_viewers_and_other_organisations(client, viewer, outsider, failed, unknown, approved):
    client.force_login(viewer)
    assert _post(client, "api-retry", failed).status_code == 403
    assert _post(client, "api-resolve", unknown, {"sent": True}).status_code == 403
    assert _post(client, "api-cancel", approved, {"reason": "x"}).status_code == 403
    client.force_login(outsider)
    assert _post(client, "api-retry", failed).status_code == 404
    assert _post(client, "api-resolve", unknown, {"sent": True}).status_code == 404
    assert _post(client, "api-cancel", approved, {"reason": "x"}).status_code == 404
    assert (_status(failed), _status(unknown), _status(approved)) == (
        ActionStatus.FAILED, ActionStatus.OUTCOME_UNKNOWN, ActionStatus.APPROVED)


# ---------------------------------------------------------------------------------------------
# The admin


def test_admin_retries_and_cancels_through_the_services(client, approver, failed, org):
    other = _approved(org, approver, ActionType.NOTE_ON_RECORD)
    client.force_login(staff(approver, "view_action", "decide_action"))
    page = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert "Retry selected failed actions" in page and "Cancel selected approved actions" in page

    response = admin_action(client, "retry_failed", failed, other)
    page = response.content.decode()
    assert "1 action(s) retried." in page and "Only a failed action can be retried; this one is approved." in page
    assert _status(failed) == ActionStatus.APPROVED and _status(other) == ActionStatus.APPROVED

    response = admin_action(client, "cancel_approved", other)
    assert "1 action(s) cancelled." in response.content.decode()
    assert _status(other) == ActionStatus.CANCELLED
    event = ActionEvent.objects.filter(action_id=other.pk).last()
    assert event.event_type == EventType.CANCELLED and event.actor.startswith(f"user:{approver.pk} ")


def test_admin_recovery_needs_the_permission_and_a_deciding_role(client, approver, viewer, failed):
    client.force_login(staff(approver, "view_action"))  # no decide_action
    assert "Retry selected failed actions" not in client.get(reverse("admin:actions_action_changelist")).content.decode()
    admin_action(client, "retry_failed", failed)
    assert _status(failed) == ActionStatus.FAILED

    client.force_login(staff(viewer, "view_action", "decide_action"))  # the permission, but a viewer's role
    response = admin_action(client, "retry_failed", failed)
    assert "may not approve or reject actions in this organisation" in response.content.decode()
    assert _status(failed) == ActionStatus.FAILED
