"""SMTP2GO's delivery webhook: who may call it and what its events say.

The caller proves itself with the organisation's secret (`manage.py delivery_webhook_secret`):
as the password of the basic authorization SMTP2GO sends (or as its bearer token), or as the key
of an HMAC-SHA256 of the raw body in `X-AIOM-Signature`. Everything in the body comes from
outside, so it is read defensively: an event AIOM cannot read is refused with the reason, and
nothing of a refused request is recorded. What an event does is `followups.delivery`'s business.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone as dt_timezone
from email.utils import parseaddr
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from actions.models import Action, OutboundRecord
from aiom.text import canonical_json, one_line

from . import delivery
from .models import DeliveryKind, DeliveryWebhook

MAX_BODY = 64 * 1024
MAX_EVENTS = 100
SIGNATURE_HEADER = "X-AIOM-Signature"
#: SMTP2GO's events that are a delivery problem (a bounce by its type, hard or soft); the others
#: (processed, delivered, open, click, resubscribe, reject) are answered and left alone.
KINDS = {"spam": DeliveryKind.SPAM, "unsubscribe": DeliveryKind.UNSUBSCRIBE}
#: AIOM's own Message-ID: `<action id@domain>` (actions/operations.py).
_ACTION_MESSAGE_ID = re.compile(r"<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@", re.I)
_SCALARS = (str, int, float)


class BadPayload(ValueError):
    """The body is not something AIOM can read; the message says what is wrong."""


@dataclass(frozen=True)
class Event:
    event_id: str
    kind: str
    address: str
    occurred_at: datetime
    message_id: str = ""
    email_id: str = ""
    action_id: str = ""
    detail: str = ""
    payload: dict = field(default_factory=dict)


def new_secret(organization) -> str:
    """A new secret for the organisation's webhook; the previous one stops working at once."""
    secret = secrets.token_urlsafe(32)
    DeliveryWebhook.objects.update_or_create(organization=organization,
                                             defaults={"secret": secret, "created_at": timezone.now()})
    return secret


def verified(organization, body: bytes, *, authorization: str, signature: str) -> bool:
    """The request carries the organisation's secret (basic or bearer authorization) or signs
    the body with it; False when the organisation has no secret (or no key opens it)."""
    webhook = DeliveryWebhook.objects.filter(organization=organization).first()
    secret = webhook.secret if webhook is not None else None
    if not secret:
        return False
    key = secret.encode()
    if signature:
        given = signature.strip().lower().removeprefix("sha256=").encode("utf-8", "replace")
        if hmac.compare_digest(hmac.new(key, body, hashlib.sha256).hexdigest().encode(), given):
            return True
    scheme, _, credential = authorization.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        return hmac.compare_digest(decoded.partition(":")[2].encode(), key)
    if scheme.lower() == "bearer":
        return hmac.compare_digest(credential.strip().encode("utf-8", "replace"), key)
    return False


def parse(body: bytes, content_type: str) -> list[Event]:
    """The delivery problems in a body SMTP2GO sent as JSON (one event, or a list) or as a form."""
    if len(body) > MAX_BODY:
        raise BadPayload(f"The body is larger than {MAX_BODY // 1024} KB.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadPayload("The body is not UTF-8 text.") from None
    if content_type == "application/x-www-form-urlencoded":
        try:
            items = [dict(parse_qsl(text, keep_blank_values=True, max_num_fields=200))]
        except ValueError:
            raise BadPayload("The form has too many fields.") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadPayload(f"The body is not valid JSON ({exc.msg} at line {exc.lineno}, "
                             f"column {exc.colno}).") from None
        except (ValueError, RecursionError):
            raise BadPayload("The body is not JSON AIOM can read.") from None
        items = data if isinstance(data, list) else [data]
        if not items or len(items) > MAX_EVENTS or not all(isinstance(item, dict) for item in items):
            raise BadPayload(f"Send one event as a JSON object, or a list of at most {MAX_EVENTS} of them.")
    events = (_event(item, position) for position, item in enumerate(items, start=1))
    return [event for event in events if event is not None]


def receive(organization, events: list[Event]) -> dict:
    """Record each event once, with the action whose email it was when the event names it."""
    counts = {"recorded": 0, "repeated": 0}
    for item in events:
        new = delivery.record(organization, source="smtp2go", event_id=item.event_id, kind=item.kind,
                              address=item.address, occurred_at=item.occurred_at, message_id=item.message_id,
                              action=_action(organization, item), detail=item.detail, payload=item.payload)
        counts["recorded" if new else "repeated"] += 1
    return counts


def _event(item: dict, position: int) -> Event | None:
    name = _text(item.get("event")).lower()
    if name == "bounce":
        kind = DeliveryKind.BOUNCE_HARD if _text(item.get("bounce")).lower() == "hard" else DeliveryKind.BOUNCE_SOFT
    elif name in KINDS:
        kind = KINDS[name]
    else:
        return None
    address = parseaddr(_text(item.get("rcpt") or item.get("email")))[1].strip().lower()
    try:
        if len(address) > 254:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        raise BadPayload(f"Event {position} ({name}) has no valid recipient address in “rcpt”.") from None
    message_id = _header(item, "message-id")[:255]
    email_id = _text(item.get("email_id"))[:100]
    match = _ACTION_MESSAGE_ID.match(message_id) or _ACTION_MESSAGE_ID.match(f"<{_header(item, 'x-aiom-action')}@")
    when = item.get("time")
    identity = canonical_json([name, kind, address, email_id or message_id, _text(when)])
    return Event(
        event_id=_text(item.get("event_id"))[:80] or "sha256:" + hashlib.sha256(identity.encode()).hexdigest()[:64],
        kind=kind, address=address, occurred_at=_when(when) or _when(item.get("sendtime")) or timezone.now(),
        message_id=message_id, email_id=email_id, action_id=match.group(1).lower() if match else "",
        detail=one_line(_text(item.get("message")) or _text(item.get("context")), 300),
        payload={one_line(key, 40): one_line(value, 300) if isinstance(value, _SCALARS) else "(not kept)"
                 for key, value in list(item.items())[:40]})


def _action(organization, item: Event) -> Action | None:
    """The organisation's action whose email this was: by AIOM's Message-ID, else by SMTP2GO's id."""
    if item.action_id:
        found = Action.objects.filter(organization=organization, pk=item.action_id).first()
        if found is not None:
            return found
    if item.email_id:
        record = OutboundRecord.objects.filter(organization=organization, external_id=item.email_id).first()
        return record.action if record is not None else None
    return None


def _text(value) -> str:
    return str(value).strip()[:1000] if isinstance(value, _SCALARS) and not isinstance(value, bool) else ""


def _header(item: dict, name: str) -> str:
    """A header SMTP2GO copies into the event ("Message-Id"), whatever its case or nesting."""
    for scope in (item, item.get("headers") if isinstance(item.get("headers"), dict) else {}):
        for key, value in scope.items():
            if str(key).lower().replace("_", "-") == name:
                return one_line(_text(value))
    return ""


def _when(value) -> datetime | None:
    """SMTP2GO's UTC timestamps (ISO 8601 or seconds since 1970); None when unreadable or absurd."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            moment = datetime.fromtimestamp(value, dt_timezone.utc)
        elif isinstance(value, str) and value.strip().isdigit():
            moment = datetime.fromtimestamp(int(value.strip()), dt_timezone.utc)
        elif isinstance(value, str) and value.strip():
            moment = datetime.fromisoformat(value.strip()[:40].replace("Z", "+00:00"))
        else:
            return None
    except (ValueError, OverflowError, OSError):
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt_timezone.utc)
    return moment if 2000 <= moment.year <= 2100 else None
