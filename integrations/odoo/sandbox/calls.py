"""How a call reaches an ORM method, by entry point, each with its own version's errors.

* ``execute_kw``/``execute`` (``/xmlrpc/2/object``, ``/jsonrpc``; ``odoo/service/model.py``
  and ``odoo/api.py`` in 17.0): private name -> AccessError, unknown model -> UserError,
  unknown method -> AttributeError, record methods take their ids first (``browse``),
  ``context`` comes out of the keyword arguments, wrong arity is Python's TypeError.
* the web client's ``/web/dataset/call_kw`` (``addons/web/controllers/dataset.py``, 17.0):
  the same, except that an unknown model is the KeyError of ``request.env[model]``.
* JSON-2 (``addons/rpc/controllers/json2.py``, 19.0): named arguments only; an unknown model
  or method is 404, ids on a model method or arguments that don't fit are 422, and methods
  returning records answer with their ids.

Each call is one transaction of the store.
"""

import re

from .errors import AccessError, HTTPError, InvalidTextRepresentation, UserError
from .methods import Env, check_arguments, published

PRIVATE = re.compile(r"^(_.*|init)$")


def check_method_name(name):
    """``odoo.models.check_method_name`` (17.0)."""
    if not isinstance(name, str) or PRIVATE.match(name):
        raise AccessError(f"Private methods (such as {name}) cannot be called remotely.")


def browse_ids(ids):
    """``BaseModel.browse``: nothing, one id, or a sequence of them; anything but integers in
    it fails in PostgreSQL (``WHERE id IN ('abc')``)."""
    if not ids:
        return []
    if type(ids) is int:
        return [ids]
    if not isinstance(ids, (str, list, tuple, dict)):
        raise TypeError(f"'{type(ids).__name__}' object is not iterable")
    values = list(ids)
    for value in values:
        if type(value) is not int:
            raise InvalidTextRepresentation(value)
    return values


def execute_kw(env, /, db, uid, obj, method, args, kw=None):
    """``odoo.service.model.execute_kw``: positional ``args``, keyword ``kw``."""
    return execute(env, db, uid, obj, method, *args, **(kw or {}))


def execute(env, /, db, uid, obj, method, *args, **kw):
    """``odoo.service.model.execute`` and ``execute_cr``."""
    check_method_name(method)
    if not isinstance(obj, str) or obj not in env.store.models:
        raise UserError(f"Object {obj} doesn't exist")
    return call_kw(env, obj, method, args, kw)


# Python names a function's module in some TypeErrors ("execute() argument after ** must be a
# mapping"): these are Odoo's functions.
execute_kw.__module__ = execute.__module__ = "odoo.service.model"


def call_kw(env, model, method, args, kwargs):
    """``odoo.api.call_kw``: model methods get the arguments as they are, record methods the
    records of ``args[0]``."""
    func = published(model, method)
    if func is None:
        raise AttributeError(f"The method '{method}' does not exist on the model '{model}'")
    kwargs = dict(kwargs)
    env = Env(env.store, env.uid, kwargs.pop("context", None) or {})
    if func.rpc_model:
        records = env.records(model)
    else:
        ids, args = args[0], args[1:]
        records = env.records(model, browse_ids(ids))
    with env.store.transaction():
        return func(records, *args, **kwargs)


def web_call_kw(env, model, method, args, kwargs, path=None):
    """``DataSet.call_kw`` behind ``/web/dataset/call_kw[/<path>]`` (17.0)."""
    check_method_name(method)
    if not isinstance(model, str) or model not in env.store.models:
        raise KeyError(model)
    return call_kw(env, model, method, args, kwargs)


def json2_call(env, model, method, params):
    """``WebJson2Controller.web_json_2_rpc`` (19.0)."""
    params = dict(params)
    ids = params.pop("ids", ())
    context = params.pop("context", {})
    if model not in env.store.models:
        raise HTTPError(404, f"the model {model!r} does not exist")
    env = Env(env.store, env.uid, context)
    if PRIVATE.match(method):  # ``get_public_method``
        raise AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")
    func = published(model, method)
    if func is None:
        raise HTTPError(404, f"The method '{model}.{method}' does not exist")
    if func.rpc_model and ids:
        raise HTTPError(422, f"cannot call {model}.{method} with ids")
    try:
        check_arguments(func, params)
    except TypeError as exc:
        raise HTTPError(422, exc.args[0]) from exc
    records = env.records(model, browse_ids(ids))
    with env.store.transaction():
        result = func(records, **params)
    if func.returns_records and not isinstance(result, list):
        result = [result]
    return result
