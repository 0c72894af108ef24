"""One record's page: everything AIOM proposed and did for an invoice, deal, task or customer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import services
from actions.records import odoo_record_url
from actions.types import ActionType
from integrations.models import OdooConnection

from .invoices import invoice_reminder
from .protocols import protocol_for


def _page(client, model, record_id):
    return client.get(reverse("dashboard:record", args=[model, record_id]))


@pytest.fixture
def reminders(org, approver):
    """Two reminders about invoice 8 (the first rejected), one about invoice 9 of the same customer."""
    first = services.propose(org, invoice_reminder(invoice_id=8), source="analyzer")
    services.reject(first, approver, reason="Paid by phone", protocol_hash=first.protocol_hash)
    second = services.propose(org, invoice_reminder(invoice_id=8), source="analyzer")
    other_invoice = services.propose(org, invoice_reminder(invoice_id=9, name="INV/2026/00020"), source="analyzer")
    return first, second, other_invoice


def test_an_invoice_page_lists_its_actions_newest_first_with_their_status(client, viewer, reminders):
    first, second, other_invoice = reminders
    client.force_login(viewer)
    response = _page(client, "account.move", 8)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Invoice INV/2026/00014 — Westpoint</h1>" in page
    links = [reverse("dashboard:action", args=[action.pk]) for action in (second, first)]
    assert all(link in page for link in links)
    assert page.index(links[0]) < page.index(links[1])
    assert reverse("dashboard:action", args=[other_invoice.pk]) not in page
    assert "Rejected" in page and "Pending approval" in page


def test_a_customer_page_lists_every_action_for_that_customer(client, viewer, org, reminders):
    note = services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD, metadata={"partner_name": "Westpoint"}),
                            source="analyzer")
    client.force_login(viewer)
    page = _page(client, "res.partner", 7).content.decode()
    assert "<h1>Customer Westpoint</h1>" in page
    for action in (*reminders, note):
        assert reverse("dashboard:action", args=[action.pk]) in page


def test_the_card_links_to_the_invoice_and_the_customer(client, approver, reminders):
    client.force_login(approver)
    page = client.get(reverse("dashboard:action", args=[reminders[1].pk])).content.decode()
    assert f'href="{reverse("dashboard:record", args=["account.move", 8])}">Everything about this invoice<' in page
    assert f'href="{reverse("dashboard:record", args=["res.partner", 7])}">Everything about this customer<' in page


def test_another_organisations_record_and_unknown_models_answer_404(client, approver, outsider, other_org, reminders):
    services.propose(other_org, invoice_reminder(invoice_id=55), source="analyzer")
    client.force_login(approver)
    assert _page(client, "account.move", 55).status_code == 404
    assert _page(client, "sale.order", 8).status_code == 404
    assert _page(client, "res.users", 1).status_code == 404
    client.force_login(outsider)
    assert _page(client, "account.move", 8).status_code == 404
    assert _page(client, "account.move", 55).status_code == 200


def _connect(org, url, version=""):
    OdooConnection.objects.update_or_create(organization=org, defaults={
        "url": url, "database": "acme", "username": "bot", "secret": "k", "server_version": version})


@pytest.mark.parametrize("url, version, expected", [
    ("https://acme.odoo.com/", "18.0", "https://acme.odoo.com/odoo/account.move/8"),
    ("https://acme.odoo.com", "saas~17.2", "https://acme.odoo.com/odoo/account.move/8"),
    ("http://odoo.internal:8069", "17.0", "http://odoo.internal:8069/web#model=account.move&id=8"),
    ("http://odoo.internal:8069", "", "http://odoo.internal:8069/web#model=account.move&id=8"),
    ("javascript:alert(1)", "18.0", ""),
])
def test_the_odoo_link_follows_the_organisations_odoo(org, url, version, expected):
    _connect(org, url, version)
    assert odoo_record_url(org, "account.move", 8) == expected


def test_without_a_connection_the_link_uses_the_configured_odoo(org, settings):
    settings.ODOO_URL = "https://erp.example"
    assert odoo_record_url(org, "crm.lead", 11) == "https://erp.example/web#model=crm.lead&id=11"
    settings.ODOO_URL = ""
    assert odoo_record_url(org, "crm.lead", 11) == ""


def test_the_page_links_to_the_record_in_odoo(client, viewer, org, reminders):
    _connect(org, "https://acme.odoo.com", "18.0")
    client.force_login(viewer)
    page = _page(client, "account.move", 8).content.decode()
    assert 'href="https://acme.odoo.com/odoo/account.move/8"' in page


def test_the_page_costs_the_same_queries_for_2_or_20_actions(client, viewer, org, reminders):
    client.force_login(viewer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert _page(client, "account.move", 8).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(18):
        services.propose(org, invoice_reminder(invoice_id=8), source="analyzer")
    assert queries() == few
