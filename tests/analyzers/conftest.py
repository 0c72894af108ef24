"""Analyzers run against the Odoo sandbox seeded with the demo company on a fixed day, so
every expected number is one of the hand-computed `demo.FACTS`."""

import pytest

from integrations.models import OdooConnection
from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig
from integrations.odoo.sandbox.server import start_in_thread

from .demo_day import TODAY



@pytest.fixture
def sandbox():
    handle = start_in_thread(seed="demo", today=TODAY)
    yield handle
    handle.stop()


def connect(org, handle):
    OdooConnection.objects.create(organization=org, url=handle.url, database=handle.db, username=handle.login,
                                  secret=handle.api_key, protocol="xmlrpc", timeout=5)
    return org


@pytest.fixture
def connected_org(org, sandbox):
    return connect(org, sandbox)


@pytest.fixture
def odoo(sandbox):
    client = OdooClient(OdooConfig(url=sandbox.url, db=sandbox.db, username=sandbox.login, secret=sandbox.api_key))
    yield client
    client.close()
