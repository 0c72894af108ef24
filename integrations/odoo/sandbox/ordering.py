"""``order`` strings ("date desc, name desc, id desc") applied like PostgreSQL would.

As in PostgreSQL, unset values come last ascending and first descending unless ``nulls
first``/``nulls last`` says otherwise. A many2one sorts by the target model's own default
order, which is how Odoo orders ``stage_id`` by the stages' sequence.
"""

import re

from .schema import X2MANY

ORDER_TERM = re.compile(r"^\s*([a-z0-9_]+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.IGNORECASE)


def parse_order(model_spec, order):
    """[(field, descending, nulls_first)] for an order string; ValueError as Odoo for a bad one."""
    terms = []
    for chunk in order.split(","):
        match = ORDER_TERM.match(chunk)
        if not match:
            raise ValueError(
                f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated '
                "list of valid field names (optionally followed by asc/desc for the direction)"
            )
        fname, direction, nulls = match.groups()
        fdef = model_spec.field(fname)
        if fdef.type in X2MANY:
            raise ValueError(f"Cannot order by {model_spec.name}.{fname}: it is a {fdef.type} field")
        descending = (direction or "asc").lower() == "desc"
        nulls_first = descending if nulls is None else nulls.lower() == "first"
        terms.append((fname, descending, nulls_first))
    return terms


def sort_rows(store, model, rows, order, *, follow_many2one=True):
    """Sort ``rows`` in place by ``order`` (the model's default when empty)."""
    spec = store.models[model]
    if not order:
        order = spec.order
    if order.strip().lower() in ("id", "id asc"):
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
