"""Telling people about actions: approval requests for new pending actions (an email per
approver with one-click links, or a digest every N minutes; an SMS too for high and critical
ones), an in-app notice for each approver when an action they approved ends, and an email on
failure or unknown outcome saying what to do.

Sending happens in a Celery task (`aiom.actions.notify`) enqueued after the transaction that
changed the action commits (`transaction.on_commit`), so a slow mail server never holds up the
proposing process. When the broker cannot take the task, this process sends at once instead:
a notice is never lost, and nothing raises into the caller. A failed send is logged and
audited, and the action still waits in the dashboard. Each channel's sends are one `notified`
audit event; a digest adds one `notified` event to each action it lists.
"""

import logging
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Min
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
from .models import Action, ActionStatus, Decision, DigestItem, Notice, NoticeLevel
from .permissions import DECIDING_ROLES

logger = logging.getLogger(__name__)

APPROVAL_REQUEST = "approval_request"
APPROVAL_DIGEST = "approval_digest"
RESULT = "result"
#: Outcomes a person must act on; an executed action needs no email.
RESULT_STATUSES = frozenset({ActionStatus.FAILED, ActionStatus.OUTCOME_UNKNOWN})
#: How an approved action can end, as its approvers see it in their notices.
NOTICE_LEVELS = {ActionStatus.EXECUTED: NoticeLevel.SUCCESS, ActionStatus.FAILED: NoticeLevel.ERROR,
                 ActionStatus.OUTCOME_UNKNOWN: NoticeLevel.WARNING}
NOTICE_MAX_CHARS = 500
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
        transaction.on_commit(partial(enqueue, APPROVAL_REQUEST, action.pk), robust=True)


def notify_result(action: Action) -> None:
    """Tell the approvers how an action they approved ended: an in-app notice, written with the
    caller's transaction, and for a failed or unknown outcome an email once it has committed."""
    if action.status in NOTICE_LEVELS:
        _post_notices(action)
    if action.status in RESULT_STATUSES:
        transaction.on_commit(partial(enqueue, RESULT, action.pk), robust=True)


def enqueue(purpose: str, action_id) -> None:
    """Hand the sending to a worker; when the broker cannot take it, send from here right away."""
    from .tasks import notify

    try:
        notify.apply_async((purpose, str(action_id)), retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure: deliver here rather than lose it
        logger.warning("could not enqueue the %s notification for action %s (%s); sending it now", purpose,
                       action_id, exc.__class__.__name__)
        deliver(purpose, action_id)


def deliver(purpose: str, action_id) -> None:
    """Send one notification now (what the `aiom.actions.notify` task runs)."""
    {APPROVAL_REQUEST: send_approval_requests, RESULT: send_result}[purpose](action_id)


def send_approval_requests(action_id) -> None:
    action = Action.objects.select_related("organization").get(pk=action_id)
    if action.status != ActionStatus.PENDING_APPROVAL:
        return  # decided, denied or auto-executed meanwhile
    policy = guardrails.policy_for(action.organization)
    members = _deciding_members(action.organization)
    if policy.notify_by_email:
        recipients = _emails_of(members, settings.APPROVAL_EMAIL)
        if policy.approval_digest_minutes:
            _queue_for_digest(action, recipients)
        else:
            context = _action_context(action)
            _send_all(action, APPROVAL_REQUEST, "email", recipients, partial(_send_approval_email, action, context))
    if policy.notify_by_sms and action.risk_level in LOGIN_REQUIRED_RISKS:
        _send_all(action, APPROVAL_REQUEST, "sms", _phones_of(members, settings.APPROVAL_PHONE),
                  partial(_send_approval_sms, action))


def send_result(action_id) -> None:
    action = Action.objects.select_related("organization").get(pk=action_id)
    if action.status not in RESULT_STATUSES or not guardrails.policy_for(action.organization).notify_by_email:
        return
    approved_by = set(_approver_ids(action))
    members = _deciding_members(action.organization)
    # Those who approved it; everyone who may decide when it ran without approval.
    told = [member for member in members if member.user_id in approved_by] or members
    context = {**_action_context(action), "status": action.get_status_display(),
               "outcome_unknown": action.status == ActionStatus.OUTCOME_UNKNOWN}
    _send_all(action, RESULT, "email", _emails_of(told, settings.APPROVAL_EMAIL),
              partial(_send_action_email, action, "emails/action_result", context, RESULT))


def send_due_digests(now=None) -> int:
    """Send each digest whose oldest waiting action has waited its organisation's digest period
    (so a recipient gets at most one per period); the number of digests sent."""
    now = now or timezone.now()
    waiting = (DigestItem.objects.filter(done_at__isnull=True).order_by()
               .values_list("organization_id", "address", "organization__guardrail_policy__approval_digest_minutes")
               .annotate(oldest=Min("created_at")))
    return sum(_send_digest(organization_id, address, now)
               for organization_id, address, minutes, oldest in waiting
               if oldest + timedelta(minutes=minutes or 0) <= now)


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
    _audit_notified(action, purpose, channel, sent, failures)


def _audit_notified(action: Action, purpose: str, channel: str, sent: list[str], failures: list[dict],
                    **extra) -> None:
    append_event(action.organization, event_type=EventType.NOTIFIED, action_id=action.pk,
                 data={"purpose": purpose, "channel": channel, "recipients": sent, "failures": failures, **extra})


def _queue_for_digest(action: Action, recipients: list[Recipient]) -> None:
    """Put the action in each recipient's next digest (once: a redelivered task adds nothing)."""
    if not recipients:
        logger.warning("nobody to notify by email about action %s (%s)", action.pk, APPROVAL_DIGEST)
    DigestItem.objects.bulk_create(
        [DigestItem(organization_id=action.organization_id, action=action, user=recipient.user,
                    address=recipient.address) for recipient in recipients],
        ignore_conflicts=True)


def _send_digest(organization_id: int, address: str, now) -> bool:
    """Send one recipient's digest of the actions still pending, in one transaction with the
    record of what it listed: concurrent runs skip locked items, and a transient failure
    leaves the items waiting for the next run (a crash after sending may repeat it once)."""
    with transaction.atomic():
        items = list(DigestItem.objects.select_for_update(skip_locked=True, of=("self",))
                     .select_related("action__organization", "user")
                     .filter(organization_id=organization_id, address=address, done_at__isnull=True)
                     .order_by("action__expires_at", "created_at"))
        listed = [item for item in items
                  if item.action.status == ActionStatus.PENDING_APPROVAL and item.action.expires_at > now]
        _close([item for item in items if item not in listed], DigestItem.Outcome.LEFT_OUT, now)
        if not listed:
            return False
        action_ids = [str(item.action_id) for item in listed]
        try:
            _send_digest_email(listed)
        except DeliveryError as exc:
            logger.warning("approval digest to %s not sent (%s): %s", address,
                           "retrying next run" if exc.transient and not exc.maybe_sent else "giving up", exc.message)
            if exc.transient and not exc.maybe_sent:
                return False
            _close(listed, DigestItem.Outcome.FAILED, now)
            for item in listed:
                _audit_notified(item.action, APPROVAL_DIGEST, "email", [],
                                [{"recipient": address, "error": exc.message}], digest=action_ids)
            return False
        _close(listed, DigestItem.Outcome.INCLUDED, now)
        for item in listed:
            _audit_notified(item.action, APPROVAL_DIGEST, "email", [address], [], digest=action_ids)
        return True


def _close(items: list[DigestItem], outcome: str, now) -> None:
    if items:
        DigestItem.objects.filter(pk__in=[item.pk for item in items]).update(done_at=now, outcome=outcome)


def _send_digest_email(items: list[DigestItem]) -> None:
    first = items[0]
    recipient = Recipient(first.address, first.user)
    entries = [{**_action_context(item.action), **_links(item.action, item.user)} for item in items]
    context = {"entries": entries, "organization": first.action.organization,
               "company_name": f"AIOM · {first.action.organization.name}"}
    _send_email("emails/approval_digest", context, recipient, _message_id(APPROVAL_DIGEST, first.organization_id))


def _send_approval_email(action: Action, context: dict, recipient: Recipient) -> None:
    _send_action_email(action, "emails/approval_request", {**context, **_links(action, recipient.user)},
                       APPROVAL_REQUEST, recipient)


def _links(action: Action, user) -> dict:
    """One-click approve/reject links for an approver; none for a shared address."""
    if user is None:
        return {}
    return {"approve_url": link_url(make_token(action, user, Decision.APPROVE)),
            "reject_url": link_url(make_token(action, user, Decision.REJECT))}


def _send_action_email(action: Action, template: str, context: dict, purpose: str, recipient: Recipient) -> None:
    _send_email(template, context, recipient, _message_id(purpose, action.pk))


def _send_email(template: str, context: dict, recipient: Recipient, message_id: str) -> None:
    subject, text, html = render_email(template, {**context, "recipient": recipient})
    send_email(to=[recipient.address], subject=_one_line(subject, SUBJECT_MAX_CHARS), text_body=text, html_body=html,
               message_id=message_id)


def _message_id(purpose: str, subject_id) -> str:
    return f"<{purpose}.{subject_id}.{uuid.uuid4().hex[:12]}@{settings.AIOM_MESSAGE_ID_DOMAIN}>"


def _post_notices(action: Action) -> None:
    level = NOTICE_LEVELS[action.status]
    title = _one_line(action.title)
    text = {NoticeLevel.SUCCESS: f"Executed: {title}",
            NoticeLevel.ERROR: f"Failed: {title}. {_one_line(action.error or action.status_reason)}",
            NoticeLevel.WARNING: f"Outcome unknown: {title}. Check whether it went out, then resolve it."}[level]
    Notice.objects.bulk_create([
        Notice(user_id=user_id, organization_id=action.organization_id, action=action, level=level,
               text=Truncator(text.strip()).chars(NOTICE_MAX_CHARS))
        for user_id in _approver_ids(action)])


def _approver_ids(action: Action) -> list[int]:
    """Who approved the version of the action that ran."""
    return list(action.current_approvals().values_list("user", flat=True))


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
