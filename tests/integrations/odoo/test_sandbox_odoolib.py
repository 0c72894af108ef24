"""odoo-client-lib, a third-party client written against real Odoo, works unchanged on the sandbox."""

import xmlrpc.client

import odoolib
from odoolib.tools import AuthenticationError
import pytest


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_read_and_write_through_odoolib(odoo_sandbox, protocol):
    connection = odoolib.get_connection(
        hostname=odoo_sandbox.host, port=odoo_sandbox.port, database=odoo_sandbox.db, login=odoo_sandbox.login, password=odoo_sandbox.password, protocol=protocol
    )
    connection.check_login()
    assert connection.user_id == 2
    partners = connection.get_model("res.partner")
    companies = partners.search_read([("is_company", "=", True)], ["name", "email"], order="id asc")
    assert companies[0]["name"] == "Lumen Works BV"
    partner_id = partners.create({"name": "Via odoolib"})
    partners.write([partner_id], {"email": "lib@example.com"})
    assert partners.read(partner_id, ["email"])["email"] == "lib@example.com"
    assert connection.get_model("res.users").context_get()["uid"] == 2


def test_odoolib_refuses_bad_password(odoo_sandbox):
    connection = odoolib.get_connection(hostname=odoo_sandbox.host, port=odoo_sandbox.port, database=odoo_sandbox.db, login="admin", password="nope")
    with pytest.raises(AuthenticationError):
        connection.check_login()


def test_odoolib_sees_legacy_string_fault_codes(odoo_sandbox):
    connection = odoolib.get_connection(hostname=odoo_sandbox.host, port=odoo_sandbox.port, database=odoo_sandbox.db, login="admin", password=odoo_sandbox.password)
    with pytest.raises(xmlrpc.client.Fault) as caught:
        connection.get_model("res.partner").write([999999], {"name": "x"})
    assert caught.value.faultCode.startswith("warning -- MissingError")


def test_odoolib_json2_with_keyword_arguments(odoo_sandbox):
    connection = odoolib.get_connection(hostname=odoo_sandbox.host, port=odoo_sandbox.port, database=odoo_sandbox.db, password=odoo_sandbox.api_key, protocol="json2")
    stages = connection.get_model("crm.stage").search_read(domain=[], fields=["name"])
    assert [stage["name"] for stage in stages] == ["New", "Qualified", "Proposition", "Won"]
