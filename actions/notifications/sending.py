"""What every notification shares: who is told, the context of an email about an action, its
links and message id, and sending with a record written first.

Each message to one address is one `NotificationRecord`, committed before the provider is
called and updated with its answer, as action sends are; so a process that dies mid-send
leaves a record in `sending` rather than no trace. These run outside any transaction (in the
`aiom.actions.notify` task, or after the caller's commit), so each write commits at once.
"""

import logging
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from aiom.models import DECIDING_ROLES, Membership
from aiom.text import one_line
from audit.models import EventType
from audit.services import append_event
from integrations.delivery import DeliveryError
from integrations.email import render_email, send_email

from .. import describe, presentation
from ..fields import Channel
from ..models import Action, Decision, NotificationRecord
from ..tokens import link_url, make_token
from ..policy import approvers
from ..types import LOGIN_REQUIRED_RISKS

logger = logging.getLogger(__name__)

APPROVAL_REQUEST = NotificationRecord.Purpose.APPROVAL_REQUEST.value
APPROVAL_DIGEST = NotificationRecord.Purpose.APPROVAL_DIGEST.value
RESULT = NotificationRecord.Purpose.RESULT.value
SUBJECT_MAX_CHARS = 200


@dataclass(frozen=True)
class Recipient:
    """An address or phone number, and the approver it belongs to (None for the shared
    APPROVAL_EMAIL / APPROVAL_PHONE when it is nobody's: such messages carry no links)."""

    address: str
    user: object | None = None


@dataclass(frozen=True)
class Email:
    """A rendered email for one recipient, ready to go."""

    subject: str
    text: str
    html: str


# ---------------------------------------------------------------------------------------------
# Who is told


def deciding_members(organization) -> list[Membership]:
    return list(Membership.objects.select_related("user")
                .filter(organization=organization, role__in=DECIDING_ROLES, user__is_active=True)
                .order_by("user_id"))


def emails_of(members: list[Membership], shared: str) -> list[Recipient]:
    recipients = [Recipient(member.user.email, member.user) for member in members if member.user.email]
    if shared and shared.lower() not in {recipient.address.lower() for recipient in recipients}:
        recipients.append(Recipient(shared))
    return recipients


def phones_of(members: list[Membership], shared: str) -> list[Recipient]:
    recipients, seen = [], set()
    for member in members:
        if member.phone and member.phone not in seen:
            recipients.append(Recipient(member.phone, member.user))
            seen.add(member.phone)
    if shared and shared not in seen:
        recipients.append(Recipient(shared))
    return recipients


# ---------------------------------------------------------------------------------------------
# Sending, recorded


def send_to_all(action: Action, purpose: str, channel: str, recipients: list[Recipient], send) -> None:
    """`send(recipient)` to each recipient; one failure does not stop the others. Audited as
    one event."""
    if not recipients:
        logger.warning("nobody to notify by %s about action %s (%s)", channel, action.pk, purpose)
        return
    sent, failures = [], []
    for recipient in recipients:
        try:
            send(recipient)
        except DeliveryError as exc:
            logger.warning("%s %s notification for action %s not sent to %s: %s", channel, purpose, action.pk,
                           recipient.address, exc.message)
            failures.append({"recipient": recipient.address, "error": exc.message})
        else:
            sent.append(recipient.address)
    audit_notified(action, purpose, channel, sent, failures)


def audit_notified(action: Action, purpose: str, channel: str, sent: list[str], failures: list[dict],
                   **extra) -> None:
    append_event(action.organization, event_type=EventType.NOTIFIED, action_id=action.pk,
                 data={"purpose": purpose, "channel": channel, "recipients": sent, "failures": failures, **extra})


def open_record(organization_id: int, purpose: str, channel: str, address: str, *, action: Action | None = None,
                message_id: str = "") -> NotificationRecord:
    """The record of a message about to be sent, in `sending`."""
    return NotificationRecord.objects.create(organization_id=organization_id, action=action, purpose=purpose,
                                             channel=channel, address=address, message_id=message_id)


def send_recorded(record: NotificationRecord, send) -> None:
    """Call the provider (`send()` returns its receipt) and write its answer on `record`. A
    DeliveryError is recorded, then raised; anything else leaves the record in `sending`, as a
    crash would, since the message may have left."""
    try:
        receipt = send()
    except DeliveryError as exc:
        record.status = NotificationRecord.Status.FAILED
        record.error = f"{exc.message} (it may have been sent)" if exc.maybe_done else exc.message
        record.save(update_fields=["status", "error", "updated_at"])
        raise
    record.status, record.provider_id = NotificationRecord.Status.SENT, receipt.provider_id
    record.save(update_fields=["status", "provider_id", "updated_at"])


def render(template: str, context: dict, recipient: Recipient) -> Email:
    subject, text, html = render_email(template, {**context, "recipient": recipient})
    return Email(one_line(subject, SUBJECT_MAX_CHARS), text, html)


def send_email_recorded(record: NotificationRecord, email: Email) -> None:
    send_recorded(record, lambda: send_email(to=[record.address], subject=email.subject, text_body=email.text,
                                             html_body=email.html, message_id=record.message_id,
                                             organization_id=record.organization_id))


def email_about(action: Action, purpose: str, template: str, context: dict, recipient: Recipient) -> None:
    """Render, record and send one email about `action`."""
    email = render(template, context, recipient)
    record = open_record(action.organization_id, purpose, Channel.EMAIL, recipient.address, action=action,
                         message_id=message_id(purpose, action.pk))
    send_email_recorded(record, email)


def message_id(purpose: str, subject_id) -> str:
    return f"<{purpose}.{subject_id}.{uuid.uuid4().hex[:12]}@{settings.AIOM_MESSAGE_ID_DOMAIN}>"


# ---------------------------------------------------------------------------------------------
# What an email about an action shows


def action_context(action: Action) -> dict:
    protocol = action.parsed
    return {
        "action": action, "protocol": protocol, "organization": action.organization,
        "card": presentation.ActionCard(action, protocol),
        "company_name": f"AIOM · {action.organization.name}",
        "changes": describe.changes(protocol), "contacts": describe.contacts(protocol),
        "checks": presentation.ActionCard(action, protocol).checks(),
        "expires_in": describe.expires_in(action.expires_at),
        "expires_at": local(action, action.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
        "needs_login": action.risk_level in LOGIN_REQUIRED_RISKS,
        "approvals_required": approvers.progress(action).required,
        "action_url": dashboard_url(action),
    }


def links(action: Action, user) -> dict:
    """One-click approve/reject links for an approver; none for a shared address."""
    if user is None:
        return {}
    return {"approve_url": link_url(make_token(action, user, Decision.APPROVE)),
            "reject_url": link_url(make_token(action, user, Decision.REJECT))}


def dashboard_url(action: Action) -> str:
    return settings.APP_URL + reverse("dashboard:action", args=[action.pk])


def local(action: Action, moment):
    return timezone.localtime(moment, ZoneInfo(action.organization.timezone))
