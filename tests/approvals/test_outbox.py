"""The demo outbox shows each organisation its own messages, approval links included."""

import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from actions import notifications, operations
from actions.inputs import SendEmailInputs, SendSmsInputs
from actions.types import ActionType
from aiom.models import Membership
from integrations.outbox import Channel, OutboxMessage

LINK = re.compile(r"/approvals/email/[^/\s]+/")


@pytest.fixture(autouse=True)
def _demo_outbox(settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "integrations.email.OutboxBackend"
    settings.SMS_SERVER_URL = ""


def _send_everything(organization, propose):
    """An approval request (email and SMS, with links) and an executed email and SMS of `organization`."""
    action = propose(organization=organization, risk_level="high")
    notifications.deliver(notifications.APPROVAL_REQUEST, action.pk)
    context = operations.Context(organization=organization, action_id=action.pk, protocol=action.parsed, odoo=None,
                                 retrying=False, now=datetime.now(timezone.utc))
    operations.send_email(context, SendEmailInputs(to=["billing@customer.example"], body="Your invoice is overdue.",
                                                   subject=f"Hello from {organization.name}"))
    sms = propose(ActionType.SEND_INVOICE_REMINDER_SMS, organization=organization)
    operations.send_sms(replace(context, action_id=sms.pk),
                        SendSmsInputs(to="+32470123456", body=f"Reminder from {organization.name}."))
    return {LINK.search(row.body).group() for row in OutboxMessage.objects.filter(organization=organization)
            if LINK.search(row.body)}


@pytest.fixture
def both_outboxes(org, other_org, approver, outsider, propose):
    Membership.objects.filter(user__in=[approver, outsider]).update(phone="+32475000001")
    links = {org: _send_everything(org, propose), other_org: _send_everything(other_org, propose)}
    assert all(links.values())  # each organisation's approvers got links by email and SMS
    return links


def _outbox_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard:outbox"))
    assert response.status_code == 200
    return response.content.decode()


def test_every_message_is_stored_with_its_organisation(both_outboxes, org, other_org):
    for organization in (org, other_org):
        rows = OutboxMessage.objects.filter(organization=organization)
        assert {row.channel for row in rows} == {Channel.EMAIL, Channel.SMS}
        assert {row.subject for row in rows} >= {f"Hello from {organization.name}"}
    assert not OutboxMessage.objects.filter(organization=None).exists()


def test_a_member_sees_only_their_organisations_messages_and_links(client, both_outboxes, org, other_org, approver,
                                                                   outsider):
    for user, own, foreign in ((approver, org, other_org), (outsider, other_org, org)):
        page = _outbox_page(client, user)
        assert f"Hello from {own.name}" in page and f"Reminder from {own.name}." in page
        assert f"Hello from {foreign.name}" not in page and f"Reminder from {foreign.name}." not in page
        assert all(link in page for link in both_outboxes[own])
        assert not any(link in page for link in both_outboxes[foreign])


def test_a_superuser_sees_every_organisations_messages(client, both_outboxes, org, other_org):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root")
    page = _outbox_page(client, root)
    for organization in (org, other_org):
        assert f"Hello from {organization.name}" in page and all(link in page for link in both_outboxes[organization])
