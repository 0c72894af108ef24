"""SmsGateway against a local HTTP server playing the gateway; the demo outbox; the choice
between them."""

import logging

import pytest

from integrations.delivery import DeliveryError
from integrations.errors import ExternalError
from integrations.outbox import Channel, OutboxMessage
from integrations.sms import OutboxSmsGateway, SmsGateway, sms_gateway_from_settings
from tests.integrations.servers import free_port

API_KEY = "sms-key-7f3a9c0d5e1b2a4c6e8f"
KEY = "action-5f1d7c1e-2b7a-4f0e-9a43-1c9e7b5d2a10"


def gateway(url, timeout=2.0):
    return SmsGateway(base_url=url, api_key=API_KEY, default_from="+32470000000", timeout=timeout)


def test_request_shape_headers_and_receipt(http_server):
    http_server.answer(202, {"id": "sms_81734", "status": "queued"})

    receipt = gateway(http_server.url + "/").send(to="+32475123456", body="Invoice INV/42 is due.", idempotency_key=KEY)

    [request] = http_server.requests
    assert request.path == "/send-sms"
    assert request.json() == {"to": "+32475123456", "from": "+32470000000", "message": "Invoice INV/42 is due."}
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Idempotency-Key"] == KEY
    assert (receipt.provider_id, receipt.status) == ("sms_81734", "queued")


@pytest.mark.parametrize("to", ["0475123456", "+0475123456", "+32 475 12 34 56", "+1", "+324751", "+3247512345678901"])
def test_bad_number_is_permanent_and_nothing_is_sent(http_server, to):
    with pytest.raises(DeliveryError) as error:
        gateway(http_server.url).send(to=to, body="Hi", idempotency_key=KEY)

    assert error.value.permanent
    assert "E.164" in error.value.message
    assert http_server.requests == []


@pytest.mark.parametrize(("body", "key"), [("x" * 641, KEY), ("   ", KEY), ("Hi", "key\r\nX-Evil: 1"), ("Hi", "")])
def test_bad_body_or_key_is_permanent_and_nothing_is_sent(http_server, body, key):
    with pytest.raises(DeliveryError) as error:
        gateway(http_server.url).send(to="+32475123456", body=body, idempotency_key=key)

    assert error.value.permanent
    assert http_server.requests == []


def test_640_characters_is_allowed(http_server):
    http_server.answer(200, {"id": "1", "status": "sent"})

    gateway(http_server.url).send(to="+32475123456", body="x" * 640, idempotency_key=KEY)

    assert len(http_server.requests[0].json()["message"]) == 640


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_overload_and_server_errors_are_transient(http_server, status):
    http_server.answer(status, {"error": "busy"})

    with pytest.raises(DeliveryError) as error:
        gateway(http_server.url).send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert error.value.transient


@pytest.mark.parametrize("status", [400, 401, 403, 422])
def test_client_errors_are_permanent(http_server, status):
    http_server.answer(status, {"error": "number not reachable"})

    with pytest.raises(DeliveryError) as error:
        gateway(http_server.url).send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert error.value.permanent
    assert "number not reachable" in error.value.message


def test_slow_gateway_times_out_as_transient(http_server):
    http_server.answer(202, {"id": "late", "status": "queued"}, delay=0.5)

    with pytest.raises(DeliveryError) as error:
        gateway(http_server.url, timeout=0.1).send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert error.value.transient


def test_unreachable_gateway_is_transient():
    with pytest.raises(DeliveryError) as error:
        gateway(f"http://127.0.0.1:{free_port()}").send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert error.value.transient
    assert "unreachable" in error.value.message


def test_204_no_content_is_a_success_without_a_provider_id(http_server, caplog):
    """Some gateways answer "taken" with an empty 204: calling that a failure would make a
    person resend a text that is already on its way."""
    caplog.set_level(logging.INFO)
    http_server.answer(204, b"")

    receipt = gateway(http_server.url).send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert (receipt.provider_id, receipt.status) == ("", "accepted")
    assert len(http_server.requests) == 1
    assert "handed to SMS gateway" in caplog.text and "not sent" not in caplog.text


def test_accepted_without_json_is_still_accepted(http_server):
    """The gateway took the message: reporting a failure would invite a duplicate."""
    http_server.answer(202, b"OK")

    receipt = gateway(http_server.url).send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert (receipt.provider_id, receipt.status) == ("", "accepted")


def test_api_key_never_appears_in_errors_or_logs(http_server, caplog):
    caplog.set_level(logging.DEBUG)
    http_server.answer(401, {"error": f"bad token Bearer {API_KEY}"})

    with pytest.raises(DeliveryError) as error:
        gateway(http_server.url).send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert API_KEY not in str(error.value)
    assert API_KEY not in caplog.text
    assert "not sent" in caplog.text


def test_settings_choose_the_http_gateway(settings, http_server):
    settings.SMS_SERVER_URL = http_server.url
    settings.SMS_SERVER_API_KEY = API_KEY
    settings.SMS_DEFAULT_FROM = "AIOM"
    http_server.answer(201, {"id": "s1", "status": "queued"})

    sms_gateway_from_settings().send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert http_server.requests[0].json()["from"] == "AIOM"
    assert http_server.requests[0].headers["Authorization"] == f"Bearer {API_KEY}"


def test_without_a_gateway_production_refuses_clearly(settings):
    settings.SMS_SERVER_URL = ""
    settings.DEBUG = False

    with pytest.raises(DeliveryError, match="SMS gateway not configured") as error:
        sms_gateway_from_settings()

    assert error.value.permanent


@pytest.mark.django_db
def test_without_a_gateway_the_demo_stores_sms_in_the_outbox(settings):
    settings.SMS_SERVER_URL = ""
    settings.DEBUG = True
    settings.SMS_DEFAULT_FROM = "AIOM"

    receipt = sms_gateway_from_settings().send(to="+32475123456", body="Invoice INV/42 is due.", idempotency_key=KEY)

    row = OutboxMessage.objects.get()
    assert (row.channel, row.recipients, row.sender, row.subject, row.body, row.message_id) == (
        Channel.SMS, ["+32475123456"], "AIOM", "", "Invoice INV/42 is due.", KEY,
    )
    assert receipt.provider_id == f"outbox-{row.pk}"


@pytest.mark.django_db
def test_outbox_honours_the_idempotency_key_like_a_gateway():
    outbox = OutboxSmsGateway()
    first = outbox.send(to="+32475123456", body="Hi", idempotency_key=KEY)

    assert outbox.send(to="+32475123456", body="Hi", idempotency_key=KEY) == first
    with pytest.raises(DeliveryError) as error:
        outbox.send(to="+32475123456", body="Something else", idempotency_key=KEY)

    assert error.value.permanent
    assert OutboxMessage.objects.count() == 1


def test_timeout_after_the_request_left_may_have_sent(http_server):
    http_server.answer(200, {"id": "m1", "status": "queued"}, delay=0.5)
    with pytest.raises(ExternalError) as raised:
        gateway(http_server.url, timeout=0.1).send(to="+32475123456", body="Hi", idempotency_key=KEY)
    assert raised.value.transient and raised.value.maybe_done


def test_a_gateway_timeout_504_may_have_sent(http_server):
    """The proxy gave up waiting, but the gateway behind it may have taken the text."""
    http_server.answer(504, {"error": "upstream timed out"})
    with pytest.raises(ExternalError) as raised:
        gateway(http_server.url).send(to="+32475123456", body="Hi", idempotency_key=KEY)
    assert raised.value.transient and raised.value.maybe_done
    assert "HTTP 504" in raised.value.message


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_refusals_the_gateway_answered_have_certainly_not_sent(http_server, status):
    http_server.answer(status, {"error": "busy"})
    with pytest.raises(ExternalError) as raised:
        gateway(http_server.url).send(to="+32475123456", body="Hi", idempotency_key=KEY)
    assert raised.value.transient and not raised.value.maybe_done


def test_unreachable_gateway_has_certainly_not_sent():
    with pytest.raises(ExternalError) as raised:
        gateway(f"http://127.0.0.1:{free_port()}").send(to="+32475123456", body="Hi", idempotency_key=KEY)
    assert raised.value.transient and not raised.value.maybe_done
