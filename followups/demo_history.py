"""Example history for the demo: five months of follow-ups that ran to their end (customers who
paid after a level, some in part, some who replied; deals that moved), so the effectiveness
report has something to show on the first visit. Every row says it is example history
(`LevelOutcome.seeded`, the follow-up's reason); nothing here touches Odoo or the audit trail.
The figures are drawn from a fixed seed, so every demo shows the same report."""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .defaults import ensure_defaults
from .models import EventKind, FollowUp, FollowUpEvent, FollowUpStatus, LevelChannel, LevelOutcome, SequenceKind

EXAMPLE = "example history the demo starts with"
CUSTOMERS = ["Harbour Freight", "Linden Bakery", "Northwind Tools", "Cobalt Print", "Maple Dental", "Orbit Cafés",
             "Quarry Stone", "Riverside Gym", "Saffron Catering", "Tidewater Marine", "Umber Studio", "Vale Florists"]
DEALS = ["Warehouse racking", "Website redesign", "Annual maintenance", "Fleet tracking", "Office fit-out",
         "Cloud backup"]
#: Chance that a customer pays in full within 30 days after each invoice level, and in part.
PAY_AFTER = {0: (0.45, 0.05), 1: (0.40, 0.10), 2: (0.35, 0.15), 3: (0.30, 0.10), 4: (0.35, 0.10), 5: (0.50, 0.10)}
FIRST_ID = 880001  # ids no demo record has: the follow-ups are examples, not Odoo's customers


def seed(organization, *, now=None, rounds: int = 3) -> int:
    """Seed the example history once; returns how many level outcomes were written (0 when the
    organisation has some already)."""
    if LevelOutcome.objects.filter(follow_up__organization=organization, seeded=True).exists():
        return 0
    now = now or timezone.now()
    sequences = ensure_defaults(organization)
    rng = random.Random(2026)
    written = 0
    with transaction.atomic():
        for round_ in range(rounds):
            for index, name in enumerate(CUSTOMERS):
                written += _invoice_history(organization, sequences[SequenceKind.INVOICES], rng, now,
                                            target_id=FIRST_ID + round_ * 100 + index, name=name)
            for index, name in enumerate(DEALS):
                written += _deal_history(organization, sequences[SequenceKind.DEALS], rng, now,
                                         target_id=FIRST_ID + 50 + round_ * 100 + index, name=name)
    return written


def _invoice_history(organization, sequence, rng, now, *, target_id: int, name: str) -> int:
    levels = list(sequence.levels.all())
    due = now - timedelta(days=rng.randint(80, 165))
    amount = Decimal(rng.randrange(400, 9000, 50))
    follow_up = FollowUp.objects.create(
        organization=organization, sequence=sequence, target_model="res.partner", target_id=target_id,
        partner_id=target_id, target_name=name, status=FollowUpStatus.COMPLETED, level=0,
        invoices=[{"id": target_id, "name": f"INV/EXAMPLE/{target_id - FIRST_ID:04d}", "residual": float(amount),
                   "due": due.date().isoformat(), "currency": "EUR"}])
    _event(follow_up, EventKind.STARTED, f"Started on “{sequence.name}” ({EXAMPLE})", due + timedelta(days=-3))
    sent, paid_at, part = [], None, Decimal(0)
    for level in levels:
        at = due + timedelta(days=level.offset_days, hours=9 - due.hour)
        sent.append((level, at))
        _event(follow_up, EventKind.SENT, f"{level.name} done ({EXAMPLE})", at, level=level.position)
        full_chance, part_chance = PAY_AFTER.get(level.position, (0.3, 0.1))
        roll = rng.random()
        if roll < full_chance:
            paid_at = at + timedelta(days=min(29, int(rng.expovariate(1 / 5))), hours=rng.randint(1, 8))
            break
        if roll < full_chance + part_chance and not part:
            part = (amount * Decimal(rng.choice(["0.25", "0.4", "0.5"]))).quantize(Decimal("1"))
    if not sent:
        return 0
    follow_up.level = len(sent)
    follow_up.sent = {str(level.position): at.isoformat() for level, at in sent}
    follow_up.reason = (f"Paid in full ({EXAMPLE})." if paid_at else
                        f"Every level was sent; written off by a person ({EXAMPLE}).")
    follow_up.save()
    _event(follow_up, EventKind.COMPLETED, follow_up.reason, paid_at or sent[-1][1] + timedelta(days=30))
    replied_after = rng.randrange(len(sent)) if rng.random() < 0.3 else None
    for index, (level, at) in enumerate(sent):
        paid_in_time = paid_at is not None and paid_at - at <= timedelta(days=30)
        _outcome(follow_up, level, at, invoice_ids=[target_id], amount=amount - (part if index else 0),
                 paid=amount if paid_in_time else part, paid_at=paid_at if paid_in_time else None,
                 replied=index == replied_after)
    return len(sent)


def _deal_history(organization, sequence, rng, now, *, target_id: int, name: str) -> int:
    levels = list(sequence.levels.all())
    at = now - timedelta(days=rng.randint(45, 150))
    follow_up = FollowUp.objects.create(
        organization=organization, sequence=sequence, target_model="crm.lead", target_id=target_id,
        target_name=name, status=FollowUpStatus.COMPLETED)
    _event(follow_up, EventKind.STARTED, f"Started on “{sequence.name}” ({EXAMPLE})", at)
    written, sent, moved = 0, {}, False
    for level in levels:
        at += timedelta(days=level.offset_days)
        sent[str(level.position)] = at.isoformat()
        moved = rng.random() < (0.45 if level.channel == LevelChannel.CALL else 0.3)
        _outcome(follow_up, level, at, invoice_ids=[], amount=Decimal(0), paid=Decimal(0), paid_at=None,
                 replied=moved and rng.random() < 0.5, deal_moved=moved)
        written += 1
        if moved:
            break
    follow_up.level, follow_up.sent = written, sent
    follow_up.reason = f"The deal moved ({EXAMPLE})." if moved else f"Every level was sent ({EXAMPLE})."
    follow_up.save()
    _event(follow_up, EventKind.COMPLETED, follow_up.reason, at + timedelta(days=2))
    return written


def _event(follow_up, kind, text, at, **detail) -> None:
    FollowUpEvent.objects.create(follow_up=follow_up, at=at, kind=kind, text=text, detail=detail)


def _outcome(follow_up, level, at, *, invoice_ids, amount, paid, paid_at, replied, deal_moved=False) -> None:
    LevelOutcome.objects.create(
        follow_up=follow_up, action=None, seeded=True, sequence_name=follow_up.sequence.name,
        level_position=level.position, level_name=level.name, channel=level.channel, wording=level.wording,
        action_type="", sent_at=at, invoice_ids=invoice_ids, amount_at_send=amount, paid_amount=paid,
        paid_in_full_at=paid_at, replied=replied, deal_moved=deal_moved, checked_at=at + timedelta(days=30))
