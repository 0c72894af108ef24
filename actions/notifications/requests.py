"""Asking the approvers about an action waiting for them: an email each with their own
one-click links (or a place in their next digest), and for the risks that call for it an SMS
with the link to approve. Each channel's sends are one `notified` audit event."""

from functools import partial

from django.conf import settings

from aiom.text import one_line
from integrations.channels import SMS_MAX_CHARS
from integrations.sms import sms_gateway_from_settings

from .. import guardrails
from ..fields import Channel
from ..models import Action, ActionStatus, Decision
from ..tokens import link_url, make_token
from ..types import SMS_NOTIFY_RISKS
from .digests import queue_for_digest
from .sending import (APPROVAL_REQUEST, Recipient, action_context, dashboard_url, deciding_members, email_about,
                      emails_of, links, local, open_record, phones_of, send_recorded, send_to_all)


def send_approval_requests(action_id) -> None:
    action = Action.objects.select_related("organization").get(pk=action_id)
    if action.status != ActionStatus.PENDING_APPROVAL:
        return  # decided, denied or auto-executed meanwhile
    policy = guardrails.policy_for(action.organization)
    members = deciding_members(action.organization)
    if policy.notify_by_email:
        recipients = emails_of(members, settings.APPROVAL_EMAIL)
        if policy.approval_digest_minutes:
            queue_for_digest(action, recipients)
        else:
            send_to_all(action, APPROVAL_REQUEST, "email", recipients, partial(_email, action, action_context(action)))
    if policy.notify_by_sms and action.risk_level in SMS_NOTIFY_RISKS:
        send_to_all(action, APPROVAL_REQUEST, "sms", phones_of(members, settings.APPROVAL_PHONE),
                    partial(_sms, action))


def sms_text(action: Action, url: str) -> str:
    """A short approval request that fits one concatenated SMS, the link always whole."""
    expires = local(action, action.expires_at).strftime("%d %b %H:%M")
    head = f"AIOM: {action.risk_level} risk action needs your approval: "
    tail = f" Expires {expires}. Review: {url}"
    room = max(SMS_MAX_CHARS - len(head) - len(tail), 1)
    return head + one_line(action.title, room) + tail


def _email(action: Action, context: dict, recipient: Recipient) -> None:
    email_about(action, APPROVAL_REQUEST, "emails/approval_request", {**context, **links(action, recipient.user)},
                recipient)


def _sms(action: Action, recipient: Recipient) -> None:
    if recipient.user is not None:
        url = link_url(make_token(action, recipient.user, Decision.APPROVE))
    else:
        url = dashboard_url(action)
    key = f"approval:{action.pk}:r{action.revision}:{recipient.address.lstrip('+')}"
    body = sms_text(action, url)
    record = open_record(action.organization_id, APPROVAL_REQUEST, Channel.SMS, recipient.address, action=action,
                         message_id=key)
    send_recorded(record, partial(sms_gateway_from_settings().send, to=recipient.address, body=body,
                                  idempotency_key=key, organization_id=action.organization_id))
