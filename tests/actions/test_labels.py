"""Records, fields, amounts and checks in plain words, the same on every card."""

import re
from datetime import datetime, timezone

import pytest
from django.urls import reverse

from actions import services
from actions.describe import checks, field_label, format_amount, record_label, show_value
from actions.protocol import parse_protocol
from actions.revalidation import revalidate
from actions.types import ActionType

from .invoices import invoice_reminder
from .protocols import protocol_for

MONDAY_EVENING = datetime(2026, 11, 23, 19, 30, tzinfo=timezone.utc)  # 20:30 in Brussels
MONDAY_NOON = datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)


class FakeOdoo:
    def __init__(self, **records):
        self.records = records

    def read(self, model, ids, fields):
        record = self.records.get(f"{model}:{ids[0]}")
        return [] if record is None else [{"id": ids[0], **record}]


def test_records_read_as_people_name_them():
    protocol = parse_protocol(invoice_reminder())
    assert record_label("account.move", 8, protocol) == "Invoice INV/2026/00014 — Westpoint"
    assert record_label("res.partner", 7, protocol) == "Customer Westpoint"
    assert record_label("account.move", 9, protocol) == "Invoice #9"
    assert record_label("crm.lead", 11) == "Deal #11"
    assert record_label("project.task", None) == "New task"


@pytest.mark.parametrize("field, words", [
    ("message_ids", "Chatter note"), ("stage_id", "Stage"), ("name", "Name"), ("amount_residual", "Amount due"),
    ("payment_state", "Payment status"), ("date_deadline", "Deadline"), ("x_credit_hold", "X credit hold"),
])
def test_fields_read_in_plain_words(field, words):
    assert field_label(field) == words


@pytest.mark.parametrize("value, shown", [
    (0, "0"), (0.0, "0.00"), (4100.0, "4,100.00"), (None, "—"), (False, "—"), ("", "—"), ([], "—"),
    (True, "yes"), ([3, "Proposition"], "Proposition"),
])
def test_values_show_zero_as_zero_and_only_nothing_as_a_dash(value, shown):
    assert show_value(value) == shown


def test_amounts_are_written_one_way():
    assert format_amount(4100, "EUR") == "4,100.00 EUR"
    assert format_amount(0.0, "EUR") == "0.00 EUR"
    assert format_amount(1250.5) == "1,250.50"
    assert format_amount(1250.5, "EUR", "de") == "1.250,50 EUR"
    assert show_value(4100, field="amount_residual", currency="EUR") == "4,100.00 EUR"
    assert show_value("not_paid", field="payment_state") == "not paid"


def test_the_card_writes_records_fields_and_amounts_in_words(client, approver, org):
    services.propose(org, invoice_reminder(amount_due=4100.0), source="analyzer")
    client.force_login(approver)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    diff = page[page.index('<table class="diff'):]
    diff = diff[:diff.index("</table>")]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", diff, re.S)]
    rows = [row for row in cells if row]  # the header row has no <td>
    assert rows == [["Invoice INV/2026/00014 — Westpoint", "Amount due", "4,100.00 EUR", "0.00 EUR"],
                    ["Invoice INV/2026/00014 — Westpoint", "Chatter note", "—", "Note: email sent about INV/2026/00014"]]
    words = re.sub(r'(href|id)="[^"]*"', "", page)
    assert "account.move" not in words and "message_ids" not in words and "amount_residual" not in words
    assert "amount due is still 4,100.00 EUR" in page
    assert "4100" not in words


def test_each_check_says_once_what_happens_if_it_fails(client, approver, org):
    services.propose(org, invoice_reminder(), source="analyzer")
    client.force_login(approver)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert ("Sent only between 09:00 and 17:00 Europe/Brussels, Monday to Friday "
            '<span class="muted">(if not: it waits for the sending hours)</span>') in page
    assert "otherwise it waits" not in page
    assert ('Invoice INV/2026/00014 — Westpoint: payment status is still not paid '
            '<span class="muted">(if not: the action stops)</span>') in page
    deal = parse_protocol(protocol_for(ActionType.ADVANCE_DEAL_STAGE))
    assert ("Deal #11: stage is still 2", "you are asked again") in checks(deal)


def _outcome(org, odoo, now=MONDAY_NOON, document=None):
    protocol = parse_protocol(document or invoice_reminder())
    return revalidate(protocol, organization=org, odoo=odoo, now=now).summary()


UNPAID = {"display_name": "INV/2026/00014", "payment_state": "not_paid", "amount_residual": 4100.0}


def test_a_paid_invoice_reads_as_paid_in_the_meantime(org):
    paid = FakeOdoo(**{"account.move:8": {**UNPAID, "payment_state": "paid", "amount_residual": 0.0}})
    assert _outcome(org, paid) == ("The invoice was paid in the meantime. "
                                   "The amount due changed in the meantime: now 0.00 EUR instead of 4,100.00 EUR.")


def test_a_partly_paid_invoice_and_a_deleted_one(org):
    partly = FakeOdoo(**{"account.move:8": {**UNPAID, "payment_state": "partial", "amount_residual": 1000.0}})
    assert _outcome(org, partly).startswith("The invoice is now partly paid (it was not paid).")
    assert _outcome(org, FakeOdoo()).startswith("The invoice (#8) no longer exists in Odoo.")


def test_a_deal_in_another_stage_reads_as_moved(org):
    moved = FakeOdoo(**{"crm.lead:11": {"display_name": "Harbour refit", "stage_id": [4, "Won"]}})
    summary = _outcome(org, moved, document=protocol_for(ActionType.ADVANCE_DEAL_STAGE))
    assert summary == "The deal moved to another stage in the meantime (now Won)."


def test_outside_sending_hours_says_until_when_it_waits(org):
    summary = _outcome(org, FakeOdoo(**{"account.move:8": UNPAID}), now=MONDAY_EVENING)
    assert summary == "Outside sending hours: it waits until 09:00 on Tue 2026-11-24 (Europe/Brussels)."


def test_checks_that_hold_say_so_in_words(org):
    protocol = parse_protocol(invoice_reminder())
    verdict = revalidate(protocol, organization=org, odoo=FakeOdoo(**{"account.move:8": UNPAID}), now=MONDAY_NOON)
    assert [result.summary for result in verdict.results] == [
        "INV/2026/00014 still exists.",
        "INV/2026/00014: payment status is still not paid.",
        "INV/2026/00014: amount due is still 4,100.00 EUR.",
        "Nobody sent this customer an email in the last 4 h.",
        "Inside the sending hours.",
    ]
