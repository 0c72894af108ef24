"""The deal cadence: stalled deals get the analyzers' own follow-up email and call on the
cadence's days, and the follow-up ends when the deal is won, lost or moves."""

from datetime import timedelta

from django.utils import timezone

from actions import services
from actions.models import Action, ActionStatus
from followups import engine
from followups.models import FollowUp, FollowUpStatus


def _deal_follow_ups(org):
    return FollowUp.objects.filter(organization=org, target_model="crm.lead")


def test_stalled_deals_get_a_follow_up_email_then_a_call_on_the_cadence(chasing_org, odoo, approver):
    engine.tick(chasing_org, odoo)
    follow_ups = list(_deal_follow_ups(chasing_org))
    assert follow_ups, "the demo has stalled deals"
    first = follow_ups[0]
    def levels():
        return list(Action.objects.filter(organization=chasing_org, source="follow_up", target_model="crm.lead",
                                          target_id=first.target_id).order_by("created_at"))

    actions = levels()
    assert [a.action_type for a in actions] in (["follow_up_stalled_deal"], ["schedule_deal_call"])
    assert actions[0].title.startswith(("Follow-up email:", "Call:"))
    checks = {c["check_id"] for c in actions[0].protocol["revalidation_plan"]["checks"]}
    assert "same-stage" in checks
    engine.tick(chasing_org, odoo)  # the same day again: nothing new
    assert len(levels()) == 1
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=8))
    assert len(levels()) == 1, "the next level waits while the last one waits for a decision"
    services.reject(actions[0], approver, reason="Not now", protocol_hash=actions[0].protocol_hash)
    engine.tick(chasing_org, odoo, now=timezone.now() + timedelta(days=8))
    follow_up = FollowUp.objects.get(pk=first.pk)
    assert [a.action_type for a in levels()][1:] == ["schedule_deal_call"]
    assert follow_up.level == 2 and follow_up.next_due_at is not None


def _not_past_closing(org, odoo):
    """A deal stalled only by its stage (one past its closing date stays stalled when it moves)."""
    today = timezone.localdate().isoformat()
    for follow_up in _deal_follow_ups(org).order_by("pk"):
        deadline = odoo.read("crm.lead", [follow_up.target_id], ["date_deadline"])[0]["date_deadline"]
        if not deadline or deadline > today:
            return follow_up
    raise AssertionError("the demo has a deal stalled only by its stage")


def test_a_deal_that_moves_ends_its_follow_up_and_withdraws_the_pending_level(chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    follow_up = _not_past_closing(chasing_org, odoo)
    pending = Action.objects.get(pk=follow_up.last_action_id)
    stages = odoo.search_read("crm.stage", [("is_won", "=", False)], ["name"], order="sequence asc, id asc")
    current = odoo.read("crm.lead", [follow_up.target_id], ["stage_id"])[0]["stage_id"][0]
    other = next(stage for stage in stages if stage["id"] != current)
    odoo.write("crm.lead", [follow_up.target_id], {"stage_id": other["id"]})
    engine.tick(chasing_org, odoo)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.COMPLETED and follow_up.reason == f"The deal moved to {other['name']}."
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.CANCELLED


def test_a_won_deal_ends_its_follow_up(chasing_org, odoo):
    engine.tick(chasing_org, odoo)
    follow_up = _deal_follow_ups(chasing_org).first()
    won = odoo.search("crm.stage", [("is_won", "=", True)], limit=1)[0]
    odoo.write("crm.lead", [follow_up.target_id], {"stage_id": won})
    engine.tick(chasing_org, odoo)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.COMPLETED and follow_up.reason == "The deal was won."


def test_a_deal_follow_up_to_a_customer_with_old_unpaid_invoices_says_so(chasing_org, odoo, client, approver):
    engine.tick(chasing_org, odoo)
    deals_of = Action.objects.filter(organization=chasing_org, source="follow_up", target_model="crm.lead")
    flagged = [a for a in deals_of if a.protocol["metadata"].get("approver_notes")]
    assert flagged, "a demo customer with invoices over 30 days overdue also has a stalled deal"
    note = flagged[0].protocol["metadata"]["approver_notes"][0]
    assert "more than 30 days overdue" in note
    unflagged = [a for a in deals_of if not a.protocol["metadata"].get("approver_notes")]
    assert all(not FollowUp.objects.filter(target_id=a.partner_id, target_model="res.partner",
                                           invoices__0__days_overdue__gt=30).exists() for a in unflagged)
    client.force_login(approver)
    page = client.get(f"/dashboard/actions/{flagged[0].pk}/").content.decode()
    assert "Before you approve:" in page and "more than 30 days overdue" in page
