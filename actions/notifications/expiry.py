"""Warning approvers before a high-value action expires unseen: `expiry_warning_hours` before
its expiry (0 turns it off), each approver gets one email with fresh links, once per action.

A run claims an action under its row lock by writing one record per address, commits, and only
then sends; a later run sees the records and sends nothing again, even when a send failed (the
action still waits in the dashboard, and the approval request went out when it was proposed).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from aiom.models import Organization

from .. import guardrails
from ..fields import Channel
from ..models import Action, ActionStatus, NotificationRecord
from .sending import (Recipient, action_context, deciding_members, emails_of, links, message_id, render,
                      send_email_recorded, send_to_all)

logger = logging.getLogger(__name__)

EXPIRY_WARNING = NotificationRecord.Purpose.EXPIRY_WARNING.value


def send_expiry_warnings(now=None) -> int:
    """Warn about every high-value pending action entering its organisation's warning window;
    the number of actions warned about."""
    now = now or timezone.now()
    warned = 0
    organizations = Organization.objects.filter(
        actions__status=ActionStatus.PENDING_APPROVAL, actions__expires_at__gt=now).distinct()
    for organization in organizations:
        policy = guardrails.policy_for(organization)
        if not policy.expiry_warning_hours or not policy.notify_by_email:
            continue
        due = (Action.objects.select_related("organization")
               .filter(organization=organization, status=ActionStatus.PENDING_APPROVAL, expires_at__gt=now,
                       expires_at__lte=now + timedelta(hours=policy.expiry_warning_hours))
               .exclude(notifications__purpose=EXPIRY_WARNING).order_by("expires_at"))
        for action in due:
            if guardrails.is_high_value(policy, action.parsed) and _warn(action, now):
                warned += 1
    return warned


def _warn(action: Action, now) -> bool:
    claimed = _claim(action, now)
    if not claimed:
        return False
    context = action_context(action)
    records = {recipient.address: record for record, recipient in claimed}

    def send(recipient: Recipient) -> None:
        email = render("emails/expiry_warning", {**context, **links(action, recipient.user)}, recipient)
        send_email_recorded(records[recipient.address], email)

    send_to_all(action, EXPIRY_WARNING, "email", [recipient for _, recipient in claimed], send)
    return True


def _claim(action: Action, now) -> list[tuple[NotificationRecord, Recipient]]:
    """Under the action's lock: one record per approver's address, unless a run got there first
    or the action was decided meanwhile."""
    with transaction.atomic():
        locked = Action.objects.select_for_update(no_key=True).filter(
            pk=action.pk, status=ActionStatus.PENDING_APPROVAL, expires_at__gt=now).first()
        if locked is None or NotificationRecord.objects.filter(action=action, purpose=EXPIRY_WARNING).exists():
            return []
        recipients = emails_of(deciding_members(action.organization), settings.APPROVAL_EMAIL)
        if not recipients:
            logger.warning("nobody to warn about action %s expiring", action.pk)
        return [(NotificationRecord.objects.create(
                    organization_id=action.organization_id, action=action, purpose=EXPIRY_WARNING,
                    channel=Channel.EMAIL, address=recipient.address,
                    message_id=message_id(EXPIRY_WARNING, action.pk)), recipient)
                for recipient in recipients]
