"""Hand-written clients for the sandbox's endpoints, shaped like the third-party clients that
use them: execute_kw over XML-RPC and JSON-RPC, JSON-2 with named arguments, and a web-client
session like OdooRPC's (a cookie jar, ``{"jsonrpc": "2.0", "method": "call", "params": ..., "id": n}``
with ``Content-Type: application/json``). Each raises ``RpcError`` with what the server said."""

import itertools
import xmlrpc.client

import requests

_ids = itertools.count(1)


class RpcError(Exception):
    """An error answer: ``code`` is the fault code, HTTP status or envelope code; ``name`` the
    exception's dotted name when the transport says it; ``text`` the message or fault string."""

    def __init__(self, code, name, text, raw):
        super().__init__(f"{code} {name}: {text[:300]}")
        self.code, self.name, self.text, self.raw = code, name, text, raw


class XmlRpc:
    label = "xmlrpc"

    def __init__(self, handle):
        self.handle = handle
        self.uid = xmlrpc.client.ServerProxy(f"{handle.url}/xmlrpc/2/common").authenticate(handle.db, handle.login, handle.password, {})
        self.models = xmlrpc.client.ServerProxy(f"{handle.url}/xmlrpc/2/object")

    def call(self, model, method, *args, **kwargs):
        try:
            return self.models.execute_kw(self.handle.db, self.uid, self.handle.password, model, method, list(args), kwargs)
        except xmlrpc.client.Fault as fault:
            lines = fault.faultString.strip().splitlines()
            name = lines[-1].partition(":")[0] if fault.faultCode == 1 else None
            raise RpcError(fault.faultCode, name, fault.faultString, fault) from None


def jsonrpc_post(url, params, session=None):
    """One JSON-RPC 2.0 call the way OdooRPC's ProxyJSON sends it."""
    body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(_ids)}
    return (session or requests).post(url, json=body, headers={"Content-Type": "application/json"}, timeout=10)


def _envelope(response):
    payload = response.json()
    if "error" in payload:
        error = payload["error"]
        raise RpcError(error["code"], error["data"]["name"], error["data"]["message"], payload)
    return payload.get("result")


class JsonRpc:
    label = "jsonrpc"

    def __init__(self, handle):
        self.handle = handle
        self.uid = _envelope(jsonrpc_post(f"{handle.url}/jsonrpc", {"service": "common", "method": "login", "args": [handle.db, handle.login, handle.password]}))

    def call(self, model, method, *args, **kwargs):
        args = [self.handle.db, self.uid, self.handle.password, model, method, list(args), kwargs]
        return _envelope(jsonrpc_post(f"{self.handle.url}/jsonrpc", {"service": "object", "method": "execute_kw", "args": args}))


class Json2:
    """JSON-2: named arguments only; ``call(model, method, ids=..., **params)``."""

    label = "json2"

    def __init__(self, handle):
        self.handle = handle

    def post(self, model, method, body):
        headers = {"Authorization": f"bearer {self.handle.api_key}", "X-Odoo-Database": self.handle.db}
        return requests.post(f"{self.handle.url}/json/2/{model}/{method}", json=body, headers=headers, timeout=10)

    def call(self, model, method, **params):
        response = self.post(model, method, params)
        if response.status_code != 200:
            body = response.json()
            raise RpcError(response.status_code, body["name"], body["message"], body)
        return response.json()


class WebSession:
    """A web-client session, logged in like OdooRPC's ``login`` for Odoo < 10 and the web
    client: ``/web/session/authenticate``, then the cookie on every call."""

    label = "web"

    def __init__(self, handle):
        self.handle = handle
        self.session = requests.Session()
        self.info = None

    def json(self, path, params=None):
        return _envelope(jsonrpc_post(f"{self.handle.url}{path}", params or {}, self.session))

    def login(self, login=None, password=None):
        self.info = self.json("/web/session/authenticate", {"db": self.handle.db, "login": login or self.handle.login, "password": password or self.handle.password})
        return self.info

    def call(self, model, method, *args, **kwargs):
        return self.json(f"/web/dataset/call_kw/{model}/{method}", {"model": model, "method": method, "args": list(args), "kwargs": kwargs})
