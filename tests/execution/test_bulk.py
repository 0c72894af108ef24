"""Bulk decisions: a pre-flight table against the sandbox first, then only the passing actions
are approved, each bound to the revision the person saw, in one audited batch."""

import json
import re

import pytest
from django.urls import reverse

from actions import bulk, editing, guardrails, services
from actions.models import Action, ActionStatus, Approval, GuardrailPolicy
from actions.types import ActionType
from audit.models import ActionEvent, EventType
from audit.services import verify_chain
from tests.actions.admin_pages import admin_action, staff
from tests.actions.protocols import protocol_for

from .actions import reminder

PAID = "The invoice was paid in the meantime."
OVERDUE = [("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "=", "not_paid"),
           ("invoice_date_due", "<", "2100-01-01"), ("partner_id.email", "!=", False)]
PLAIN = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+")


@pytest.fixture
def invoices(odoo, overdue_invoice):
    """Twenty overdue invoices, each of its own customer with a plain email address: the demo's,
    plus new ones like them."""
    found = odoo.search_read("account.move", OVERDUE, ["partner_id", "journal_id", "currency_id"])
    emails = {p["id"]: p["email"] for p in odoo.read("res.partner", [row["partner_id"][0] for row in found], ["email"])}
    plain = [row for row in found if PLAIN.fullmatch(emails[row["partner_id"][0]])]
    template = found[0]
    for n in range(20 - len(plain)):
        partner_id = odoo.create("res.partner", {"name": f"Customer {n}", "email": f"accounts{n}@customer.example",
                                                 "is_company": True})
        move_id = odoo.create("account.move", {  # a draft, then posted: Odoo refuses to create it posted
            "move_type": "out_invoice", "payment_state": "not_paid", "partner_id": partner_id,
            "journal_id": template["journal_id"][0], "currency_id": template["currency_id"][0],
            "name": f"INV/2025/0{9000 + n}", "invoice_date": "2025-02-10", "date": "2025-02-10",
            "invoice_date_due": "2025-03-02", "amount_untaxed": 100.0 + n, "amount_total": 100.0 + n,
            "amount_residual": 100.0 + n})
        odoo.write("account.move", [move_id], {"state": "posted"})
    rows = odoo.search_read("account.move", OVERDUE, ["name", "partner_id", "amount_residual"],
                            order="invoice_date_due asc")
    partners = {p["id"]: p for p in odoo.read("res.partner", [row["partner_id"][0] for row in rows],
                                              ["email", "phone", "name"])}
    chosen = [{**row, "partner": partners[row["partner_id"][0]]} for row in rows
              if PLAIN.fullmatch(partners[row["partner_id"][0]]["email"])]
    assert len(chosen) == 20 and len({row["partner"]["id"] for row in chosen}) == 20
    return chosen


def _pending(org, document) -> Action:
    return services.propose(org, document, source="analyzer")


def _items(*actions):
    return [(action.pk, action.protocol_hash) for action in actions]


def _bulk_limit(org, limit: int, **changes) -> None:
    GuardrailPolicy.objects.filter(pk=guardrails.policy_for(org).pk).update(max_records_per_bulk=limit, **changes)


def test_twenty_selected_one_paid_meanwhile_one_blocked_nineteen_executed(
        connected_org, approver, smtp, odoo, invoices):
    _bulk_limit(connected_org, 50)
    actions = [_pending(connected_org, reminder(invoice)) for invoice in invoices]
    paid = invoices[7]
    odoo.write("account.move", [paid["id"]], {"payment_state": "paid", "amount_residual": 0.0})

    table = bulk.preflight(connected_org, approver, _items(*actions))
    assert [row.outcome for row in table].count(bulk.WILL_EXECUTE) == 19
    [blocked] = [row for row in table if row.outcome == bulk.WILL_BE_BLOCKED]
    assert blocked.action == actions[7] and PAID in blocked.reason
    assert not Approval.objects.exists() and smtp.received == []  # the pre-flight changed nothing
    assert all(a.status == ActionStatus.PENDING_APPROVAL for a in Action.objects.all())

    result = bulk.bulk_approve(connected_org, approver, _items(*actions), comment="Monday reminders")
    assert len(result.approved) == 19 and [row.action for row in result.skipped] == [actions[7]]
    for action in actions:
        action.refresh_from_db()
    assert actions[7].status == ActionStatus.PENDING_APPROVAL
    approved = [a for a in actions if a != actions[7]]
    assert all(a.status == ActionStatus.APPROVED for a in approved)
    assert all(a.approvals.get().protocol_hash == a.protocol_hash and a.approvals.get().channel == "bulk"
               for a in approved)
    batch = ActionEvent.objects.get(organization=connected_org, action_id=None, event_type=EventType.APPROVED)
    assert batch.data["bulk"] is True and batch.actor.startswith(f"user:{approver.pk} ")
    assert {item["id"] for item in batch.data["approved"]} == {str(a.pk) for a in approved}
    assert batch.data["skipped"] == [{"id": str(actions[7].pk), "outcome": bulk.WILL_BE_BLOCKED,
                                      "reason": blocked.reason}]

    for action in approved:
        assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert sorted(m.rcpt_tos[0] for m in smtp.received) == sorted(i["partner"]["email"] for i in invoices
                                                                  if i is not paid)
    assert verify_chain(connected_org).ok


def test_the_bulk_limit_leaves_the_rest_for_the_next_batch(connected_org, approver, invoices):
    _bulk_limit(connected_org, 2)
    actions = [_pending(connected_org, reminder(invoice)) for invoice in invoices[:3]]
    result = bulk.bulk_approve(connected_org, approver, _items(*actions))
    assert [row.outcome for row in result.rows] == [bulk.WILL_EXECUTE, bulk.WILL_EXECUTE, bulk.LEFT_OUT]
    assert result.rows[2].reason == "Over the bulk limit of 2: approve it in the next batch."
    assert Action.objects.get(pk=actions[2].pk).status == ActionStatus.PENDING_APPROVAL


def test_high_and_critical_are_left_out_unless_the_policy_allows_them(connected_org, approver, second_approver,
                                                                      invoices):
    high = _pending(connected_org, reminder(invoices[0], risk_level="high"))
    critical = _pending(connected_org, reminder(invoices[1], risk_level="critical"))
    table = bulk.preflight(connected_org, approver, _items(high, critical))
    assert [row.outcome for row in table] == [bulk.LEFT_OUT, bulk.LEFT_OUT]
    assert table[0].reason.startswith("High-risk actions are approved one at a time")

    _bulk_limit(connected_org, 10, bulk_approve_high_risk=True)
    result = bulk.bulk_approve(connected_org, approver, _items(high, critical))
    assert [row.outcome for row in result.rows] == [bulk.WILL_EXECUTE, bulk.NEEDS_ANOTHER_APPROVER]
    assert "need 2 different approvers" in result.rows[1].reason
    critical.refresh_from_db()
    assert critical.status == ActionStatus.PENDING_APPROVAL and critical.approvals.get().user == approver
    [again] = bulk.preflight(connected_org, approver, _items(critical))
    assert (again.outcome, again.reason) == (bulk.LEFT_OUT, "You have already decided on this version.")
    [second] = bulk.bulk_approve(connected_org, second_approver, _items(critical)).rows
    assert second.outcome == bulk.WILL_EXECUTE
    assert Action.objects.get(pk=critical.pk).status == ActionStatus.APPROVED


def test_unknown_other_organisation_edited_and_decided_actions_are_left_out(
        connected_org, other_org, approver, invoices):
    theirs = services.propose(other_org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    edited = _pending(connected_org, reminder(invoices[0]))
    seen = edited.protocol_hash
    editing.edit(edited, approver, inputs={"subject": "A new subject"}, protocol_hash=seen)
    decided = _pending(connected_org, reminder(invoices[1]))
    services.reject(decided, approver, reason="Not now", protocol_hash=decided.protocol_hash)
    items = [(theirs.pk, theirs.protocol_hash), ("not-an-id", "x" * 64), (edited.pk, seen),
             (decided.pk, decided.protocol_hash)]
    result = bulk.bulk_approve(connected_org, approver, items)
    assert [(row.outcome, row.reason) for row in result.rows] == [
        (bulk.LEFT_OUT, "Not found in your organisation."),
        (bulk.LEFT_OUT, "Not found in your organisation."),
        (bulk.LEFT_OUT, "It was edited since you saw it; review the new version."),
        (bulk.LEFT_OUT, "It is already rejected."),
    ]
    assert Action.objects.get(pk=theirs.pk).status == ActionStatus.PENDING_APPROVAL
    assert not Approval.objects.filter(decision="approve").exists()


# ---------------------------------------------------------------------------------------------
# The dashboard


def test_the_queue_checks_the_selected_and_approves_the_ones_that_pass(client, connected_org, approver, odoo,
                                                                       invoices):
    actions = [_pending(connected_org, reminder(invoice)) for invoice in invoices[:3]]
    odoo.write("account.move", [invoices[1]["id"]], {"payment_state": "paid", "amount_residual": 0.0})
    client.force_login(approver)
    queue = client.get(reverse("dashboard:approvals")).content.decode()
    assert 'id="bulk"' in queue and "Check selected" in queue
    assert f'form="bulk" name="selected" value="{actions[0].pk}:{actions[0].protocol_hash}"' in queue

    selected = [f"{a.pk}:{a.protocol_hash}" for a in actions]
    page = client.get(reverse("dashboard:preflight"), {"selected": selected})
    html = page.content.decode()
    assert page.status_code == 200 and 'class="plain stack preflight"' in html
    assert html.count("Will execute") == 2 and "Will be blocked" in html and PAID in html
    assert 'data-label="Why"' in html and "Approve the 2 that pass" in html
    assert f'value="{selected[1]}"' not in html  # only the passing ones are sent on
    assert not Approval.objects.exists()

    response = client.post(reverse("dashboard:bulk-approve"), {"selected": [selected[0], selected[2]]}, follow=True)
    assert "Approved 2 of 2 selected." in response.content.decode()
    statuses = [Action.objects.get(pk=a.pk).status for a in actions]
    assert statuses == [ActionStatus.APPROVED, ActionStatus.PENDING_APPROVAL, ActionStatus.APPROVED]


def test_viewers_can_neither_check_nor_approve_in_bulk(client, connected_org, viewer, invoices):
    action = _pending(connected_org, reminder(invoices[0]))
    client.force_login(viewer)
    assert 'form="bulk"' not in client.get(reverse("dashboard:approvals")).content.decode()
    selected = {"selected": [f"{action.pk}:{action.protocol_hash}"]}
    assert client.get(reverse("dashboard:preflight"), selected).status_code == 403
    assert client.post(reverse("dashboard:bulk-approve"), selected).status_code == 403
    assert client.get(reverse("dashboard:bulk-approve"), selected).status_code == 405
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL


# ---------------------------------------------------------------------------------------------
# The API


def _post(client, name, payload):
    return client.post(reverse(name), json.dumps(payload), content_type="application/json")


def test_api_preflight_and_bulk_approve(client, connected_org, approver, odoo, invoices):
    actions = [_pending(connected_org, reminder(invoice)) for invoice in invoices[:2]]
    odoo.write("account.move", [invoices[0]["id"]], {"payment_state": "paid", "amount_residual": 0.0})
    client.force_login(approver)
    payload = {"actions": [{"id": str(a.pk), "protocol_hash": a.protocol_hash} for a in actions]}
    checked = _post(client, "api-preflight", payload)
    assert checked.status_code == 200
    assert [(r["id"], r["outcome"]) for r in checked.json()["results"]] == [
        (str(actions[0].pk), bulk.WILL_BE_BLOCKED), (str(actions[1].pk), bulk.WILL_EXECUTE)]
    assert PAID in checked.json()["results"][0]["reason"]
    assert not Approval.objects.exists()

    approved = _post(client, "api-bulk-approve", payload)
    assert approved.status_code == 200 and approved.json()["results"][1]["outcome"] == bulk.WILL_EXECUTE
    assert [Action.objects.get(pk=a.pk).status for a in actions] == [ActionStatus.PENDING_APPROVAL,
                                                                      ActionStatus.APPROVED]


def test_api_bulk_needs_a_hash_per_action_and_a_deciding_role(client, connected_org, approver, viewer, outsider,
                                                              invoices):
    action = _pending(connected_org, reminder(invoices[0]))
    client.force_login(approver)
    for name in ("api-preflight", "api-bulk-approve"):
        response = _post(client, name, {"actions": [{"id": str(action.pk)}]})
        assert response.status_code == 400 and "protocol_hash" in response.json()["detail"]
        assert _post(client, name, {"actions": []}).status_code == 400
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL

    payload = {"actions": [{"id": str(action.pk), "protocol_hash": action.protocol_hash}]}
    client.force_login(viewer)
    for name in ("api-preflight", "api-bulk-approve"):
        assert _post(client, name, payload).status_code == 403
    client.force_login(outsider)  # an approver elsewhere: the action is not found in their organisation
    [row] = _post(client, "api-bulk-approve", payload).json()["results"]
    assert (row["outcome"], row["reason"]) == (bulk.LEFT_OUT, "Not found in your organisation.")
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL


# ---------------------------------------------------------------------------------------------
# The admin


def test_admin_approves_and_rejects_selected_through_the_services(client, connected_org, approver, odoo, invoices):
    passing, paid, rejected = (_pending(connected_org, reminder(invoice)) for invoice in invoices[:3])
    odoo.write("account.move", [invoices[1]["id"]], {"payment_state": "paid", "amount_residual": 0.0})
    client.force_login(staff(approver, "view_action", "decide_action"))
    page = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert "Approve selected" in page and "Reject selected" in page

    html = admin_action(client, "approve_selected", passing, paid).content.decode()
    assert "1 action(s) approved." in html and PAID in html
    assert Action.objects.get(pk=passing.pk).approvals.get().channel == "bulk"
    assert Action.objects.get(pk=paid.pk).status == ActionStatus.PENDING_APPROVAL
    assert ActionEvent.objects.filter(action_id=None, event_type=EventType.APPROVED).count() == 1

    html = admin_action(client, "reject_selected", rejected).content.decode()
    assert "1 action(s) rejected." in html
    rejected.refresh_from_db()
    assert rejected.status == ActionStatus.REJECTED
    assert rejected.status_reason == f"Rejected in bulk from the admin by {approver.get_username()}."


def test_admin_bulk_decisions_need_the_permission_and_a_deciding_role(client, connected_org, approver, viewer,
                                                                      invoices):
    action = _pending(connected_org, reminder(invoices[0]))
    client.force_login(staff(approver, "view_action"))  # no decide_action
    page = client.get(reverse("admin:actions_action_changelist")).content.decode()
    assert "Approve selected" not in page and "Reject selected" not in page
    admin_action(client, "approve_selected", action)
    admin_action(client, "reject_selected", action)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL

    client.force_login(staff(viewer, "view_action", "decide_action"))  # the permission, but a viewer's role
    for name in ("approve_selected", "reject_selected"):
        html = admin_action(client, name, action).content.decode()
        assert "may not approve or reject actions in this organisation" in html
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL
    assert not Approval.objects.exists()


def test_after_an_undo_the_same_person_may_approve_again_in_bulk(connected_org, approver, odoo, invoices):
    GuardrailPolicy.objects.filter(pk=guardrails.policy_for(connected_org).pk).update(send_delay_seconds=120)
    action = services.approve(_pending(connected_org, reminder(invoices[0])), approver)
    undone = services.undo_send(action, user=approver)
    assert undone.status == ActionStatus.PENDING_APPROVAL

    [row] = bulk.preflight(connected_org, approver, _items(undone))

    assert (row.outcome, row.reason) == (bulk.WILL_EXECUTE, "All checks pass.")  # the undone approval no longer counts


def test_own_high_risk_requests_are_left_out_for_their_proposer(connected_org, approver, second_approver, invoices):
    _bulk_limit(connected_org, 10, bulk_approve_high_risk=True)
    own = _pending(connected_org, reminder(invoices[0], risk_level="high", created_by=f"user:{approver.pk}"))
    [row] = bulk.bulk_approve(connected_org, approver, _items(own)).rows
    assert (row.outcome, row.reason) == (bulk.LEFT_OUT, "You asked for it, and it is high risk: someone else must "
                                                         "approve it.")
    assert Action.objects.get(pk=own.pk).status == ActionStatus.PENDING_APPROVAL
    [other] = bulk.bulk_approve(connected_org, second_approver, _items(own)).rows
    assert other.outcome == bulk.WILL_EXECUTE
