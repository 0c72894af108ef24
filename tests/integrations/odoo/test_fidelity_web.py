"""The web client's JSON-RPC routes, driven by a client that does what OdooRPC does.

OdooRPC (``odoorpc/rpc/__init__.py``, ``odoorpc/rpc/jsonrpclib.py``) posts
``{"jsonrpc": "2.0", "method": "call", "params": {...}, "id": <random>}`` with
``Content-Type: application/json`` through a cookie jar: first
``/web/webclient/version_info``, then to log in ``/web/session/authenticate`` (Odoo < 10) or
``/jsonrpc`` common.login + object.execute ``context_get`` (Odoo >= 10, ``odoorpc/odoo.py
ODOO.login``). Errors come back in the envelope and OdooRPC raises
``error["data"]["message"]``.

Odoo 17 (what the sandbox announces) and 19 differ here: the envelope's error ``code`` is 200
in 17 and 0 in 19; ``/web/dataset/call_kw`` on an unknown model is a KeyError in 17 and a
NotFound (code 404, "404: Not Found") from 18; 18+ log in with ``credential`` dicts inside
``Session.authenticate`` but take the same ``{db, login, password}`` parameters.
"""

import pytest
import requests

from .rpc_clients import RpcError, WebSession, jsonrpc_post


@pytest.fixture
def web(odoo_sandbox):
    return WebSession(odoo_sandbox)


def test_version_info_needs_no_login(odoo_sandbox):
    """addons/web/controllers/webclient.py WebClient.version_info: ``exp_version()``."""
    response = jsonrpc_post(f"{odoo_sandbox.url}/web/webclient/version_info", {})
    assert response.json()["result"]["server_version"] == "17.0"
    assert response.json()["result"]["server_version_info"] == [17, 0, 0, "final", 0, ""]
    assert "Set-Cookie" not in response.headers


def test_authenticate_opens_a_session_and_answers_session_info(web, odoo_sandbox):
    """addons/web/controllers/session.py Session.authenticate -> ir.http.session_info()."""
    response = jsonrpc_post(f"{odoo_sandbox.url}/web/session/authenticate",
                            {"db": odoo_sandbox.db, "login": odoo_sandbox.login, "password": odoo_sandbox.password, "extra": 1}, web.session)
    body = response.json()
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session_id=") and "HttpOnly" in cookie and "Path=/" in cookie and "Max-Age=604800" in cookie
    info = body["result"]
    assert body["jsonrpc"] == "2.0" and "error" not in body
    assert info["uid"] == 2 and info["db"] == odoo_sandbox.db and info["username"] == odoo_sandbox.login
    assert info["user_context"] == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}
    assert info["server_version_info"] == [17, 0, 0, "final", 0, ""]
    assert info["is_admin"] is True and info["partner_display_name"] == "Lumen Works BV, Mitchell Admin"
    assert info["user_companies"]["current_company"] == 1
    assert web.session.cookies.get("session_id")


def test_the_cookie_authenticates_call_kw_and_session_info(web):
    """addons/web/controllers/dataset.py DataSet.call_kw: odoo.api.call_kw with the session's user."""
    web.login()
    stages = web.call("crm.stage", "search_read", [], fields=["name"], order="sequence")
    assert [stage["name"] for stage in stages] == ["New", "Qualified", "Proposition", "Won"]
    assert web.json("/web/session/get_session_info")["uid"] == 2
    assert web.json("/web/session/check") is None
    partner = web.call("res.partner", "create", {"name": "Via the web client"})
    assert web.call("res.partner", "read", [partner], ["name"]) == [{"id": partner, "name": "Via the web client"}]


def test_call_kw_path_is_decoration_and_context_comes_from_kwargs(web):
    """dataset.py: ``/web/dataset/call_kw/<path:path>`` ignores ``path``; api.call_kw takes the context out of kwargs."""
    web.login()
    params = {"model": "crm.lead", "method": "search_count", "args": [[]], "kwargs": {"context": {"active_test": False}}}
    every = web.json("/web/dataset/call_kw/anything/at/all", params)
    assert every == web.call("crm.lead", "search_count", []) + 4


def test_routes_that_need_a_login_say_the_session_expired(web, odoo_sandbox):
    """odoo/http.py: auth='user' without a session raises SessionExpiredException (code 100)."""
    for path, params in [("/web/session/get_session_info", {}), ("/web/dataset/call_kw", {"model": "res.partner", "method": "search", "args": [[]], "kwargs": {}})]:
        for session in (requests.Session(), _forged(odoo_sandbox)):
            payload = jsonrpc_post(f"{odoo_sandbox.url}{path}", params, session).json()
            assert payload["error"]["code"] == 100 and payload["error"]["message"] == "Odoo Session Expired"
            assert payload["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
            assert "result" not in payload


def _forged(handle):
    session = requests.Session()
    session.cookies.set("session_id", "0" * 40, domain=handle.host)
    return session


def test_destroy_ends_the_session(web):
    """session.py Session.destroy: ``request.session.logout()`` answers no result."""
    web.login()
    response = jsonrpc_post(f"{web.handle.url}/web/session/destroy", {}, web.session).json()
    assert "result" not in response and "error" not in response
    with pytest.raises(RpcError) as expired:
        web.call("res.partner", "search", [])
    assert expired.value.code == 100


def test_sessions_are_separate(odoo_sandbox):
    first, second = WebSession(odoo_sandbox), WebSession(odoo_sandbox)
    first.login()
    second.login()
    assert first.session.cookies["session_id"] != second.session.cookies["session_id"]
    jsonrpc_post(f"{odoo_sandbox.url}/web/session/destroy", {}, first.session)
    assert second.call("crm.stage", "search_count", []) == 4


LOGINS = [
    # login, password, error name, message, Odoo source
    ("admin", "wrong", "odoo.exceptions.AccessDenied", "Access Denied", "res.users.authenticate raises AccessDenied (common.login returns False)"),
    ("nobody", "admin", "odoo.exceptions.AccessDenied", "Access Denied", "res.users._login: no such login"),
    ("admin", "aiom-demo-key", "odoo.exceptions.AccessDenied", "Access Denied", "res.users.apikeys: an interactive login takes no API key"),
]


@pytest.mark.parametrize("login,password,name,message,source", LOGINS)
def test_refused_logins_come_back_in_the_error_envelope(web, login, password, name, message, source):
    response = jsonrpc_post(f"{web.handle.url}/web/session/authenticate", {"db": web.handle.db, "login": login, "password": password}, web.session)
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (200, "Odoo Server Error"), source
    assert (error["data"]["name"], error["data"]["message"]) == (name, message), source
    assert set(error["data"]) == {"name", "message", "arguments", "context", "debug"}
    assert "Set-Cookie" not in response.headers


def test_an_unknown_database_fails_like_postgresql(web):
    """odoo/modules/registry.py Registry(db) on a database that does not exist."""
    with pytest.raises(RpcError) as refused:
        web.json("/web/session/authenticate", {"db": "nope", "login": "admin", "password": "admin"})
    assert refused.value.name == "psycopg2.OperationalError" and 'database "nope" does not exist' in refused.value.text


CALL_KW_ERRORS = [
    # params (kwargs {} unless given), error name, message, Odoo source
    ({"model": "foo.bar", "method": "search", "args": [[]]}, "builtins.KeyError", "'foo.bar'", "dataset.py (17.0): request.env[model]"),
    ({"model": "res.partner", "method": "_read", "args": [[1]]}, "odoo.exceptions.AccessError", "Private methods (such as _read) cannot be called remotely.", "odoo/models.py check_method_name"),
    ({"model": "res.partner", "method": "frobnicate", "args": [[1]]}, "builtins.AttributeError", "The method 'frobnicate' does not exist on the model 'res.partner'", "odoo/api.py call_kw"),
    ({"model": "res.partner", "method": "write", "args": [[999999], {"name": "x"}]}, "odoo.exceptions.MissingError", "Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)", "odoo/models.py _fetch_field"),
    ({"model": "res.partner", "method": "search", "args": [[]], "kwargs": None}, "builtins.TypeError", "DataSet.call_kw() missing 1 required positional argument: 'kwargs'", "odoo/http.py route_wrapper: filter_kwargs"),
]


@pytest.mark.parametrize("params,name,message,source", CALL_KW_ERRORS)
def test_call_kw_errors(web, params, name, message, source):
    web.login()
    params = {"kwargs": {}, **params}
    if params["kwargs"] is None:
        del params["kwargs"]
    with pytest.raises(RpcError) as caught:
        web.json("/web/dataset/call_kw", params)
    assert (caught.value.code, caught.value.name, caught.value.text) == (200, name, message), source


def test_odoorpc_login_for_odoo_10_and_later(odoo_sandbox):
    """odoorpc/odoo.py ODOO.login (version >= 10): common.login, then context_get with execute."""
    url = f"{odoo_sandbox.url}/jsonrpc"
    uid = jsonrpc_post(url, {"service": "common", "method": "login", "args": [odoo_sandbox.db, odoo_sandbox.login, odoo_sandbox.password]}).json()["result"]
    context = jsonrpc_post(url, {"service": "object", "method": "execute", "args": [odoo_sandbox.db, uid, odoo_sandbox.password, "res.users", "context_get"]}).json()["result"]
    assert uid == 2 and context == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}
    wrong = jsonrpc_post(url, {"service": "common", "method": "login", "args": [odoo_sandbox.db, odoo_sandbox.login, "wrong"]}).json()
    assert wrong["result"] is False  # OdooRPC then raises "Wrong login ID or password"
