"""The Odoo client's promises, checked against the target Odoo: login, paged reads, missing
records and faults arriving as AIOM's typed errors. Only records the suite creates are touched."""

from dataclasses import replace

import pytest

from integrations.odoo.client import OdooClient
from integrations.odoo.errors import (
    OdooAccessError, OdooLoginRefused, OdooMissingError, OdooSchemaError, OdooValidationError,
)

from .conftest import TAG


def test_version_and_login(contract_odoo):
    version = contract_odoo.version()
    health = contract_odoo.health()

    assert isinstance(version["server_version"], str) and version["server_version"]
    assert contract_odoo.server_major() >= 16, f"AIOM supports Odoo 16 and later, this is {version['server_version']}"
    assert health["ok"] is True, health
    assert isinstance(health["uid"], int) and health["uid"] > 0


def test_a_wrong_secret_is_a_refused_login(contract_config):
    with OdooClient(replace(contract_config, secret="not-the-secret-" + TAG), retries=0) as client:
        with pytest.raises(OdooLoginRefused):
            client.search("res.partner", [], limit=1)


def test_reads_page_through_more_than_one_page(contract_odoo, created):
    names = [f"Paging {letter}" for letter in "ABCDE"]
    ids = [created.create("res.partner", {"name": name}) for name in names]
    domain = [("name", "=like", f"{TAG} Paging %")]

    by_id = list(contract_odoo.iter_search_read("res.partner", domain, ["name"], page_size=2))
    by_name = list(contract_odoo.iter_search_read("res.partner", domain, ["name"], page_size=2, order="name desc"))

    assert [record["id"] for record in by_id] == sorted(ids)
    assert [record["name"] for record in by_name] == [f"{TAG} {name}" for name in reversed(names)]
    assert contract_odoo.search_count("res.partner", domain) == 5
    assert contract_odoo.search("res.partner", domain, offset=1, limit=2, order="id asc") == sorted(ids)[1:3]


def test_values_arrive_in_odoo_shapes(contract_odoo, created):
    company = created.create("res.partner", {"name": "Shapes Ltd", "is_company": True})
    contact = created.create("res.partner", {"name": "Shapes contact", "parent_id": company})

    (record,) = contract_odoo.read("res.partner", [contact], ["name", "parent_id", "email", "is_company"])

    assert record == {"id": contact, "name": f"{TAG} Shapes contact", "parent_id": [company, f"{TAG} Shapes Ltd"],
                      "email": False, "is_company": False}


def test_a_deleted_record_is_skipped_on_read_and_missing_on_write(contract_odoo, created):
    kept = created.create("res.partner", {"name": "Kept"})
    gone = created.create("res.partner", {"name": "Deleted"})
    assert contract_odoo.execute("res.partner", "unlink", [gone]) is True

    assert [row["id"] for row in contract_odoo.execute("res.partner", "read", [kept, gone], ["name"])] == [kept]
    with pytest.raises(OdooMissingError):
        contract_odoo.read("res.partner", [kept, gone], ["name"])
    with pytest.raises(OdooMissingError):
        contract_odoo.write("res.partner", [gone], {"name": f"{TAG} never"})


def test_an_unknown_model_is_a_schema_error(contract_odoo):
    with pytest.raises(OdooSchemaError):
        contract_odoo.search("x_aiom_contract.no_such_model", [])


def test_an_unknown_field_is_a_schema_error(contract_odoo, created):
    partner = created.create("res.partner", {"name": "Fields"})

    with pytest.raises(OdooSchemaError):
        contract_odoo.search_read("res.partner", [("id", "=", partner)], ["x_aiom_no_such_field"])


def test_a_private_method_is_an_access_error(contract_odoo, created):
    partner = created.create("res.partner", {"name": "Private"})

    with pytest.raises(OdooAccessError):
        contract_odoo.execute("res.partner", "_compute_display_name", [partner])


def test_refused_values_are_a_validation_error(contract_odoo, created):
    """A contact needs a name (res.partner's check_name constraint)."""
    try:
        partner = contract_odoo.create("res.partner", {"name": False})
    except OdooValidationError:
        return
    created.add("res.partner", partner)
    pytest.fail("Odoo accepted a contact without a name")
