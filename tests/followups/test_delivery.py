"""SMTP2GO's delivery webhook: a signed hard bounce of a level's email stops the customer's
follow-up, raises an alert, flags every waiting email to the address and counts in the report;
the same event twice acts once; a forged, missing or other organisation's secret changes nothing;
what cannot be read is refused with the reason; a soft bounce suppresses nothing."""

import base64
import hashlib
import hmac
import json

import pytest
from django.conf import settings
from django.test import Client

from actions import services
from actions.models import Action, ActionStatus
from actions.types import ActionType
from analyzers.models import Alert
from followups import engine, outcomes, smtp2go
from followups.models import (DeliveryEvent, DeliveryWebhook, EventKind, FollowUp, FollowUpEvent, FollowUpStatus,
                              LevelOutcome, SuppressedAddress)

from ..actions.protocols import EMAIL, protocol_for
from .conftest import EMMA

EMMA_EMAIL = "emma.claes@mail.example"


def post(client, org, payload, *, secret=None, signed=False, body=None, content_type="application/json", **headers):
    """POST to the organisation's webhook: the secret as basic authorization, or an HMAC of the body."""
    raw = body if body is not None else json.dumps(payload).encode()
    if secret is not None and signed:
        headers["HTTP_X_AIOM_SIGNATURE"] = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    elif secret is not None:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(f"aiom:{secret}".encode()).decode()
    return client.post(f"/webhooks/smtp2go/{org.slug}/", data=raw, content_type=content_type, **headers)


def bounce(address=EMMA_EMAIL, *, kind="hard", action=None, event="bounce", time="2026-12-03T10:15:00Z") -> dict:
    """An event as SMTP2GO sends it (JSON output)."""
    payload = {"event": event, "rcpt": address, "time": time, "sendtime": "2026-12-03T10:14:58Z",
               "sender": "billing@acme.example", "email_id": "1qXyZ-abc123-def", "subject": "Reminder",
               "message": "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address, "host": "mx.mail.example"}
    if event == "bounce":
        payload["bounce"] = kind
    if action is not None:
        payload["Message-Id"] = f"<{action.pk}@{settings.AIOM_MESSAGE_ID_DOMAIN}>"
    return payload


@pytest.fixture
def sent_level(chasing_org, odoo, approver, smtp):
    """Emma's first level, approved and emailed; the engine has started watching its outcome."""
    engine.tick(chasing_org, odoo)
    action = Action.objects.get(organization=chasing_org, source="follow_up", partner_id=EMMA)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    engine.tick(chasing_org, odoo)
    return action


def _emma(org) -> FollowUp:
    return FollowUp.objects.filter(organization=org, target_id=EMMA).latest("started_at")


def test_a_signed_hard_bounce_stops_chasing_alerts_flags_waiting_emails_and_counts(chasing_org, sent_level, approver,
                                                                                     client):
    secret = smtp2go.new_secret(chasing_org)
    other = services.propose(chasing_org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    reminder = protocol_for(ActionType.SEND_INVOICE_REMINDER)
    reminder["operation"]["inputs"]["to"] = [EMMA_EMAIL]
    reminder["operation"]["inputs"]["partner_id"] = EMMA
    reminder["external_effects"][0].update(recipient=EMMA_EMAIL, recipient_partner_id=EMMA)
    waiting = services.propose(chasing_org, reminder, source="analyzer")

    response = post(client, chasing_org, bounce(action=sent_level), secret=secret)
    assert response.status_code == 200 and response.json() == {"recorded": 1, "repeated": 0}

    follow_up = _emma(chasing_org)
    assert follow_up.status == FollowUpStatus.STOPPED
    assert follow_up.reason.startswith(f"Stopped: The email to {EMMA_EMAIL} bounced on 3 Dec (hard bounce")
    [history] = follow_up.events.filter(kind=EventKind.BOUNCED)
    assert "Allow again" in history.text
    alert = Alert.objects.get(organization=chasing_org, key=f"delivery:{EMMA_EMAIL}", resolved_at__isnull=True)
    assert alert.title == "Email to Emma Claes bounced"
    assert "Fix the address in Odoo" in alert.message and "stopped 1 follow-up" in alert.message
    suppressed = SuppressedAddress.objects.get(organization=chasing_org, address=EMMA_EMAIL)
    assert (suppressed.reason, suppressed.customer, suppressed.stopped_follow_ups) == ("bounce_hard", "Emma Claes",
                                                                                      [follow_up.pk])
    assert DeliveryEvent.objects.get(organization=chasing_org).action_id == sent_level.pk

    client.force_login(approver)
    page = client.get("/dashboard/approvals/").content.decode()
    assert page.count(f"{EMMA_EMAIL} bounced on 3 Dec (hard bounce): the message will probably not arrive.") == 1
    assert waiting.title in page and other.title in page
    detail = client.get(f"/dashboard/actions/{waiting.pk}/").content.decode()
    assert "the message will probably not arrive" in detail
    assert "the message will probably not arrive" not in client.get(f"/dashboard/actions/{other.pk}/").content.decode()

    assert LevelOutcome.objects.get(action=sent_level).bounced
    [row] = [row for row in outcomes.report(chasing_org) if row["level_name"] == "Friendly reminder"]
    assert (row["sent"], row["bounced"]) == (1, 1)
    [api_row] = [r for r in client.get("/api/follow-ups/report/").json()["results"] if r["level_name"] == "Friendly reminder"]
    assert api_row["bounced"] == 1
    assert "<th>Bounced</th>" in client.get("/dashboard/follow-ups/report/").content.decode()


def test_the_same_event_twice_is_recorded_once_and_acts_once(chasing_org, sent_level, client):
    secret = smtp2go.new_secret(chasing_org)
    first = post(client, chasing_org, bounce(action=sent_level), secret=secret)
    again = post(client, chasing_org, bounce(action=sent_level), secret=secret, signed=True)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"recorded": 0, "repeated": 1}
    assert DeliveryEvent.objects.filter(organization=chasing_org).count() == 1
    assert SuppressedAddress.objects.filter(organization=chasing_org).count() == 1
    assert FollowUpEvent.objects.filter(follow_up__organization=chasing_org, kind=EventKind.BOUNCED).count() == 1


@pytest.mark.parametrize("how", ["forged signature", "no authorization", "wrong password", "other organisation's secret",
                                 "no secret set"])
def test_an_unproven_caller_gets_401_and_nothing_changes(chasing_org, other_org, sent_level, client, how):
    secret = smtp2go.new_secret(chasing_org) if how != "no secret set" else "anything"
    theirs = smtp2go.new_secret(other_org)
    payload = bounce(action=sent_level)
    headers = {
        "forged signature": {"HTTP_X_AIOM_SIGNATURE": "sha256=" + "0" * 64},
        "no authorization": {},
        "wrong password": {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"aiom:guess").decode()},
        "other organisation's secret": {"HTTP_AUTHORIZATION": "Bearer " + theirs},
        "no secret set": {"HTTP_AUTHORIZATION": "Bearer " + secret},
    }[how]
    if how == "no secret set":
        DeliveryWebhook.objects.filter(organization=chasing_org).delete()
    response = post(client, chasing_org, payload, **headers)
    assert response.status_code == 401 and "secret" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Basic")
    assert not DeliveryEvent.objects.exists() and not SuppressedAddress.objects.exists()
    assert _emma(chasing_org).status == FollowUpStatus.ACTIVE
    assert not Alert.objects.filter(key__startswith="delivery:").exists()


@pytest.mark.parametrize("body, content_type, detail", [
    (b'{"event": "bounce", "rcpt": ', "application/json", "The body is not valid JSON"),
    (b'"bounce"', "application/json", "Send one event as a JSON object"),
    (b"[" * 5000 + b"]" * 5000, "application/json", "The body is not JSON AIOM can read"),
    (b'\xff\xfe{}', "application/json", "not UTF-8"),
    (json.dumps({"event": "bounce", "bounce": "hard", "rcpt": "<script>alert(1)</script>"}).encode(),
     "application/json", "Event 1 (bounce) has no valid recipient address"),
    (b"x" * (70 * 1024), "application/json", "larger than 64 KB"),
])
def test_what_cannot_be_read_is_refused_with_the_reason(chasing_org, client, body, content_type, detail):
    secret = smtp2go.new_secret(chasing_org)
    response = post(client, chasing_org, None, body=body, secret=secret, content_type=content_type)
    assert response.status_code == 400 and detail in response.json()["detail"]
    assert "<script>" not in response.content.decode()
    assert not DeliveryEvent.objects.exists()


def test_an_unknown_organisation_is_404_and_only_post_is_answered(chasing_org, client):
    response = client.post("/webhooks/smtp2go/nobody/", data=bounce(), content_type="application/json")
    assert response.status_code == 404 and "No organisation" in response.json()["detail"]
    assert client.get(f"/webhooks/smtp2go/{chasing_org.slug}/").status_code == 405


def test_the_webhook_needs_no_csrf_token_but_the_dashboard_does(chasing_org, approver):
    secret = smtp2go.new_secret(chasing_org)
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, chasing_org, bounce(address="someone@else.example", kind="soft"), secret=secret).status_code == 200
    strict.force_login(approver)
    suppressed = SuppressedAddress.objects.create(organization=chasing_org, address="x@y.example", reason="spam",
                                                  since="2026-12-03T10:00:00Z")
    assert strict.post(f"/dashboard/follow-ups/delivery/{suppressed.pk}/allow/").status_code == 403
    suppressed.refresh_from_db()
    assert suppressed.lifted_at is None


def test_a_soft_bounce_is_recorded_and_shown_and_suppresses_nothing(chasing_org, sent_level, viewer, client):
    secret = smtp2go.new_secret(chasing_org)
    assert post(client, chasing_org, bounce(kind="soft", action=sent_level), secret=secret).status_code == 200
    assert DeliveryEvent.objects.get(organization=chasing_org).kind == "bounce_soft"
    assert not SuppressedAddress.objects.exists()
    follow_up = _emma(chasing_org)
    assert follow_up.status == FollowUpStatus.ACTIVE
    assert "Nothing changes" in follow_up.events.get(kind=EventKind.BOUNCED).text
    assert not Alert.objects.filter(key__startswith="delivery:").exists()
    assert not LevelOutcome.objects.get(action=sent_level).bounced
    client.force_login(viewer)
    page = client.get("/dashboard/follow-ups/delivery/").content.decode()
    assert "Soft bounce" in page and EMMA_EMAIL in page and "No address is held back" in page


def test_a_spam_complaint_as_a_form_flags_the_card_of_another_customers_email(chasing_org, approver, client):
    """SMTP2GO's default form output too; an address no follow-up chases is suppressed all the same."""
    secret = smtp2go.new_secret(chasing_org)
    waiting = services.propose(chasing_org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    body = f"event=spam&rcpt={EMAIL.replace('@', '%40')}&time=2026-12-04T08:00:00Z&email_id=abc".encode()
    response = post(client, chasing_org, None, body=body, secret=secret, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.json()["recorded"] == 1
    assert SuppressedAddress.objects.get(organization=chasing_org).reason == "spam"
    client.force_login(approver)
    page = client.get(f"/dashboard/actions/{waiting.pk}/").content.decode()
    assert f"{EMAIL} marked an earlier email as spam on 4 Dec" in page


def test_other_events_are_answered_and_left_alone(chasing_org, client):
    secret = smtp2go.new_secret(chasing_org)
    events = [bounce(event=name) for name in ("delivered", "processed", "open", "click", "reject", "resubscribe")]
    response = post(client, chasing_org, events, secret=secret)
    assert response.status_code == 200 and response.json() == {"recorded": 0, "repeated": 0}
    assert not DeliveryEvent.objects.exists()
