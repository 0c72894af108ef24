"""Field values in and out: what ``create``/``write`` accept and what ``read`` returns.

Incoming values are converted the way Odoo's fields do (``convert_to_cache``): dates are
checked against ``YYYY-MM-DD``, datetimes against ``YYYY-MM-DD HH:MM:SS`` (UTC), selections
against their keys, many2one ids against the target table (a dangling id is the foreign-key
error Odoo reports). Outgoing values take the shapes of ``read``: many2one as
``[id, display_name]``, empty as ``False``.
"""

from datetime import date, datetime

from .errors import ValidationError
from .schema import X2MANY

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_storage(store, model, fdef, value):
    """Convert one incoming value of a non-x2many field to its stored form."""
    kind = fdef.type
    if kind == "boolean":
        return bool(value)
    if kind in ("integer", "many2one_reference"):
        return int(value or 0)
    if kind in ("float", "monetary"):
        return float(value or 0.0)
    if value is None or value is False:
        return False
    if kind == "date":
        return _parse_date(value)
    if kind == "datetime":
        return _parse_datetime(value)
    if kind == "selection":
        if value not in dict(fdef.selection):
            raise ValueError(f"Wrong value for {model}.{fdef.name}: {value!r}")
        return value
    if kind == "many2one":
        return _foreign_key(store, model, fdef, value)
    return str(value)


def to_wire(store, fdef, value, *, load="_classic_read"):
    """One stored value as ``read`` returns it."""
    if fdef.type == "many2one":
        if not value:
            return False
        return [value, store.display_name(fdef.relation, value)] if load == "_classic_read" else value
    if fdef.type in X2MANY:
        return list(value)
    if fdef.type in ("float", "monetary"):
        return float(value)
    return value


def _parse_date(value):
    if isinstance(value, (date, datetime)):
        return value.strftime(DATE_FORMAT)
    text = str(value)[:10]
    datetime.strptime(text, DATE_FORMAT)  # raises Odoo's ValueError for a malformed date
    return text


def _parse_datetime(value):
    """``fields.Datetime.to_datetime``: the format is cut to the string's length, so
    ``2024-01-31`` and ``2024-01-31 10:00`` parse and anything longer or odd is a ValueError."""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT) + " 00:00:00"
    return datetime.strptime(value, DATETIME_FORMAT[: len(value) - 2]).strftime(DATETIME_FORMAT)


def to_column(fdef, value):
    """``Field.convert_to_column(value, validate=False)``: the value a domain compares a stored
    column with (``expression.__leaf_to_sql``); None stands for SQL NULL."""
    kind = fdef.type
    if kind == "boolean":
        return bool(value)
    if kind in ("integer", "many2one_reference"):
        return int(value or 0)
    if kind in ("float", "monetary"):
        return float(value or 0.0)
    if kind == "many2one":
        return value or None
    if value is None or value is False:
        return None
    if kind == "date":
        return _parse_date(value)
    if kind == "datetime":
        return _parse_datetime(value)
    return str(value)


def _foreign_key(store, model, fdef, value):
    if isinstance(value, (list, tuple)) and value:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Wrong value for {model}.{fdef.name}: {value!r}")
    if store.row(fdef.relation, value) is None:
        raise foreign_key_error(store, model, fdef.name)
    return value


def foreign_key_error(store, model, field_name):
    """Odoo's translation of a PostgreSQL foreign-key violation (it reads oddly on insert, as in Odoo)."""
    return ValidationError(
        "The operation cannot be completed: another model requires the record being deleted. "
        "If possible, archive it instead.\n\n"
        f"Model: {store.models[model].description} ({model})\n"
        f"Constraint: {model.replace('.', '_')}_{field_name}_fkey\n"
    )


def missing_required(store, model, field_name):
    spec = store.models[model]
    fdef = spec.fields[field_name]
    return ValidationError(
        "The operation cannot be completed:\n"
        "- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
        f"Model: {spec.description} ({model})\n"
        f"Field: {fdef.string} ({field_name})\n"
    )
