"""The web client's JSON-RPC routes, which session-based clients (OdooRPC, the web client
itself, scripts that log in like a browser) use, as Odoo 17 serves them; ``/jsonrpc`` is a
route of the same kind.

``POST /web/session/authenticate {db, login, password}`` opens a session (an interactive login:
a password, never an API key) and answers ``ir.http.session_info()``; the ``session_id``
cookie then authenticates ``/web/session/get_session_info``, ``/web/session/check``,
``/web/session/destroy`` and ``/web/dataset/call_kw[/<path>]`` ({model, method, args,
kwargs}, run like execute_kw). ``/web/webclient/version_info`` needs no login. A route that
needs a login and has none raises SessionExpiredException (error code 100 in the envelope).
Parameters bind like ``odoo.http.route``'s wrapper: unknown ones are dropped, missing ones
are Python's TypeError naming Odoo's controller method.
"""

import inspect
import secrets
import threading
from dataclasses import dataclass, field

from .errors import SessionExpiredException
from .methods import Env
from .services import VERSION_INFO

SESSION_LIFETIME = 60 * 60 * 24 * 7  # odoo.http.SESSION_LIFETIME, the cookie's max-age
CALL_KW = "/web/dataset/call_kw"


@dataclass
class WebSession:
    sid: str
    db: str
    uid: int
    login: str
    context: dict = field(default_factory=dict)


def _controller(qualname, auth):
    """Mark an endpoint with Odoo's controller method name (for TypeErrors) and its ``auth``."""

    def mark(func):
        func.__qualname__ = qualname
        func.__code__ = func.__code__.replace(co_qualname=qualname)
        func.auth = auth
        return func

    return mark


class WebClient:
    """The routes of one sandbox and the sessions they opened."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.sessions = {}
        self.lock = threading.Lock()
        self.routes = {
            "/web/webclient/version_info": version_info,
            "/web/session/authenticate": authenticate,
            "/web/session/get_session_info": get_session_info,
            "/web/session/check": check,
            "/web/session/destroy": destroy,
            CALL_KW: call_kw,
        }

    def endpoint(self, path):
        """(endpoint, path arguments) for a web route, or (None, {})."""
        if path.startswith(CALL_KW + "/") and len(path) > len(CALL_KW) + 1:
            return call_kw, {"path": path[len(CALL_KW) + 1:]}
        return self.routes.get(path), {}

    def call(self, endpoint, params, sid):
        """Run ``endpoint`` for the session ``sid``; returns (result, sid of a new session)."""
        request = Request(self, self.session(sid))
        if endpoint.auth == "user" and request.session is None:
            raise SessionExpiredException()
        result = endpoint(request, **_filter_kwargs(endpoint, params))
        return result, request.new_sid

    def session(self, sid):
        with self.lock:
            session = self.sessions.get(sid) if sid else None
        return session if session is not None and session.uid else None

    def open(self, db, uid, login):
        session = WebSession(sid=secrets.token_hex(20), db=db, uid=uid, login=login)
        with self.lock:
            self.sessions[session.sid] = session
        return session

    def close(self, session):
        with self.lock:
            self.sessions.pop(session.sid, None)


@dataclass
class Request:
    client: WebClient
    session: WebSession | None
    new_sid: str | None = None

    @property
    def sandbox(self):
        return self.client.sandbox


def _filter_kwargs(func, params):
    """``odoo.tools.func.filter_kwargs``: keep the parameters the endpoint takes."""
    names = {p.name for p in inspect.signature(func).parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return {key: value for key, value in params.items() if key in names - {"request"}}


# --- endpoints ---------------------------------------------------------------------------------
@_controller("RPC.jsonrpc", auth="none")
def jsonrpc(request, service, method, args):
    """``/jsonrpc`` (``odoo/addons/base/controllers/rpc.py``): ``dispatch_rpc``."""
    return request.sandbox.dispatch(service, method, args)


@_controller("WebClient.version_info", auth="none")
def version_info(request):
    return dict(VERSION_INFO)


@_controller("Session.authenticate", auth="none")
def authenticate(request, db, login, password, base_location=None):
    uid = request.sandbox.web_login(db, login, password)
    session = request.client.open(db, uid, login)
    request.session, request.new_sid = session, session.sid
    return session_info(request)


@_controller("Session.get_session_info", auth="user")
def get_session_info(request):
    return session_info(request)


@_controller("Session.check", auth="user")
def check(request):
    return None  # ir.http._authenticate has done the work


@_controller("Session.destroy", auth="user")
def destroy(request):
    request.client.close(request.session)


@_controller("DataSet.call_kw", auth="user")
def call_kw(request, model, method, args, kwargs, path=None):
    return request.sandbox.web_call_kw(request.session.uid, model, method, args, kwargs, path)


def session_info(request):
    """``ir.http.session_info()`` (web, 17.0), for the admin user the sandbox logs in."""
    store, session = request.sandbox.store, request.session
    user = store.row("res.users", session.uid) or {}
    partner_id = user.get("partner_id") or None
    user_context = Env(store, session.uid).records("res.users").context_get()
    session.context = user_context
    company = store.ref("base.main_partner")
    company_name = store.display_name(*company) if company else ""
    return {
        "uid": session.uid,
        "is_system": True,
        "is_admin": True,
        "is_public": False,
        "is_internal_user": True,
        "user_context": user_context,
        "db": session.db,
        "server_version": VERSION_INFO["server_version"],
        "server_version_info": VERSION_INFO["server_version_info"],
        "support_url": "https://www.odoo.com/buy",
        "name": user.get("name", ""),
        "username": user.get("login", ""),
        "partner_display_name": store.display_name("res.partner", partner_id) if partner_id else False,
        "partner_id": partner_id,
        "web.base.url": "",
        "active_ids_limit": 20000,
        "max_file_upload_size": 128 * 1024 * 1024,
        "home_action_id": False,
        "currencies": _currencies(store),
        "bundle_params": {"lang": user_context["lang"]},
        "test_mode": False,
        "user_companies": {
            "current_company": 1,
            "allowed_companies": {"1": {"id": 1, "name": company_name, "sequence": 10, "child_ids": [], "parent_id": False}},
            "disallowed_ancestor_companies": {},
        },
        "show_effect": True,
        "display_switch_company_menu": False,
    }


def _currencies(store):
    """``ir.http.get_currencies``: the active currencies by id."""
    return {
        str(row["id"]): {"symbol": row.get("symbol") or row.get("name"), "position": "after", "digits": [69, 2]}
        for row in store.tables["res.currency"].values()
        if row.get("active", True)
    }
