"""The Odoo client against the sandbox over real sockets: one suite, run over both transports."""

from dataclasses import replace

import pytest

from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig
from integrations.odoo.errors import (
    OdooAccessError, OdooLoginRefused, OdooMissingError, OdooSchemaError, OdooServerError, OdooValidationError,
)

PROTOCOLS = ["xmlrpc", "json2"]


def client_for(sandbox, protocol, *, secret=None, **options):
    config = OdooConfig(url=sandbox.url, db=sandbox.db, username=sandbox.login,
                        secret=secret or sandbox.api_key, protocol=protocol, timeout=10)
    return OdooClient(config, sleep=lambda seconds: None, **options)


@pytest.fixture(params=PROTOCOLS)
def protocol(request):
    return request.param


@pytest.fixture
def client(odoo_sandbox, protocol):
    with client_for(odoo_sandbox, protocol) as client:
        yield client


@pytest.fixture
def empty_client(odoo_sandbox_empty, protocol):
    with client_for(odoo_sandbox_empty, protocol) as client:
        yield client


def test_version_needs_no_login(client):
    version = client.version()

    assert version["server_version"] == ".".join(map(str, version["server_version_info"][:2]))
    assert client.uid is None
    assert client.calls == 1


def test_logs_in_once_and_reuses_the_login(client):
    client.search("res.partner", [])
    client.search_count("res.partner", [])

    assert isinstance(client.uid, int)
    assert client.calls == 3  # one login, two calls


def test_xmlrpc_accepts_the_password_too(odoo_sandbox):
    with client_for(odoo_sandbox, "xmlrpc", secret=odoo_sandbox.password) as client:
        assert client.search_count("res.partner", []) > 0


def test_a_wrong_secret_is_refused_clearly_and_not_retried(odoo_sandbox, protocol):
    client = client_for(odoo_sandbox, protocol, secret="not-the-key")
    client.sleep = lambda seconds: pytest.fail("a refused login must not be retried")

    with pytest.raises(OdooLoginRefused) as refused:
        client.search("res.partner", [])

    assert str(refused.value).startswith(f"Odoo login refused for admin on {odoo_sandbox.db}.")
    assert "not-the-key" not in str(refused.value)
    assert refused.value.permanent
    assert client.calls == 1


def test_an_unknown_login_is_refused(odoo_sandbox):
    """XML-RPC only: JSON-2 has no login, the API key alone says who calls."""
    config = OdooConfig(url=odoo_sandbox.url, db=odoo_sandbox.db, username="nobody", secret=odoo_sandbox.password)

    with pytest.raises(OdooLoginRefused, match=f"Odoo login refused for nobody on {odoo_sandbox.db}"):
        OdooClient(config).search("res.partner", [])


def test_unknown_database_is_refused_by_name(odoo_sandbox):
    config = OdooConfig(url=odoo_sandbox.url, db="no-such-db", username=odoo_sandbox.login,
                        secret=odoo_sandbox.password)

    with pytest.raises(OdooLoginRefused, match="Odoo database no-such-db does not exist"):
        OdooClient(config).search("res.partner", [])


def test_health_reports_version_and_user(client, odoo_sandbox):
    health = client.health()

    assert health == {"ok": True, "server_version": client.version()["server_version"], "uid": client.uid}


def test_health_reports_a_refused_login_without_raising(odoo_sandbox, protocol):
    health = client_for(odoo_sandbox, protocol, secret="wrong").health()

    assert health["ok"] is False
    assert health["permanent"] is True
    assert "login refused" in health["error"]


def test_iter_search_read_reads_10000_records_in_21_calls(odoo_sandbox_empty, empty_client):
    store = odoo_sandbox_empty.store
    with store.lock:
        expected = [store.insert("res.partner", {"name": f"Bulk {n:05}", "active": True}) for n in range(10_000)]

    records = list(empty_client.iter_search_read("res.partner", [("name", "=like", "Bulk %")], ["name"]))

    assert [record["id"] for record in records] == sorted(expected)
    assert records[0] == {"id": min(expected), "name": "Bulk 00000"}
    assert empty_client.calls <= 21  # one login + 20 pages of 500


def test_iter_search_read_pages_an_or_domain_completely(odoo_sandbox_empty, empty_client):
    store = odoo_sandbox_empty.store
    with store.lock:
        ids = {name: store.insert("res.partner", {"name": name, "active": True})
               for name in [f"{letter}{n}" for n in range(7) for letter in "ABC"]}
    domain = ["|", ("name", "=like", "A%"), ("name", "=like", "C%")]

    by_id = list(empty_client.iter_search_read("res.partner", domain, ["name"], page_size=3))
    by_name = list(empty_client.iter_search_read("res.partner", domain, ["name"], page_size=3, order="name desc"))

    wanted = sorted(record_id for name, record_id in ids.items() if name[0] in "AC")
    assert [record["id"] for record in by_id] == wanted
    assert sorted(record["id"] for record in by_name) == wanted
    assert [record["name"] for record in by_name] == sorted((r["name"] for r in by_name), reverse=True)


def test_iter_search_read_of_nothing_is_one_call(empty_client):
    assert list(empty_client.iter_search_read("res.partner", [("name", "=", "nobody at all")], ["name"])) == []
    assert empty_client.calls == 2  # login + one page


def test_search_read_pages_with_offset_limit_and_order(client):
    ids = client.search("res.partner", [], order="id asc")

    page = client.search_read("res.partner", [], ["name"], offset=2, limit=3, order="id asc")

    assert [record["id"] for record in page] == ids[2:5]
    assert client.search_count("res.partner", []) == len(ids)


def test_values_travel_as_odoo_sends_them(client):
    company = client.create("res.partner", {"name": "Values Ltd", "is_company": True})
    contact = client.create("res.partner", {"name": "Val", "parent_id": company})

    (record,) = client.read("res.partner", [contact], ["name", "parent_id", "email", "child_ids", "is_company"])

    assert record == {"id": contact, "name": "Val", "parent_id": [company, "Values Ltd"], "email": False,
                      "child_ids": [], "is_company": False}


def test_create_write_and_read_back(client):
    partner = client.create("res.partner", {"name": "Created By Test", "email": "c@example.com"})

    assert isinstance(partner, int)
    assert client.write("res.partner", [partner], {"email": "changed@example.com"}) is True
    assert client.read("res.partner", [partner], ["name", "email"]) == [
        {"id": partner, "name": "Created By Test", "email": "changed@example.com"}]


def test_missing_records_raise_missing_error(client):
    partner = client.create("res.partner", {"name": "Soon Missing"})
    absent = partner + 10_000

    with pytest.raises(OdooMissingError):
        client.read("res.partner", [partner, absent], ["name"])
    with pytest.raises(OdooMissingError):
        client.write("res.partner", [absent], {"name": "x"})


def test_message_post_adds_a_note_to_the_chatter(client):
    partner = client.create("res.partner", {"name": "Chatty"})

    message_id = client.message_post("res.partner", partner, "Reminder sent by AIOM")

    (message,) = client.read("mail.message", [message_id], ["model", "res_id", "body", "message_type", "subtype_id"])
    assert (message["model"], message["res_id"], message["message_type"]) == ("res.partner", partner, "comment")
    assert "Reminder sent by AIOM" in message["body"]
    assert message["subtype_id"][0] == client.xmlid_to_res_id("mail.mt_note")


def test_external_ids_and_model_ids_resolve(client):
    call_type = client.xmlid_to_res_id("mail.mail_activity_data_call")
    partner_model = client.model_id("res.partner")

    assert client.read("mail.activity.type", [call_type], ["name"])[0]["name"] == "Call"
    assert client.read("ir.model", [partner_model], ["model"])[0]["model"] == "res.partner"
    with pytest.raises(OdooMissingError, match="no_such.xmlid"):
        client.xmlid_to_res_id("no_such.xmlid")
    with pytest.raises(OdooSchemaError, match="no.such.model"):
        client.model_id("no.such.model")


def test_read_group_counts_per_group(client):
    for name in ("Grouped A", "Grouped B"):
        client.create("res.partner", {"name": name, "city": "Groupville"})

    groups = client.read_group("res.partner", [("city", "=", "Groupville")], ["city"], ["city"])

    assert [(group["city"], group["city_count"]) for group in groups] == [("Groupville", 2)]


def test_a_method_returning_none_has_run_even_when_xmlrpc_faults(client, protocol):
    """XML-RPC cannot send None: Odoo commits, then faults. The client says "maybe done"."""
    partner = client.create("res.partner", {"name": "To Archive"})

    if protocol == "xmlrpc":
        with pytest.raises(OdooServerError) as fault:
            client.execute("res.partner", "action_archive", [partner])
        assert fault.value.maybe_done and fault.value.permanent
    else:
        assert client.execute("res.partner", "action_archive", [partner]) is None

    assert client.search("res.partner", [("id", "=", partner)]) == []
    assert client.search("res.partner", [("id", "=", partner)], context={"active_test": False}) == [partner]


def test_unknown_model_field_and_method_are_schema_errors(client):
    with pytest.raises(OdooSchemaError):
        client.search("no.such.model", [])
    with pytest.raises(OdooSchemaError):
        client.search_read("res.partner", [], ["no_such_field"])
    with pytest.raises(OdooSchemaError):
        client.execute("res.partner", "no_such_method", [])


def test_private_method_is_an_access_error(client):
    with pytest.raises(OdooAccessError, match="Private methods"):
        client.execute("res.partner", "_compute_display_name", [1])


def test_refused_values_are_validation_errors(client):
    with pytest.raises(OdooValidationError) as refused:
        client.create("project.task", {"description": "a task without a title"})

    assert refused.value.permanent
    assert client.calls == 2  # not retried


def test_logs_in_again_when_the_user_id_changed_mid_session(odoo_sandbox):
    """XML-RPC repeats uid and password on every call; after a database restore the same login
    can have another uid, and Odoo answers Access Denied until the client logs in again."""
    client = client_for(odoo_sandbox, "xmlrpc")
    client.search("res.partner", [])
    first_uid = client.uid
    store = odoo_sandbox.store
    with store.lock:
        old = store.row("res.users", first_uid)
        old["active"] = False
        store.insert("res.users", {**{k: v for k, v in old.items() if k != "id"}, "active": True})

    assert client.search_count("res.partner", []) > 0
    assert client.uid != first_uid
    assert client.calls == 5  # login, search, refused count, login again, count


def test_a_key_revoked_mid_session_ends_in_a_refused_login(odoo_sandbox, client):
    client.search("res.partner", [])
    sandbox = odoo_sandbox.sandbox
    sandbox.credentials = replace(sandbox.credentials, api_key="rotated-key", password="rotated-password")

    with pytest.raises(OdooLoginRefused):
        client.search_count("res.partner", [])
    assert client.calls == 4  # login, search, refused count, refused login
