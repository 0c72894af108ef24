"""Telling people about actions: approval requests for new pending actions (an email per
approver with one-click links; an SMS too for high and critical ones) and, after execution,
what to do when an action failed or its outcome is unknown.

Sending runs after the transaction that changed the action commits (`transaction.on_commit`),
never inside it, and never raises into it: a failed send is logged and audited, and the action
still waits in the dashboard. Each channel's sends are one `notified` audit event.
"""

import logging
import unicodedata
import uuid
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from aiom.models import Membership
from audit.models import EventType
from audit.services import append_event
from integrations.delivery import DeliveryError
from integrations.email import render_email, send_email
from integrations.sms import MAX_BODY_CHARS, sms_gateway_from_settings

from . import guardrails, presentation
from .approval_links import LOGIN_REQUIRED_RISKS, link_url, make_token
from .models import Action, ActionStatus, Decision
from .permissions import DECIDING_ROLES

logger = logging.getLogger(__name__)

APPROVAL_REQUEST = "approval_request"
RESULT = "result"
#: Outcomes a person must act on; an executed action needs no email.
RESULT_STATUSES = frozenset({ActionStatus.FAILED, ActionStatus.OUTCOME_UNKNOWN})
SUBJECT_MAX_CHARS = 200


@dataclass(frozen=True)
class Recipient:
    """An address or phone number, and the approver it belongs to (None for the shared
    APPROVAL_EMAIL / APPROVAL_PHONE when it is nobody's: such messages carry no links)."""

    address: str
    user: object | None = None


def notify_pending(action: Action) -> None:
    """Ask the approvers about an action waiting for them, once the transaction has committed."""
    if action.status == ActionStatus.PENDING_APPROVAL:
        transaction.on_commit(partial(send_approval_requests, action.pk), robust=True)


def notify_result(action: Action) -> None:
    """Tell the approvers about a failed or unknown outcome, once the transaction has committed."""
    if action.status in RESULT_STATUSES:
        transaction.on_commit(partial(send_result, action.pk), robust=True)


def send_approval_requests(action_id) -> None:
    action = Action.objects.select_related("organization").get(pk=action_id)
    if action.status != ActionStatus.PENDING_APPROVAL:
        return  # decided, denied or auto-executed meanwhile
    policy = guardrails.policy_for(action.organization)
    members = _deciding_members(action.organization)
    if policy.notify_by_email:
        context = _action_context(action)
        _send_all(action, APPROVAL_REQUEST, "email", _emails_of(members, settings.APPROVAL_EMAIL),
                  partial(_send_approval_email, action, context))
    if policy.notify_by_sms and action.risk_level in LOGIN_REQUIRED_RISKS:
        _send_all(action, APPROVAL_REQUEST, "sms", _phones_of(members, settings.APPROVAL_PHONE),
                  partial(_send_approval_sms, action))


def send_result(action_id) -> None:
    action = Action.objects.select_related("organization").get(pk=action_id)
    if action.status not in RESULT_STATUSES or not guardrails.policy_for(action.organization).notify_by_email:
        return
    approved_by = set(action.approvals.filter(decision=Decision.APPROVE, protocol_hash=action.protocol_hash)
                      .values_list("user", flat=True))
    members = _deciding_members(action.organization)
    # Those who approved it; everyone who may decide when it ran without approval.
    told = [member for member in members if member.user_id in approved_by] or members
    context = {**_action_context(action), "status": action.get_status_display(),
               "outcome_unknown": action.status == ActionStatus.OUTCOME_UNKNOWN}
    _send_all(action, RESULT, "email", _emails_of(told, settings.APPROVAL_EMAIL),
              partial(_send_email, action, "emails/action_result", context, RESULT))


def sms_text(action: Action, url: str) -> str:
    """A short approval request that fits one concatenated SMS, the link always whole."""
    expires = _local(action, action.expires_at).strftime("%d %b %H:%M")
    head = f"AIOM: {action.risk_level} risk action needs your approval: "
    tail = f" Expires {expires}. Review: {url}"
    room = max(MAX_BODY_CHARS - len(head) - len(tail), 1)
    return head + Truncator(_one_line(action.title)).chars(room) + tail


def _send_all(action: Action, purpose: str, channel: str, recipients: list[Recipient], send) -> None:
    """Send to each recipient; one failure does not stop the others. Audited as one event."""
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
    append_event(action.organization, event_type=EventType.NOTIFIED, action_id=action.pk,
                 data={"purpose": purpose, "channel": channel, "recipients": sent, "failures": failures})


def _send_approval_email(action: Action, context: dict, recipient: Recipient) -> None:
    links = {}
    if recipient.user is not None:
        links = {"approve_url": link_url(make_token(action, recipient.user, Decision.APPROVE)),
                 "reject_url": link_url(make_token(action, recipient.user, Decision.REJECT))}
    _send_email(action, "emails/approval_request", {**context, **links}, APPROVAL_REQUEST, recipient)


def _send_email(action: Action, template: str, context: dict, purpose: str, recipient: Recipient) -> None:
    subject, text, html = render_email(template, {**context, "recipient": recipient})
    send_email(to=[recipient.address], subject=_one_line(subject, SUBJECT_MAX_CHARS), text_body=text, html_body=html,
               message_id=f"<{purpose}.{action.pk}.{uuid.uuid4().hex[:12]}@{settings.AIOM_MESSAGE_ID_DOMAIN}>")


def _send_approval_sms(action: Action, recipient: Recipient) -> None:
    if recipient.user is not None:
        url = link_url(make_token(action, recipient.user, Decision.APPROVE))
    else:
        url = _dashboard_url(action)
    digits = recipient.address.lstrip("+")
    sms_gateway_from_settings().send(to=recipient.address, body=sms_text(action, url),
                                     idempotency_key=f"approval:{action.pk}:r{action.revision}:{digits}")


def _deciding_members(organization) -> list[Membership]:
    return list(Membership.objects.select_related("user")
                .filter(organization=organization, role__in=DECIDING_ROLES, user__is_active=True)
                .order_by("user_id"))


def _emails_of(members: list[Membership], shared: str) -> list[Recipient]:
    recipients = [Recipient(member.user.email, member.user) for member in members if member.user.email]
    if shared and shared.lower() not in {recipient.address.lower() for recipient in recipients}:
        recipients.append(Recipient(shared))
    return recipients


def _phones_of(members: list[Membership], shared: str) -> list[Recipient]:
    recipients, seen = [], set()
    for member in members:
        if member.phone and member.phone not in seen:
            recipients.append(Recipient(member.phone, member.user))
            seen.add(member.phone)
    if shared and shared not in seen:
        recipients.append(Recipient(shared))
    return recipients


def _action_context(action: Action) -> dict:
    protocol = action.parsed
    return {
        "action": action, "protocol": protocol, "organization": action.organization,
        "company_name": f"AIOM · {action.organization.name}",
        "changes": presentation.changes(protocol), "contacts": presentation.contacts(protocol),
        "checks": presentation.checks(protocol),
        "expires_in": presentation.expires_in(action.expires_at),
        "expires_at": _local(action, action.expires_at).strftime("%Y-%m-%d %H:%M %Z"),
        "needs_login": action.risk_level in LOGIN_REQUIRED_RISKS,
        "action_url": _dashboard_url(action),
    }


def _dashboard_url(action: Action) -> str:
    return settings.APP_URL + reverse("dashboard:action", args=[action.pk])


def _local(action: Action, moment):
    return timezone.localtime(moment, ZoneInfo(action.organization.timezone))


def _one_line(text: str, limit: int | None = None) -> str:
    """One line of plain text: no line breaks or other control or format characters (text
    from Odoo or a model may hold anything), at most `limit` characters."""
    text = " ".join("".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text).split())
    return Truncator(text).chars(limit) if limit else text
