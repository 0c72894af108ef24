"""The HTTP face of the sandbox: Odoo's XML-RPC, JSON-RPC and JSON-2 endpoints.

Errors are encoded as ``odoo/addons/base/controllers/rpc.py`` and ``odoo.http`` do:
``/xmlrpc/2/*`` faults carry integer codes (1 error, 2 user/validation/missing, 3 access
denied, 4 access error), legacy ``/xmlrpc/*`` faults carry string codes, ``/jsonrpc`` wraps
errors in ``{"code": 200, "message": "Odoo Server Error", "data": {...}}`` and JSON-2 answers
``{name, message, arguments, context, debug}`` with the exception's HTTP status.

``start_in_thread`` runs a server on a free port for tests and benchmarks.
"""

import json
import re
import sys
import threading
import time
import traceback
import xmlrpc.client
from dataclasses import dataclass
from datetime import date, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import demo
from .errors import AccessDenied, AccessError, MissingError, UserError
from .methods import Env, check_arguments, prepare_call
from .services import VERSION_INFO, Credentials, Sandbox
from .store import Store
from .values import DATETIME_FORMAT

XMLRPC_PATH = re.compile(r"^/xmlrpc/(2/)?(common|object|db)$")
JSON2_PATH = re.compile(r"^/json/2/([^/]+)/([^/]+)$")


class HTTPError(Exception):
    """A werkzeug HTTP exception as JSON-2 reports it."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = status
        self.description = description
        self.odoo_name = f"werkzeug.exceptions.{status.phrase.replace(' ', '')}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, each answer waits ~40 ms for
    # the client's delayed ACK (Nagle), which no real Odoo behind a proper server does.
    disable_nagle_algorithm = True
    server_version = "Werkzeug/3.0"
    sandbox: Sandbox  # set on the subclass made by ``make_server``

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
        if xmlrpc_match:
            legacy, service = xmlrpc_match.group(1) is None, xmlrpc_match.group(2)
            self._send(HTTPStatus.OK, self._xmlrpc(service, body, legacy).encode(), "text/xml")
        elif self.path == "/jsonrpc":
            self._send(HTTPStatus.OK, json.dumps(self._jsonrpc(body)).encode(), "application/json")
        elif json2_match:
            status, payload = self._json2(*json2_match.groups(), body)
            self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not Found", "text/plain")

    def _known_path(self):
        return bool(XMLRPC_PATH.match(self.path) or JSON2_PATH.match(self.path) or self.path == "/jsonrpc")

    def _send(self, status, payload, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    # --- XML-RPC ---------------------------------------------------------------------------
    def _xmlrpc(self, service, body, legacy):
        try:
            params, method = xmlrpc.client.loads(body, use_datetime=True)
            result = self.sandbox.dispatch(service, method, _dates_as_strings(params))
            return xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except Exception as exc:  # every error becomes a fault, as in Odoo
            fault = _legacy_fault(exc) if legacy else _fault(exc)
            return xmlrpc.client.dumps(fault, methodresponse=True, allow_none=False)

    # --- JSON-RPC --------------------------------------------------------------------------
    def _jsonrpc(self, body):
        request_id = None
        try:
            request = json.loads(body)
            request_id = request.get("id")
            params = request["params"]
            result = self.sandbox.dispatch(params["service"], params["method"], params.get("args", []))
        except Exception as exc:  # reported in the JSON-RPC error member
            return {"jsonrpc": "2.0", "id": request_id, "error": {"code": 200, "message": "Odoo Server Error", "data": _serialize(exc)}}
        response = {"jsonrpc": "2.0", "id": request_id}
        if result is not None:
            response["result"] = result
        return response

    # --- JSON-2 ----------------------------------------------------------------------------
    def _json2(self, model, method, body):
        try:
            return HTTPStatus.OK, self._json2_call(model, method, body)
        except HTTPError as exc:
            return exc.status, _serialize(exc, message=exc.description, arguments=[exc.description, exc.status.value])
        except UserError as exc:
            return HTTPStatus(exc.http_status), _serialize(exc)
        except Exception as exc:  # an unexpected server error, as Odoo reports it
            return HTTPStatus.INTERNAL_SERVER_ERROR, _serialize(exc)

    def _json2_call(self, model, method, body):
        uid = self._bearer_uid()
        try:
            params = json.loads(body) if body else {}
        except ValueError as exc:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"could not parse the body as json: {exc.args[0]}") from exc
        if not isinstance(params, dict):
            params = {}
        ids = params.pop("ids", [])
        context = params.pop("context", {})
        if model not in self.sandbox.store.models:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"the model {model!r} does not exist")
        try:
            env, records, func = prepare_call(Env(self.sandbox.store, uid), model, method, context)
        except AttributeError as exc:
            raise HTTPError(HTTPStatus.NOT_FOUND, exc.args[0]) from exc
        if func.rpc_model and ids:
            raise HTTPError(HTTPStatus.UNPROCESSABLE_ENTITY, f"cannot call {model}.{method} with ids")
        try:
            check_arguments(func, params)
        except TypeError as exc:
            raise HTTPError(HTTPStatus.UNPROCESSABLE_ENTITY, exc.args[0]) from exc
        revision = self.sandbox.store.revision
        with self.sandbox.store.transaction():
            result = func(env.records(model, ids), **params)
        self.sandbox.persist_if_changed(revision)
        return result

    def _bearer_uid(self):
        database = self.headers.get("X-Odoo-Database")
        if database and database != self.sandbox.credentials.db:
            raise HTTPError(HTTPStatus.NOT_FOUND, f"database {database!r} not found")
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        uid = self.sandbox.uid_for_api_key(key.strip()) if scheme.lower() == "bearer" else None
        if uid is None:
            raise HTTPError(HTTPStatus.UNAUTHORIZED, "Invalid apikey")
        return uid


def _fault(exc):
    """``xmlrpc_handle_exception_int``."""
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(2, str(exc))
    return xmlrpc.client.Fault(1, _traceback(exc))


def _legacy_fault(exc):
    """``xmlrpc_handle_exception_string``: the code is a string, the message may be in it."""
    if isinstance(exc, MissingError):
        return xmlrpc.client.Fault("warning -- MissingError\n\n" + str(exc), "")
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault("warning -- AccessError\n\n" + str(exc), "")
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault("AccessDenied", str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault("warning -- UserError\n\n" + str(exc), "")
    return xmlrpc.client.Fault(str(exc), _traceback(exc))


def _exception_name(exc):
    name = getattr(exc, "odoo_name", None)
    return name or f"{type(exc).__module__}.{type(exc).__qualname__}"


def _traceback(exc):
    """The traceback text Odoo sends; exceptions imitating Odoo's are named as Odoo names them."""
    lines = traceback.format_exception(exc)
    if hasattr(exc, "odoo_name"):
        lines[-1] = f"{exc.odoo_name}: {exc}\n"
    return "".join(lines)


def _serialize(exc, *, message=None, arguments=None):
    """``odoo.http.serialize_exception``."""
    return {
        "name": _exception_name(exc),
        "message": str(exc) if message is None else message,
        "arguments": list(exc.args) if arguments is None else arguments,
        "context": {},
        "debug": _traceback(exc),
    }


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
        handler = type("SandboxHandler", (Handler,), {"sandbox": sandbox})
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
