"""Smtp2goApiBackend against a local HTTP server playing SMTP2GO's `v3/email/send`."""

import logging

import pytest
from django.core.mail import EmailMessage

from integrations.delivery import DeliveryError
from integrations.errors import ExternalError
from integrations.email import Smtp2goApiBackend, send_email
from tests.integrations.servers import free_port

API_KEY = "api-0123456789ABCDEF0123456789ABCDEF"
MESSAGE_ID = "<5f1d7c1e-2b7a-4f0e-9a43-1c9e7b5d2a10@aiom>"
ACCEPTED = {"request_id": "aa253464-0bd0-467a-b24b-6159dcd7be60",
            "data": {"succeeded": 1, "failed": 0, "failures": [], "email_id": "1er8bV-6Tw0Mi-7h"}}


def backend(server_url, **kwargs):
    return Smtp2goApiBackend(api_key=API_KEY, api_url=f"{server_url}/v3/", timeout=kwargs.pop("timeout", 2), **kwargs)


def send(connection, **overrides):
    arguments = {
        "to": ["Bob Buyer <bob@customer.example>"],
        "cc": ["accounts@customer.example"],
        "subject": "Reminder: invoice INV/2024/0042",
        "text_body": "Invoice INV/2024/0042 is still open.",
        "html_body": "<p>Invoice INV/2024/0042 is still open.</p>",
        "message_id": MESSAGE_ID,
        "reply_to": "finance@acme.example",
        "connection": connection,
    }
    return send_email(**{**arguments, **overrides})


def test_request_has_smtp2go_shape_and_key_header_and_receipt_has_email_id(http_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Acme Finance <finance@acme.example>"
    http_server.answer(200, ACCEPTED)

    receipt = send(backend(http_server.url))

    [request] = http_server.requests
    assert request.path == "/v3/email/send"
    assert request.headers["X-Smtp2go-Api-Key"] == API_KEY
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "sender": "Acme Finance <finance@acme.example>",
        "to": ["Bob Buyer <bob@customer.example>"],
        "cc": ["accounts@customer.example"],
        "subject": "Reminder: invoice INV/2024/0042",
        "text_body": "Invoice INV/2024/0042 is still open.",
        "html_body": "<p>Invoice INV/2024/0042 is still open.</p>",
        "custom_headers": [
            {"header": "Message-ID", "value": MESSAGE_ID},
            {"header": "Reply-To", "value": "finance@acme.example"},
        ],
    }
    assert receipt.provider_id == "1er8bV-6Tw0Mi-7h"
    assert receipt.message_id == MESSAGE_ID
    assert receipt.backend == "integrations.email.Smtp2goApiBackend"


def test_backend_reads_key_url_and_timeout_from_settings(http_server, settings):
    settings.SMTP2GO_API_KEY = API_KEY
    settings.SMTP2GO_API_URL = f"{http_server.url}/v3"
    http_server.answer(200, ACCEPTED)

    message = EmailMessage(subject="Hello", body="Hi", to=["bob@customer.example"], connection=Smtp2goApiBackend())

    assert message.send() == 1
    assert message.provider_id == "1er8bV-6Tw0Mi-7h"
    assert http_server.requests[0].headers["X-Smtp2go-Api-Key"] == API_KEY


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_client_errors_are_permanent(http_server, status):
    http_server.answer(status, {"request_id": "x", "data": {"error": "Invalid sender", "error_code": "E_ApiResponseCodes.NON_VALIDATING_IN_PAYLOAD"}})

    with pytest.raises(DeliveryError) as error:
        send(backend(http_server.url))

    assert error.value.permanent
    assert f"HTTP {status}" in error.value.message
    assert "Invalid sender" in error.value.message


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_transient_and_certainly_not_sent(http_server, status):
    http_server.answer(status, {"data": {"error": "try later"}})

    with pytest.raises(ExternalError) as error:
        send(backend(http_server.url))

    assert error.value.transient and not error.value.maybe_done


def test_a_gateway_timeout_504_may_have_sent(http_server):
    """A proxy in front of SMTP2GO gave up waiting; SMTP2GO itself may have taken the message."""
    http_server.answer(504, b"<html>Gateway Time-out</html>")

    with pytest.raises(ExternalError) as error:
        send(backend(http_server.url))

    assert error.value.transient and error.value.maybe_done
    assert "HTTP 504" in error.value.message


def test_slow_api_times_out_as_transient_and_may_have_sent(http_server):
    http_server.answer(200, ACCEPTED, delay=0.5)

    with pytest.raises(ExternalError) as error:
        send(backend(http_server.url, timeout=0.1))

    assert error.value.transient and error.value.maybe_done
    assert "did not answer within 0.1 s" in error.value.message


def test_unreachable_api_is_transient_and_certainly_not_sent():
    with pytest.raises(ExternalError) as error:
        send(backend(f"http://127.0.0.1:{free_port()}"))

    assert error.value.transient and not error.value.maybe_done


def test_recipients_refused_inside_a_200_answer_are_permanent(http_server):
    http_server.answer(200, {"data": {"succeeded": 0, "failed": 1, "failures": ["bob@customer.example: unsubscribed"]}})

    with pytest.raises(DeliveryError) as error:
        send(backend(http_server.url))

    assert error.value.permanent
    assert "unsubscribed" in error.value.message


def test_header_injection_never_reaches_the_api(http_server):
    """Through send_email our checks refuse it; a bare EmailMessage meets Django's check inside
    the backend. Either way, no request is made."""
    with pytest.raises(DeliveryError) as ours:
        send(backend(http_server.url), subject="Invoice\r\nBcc: x@evil.example")
    message = EmailMessage(subject="Invoice\r\nBcc: x@evil.example", body="Hi", to=["bob@customer.example"],
                           connection=backend(http_server.url))
    with pytest.raises(DeliveryError) as djangos:
        message.send()

    assert ours.value.permanent and djangos.value.permanent
    assert http_server.requests == []


def test_missing_key_is_a_permanent_configuration_error(http_server):
    with pytest.raises(DeliveryError) as error:
        send(Smtp2goApiBackend(api_key="", api_url=http_server.url, timeout=1))

    assert error.value.permanent
    assert "SMTP2GO_API_KEY" in error.value.message
    assert http_server.requests == []


def test_fail_silently_counts_the_failure_instead_of_raising(http_server):
    http_server.answer(503)
    message = EmailMessage(subject="Hello", body="Hi", to=["bob@customer.example"])

    assert backend(http_server.url, fail_silently=True).send_messages([message]) == 0


def test_api_key_never_appears_in_errors_or_logs(http_server, caplog):
    """Even when the provider echoes the key back in its error text."""
    caplog.set_level(logging.DEBUG)
    http_server.answer(401, {"data": {"error": f"API key {API_KEY} is not valid"}})
    http_server.answer(500, f"internal error for {API_KEY}".encode())

    for _ in range(2):
        with pytest.raises(DeliveryError) as error:
            send(backend(http_server.url))
        assert API_KEY not in error.value.message
        assert API_KEY not in str(error.value)
        assert "[redacted]" in error.value.message

    assert API_KEY not in caplog.text
    assert "not sent" in caplog.text
