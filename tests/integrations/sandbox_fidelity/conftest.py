"""XML-RPC sessions on the demo sandbox, logged in as its admin (Mitchell Admin)."""

import pytest

from tests.integrations.odoo.sessions import XmlRpcSession


@pytest.fixture
def odoo(odoo_sandbox):
    return XmlRpcSession(odoo_sandbox)


@pytest.fixture
def admin_partner(odoo):
    return odoo.call("res.users", "read", [odoo.uid], fields=["partner_id"])[0]["partner_id"][0]


@pytest.fixture
def user(odoo):
    """user(login) -> (uid, partner id) of a demo user."""
    def find(login):
        [row] = odoo.call("res.users", "search_read", [["login", "=", login]], fields=["partner_id"])
        return row["id"], row["partner_id"][0]
    return find
