"""Delivery problems: an email that bounced, that its recipient marked as spam, or from which
they unsubscribed. Each is recorded once (`DeliveryEvent`: a repeated delivery of the same event
does nothing more). A hard bounce, a spam complaint or an unsubscribe suppresses the address
(`SuppressedAddress`): the open follow-ups of the customers emailed there stop and their pending
levels are withdrawn, an alert says what to do, the cards of pending actions emailing it say so,
and the engine proposes no email level to it, until a person allows it again (`lift`, which lets
the follow-ups it stopped go on). A soft bounce is recorded and shown, and suppresses nothing.

Events come from SMTP2GO's webhook (`followups/smtp2go.py`) or, without it, from a bounce that
landed in Odoo's chatter after our last level (`bounced_in_chatter`, read by the engine).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import Action, ActionStatus
from actions.permissions import ensure_can_decide
from actions.policy import autonomy
from aiom.errors import Conflict
from aiom.text import one_line
from analyzers.alerts import raise_alert, resolve_alert
from analyzers.base import odoo_datetime
from analyzers.contacts import email_addresses
from analyzers.models import Severity

from . import reading
from .models import (DeliveryEvent, DeliveryKind, EventKind, FollowUp, FollowUpEvent, FollowUpStatus, LevelChannel,
                     LevelOutcome, SuppressedAddress)
from .proposals import CannotReach
from .steps import event, withdraw_pending

SUPPRESSING = (DeliveryKind.BOUNCE_HARD, DeliveryKind.SPAM, DeliveryKind.UNSUBSCRIBE)
#: The customer objected: earned autonomy for what messaged them ends (`actions.policy.autonomy`).
COMPLAINTS = (DeliveryKind.SPAM, DeliveryKind.UNSUBSCRIBE)
OPEN = (FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED)
WHERE = "Follow-ups → Delivery problems"
#: What to do, by kind, in the alert and the follow-up's history.
TO_DO = {
    DeliveryKind.BOUNCE_HARD: f"Fix the address in Odoo (or ask the customer for the right one), then press "
                              f"“Allow again” under {WHERE}.",
    DeliveryKind.SPAM: f"Ask the customer how they want to hear from you; once they agree to emails again, press "
                       f"“Allow again” under {WHERE}.",
    DeliveryKind.UNSUBSCRIBE: f"Ask the customer how they want to hear from you; once they agree to emails again, "
                              f"press “Allow again” under {WHERE}.",
}
#: How many recent actions are searched for the customers emailed at a suppressed address.
SEARCHED_ACTIONS = 200


def record(organization, *, source: str, event_id: str, kind: str, address: str, occurred_at: datetime,
           message_id: str = "", action: Action | None = None, detail: str = "", payload: dict | None = None,
           follow_ups=(), now: datetime | None = None) -> bool:
    """Record one event and act on it, once: False when it was recorded before (nothing is done)."""
    with transaction.atomic():
        found, created = DeliveryEvent.objects.get_or_create(
            organization=organization, source=source, event_id=event_id[:100],
            defaults={"kind": kind, "address": address.lower()[:254], "occurred_at": occurred_at,
                      "message_id": message_id[:255], "action": action, "detail": one_line(detail, 300),
                      "payload": payload or {}})
        if created:
            _act(found, list(follow_ups), now or timezone.now())
    return created


def _act(delivery_event: DeliveryEvent, follow_ups: list, now: datetime) -> None:
    if delivery_event.action_id and delivery_event.kind == DeliveryKind.BOUNCE_HARD:
        LevelOutcome.objects.filter(action_id=delivery_event.action_id).update(bounced=True)
    linked = _follow_up_of(delivery_event.action)
    if delivery_event.kind not in SUPPRESSING:
        if linked is not None:
            event(linked, EventKind.BOUNCED, f"{happened(delivery_event)}. Nothing changes: the provider tries again "
                                             "and AIOM keeps chasing.", now, delivery_event_id=delivery_event.pk)
        return
    suppression, new = _suppression(delivery_event)
    partners = _partners_emailed_at(delivery_event.organization, suppression.address)
    if delivery_event.action is not None and delivery_event.action.partner_id:
        partners.add(delivery_event.action.partner_id)
    if delivery_event.kind in COMPLAINTS:  # what ran without approval for them goes back to approval
        for partner_id in sorted(partners):
            autonomy.record_complaint(delivery_event.organization, partner_id, reason=f"{happened(delivery_event)}.")
    targets = {f.pk: f for f in [*([linked] if linked is not None else []), *FollowUp.objects.filter(
        organization=delivery_event.organization, status__in=OPEN, partner_id__in=partners), *follow_ups]
        if f.status in OPEN}  # the caller's own objects last: they are the ones it goes on with
    stopped = [f for f in targets.values() if _stop(f, delivery_event, suppression, now)]
    names = [f.target_name for f in stopped if f.target_name]
    if not suppression.customer and (names or delivery_event.action is not None):
        suppression.customer = (names[0] if names else
                                str(delivery_event.action.protocol.get("metadata", {}).get("partner_name") or ""))[:255]
    suppression.stopped_follow_ups = sorted({*suppression.stopped_follow_ups, *(f.pk for f in stopped)})
    suppression.save(update_fields=["customer", "stopped_follow_ups"])
    if new or stopped:
        _alert(suppression, delivery_event, len(stopped))


def _suppression(delivery_event: DeliveryEvent) -> tuple[SuppressedAddress, bool]:
    """The address's standing suppression, or a new one (one per address: a race finds the other's)."""
    fields = {"organization": delivery_event.organization, "address": delivery_event.address, "lifted_at": None}
    standing = SuppressedAddress.objects.filter(**fields).first()
    if standing is not None:
        return standing, False
    try:
        with transaction.atomic():
            return SuppressedAddress.objects.create(**fields, reason=delivery_event.kind,
                                                    since=delivery_event.occurred_at, event=delivery_event), True
    except IntegrityError:
        return SuppressedAddress.objects.get(**fields), False


def _follow_up_of(action: Action | None) -> FollowUp | None:
    if action is None or action.source != "follow_up":
        return None
    follow_up_id = action.protocol.get("metadata", {}).get("follow_up_id")
    return FollowUp.objects.filter(organization_id=action.organization_id, pk=follow_up_id).first() \
        if isinstance(follow_up_id, int) else None


def _partners_emailed_at(organization, address: str) -> set[int]:
    """The customers AIOM emailed (or means to) at `address`, read from the actions' recipients."""
    partners = set()
    actions = (Action.objects.filter(organization=organization, protocol__external_effects__icontains=address)
               .order_by("-created_at").only("protocol", "partner_id")[:SEARCHED_ACTIONS])
    for action in actions:
        for effect in action.protocol.get("external_effects") or []:
            if (isinstance(effect, dict) and effect.get("effect_type") == "email"
                    and str(effect.get("recipient", "")).lower() == address):
                partner = effect.get("recipient_partner_id") or action.partner_id
                if isinstance(partner, int):
                    partners.add(partner)
    return partners


def _stop(follow_up: FollowUp, delivery_event: DeliveryEvent, suppression: SuppressedAddress, now) -> bool:
    reason = one_line(f"Stopped: {happened(delivery_event)}.", 300)
    if not FollowUp.objects.filter(pk=follow_up.pk, status__in=OPEN).update(
            status=FollowUpStatus.STOPPED, reason=reason, next_due_at=None, paused_until=None, updated_at=now):
        return False
    follow_up.status, follow_up.reason, follow_up.next_due_at = FollowUpStatus.STOPPED, reason, None
    event(follow_up, EventKind.BOUNCED, f"{reason} {TO_DO[delivery_event.kind]}", now, address=suppression.address,
          delivery_event_id=delivery_event.pk, suppression_id=suppression.pk)
    withdraw_pending(follow_up, one_line(f"The customer's email address {suppression.address} no longer receives "
                                         "our emails.", 300))
    return True


def _alert(suppression: SuppressedAddress, delivery_event: DeliveryEvent, stopped: int) -> None:
    customer = suppression.customer or "a customer"
    title = {DeliveryKind.BOUNCE_HARD: f"Email to {customer} bounced",
             DeliveryKind.SPAM: f"{customer} marked an email as spam",
             DeliveryKind.UNSUBSCRIBE: f"{customer} unsubscribed from your emails"}[suppression.reason]
    follow_ups = f" and stopped {stopped} follow-up{'s' if stopped != 1 else ''}" if stopped else ""
    raise_alert(suppression.organization, key=alert_key(suppression.address), severity=Severity.MEDIUM,
                title=title[:1].upper() + title[1:],
                message=f"{happened(delivery_event)}. AIOM emails nothing more to this address{follow_ups}. "
                        f"{TO_DO[suppression.reason]}")


def alert_key(address: str) -> str:
    return f"delivery:{address}"[:64]


def happened(delivery_event: DeliveryEvent) -> str:
    """What happened, in words: "The email to a@b.example bounced on 3 Dec (hard bounce: …)"."""
    address, day = delivery_event.address, _day(delivery_event.occurred_at, delivery_event.organization)
    return {
        DeliveryKind.BOUNCE_HARD: f"The email to {address} bounced on {day} (hard bounce: the address does not "
                                  "exist or refuses mail)",
        DeliveryKind.BOUNCE_SOFT: f"The email to {address} bounced on {day} (soft bounce: a full mailbox or a "
                                  "server that was away)",
        DeliveryKind.SPAM: f"{address} marked an email from you as spam on {day}",
        DeliveryKind.UNSUBSCRIBE: f"{address} unsubscribed from your emails on {day}",
    }[delivery_event.kind]


def _day(moment: datetime, organization) -> str:
    local = moment.astimezone(ZoneInfo(organization.timezone))
    return f"{local.day} {local:%b}"


def lift(suppression: SuppressedAddress, user, *, now: datetime | None = None) -> int:
    """A person allows the address again: the alert is resolved and the follow-ups it stopped go
    on (unless the customer has another open one); returns how many did."""
    organization = suppression.organization
    ensure_can_decide(user, organization)
    now = now or timezone.now()
    resumed = 0
    with transaction.atomic():
        locked = SuppressedAddress.objects.select_for_update().get(pk=suppression.pk)
        if locked.lifted_at is not None:
            raise Conflict(f"{locked.address} was already allowed again.")
        locked.lifted_at, locked.lifted_by = now, user
        locked.save(update_fields=["lifted_at", "lifted_by"])
        resolve_alert(organization, key=alert_key(locked.address))
        for follow_up in FollowUp.objects.filter(organization=organization, pk__in=locked.stopped_follow_ups,
                                                 status=FollowUpStatus.STOPPED):
            if FollowUp.objects.filter(organization=organization, target_model=follow_up.target_model,
                                       target_id=follow_up.target_id, status__in=OPEN).exists():
                continue
            follow_up.status, follow_up.reason = FollowUpStatus.ACTIVE, ""
            follow_up.save(update_fields=["status", "reason", "updated_at"])
            FollowUpEvent.objects.create(follow_up=follow_up, at=now, kind=EventKind.RESUMED, user=user,
                                         text=one_line(f"{user.get_username()} allowed {locked.address} again: "
                                                       "chasing goes on from the next level.", 500))
            resumed += 1
    return resumed


def ensure_deliverable(organization, channel: str, email: str | None) -> None:
    """Raise CannotReach when an email level would go to a suppressed address."""
    if channel != LevelChannel.EMAIL:
        return
    addresses = [address.lower() for address in email_addresses(email)]
    found = SuppressedAddress.objects.filter(organization=organization, lifted_at__isnull=True,
                                             address__in=addresses).order_by("since").first() if addresses else None
    if found is not None:
        what = {DeliveryKind.BOUNCE_HARD: "bounced", DeliveryKind.SPAM: "marked an email as spam",
                DeliveryKind.UNSUBSCRIBE: "unsubscribed"}[found.reason]
        raise CannotReach(f"{found.address} {what} on {_day(found.since, organization)}; fix it in Odoo, then "
                          f"“Allow again” under {WHERE}")


def card_notes(actions) -> dict:
    """What each pending email's card says about a suppressed recipient, in one query per page:
    {action id: ["a@b.example bounced on 3 Dec (hard bounce): the message will probably not arrive."]}."""
    wanted = {}
    for action in actions:
        if action.status not in (ActionStatus.PENDING_APPROVAL, ActionStatus.APPROVED):
            continue
        inputs = (action.protocol.get("operation") or {}).get("inputs") or {}
        recipients = [*_listed(inputs.get("to")), *_listed(inputs.get("cc"))]
        if recipients:
            wanted[action.pk] = (action.organization_id, recipients)
    if not wanted:
        return {}
    addresses = {address for _, recipients in wanted.values() for address in recipients}
    suppressed = {(s.organization_id, s.address): s for s in SuppressedAddress.objects.filter(
        organization_id__in={org for org, _ in wanted.values()}, lifted_at__isnull=True,
        address__in=addresses).select_related("organization")}
    notes = {}
    for pk, (organization_id, recipients) in wanted.items():
        found = [suppressed[(organization_id, a)] for a in recipients if (organization_id, a) in suppressed]
        if found:
            notes[pk] = [_card_note(s) for s in found]
    return notes


def _listed(value) -> list[str]:
    return [str(item).strip().lower() for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _card_note(suppression: SuppressedAddress) -> str:
    day = _day(suppression.since, suppression.organization)
    return {DeliveryKind.BOUNCE_HARD: f"{suppression.address} bounced on {day} (hard bounce): the message will "
                                      "probably not arrive.",
            DeliveryKind.SPAM: f"{suppression.address} marked an earlier email as spam on {day}: sending again may "
                               "put your emails in spam filters.",
            DeliveryKind.UNSUBSCRIBE: f"{suppression.address} unsubscribed on {day}: they asked not to get these "
                                      "emails."}[suppression.reason]


def bounced_in_chatter(ctx, follow_up: FollowUp, customer) -> bool:
    """A bounce of our last level in Odoo's chatter counts as a hard bounce of the customer's
    address (those it names, else all of them); True when it stopped the follow-up."""
    last = max(follow_up.sent.values(), default=None)
    addresses = email_addresses(customer.email)
    if last is None or not addresses:
        return False
    since = datetime.fromisoformat(last).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
    bounces = reading.bounces_since(ctx.odoo, partner_id=customer.partner_id,
                                    invoice_ids=[invoice["id"] for invoice in customer.invoices], since=since)
    if not bounces:
        return False
    message = bounces[0]
    words = f"{message.get('subject') or ''} {message.get('body') or ''}".lower()
    for address in [a for a in addresses if a.lower() in words] or addresses:
        try:
            occurred = odoo_datetime(message.get("date")) or ctx.now
        except (TypeError, ValueError):
            occurred = ctx.now
        record(ctx.organization, source="chatter", event_id=f"mail.message:{message['id']}:{address.lower()}",
               kind=DeliveryKind.BOUNCE_HARD, address=address, occurred_at=occurred,
               action=follow_up.last_action, detail=one_line(message.get("subject") or "", 300),
               payload={"model": one_line(message.get("model"), 64), "res_id": message.get("res_id"),
                        "email_from": one_line(message.get("email_from"), 300),
                        "subject": one_line(message.get("subject"), 300)},
               follow_ups=[follow_up], now=ctx.now)
    if FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.STOPPED).exists():
        follow_up.status = FollowUpStatus.STOPPED
        return True
    return False


def problems(organization) -> dict:
    """What the Delivery problems page shows: standing suppressions, recently lifted ones, recent events."""
    suppressions = SuppressedAddress.objects.filter(organization=organization).select_related("event", "lifted_by")
    return {"suppressed": list(suppressions.filter(lifted_at__isnull=True)),
            "lifted": list(suppressions.filter(lifted_at__isnull=False).order_by("-lifted_at")[:20]),
            "events": list(DeliveryEvent.objects.filter(organization=organization)[:50])}
