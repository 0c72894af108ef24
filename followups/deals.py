"""The deal cadence: a follow-up per stalled deal (as the sales analyzer finds them), whose
levels are the analyzers' own deal follow-up email and call, proposed on the cadence's days.
It completes when the deal is won, lost or moves to another stage, or is no longer stalled.

Each level is the protocol an analysis would build for that deal (the deal template, the
same-stage check, outreach checks), marked as the follow-up's with a send key per deal and
level, so it is never proposed twice."""

from dataclasses import asdict

from django.db import transaction

from actions import services as action_services
from actions.fields import Source
from actions.protocol import parse_protocol
from actions.types import ActionType
from aiom.text import one_line
from analyzers import rules, sales
from analyzers.models import Finding
from analyzers.odoo_text import neutral_name
from analyzers.recommender import Context as RecommenderContext
from analyzers.recommender import protocol_for

from . import budget, delivery, planning, timing
from .proposals import CannotReach
from .steps import event, level_open, morning, withdraw_pending
from .models import EventKind, FollowUp, FollowUpStatus, LevelChannel, SequenceKind

TYPE_FOR_CHANNEL = {LevelChannel.EMAIL: ActionType.FOLLOW_UP_STALLED_DEAL,
                    LevelChannel.CALL: ActionType.SCHEDULE_DEAL_CALL}


def tick(ctx, sequences, report) -> None:
    """Start, advance and end the organisation's deal follow-ups."""
    sequence = sequences[SequenceKind.DEALS]
    stalled = {finding.target_id: finding for finding in sales.analyze(ctx.odoo, as_of=ctx.today).findings}
    open_ones = {f.target_id: f for f in FollowUp.objects.filter(
        organization=ctx.organization, target_model="crm.lead", status__in=[FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED]
    ).select_related("sequence")}
    for lead_id, follow_up in open_ones.items():
        if lead_id not in stalled:
            _end(ctx, follow_up, report)
    if not sequence.active:
        return
    zones = budget.Zones(ctx.odoo, [data.partner_id for data in stalled.values()])
    for lead_id, data in sorted(stalled.items()):
        follow_up = open_ones.get(lead_id)
        if follow_up is None:
            follow_up = FollowUp.objects.create(
                organization=ctx.organization, sequence=sequence, target_model="crm.lead", target_id=lead_id,
                partner_id=data.partner_id, target_name=neutral_name(data.facts.get("name"), f"deal #{lead_id}"),
                invoices=[{"stage_id": data.facts["stage_id"]}])
            event(follow_up, EventKind.STARTED, f"Started on “{sequence.name}”: {data.title}", ctx.now)
            report.started.append(follow_up.pk)
        if follow_up.status == FollowUpStatus.ACTIVE:
            _advance(ctx, follow_up, data, report, zones)


def _end(ctx, follow_up: FollowUp, report) -> None:
    rows = ctx.odoo.search_read("crm.lead", [("id", "=", follow_up.target_id), ("active", "in", [True, False])],
                                ["stage_id", "probability", "active"], limit=1)
    stage_then = (follow_up.invoices or [{}])[0].get("stage_id")
    if not rows:
        reason = "The deal was deleted in Odoo."
    elif not rows[0]["active"]:
        reason = "The deal was lost (archived in Odoo)."
    elif rows[0]["probability"] >= 100:
        reason = "The deal was won."
    elif rows[0]["stage_id"] and rows[0]["stage_id"][0] != stage_then:
        reason = f"The deal moved to {rows[0]['stage_id'][1]}."
    else:
        reason = "The deal is no longer stalled (its dates or stage changed)."
    with transaction.atomic():
        follow_up.status, follow_up.reason, follow_up.next_due_at = FollowUpStatus.COMPLETED, reason, None
        follow_up.save()
        event(follow_up, EventKind.COMPLETED, reason, ctx.now)
    withdraw_pending(follow_up, reason)
    report.completed.append(follow_up.pk)


def _advance(ctx, follow_up: FollowUp, data, report, zones=None) -> None:
    levels = list(follow_up.sequence.levels.all())
    started = follow_up.started_at.astimezone(ctx.now.tzinfo).date()
    while follow_up.level < len(levels):
        timing.decide(ctx, follow_up, levels, anchor=started, invoices=[])
        due = planning.due_date(levels, follow_up.level, anchor=started, sent=follow_up.sent,
                                weekdays_only=follow_up.sequence.weekdays_only,
                                offsets=timing.offsets(follow_up, levels))
        follow_up.next_due_at = morning(due, ctx) if due else None
        if due is None or due > ctx.today or level_open(follow_up):
            break
        level = levels[follow_up.level]
        if level.channel == LevelChannel.EMAIL and budget.wait_for_budget(ctx, follow_up, follow_up.partner_id):
            break  # one contact budget with the invoice reminders
        if zones is not None:  # sending hours in the customer's own time zone
            data.facts.setdefault("partner_tz", zones.get(data.partner_id))
        try:  # no email level to an address that bounced, complained or unsubscribed
            delivery.ensure_deliverable(ctx.organization, level.channel, data.facts.get("partner_email"))
            document = _document(ctx, follow_up, level, data)
        except CannotReach as error:
            event(follow_up, EventKind.SKIPPED, f"{level.name} skipped: {error}.", ctx.now, level=level.position)
        else:
            if document is None:
                event(follow_up, EventKind.SKIPPED, f"{level.name} skipped: the customer cannot be reached that way.",
                      ctx.now, level=level.position)
            else:
                action = action_services.propose(ctx.organization, document, source=Source.FOLLOW_UP)
                follow_up.last_action = action
                event(follow_up, EventKind.PROPOSED, f"{level.name} proposed ({action.get_status_display().lower()})",
                      ctx.now, level=level.position, action_id=str(action.pk))
                report.proposed.append(str(action.pk))
        follow_up.sent[str(level.position)] = ctx.now.isoformat()
        follow_up.level += 1
    if follow_up.level >= len(levels):
        follow_up.next_due_at = None
        follow_up.reason = "Every level has been sent; a person decides what happens next."
    follow_up.save()


#: Invoices this late make a sales follow-up to the same customer worth a second look.
SERIOUSLY_OVERDUE_DAYS = 30


def _overdue_note(ctx, partner_id: int | None) -> dict:
    """One contact budget: a sales message to a customer being chased for old invoices says so."""
    chased = FollowUp.objects.filter(organization=ctx.organization, target_model="res.partner", target_id=partner_id,
                                     status__in=[FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED]).first()
    late = [i for i in (chased.invoices if chased else []) if i.get("days_overdue", 0) > SERIOUSLY_OVERDUE_DAYS]
    if not late:
        return {}
    total = sum(i["residual"] for i in late)
    return {"approver_notes": [f"This customer has {len(late)} invoice{'s' if len(late) != 1 else ''} more than "
                               f"{SERIOUSLY_OVERDUE_DAYS} days overdue ({total:,.2f} {late[0]['currency']}), "
                               "chased by its follow-up."]}


def _document(ctx, follow_up: FollowUp, level, data) -> dict | None:
    finding = Finding(organization=ctx.organization, **asdict(data))
    outcome = rules.intents_for(finding, organization_name=ctx.organization.name, as_of=ctx.today,
                                payment_instructions=ctx.policy.payment_instructions, has_staff_project=False)
    wanted = TYPE_FOR_CHANNEL.get(level.channel)
    intents = [intent for top in outcome.intents for intent in (top, *top.alternative_intents)]
    intent = next((intent for intent in intents if intent.action_type == wanted), None)
    if intent is None:
        return None
    built = protocol_for(finding, intent, RecommenderContext(ctx.organization, ctx.policy, ctx.today, ctx.now))
    if built is None:
        return None
    key = f"followup:{ctx.organization.slug}:crm.lead:{follow_up.target_id}:{level.position}:{follow_up.pk}"
    metadata = {**built["metadata"], "follow_up_id": follow_up.pk, "level": level.position, "level_name": level.name,
                **_overdue_note(ctx, data.partner_id)}
    chosen = timing.applied(follow_up, level)
    reasoning = built["reasoning"] + (f" It comes {timing.moved_words(level, chosen, 'deals')}" if chosen else "")
    return parse_protocol({**built, "reasoning": one_line(reasoning, 1000), "created_by": "system",
                           "source": Source.FOLLOW_UP.value, "idempotency_key": key,
                           "analysis_id": None, "finding_id": None, "metadata": metadata,
                           "title": f"{level.name}: {finding.title}"[:255]}).model_dump(mode="json")
