"""After a level goes out AIOM watches what it chased: a payment is recorded against the level
that preceded it, and the effectiveness report counts levels and payments per level."""

from datetime import timedelta

from django.utils import timezone

from actions import services
from actions.models import Action
from followups import engine, outcomes
from followups.models import LevelOutcome

from .conftest import EMMA


def test_a_payment_after_a_level_is_its_outcome_and_the_report_counts_it(chasing_org, odoo, approver, smtp):
    engine.tick(chasing_org, odoo)
    action = Action.objects.get(organization=chasing_org, source="follow_up", target_model="res.partner",
                                partner_id=EMMA)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    services.execute(action.pk)
    engine.tick(chasing_org, odoo)
    outcome = LevelOutcome.objects.get(action=action)
    assert (outcome.amount_at_send, outcome.paid_amount, outcome.paid_in_full_at) == (180, 0, None)
    assert outcome.level_name == "Friendly reminder" and outcome.channel == "email"

    invoice_id = action.protocol["metadata"]["invoice_ids"][0]
    odoo.write("account.move", [invoice_id], {"payment_state": "paid", "amount_residual": 0.0})
    later = timezone.now() + timedelta(days=3)
    engine.tick(chasing_org, odoo, now=later)
    outcome.refresh_from_db()
    assert outcome.paid_amount == 180 and outcome.days_to_pay == 3

    [row] = [row for row in outcomes.report(chasing_org) if row["level_name"] == "Friendly reminder"]
    assert row["sent"] == 1 and row["paid_within_1_days"] == 0 and row["paid_within_7_days"] == 1
    assert row["median_days_to_pay"] == 3
    assert (row["kind"], row["template"], row["example_history"]) == ("invoices", "friendly", 0)


def test_a_part_payment_is_counted_as_such(chasing_org, odoo, approver, smtp):
    engine.tick(chasing_org, odoo)
    action = Action.objects.get(organization=chasing_org, source="follow_up", target_model="res.partner",
                                partner_id=EMMA)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    services.execute(action.pk)
    engine.tick(chasing_org, odoo)
    invoice_id = action.protocol["metadata"]["invoice_ids"][0]
    odoo.write("account.move", [invoice_id], {"payment_state": "partial", "amount_residual": 80.0})
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=2))
    outcome = LevelOutcome.objects.get(action=action)
    assert outcome.paid_amount == 100 and outcome.paid_in_full_at is None
    [row] = [row for row in outcomes.report(chasing_org) if row["level_name"] == "Friendly reminder"]
    assert (row["paid_in_part"], row["paid_within_30_days"]) == (1, 0)


def test_the_report_in_the_dashboard_and_the_api(chasing_org, odoo, approver, smtp, client):
    engine.tick(chasing_org, odoo)
    action = Action.objects.get(organization=chasing_org, source="follow_up", target_model="res.partner",
                                partner_id=EMMA)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    services.execute(action.pk)
    odoo.write("account.move", action.protocol["metadata"]["invoice_ids"], {"payment_state": "paid",
                                                                            "amount_residual": 0.0})
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=2))
    client.force_login(approver)
    page = client.get("/dashboard/follow-ups/report/").content.decode()
    assert "2. Friendly reminder" in page and "<svg" in page and "100% (1)" in page
    body = client.get("/api/follow-ups/report/").json()
    [row] = [row for row in body["results"] if row["level_name"] == "Friendly reminder"]
    assert (row["sent"], row["paid_within_7_days"]) == (1, 1)
    listing = client.get("/dashboard/follow-ups/").content.decode()
    assert "Last outcome" in listing and "Paid in full 2 days after “Friendly reminder”" in listing
