"""The two ways to reach Odoo's ORM, behind one interface: ``version()``, ``authenticate()``
and ``execute(model, method, args, kwargs)`` with execute_kw's conventions (positional
``args``, record ids first for record methods).

Both use one ``requests.Session`` (pooled keep-alive connections, a timeout on every call —
``xmlrpc.client.ServerProxy`` has none) and turn every failure into an ``OdooError``.
"""

import xmlrpc.client
from xml.parsers.expat import ExpatError

import requests
from urllib3.exceptions import NewConnectionError

from .config import OdooConfig
from .errors import (
    TRANSIENT_STATUSES, OdooAccessDenied, OdooError, OdooLoginRefused, OdooSchemaError, OdooServerError,
    OdooTransientError, from_fault, from_json2,
)

USER_AGENT = "AIOM " + requests.utils.default_user_agent()


def _never_sent(error: requests.ConnectionError) -> bool:
    """True when the connection was never established, so Odoo cannot have run anything."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError)


class Transport:
    protocol = ""

    def __init__(self, config: OdooConfig):
        self.config = config
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    def __repr__(self):
        return f"<{type(self).__name__} {self.config.url} db={self.config.db}>"

    def close(self):
        self.session.close()

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        """One HTTP exchange; network failures become transient errors."""
        url = self.config.url + path
        try:
            return self.session.request(method, url, timeout=self.config.timeout, **kwargs)
        except requests.exceptions.SSLError as error:
            raise OdooError(f"TLS failure talking to Odoo at {self.config.url}: {error}") from error
        except requests.ConnectionError as error:
            if _never_sent(error):
                raise OdooTransientError(f"Odoo at {self.config.url} is unreachable (connection refused or "
                                         "timed out).") from error
            raise OdooTransientError(f"The connection to Odoo at {self.config.url} broke before it answered.",
                                     maybe_done=True) from error
        except requests.Timeout as error:
            raise OdooTransientError(f"Odoo at {self.config.url} did not answer within {self.config.timeout:g}s.",
                                     maybe_done=True) from error
        except requests.RequestException as error:
            raise OdooTransientError(f"Talking to Odoo at {self.config.url} failed: {error}",
                                     maybe_done=True) from error

    def _login_refused(self) -> OdooLoginRefused:
        return OdooLoginRefused(f"Odoo login refused for {self.config.username or 'the API key'} on {self.config.db}.")


class XmlRpcTransport(Transport):
    """``/xmlrpc/2``: works on every Odoo from 8 to 21 with a password or an API key."""

    protocol = "xmlrpc"

    def __init__(self, config: OdooConfig):
        super().__init__(config)
        self.uid = None

    def _call(self, service: str, method: str, *params):
        body = xmlrpc.client.dumps(params, method, allow_none=True).encode("utf-8")
        response = self._send("POST", f"/xmlrpc/2/{service}", data=body,
                              headers={"Content-Type": "text/xml; charset=utf-8"})
        if response.status_code in TRANSIENT_STATUSES:
            raise OdooTransientError(f"Odoo answered HTTP {response.status_code}; try again later.",
                                     maybe_done=response.status_code == 504)
        if response.status_code == 404:
            raise OdooSchemaError(f"No XML-RPC endpoint at {self.config.url}/xmlrpc/2/{service}.")
        if response.status_code != 200:
            raise OdooServerError(f"Odoo answered HTTP {response.status_code} to an XML-RPC call.",
                                  detail=response.text[:2000])
        try:
            (result,), _ = xmlrpc.client.loads(response.content)
        except xmlrpc.client.Fault as fault:
            raise from_fault(fault) from None
        except (ExpatError, xmlrpc.client.ResponseError, ValueError) as error:
            raise OdooServerError(f"{self.config.url} did not answer with XML-RPC.",
                                  detail=response.text[:2000]) from error
        return result

    def version(self) -> dict:
        return self._call("common", "version")

    def authenticate(self) -> int:
        try:
            uid = self._call("common", "authenticate", self.config.db, self.config.username, self.config.secret, {})
        except OdooAccessDenied:
            uid = False
        except OdooServerError as error:
            if f'database "{self.config.db}" does not exist' in error.detail:
                raise OdooLoginRefused(f"Odoo database {self.config.db} does not exist at {self.config.url}.") from None
            raise
        if not uid:
            raise self._login_refused()
        self.uid = uid
        return uid

    def execute(self, model: str, method: str, args: list, kwargs: dict):
        return self._call("object", "execute_kw", self.config.db, self.uid, self.config.secret,
                          model, method, args, kwargs)


# Parameter names, in order, of the ORM methods AIOM calls (Odoo 19 signatures): JSON-2 takes
# named arguments only. "ids" marks the records a record method runs on.
JSON2_PARAMETERS = {
    "search": ("domain", "offset", "limit", "order"),
    "search_count": ("domain", "limit"),
    "search_read": ("domain", "fields", "offset", "limit", "order"),
    "read": ("ids", "fields", "load"),
    "write": ("ids", "vals"),
    "unlink": ("ids",),
    "create": ("vals_list",),
    "fields_get": ("allfields", "attributes"),
    "name_search": ("name", "domain", "operator", "limit"),
    "read_group": ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
}


def json2_body(method: str, args: list, kwargs: dict) -> dict:
    """execute_kw's (args, kwargs) as a JSON-2 body. Other methods follow execute_kw's rule:
    the only positional argument allowed is the record ids."""
    names = JSON2_PARAMETERS.get(method, ("ids",))
    if len(args) > len(names):
        raise OdooError(f"JSON-2 takes named arguments only: call {method} with keyword arguments.")
    body = dict(zip(names, args))
    if clash := body.keys() & kwargs.keys():
        raise OdooError(f"{method}: {', '.join(sorted(clash))} given both by position and by name.")
    return body | kwargs


class Json2Transport(Transport):
    """``/json/2/<model>/<method>`` (Odoo 19+): an API key as bearer token, named arguments."""

    protocol = "json2"

    def __init__(self, config: OdooConfig):
        super().__init__(config)
        self.session.headers.update({"Authorization": f"bearer {config.secret}", "X-Odoo-Database": config.db})
        self.uid = None

    def version(self) -> dict:
        """``common.version()``'s shape, from ``/web/version`` (JSON-2 has no common service)."""
        response = self._send("GET", "/web/version")
        body = self._decode(response)
        if response.status_code != 200:
            raise from_json2(response.status_code, body)
        return {"server_version": body["version"], "server_version_info": body["version_info"]}

    def authenticate(self) -> int:
        """Prove the key works and learn whose it is (``context_get`` carries the uid)."""
        try:
            context = self.execute("res.users", "context_get", [], {})
        except OdooAccessDenied:
            raise OdooLoginRefused(f"{self._login_refused()} JSON-2 needs an API key, not a password.") from None
        self.uid = context["uid"]
        return self.uid

    def execute(self, model: str, method: str, args: list, kwargs: dict):
        single = method == "create" and bool(args) and isinstance(args[0], dict)
        if single:  # execute_kw's create(vals) -> id; JSON-2 always answers with a list of ids
            args = [[args[0]], *args[1:]]
        response = self._send("POST", f"/json/2/{model}/{method}", json=json2_body(method, args, kwargs))
        body = self._decode(response)
        if response.status_code != 200:
            raise from_json2(response.status_code, body)
        return body[0] if single else body

    @staticmethod
    def _decode(response: requests.Response):
        try:
            return response.json()
        except ValueError:
            if response.status_code == 200:
                raise OdooServerError("Odoo's answer was not JSON.", detail=response.text[:2000]) from None
            return None


TRANSPORTS = {transport.protocol: transport for transport in (XmlRpcTransport, Json2Transport)}
