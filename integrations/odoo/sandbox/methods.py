"""The ORM methods reachable over RPC, with Odoo 17's signatures and errors.

Only methods marked ``@rpc`` exist; a model method (``@rpc(model=True)``) is called without
ids, like Odoo's ``@api.model`` methods. How a call reaches them (execute_kw, the web client's
call_kw, JSON-2) is in calls.py. ``read`` skips records that no longer exist and ``unlink``
ignores them, as ``BaseModel._read_format`` and ``check_access_rule`` do; ``write`` raises
MissingError.
"""

import inspect

from . import grouping, rules, rules_followers, rules_mail
from .domain import first_rows_by_id, name_search_ids, search_rows
from .errors import MissingError
from .ordering import sort_rows
from .schema import ARCHIVABLE_MODELS, MAIL_THREAD_MODELS, X2MANY, absent_value, default_value
from .values import foreign_key_error, missing_required, to_storage, to_wire

COMPUTED_ON_WRITE = ("id", "display_name", "create_date", "write_date")


class Env:
    """Who is calling and with which context (``active_test``, ``lang``, ``tz``)."""

    def __init__(self, store, uid, context=None):
        self.store = store
        self.uid = uid
        self.context = dict(context or {})

    def user_partner_id(self):
        user = self.store.row("res.users", self.uid)
        return user.get("partner_id", False) if user else False

    def records(self, model, ids=()):
        return BaseModel(self, model, ids)


def rpc(func=None, *, model=False, models=None, owner="BaseModel", returns_records=False):
    """Publish a method. ``model``: called without ids; ``models``: only on these models;
    ``owner``: the Odoo class defining it, which Python's TypeErrors name
    (``BaseModel.search() got an unexpected keyword argument 'limt'``); ``returns_records``:
    Odoo returns a recordset, which JSON-2 sends as a list of ids."""

    def mark(method):
        method.rpc_model = model
        method.rpc_models = models
        method.returns_records = returns_records
        method.__qualname__ = f"{owner}.{method.__name__}"
        method.__code__ = method.__code__.replace(co_qualname=method.__qualname__)
        return method

    return mark(func) if func else mark


def published(model, name):
    """The ``@rpc`` function called ``name`` on ``model``, or None."""
    func = getattr(BaseModel, name, None)
    if not hasattr(func, "rpc_model") or (func.rpc_models and model not in func.rpc_models):
        return None
    return func


def check_arguments(func, kwargs):
    """TypeError (JSON-2: 422) when keyword arguments don't fit the method's signature."""
    inspect.signature(func).bind(None, **kwargs)


class BaseModel:
    """A recordset of one model; named like Odoo's class because Python's errors name it."""

    def __init__(self, env, model, ids=()):
        self.env = env
        self.model = model
        self.spec = env.store.models[model]
        self.ids = [int(i) for i in ids]
        env.store.caller_uid = env.uid  # computes that depend on the caller (rules_followers.py)

    def __repr__(self):
        return f"{self.model}({', '.join(str(i) for i in self.ids)}{',' if len(self.ids) == 1 else ''})"

    # --- reading ----------------------------------------------------------------------------
    @rpc(model=True)
    def search(self, domain, offset=0, limit=None, order=None):
        return [row["id"] for row in self._search_rows(domain, offset, limit, order)]

    @rpc(model=True)
    def search_count(self, domain, limit=None):
        count = len(self._matching(domain))
        return min(count, limit) if limit else count

    @rpc(model=True)
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        """``search_fetch`` checks the fields before the domain; the rest goes to ``_read_format``."""
        self._field_names(fields)
        unexpected = sorted(read_kwargs.keys() - {"load"})
        if unexpected:
            raise TypeError(f"BaseModel._read_format() got an unexpected keyword argument '{unexpected[0]}'")
        rows = self._search_rows(domain or [], offset, limit, order)
        return self.env.records(self.model, [row["id"] for row in rows]).read(fields, **read_kwargs)

    @rpc
    def read(self, fields=None, load="_classic_read"):
        """One dict per id given, in that order and duplicates kept; ids that no longer exist
        are skipped (``_read_format``), except when only ``id`` is asked for."""
        if not self.ids:  # ``fetch`` returns at once; ``_read_format`` looks the names up
            for fname in fields or ():
                if fname not in self.spec.fields:
                    raise KeyError(fname)
            return []
        names = self._field_names(fields)
        store = self.env.store
        result = []
        for record_id in self.ids:
            row = store.row(self.model, record_id)
            if row is None:
                if fields and not names:
                    result.append({"id": record_id})
                continue
            values = {"id": record_id}
            for fname in names:
                fdef = self.spec.fields[fname]
                values[fname] = to_wire(store, fdef, store.value(self.model, row, fname), load=load)
            result.append(values)
        return result

    @rpc(model=True)
    def fields_get(self, allfields=None, attributes=None):
        names = allfields or list(self.spec.fields)
        described = {}
        for fname in names:
            info = self.spec.field(fname).describe()
            described[fname] = {key: info[key] for key in attributes if key in info} if attributes else info
        return described

    @rpc(model=True)
    def name_search(self, name="", args=None, operator="ilike", limit=100, domain=None):
        """``args`` is the domain up to 17.0, ``domain`` from 18.0: both are accepted."""
        ids = name_search_ids(self.env.store, self.model, name, operator, list(domain or args or []))
        rows = sort_rows(self.env.store, self.model, [self.env.store.row(self.model, i) for i in ids], "")
        return [[row["id"], self.env.store.value(self.model, row, "display_name")] for row in rows[: limit or None]]

    @rpc(model=True)
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        return grouping.read_group(self.env, self.model, domain, self._matching(domain), fields, groupby, offset, limit, orderby, lazy)

    @rpc(models=("res.users",), model=True, owner="Users")
    def context_get(self):
        user = self.env.store.row("res.users", self.env.uid) or {}
        return {"lang": user.get("lang") or "en_US", "tz": user.get("tz") or False, "uid": self.env.uid}

    # --- writing ----------------------------------------------------------------------------
    @rpc(model=True, returns_records=True)
    def create(self, vals_list):
        single = isinstance(vals_list, dict)
        ids = [self._create_one(vals) for vals in ([vals_list] if single else vals_list)]
        return ids[0] if single else ids

    @rpc
    def write(self, vals):
        store = self.env.store
        rows = self._existing_rows()
        scalar, x2many = self._convert(vals)
        for row in rows:
            changes = rules.prepare_write(self.env, self.model, row, scalar)
            store.update(self.model, row["id"], changes)
            for fname, commands in x2many.items():
                self._apply_x2many(row["id"], self.spec.fields[fname], commands)
            rules_followers.write_inverse(self.env, self.model, row["id"], vals)
            rules.after_write(self.env, self.model, row, vals)
        self._check_required([store.row(self.model, row["id"]) for row in rows])
        return True

    @rpc
    def unlink(self):
        """Records already deleted are ignored (``check_access_rule``: no need to warn)."""
        store = self.env.store
        ids = {record_id for record_id in self.ids if store.row(self.model, record_id) is not None}
        rules.check_unlink(self.env, self.model, [store.row(self.model, record_id) for record_id in sorted(ids)])
        for record_id in ids:
            store.delete(self.model, record_id)
        self._cascade_unlink(ids)
        return True

    @rpc(models=ARCHIVABLE_MODELS)
    def action_archive(self):
        """Returns None like Odoo 17, so XML-RPC faults *after* the archive is done."""
        self.write({"active": False})

    @rpc(models=ARCHIVABLE_MODELS)
    def action_unarchive(self):
        self.write({"active": True})

    @rpc(models=MAIL_THREAD_MODELS, owner="MailThread", returns_records=True)
    def message_post(self, *, body="", subject=None, message_type="notification", email_from=None, author_id=None,
                     parent_id=False, subtype_xmlid=None, subtype_id=False, partner_ids=None, attachments=None,
                     attachment_ids=None, body_is_html=False, **kwargs):
        """mail_thread.py's signature; its checks and the message it stores are in rules_mail.py."""
        message_id = rules_mail.message_post(
            self, body=body, subject=subject, message_type=message_type, email_from=email_from, author_id=author_id,
            subtype_xmlid=subtype_xmlid, subtype_id=subtype_id, partner_ids=partner_ids, attachments=attachments,
            attachment_ids=attachment_ids, body_is_html=body_is_html, **kwargs)
        rules_followers.autofollow_author(self.env, self.model, self.ids[0], message_id)
        return message_id

    @rpc(models=MAIL_THREAD_MODELS, owner="MailThread")
    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        """mail_thread.py: False on no record, True with no partner; existing followers kept."""
        if not self.ids:
            return False
        if not partner_ids:
            return True
        self._existing_rows()
        return rules_followers.subscribe(self.env, self.model, self.ids, partner_ids, subtype_ids)

    @rpc(models=MAIL_THREAD_MODELS, owner="MailThread")
    def message_unsubscribe(self, partner_ids=None):
        if not partner_ids:
            return True
        self._existing_rows()
        return rules_followers.unsubscribe(self.env, self.model, self.ids, partner_ids)

    @rpc(models=("mail.activity",), owner="MailActivity")
    def action_feedback(self, feedback=False, attachment_ids=None):
        return rules_mail.action_feedback(self, feedback, attachment_ids)

    @rpc(models=("mail.activity",), owner="MailActivity")
    def action_done(self):
        return rules_mail.action_feedback(self)

    # --- internals ----------------------------------------------------------------------------
    def _matching(self, domain):
        active_test = self.env.context.get("active_test", True)
        return search_rows(self.env.store, self.model, domain or [], active_test=active_test)

    def _search_rows(self, domain, offset, limit, order):
        if limit and isinstance(order, str) and order.strip().lower() in ("id", "id asc"):
            offset = offset or 0
            rows = first_rows_by_id(self.env.store, self.model, domain or [], offset + limit,
                                    active_test=self.env.context.get("active_test", True))
            return rows[offset:]
        rows = sort_rows(self.env.store, self.model, self._matching(domain), order or "")
        offset = offset or 0
        return rows[offset : offset + limit] if limit else rows[offset:]

    def _field_names(self, fields):
        if not fields:
            return [fname for fname in self.spec.fields if fname != "id"]
        for fname in fields:
            self.spec.field(fname)
        return [fname for fname in dict.fromkeys(fields) if fname != "id"]

    def _existing_rows(self):
        store = self.env.store
        missing = store.missing(self.model, self.ids)
        if missing:
            raise MissingError(rules.record_missing_message(self.model, missing, self.env.uid))
        return [store.row(self.model, i) for i in dict.fromkeys(self.ids)]

    def _convert(self, vals):
        """Split ``vals`` into stored scalar values and x2many commands, validating every key."""
        if not isinstance(vals, dict):
            raise ValueError(f"Invalid values for {self.model}: {vals!r}")
        scalar, x2many = {}, {}
        for fname, value in vals.items():
            fdef = self.spec.field(fname)
            if fname in COMPUTED_ON_WRITE or fdef.related or fdef.compute:
                continue
            if fdef.type in X2MANY:
                x2many[fname] = value
            else:
                scalar[fname] = to_storage(self.env.store, self.model, fdef, value)
        return scalar, x2many

    def _create_one(self, vals):
        store = self.env.store
        scalar, x2many = self._convert(vals)
        for fname, fdef in self.spec.fields.items():
            if fdef.stored and fname not in scalar and fname not in x2many and fdef.default is not None:
                scalar[fname] = default_value(fdef)
        scalar = rules.prepare_create(self.env, self.model, scalar)
        new_id = store.insert(self.model, scalar)
        for fname, commands in x2many.items():
            self._apply_x2many(new_id, self.spec.fields[fname], commands)
        rules_followers.write_inverse(self.env, self.model, new_id, vals)
        rules.after_create(self.env, self.model, new_id, vals)
        self._check_required([store.row(self.model, new_id)])
        return new_id

    def _check_required(self, rows):
        for fname, fdef in self.spec.fields.items():
            if fdef.required and fdef.stored and any(_unset(row.get(fname, absent_value(fdef))) for row in rows):
                raise missing_required(self.env.store, self.model, fname)

    def _apply_x2many(self, record_id, fdef, commands):
        """Odoo's x2many commands: (0,_,vals) (1,id,vals) (2,id) (3,id) (4,id) (5,) (6,_,ids), or a list of ids."""
        store = self.env.store
        comodel = self.env.records(fdef.relation)
        if not isinstance(commands, (list, tuple)):
            raise ValueError(f"Wrong value for {self.model}.{fdef.name}: {commands!r}")
        if all(isinstance(item, int) and not isinstance(item, bool) for item in commands):
            commands = [(6, 0, list(commands))]
        before = list(store.value(self.model, store.row(self.model, record_id), fdef.name))
        linked = list(before)
        for command in commands:
            code, target, payload = (list(command) + [None, None])[:3]
            if code == 0:
                values = dict(payload or {})
                if fdef.type == "one2many":
                    values[fdef.inverse_name] = record_id
                linked.append(comodel._create_one(values))
            elif code == 1:
                self.env.records(fdef.relation, [target]).write(payload or {})
            elif code == 2:
                self.env.records(fdef.relation, [target]).unlink()
                linked = [i for i in linked if i != target]
            elif code == 3:
                linked = [i for i in linked if i != target]
            elif code == 4:
                self._check_links(fdef, [target])
                linked = linked if target in linked else [*linked, target]
            elif code == 5:
                linked = []
            elif code == 6:
                self._check_links(fdef, payload or [])
                linked = list(dict.fromkeys(payload or []))
            else:
                raise ValueError(f"Invalid x2many command {command!r} for {self.model}.{fdef.name}")
        if fdef.type == "many2many":
            store.update(self.model, record_id, {fdef.name: linked})
            return
        for child_id in set(before) - set(linked):
            if store.row(fdef.relation, child_id) is not None:
                store.update(fdef.relation, child_id, {fdef.inverse_name: False})
        for child_id in set(linked) - set(before):
            store.update(fdef.relation, child_id, {fdef.inverse_name: record_id})

    def _check_links(self, fdef, ids):
        if self.env.store.missing(fdef.relation, ids):
            raise foreign_key_error(self.env.store, self.model, fdef.name)

    def _cascade_unlink(self, ids):
        """Set dangling many2one to empty, drop deleted ids from many2many, delete the chatter."""
        store = self.env.store
        for model, spec in store.models.items():
            relational = [f for f in spec.fields.values() if f.relation == self.model and f.stored]
            document = {"model", "res_id"} <= set(spec.fields) or model == "mail.activity"
            if not relational and not document:
                continue
            for row_id, row in list(store.tables[model].items()):
                if document and _document_model(store, model, row) == self.model and row.get("res_id") in ids:
                    store.delete(model, row_id)
                    continue
                changes = {}
                for fdef in relational:
                    value = row.get(fdef.name)
                    if fdef.type == "many2one" and value in ids:
                        changes[fdef.name] = False
                    elif fdef.type == "many2many" and value and set(value) & ids:
                        changes[fdef.name] = [i for i in value if i not in ids]
                if changes:
                    store.update(model, row_id, changes)

    def _xmlid_to_id(self, xmlid):
        found = self.env.store.ref(xmlid)
        if found is None:
            raise ValueError(f"External ID not found in the system: {xmlid}")
        return found[1]


def _unset(value):
    return value is None or value is False or value == ""


def _document_model(store, model, row):
    if model == "mail.activity":
        return store.value(model, row, "res_model")
    return row.get("model")

