"""JSON-2 (``/json/2/<model>/<method>``, Odoo 19) and JSON-RPC (``/jsonrpc``) on the sandbox."""

import pytest
import requests


@pytest.fixture
def json2(odoo_sandbox):
    def call(model, method, body=None, *, key=odoo_sandbox.api_key, headers=None):
        all_headers = {"Authorization": f"bearer {key}", "X-Odoo-Database": odoo_sandbox.db, **(headers or {})}
        return requests.post(f"{odoo_sandbox.url}/json/2/{model}/{method}", json=body or {}, headers=all_headers, timeout=10)

    return call


class TestJson2:
    def test_named_arguments_and_ids(self, json2):
        response = json2("res.partner", "search_read", {"domain": [["is_company", "=", True]], "fields": ["name"], "limit": 2, "order": "id asc"})
        assert response.status_code == 200
        partners = response.json()
        assert [set(partner) for partner in partners] == [{"id", "name"}] * 2
        read = json2("res.partner", "read", {"ids": [partners[0]["id"]], "fields": ["display_name"]})
        assert read.json() == [{"id": partners[0]["id"], "display_name": partners[0]["name"]}]

    def test_create_write_and_read_back(self, json2):
        new_id = json2("crm.lead", "create", {"vals_list": [{"name": "From JSON-2", "type": "opportunity"}]}).json()
        assert isinstance(new_id, list) and len(new_id) == 1
        assert json2("crm.lead", "write", {"ids": new_id, "vals": {"expected_revenue": 1500}}).json() is True
        [lead] = json2("crm.lead", "read", {"ids": new_id, "fields": ["expected_revenue", "stage_id"]}).json()
        assert lead["expected_revenue"] == 1500.0
        assert lead["stage_id"][1] == "New"

    def test_context_in_body(self, json2):
        visible = json2("crm.lead", "search_count", {"domain": []}).json()
        every = json2("crm.lead", "search_count", {"domain": [], "context": {"active_test": False}}).json()
        assert every == visible + 4

    def test_scheme_is_case_insensitive_and_database_header_optional(self, odoo_sandbox):
        response = requests.post(f"{odoo_sandbox.url}/json/2/crm.stage/search_count", json={"domain": []}, headers={"Authorization": f"Bearer {odoo_sandbox.api_key}"}, timeout=10)
        assert response.json() == 4

    def _error(self, response, status, name):
        assert response.status_code == status
        body = response.json()
        assert set(body) == {"name", "message", "arguments", "context", "debug"}
        assert body["name"] == name
        return body

    @pytest.mark.parametrize("key", ["wrong", "", "admin"])
    def test_bad_api_key_is_401(self, json2, key):
        body = self._error(json2("res.partner", "search", {"domain": []}, key=key), 401, "werkzeug.exceptions.Unauthorized")
        assert body["message"] == "Invalid apikey"

    def test_missing_authorization_is_401(self, odoo_sandbox):
        response = requests.post(f"{odoo_sandbox.url}/json/2/res.partner/search", json={"domain": []}, timeout=10)
        assert response.status_code == 401

    def test_unknown_keyword_is_422(self, json2):
        body = self._error(json2("res.partner", "search", {"domain": [], "limt": 5}), 422, "werkzeug.exceptions.UnprocessableEntity")
        assert "limt" in body["message"]

    def test_ids_on_a_model_method_is_422(self, json2):
        body = self._error(json2("res.partner", "search", {"ids": [1], "domain": []}), 422, "werkzeug.exceptions.UnprocessableEntity")
        assert body["message"] == "cannot call res.partner.search with ids"

    def test_private_method_is_403(self, json2):
        self._error(json2("res.partner", "_read", {"ids": [1]}), 403, "odoo.exceptions.AccessError")

    def test_missing_record_is_404(self, json2):
        body = self._error(json2("res.partner", "write", {"ids": [999999], "vals": {"name": "x"}}), 404, "odoo.exceptions.MissingError")
        assert body["message"].startswith("Record does not exist or has been deleted.")

    def test_unknown_model_and_method_are_404(self, json2):
        assert self._error(json2("foo.bar", "search", {"domain": []}), 404, "werkzeug.exceptions.NotFound")["message"] == "the model 'foo.bar' does not exist"
        self._error(json2("res.partner", "frobnicate"), 404, "werkzeug.exceptions.NotFound")

    def test_validation_error_is_422(self, json2):
        self._error(json2("crm.lead", "create", {"vals_list": {"type": "lead"}}), 422, "odoo.exceptions.ValidationError")

    def test_malformed_domain_is_500_value_error(self, json2):
        self._error(json2("res.partner", "search", {"domain": [["nope", "=", 1]]}), 500, "builtins.ValueError")

    def test_unknown_database_header(self, json2):
        assert json2("res.partner", "search", {"domain": []}, headers={"X-Odoo-Database": "other"}).status_code == 404


def test_web_version_needs_no_login(odoo_sandbox):
    response = requests.get(f"{odoo_sandbox.url}/web/version", timeout=10)
    assert response.json() == {"version_info": [17, 0, 0, "final", 0, ""], "version": "17.0"}


class TestJsonRpc:
    def _call(self, handle, service, method, *args):
        payload = {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": list(args)}, "id": 7}
        return requests.post(f"{handle.url}/jsonrpc", json=payload, timeout=10).json()

    def test_login_and_execute_kw(self, odoo_sandbox):
        uid = self._call(odoo_sandbox, "common", "login", odoo_sandbox.db, odoo_sandbox.login, odoo_sandbox.password)["result"]
        response = self._call(odoo_sandbox, "object", "execute_kw", odoo_sandbox.db, uid, odoo_sandbox.password, "crm.stage", "search_read", [[["is_won", "=", True]]], {"fields": ["name"]})
        assert response["id"] == 7
        assert response["result"] == [{"id": response["result"][0]["id"], "name": "Won"}]

    def test_errors_use_the_odoo_server_error_envelope(self, odoo_sandbox):
        response = self._call(odoo_sandbox, "object", "execute_kw", odoo_sandbox.db, 2, "wrong", "res.partner", "search", [[]])
        assert "result" not in response
        assert response["error"]["code"] == 200
        assert response["error"]["message"] == "Odoo Server Error"
        assert response["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
