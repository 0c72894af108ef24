"""AIOM's Odoo client on the demo sandbox, over XML-RPC and JSON-2 (both reach methods.py)."""

import pytest

from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig


@pytest.fixture(params=["xmlrpc", "json2"])
def odoo(request, odoo_sandbox):
    handle = odoo_sandbox
    config = OdooConfig(url=handle.url, db=handle.db, username=handle.login, secret=handle.api_key,
                        protocol=request.param, timeout=10)
    with OdooClient(config, sleep=lambda seconds: None) as client:
        yield client
