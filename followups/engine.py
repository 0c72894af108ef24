"""The follow-up engine: on each tick it reads every customer's open invoices, starts a
follow-up for a customer with something to chase, proposes the level that is due, and ends
follow-ups whose invoices were paid. Customer signals move it too: a reply in Odoo's chatter
pauses it for a person, a promise to pay holds it until the date (a broken one moves it on by
itself), a dispute or a pause takes invoices or a customer out.

Nothing here sends anything: each level is an action proposed through `actions.services.propose()`,
so it meets the guardrails, approval, the send delay, the executor's revalidation (a payment
between approval and sending blocks it) and the audit trail. See docs/architecture.md.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actions import guardrails
from actions import services as action_services
from actions.fields import Source
from actions.models import Action
from analyzers.odoo_text import neutral_name
from analyzers.operations import staff_project

from . import budget, deals, delivery, outcomes, planning, proposals, reading, timing
from .defaults import ensure_defaults
from .models import EventKind, FollowUp, FollowUpStatus, Hold, PartnerOverride, Sequence, SequenceKind
from .steps import event, level_open, morning, withdraw_pending

logger = logging.getLogger(__name__)
#: Why the engine itself paused a follow-up: it resumes by itself once something is chased again.
ON_HOLD = "On hold: the customer or every invoice it chased is paused, disputed or below the tolerance."


#: One message lists (and checks again before it goes) at most this many invoices, the oldest
#: first; the others are chased once those are settled.
MAX_INVOICES_PER_MESSAGE = 25


@dataclass
class Context:
    organization: object
    policy: object
    odoo: object
    now: datetime
    today: date
    staff_project: dict | None = None
    #: An anthropic client to use instead of the one the settings describe (followups/timing.py).
    model_client: object | None = None
    timing_asked: int = 0


@dataclass
class TickReport:
    started: list = field(default_factory=list)
    proposed: list = field(default_factory=list)
    completed: list = field(default_factory=list)
    paused: list = field(default_factory=list)
    resumed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in ("started", "proposed", "completed", "paused", "resumed", "skipped")}


def tick(organization, odoo, *, now: datetime | None = None, model_client=None) -> TickReport:
    """One pass over the organisation's customers with open invoices, then its stalled deals."""
    now = now or timezone.now()
    policy = guardrails.policy_for(organization)
    today = now.astimezone(ZoneInfo(policy.zone)).date()
    sequences = ensure_defaults(organization)
    ctx = Context(organization, policy, odoo, now, today, staff_project(odoo), model_client)
    report = TickReport()
    default = sequences[SequenceKind.INVOICES]
    overrides = {o.partner_id: o for o in PartnerOverride.objects.filter(organization=organization).select_related("sequence")}
    lead = max(0, -min((level.offset_days for level in default.levels.all()), default=0))
    customers = reading.customers_with_open_invoices(odoo, today=today, lead_days=lead)
    held_invoices, held_partners = _holds(organization, today)
    chased = {}
    for partner_id, customer in customers.items():
        override = overrides.get(partner_id)
        if override is not None and override.sequence is None:
            continue
        sequence = override.sequence if override is not None else default
        tolerance = override.tolerance if override is not None and override.tolerance is not None else sequence.tolerance
        customer.invoices = [invoice for invoice in customer.invoices
                             if invoice["id"] not in held_invoices and Decimal(str(invoice["residual"])) > tolerance
                             ][:MAX_INVOICES_PER_MESSAGE]
        if customer.invoices and partner_id not in held_partners and sequence.active:
            chased[partner_id] = (customer, sequence)
    open_follow_ups = {f.target_id: f for f in FollowUp.objects.filter(
        organization=organization, target_model="res.partner", status__in=[FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED]
    ).select_related("sequence")}
    for partner_id, follow_up in open_follow_ups.items():
        if partner_id not in chased:
            with transaction.atomic():
                if (current := _locked(follow_up)) is not None:
                    _complete(current, ctx, partner_id in customers, held_partners, report)
    stopped = _stopped_invoice_sets(organization)
    talks = budget.negotiations(ctx, [p for p, (_, sequence) in chased.items() if sequence.hold_during_negotiation])
    for partner_id, (customer, sequence) in sorted(chased.items()):
        with transaction.atomic():
            _pass(ctx, open_follow_ups.get(partner_id), customer, sequence, stopped, talks, report)
    deals.tick(ctx, sequences, report)
    outcomes.record(ctx)
    return report


def _pass(ctx: Context, follow_up: FollowUp | None, customer, sequence, stopped, talks, report) -> None:
    """One customer's pass, with their follow-up locked until it ends: a person who stops or
    pauses it meanwhile waits, and sees what the pass proposed (their stop withdraws it); a
    person who acted first is seen here, and their word stands."""
    if follow_up is not None and (follow_up := _locked(follow_up)) is None:
        return  # a person ended it since this run read the list
    if follow_up is None and {i["id"] for i in customer.invoices} <= stopped.get(customer.partner_id, set()):
        return  # a person stopped chasing these invoices; new ones start a new follow-up
    follow_up = follow_up or _start(ctx, customer, sequence, report)
    if budget.hold_for_negotiation(ctx, follow_up, customer, talks.get(customer.partner_id), report,
                                   held_by_engine=follow_up.reason == ON_HOLD):
        return
    _advance(ctx, follow_up, customer, report)


def _locked(follow_up: FollowUp) -> FollowUp | None:
    """The follow-up as it stands now, locked until the caller's transaction ends; None once it
    is no longer open."""
    return (FollowUp.objects.select_for_update(of=("self",)).select_related("sequence")
            .filter(pk=follow_up.pk, status__in=[FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED]).first())


def _stopped_invoice_sets(organization) -> dict[int, set]:
    """The invoices people stopped chasing, by customer (from each customer's latest follow-up)."""
    latest = {}
    for follow_up in FollowUp.objects.filter(organization=organization, target_model="res.partner").order_by("started_at"):
        latest[follow_up.target_id] = follow_up
    return {partner_id: {invoice["id"] for invoice in follow_up.invoices}
            for partner_id, follow_up in latest.items() if follow_up.status == FollowUpStatus.STOPPED}


def _holds(organization, today: date) -> tuple[set, set]:
    active = Hold.objects.filter(organization=organization, resolved_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=today))
    return ({hold.invoice_id for hold in active if hold.invoice_id},
            {hold.partner_id for hold in active if hold.partner_id and not hold.invoice_id})


def _start(ctx: Context, customer, sequence: Sequence, report: TickReport) -> FollowUp:
    levels = list(sequence.levels.all())
    start = planning.starting_level(levels, anchor=customer.anchor, today=ctx.today)
    follow_up = FollowUp.objects.create(
        organization=ctx.organization, sequence=sequence, target_model="res.partner", target_id=customer.partner_id,
        partner_id=customer.partner_id, target_name=neutral_name(customer.name, f"customer #{customer.partner_id}"),
        level=start, invoices=customer.invoices)
    text = f"Started on “{sequence.name}” for {len(customer.invoices)} open invoice(s)"
    if start:
        text += f", at level {start + 1} ({levels[start].name}): the earlier levels' days had passed"
    event(follow_up, EventKind.STARTED, text, ctx.now, level=start)
    report.started.append(follow_up.pk)
    return follow_up


def _complete(follow_up: FollowUp, ctx: Context, still_open: bool, held_partners: set, report: TickReport) -> None:
    """Nothing left to chase: paid, credited or cancelled (completed); or only invoices that are
    held, disputed or below the tolerance (paused until that changes)."""
    if follow_up.target_id in held_partners or still_open:
        reason = ON_HOLD
        status = FollowUpStatus.PAUSED
    else:
        reason = "Nothing left to chase: the invoices were paid, credited or cancelled in Odoo."
        status = FollowUpStatus.COMPLETED
    if follow_up.status == status:
        return
    with transaction.atomic():
        follow_up.status, follow_up.reason, follow_up.next_due_at = status, reason, None
        follow_up.save(update_fields=["status", "reason", "next_due_at", "updated_at"])
        event(follow_up, EventKind.COMPLETED if status == FollowUpStatus.COMPLETED else EventKind.PAUSED, reason, ctx.now)
    withdraw_pending(follow_up, reason)
    (report.completed if status == FollowUpStatus.COMPLETED else report.paused).append(follow_up.pk)
    if status == FollowUpStatus.COMPLETED and follow_up.sequence.thank_you and follow_up.sent:
        _thank(ctx, follow_up, report)


def _thank(ctx: Context, follow_up: FollowUp, report: TickReport) -> None:
    """The sequence thanks customers who paid after a level went out (if their invoices are paid,
    not credited or cancelled: the email's checks say so)."""
    partners = ctx.odoo.read("res.partner", [follow_up.target_id], ["name", "email", "tz"])
    try:
        delivery.ensure_deliverable(ctx.organization, "email", (partners[0] if partners else {}).get("email"))
        document = proposals.thank_you(ctx, follow_up, partners[0] if partners else {})
    except proposals.CannotReach as error:
        event(follow_up, EventKind.SKIPPED, f"No thank-you email: {error}.", ctx.now)
        return
    action = action_services.propose(ctx.organization, document, source=Source.FOLLOW_UP)
    event(follow_up, EventKind.PROPOSED, f"Thank-you email proposed ({action.get_status_display().lower()})", ctx.now,
          action_id=str(action.pk))
    report.proposed.append(str(action.pk))


def _advance(ctx: Context, follow_up: FollowUp, customer, report: TickReport) -> None:
    follow_up.invoices = customer.invoices
    if follow_up.status == FollowUpStatus.PAUSED and not _resume_if_due(ctx, follow_up, customer, report):
        follow_up.save(update_fields=["invoices", "updated_at"])
        return
    if (delivery.bounced_in_chatter(ctx, follow_up, customer) or _replied(ctx, follow_up, customer, report)
            or _promised(ctx, follow_up, customer, report)):
        return
    levels = list(follow_up.sequence.levels.all())
    while follow_up.level < len(levels):
        timing.decide(ctx, follow_up, levels, anchor=customer.anchor, invoices=customer.invoices)
        due = planning.due_date(levels, follow_up.level, anchor=customer.anchor, sent=follow_up.sent,
                                weekdays_only=follow_up.sequence.weekdays_only,
                                offsets=timing.offsets(follow_up, levels))
        follow_up.next_due_at = morning(due, ctx) if due else None
        if due is None or due > ctx.today or level_open(follow_up):
            break
        level = levels[follow_up.level]
        if level.channel in budget.MESSAGE_LEVELS and budget.wait_for_budget(ctx, follow_up, customer.partner_id):
            break
        _propose_level(ctx, follow_up, level, customer, report)
    if follow_up.level >= len(levels):
        follow_up.next_due_at = None
        follow_up.reason = "Every level has been sent; a person decides what happens next."
    follow_up.save()


def _propose_level(ctx: Context, follow_up: FollowUp, level, customer, report: TickReport) -> None:
    """Propose the level, or find it proposed already under its send key (a tick that died after
    proposing, a follow-up started again for the same invoices): then nothing new is proposed,
    even though its text would now read differently (days overdue)."""
    key = proposals.send_key(ctx.organization, follow_up, level, customer.invoices)
    existing = Action.objects.filter(organization=ctx.organization, idempotency_key=key).first()
    try:
        if existing is None:  # no email level to an address that bounced, complained or unsubscribed
            delivery.ensure_deliverable(ctx.organization, level.channel, customer.email)
        document = None if existing else proposals.invoice_level(ctx, follow_up, level, customer)
    except proposals.CannotReach as error:
        event(follow_up, EventKind.SKIPPED, f"{level.name} skipped: {error}.", ctx.now, level=level.position)
        report.skipped.append({"follow_up": follow_up.pk, "level": level.position, "reason": str(error)})
    else:
        action = existing or action_services.propose(ctx.organization, document, source=Source.FOLLOW_UP)
        follow_up.last_action = action
        event(follow_up, EventKind.PROPOSED, f"{level.name} proposed ({action.get_status_display().lower()})",
               ctx.now, level=level.position, action_id=str(action.pk),
               invoice_ids=[invoice["id"] for invoice in customer.invoices], amount=customer.open_amount)
        report.proposed.append(str(action.pk))
    follow_up.sent[str(level.position)] = ctx.now.isoformat()
    follow_up.level += 1


def _resume_if_due(ctx: Context, follow_up: FollowUp, customer, report: TickReport) -> bool:
    negotiated = budget.held_for_negotiation(follow_up)  # the negotiation is over, or the sequence stopped holding
    held_by_engine = follow_up.reason == ON_HOLD or negotiated
    if not held_by_engine and (follow_up.paused_until is None or follow_up.paused_until > ctx.now):
        return False
    follow_up.status, follow_up.paused_until, follow_up.reason = FollowUpStatus.ACTIVE, None, ""
    event(follow_up, EventKind.RESUMED, budget.RESUMED if negotiated else "Resumed: something is chased again."
          if held_by_engine else "Resumed: the pause is over.", ctx.now)
    report.resumed.append(follow_up.pk)
    return True


def _replied(ctx: Context, follow_up: FollowUp, customer, report: TickReport) -> bool:
    """A customer email after our last level pauses the follow-up until a person resumes it."""
    last = max(follow_up.sent.values(), default=None)
    if last is None:
        return False
    since = datetime.fromisoformat(last).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
    replies = reading.replies_since(ctx.odoo, partner_id=customer.partner_id,
                                    invoice_ids=[invoice["id"] for invoice in customer.invoices], since=since)
    if not replies:
        return False
    reply = replies[0]
    follow_up.status, follow_up.paused_until = FollowUpStatus.PAUSED, None
    follow_up.reason = f"{reply['author_id'][1] if reply.get('author_id') else 'The customer'} replied on " \
                       f"{str(reply['date'])[:16]}: read it in Odoo, then resume or stop."
    follow_up.save()
    event(follow_up, EventKind.REPLY, follow_up.reason, ctx.now, message_id=reply["id"])
    withdraw_pending(follow_up, "The customer replied; a person reads it first.")
    report.paused.append(follow_up.pk)
    return True


def _promised(ctx: Context, follow_up: FollowUp, customer, report: TickReport) -> bool:
    """An open promise holds the follow-up until its date + grace; then it is kept (the open
    amount fell by what was promised) or broken (the next level is due at once)."""
    promise = follow_up.promises.filter(status="open").order_by("-created_at").first()
    if promise is None:
        return False
    deadline = promise.promised_date + timedelta(days=promise.grace_days)
    if ctx.today <= deadline:
        follow_up.next_due_at = morning(deadline + timedelta(days=1), ctx)
        follow_up.save()
        return True
    paid = promise.open_amount - Decimal(str(customer.open_amount))
    kept = paid >= (promise.amount if promise.amount is not None else promise.open_amount)
    promise.status = "kept" if kept else "broken"
    promise.save(update_fields=["status"])
    if not kept:
        event(follow_up, EventKind.PROMISE_BROKEN, f"The promise to pay by {promise.promised_date:%d %b} was not "
                                                    "kept: the next level is due.", ctx.now, promise_id=promise.pk)
        _force_next(ctx, follow_up, customer, report)
        return True
    event(follow_up, EventKind.PROMISE, f"The promise to pay by {promise.promised_date:%d %b} was kept.", ctx.now,
           promise_id=promise.pk)
    return False


def _force_next(ctx: Context, follow_up: FollowUp, customer, report: TickReport) -> None:
    """The next level now, whatever its offset says."""
    levels = list(follow_up.sequence.levels.all())
    if follow_up.level < len(levels) and not level_open(follow_up) and not (
            levels[follow_up.level].channel in budget.MESSAGE_LEVELS
            and budget.wait_for_budget(ctx, follow_up, customer.partner_id)):
        _propose_level(ctx, follow_up, levels[follow_up.level], customer, report)
    follow_up.save()
