"""``order`` strings ("date desc, name desc, id desc") applied like PostgreSQL would.

As in PostgreSQL, unset values come last ascending and first descending unless ``nulls
first``/``nulls last`` says otherwise. A many2one sorts by the target model's own default
order, which is how Odoo orders ``stage_id`` by the stages' sequence. The string is checked as
``BaseModel._check_qorder`` and ``_order_field_to_sql`` (17.0) check it: a malformed one is a
UserError, an unknown field a ValueError, and a field with no column (x2many, display_name)
is left out of the order without complaint.
"""

import re

from .errors import UserError
from .schema import X2MANY

#: ``odoo.models.regex_order`` (17.0).
REGEX_ORDER = re.compile(
    r"""
    ^
    (\s*
        (?P<term>((?P<field>[a-z0-9_]+|"[a-z0-9_]+")(\.(?P<property>[a-z0-9_]+))?(:(?P<func>[a-z_]+))?))
        (\s+(?P<direction>desc|asc))?
        (\s+(?P<nulls>nulls\ first|nulls\ last))?
        \s*
        (,|$)
    )+
    (?<!,)
    $
    """,
    re.IGNORECASE | re.VERBOSE,
)
NOT_A_COLUMN = ("display_name",)  # computed, not stored, in every model


def parse_order(model_spec, order):
    """[(field, descending, nulls_first)] for an order string, with Odoo's errors."""
    if not isinstance(order, str):
        raise TypeError(f"expected string or bytes-like object, got '{type(order).__name__}'")
    if not REGEX_ORDER.match(order):
        raise UserError(
            f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated '
            "list of valid field names (optionally followed by asc/desc for the direction)"
        )
    terms = []
    for part in order.split(","):
        match = REGEX_ORDER.match(part)
        fname, prop = match["field"], match["property"]
        fdef = model_spec.fields.get(fname)
        if fdef is None:
            raise ValueError(f"Invalid field {fname!r} on model {model_spec.name!r}")
        if prop:
            raise ValueError(f"Order a property ({prop!r}) on a non-properties field ({fname!r})")
        if fdef.type in X2MANY or fname in NOT_A_COLUMN:
            continue  # "cannot be sorted on field (not a column)": a warning in Odoo's log
        descending = (match["direction"] or "asc").lower() == "desc"
        nulls = match["nulls"]
        nulls_first = descending if nulls is None else nulls.lower() == "nulls first"
        terms.append((fname, descending, nulls_first))
    return terms


def sort_rows(store, model, rows, order, *, follow_many2one=True):
    """Sort ``rows`` in place by ``order`` (the model's default when empty)."""
    spec = store.models[model]
    if not order:
        order = spec.order
    if isinstance(order, str) and order.strip().lower() in ("id", "id asc"):
        rows.sort(key=lambda row: row["id"])
        return rows
    for fname, descending, nulls_first in reversed(parse_order(spec, order)):
        key = _value_key(store, model, spec.fields[fname], follow_many2one)
        null_flag = (1 if nulls_first else 0) if descending else (0 if nulls_first else 1)
        rows.sort(key=lambda row: _with_nulls(key(row), null_flag), reverse=descending)
    return rows


def many2one_rank(store, model):
    """id -> position of the record in ``model``'s default order (how Odoo sorts a many2one)."""
    targets = sort_rows(store, model, list(store.tables[model].values()), "", follow_many2one=False)
    return {target["id"]: position for position, target in enumerate(targets)}


def _with_nulls(value, null_flag):
    return (null_flag, None) if value is None else (1 - null_flag, value)


def _value_key(store, model, fdef, follow_many2one):
    """row -> comparable value, or None when unset."""
    if fdef.type == "many2one":
        if not follow_many2one:
            return lambda row: row.get(fdef.name) or None
        rank = many2one_rank(store, fdef.relation)
        return lambda row: rank.get(row.get(fdef.name))
    if fdef.type in ("char", "text", "html", "selection"):

        def text_key(row):
            value = store.value(model, row, fdef.name)
            return (value.casefold(), value) if value else None

        return text_key
    if fdef.type in ("date", "datetime"):
        return lambda row: store.value(model, row, fdef.name) or None
    return lambda row: store.value(model, row, fdef.name)
