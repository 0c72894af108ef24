"""The outreach window an approver sees on the card ("nobody emailed this customer in the last
4 h") holds even when two actions to the same customer are claimed at the same moment: it is
checked under the organisation's lock together with the outbound record, not only in the
earlier revalidation."""

import datetime

import pytest

from actions import execution
from actions.models import Action, ActionStatus, GuardrailPolicy, LedgerStatus, OutboundRecord
from audit.models import ActionEvent, EventType
from audit.services import verify_chain
from tests.actions.concurrency import run_together
from tests.execution.actions import reminder

from .support import allow_bulk_email, approved, message_ids

PAIRS = 5


def _invoices_of_distinct_partners(odoo, count: int) -> list[dict]:
    """One overdue invoice per customer, so each pair starts with a customer nobody emailed."""
    rows = odoo.search_read("account.move", [
        ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "=", "not_paid"),
        ("partner_id.email", "!=", False)], ["name", "partner_id", "amount_residual"], order="id asc")
    by_partner = {}
    for row in rows:
        by_partner.setdefault(row["partner_id"][0], row)
    chosen = list(by_partner.values())[:count]
    assert len(chosen) == count, "the sandbox needs enough customers with open invoices"
    partners = {p["id"]: p for p in odoo.read("res.partner", [row["partner_id"][0] for row in chosen],
                                                ["email", "phone", "name"])}
    return [{**row, "partner": partners[row["partner_id"][0]]} for row in chosen]


def _window_checked_first(invoice: dict) -> dict:
    """A reminder whose revalidation looks at recent emails before reading Odoo: both workers of
    a pair see "nobody emailed this customer" before either has recorded its send."""
    document = reminder(invoice)
    checks = document["revalidation_plan"]["checks"]
    checks.sort(key=lambda check: check["predicate"]["type"] != "no_duplicate_action_in_window")
    return document


@pytest.mark.django_db(transaction=True)
def test_two_emails_to_one_customer_claimed_together_only_one_is_sent(connected_org, approver, odoo, smtp, sandbox):
    allow_bulk_email(connected_org)  # the policy allows back-to-back emails; only the card's 4 h window is left
    GuardrailPolicy.objects.filter(organization=connected_org).update(
        business_hours_start=datetime.time(0, 0), business_hours_end=datetime.time(23, 59, 59), weekends_off=False)

    for invoice in _invoices_of_distinct_partners(odoo, PAIRS):
        first, second = (approved(connected_org, approver, _window_checked_first(invoice)) for _ in range(2))

        sandbox.server.latency = 0.15  # Odoo's answers come after both have checked the window
        outcomes = run_together(lambda: execution.execute(first.pk), lambda: execution.execute(second.pk))
        sandbox.server.latency = 0.0

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert sorted(o.status for o in outcomes) == ["deferred", ActionStatus.EXECUTED], outcomes
        sent, waiting = sorted(Action.objects.filter(pk__in=[first.pk, second.pk]),
                               key=lambda action: action.status != ActionStatus.EXECUTED)
        assert sent.status == ActionStatus.EXECUTED
        assert waiting.status == ActionStatus.APPROVED and waiting.not_before is not None
        assert "contacted by email" in waiting.status_reason
        assert waiting.not_before >= sent.executed_at + datetime.timedelta(hours=4) - datetime.timedelta(seconds=5)
        assert ActionEvent.objects.filter(action_id=waiting.pk, event_type=EventType.DEFERRED).count() == 1
        assert not OutboundRecord.objects.filter(action=waiting).exclude(status=LedgerStatus.NOT_SENT).exists()

    received = message_ids(smtp)
    assert len(received) == PAIRS and set(received.values()) == {1}
    assert verify_chain(connected_org).ok
