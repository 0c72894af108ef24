"""In-memory tables, one per model, with Odoo's computed and related values.

Rows are sparse dicts holding only the stored fields that were set; anything absent reads as
the field's empty value (``False``, ``0``, ``[]``), which keeps 100k invoices small. Every RPC
call runs under ``lock`` as one unit, which gives each call the all-or-nothing behaviour of an
Odoo transaction (methods validate before they mutate). ``save``/``load`` keep the tables in a
JSON file between runs of the management command.
"""

import json
import os
import tempfile
import threading
from contextlib import contextmanager
from datetime import datetime, timezone

from .schema import MODELS, absent_value, empty_value
from .values import DATETIME_FORMAT


def utc_now():
    """Odoo's ``fields.Datetime.now()``: naive UTC, whole seconds."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class Store:
    def __init__(self, models=MODELS, clock=utc_now):
        self.models = models
        self.clock = clock
        self.lock = threading.RLock()
        self.tables = {name: {} for name in models}
        self.next_ids = {name: 1 for name in models}
        self._undo = None
        self.revision = 0

    @contextmanager
    def transaction(self):
        """One RPC call: serialised with all others, undone entirely if it raises.

        Like PostgreSQL sequences, ids handed out by a failed call are not reused.
        """
        with self.lock:
            if self._undo is not None:
                yield
                return
            self._undo = []
            try:
                yield
            except BaseException:
                for model, record_id, previous in reversed(self._undo):
                    if previous is None:
                        self.tables[model].pop(record_id, None)
                    else:
                        self.tables[model][record_id] = previous
                raise
            finally:
                self._undo = None

    def _remember(self, model, record_id):
        self.revision += 1
        if self._undo is not None:
            self._undo.append((model, record_id, self.tables[model].get(record_id)))

    def now(self):
        return self.clock().strftime(DATETIME_FORMAT)

    # --- rows -----------------------------------------------------------------------------
    def insert(self, model, row):
        """Add a row as given (already validated) and return its new id."""
        new_id = self.next_ids[model]
        self.next_ids[model] = new_id + 1
        stamp = self.now()
        self._remember(model, new_id)
        self.tables[model][new_id] = {"create_date": stamp, "write_date": stamp, **row, "id": new_id}
        return new_id

    def update(self, model, record_id, changes):
        """Apply ``changes`` by replacing the row, so readers holding the old row see a consistent one."""
        self._remember(model, record_id)
        self.tables[model][record_id] = {**self.tables[model][record_id], **changes, "write_date": self.now()}

    def delete(self, model, record_id):
        self._remember(model, record_id)
        del self.tables[model][record_id]

    def row(self, model, record_id):
        return self.tables[model].get(record_id)

    def missing(self, model, ids):
        table = self.tables[model]
        return [record_id for record_id in ids if record_id not in table]

    def ref(self, xmlid):
        """The (model, id) an external id such as ``mail.mt_note`` points at, or None."""
        module, _, name = xmlid.partition(".")
        for row in self.tables["ir.model.data"].values():
            if row["module"] == module and row["name"] == name:
                return row["model"], row["res_id"]
        return None

    # --- values ---------------------------------------------------------------------------
    def value(self, model, row, fname):
        """The stored or computed value of one field, in storage form (many2one as an id)."""
        fdef = self.models[model].fields[fname]
        if fname == "id":
            return row["id"]
        if fdef.related:
            return self._related(model, row, fdef.related)
        if fdef.compute:  # before one2many: message_ids/activity_ids pair res_id with the model
            return COMPUTED[(model, fname) if (model, fname) in COMPUTED else fname](self, model, row)
        if fdef.type == "one2many":
            return self._inverse_ids(fdef, row["id"])
        return row.get(fname, absent_value(fdef))

    def display_name(self, model, record_id):
        row = self.row(model, record_id)
        return self.value(model, row, "display_name") if row is not None else False

    def _related(self, model, row, path):
        head, _, rest = path.partition(".")
        target = self.value(model, row, head)
        comodel = self.models[model].fields[head].relation
        target_row = self.row(comodel, target) if target else None
        if target_row is None:
            return empty_value(self.models[comodel].fields[rest.split(".")[0]])
        return self._related(comodel, target_row, rest) if "." in rest else self.value(comodel, target_row, rest)

    def _inverse_ids(self, fdef, record_id):
        comodel = self.models[fdef.relation]
        hide_archived = comodel.has_active
        return [
            child_id
            for child_id, child in self.tables[fdef.relation].items()
            if child.get(fdef.inverse_name) == record_id and not (hide_archived and not child.get("active", True))
        ]

    # --- persistence ----------------------------------------------------------------------
    def save(self, path):
        """Write all tables atomically (a crash leaves the previous file intact)."""
        with self.lock:
            data = {
                "next_ids": self.next_ids,
                "tables": {model: list(rows.items()) for model, rows in self.tables.items()},
            }
            directory = os.path.dirname(os.path.abspath(path))
            with tempfile.NamedTemporaryFile("w", dir=directory, delete=False, suffix=".tmp") as handle:
                json.dump(data, handle)
            os.replace(handle.name, path)

    def load(self, path):
        with open(path) as handle:
            data = json.load(handle)
        with self.lock:
            self.next_ids.update(data["next_ids"])
            for model, rows in data["tables"].items():
                self.tables[model] = {int(record_id): row for record_id, row in rows}


def _display_name(store, model, row):
    spec = store.models[model]
    if spec.rec_name is None:
        return f"{model},{row['id']}"
    return store.value(model, row, spec.rec_name) or ""


def _partner_complete_name(store, model, row):
    name = row.get("name") or ""
    parent = store.row("res.partner", row.get("parent_id")) if row.get("parent_id") else None
    if parent is not None and not row.get("is_company"):
        return f"{parent.get('name') or ''}, {name}"
    return name


def _xmlid_complete_name(store, model, row):
    return f"{row['module']}.{row['name']}"


def _move_display_name(store, model, row):
    name = row.get("name")
    if name and name != "/":
        return name
    label = dict(store.models[model].fields["move_type"].selection)[row.get("move_type", "entry")]
    return f"Draft {label} (* {row['id']})"


def _activity_display_name(store, model, row):
    if row.get("summary"):
        return row["summary"]
    type_id = row.get("activity_type_id")
    return store.display_name("mail.activity.type", type_id) if type_id else ""


COMPUTED = {
    "display_name": _display_name,
    ("res.partner", "complete_name"): _partner_complete_name,
    ("ir.model.data", "complete_name"): _xmlid_complete_name,
    ("account.move", "display_name"): _move_display_name,
    ("mail.activity", "display_name"): _activity_display_name,
}
