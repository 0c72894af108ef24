"""Outcomes: after each level is done (the action executed), AIOM watches what it chased for
30 days — paid in part or in full and when, a reply, a bounce, the deal moving — and the effectiveness
report counts them per sequence, level and channel, with the counts beside every rate so a small
sample reads as small."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from statistics import median

from actions.fields import Source
from actions.models import Action, ActionStatus

from .models import DeliveryEvent, DeliveryKind, EventKind, FollowUp, LevelOutcome

WATCH_DAYS = 30
WINDOWS = (1, 7, 30)


def record(ctx) -> int:
    """Start watching the levels done since the last tick, then update what is watched; returns
    how many outcomes changed."""
    watched = set(LevelOutcome.objects.filter(follow_up__organization=ctx.organization).values_list("action_id", flat=True))
    done = Action.objects.filter(organization=ctx.organization, source=Source.FOLLOW_UP, status=ActionStatus.EXECUTED,
                                 executed_at__gte=ctx.now - timedelta(days=WATCH_DAYS)).exclude(pk__in=watched)
    follow_ups = {f.pk: f for f in FollowUp.objects.filter(organization=ctx.organization)}
    for action in done:
        metadata = action.protocol.get("metadata", {})
        follow_up = follow_ups.get(metadata.get("follow_up_id"))
        if follow_up is None:
            continue
        level = follow_up.sequence.levels.filter(position=metadata.get("level", -1)).first()
        LevelOutcome.objects.create(
            follow_up=follow_up, action=action, sequence_name=follow_up.sequence.name,
            level_position=metadata.get("level", 0), level_name=metadata.get("level_name", "")[:60],
            channel=level.channel if level else "", wording=level.wording if level else "",
            action_type=action.action_type, sent_at=action.executed_at,
            invoice_ids=metadata.get("invoice_ids", []),
            amount_at_send=Decimal(str((action.protocol.get("estimated_impact") or {}).get("revenue_change") or 0)))
    return _update(ctx)


def _update(ctx) -> int:
    open_ones = list(LevelOutcome.objects.filter(
        follow_up__organization=ctx.organization, paid_in_full_at__isnull=True, seeded=False,
        sent_at__gte=ctx.now - timedelta(days=WATCH_DAYS)).select_related("follow_up"))
    invoice_ids = sorted({invoice_id for outcome in open_ones for invoice_id in outcome.invoice_ids})
    residuals = {row["id"]: Decimal(str(row["amount_residual"])) for row in
                 (ctx.odoo.read("account.move", invoice_ids, ["amount_residual"]) if invoice_ids else [])}
    bounced = set(DeliveryEvent.objects.filter(
        organization=ctx.organization, kind=DeliveryKind.BOUNCE_HARD,
        action_id__in=[outcome.action_id for outcome in open_ones if outcome.action_id]).values_list("action_id", flat=True))
    changed = 0
    for outcome in open_ones:
        replied = outcome.follow_up.events.filter(kind=EventKind.REPLY, at__gt=outcome.sent_at).exists()
        outcome.bounced = outcome.bounced or outcome.action_id in bounced
        if outcome.invoice_ids:
            still_open = sum((residuals.get(invoice_id, Decimal(0)) for invoice_id in outcome.invoice_ids), Decimal(0))
            paid = max(outcome.amount_at_send - still_open, Decimal(0))
            full = still_open == 0
        else:
            paid, full = Decimal(0), False
            outcome.deal_moved = outcome.follow_up.status == "completed" and "moved" in outcome.follow_up.reason
        if (paid, full, replied) != (outcome.paid_amount, outcome.paid_in_full_at is not None, outcome.replied):
            changed += 1
        outcome.paid_amount, outcome.replied, outcome.checked_at = paid, replied, ctx.now
        if full:
            outcome.paid_in_full_at = ctx.now
        outcome.save()
    return changed


def report(organization) -> list[dict]:
    """Per sequence, level, channel and template wording: how many levels were done and, of those
    watched long enough, how many were paid in full within 1, 7 and 30 days, and the median days
    to pay (deals: how many moved)."""
    rows = defaultdict(list)
    for outcome in LevelOutcome.objects.filter(follow_up__organization=organization).select_related("follow_up"):
        kind = "deals" if outcome.follow_up.target_model == "crm.lead" else "invoices"
        key = (kind, outcome.sequence_name, outcome.level_position, outcome.level_name, outcome.channel, outcome.wording)
        rows[key].append(outcome)
    result = []
    for (kind, sequence, position, level, channel, wording), outcomes in sorted(rows.items()):
        days = [o.days_to_pay for o in outcomes if o.days_to_pay is not None]
        result.append({
            "kind": kind, "sequence": sequence, "level": position + 1, "level_name": level, "channel": channel,
            "template": wording, "sent": len(outcomes), "example_history": sum(1 for o in outcomes if o.seeded),
            "deal_moved": sum(1 for o in outcomes if o.deal_moved),
            **{f"paid_within_{window}_days": sum(1 for d in days if d <= window) for window in WINDOWS},
            "paid_in_part": sum(1 for o in outcomes if o.paid_amount > 0 and o.paid_in_full_at is None),
            "replied": sum(1 for o in outcomes if o.replied),
            "bounced": sum(1 for o in outcomes if o.bounced),
            "median_days_to_pay": median(days) if days else None,
        })
    return result


def latest_in_words(follow_ups) -> dict[int, str]:
    """What the last level done achieved so far, per follow-up, in words (one query)."""
    latest = {}
    for outcome in LevelOutcome.objects.filter(follow_up__in=list(follow_ups)).order_by("follow_up_id", "-sent_at"):
        latest.setdefault(outcome.follow_up_id, outcome)
    return {follow_up_id: _words(outcome) for follow_up_id, outcome in latest.items()}


def _words(outcome: LevelOutcome) -> str:
    after = f"after “{outcome.level_name}”"
    if outcome.bounced:
        return f"Bounced {after}"
    if outcome.paid_in_full_at is not None:
        days = outcome.days_to_pay
        return f"Paid in full {days} day{'s' if days != 1 else ''} {after}"
    if outcome.deal_moved:
        return f"Deal moved {after}"
    if outcome.paid_amount > 0:
        return f"Paid in part ({outcome.paid_amount:,.2f}) {after}"
    if outcome.replied:
        return f"Replied {after}"
    return f"Nothing yet {after}"

