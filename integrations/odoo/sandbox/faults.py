"""Exceptions as each of Odoo's transports reports them, and the tracebacks they carry.

``/xmlrpc/2`` faults carry integer codes (``xmlrpc_handle_exception_int``: 1 error, 2
user/validation/missing, 3 access denied, 4 access error), legacy ``/xmlrpc`` faults string
codes (``xmlrpc_handle_exception_string``), and the JSON transports the dictionary of
``odoo.http.serialize_exception``. Odoo puts a Python traceback in fault 1 and in ``debug``;
the sandbox sends one of the same shape that names the Odoo layers the call went through,
never the sandbox's own files, so a client sees what Odoo would show and nothing more.
"""

import traceback
import xmlrpc.client

from .errors import AccessDenied, AccessError, MissingError, UserError

#: The Odoo frames a call passes through, by entry point (Odoo 17 paths; JSON-2 is Odoo 19's).
FRAMES = {
    "xmlrpc": [("odoo/addons/base/controllers/rpc.py", "xmlrpc_2"), ("odoo/http.py", "dispatch_rpc")],
    "xmlrpc_legacy": [("odoo/addons/base/controllers/rpc.py", "xmlrpc_1"), ("odoo/http.py", "dispatch_rpc")],
    "jsonrpc": [("odoo/addons/base/controllers/rpc.py", "jsonrpc"), ("odoo/http.py", "dispatch_rpc")],
    "object": [("odoo/service/model.py", "execute_kw"), ("odoo/api.py", "call_kw")],
    "call_kw": [("odoo/addons/web/controllers/dataset.py", "call_kw"), ("odoo/api.py", "call_kw")],
    "web": [("odoo/http.py", "dispatch")],
    "json2": [("odoo/addons/rpc/controllers/json2.py", "web_json_2_rpc")],
}


def exception_name(exc):
    """The dotted name Odoo reports: ours imitate Odoo's classes, builtins are ``builtins.X``."""
    name = getattr(exc, "odoo_name", None)
    return name or f"{type(exc).__module__}.{type(exc).__qualname__}"


def exception_line(exc):
    """The last line of a traceback: ``ValueError: Invalid field ...``."""
    if hasattr(exc, "odoo_name"):
        return f"{exc.odoo_name}: {exc}\n"
    return traceback.format_exception_only(exc)[-1]


def odoo_traceback(exc, entry):
    """A traceback through the Odoo layers of ``entry`` (a key of FRAMES, or a list of keys)."""
    entries = [entry] if isinstance(entry, str) else entry
    frames = [frame for key in entries for frame in FRAMES[key]]
    lines = ["Traceback (most recent call last):\n"]
    lines += [f'  File "{path}", in {function}\n' for path, function in frames]
    return "".join(lines) + exception_line(exc)


def xmlrpc_fault(exc, entry):
    """``xmlrpc_handle_exception_int``."""
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc))
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault(2, str(exc))
    return xmlrpc.client.Fault(1, odoo_traceback(exc, entry))


def legacy_xmlrpc_fault(exc, entry):
    """``xmlrpc_handle_exception_string``: the code is a string, the message may be in it."""
    if isinstance(exc, MissingError):
        return xmlrpc.client.Fault("warning -- MissingError\n\n" + str(exc), "")
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault("warning -- AccessError\n\n" + str(exc), "")
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault("AccessDenied", str(exc))
    if isinstance(exc, UserError):
        return xmlrpc.client.Fault("warning -- UserError\n\n" + str(exc), "")
    return xmlrpc.client.Fault(str(exc), odoo_traceback(exc, entry))


def serialize_exception(exc, entry, *, message=None, arguments=None):
    """``odoo.http.serialize_exception``: name, message, arguments, context, debug."""
    return {
        "name": exception_name(exc),
        "message": str(exc) if message is None else message,
        "arguments": [_jsonable(arg) for arg in (exc.args if arguments is None else arguments)],
        "context": {},
        "debug": odoo_traceback(exc, entry),
    }


def _jsonable(value):
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
