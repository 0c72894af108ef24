"""The HTTP face of the sandbox: Odoo's XML-RPC, JSON-RPC, JSON-2 and web-client endpoints.

``/xmlrpc/2/*`` and legacy ``/xmlrpc/*`` (``odoo/addons/base/controllers/rpc.py``) answer
faults; ``/jsonrpc`` and the web client's routes (web.py) are Odoo 17's ``type='json'``
routes (``JsonRPCDispatcher``): a JSON body is required (else 400), and errors come in
``{"code": 200, "message": "Odoo Server Error", "data": {...}}`` with HTTP 200. JSON-2
(``/json/2/<model>/<method>``, Odoo 19's ``Json2Dispatcher``) answers
``{name, message, arguments, context, debug}`` with the exception's HTTP status. faults.py
says how each exception is encoded.

``start_in_thread`` runs a server on a free port for tests and benchmarks.
"""

import json
import re
import sys
import threading
import time
import xmlrpc.client
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import formatdate
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import demo
from .errors import HTTPError, SessionExpiredException, UserError
from .faults import legacy_xmlrpc_fault, serialize_exception, xmlrpc_fault
from .services import VERSION_INFO, Credentials, Sandbox
from .store import Store
from .values import DATETIME_FORMAT
from .web import CALL_KW, SESSION_LIFETIME, WebClient, jsonrpc

XMLRPC_PATH = re.compile(r"^/xmlrpc/(2/)?([^/]+)$")
JSON2_PATH = re.compile(r"^/json/2/([^/]+)/([^/]+)$")
JSON_MIMETYPES = ("application/json", "application/json-rpc")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, each answer waits ~40 ms for
    # the client's delayed ACK (Nagle), which no real Odoo behind a proper server does.
    disable_nagle_algorithm = True
    server_version = "Werkzeug/3.0"
    sandbox: Sandbox  # set on the subclass made by ``SandboxServer``
    web: WebClient

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        if self.path == "/web/version":
            self._send_version()
            return
        self._send(HTTPStatus.METHOD_NOT_ALLOWED if self._known_path() else HTTPStatus.NOT_FOUND, b"", "text/plain")

    def _send_version(self):
        """``/web/version`` (any method, no login): how JSON-2 clients learn the server version."""
        version = {"version_info": VERSION_INFO["server_version_info"], "version": VERSION_INFO["server_version"]}
        self._send(HTTPStatus.OK, json.dumps(version).encode(), "application/json; charset=utf-8")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.latency:
            time.sleep(self.server.latency)  # the network round trip to a hosted Odoo
        if self.path == "/web/version":
            self._send_version()
            return
        xmlrpc_match = XMLRPC_PATH.match(self.path)
        json2_match = JSON2_PATH.match(self.path)
        web_endpoint, path_args = self.web.endpoint(self.path)
        if xmlrpc_match:
            legacy, service = xmlrpc_match.group(1) is None, xmlrpc_match.group(2)
            self._send(HTTPStatus.OK, self._xmlrpc(service, body, legacy).encode(), "text/xml")
        elif self.path == "/jsonrpc":
            self._json_route("/jsonrpc", jsonrpc, {}, body)
        elif web_endpoint is not None:
            self._json_route(CALL_KW if path_args else self.path, web_endpoint, path_args, body)
        elif json2_match:
            status, payload = self._json2(*json2_match.groups(), body)
            self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not Found", "text/plain")

    def _known_path(self):
        return bool(XMLRPC_PATH.match(self.path) or JSON2_PATH.match(self.path) or self.path == "/jsonrpc" or self.web.endpoint(self.path)[0])

    def _send(self, status, payload, content_type, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    # --- XML-RPC ---------------------------------------------------------------------------
    def _xmlrpc(self, service, body, legacy):
        entry = ["xmlrpc_legacy" if legacy else "xmlrpc"]
        try:
            params, method = xmlrpc.client.loads(body, use_datetime=True)
            entry += ["object"] if service == "object" else []
            result = self.sandbox.dispatch(service, method, _dates_as_strings(params))
            return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except Exception as exc:  # every error becomes a fault, as in Odoo
            fault = legacy_xmlrpc_fault(exc, entry) if legacy else xmlrpc_fault(exc, entry)
            return xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False)

    # --- type='json' routes: /jsonrpc and the web client's ----------------------------------
    def _json_route(self, route, endpoint, path_args, body):
        """``JsonRPCDispatcher.dispatch`` and ``handle_error`` (17.0)."""
        mimetype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if mimetype not in JSON_MIMETYPES:
            message = (f"Request inferred type is compatible with ['http'] but {route!r} is type='json'.\n\n"
                       "Please verify the Content-Type request header and try again.")
            self._send(HTTPStatus.BAD_REQUEST, _bad_request_page(message), "text/html; charset=utf-8")
            return
        try:
            request = json.loads(body)
            request_id = request.get("id")
        except ValueError:
            self._send(HTTPStatus.BAD_REQUEST, b"Invalid JSON data", "text/html; charset=utf-8")
            return
        except AttributeError:
            self._send(HTTPStatus.BAD_REQUEST, b"Invalid JSON-RPC data", "text/html; charset=utf-8")
            return
        response, headers = {"jsonrpc": "2.0", "id": request_id}, []
        try:
            params = dict(request.get("params", {}), **path_args)
            result, new_sid = self.web.call(endpoint, params, self._session_id())
        except Exception as exc:  # reported in the JSON-RPC error member
            response["error"] = _json_error(exc, endpoint)
        else:
            if result is not None:
                response["result"] = result
            if new_sid:
                expires = formatdate(time.time() + SESSION_LIFETIME, usegmt=True)
                headers.append(("Set-Cookie", f"session_id={new_sid}; Expires={expires}; Max-Age={SESSION_LIFETIME}; HttpOnly; Path=/"))
        self._send(HTTPStatus.OK, json.dumps(response).encode(), "application/json", headers)

    def _session_id(self):
        try:
            morsel = SimpleCookie(self.headers.get("Cookie") or "").get("session_id")
        except CookieError:
            return None
        return morsel.value if morsel else None

    # --- JSON-2 ----------------------------------------------------------------------------
    def _json2(self, model, method, body):
        try:
            uid = self._bearer_uid()
            try:
                params = json.loads(body) if body else {}
            except ValueError as exc:
                raise HTTPError(HTTPStatus.BAD_REQUEST, f"could not parse the body as json: {exc.args[0]}") from exc
            return HTTPStatus.OK, self.sandbox.json2(uid, model, method, params if isinstance(params, dict) else {})
        except HTTPError as exc:
            return exc.status, serialize_exception(exc, "json2", message=exc.description, arguments=[exc.description, exc.status.value])
        except UserError as exc:
            return HTTPStatus(exc.http_status), serialize_exception(exc, "json2")
        except Exception as exc:  # an unexpected server error, as Odoo reports it
            return HTTPStatus.INTERNAL_SERVER_ERROR, serialize_exception(exc, "json2")

    def _bearer_uid(self):
        database = self.headers.get("X-Odoo-Database")
        if database and database != self.sandbox.credentials.db:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"database {database!r} not found")
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        uid = self.sandbox.uid_for_api_key(key.strip()) if scheme.lower() == "bearer" else None
        if uid is None:
            raise HTTPError(HTTPStatus.UNAUTHORIZED, "Invalid apikey")
        return uid


def _json_error(exc, endpoint):
    """The ``error`` member of ``JsonRPCDispatcher.handle_error`` (17.0)."""
    entry = ["jsonrpc", "object"] if endpoint is jsonrpc else ["web", *(["call_kw"] if endpoint.__name__ == "call_kw" else [])]
    error = {"code": 200, "message": "Odoo Server Error", "data": serialize_exception(exc, entry)}
    if isinstance(exc, SessionExpiredException):
        error.update(code=100, message="Odoo Session Expired")
    return error


def _bad_request_page(message):
    """werkzeug's BadRequest page."""
    escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#x27;")
    return f"<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>{escaped}</p>\n".encode()


def _dates_as_strings(value):
    """XML-RPC dateTime values as the strings Odoo's fields and domains compare."""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return type(value)(_dates_as_strings(item) for item in value)
    if isinstance(value, dict):
        return {key: _dates_as_strings(item) for key, item in value.items()}
    return value


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, sandbox, verbose=False, latency=0.0):
        self.verbose = verbose
        self.latency = latency  # seconds added to every RPC answer; settable while serving
        handler = type("SandboxHandler", (Handler,), {"sandbox": sandbox, "web": WebClient(sandbox)})
        super().__init__(address, handler)

    def handle_error(self, request, client_address):
        """A client that hangs up mid-request (a killed worker, a timeout) is not the server's error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class SandboxHandle:
    """A running sandbox: where it listens, how to log in, and its store for assertions."""

    url: str
    host: str
    port: int
    db: str
    login: str
    password: str
    api_key: str
    store: Store
    sandbox: Sandbox
    server: SandboxServer
    thread: threading.Thread

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def build_sandbox(*, seed="demo", size=None, today=None, credentials=Credentials(), state_file=None):
    """A sandbox with fresh data, or the data saved in ``state_file`` when that file exists."""
    store = Store()
    demo.seed(store, kind=seed, size=size, today=today, credentials=credentials, state_file=state_file)
    return Sandbox(store, credentials, state_file=state_file)


def start_in_thread(*, seed="demo", size=None, today=None, host="127.0.0.1", port=0, credentials=Credentials(),
                    state_file=None, verbose=False, latency=0.0):
    """Serve a sandbox from a background thread; call ``.stop()`` on the handle when done.
    ``latency`` (seconds) delays every RPC answer, like the round trip to a hosted Odoo."""
    sandbox = build_sandbox(seed=seed, size=size, today=today, credentials=credentials, state_file=state_file)
    server = SandboxServer((host, port), sandbox, verbose=verbose, latency=latency)
    bound_host, bound_port = server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="odoo-sandbox", daemon=True)
    thread.start()
    return SandboxHandle(
        url=f"http://{bound_host}:{bound_port}",
        host=bound_host,
        port=bound_port,
        db=credentials.db,
        login=credentials.login,
        password=credentials.password,
        api_key=credentials.api_key,
        store=sandbox.store,
        sandbox=sandbox,
        server=server,
        thread=thread,
    )
