"""One error family for everything that can go wrong talking to Odoo.

Like every outside-call error these are ``ExternalError``s: can a retry help (``permanent``),
and may the call have taken effect anyway (``maybe_done``: the request reached Odoo but no
answer came back, or Odoo committed and then failed to send the result). The subclasses say
what happened, in words an administrator can act on. Faults are mapped from both XML-RPC
flavours (integer codes on ``/xmlrpc/2``, string codes on legacy ``/xmlrpc``) and from JSON-2
error bodies.
"""

from xmlrpc.client import Fault

from ..errors import ExternalError


class OdooError(ExternalError):
    def __init__(self, message: str, *, permanent: bool | None = None, maybe_done: bool = False, detail: str = ""):
        super().__init__(message, permanent=permanent, maybe_done=maybe_done)
        self.detail = detail  # Odoo's traceback or raw body, for debugging; never shown to users


class OdooLoginRefused(OdooError):
    """The database, login or password/API key is wrong (or the key expired)."""


class OdooAccessDenied(OdooError):
    """Fault 3 / HTTP 401 on an object call: the credentials stopped working mid-session."""


class OdooAccessError(OdooError):
    """The Odoo user lacks the rights for this model, record or method (fault 4 / HTTP 403)."""


class OdooMissingError(OdooError):
    """The record does not exist or was deleted."""


class OdooValidationError(OdooError):
    """Odoo refused the values (UserError, ValidationError): fix the input, don't retry."""


class OdooSchemaError(OdooError):
    """The model, field or method does not exist on this Odoo (version or module missing)."""


class OdooServerError(OdooError):
    """Any other server-side failure (fault 1 / HTTP 500): a bug or bad arguments."""


class OdooTransientError(OdooError):
    """Odoo could not be reached or answered 429/502/503/504, or timed out: retry later."""

    permanent = False


TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})

_MISSING_RECORD = "Record does not exist or has been deleted"
_NONE_RESULT = "cannot marshal None"


def _last_line(traceback_text: str) -> str:
    """The exception line of a Python traceback (``ValueError: Invalid field ...``)."""
    lines = [line for line in traceback_text.strip().splitlines() if line.strip()]
    return lines[-1].strip().removeprefix("builtins.") if lines else traceback_text


def _is_unknown_model(message: str) -> bool:
    return message.startswith("Object ") and message.rstrip(".").endswith("doesn't exist")


def _server_error(message: str, detail: str) -> OdooError:
    """Classify an unexpected server exception (fault 1, legacy traceback, JSON-2 500)."""
    if _NONE_RESULT in detail or _NONE_RESULT in message:
        return OdooServerError(
            "Odoo ran the method and committed, but it returned None, which XML-RPC cannot send: "
            "treat the call as maybe done and check its effect.", maybe_done=True, detail=detail)
    if message.startswith("AttributeError") or "Invalid field" in message:
        return OdooSchemaError(message, detail=detail)
    return OdooServerError(message, detail=detail)


def _user_error(message: str, detail: str = "") -> OdooError:
    """Classify fault 2 (UserError and its subclasses share one code)."""
    if _is_unknown_model(message):
        return OdooSchemaError(message, detail=detail)
    if message.startswith(_MISSING_RECORD):
        return OdooMissingError(message, detail=detail)
    return OdooValidationError(message, detail=detail)


def from_fault(fault: Fault) -> OdooError:
    """Map an XML-RPC fault, integer-coded (/xmlrpc/2) or string-coded (legacy /xmlrpc)."""
    code, text = fault.faultCode, fault.faultString or ""
    if isinstance(code, int):
        if code == 2:
            return _user_error(text)
        if code == 3:
            return OdooAccessDenied(text or "Access Denied")
        if code == 4:
            return OdooAccessError(text)
        return _server_error(_last_line(text), text)
    kind, _, message = str(code).partition("\n\n")
    if kind == "AccessDenied":
        return OdooAccessDenied(text or "Access Denied")
    if kind == "warning -- AccessError":
        return OdooAccessError(message)
    if kind == "warning -- MissingError":
        return OdooMissingError(message)
    if kind.startswith("warning -- "):
        return _user_error(message)
    return _server_error(str(code), text)


_JSON2_NAMES = {
    "odoo.exceptions.AccessDenied": OdooAccessDenied,
    "odoo.exceptions.AccessError": OdooAccessError,
    "odoo.exceptions.MissingError": OdooMissingError,
    "odoo.exceptions.ValidationError": OdooValidationError,
    "odoo.exceptions.UserError": OdooValidationError,
    "odoo.exceptions.RedirectWarning": OdooValidationError,
    "werkzeug.exceptions.Unauthorized": OdooAccessDenied,
}


def from_json2(status: int, body: object) -> OdooError:
    """Map a JSON-2 error response (status code and its decoded JSON body, if any)."""
    if status in TRANSIENT_STATUSES:
        return OdooTransientError(f"Odoo answered HTTP {status}; try again later.", maybe_done=status == 504)
    if not isinstance(body, dict) or "name" not in body:
        if status == 404:
            return OdooSchemaError("No JSON-2 endpoint at this URL: JSON-2 needs Odoo 19 or later; "
                                   "use the xmlrpc protocol for older Odoo.")
        return OdooServerError(f"Odoo answered HTTP {status} without an error description.", detail=str(body)[:2000])
    name, message, detail = body["name"], str(body.get("message", "")), str(body.get("debug", ""))
    if name in _JSON2_NAMES:
        return _JSON2_NAMES[name](message, detail=detail)
    if name == "werkzeug.exceptions.NotFound":
        return OdooSchemaError(message, detail=detail)
    return _server_error(f"{name.rpartition('.')[2]}: {message}", detail)
