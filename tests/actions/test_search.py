"""Finding an action by what people remember: the customer, the invoice, deal or task, an Odoo id."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import selectors, services
from actions.types import ActionType

from .invoices import invoice_reminder
from .protocols import protocol_for


@pytest.fixture
def westpoint(org):
    return services.propose(org, invoice_reminder(invoice_id=8, name="INV/2026/00014", customer="Westpoint",
                                                  partner_id=7), source="analyzer")


@pytest.fixture
def northwind(org):
    return services.propose(org, invoice_reminder(invoice_id=9, name="INV/2026/00020", customer="Northwind",
                                                  partner_id=12), source="analyzer")


@pytest.fixture
def elsewhere(other_org):
    """Another organisation's reminder to a customer of the same name, on the same Odoo ids."""
    return services.propose(other_org, invoice_reminder(invoice_id=8, name="INV/2026/00014", customer="Westpoint",
                                                        partner_id=7), source="analyzer")


def _queue(client, q):
    return client.get(reverse("dashboard:approvals"), {"q": q}).content.decode()


@pytest.mark.parametrize("q", ["westpoint", "WESTPOINT", "INV/2026/00014", "inv/2026/00014", "8", "#8", "7"])
def test_the_queue_finds_a_reminder_by_customer_invoice_or_odoo_id(client, approver, westpoint, northwind,
                                                                    elsewhere, q):
    client.force_login(approver)
    page = _queue(client, q)
    assert f'id="action-{westpoint.pk}"' in page
    assert f'id="action-{northwind.pk}"' not in page
    assert f'id="action-{elsewhere.pk}"' not in page


def test_a_search_that_matches_nothing_says_so_and_the_box_keeps_the_words(client, approver, westpoint):
    client.force_login(approver)
    page = _queue(client, "Globex")
    assert f'id="action-{westpoint.pk}"' not in page
    assert "Nothing is waiting for you" in page
    assert 'value="Globex"' in page


def test_deals_and_tasks_are_found_by_their_names(org):
    deal = services.propose(org, protocol_for(ActionType.FOLLOW_UP_STALLED_DEAL,
                                              title="Follow up: Deal “Harbour refit” is stalled",
                                              metadata={"record_name": "Harbour refit", "partner_name": "Kessler"}),
                            source="analyzer")
    task = services.propose(org, protocol_for(ActionType.NOTE_OVERDUE_TASK, title="Note: task is late",
                                              metadata={"record_name": "Quarterly VAT return"}), source="analyzer")
    assert list(selectors.actions_pending(organization=org, q="harbour")) == [deal]
    assert list(selectors.actions_pending(organization=org, q="kessler")) == [deal]
    assert list(selectors.actions_pending(organization=org, q="vat return")) == [task]
    assert list(selectors.actions_pending(organization=org, q="5")) == [task]  # the task's Odoo id


def test_history_is_searched_the_same_way(client, approver, org, westpoint, northwind, elsewhere):
    for action in (westpoint, northwind):
        services.reject(action, approver, reason="Paid by phone", protocol_hash=action.protocol_hash)
    client.force_login(approver)
    page = client.get(reverse("dashboard:history"), {"q": "Westpoint"}).content.decode()
    assert reverse("dashboard:action", args=[westpoint.pk]) in page
    assert reverse("dashboard:action", args=[northwind.pk]) not in page
    assert reverse("dashboard:action", args=[elsewhere.pk]) not in page


@pytest.mark.parametrize("q", ["westpoint", "INV/2026/00014", "8"])
def test_the_audit_trail_keeps_the_events_of_the_actions_searched_for(client, approver, westpoint, northwind,
                                                                       elsewhere, q):
    client.force_login(approver)
    page = client.get(reverse("dashboard:audit"), {"q": q}).content.decode()
    assert reverse("dashboard:action", args=[westpoint.pk]) in page
    assert reverse("dashboard:action", args=[northwind.pk]) not in page
    assert reverse("dashboard:action", args=[elsewhere.pk]) not in page
    export = client.get(reverse("dashboard:audit-export"), {"q": q})
    rows = b"".join(export.streaming_content).decode()
    assert str(westpoint.pk) in rows and str(northwind.pk) not in rows and str(elsewhere.pk) not in rows


def test_a_search_costs_the_same_queries_for_3_or_30_matches(client, approver, org):
    client.force_login(approver)

    def queries_for(view):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(view), {"q": "westpoint"}).status_code == 200
        return len(captured)

    def propose(count, start):
        for n in range(start, start + count):
            services.propose(org, invoice_reminder(invoice_id=n, name=f"INV/2026/{n:05}"), source="analyzer")

    propose(3, 100)
    few = queries_for("dashboard:approvals"), queries_for("dashboard:audit")
    propose(27, 200)
    assert selectors.actions_pending(organization=org, q="westpoint").count() == 30
    assert (queries_for("dashboard:approvals"), queries_for("dashboard:audit")) == few
