"""Errors as Odoo reports them: malformed orders, bad arguments, validation, and junk.

Every row names the Odoo source it follows. Over ``/xmlrpc/2`` a UserError (a malformed
order, a validation error, a missing record) is fault 2 with the message, any other exception
fault 1 with a traceback whose last line is ``ValueError: ...``; JSON-2 answers the
exception's HTTP status (UserError 422, MissingError 404, AccessError 403, other errors 500).
The sandbox's tracebacks name Odoo's layers, never its own code.

Where Odoo 17 (what the sandbox announces) and 19 differ, the sandbox follows 17 for
execute_kw and the web client, and 19 for JSON-2 (which 17 does not have):

* unknown method: 17 ``odoo/api.py call_kw`` says "The method 'x' does not exist on the model
  'm'"; 19 ``odoo/service/model.py get_public_method`` (JSON-2: 404) says "The method 'm.x'
  does not exist", and a private one "Private methods (such as 'm._x') cannot be called
  remotely." where 17's ``check_method_name`` says "(such as _x)".
* JSON-RPC error envelopes: ``code`` 200 in 17, 0 in 19 (``JsonRPCDispatcher.handle_error``).
* ``/web/dataset/call_kw`` on an unknown model: the KeyError of ``request.env[model]`` in 17,
  a NotFound (code 404) from 18 on, raised by the route's readonly check.
"""

import re

import pytest
import requests

from .rpc_clients import Json2, RpcError, XmlRpc

INVALID_ORDER = ('Invalid "order" specified ({}). A valid "order" specification is a comma-separated list of valid field names '
                 "(optionally followed by asc/desc for the direction)")

ORDERS = [
    # order, fault code, JSON-2 status and name, message, Odoo source
    ("name; drop", 2, 422, "odoo.exceptions.UserError", INVALID_ORDER.format("name; drop"), "odoo/models.py BaseModel._check_qorder: regex_order"),
    ("name descending", 2, 422, "odoo.exceptions.UserError", INVALID_ORDER.format("name descending"), "odoo/models.py BaseModel._check_qorder"),
    ("name,", 2, 422, "odoo.exceptions.UserError", INVALID_ORDER.format("name,"), "odoo/models.py regex_order: (?<!,)$"),
    ("nope desc", 1, 500, "builtins.ValueError", "Invalid field 'nope' on model 'res.partner'", "odoo/models.py BaseModel._order_field_to_sql"),
    ("name.x", 1, 500, "builtins.ValueError", "Order a property ('x') on a non-properties field ('name')", "odoo/models.py BaseModel._order_field_to_sql"),
]


@pytest.mark.parametrize("order,code,status,name,message,source", ORDERS)
def test_malformed_orders(odoo, odoo_sandbox, order, code, status, name, message, source):
    with pytest.raises(RpcError) as fault:
        XmlRpc(odoo_sandbox).call("res.partner", "search", [], order=order)
    assert fault.value.code == code, source
    assert (fault.value.text if code == 2 else fault.value.text.strip().splitlines()[-1]).endswith(message)
    with pytest.raises(RpcError) as answer:
        Json2(odoo_sandbox).call("res.partner", "search", domain=[], order=order)
    assert (answer.value.code, answer.value.name, answer.value.text) == (status, name, message), source


def test_fields_without_a_column_are_left_out_of_the_order(odoo):
    """odoo/models.py _order_field_to_sql: "cannot be sorted on field (not a column)" is a warning."""
    by_name = odoo.call("res.partner", "search", [], order="name desc, id")
    assert odoo.call("res.partner", "search", [], order="child_ids, name desc, display_name, id") == by_name


ARGUMENTS = [
    # model, method, args, kwargs, fault code, last line of the fault, Odoo source
    ("res.partner", "search", [[]], {"limt": 5}, 1, "TypeError: BaseModel.search() got an unexpected keyword argument 'limt'", "odoo/api.py call_kw: method(recs, *args, **kwargs)"),
    ("res.partner", "search", [], {}, 1, "TypeError: BaseModel.search() missing 1 required positional argument: 'domain'", "odoo/api.py _call_kw_model"),
    ("res.partner", "read", [], {}, 1, "IndexError: tuple index out of range", "odoo/api.py _call_kw_multi: ids, args = args[0], args[1:]"),
    ("res.partner", "read", [[1], ["name", "nope"]], {}, 1, "ValueError: Invalid field 'nope' on model 'res.partner'", "odoo/models.py BaseModel._determine_fields_to_fetch"),
    ("res.partner", "read", [[], ["nope"]], {}, 1, "KeyError: 'nope'", "odoo/models.py BaseModel.fetch returns for no records; _read_format looks the name up"),
    ("res.partner", "search_read", [[["id", "=", 0]], ["nope"]], {}, 1, "ValueError: Invalid field 'nope' on model 'res.partner'", "odoo/models.py search_fetch checks the fields before searching"),
    ("res.partner", "search_read", [[]], {"foo": 1}, 1, "TypeError: BaseModel._read_format() got an unexpected keyword argument 'foo'", "odoo/models.py search_read(**read_kwargs)"),
    ("res.partner", "frobnicate", [[1]], {}, 1, "AttributeError: The method 'frobnicate' does not exist on the model 'res.partner'", "odoo/api.py call_kw (17.0)"),
    ("res.partner", "message_post", [[1], "positional"], {}, 1, "TypeError: MailThread.message_post() takes 1 positional argument but 2 were given", "mail/models/mail_thread.py message_post(self, *, body=...)"),
    ("foo.bar", "search", [[]], {}, 2, "Object foo.bar doesn't exist", "odoo/service/model.py execute_cr"),
    ("foo.bar", "_search", [[]], {}, 4, "Private methods (such as _search) cannot be called remotely.", "odoo/service/model.py execute: check_method_name comes first"),
    ("res.partner", "create", [{"name": "x", "parent_id": 999999}], {}, 2, "Constraint: res_partner_parent_id_fkey", "odoo/sql_db.py: a foreign-key violation becomes a ValidationError"),
    ("mail.activity", "create", [{"res_id": 1, "summary": "x"}], {}, 2, "Field: Document Model (res_model_id)", "odoo/service/model.py: NOT NULL violation -> ValidationError 'a mandatory field is not set'"),
    ("project.task", "create", [{"name": "x", "state": "done"}], {}, 1, "ValueError: Wrong value for project.task.state: 'done'", "odoo/fields.py Selection.convert_to_cache"),
]


@pytest.mark.parametrize("model,method,args,kwargs,code,message,source", ARGUMENTS)
def test_bad_arguments_fault_as_in_odoo(odoo_sandbox, model, method, args, kwargs, code, message, source):
    with pytest.raises(RpcError) as fault:
        XmlRpc(odoo_sandbox).call(model, method, *args, **kwargs)
    assert fault.value.code == code, source
    assert fault.value.text.strip().splitlines()[-1] == message if code == 1 else message in fault.value.text, source


SERVICE_CALLS = [
    # execute_kw parameters after db, uid, password; last line of the fault; Odoo source
    (("res.partner",), "TypeError: execute_kw() missing 2 required positional arguments: 'method' and 'args'", "odoo/service/model.py execute_kw(db, uid, obj, method, args, kw=None)"),
    (("res.partner", "search", [[]], [1]), "TypeError: odoo.service.model.execute() argument after ** must be a mapping, not list", "odoo/service/model.py execute_kw: **kw (functools.wraps keeps the name)"),
]


@pytest.mark.parametrize("params,message,source", SERVICE_CALLS)
def test_execute_kw_with_the_wrong_shape(odoo, params, message, source):
    with pytest.raises(Exception) as fault:
        odoo.models.execute_kw(odoo.handle.db, odoo.uid, odoo.handle.password, *params)
    assert fault.value.faultCode == 1, source
    assert fault.value.faultString.strip().splitlines()[-1] == message


def test_credentials_are_checked_before_the_method_name(odoo):
    """odoo/service/model.py dispatch: security.check, then 'Method not available'."""
    with pytest.raises(Exception) as wrong_password:
        odoo.models.frobnicate(odoo.handle.db, odoo.uid, "wrong")
    assert (wrong_password.value.faultCode, wrong_password.value.faultString) == (3, "Access Denied")
    with pytest.raises(Exception) as right_password:
        odoo.models.frobnicate(odoo.handle.db, odoo.uid, odoo.handle.password)
    assert right_password.value.faultString.strip().splitlines()[-1] == "NameError: Method not available frobnicate"


JSON2_ERRORS = [
    # model, method, body, status, name, message, Odoo source (19.0)
    ("res.partner", "search", {"domain": [], "limt": 5}, 422, "werkzeug.exceptions.UnprocessableEntity", "got an unexpected keyword argument 'limt'", "addons/rpc/controllers/json2.py: signature.bind"),
    ("res.partner", "read", {"ids": [1], "fields": ["nope"]}, 500, "builtins.ValueError", "Invalid field 'nope' on model 'res.partner'", "odoo/models.py _determine_fields_to_fetch"),
    ("res.partner", "frobnicate", {}, 404, "werkzeug.exceptions.NotFound", "The method 'res.partner.frobnicate' does not exist", "odoo/service/model.py get_public_method"),
    ("res.partner", "_read", {"ids": [1]}, 403, "odoo.exceptions.AccessError", "Private methods (such as 'res.partner._read') cannot be called remotely.", "odoo/service/model.py get_public_method"),
    ("foo.bar", "search", {"domain": []}, 404, "werkzeug.exceptions.NotFound", "the model 'foo.bar' does not exist", "json2.py web_json_2_rpc"),
    ("res.partner", "search", {"ids": [1], "domain": []}, 422, "werkzeug.exceptions.UnprocessableEntity", "cannot call res.partner.search with ids", "json2.py: @api.model with ids"),
    ("mail.activity", "create", {"vals_list": [{"res_id": 1}]}, 422, "odoo.exceptions.ValidationError", "The operation cannot be completed:", "odoo/exceptions.py UserError.http_status = 422"),
    ("res.partner", "read", {"ids": "ab", "fields": ["name"]}, 500, "psycopg2.errors.InvalidTextRepresentation", 'invalid input syntax for type integer: "a"', "odoo/models.py browse('ab') -> PostgreSQL"),
]


@pytest.mark.parametrize("model,method,body,status,name,message,source", JSON2_ERRORS)
def test_json2_errors(odoo_sandbox, model, method, body, status, name, message, source):
    response = Json2(odoo_sandbox).post(model, method, body)
    payload = response.json()
    assert (response.status_code, payload["name"]) == (status, name), source
    assert payload["message"].startswith(message) or payload["message"].endswith(message)
    assert set(payload) == {"name", "message", "arguments", "context", "debug"}


# --- junk: clear errors, and nothing of the sandbox's own code ---------------------------------
ENDPOINTS = [
    "/xmlrpc/2/common", "/xmlrpc/2/object", "/xmlrpc/2/db", "/xmlrpc/object", "/xmlrpc/2/nowhere", "/jsonrpc",
    "/web/session/authenticate", "/web/session/get_session_info", "/web/webclient/version_info",
    "/web/dataset/call_kw", "/web/dataset/call_kw/res.partner/read", "/json/2/res.partner/search", "/json/2/res.partner/read",
]
JUNK = [
    b"", b"junk<", b"\xff\xfe\x00", b'{"jsonrpc": ', b"[1, 2]", b"null", b'"text"', b'{"params": [1]}', b'{"params": "x"}',
    b'{"params": {"service": "object", "method": "execute_kw", "args": "x"}}',
    b'{"params": {"model": 5, "method": null, "args": {}, "kwargs": []}, "id": {"a": 1}}',
    b'{"ids": "x", "domain": {"a": 1}, "fields": 7, "order": [1], "context": "c"}',
    b"<?xml version='1.0'?><methodCall><methodName>execute_kw</methodName><params><param><value><int>1</int></value></param></params></methodCall>",
    b"<methodCall><methodName>version</methodName><params><param><value><struct></value></param></params></methodCall>",
]
SANDBOX_TRACES = re.compile(r"integrations|sandbox|site-packages|/work/|Recordset|line \d+, in|calls\.py|methods\.py|server\.py")


@pytest.mark.parametrize("content_type", ["application/json", "text/xml"])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_junk_gets_odoos_answer_and_nothing_of_the_sandbox(odoo_sandbox, path, content_type):
    headers = {"Content-Type": content_type, "Authorization": f"bearer {odoo_sandbox.api_key}"}
    for body in JUNK:
        response = requests.post(f"{odoo_sandbox.url}{path}", data=body, headers=headers, timeout=10)
        assert response.status_code in (200, 400, 401, 403, 404, 422, 500), (path, body)
        assert not SANDBOX_TRACES.search(response.text), (path, body, response.text)
        frames = re.findall(r'File "([^"]+)"', response.text)
        assert all(frame.startswith("odoo/") for frame in frames), (path, body, frames)
        unparsable = body in (b"", b"junk<", b"\xff\xfe\x00", b'{"jsonrpc": ')
        if (path == "/jsonrpc" or path.startswith("/web/")) and (unparsable or content_type != "application/json"):
            assert response.status_code == 400 and "Traceback" not in response.text, (path, body)


def test_a_json_route_without_a_json_body_is_a_bad_request(odoo_sandbox):
    """odoo/http.py Request._serve_db: the dispatcher must be compatible with the request."""
    response = requests.post(f"{odoo_sandbox.url}/web/session/authenticate", data=b"db=x", timeout=10)
    assert response.status_code == 400
    assert "is type=&#x27;json&#x27;" in response.text and "Content-Type" in response.text
    assert requests.post(f"{odoo_sandbox.url}/jsonrpc", data=b"{", headers={"Content-Type": "application/json"}, timeout=10).text == "Invalid JSON data"
    assert requests.post(f"{odoo_sandbox.url}/jsonrpc", json=[1], timeout=10).text == "Invalid JSON-RPC data"
