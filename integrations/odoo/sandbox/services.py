"""Odoo's RPC services (``common``, ``db``, ``object``) and its login rules, independent of HTTP.

One ``Sandbox`` is one Odoo database: a store plus the credentials that open it. Logins follow
``odoo.service.common``/``security``: a bad password makes ``authenticate`` return False, an
object call with a bad uid/password raises AccessDenied, an API key is accepted wherever a
password is except the web client's interactive login (``_check_credentials`` with
``interactive``), and an unknown database fails like PostgreSQL does. The web client's
sessions are in web.py.
"""

from dataclasses import dataclass

from .calls import execute, execute_kw, json2_call, web_call_kw
from .errors import AccessDenied, DatabaseNotFound
from .methods import Env

SERVER_VERSION = "17.0"
VERSION_INFO = {
    "server_version": SERVER_VERSION,
    "server_version_info": [17, 0, 0, "final", 0, ""],
    "server_serie": SERVER_VERSION,
    "protocol_version": 1,
}


@dataclass(frozen=True)
class Credentials:
    db: str = "aiom-demo"
    login: str = "admin"
    password: str = "admin"
    api_key: str = "aiom-demo-key"


class Sandbox:
    def __init__(self, store, credentials=Credentials(), state_file=None):
        self.store = store
        self.credentials = credentials
        self.state_file = state_file

    # --- authentication ------------------------------------------------------------------
    def _check_db(self, db):
        if db != self.credentials.db:
            raise DatabaseNotFound(db)

    def admin_uid(self):
        for row in self.store.tables["res.users"].values():
            if row.get("login") == self.credentials.login and row.get("active", True):
                return row["id"]
        return None

    def authenticate(self, db, login, password):
        """uid, or False for a wrong login/password (never a fault, as in Odoo)."""
        self._check_db(db)
        if login == self.credentials.login and password in (self.credentials.password, self.credentials.api_key):
            return self.admin_uid() or False
        return False

    def check(self, db, uid, password):
        self._check_db(db)
        if uid != self.admin_uid() or password not in (self.credentials.password, self.credentials.api_key):
            raise AccessDenied()

    def web_login(self, db, login, password):
        """``Session.authenticate``: an interactive login, so a password and never an API key;
        a refusal is AccessDenied (``res.users.authenticate``), not False."""
        self._check_db(db)
        if login == self.credentials.login and password == self.credentials.password and self.admin_uid():
            return self.admin_uid()
        raise AccessDenied()

    def uid_for_api_key(self, key):
        return self.admin_uid() if key == self.credentials.api_key else None

    # --- services ------------------------------------------------------------------------
    def dispatch(self, service, method, params):
        """``odoo.http.dispatch_rpc``: run ``service.method(*params)``."""
        handler = {"common": self._common, "db": self._db, "object": self._object}.get(service)
        if handler is None:
            raise KeyError(service)
        return handler(method, list(params))

    def _common(self, method, params):
        if method == "version":
            return dict(VERSION_INFO)
        if method in ("login", "authenticate"):
            db, login, password = params[:3]
            return self.authenticate(db, login, password)
        raise KeyError(f"exp_{method}")

    def _db(self, method, params):
        if method == "list":
            return [self.credentials.db]
        if method == "server_version":
            return SERVER_VERSION
        if method == "db_exist":
            return params[0] == self.credentials.db
        raise KeyError(f"exp_{method}")

    def _object(self, method, params):
        """``odoo.service.model.dispatch``: the credentials are checked before the method name."""
        db, uid, password = params[0], int(params[1]), params[2]
        self.check(db, uid, password)
        if method == "execute_kw":
            return self.persisting(execute_kw, Env(self.store, uid), db, uid, *params[3:])
        if method == "execute":
            return self.persisting(execute, Env(self.store, uid), db, uid, *params[3:])
        raise NameError(f"Method not available {method}")

    def web_call_kw(self, uid, model, method, args, kwargs, path=None):
        return self.persisting(web_call_kw, Env(self.store, uid), model, method, args, kwargs, path)

    def json2(self, uid, model, method, params):
        return self.persisting(json2_call, Env(self.store, uid), model, method, params)

    def persisting(self, func, *args, **kwargs):
        """Run one call and save the state file when it changed something."""
        revision = self.store.revision
        try:
            return func(*args, **kwargs)
        finally:
            self.persist_if_changed(revision)

    def persist_if_changed(self, revision):
        if self.state_file and self.store.revision != revision:
            self.store.save(self.state_file)
