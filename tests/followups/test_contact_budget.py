"""One contact budget: invoice reminders and deal follow-ups to one customer share the outreach
window, and at most N messages (email and SMS together) reach one customer in D days whatever
sent them. The executor keeps the budget when it sends; the engine does not propose what could
not go, and says when it may; the card says so before anyone approves."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from actions import guardrails, services
from actions.models import Action, ActionStatus
from audit.models import ActionEvent, EventType
from audit.services import SYSTEM
from followups import engine
from followups.defaults import ensure_defaults
from followups.models import EventKind, FollowUp, Level, LevelChannel, SequenceKind
from tests.aiom.test_operator_pages import _policy_form_data
from tests.execution.actions import reminder
from tests.integrations.servers import ScriptedResponse
from tests.processes import wait_until

BRIGHTLINE = "Brightline Logistics NV"  # an invoice 20 days overdue and a stalled deal: chased and sold to


def _customer(odoo, name: str) -> dict:
    """The customer and one of its open invoices, as tests/execution/actions.reminder takes it."""
    [partner] = odoo.search_read("res.partner", [("name", "=", name)], ["name", "email", "phone"])
    [invoice] = odoo.search_read("account.move", [("partner_id", "=", partner["id"]), ("move_type", "=", "out_invoice"),
                                                  ("state", "=", "posted"), ("payment_state", "=", "not_paid")],
                                 ["name", "amount_residual"], limit=1)
    return {**invoice, "partner": partner}


def _send_reminder(org, approver, invoice) -> Action:
    """A reminder proposed, approved and sent through the executor: one message spent."""
    action = services.propose(org, reminder(invoice), source="analyzer")
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    return action


def _earlier_reminders(org, approver, invoice, *ago) -> list:
    """Reminders sent `ago` (days, or a timedelta) before now."""
    now = timezone.now()
    sent = []
    for before in ago:
        with time_machine.travel(now - (before if isinstance(before, timedelta) else timedelta(days=before))):
            sent.append(_send_reminder(org, approver, invoice))
    return sent


def _two_earlier_then_dunning_and_deal(org, odoo, approver, *ago):
    """Two reminders earlier, then the engine's invoice reminder and deal email, both approved."""
    customer = _customer(odoo, BRIGHTLINE)
    first, _ = _earlier_reminders(org, approver, customer, *ago)
    engine.tick(org, odoo)  # two messages this week: the engine still proposes both
    emails = _follow_up_emails(org, customer["partner"]["id"])
    for action in emails.values():
        services.approve(action, approver, protocol_hash=action.protocol_hash)
    return first, emails["res.partner"], emails["crm.lead"]


def _follow_up_emails(org, partner_id: int) -> dict:
    found = Action.objects.filter(organization=org, source="follow_up", partner_id=partner_id,
                                  safe_operation="send_email")
    return {action.target_model: action for action in found}


def test_a_deal_email_waits_when_an_invoice_email_just_reached_the_customer(chasing_org, odoo, approver, smtp):
    engine.tick(chasing_org, odoo)
    follow_up_emails = Action.objects.filter(organization=chasing_org, source="follow_up",
                                             safe_operation="send_email")
    invoice_partners = {a.partner_id for a in follow_up_emails if a.target_model == "res.partner"}
    deal_email = next(a for a in follow_up_emails if a.target_model == "crm.lead" and a.partner_id in invoice_partners)
    invoice_email = follow_up_emails.get(target_model="res.partner", partner_id=deal_email.partner_id)
    for action in (invoice_email, deal_email):
        services.approve(action, approver, protocol_hash=action.protocol_hash)
    assert services.execute(invoice_email.pk).status == ActionStatus.EXECUTED
    outcome = services.execute(deal_email.pk)
    assert outcome.status == ActionStatus.BLOCKED and "already got an email" in outcome.detail
    assert len(smtp.received) == 1


def test_dunning_and_a_deal_follow_up_share_the_budget_and_the_fourth_message_waits(chasing_org, odoo, approver,
                                                                                     smtp):
    first, dunning, deal = _two_earlier_then_dunning_and_deal(chasing_org, odoo, approver,
                                                              timedelta(days=7, hours=-10), 2)
    assert services.execute(dunning.pk).status == ActionStatus.EXECUTED  # the third
    with time_machine.travel(timezone.now() + timedelta(hours=5)):  # past the outreach window
        outcome = services.execute(deal.pk)

    assert outcome.status == "deferred"
    assert outcome.detail.startswith("This customer already got 3 messages in the last 7 days (the most the "
                                     "guardrails allow); waiting until ")
    deal.refresh_from_db()
    assert deal.status == ActionStatus.APPROVED and deal.status_reason == outcome.detail
    assert deal.not_before == first.outbound.created_at + timedelta(days=7)  # the oldest leaves the 7 days
    assert len(smtp.received) == 3
    assert ActionEvent.objects.filter(action_id=deal.pk, event_type=EventType.DEFERRED).count() == 1

    with time_machine.travel(deal.not_before + timedelta(minutes=1)):
        assert services.execute(deal.pk).status == ActionStatus.EXECUTED
    assert len(smtp.received) == 4


def test_a_message_whose_wait_would_outlast_its_expiry_stops_with_the_reason(chasing_org, odoo, approver, smtp):
    _, dunning, deal = _two_earlier_then_dunning_and_deal(chasing_org, odoo, approver, 3, 2)
    assert services.execute(dunning.pk).status == ActionStatus.EXECUTED
    with time_machine.travel(timezone.now() + timedelta(hours=5)):
        outcome = services.execute(deal.pk)

    assert outcome.status == ActionStatus.BLOCKED
    assert outcome.detail.startswith("This customer already got 3 messages in the last 7 days (the most the "
                                     "guardrails allow); the next may go on ")
    assert outcome.detail.endswith(", after this action expires, so it was not sent.")
    assert len(smtp.received) == 3


def test_with_deny_on_limits_a_message_over_the_budget_is_refused(chasing_org, odoo, approver, smtp):
    guardrails.policy_update(guardrails.policy_for(chasing_org), actor=SYSTEM, contact_cap_messages=1,
                             on_rate_limit="deny")
    customer = _customer(odoo, BRIGHTLINE)
    _earlier_reminders(chasing_org, approver, customer, 1)
    second = services.propose(chasing_org, reminder(customer), source="analyzer")
    services.approve(second, approver, protocol_hash=second.protocol_hash)

    outcome = services.execute(second.pk)

    assert outcome.status == ActionStatus.DENIED
    assert outcome.detail == "This customer already got 1 message in the last 7 days (the most the guardrails allow)."
    assert len(smtp.received) == 1


def test_no_cap_when_the_budget_is_zero(chasing_org, odoo, approver, smtp):
    guardrails.policy_update(guardrails.policy_for(chasing_org), actor=SYSTEM, contact_cap_messages=0)
    customer = _customer(odoo, BRIGHTLINE)
    _earlier_reminders(chasing_org, approver, customer, 4, 3, 2, 1)
    assert len(smtp.received) == 4


def test_the_engine_proposes_no_message_while_the_budget_is_spent_and_says_so_once(chasing_org, odoo, approver,
                                                                                  smtp):
    customer = _customer(odoo, BRIGHTLINE)
    partner_id = customer["partner"]["id"]
    first, _, _ = _earlier_reminders(chasing_org, approver, customer, 3, 2, 1)
    frees = first.outbound.created_at + timedelta(days=7)

    engine.tick(chasing_org, odoo)
    engine.tick(chasing_org, odoo)

    assert _follow_up_emails(chasing_org, partner_id) == {}
    waiting = FollowUp.objects.filter(organization=chasing_org, partner_id=partner_id)
    assert {follow_up.target_model for follow_up in waiting} == {"res.partner", "crm.lead"}
    for follow_up in waiting:
        assert follow_up.next_due_at == frees
        [said] = follow_up.events.filter(kind=EventKind.WAITING)
        assert said.text.startswith("Waiting: this customer already got 3 messages in 7 days")
    assert Action.objects.filter(organization=chasing_org, source="follow_up").exclude(partner_id=partner_id).exists()

    with time_machine.travel(frees + timedelta(minutes=1)):
        engine.tick(chasing_org, odoo)
    assert set(_follow_up_emails(chasing_org, partner_id)) == {"res.partner", "crm.lead"}


def test_the_card_names_the_budget_and_the_settings_page_changes_it(client, chasing_org, odoo, approver,
                                                                   admin_member):
    engine.tick(chasing_org, odoo)
    client.force_login(approver)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert ("At most 3 messages (email and SMS together) to this customer in 7 days, invoice reminders and sales "
            "messages alike <span class=\"muted\">(if not: it waits until the customer may be written to again, or "
            "stops if that is after it expires)") in page

    client.force_login(admin_member)
    settings_page = client.get(reverse("dashboard:guardrails")).content.decode()
    assert 'name="contact_cap_messages"' in settings_page and 'name="contact_cap_days"' in settings_page
    response = client.post(reverse("dashboard:guardrails"), {**_policy_form_data(chasing_org),
                                                             "contact_cap_messages": "2", "contact_cap_days": "14"})
    assert response.status_code == 302
    event = ActionEvent.objects.get(organization=chasing_org, event_type=EventType.POLICY_CHANGED)
    assert event.data["changes"] == {"contact_cap_messages": {"before": 3, "after": 2},
                                     "contact_cap_days": {"before": 7, "after": 14}}
    client.force_login(approver)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert "At most 2 messages (email and SMS together) to this customer in 14 days" in page


def test_a_budget_of_no_days_is_refused_on_the_settings_page(client, chasing_org, admin_member):
    client.force_login(admin_member)
    response = client.post(reverse("dashboard:guardrails"), {**_policy_form_data(chasing_org),
                                                             "contact_cap_days": "0", "contact_cap_messages": "-1"})
    assert response.status_code == 200
    assert guardrails.policy_for(chasing_org).contact_cap_days == 7
    assert not ActionEvent.objects.filter(event_type=EventType.POLICY_CHANGED).exists()


@pytest.mark.slow
def test_an_sms_and_an_email_approved_together_for_the_last_place_one_goes_and_one_waits(
        chasing_org, odoo, approver, smtp, http_server, start_worker):
    """Real workers run both at once: the budget is counted under the policy lock, so only one
    takes the third place (different channels: the outreach window does not part them)."""
    invoices = ensure_defaults(chasing_org)[SequenceKind.INVOICES]
    Level.objects.filter(sequence=invoices, channel=LevelChannel.EMAIL).update(channel=LevelChannel.SMS,
                                                                              risk_level="high")
    http_server.default = ScriptedResponse(200, {"id": "sms-1", "status": "queued"})
    customer = _customer(odoo, BRIGHTLINE)
    _earlier_reminders(chasing_org, approver, customer, timedelta(days=7, hours=-1), 2)
    engine.tick(chasing_org, odoo)
    sms = Action.objects.get(organization=chasing_org, source="follow_up", partner_id=customer["partner"]["id"],
                             safe_operation="send_sms")
    email = _follow_up_emails(chasing_org, customer["partner"]["id"])["crm.lead"]
    start_worker(SMS_SERVER_URL=http_server.url, SMS_SERVER_API_KEY="sms-secret", SMS_DEFAULT_FROM="+3212345678")
    for action in (sms, email):
        services.approve(action, approver, protocol_hash=action.protocol_hash)

    def settled():
        rows = Action.objects.filter(pk__in=[sms.pk, email.pk])
        waiting = rows.filter(status=ActionStatus.APPROVED, status_reason__startswith="This customer already got 3 ")
        return rows.filter(status=ActionStatus.EXECUTED).count() == 1 and waiting.count() == 1

    wait_until(settled, timeout=60, what="one message sent and the other waiting for the budget")
    to_customer = [mail for mail in smtp.received if mail.rcpt_tos == [customer["partner"]["email"]]]
    assert len(to_customer) + len(http_server.requests) == 3  # two reminders before, and one of the two
