"""Sessions speaking Odoo's documented XML-RPC shapes to the sandbox (the sandbox fixtures
themselves are in tests/fixtures/odoo.py)."""

import xmlrpc.client

import pytest



class XmlRpcSession:
    """Odoo's documented XML-RPC call shapes against one sandbox, logged in as its admin."""

    def __init__(self, handle, path="/xmlrpc/2"):
        self.handle = handle
        self.common = xmlrpc.client.ServerProxy(f"{handle.url}{path}/common")
        self.models = xmlrpc.client.ServerProxy(f"{handle.url}{path}/object")
        self.uid = self.common.authenticate(handle.db, handle.login, handle.password, {})

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.handle.db, self.uid, self.handle.password, model, method, list(args), kwargs)


@pytest.fixture
def odoo(odoo_sandbox):
    return XmlRpcSession(odoo_sandbox)


@pytest.fixture
def odoo_empty(odoo_sandbox_empty):
    return XmlRpcSession(odoo_sandbox_empty)
