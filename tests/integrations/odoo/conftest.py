"""XML-RPC sessions on the sandbox as fixtures (the sandbox fixtures themselves are in
tests/fixtures/odoo.py)."""

import pytest

from .sessions import XmlRpcSession


@pytest.fixture
def odoo(odoo_sandbox):
    return XmlRpcSession(odoo_sandbox)


@pytest.fixture
def odoo_empty(odoo_sandbox_empty):
    return XmlRpcSession(odoo_sandbox_empty)
