"""OutboxBackend: the demo's "sent" folder holds exactly what a real backend would have sent."""

import pytest
from django.core.mail import get_connection

from integrations.delivery import DeliveryError
from integrations.email import render_email, send_email
from integrations.outbox import Channel, OutboxMessage

pytestmark = pytest.mark.django_db

MESSAGE_ID = "<9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d@aiom>"


def test_outbox_stores_the_rendered_message(settings):
    settings.DEFAULT_FROM_EMAIL = "Acme Finance <finance@acme.example>"
    subject, text, html = render_email("emails/deal_follow_up", {"partner_name": "Bob", "company_name": "Acme Ltd"})

    receipt = send_email(
        to=["bob@customer.example"], cc=["ann@customer.example"], subject=subject, text_body=text, html_body=html,
        message_id=MESSAGE_ID, reply_to="sales@acme.example", headers={"X-AIOM-Action": "9a1b2c3d"},
        connection=get_connection("integrations.email.OutboxBackend"),
    )

    row = OutboxMessage.objects.get()
    assert row.channel == Channel.EMAIL
    assert row.sender == "Acme Finance <finance@acme.example>"
    assert (row.recipients, row.cc) == (["bob@customer.example"], ["ann@customer.example"])
    assert (row.subject, row.body, row.html) == (subject, text, html)
    assert row.headers == {"X-AIOM-Action": "9a1b2c3d", "Message-ID": MESSAGE_ID, "Reply-To": "sales@acme.example"}
    assert row.message_id == MESSAGE_ID
    assert receipt.provider_id == f"outbox-{row.pk}"
    assert receipt.backend == "integrations.email.OutboxBackend"


def test_outbox_refuses_header_injection_like_a_real_backend():
    with pytest.raises(DeliveryError) as error:
        send_email(to=["bob@customer.example"], subject="Hi\r\nBcc: x@evil.example", text_body="Hi",
                   message_id=MESSAGE_ID, connection=get_connection("integrations.email.OutboxBackend"))

    assert error.value.permanent
    assert not OutboxMessage.objects.exists()
