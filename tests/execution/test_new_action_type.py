"""One registry entry decides everything about an action type: a type registered here, and
nowhere else, is validated, guarded, shown, editable and executed like a built-in one."""

import pytest
from django.urls import reverse

from actions import guardrails, services, types
from actions.fields import RiskLevel
from actions.models import ActionStatus
from actions.protocol import ProtocolError, parse_protocol, protocol_json_schema
from audit.services import SYSTEM

from .actions import reminder

THANK_YOU = types.ActionTypeSpec("thank_customer_for_payment", types.SafeOperation.SEND_EMAIL, RiskLevel.HIGH,
                                 "thank a customer for a payment")


@pytest.fixture
def thank_you():
    types.register(THANK_YOU)
    yield THANK_YOU
    types.unregister(THANK_YOU.name)


def _thank_you_document(invoice: dict, **overrides) -> dict:
    document = reminder(invoice, **overrides)
    partner = invoice["partner"]["name"]
    document["action_type"] = THANK_YOU.name
    document["risk_level"] = "low"
    document["title"] = f"Thank {partner} for paying"
    document["operation"]["inputs"]["subject"] = "Thank you for your payment"
    document["external_effects"][0]["subject"] = "Thank you for your payment"
    return document


def test_an_unregistered_type_is_refused_with_the_known_ones_named(overdue_invoice):
    with pytest.raises(ProtocolError) as refused:
        parse_protocol(_thank_you_document(overdue_invoice))
    assert "action_type: Input should be a registered action type" in refused.value.message
    assert "not 'thank_customer_for_payment'" in refused.value.message
    assert "send_invoice_reminder" in refused.value.message


def test_a_registered_type_is_valid_and_in_the_schema(thank_you, overdue_invoice):
    protocol = parse_protocol(_thank_you_document(overdue_invoice))
    assert protocol.spec is thank_you and protocol.is_external
    assert protocol.rollback_strategy == "not_possible"  # from its operation's entry
    assert thank_you.name in protocol_json_schema()["$defs"]["ActionType"]["enum"]


def test_guardrails_read_its_entry(thank_you, connected_org, overdue_invoice):
    action = services.propose(connected_org, _thank_you_document(overdue_invoice), source="analyzer")
    assert action.status == ActionStatus.PENDING_APPROVAL
    assert action.risk_level == "high"  # its floor, above the declared low
    reasons = " ".join(action.guardrail_decision["reasons"])
    assert "Risk raised from low to high, the minimum for thank a customer for a payment." in reasons
    assert "outside the company" in reasons

    guardrails.policy_update(guardrails.policy_for(connected_org), actor=SYSTEM, may_send_email=False)
    denied = services.propose(connected_org, _thank_you_document(overdue_invoice), source="analyzer")
    assert denied.status == ActionStatus.DENIED
    assert "Sending email is turned off" in denied.status_reason


def test_people_see_filter_and_edit_it_as_its_entry_says(thank_you, connected_org, approver, client, overdue_invoice):
    action = services.propose(connected_org, _thank_you_document(overdue_invoice), source="analyzer")
    client.force_login(approver)
    queue = client.get(reverse("dashboard:approvals")).content.decode()
    assert '<option value="thank_customer_for_payment">thank a customer for a payment</option>' in queue
    assert "Thank you for your payment" in queue
    filtered = client.get(reverse("dashboard:approvals"), {"action_type": thank_you.name}).content.decode()
    assert f'id="action-{action.pk}"' in filtered

    edit_page = client.get(reverse("dashboard:edit", args=[action.pk])).content.decode()
    assert 'name="subject"' in edit_page and 'name="body"' in edit_page and 'name="name"' not in edit_page


def test_it_executes_through_its_operation(thank_you, connected_org, approver, smtp, overdue_invoice):
    action = services.approve(services.propose(connected_org, _thank_you_document(overdue_invoice),
                                               source="analyzer"), approver)
    outcome = services.execute(action.pk)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail
    assert [message.message["Subject"] for message in smtp.received] == ["Thank you for your payment"]
    assert smtp.received[0].rcpt_tos == [overdue_invoice["partner"]["email"]]
