"""Where the contract suite runs: the sandbox by default, a real Odoo when ``ODOO_TEST_URL``,
``ODOO_TEST_DB``, ``ODOO_TEST_LOGIN`` and ``ODOO_TEST_SECRET`` are set (``ODOO_TEST_PROTOCOL``
picks xmlrpc or json2). The same tests run on both, so a difference between the sandbox and
a real Odoo shows up as a failing test rather than as a surprise in production.

Everything a test creates carries the run's tag in its name and is deleted after the test,
newest first (so notes and sub-tasks go before the records they belong to), pass or fail.
"""

import os
import uuid
from datetime import datetime, timezone

import pytest

from actions.operations import Context
from actions.protocol import parse_protocol
from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig
from integrations.odoo.errors import OdooError
from integrations.odoo.sandbox.server import start_in_thread
from tests.actions.protocols import protocol_for

REQUIRED = ("ODOO_TEST_URL", "ODOO_TEST_DB", "ODOO_TEST_LOGIN", "ODOO_TEST_SECRET")
RUN_ID = uuid.uuid4().hex[:8]
TAG = f"[aiom-contract {RUN_ID}]"


def real_odoo_settings() -> dict | None:
    """The ODOO_TEST_* settings, None when none is set; half a configuration is a mistake."""
    given = {name: os.environ.get(name, "") for name in REQUIRED}
    if not any(given.values()):
        return None
    if missing := [name for name, value in given.items() if not value]:
        raise pytest.UsageError(f"Set {', '.join(missing)} too, or none of ODOO_TEST_* to use the sandbox.")
    protocol = os.environ.get("ODOO_TEST_PROTOCOL") or "xmlrpc"
    return {"url": given["ODOO_TEST_URL"], "db": given["ODOO_TEST_DB"], "username": given["ODOO_TEST_LOGIN"],
            "secret": given["ODOO_TEST_SECRET"], "protocol": protocol}


@pytest.fixture(scope="session")
def contract_sandbox():
    """One sandbox for the whole run (only when no real Odoo is configured): the suite cleans
    up after itself, so sharing it also checks the clean-up."""
    if real_odoo_settings() is not None:
        yield None
        return
    handle = start_in_thread(seed="demo")
    yield handle
    left = [f"{model} #{row['id']}" for model, table in handle.store.tables.items() for row in table.values()
            if str(row.get("name") or "").startswith(TAG)]
    handle.stop()
    assert not left, f"The contract suite left records behind: {', '.join(left)}"


def _protocols():
    settings = real_odoo_settings()
    return [settings["protocol"]] if settings else ["xmlrpc", "json2"]


@pytest.fixture(scope="session", params=_protocols())
def contract_config(request, contract_sandbox) -> OdooConfig:
    settings = real_odoo_settings()
    if settings is None:
        sandbox = contract_sandbox
        settings = {"url": sandbox.url, "db": sandbox.db, "username": sandbox.login, "secret": sandbox.api_key,
                    "protocol": request.param}
    return OdooConfig(timeout=30, **settings)


@pytest.fixture
def contract_odoo(contract_config):
    """An AIOM client for the target Odoo, as AIOM's services get one."""
    with OdooClient(contract_config, retries=2, backoff=0.2) as client:
        yield client


@pytest.fixture(scope="session")
def installed_models(contract_config) -> set[str]:
    """The models this Odoo has, from ir.model (an app that is not installed has none)."""
    with OdooClient(contract_config) as client:
        return {row["model"] for row in client.search_read("ir.model", [], ["model"])}


@pytest.fixture
def needs(installed_models):
    """``needs("project.task", app="Project")`` skips the test on an Odoo without that app."""
    def check(*models: str, app: str):
        if absent := [model for model in models if model not in installed_models]:
            pytest.skip(f"The {app} app is not installed on this Odoo (no {', '.join(absent)}).")
    return check


class Created:
    """The records a test made, for deleting afterwards."""

    def __init__(self, odoo: OdooClient):
        self.odoo = odoo
        self.records: list[tuple[str, int]] = []
        self.watched: list[tuple[str, str]] = []

    def watch(self, model: str, field: str = "name") -> None:
        """Also delete this run's records of ``model`` whose ``field`` starts with the tag: an
        operation that fails half-way may have created some before the test learns their ids."""
        self.watched.append((model, field))

    def add(self, model: str, *ids: int) -> None:
        self.records.extend((model, record_id) for record_id in ids)

    def create(self, model: str, values: dict) -> int:
        """A new record named with the run's tag (``name`` gets the prefix)."""
        if "name" in values:
            values = {**values, "name": f"{TAG} {values['name']}"}
        record_id = self.odoo.create(model, values)
        self.add(model, record_id)
        return record_id

    def remove(self) -> list[str]:
        """Delete newest first; the records still there afterwards (a note Odoo refuses to
        delete on its own is gone anyway once its record is deleted)."""
        for model, field in self.watched:
            try:
                found = self.odoo.search(model, [(field, "=like", f"{TAG}%")], order="id asc",
                                         context={"active_test": False})
            except OdooError:
                continue
            self.add(model, *(record_id for record_id in found if (model, record_id) not in self.records))
        refused = {}
        for model, record_id in reversed(self.records):
            try:
                self.odoo.execute(model, "unlink", [record_id])
            except OdooError as error:
                refused[model, record_id] = error.message
        left = []
        for model, record_id in reversed(self.records):
            try:
                still_there = self.odoo.search(model, [("id", "=", record_id)], context={"active_test": False})
            except OdooError as error:
                still_there, refused[model, record_id] = True, error.message
            if still_there:
                reason = refused.get((model, record_id))
                left.append(f"{model} #{record_id}" + (f" ({reason})" if reason else ""))
        return left


@pytest.fixture
def created(contract_config):
    with OdooClient(contract_config, retries=2, backoff=0.2) as client:
        records = Created(client)
        yield records
        if left := records.remove():
            pytest.fail(f"The contract suite could not delete what it created: {', '.join(left)}. "
                        f"Delete the records named {TAG} by hand.")


def context_for(odoo: OdooClient, action_type: str, inputs: dict, *, retrying: bool = False,
                action_id: str | None = None) -> Context:
    """What the executor hands an operation: a validated protocol carrying ``inputs``."""
    document = protocol_for(action_type)
    document["operation"]["inputs"] = inputs
    if action_id:
        document["action_id"] = action_id
    protocol = parse_protocol(document)
    return Context(organization=None, action_id=protocol.action_id, protocol=protocol, odoo=odoo,
                   retrying=retrying, now=datetime.now(timezone.utc))
