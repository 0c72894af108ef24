"""Approval digests: with `approval_digest_minutes` set, each address gets at most one email
per period, listing every action still pending, each with its own links.

A run claims one address's waiting items under row locks (SKIP LOCKED, so concurrent runs
take different ones), writes the digest's record, marks the items as claimed by it and
commits. Only then does it send, outside any transaction, and close the items: included; or,
after a transient failure that cannot have sent anything, released for the next run; or
failed for good. A claim whose record is still `sending` after `claim_timeout()` belongs to a
process that died mid-send: its items are released, so a crash after sending may repeat a
digest once, and none is lost.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from integrations.delivery import DeliveryError

from ..fields import Channel
from ..models import Action, ActionStatus, DigestItem, NotificationRecord
from .sending import (APPROVAL_DIGEST, Email, Recipient, action_context, audit_notified, links, message_id, render,
                      send_email_recorded)

logger = logging.getLogger(__name__)


def queue_for_digest(action: Action, recipients: list[Recipient]) -> None:
    """Put the action in each recipient's next digest (once: a redelivered task adds nothing)."""
    if not recipients:
        logger.warning("nobody to notify by email about action %s (%s)", action.pk, APPROVAL_DIGEST)
    DigestItem.objects.bulk_create(
        [DigestItem(organization_id=action.organization_id, action=action, user=recipient.user,
                    address=recipient.address) for recipient in recipients],
        ignore_conflicts=True)


def send_due_digests(now=None) -> int:
    """Send each digest whose oldest waiting action has waited its organisation's digest period
    (so a recipient gets at most one per period); the number of digests sent."""
    now = now or timezone.now()
    _release_abandoned_claims()
    waiting = (DigestItem.objects.filter(done_at__isnull=True, record__isnull=True).order_by()
               .values_list("organization_id", "address", "organization__guardrail_policy__approval_digest_minutes")
               .annotate(oldest=Min("created_at")))
    return sum(_send_digest(organization_id, address, now)
               for organization_id, address, minutes, oldest in waiting
               if oldest + timedelta(minutes=minutes or 0) <= now)


def claim_timeout() -> timedelta:
    """How long a live process may take to send one digest: a worker is stopped at its hard
    time limit, so a claim older than that (and than a few minutes) is a dead one's."""
    return max(timedelta(minutes=5), timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT))


def _send_digest(organization_id: int, address: str, now) -> bool:
    claim = _claim(organization_id, address, now)
    if claim is None:
        return False
    record, listed, email = claim
    action_ids = [str(item.action_id) for item in listed]
    try:
        send_email_recorded(record, email)
    except DeliveryError as exc:
        retry = exc.transient and not exc.maybe_done
        logger.warning("approval digest to %s not sent (%s): %s", address,
                       "retrying next run" if retry else "giving up", exc.message)
        if retry:
            DigestItem.objects.filter(pk__in=[item.pk for item in listed]).update(record=None)
            return False
        with transaction.atomic():
            _close(listed, DigestItem.Outcome.FAILED, now)
            for item in listed:
                audit_notified(item.action, APPROVAL_DIGEST, "email", [],
                               [{"recipient": address, "error": exc.message}], digest=action_ids)
        return False
    with transaction.atomic():
        _close(listed, DigestItem.Outcome.INCLUDED, now)
        for item in listed:
            audit_notified(item.action, APPROVAL_DIGEST, "email", [address], [], digest=action_ids)
    return True


def _claim(organization_id: int, address: str, now) -> tuple[NotificationRecord, list[DigestItem], Email] | None:
    """Under the items' locks: leave out the actions no longer pending, render the digest of
    the others and claim them for its record. None when nothing is left to send."""
    with transaction.atomic():
        items = list(DigestItem.objects.select_for_update(skip_locked=True, of=("self",))
                     .select_related("action__organization", "user")
                     .filter(organization_id=organization_id, address=address, done_at__isnull=True,
                             record__isnull=True)
                     .order_by("action__expires_at", "created_at"))
        listed = [item for item in items
                  if item.action.status == ActionStatus.PENDING_APPROVAL and item.action.expires_at > now]
        _close([item for item in items if item not in listed], DigestItem.Outcome.LEFT_OUT, now)
        if not listed:
            return None
        email = _render(listed)
        record = NotificationRecord.objects.create(
            organization_id=organization_id, purpose=APPROVAL_DIGEST, channel=Channel.EMAIL, address=address,
            message_id=message_id(APPROVAL_DIGEST, organization_id))
        DigestItem.objects.filter(pk__in=[item.pk for item in listed]).update(record=record)
    return record, listed, email


def _render(items: list[DigestItem]) -> Email:
    first = items[0]
    organization = first.action.organization
    entries = [{**action_context(item.action), **links(item.action, item.user)} for item in items]
    context = {"entries": entries, "organization": organization, "company_name": f"AIOM · {organization.name}"}
    return render("emails/approval_digest", context, Recipient(first.address, first.user))


def _release_abandoned_claims() -> None:
    cutoff = timezone.now() - claim_timeout()
    released = (DigestItem.objects.filter(done_at__isnull=True, record__status=NotificationRecord.Status.SENDING,
                                          record__created_at__lt=cutoff)
                .update(record=None))
    if released:
        logger.warning("%d approval digest item(s) were claimed by a digest that never finished sending; "
                       "they go in the next digest", released)


def _close(items: list[DigestItem], outcome: str, now) -> None:
    if items:
        DigestItem.objects.filter(pk__in=[item.pk for item in items]).update(done_at=now, outcome=outcome)
