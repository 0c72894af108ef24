"""send_email over real SMTP (aiosmtpd on a free port): what arrives, what is refused before
any network access, and how SMTP failures are classified for retries."""

import logging
import socket

import pytest
from django.core.mail import get_connection

from integrations.delivery import DeliveryError
from integrations.errors import ExternalError
from integrations.email import send_email
from tests.integrations.servers import free_port

MESSAGE_ID = "<0b7c2d1e-8f4a-4c1b-9d2e-3f5a6b7c8d9e@aiom>"


def smtp_connection(port, **kwargs):
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1", port=port, username="", password="", use_tls=False, use_ssl=False, timeout=2, **kwargs,
    )


def send(port, **overrides):
    arguments = {
        "to": ["Bob Buyer <bob@customer.example>"],
        "cc": ["accounts@customer.example"],
        "subject": "Reminder: invoice INV/2024/0042",
        "text_body": "Dear Bob,\n\nInvoice INV/2024/0042 is still open.\n",
        "html_body": "<p>Dear Bob,</p><p>Invoice INV/2024/0042 is still open.</p>",
        "message_id": MESSAGE_ID,
        "reply_to": "finance@acme.example",
        "headers": {"X-AIOM-Action": "0b7c2d1e"},
        "connection": smtp_connection(port),
    }
    return send_email(**{**arguments, **overrides})


def test_the_server_receives_one_message_with_both_parts_and_our_message_id(smtp_server):
    receipt = send(smtp_server.port)

    assert len(smtp_server.received) == 1
    mail = smtp_server.received[0]
    assert sorted(mail.rcpt_tos) == ["accounts@customer.example", "bob@customer.example"]
    message = mail.message
    assert message["Message-ID"] == MESSAGE_ID
    assert message["Subject"] == "Reminder: invoice INV/2024/0042"
    assert message["Reply-To"] == "finance@acme.example"
    assert message["X-AIOM-Action"] == "0b7c2d1e"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Dear Bob,\n\nInvoice INV/2024/0042 is still open.\n"
    assert "<p>Dear Bob,</p>" in message.get_body(("html",)).get_content()
    assert receipt.message_id == MESSAGE_ID
    assert receipt.backend == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize("overrides", [
    {"subject": "Invoice\r\nBcc: x@evil.example"},
    {"subject": "Invoice\nBcc: x@evil.example"},
    {"subject": "Invoice\u2028Bcc: x@evil.example"},
    {"headers": {"X-Note": "ok\r\nBcc: x@evil.example"}},
    {"headers": {"X-Note\r\nBcc": "x@evil.example"}},
    {"headers": {"Bcc": "x@evil.example"}},
    {"to": ["bob@customer.example\r\nBcc: x@evil.example"]},
    {"to": ["bob@customer.example, x@evil.example"]},
    {"to": ["not an address"]},
    {"to": []},
    {"reply_to": "finance@acme.example\nBcc: x@evil.example"},
    {"message_id": "<no-brackets@aiom"},
    {"message_id": "<a@aiom>\r\nBcc: x@evil.example"},
])
def test_injection_and_malformed_input_are_refused_before_any_network(smtp_server, overrides):
    with pytest.raises(DeliveryError) as error:
        send(smtp_server.port, **overrides)

    assert error.value.permanent
    assert smtp_server.received == []


def test_a_misconfigured_sender_is_refused_before_any_network(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "aiom@acme.example\nBcc: x@evil.example"

    with pytest.raises(DeliveryError) as error:
        send(smtp_server.port)

    assert error.value.permanent
    assert smtp_server.received == []


def test_server_down_is_transient_and_certainly_not_sent():
    with pytest.raises(ExternalError) as error:
        send(free_port())

    assert error.value.transient and not error.value.maybe_done
    assert "unreachable" in error.value.message


@pytest.mark.parametrize("reply", ["421 4.3.2 Service shutting down", "451 4.7.1 Greylisted, try again later"])
def test_temporary_refusal_is_transient(smtp_server, reply):
    smtp_server.fail_data = reply

    with pytest.raises(DeliveryError) as error:
        send(smtp_server.port)

    assert error.value.transient
    assert reply.split()[0] in error.value.message
    assert smtp_server.received == []


def test_rejected_message_is_permanent(smtp_server):
    smtp_server.fail_data = "550 5.7.1 Message rejected as spam"

    with pytest.raises(DeliveryError) as error:
        send(smtp_server.port)

    assert error.value.permanent
    assert "550" in error.value.message


def test_refused_recipient_is_permanent_and_temporary_refusal_is_not(smtp_server):
    smtp_server.fail_rcpt = "550 5.1.1 No such user"
    with pytest.raises(DeliveryError) as error:
        send(smtp_server.port)
    assert error.value.permanent
    assert "bob@customer.example>: 550" in error.value.message

    smtp_server.fail_rcpt = "450 4.2.1 Mailbox busy"
    with pytest.raises(DeliveryError) as error:
        send(smtp_server.port)
    assert error.value.transient


def test_dropped_connection_is_transient(smtp_server):
    smtp_server.drop_at_data = True

    with pytest.raises(ExternalError) as error:
        send(smtp_server.port)

    assert error.value.transient
    assert error.value.maybe_done  # the server had the whole message when the line went dead
    assert smtp_server.received == []


def test_a_server_that_stops_answering_mid_send_may_have_sent(smtp_server):
    """The message is on the server when the wait for its verdict runs out: it may go out, so
    the caller must not send it again blindly."""
    smtp_server.delay = 1.0
    connection = smtp_connection(smtp_server.port)
    connection.timeout = 0.3

    with pytest.raises(ExternalError) as error:
        send(smtp_server.port, connection=connection)

    assert error.value.transient and error.value.maybe_done


def test_a_refusal_the_server_answered_has_certainly_not_sent(smtp_server):
    smtp_server.fail_data = "451 4.7.1 Greylisted, try again later"

    with pytest.raises(ExternalError) as error:
        send(smtp_server.port)

    assert error.value.transient and not error.value.maybe_done


def test_a_silent_backend_is_refused_because_failures_would_be_lost(smtp_server):
    with pytest.raises(ValueError, match="fail_silently"):
        send(smtp_server.port, connection=smtp_connection(smtp_server.port, fail_silently=True))
    assert smtp_server.received == []


def test_refused_authentication_is_permanent_and_the_password_stays_out_of_errors_and_logs(smtp_server, caplog):
    """The test server offers no AUTH on a plain connection: credentials that cannot be used
    will not work on a retry either."""
    caplog.set_level(logging.DEBUG)
    connection = smtp_connection(smtp_server.port)
    connection.username, connection.password = "relay-user", "s3cret-smtp-password"

    with pytest.raises(DeliveryError) as error:
        send(smtp_server.port, connection=connection)

    assert error.value.permanent
    assert "s3cret-smtp-password" not in str(error.value)
    assert "s3cret-smtp-password" not in caplog.text
    assert "not sent" in caplog.text
    assert smtp_server.received == []


def test_a_server_that_never_greets_times_out_as_transient():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never answers
        connection = smtp_connection(silent.getsockname()[1])
        connection.timeout = 0.3

        with pytest.raises(DeliveryError) as error:
            send(0, connection=connection)

    assert error.value.transient
    assert "timed out" in error.value.message
