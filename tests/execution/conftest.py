"""Execution runs against real services: the Odoo sandbox over sockets, aiosmtpd, and the
database. These fixtures connect the test organisation to them."""

import pytest

from integrations.models import OdooConnection
from integrations.odoo.client import OdooClient
from tests.integrations.servers import SmtpTestServer


@pytest.fixture
def sandbox(odoo_sandbox):
    return odoo_sandbox


@pytest.fixture
def connected_org(org, sandbox):
    OdooConnection.objects.create(organization=org, url=sandbox.url, database=sandbox.db, username=sandbox.login,
                                  secret=sandbox.api_key, protocol="xmlrpc", timeout=5)
    return org


@pytest.fixture
def odoo(connected_org):
    client = OdooClient(OdooConnection.objects.get(organization=connected_org).config())
    yield client
    client.close()


@pytest.fixture
def smtp(settings):
    with SmtpTestServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.fixture
def overdue_invoice(odoo):
    """A posted, unpaid, overdue customer invoice whose partner has an email address."""
    invoices = odoo.search_read("account.move", [
        ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "=", "not_paid"),
        ("invoice_date_due", "<", "2100-01-01"), ("partner_id.email", "!=", False),
    ], ["name", "partner_id", "amount_residual", "invoice_date_due"], order="invoice_date_due asc", limit=1)
    invoice = invoices[0]
    partner = odoo.read("res.partner", [invoice["partner_id"][0]], ["email", "phone", "name"])[0]
    return {**invoice, "partner": partner}
