"""``read_group`` (Odoo 17): aggregates per group, in the result shape the web client uses.

Each group has the group value (many2one as ``[id, name]``, dates as labels like
``"January 2024"``), the count (``<field>_count`` when lazy, ``__count`` otherwise), the
aggregated fields and ``__domain`` (the group's leaf and-ed with the search domain).
"""

import math
import re
from calendar import month_name
from datetime import date, timedelta

from .ordering import many2one_rank
from .schema import NUMERIC

FIELD_SPEC = re.compile(r"^(\w+)(?::(\w+)(?:\((\w+)\))?)?$")
AGGREGATES = {
    "sum": math.fsum,
    "avg": lambda values: sum(values) / len(values) if values else 0,
    "min": lambda values: min(values) if values else False,
    "max": lambda values: max(values) if values else False,
    "count": len,
    "count_distinct": lambda values: len(set(values)),
    "bool_or": any,
    "bool_and": all,
}
GRANULARITIES = ("day", "week", "month", "quarter", "year")


def read_group(env, model, domain, rows, fields, groupby, offset, limit, orderby, lazy):
    store = env.store
    spec = store.models[model]
    groupby = [groupby] if isinstance(groupby, str) else list(groupby or [])
    if not groupby:
        raise ValueError("read_group() needs at least one field to group by")
    used = groupby[:1] if lazy else groupby
    keys = [_groupby_spec(spec, item) for item in used]
    aggregates = _aggregate_specs(spec, fields, {fname for fname, _ in keys})

    groups = {}
    for row in rows:
        group_key = tuple(_bucket(store, model, row, fname, granularity) for fname, granularity in keys)
        groups.setdefault(group_key, []).append(row)

    ranks = {fname: many2one_rank(store, spec.fields[fname].relation) for fname, _ in keys if spec.fields[fname].type == "many2one"}
    ordered = sorted(groups.items(), key=lambda item: _sort_key(ranks, keys, item[0]))
    if orderby:
        ordered = _apply_orderby(orderby, ordered, keys, aggregates, store, model)
    ordered = ordered[offset or 0 :][: limit or None]

    count_key = f"{used[0].split(':')[0]}_count" if lazy else "__count"
    result = []
    for group_key, members in ordered:
        entry = {}
        group_domain = []
        for (fname, granularity), bucket, label in zip(keys, group_key, used):
            entry[label], leaves = _group_value(store, spec, fname, granularity, bucket)
            group_domain += leaves
            if granularity:
                entry.setdefault("__range", {})[label] = _range(bucket, granularity)
        entry[count_key] = len(members)
        for alias, (fname, function) in aggregates.items():
            entry[alias] = _aggregate(spec.fields[fname], function, [store.value(model, row, fname) for row in members])
        entry["__domain"] = group_domain + list(domain)
        if lazy and len(groupby) > 1:
            entry["__context"] = {"group_by": groupby[1:]}
        result.append(entry)
    return result


def _aggregate(fdef, function, values):
    """PostgreSQL sums numeric columns exactly; rounding monetary to cents gives the same figure."""
    result = AGGREGATES[function](values)
    return round(result, 2) if fdef.type == "monetary" and isinstance(result, float) else result


def _groupby_spec(spec, item):
    fname, _, granularity = item.partition(":")
    fdef = spec.field(fname)
    if fdef.type in ("date", "datetime"):
        granularity = granularity or "month"
        if granularity not in GRANULARITIES:
            raise ValueError(f"Invalid date/time grouping: {item!r}")
        return fname, granularity
    return fname, None


def _aggregate_specs(spec, fields, grouped):
    """alias -> (field, function) for every aggregatable entry of ``fields``."""
    specs = {}
    for item in fields or []:
        match = FIELD_SPEC.match(item.strip())
        if not match:
            raise ValueError(f"Invalid field specification {item!r}.")
        name, function, source = match.groups()
        fname = source or name
        fdef = spec.field(fname)
        if fname in grouped or fname == "id" or "__count" == name:
            continue
        if function is None:
            if fdef.type not in NUMERIC:
                continue
            function = "sum"
        if function not in AGGREGATES:
            raise ValueError(f"Invalid aggregation function {function!r}.")
        specs[name] = (fname, function)
    return specs


def _bucket(store, model, row, fname, granularity):
    value = store.value(model, row, fname)
    if not granularity or not value:
        return value
    day = date.fromisoformat(value[:10])
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(month=1, day=1)


def _next_bucket(start, granularity):
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    month_index = start.month - 1 + months
    return start.replace(year=start.year + month_index // 12, month=month_index % 12 + 1)


def _range(bucket, granularity):
    if not bucket:
        return False
    return {"from": bucket.isoformat(), "to": _next_bucket(bucket, granularity).isoformat()}


def _group_value(store, spec, fname, granularity, bucket):
    """(value shown for the group, domain leaves selecting it)."""
    fdef = spec.fields[fname]
    if granularity:
        if not bucket:
            return False, [(fname, "=", False)]
        return _label(bucket, granularity), [(fname, ">=", bucket.isoformat()), (fname, "<", _next_bucket(bucket, granularity).isoformat())]
    if fdef.type == "many2one" and bucket:
        return [bucket, store.display_name(fdef.relation, bucket)], [(fname, "=", bucket)]
    return bucket, [(fname, "=", bucket)]


def _label(bucket, granularity):
    if granularity == "day":
        return bucket.strftime("%d %b %Y")
    if granularity == "week":
        return f"W{bucket.isocalendar()[1]} {bucket.isocalendar()[0]}"
    if granularity == "month":
        return f"{month_name[bucket.month]} {bucket.year}"
    if granularity == "quarter":
        return f"Q{(bucket.month - 1) // 3 + 1} {bucket.year}"
    return str(bucket.year)


def _sort_key(ranks, keys, group_key):
    """Groups ascending by value, many2one by the target's order, empty groups last."""
    parts = []
    for (fname, _granularity), bucket in zip(keys, group_key):
        value = ranks[fname].get(bucket) if fname in ranks else bucket
        parts.append((1, None) if value is None or value is False else (0, value))
    return parts


def _apply_orderby(orderby, ordered, keys, aggregates, store, model):
    for term in reversed([part.split() for part in orderby.split(",") if part.strip()]):
        name, descending = term[0], len(term) > 1 and term[1].lower() == "desc"
        if name in aggregates:
            fname, function = aggregates[name]

            def key(item, fname=fname, function=function):
                return AGGREGATES[function]([store.value(model, row, fname) for row in item[1]])

        elif name in ("__count", "count"):

            def key(item):
                return len(item[1])

        else:
            continue
        ordered = sorted(ordered, key=key, reverse=descending)
    return ordered
