"""What people do to follow-ups: pause, resume, stop, record a promise to pay, open and close a
dispute, pause a whole customer and end a hold. Each is recorded in the follow-up's history with
who did it; a pending level is withdrawn when the follow-up stops or pauses."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from actions.permissions import ensure_can_decide
from aiom.errors import ApplicationError, Conflict

from .engine import ON_HOLD
from .selectors import active_customer_holds, zone_of
from .steps import withdraw_pending
from .models import EventKind, FollowUp, FollowUpEvent, FollowUpStatus, Hold, Promise

OPEN = [FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED]


def _locked(follow_up: FollowUp, user) -> FollowUp:
    ensure_can_decide(user, follow_up.organization)
    locked = FollowUp.objects.select_for_update().select_related("organization").get(pk=follow_up.pk)
    if not locked.open:
        raise Conflict(f"This follow-up is already {locked.get_status_display().lower()}.")
    return locked


def _record(follow_up, kind, text, user, **detail) -> None:
    FollowUpEvent.objects.create(follow_up=follow_up, at=timezone.now(), kind=kind, text=text[:500], detail=detail,
                                 user=user)


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 300:
        raise ApplicationError("Say why, in at most 300 characters.")
    return reason


def pause(follow_up: FollowUp, user, *, until: date | None, reason: str) -> FollowUp:
    reason = _reason(reason)
    with transaction.atomic():
        follow_up = _locked(follow_up, user)
        zone = ZoneInfo(follow_up.organization.timezone)
        if until is not None and until <= timezone.now().astimezone(zone).date():
            raise ApplicationError("A pause ends on a day after today (or leave the end empty to pause until resumed).")
        follow_up.status = FollowUpStatus.PAUSED
        follow_up.paused_until = datetime.combine(until, time(0, 0), tzinfo=zone) if until else None
        follow_up.reason = f"Paused by {user.get_username()}: {reason}"
        follow_up.save()
        _record(follow_up, EventKind.PAUSED, follow_up.reason + (f" (until {until:%d %b %Y})" if until else ""), user)
    withdraw_pending(follow_up, f"The follow-up was paused: {reason}")
    return follow_up


def resume(follow_up: FollowUp, user) -> FollowUp:
    with transaction.atomic():
        follow_up = _locked(follow_up, user)
        if follow_up.status != FollowUpStatus.PAUSED:
            raise Conflict("This follow-up is not paused.")
        follow_up.status, follow_up.paused_until, follow_up.reason = FollowUpStatus.ACTIVE, None, ""
        follow_up.save()
        _record(follow_up, EventKind.RESUMED, f"Resumed by {user.get_username()}.", user)
    return follow_up


def stop(follow_up: FollowUp, user, *, reason: str) -> FollowUp:
    reason = _reason(reason)
    with transaction.atomic():
        follow_up = _locked(follow_up, user)
        follow_up.status, follow_up.next_due_at = FollowUpStatus.STOPPED, None
        follow_up.reason = f"Stopped by {user.get_username()}: {reason}"
        follow_up.save()
        _record(follow_up, EventKind.STOPPED, follow_up.reason, user)
    withdraw_pending(follow_up, f"The follow-up was stopped: {reason}")
    return follow_up


def promise(follow_up: FollowUp, user, *, promised_date: date, amount, grace_days: int = 3) -> Promise:
    """The customer promised to pay (all, or `amount`) by `promised_date`: nothing is sent until
    then plus the grace days."""
    try:
        amount = None if amount in (None, "") else Decimal(str(amount))
    except InvalidOperation:
        raise ApplicationError("The amount must be a number, e.g. 1250.00.") from None
    if amount is not None and amount <= 0:
        raise ApplicationError("The amount must be more than zero (or leave it empty for everything open).")
    if not 0 <= grace_days <= 30:
        raise ApplicationError("Grace days run from 0 to 30.")
    with transaction.atomic():
        follow_up = _locked(follow_up, user)
        if follow_up.target_model != "res.partner":
            raise ApplicationError("A promise to pay belongs to a customer's invoices, not to a deal.")
        zone = ZoneInfo(follow_up.organization.timezone)
        today = timezone.now().astimezone(zone).date()
        if promised_date < today:
            raise ApplicationError("A promise to pay is for today or a later day.")
        if promised_date > today + timedelta(days=366):
            raise ApplicationError("A promise to pay is for a day within the next year.")
        open_amount = Decimal(str(sum(invoice["residual"] for invoice in follow_up.invoices)))
        follow_up.promises.filter(status="open").update(status="replaced")
        made = Promise.objects.create(follow_up=follow_up, promised_date=promised_date, amount=amount,
                                      grace_days=grace_days, open_amount=open_amount, created_by=user)
        _record(follow_up, EventKind.PROMISE, f"{user.get_username()} recorded a promise to pay "
                f"{'everything open' if amount is None else f'{amount:,.2f}'} by {promised_date:%d %b %Y}.", user,
                promise_id=made.pk)
    withdraw_pending(follow_up, "The customer promised to pay; AIOM waits for the date.")
    return made


def dispute(organization, user, *, invoice_id: int, reason: str, partner_id: int | None = None) -> Hold:
    """Take an invoice out of dunning until the dispute is resolved (`partner_id`: whose invoice,
    so the customer's follow-up can list its disputes)."""
    ensure_can_decide(user, organization)
    reason = _reason(reason)
    if Hold.objects.filter(organization=organization, kind="dispute", invoice_id=invoice_id,
                           resolved_at__isnull=True).exists():
        raise Conflict("This invoice is already disputed.")
    hold = Hold.objects.create(organization=organization, kind="dispute", invoice_id=invoice_id, reason=reason,
                               partner_id=partner_id, created_by=user)
    for follow_up in FollowUp.objects.filter(organization=organization, status__in=["active", "paused"],
                                             invoices__contains=[{"id": invoice_id}]):
        _record(follow_up, EventKind.DISPUTE, f"Invoice #{invoice_id} disputed by {user.get_username()}: {reason}",
                user, invoice_id=invoice_id)
        withdraw_pending(follow_up, "An invoice it chases is disputed.")
    return hold


def resolve_dispute(hold: Hold, user) -> Hold:
    """The dispute is settled: the invoice is chased again from the next tick (if still open)."""
    return _close_hold(hold, user, already="This dispute is already resolved.", kind=EventKind.DISPUTE,
                       text=f"The dispute on invoice #{hold.invoice_id} was resolved by {user.get_username()}.",
                       invoice_id=hold.invoice_id)


def _close_hold(hold: Hold, user, *, already: str, kind: str, text: str, **data) -> Hold:
    """Stamp the hold ended (once: a second person gets `already`) and say so on each open
    follow-up of its customer."""
    ensure_can_decide(user, hold.organization)
    with transaction.atomic():
        hold = Hold.objects.select_for_update().select_related("organization").get(pk=hold.pk)
        if hold.resolved_at is not None:
            raise Conflict(already)
        hold.resolved_at = timezone.now()
        hold.save(update_fields=["resolved_at"])
        for follow_up in FollowUp.objects.filter(organization=hold.organization, target_model="res.partner",
                                                 target_id=hold.partner_id, status__in=OPEN):
            _record(follow_up, kind, text, user, **data)
    return hold


def pause_customer(organization, user, *, partner_id: int, until: date | None, reason: str) -> Hold:
    """Chase none of this customer's invoices up to and including `until` (None: until someone ends
    the hold). Its open follow-up pauses at once (a level waiting for approval is withdrawn) and,
    as for any hold, goes on by itself from the first run after the hold ends."""
    ensure_can_decide(user, organization)
    reason = _reason(reason)
    today = timezone.now().astimezone(zone_of(organization)).date()
    if until is not None and until < today:
        raise ApplicationError("The last day of the pause is today or a later day (or leave it empty to pause "
                               "until someone ends it).")
    paused = []
    with transaction.atomic():
        follow_ups = list(FollowUp.objects.select_for_update().filter(
            organization=organization, target_model="res.partner", target_id=partner_id, status__in=OPEN))
        if active_customer_holds(organization, today, partner_id=partner_id):
            raise Conflict("This customer is already paused: end that hold first to pause it again.")
        hold = Hold.objects.create(organization=organization, kind="pause", partner_id=partner_id, until=until,
                                   reason=reason, created_by=user)
        for follow_up in follow_ups:
            if follow_up.status == FollowUpStatus.ACTIVE:
                follow_up.status, follow_up.reason, follow_up.next_due_at = FollowUpStatus.PAUSED, ON_HOLD, None
                follow_up.save(update_fields=["status", "reason", "next_due_at", "updated_at"])
                paused.append(follow_up)
            _record(follow_up, EventKind.PAUSED, f"The customer was paused by {user.get_username()}"
                    f"{f' up to and including {until:%d %b %Y}' if until else ''}: {reason}", user, hold_id=hold.pk)
    for follow_up in paused:
        withdraw_pending(follow_up, f"The customer was paused: {reason}")
    return hold


def end_hold(hold: Hold, user) -> Hold:
    """End a hold before its day: a dispute is resolved; a customer or invoice pause ends, and what
    it held is chased again from the next run."""
    if hold.kind == "dispute":
        return resolve_dispute(hold, user)
    what = "customer" if hold.invoice_id is None else f"invoice #{hold.invoice_id}"
    return _close_hold(hold, user, already="This hold has already ended.", kind=EventKind.RESUMED,
                       text=f"{user.get_username()} ended the pause of the {what}: it is chased again from the "
                            "next run.", hold_id=hold.pk)
