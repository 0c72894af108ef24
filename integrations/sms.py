"""Outbound SMS through an HTTP gateway (`POST {SMS_SERVER_URL}/send-sms`), or the demo outbox.

The gateway receives our idempotency key, so a retry after a lost answer is not a second
text message. Whether to send at all was decided before this module is called.
"""

import logging
import re

from django.conf import settings

from .channels import SMS_MAX_CHARS, is_e164
from .delivery import DeliveryError, SmsReceipt, post_json
from .outbox import Channel, OutboxMessage

logger = logging.getLogger(__name__)

_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,255}")


class BaseSmsGateway:
    """Checks a message the same way whatever delivers it, before anything leaves."""

    name = "SMS gateway"

    def __init__(self, *, default_from: str = ""):
        self.default_from = default_from

    def send(self, *, to: str, body: str, idempotency_key: str, organization_id: int | None = None) -> SmsReceipt:
        """Check and deliver one SMS. `organization_id` is not sent: only the demo outbox keeps it."""
        if not is_e164(to):
            raise DeliveryError(f"{to!r} is not an E.164 phone number (+ and 7-15 digits)", permanent=True)
        if not body.strip():
            raise DeliveryError("an SMS needs a text", permanent=True)
        if len(body) > SMS_MAX_CHARS:
            raise DeliveryError(f"an SMS is at most {SMS_MAX_CHARS} characters, got {len(body)}", permanent=True)
        if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise DeliveryError("the idempotency key must be 1-255 letters, digits or . _ : -", permanent=True)
        try:
            receipt = self._deliver(to=to, body=body, idempotency_key=idempotency_key,
                                    organization_id=organization_id)
        except DeliveryError as exc:
            kind = "permanent" if exc.permanent else "transient"
            logger.warning("SMS %s not sent through %s (%s): %s", idempotency_key, self.name, kind, exc.message)
            raise
        logger.info("SMS %s handed to %s (provider id %r, %s)", idempotency_key, self.name, receipt.provider_id, receipt.status)
        return receipt

    def _deliver(self, *, to: str, body: str, idempotency_key: str, organization_id: int | None) -> SmsReceipt:
        raise NotImplementedError


class SmsGateway(BaseSmsGateway):
    """An HTTP gateway that takes `{"to", "from", "message"}` with a bearer key and answers
    `{"id", "status"}` (or nothing, with 204)."""

    def __init__(self, *, base_url: str, api_key: str, default_from: str = "", timeout: float = 10.0):
        super().__init__(default_from=default_from)
        self.send_url = base_url.rstrip("/") + "/send-sms"
        self.api_key = api_key
        self.timeout = timeout

    def _deliver(self, *, to, body, idempotency_key, organization_id):
        headers = {"Idempotency-Key": idempotency_key, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        response = post_json(
            service=self.name,
            url=self.send_url,
            payload={"to": to, "from": self.default_from, "message": body},
            headers=headers,
            timeout=self.timeout,
            secret=self.api_key,
        )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            # Accepted (post_json let only a 2xx through) but nothing to read: the message is on
            # its way, so this is no reason to resend. 204 No Content says so by design.
            if response.content:
                logger.warning("%s accepted SMS %s without a JSON answer", self.name, idempotency_key)
            answer = {}
        return SmsReceipt(provider_id=str(answer.get("id", "")), status=str(answer.get("status", "accepted")))


class OutboxSmsGateway(BaseSmsGateway):
    """Stores SMS as OutboxMessage rows for the demo. Like a real gateway it honours the
    idempotency key: the same key returns the first message, a different text under it is refused."""

    name = "SMS outbox"

    def _deliver(self, *, to, body, idempotency_key, organization_id):
        row, created = OutboxMessage.objects.get_or_create(
            channel=Channel.SMS,
            message_id=idempotency_key,
            defaults={"sender": self.default_from, "recipients": [to], "body": body,
                      "organization_id": organization_id},
        )
        if not created and (row.recipients != [to] or row.body != body):
            raise DeliveryError(f"idempotency key {idempotency_key!r} was already used for another SMS", permanent=True)
        return SmsReceipt(provider_id=f"outbox-{row.pk}", status="stored")


def sms_gateway_from_settings() -> BaseSmsGateway:
    """The gateway at SMS_SERVER_URL; the outbox in a DEBUG demo without one."""
    if settings.SMS_SERVER_URL:
        return SmsGateway(
            base_url=settings.SMS_SERVER_URL,
            api_key=settings.SMS_SERVER_API_KEY,
            default_from=settings.SMS_DEFAULT_FROM,
            timeout=settings.SMS_TIMEOUT,
        )
    if settings.DEBUG:
        return OutboxSmsGateway(default_from=settings.SMS_DEFAULT_FROM)
    raise DeliveryError("SMS gateway not configured: set SMS_SERVER_URL", permanent=True)
