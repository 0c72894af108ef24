"""The follow-up engine on the sandbox: one message per customer and level listing every open
invoice, partial payments chased for the rest, payments stop it (also an approved level not yet
sent), replies pause it, promises hold it, disputes take invoices out, nothing is proposed twice."""

from datetime import date, timedelta

import time_machine
from django.utils import timezone

from actions import services
from actions.models import Action, ActionStatus
from followups import engine
from followups import services as followup_services
from followups.models import EventKind, FollowUp, FollowUpStatus, Hold

from .conftest import EMMA


def _emma(org) -> FollowUp:
    return FollowUp.objects.get(organization=org, target_id=EMMA, status__in=["active", "paused"])


def _levels(org, partner_id=EMMA) -> list[Action]:
    return list(Action.objects.filter(organization=org, source="follow_up", target_model="res.partner",
                                      partner_id=partner_id).order_by("created_at"))


def test_one_message_per_customer_lists_each_invoice_with_its_open_amount(chasing_org, odoo, add_invoice):
    add_invoice(EMMA, 6, 300.0)
    add_invoice(EMMA, 4, 500.0, residual=200.0)  # part paid: only the rest is chased
    engine.tick(chasing_org, odoo)
    [action] = _levels(chasing_org)
    inputs = action.parsed.operation.inputs
    assert action.action_type == "send_dunning_email" and inputs.to == ["emma.claes@mail.example"]
    assert inputs.subject == "Reminder: 3 open invoices (680.00 EUR)"
    assert "Invoice INV/T/9100: 300.00 EUR open" in inputs.body
    assert "Invoice INV/T/9101: 200.00 EUR open" in inputs.body and "500.00" not in inputs.body
    assert "Total open: 680.00 EUR" in inputs.body
    checks = {check["check_id"] for check in action.protocol["revalidation_plan"]["checks"]}
    assert {"amount-unchanged-" + str(i) for i in action.protocol["metadata"]["invoice_ids"]} <= checks
    assert {"no-recent-contact", "business-hours"} <= checks


def test_a_customer_with_many_open_invoices_gets_one_message_for_the_oldest(chasing_org, odoo, add_invoice):
    """Each invoice listed is checked again before sending: one message carries the 25 oldest,
    the others wait until those are settled; nothing fails to be proposed."""
    made = [add_invoice(EMMA, 14 - day // 3, 100.0 + day) for day in range(30)]
    engine.tick(chasing_org, odoo)
    [action] = _levels(chasing_org)
    listed = action.protocol["metadata"]["invoice_ids"]
    assert len(listed) == engine.MAX_INVOICES_PER_MESSAGE == 25
    assert made[0]["id"] in listed and made[-1]["id"] not in listed  # the oldest first
    assert f"Invoice {made[0]['name']}: 100.00 EUR open" in action.parsed.operation.inputs.body
    assert len(action.protocol["revalidation_plan"]["checks"]) > 50


def test_a_rerun_or_a_lost_state_never_proposes_a_level_twice(chasing_org, odoo, approver):
    engine.tick(chasing_org, odoo)
    engine.tick(chasing_org, odoo)
    follow_up = _emma(chasing_org)
    level = follow_up.level
    FollowUp.objects.filter(pk=follow_up.pk).update(level=level - 1, sent={})  # as if a worker died mid-tick
    engine.tick(chasing_org, odoo)
    [action] = _levels(chasing_org)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    engine.tick(chasing_org, odoo)  # the same level again: its send key finds the approved action
    assert _levels(chasing_org) == [action]
    assert _emma(chasing_org).level == level


def test_a_payment_stops_the_sequence_and_blocks_an_approved_level(chasing_org, odoo, approver, smtp):
    engine.tick(chasing_org, odoo)
    [action] = _levels(chasing_org)
    approved = services.approve(action, approver, protocol_hash=action.protocol_hash)
    invoice_id = action.protocol["metadata"]["invoice_ids"][0]
    odoo.write("account.move", [invoice_id], {"payment_state": "paid", "amount_residual": 0.0})
    outcome = services.execute(approved.pk)
    assert outcome.status != ActionStatus.EXECUTED and smtp.received == []
    engine.tick(chasing_org, odoo)
    follow_up = FollowUp.objects.get(organization=chasing_org, target_id=EMMA)
    assert follow_up.status == FollowUpStatus.COMPLETED and "paid" in follow_up.reason
    assert follow_up.events.filter(kind=EventKind.COMPLETED).count() == 1


def test_an_approved_level_is_sent_and_the_next_waits_for_its_day(chasing_org, odoo, approver, smtp):
    engine.tick(chasing_org, odoo)
    [action] = _levels(chasing_org)
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert [m.rcpt_tos for m in smtp.received] == [["emma.claes@mail.example"]]
    follow_up = _emma(chasing_org)
    assert follow_up.next_due_at.date() > date.today()
    engine.tick(chasing_org, odoo)
    assert len(_levels(chasing_org)) == 1


def test_a_reply_from_the_customer_pauses_it_for_a_person(chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    [pending] = _levels(chasing_org)
    later = timezone.now() + timedelta(hours=1)
    odoo.execute("mail.message", "create", {
        "model": "res.partner", "res_id": EMMA, "message_type": "email", "author_id": EMMA,
        "body": "<p>I paid last week, please check.</p>", "date": later.strftime("%Y-%m-%d %H:%M:%S")})
    engine.tick(chasing_org, odoo, now=later + timedelta(minutes=5))
    follow_up = _emma(chasing_org)
    assert follow_up.status == FollowUpStatus.PAUSED and "replied" in follow_up.reason
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.CANCELLED
    assert follow_up.events.filter(kind=EventKind.REPLY).exists()


def test_a_broken_promise_moves_to_the_next_level_at_once(chasing_org, odoo, approver):
    engine.tick(chasing_org, odoo)
    follow_up = _emma(chasing_org)
    level_before = follow_up.level
    followup_services.promise(follow_up, approver, promised_date=date.today() + timedelta(days=1), amount=None,
                              grace_days=1)
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=2))
    assert _emma(chasing_org).level == level_before, "held until the date and the grace days"
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=3))
    follow_up = _emma(chasing_org)
    assert follow_up.level == level_before + 1
    assert follow_up.events.filter(kind=EventKind.PROMISE_BROKEN).exists()
    assert _levels(chasing_org)[-1].title.startswith("Firm reminder")


def test_a_disputed_invoice_leaves_the_next_message(chasing_org, odoo, approver, add_invoice):
    extra = add_invoice(EMMA, 20, 300.0)
    engine.tick(chasing_org, odoo)
    [first] = _levels(chasing_org)
    original = [i for i in first.protocol["metadata"]["invoice_ids"] if i != extra["id"]][0]
    followup_services.dispute(chasing_org, approver, invoice_id=extra["id"], reason="Wrong quantity delivered")
    assert Action.objects.get(pk=first.pk).status == ActionStatus.CANCELLED
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=32))  # past the collection task's day
    latest = _levels(chasing_org)[-1]
    assert latest.pk != first.pk and latest.protocol["metadata"]["invoice_ids"] == [original]
    followup_services.dispute(chasing_org, approver, invoice_id=original, reason="Also contested")
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=33))
    follow_up = FollowUp.objects.get(organization=chasing_org, target_id=EMMA)
    assert follow_up.status == FollowUpStatus.PAUSED and follow_up.reason == engine.ON_HOLD


def test_without_sequences_the_analyzers_keep_their_own_reminders(connected_org, odoo):
    from followups import tasks

    assert tasks.tick(connected_org.pk) == {}
    assert not FollowUp.objects.exists()


def test_a_stopped_follow_up_stays_stopped_until_new_invoices_come(chasing_org, odoo, approver, add_invoice):
    engine.tick(chasing_org, odoo)
    followup_services.stop(_emma(chasing_org), approver, reason="Agreed a payment plan by phone")
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=1))
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=20))
    assert not FollowUp.objects.filter(organization=chasing_org, target_id=EMMA, status="active").exists()
    assert [a.status for a in _levels(chasing_org)] == [ActionStatus.CANCELLED]
    add_invoice(EMMA, 4, 90.0)
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=1))
    assert _emma(chasing_org).status == FollowUpStatus.ACTIVE


def test_a_customer_a_day_late_gets_no_courtesy_note(chasing_org, odoo, add_invoice):
    partner_id = odoo.create("res.partner", {"name": "Late Corp", "email": "ap@late.example", "is_company": True})
    add_invoice(partner_id, 1, 400.0)
    engine.tick(chasing_org, odoo)
    follow_up = FollowUp.objects.get(organization=chasing_org, target_id=partner_id)
    assert follow_up.level == 1 and not _levels(chasing_org, partner_id)  # the friendly level waits for day 3


def test_customers_are_named_as_aiom_prints_odoo_names(chasing_org, odoo, client, approver):
    engine.tick(chasing_org, odoo)
    names = set(FollowUp.objects.filter(organization=chasing_org).values_list("target_name", flat=True))
    assert "Bright alert Media" in names or any(name.startswith("Bright") and "<" not in name for name in names)
    assert not any("IBAN" in name or "script" in name or "http" in name for name in names)
    client.force_login(approver)
    page = client.get("/dashboard/follow-ups/?page_size=100").content.decode()
    assert "IBAN" not in page and "&lt;script" not in page


def test_a_resolved_dispute_brings_the_invoice_back(chasing_org, odoo, approver, client, add_invoice):
    extra = add_invoice(EMMA, 20, 300.0)
    engine.tick(chasing_org, odoo)
    follow_up = _emma(chasing_org)
    client.force_login(approver)
    client.post(f"/dashboard/follow-ups/{follow_up.pk}/dispute/", {"invoice": extra["id"], "reason": "Wrong quantity"})
    engine.tick(chasing_org, odoo)
    assert extra["id"] not in [invoice["id"] for invoice in _emma(chasing_org).invoices]
    page = client.get(f"/dashboard/follow-ups/{follow_up.pk}/").content.decode()
    assert "Open disputes" in page and "Wrong quantity" in page
    hold = Hold.objects.get(invoice_id=extra["id"], resolved_at__isnull=True)
    assert client.post(f"/api/follow-ups/{follow_up.pk}/disputes/{hold.pk + 999}/resolve/").status_code == 404
    client.post(f"/dashboard/follow-ups/{follow_up.pk}/disputes/{hold.pk}/resolve/")
    hold.refresh_from_db()
    assert hold.resolved_at is not None
    engine.tick(chasing_org, odoo)
    assert extra["id"] in [invoice["id"] for invoice in _emma(chasing_org).invoices]
    assert _emma(chasing_org).events.filter(kind=EventKind.DISPUTE, text__contains="resolved").exists()


def test_a_dispute_is_resolved_through_the_api(chasing_org, odoo, approver, add_invoice):
    from django.test import Client
    import json

    extra = add_invoice(EMMA, 20, 300.0)
    engine.tick(chasing_org, odoo)
    follow_up = _emma(chasing_org)
    api = Client()
    api.force_login(approver)
    made = api.post(f"/api/follow-ups/{follow_up.pk}/dispute/", json.dumps({"invoice_id": extra["id"], "reason": "Price"}),
                    content_type="application/json")
    assert made.status_code == 200
    hold = Hold.objects.get(invoice_id=extra["id"])
    answer = api.post(f"/api/follow-ups/{follow_up.pk}/disputes/{hold.pk}/resolve/")
    assert answer.status_code == 200 and Hold.objects.get(pk=hold.pk).resolved_at is not None
    assert api.post(f"/api/follow-ups/{follow_up.pk}/disputes/{hold.pk}/resolve/").status_code == 404


def test_a_sequence_that_thanks_proposes_a_thank_you_once_everything_is_paid(chasing_org, odoo, approver, smtp):
    from followups.defaults import ensure_defaults

    sequence = ensure_defaults(chasing_org)["invoices"]
    sequence.thank_you = True
    sequence.save()
    engine.tick(chasing_org, odoo)
    [level] = _levels(chasing_org)
    services.approve(level, approver, protocol_hash=level.protocol_hash)
    services.execute(level.pk)
    odoo.write("account.move", level.protocol["metadata"]["invoice_ids"], {"payment_state": "paid",
                                                                           "amount_residual": 0.0})
    engine.tick(chasing_org, odoo)
    engine.tick(chasing_org, odoo)  # once only
    thanks = [a for a in _levels(chasing_org) if a.action_type == "thank_for_payment"]
    assert len(thanks) == 1
    services.approve(thanks[0], approver, protocol_hash=thanks[0].protocol_hash)
    # The reminder went out moments ago: the thank-you waits for the customer's outreach window.
    assert services.execute(thanks[0].pk).status == "deferred" and len(smtp.received) == 1
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        assert services.execute(thanks[0].pk).status == ActionStatus.EXECUTED
    mail = smtp.received[-1].message
    assert mail["Subject"] == "Thank you for your payment"
    assert "Thank you for your payment" in mail.get_body(("plain",)).get_content()


def test_without_thanks_a_paid_customer_hears_nothing_more(chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    [level] = _levels(chasing_org)
    odoo.write("account.move", level.protocol["metadata"]["invoice_ids"], {"payment_state": "paid",
                                                                           "amount_residual": 0.0})
    engine.tick(chasing_org, odoo)
    assert [a.action_type for a in _levels(chasing_org)] == ["send_dunning_email"]
