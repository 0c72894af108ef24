"""One-click approval links: the confirmation page, the deciding POST, and every refusal."""

import logging
from datetime import timedelta

import pytest

from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions import services, tokens
from actions.approval_links import ApprovalLink, Reason, Refused, verify
from actions.models import Action, ActionStatus, Approval, Decision, UsedApprovalLink
from actions.types import ActionType
from actions.tokens import make_token
from audit.models import ActionEvent, EventType
from audit.services import verify_chain

from .pages import decision_form, submit


def _page(client, token):
    return client.get(reverse("approval-link", args=[token]))


def _refusals(action):
    return list(ActionEvent.objects.filter(action_id=action.pk, event_type=EventType.TOKEN_REFUSED)
                .values_list("data__reason", flat=True))


def _status(action):
    action.refresh_from_db()
    return action.status


def test_a_token_verifies_to_its_action_approver_decision_and_revision(pending, approver, approve_token):
    link = verify(approve_token)
    assert isinstance(link, ApprovalLink)
    assert (link.action.pk, link.approver.pk, link.decision, link.protocol_hash) == (
        pending.pk, approver.pk, Decision.APPROVE, pending.protocol_hash)
    assert not link.needs_login


def test_the_page_shows_what_would_happen_and_decides_nothing(client, pending, approve_token):
    response = _page(client, approve_token)
    page = response.content.decode()
    assert response.status_code == 200
    assert pending.title in page
    assert "billing@customer.example" in page
    assert "Our invoice INV/2025/0042 of 1,250.00 EUR is 14 days overdue." in page
    assert "payment status is still not paid" in page
    assert "Nothing has been decided yet" in page and "alice" in page
    assert "<script" not in page  # confirmation is a plain form, nothing submits it by itself
    assert reverse("dashboard:approve", args=[pending.pk]) not in page  # no dashboard buttons
    assert decision_form(page)["decision"] == "approve"
    assert response["Cache-Control"].startswith("max-age=0")
    assert response["Referrer-Policy"] == "same-origin" and response["X-Frame-Options"] == "DENY"
    assert _status(pending) == ActionStatus.PENDING_APPROVAL


def test_approving_through_the_link_records_an_email_approval(client, pending, approver, approve_token):
    response = submit(client, approve_token)
    assert response.status_code == 200
    assert "Approved" in response.content.decode()
    assert _status(pending) == ActionStatus.APPROVED
    approval = Approval.objects.get(action=pending)
    assert (approval.user, approval.decision, approval.channel, approval.protocol_hash) == (
        approver, Decision.APPROVE, "email", pending.protocol_hash)
    event = ActionEvent.objects.get(action_id=pending.pk, event_type=EventType.APPROVED)
    assert event.data["channel"] == "email" and event.actor.startswith(f"user:{approver.pk} ")
    assert verify_chain(pending.organization).ok


def test_rejecting_through_the_link_needs_a_reason(client, pending, approver, reject_token):
    page = _page(client, reject_token).content.decode()
    assert 'name="reason"' in page and "Reason for rejecting" in page
    fields = decision_form(page)

    without_reason = client.post(reverse("approval-link-decide"), {**fields, "reason": "  "})
    assert without_reason.status_code == 400
    assert "Say why you reject it" in without_reason.content.decode()
    assert _status(pending) == ActionStatus.PENDING_APPROVAL

    response = client.post(reverse("approval-link-decide"), {**fields, "reason": "Customer paid by phone"})
    assert response.status_code == 200 and "Rejected" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == ActionStatus.REJECTED and pending.status_reason == "Customer paid by phone"
    assert Approval.objects.get(action=pending).channel == "email"


def test_ten_gets_and_heads_without_cookies_change_nothing(pending, approve_token):
    scanner = Client()
    events, before = ActionEvent.objects.count(), Action.objects.values().get(pk=pending.pk)
    for _ in range(10):
        assert scanner.get(reverse("approval-link", args=[approve_token])).status_code == 200
        assert scanner.head(reverse("approval-link", args=[approve_token])).status_code == 200
    assert ActionEvent.objects.count() == events
    assert Action.objects.values().get(pk=pending.pk) == before
    assert not Approval.objects.exists() and not UsedApprovalLink.objects.exists()

    assert submit(Client(), approve_token).status_code == 200  # the human's click still works
    assert _status(pending) == ActionStatus.APPROVED


def test_a_post_without_the_csrf_token_is_refused(pending, approve_token):
    browser = Client(enforce_csrf_checks=True)
    fields = decision_form(_page(browser, approve_token).content.decode())
    del fields["csrfmiddlewaretoken"]
    assert browser.post(reverse("approval-link-decide"), fields).status_code == 403
    assert _status(pending) == ActionStatus.PENDING_APPROVAL


def test_the_page_posts_nothing_to_the_link_itself(client, pending, approve_token):
    response = client.post(reverse("approval-link", args=[approve_token]), {"decision": "approve"})
    assert response.status_code == 405
    assert _status(pending) == ActionStatus.PENDING_APPROVAL


def test_a_used_link_is_refused_and_the_attempt_audited(pending, approve_token):
    browser = Client(enforce_csrf_checks=True)
    fields = decision_form(_page(browser, approve_token).content.decode())
    assert browser.post(reverse("approval-link-decide"), fields).status_code == 200

    replay = browser.post(reverse("approval-link-decide"), fields)
    assert replay.status_code == 410
    assert "already been used" in replay.content.decode()
    assert _refusals(pending) == ["already_used"]
    assert Approval.objects.filter(action=pending).count() == 1
    assert _page(Client(), approve_token).status_code == 410


def test_an_expired_action_refuses_its_links(client, pending, approve_token):
    fields = decision_form(_page(client, approve_token).content.decode())
    Action.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert _page(client, approve_token).status_code == 410
    response = client.post(reverse("approval-link-decide"), fields)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert _refusals(pending) == ["expired"]
    assert not Approval.objects.exists()


def test_a_tampered_token_is_refused_and_logged(client, pending, approve_token, caplog):
    payload, rest = approve_token.split(":", 1)
    tampered = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + ":" + rest
    assert _page(client, tampered).status_code == 400

    response = client.post(reverse("approval-link-decide"), {"token": tampered, "decision": "approve"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert "approval link refused (forged)" in caplog.text
    assert _status(pending) == ActionStatus.PENDING_APPROVAL


def test_a_link_for_an_edited_action_is_refused(client, pending, approve_token):
    fields = decision_form(_page(client, approve_token).content.decode())
    Action.objects.filter(pk=pending.pk).update(protocol_hash="f" * 64, revision=2)

    response = client.post(reverse("approval-link-decide"), fields)
    assert response.status_code == 409
    assert "edited after this link was sent" in response.content.decode()
    assert _refusals(pending) == ["revised"]
    assert _status(pending) == ActionStatus.PENDING_APPROVAL


def test_a_link_of_another_organisation_is_refused(client, propose, other_org, outsider, approver):
    theirs = propose()
    forged_for_ours = signing.dumps({"a": str(theirs.pk), "d": "approve", "u": outsider.pk, "o": other_org.pk,
                                     "h": theirs.protocol_hash, "e": int(theirs.expires_at.timestamp())},
                                    salt=tokens.SALT)
    assert _page(client, forged_for_ours).status_code == 404

    response = client.post(reverse("approval-link-decide"), {"token": forged_for_ours, "decision": "approve"})
    assert response.status_code == 404
    assert _refusals(theirs) == ["wrong_organisation"]
    assert _status(theirs) == ActionStatus.PENDING_APPROVAL


def test_a_viewer_cannot_decide_through_a_link(client, pending, viewer):
    token = make_token(pending, viewer, Decision.APPROVE)
    assert _page(client, token).status_code == 403
    response = client.post(reverse("approval-link-decide"), {"token": token, "decision": "approve"})
    assert response.status_code == 403
    assert "may no longer approve" in response.content.decode()
    assert _refusals(pending) == ["not_allowed"]
    assert _status(pending) == ActionStatus.PENDING_APPROVAL


def test_an_approve_link_cannot_reject(client, pending, approve_token):
    fields = decision_form(_page(client, approve_token).content.decode())
    response = client.post(reverse("approval-link-decide"), {**fields, "decision": "reject", "reason": "No"})
    assert response.status_code == 400
    assert "different decision" in response.content.decode()
    assert _refusals(pending) == ["wrong_decision"]
    assert _status(pending) == ActionStatus.PENDING_APPROVAL


def test_a_link_of_a_decided_action_says_so(client, pending, approve_token, second_approver):
    services.reject(pending, second_approver, reason="Not now")
    response = _page(client, approve_token)
    assert response.status_code == 409
    assert "already been decided: it is rejected" in response.content.decode()


def test_a_high_risk_link_needs_the_approver_logged_in(propose, approver, second_approver):
    urgent = propose(ActionType.SEND_INVOICE_REMINDER_SMS)
    assert urgent.risk_level == "high"
    token = make_token(urgent, approver, Decision.APPROVE)
    url = reverse("approval-link", args=[token])
    browser = Client()

    response = browser.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")
    assert browser.post(reverse("approval-link-decide"), {"token": token, "decision": "approve"}).status_code == 302

    browser.force_login(second_approver)  # someone else's session is not the approver's
    assert browser.get(url).status_code == 403
    assert _status(urgent) == ActionStatus.PENDING_APPROVAL

    browser.force_login(approver)
    assert submit(browser, token).status_code == 200
    assert _status(urgent) == ActionStatus.APPROVED
    assert _refusals(urgent) == ["wrong_user"]  # only the other person's attempt


@pytest.mark.parametrize("signed_in", ["second_approver", "viewer"])
def test_a_link_opened_while_someone_else_is_signed_in_decides_nothing(request, pending, approve_token, signed_in):
    other = request.getfixturevalue(signed_in)
    fields = decision_form(_page(Client(), approve_token).content.decode())
    browser = Client()
    browser.force_login(other)

    page = _page(browser, approve_token)
    text = page.content.decode()
    assert page.status_code == 403
    assert (f"This link was sent to alice; you are signed in as {other.username}. Sign out, or decide in the "
            "dashboard.") in text
    assert "Nothing was approved or rejected." in text and 'action="%s"' % reverse("logout") in text
    assert 'action="%s"' % reverse("approval-link-decide") not in text  # no button to press

    response = browser.post(reverse("approval-link-decide"), fields)
    assert response.status_code == 403 and "you are signed in as" in response.content.decode()
    assert _status(pending) == ActionStatus.PENDING_APPROVAL
    assert not Approval.objects.exists() and not UsedApprovalLink.objects.exists()
    events = ActionEvent.objects.filter(action_id=pending.pk, event_type=EventType.TOKEN_REFUSED)
    assert [(event.data["reason"], event.actor) for event in events] == [
        ("wrong_user", f"user:{other.pk} {other.username}")] * 2
    assert submit(Client(), approve_token).status_code == 200  # the link still works for its approver
    assert _status(pending) == ActionStatus.APPROVED


def test_a_critical_action_needs_two_links(propose, approver, second_approver):
    critical = propose(risk_level="critical")
    first, second = Client(), Client()
    first.force_login(approver)
    second.force_login(second_approver)

    token = make_token(critical, approver, Decision.APPROVE)
    assert "This action needs 2 different approvers." in _page(first, token).content.decode()
    response = submit(first, token)
    assert "needs 2 different approvers before it runs; it is waiting for 1 more." in response.content.decode()
    assert _status(critical) == ActionStatus.PENDING_APPROVAL

    submit(second, make_token(critical, second_approver, Decision.APPROVE))
    assert _status(critical) == ActionStatus.APPROVED
    assert set(Approval.objects.filter(action=critical).values_list("channel", flat=True)) == {"email"}


def test_refusal_reasons_are_the_documented_ones(pending, approve_token):
    result = verify(approve_token, now=pending.expires_at + timedelta(seconds=1))
    assert isinstance(result, Refused) and result.reason is Reason.EXPIRED
    assert isinstance(verify("nonsense"), Refused)
    assert verify("x" * 5000).reason is Reason.FORGED


def test_tokens_never_reach_the_logs(client, pending, approve_token, caplog):
    caplog.set_level(logging.DEBUG)
    fields = decision_form(_page(client, approve_token).content.decode())
    Client(enforce_csrf_checks=True).post(reverse("approval-link-decide"), {**fields, "csrfmiddlewaretoken": "x"})
    client.post(reverse("approval-link", args=[approve_token]))  # 405
    client.post(reverse("approval-link-decide"), fields)  # approves
    client.post(reverse("approval-link-decide"), fields)  # replay: 410
    _page(client, approve_token)  # 410
    _page(client, approve_token[:-3])  # forged: 400

    assert approve_token not in caplog.text
    assert approve_token.split(":")[0] not in caplog.text
    assert "approval link refused (already_used)" in caplog.text
    assert "Forbidden (CSRF" in caplog.text  # the CSRF refusal is logged, with the path of the POST only

