"""Odoo domains evaluated in Python, with the semantics of ``odoo/osv/expression.py`` (17.0).

The details clients trip on are reproduced on purpose: ``False`` means "not set", negative
operators also match unset values, ``in []`` matches nothing, ``like``/``ilike`` wrap the value
in ``%`` (an empty one matches everything), a many2one compared with a string searches by
name, dotted paths follow relations, and archived records are hidden unless the domain names
``active`` or the context turns ``active_test`` off. Leaves are normalised as
``normalize_leaf`` does (``<>``, ``in True``, ``= [..]``), a date-only string compared with a
datetime gets a time (``23:59:59`` for ``>`` and ``<=``, else ``00:00:00``), and values are
converted like ``convert_to_column`` (``"100"`` on a float is 100.0). Every field is checked
before any operator, as ``_anyfy_leaves`` does. A malformed domain raises what Odoo raises:
ValueError (fault 1) mostly, AssertionError for a domain that is not a list.
"""

import bisect
import re

from .schema import PARENT_FIELD, RELATIONAL, SEARCHES, X2MANY
from .values import to_column

OPERATORS = frozenset(
    ["=", "!=", "<=", "<", ">", ">=", "=?", "=like", "=ilike", "like", "not like", "ilike", "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any"]
)
LEAF_OPERATORS = OPERATORS | {"<>"}  # ``is_leaf``: what a leaf may say before normalize_leaf
NEGATIVE = {"!=": "=", "not like": "like", "not ilike": "ilike", "not in": "in", "not any": "any"}
LIKE = {"like", "ilike", "=like", "=ilike"}
TRUE_LEAF = (1, "=", 1)
FALSE_LEAF = (0, "=", 1)
COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def search_rows(store, model, domain, *, active_test=True):
    """Rows of ``model`` matching ``domain``, in id order."""
    predicate = compile_domain(store, model, domain)
    rows = store.tables[model].values()
    if active_test and store.models[model].has_active and not mentions_active(domain):
        return [row for row in rows if row.get("active", True) and predicate(row)]
    return [row for row in rows if predicate(row)]


def first_rows_by_id(store, model, domain, count, *, active_test=True):
    """The first ``count`` rows matching ``domain`` in id order: what a search ordered by id with
    a limit returns, read the way PostgreSQL reads it through the primary key — from the start of
    the range a leading ``("id", ">", n)`` leaf gives (keyset paging) and no further than needed,
    so each page costs the same however deep it is."""
    predicate = compile_domain(store, model, domain)
    table = store.tables[model]
    ids = sorted(table)
    floor = _id_floor(domain)
    start = bisect.bisect_right(ids, floor) if floor is not None else 0
    check_active = active_test and store.models[model].has_active and not mentions_active(domain)
    found = []
    for record_id in ids[start:]:
        row = table[record_id]
        if (not check_active or row.get("active", True)) and predicate(row):
            found.append(row)
            if len(found) >= count:
                break
    return found


def _id_floor(domain):
    """n for a domain that starts with the leaf ``("id", ">", n)`` (ANDed with the rest)."""
    first = domain[0] if isinstance(domain, (list, tuple)) and domain else None
    if (isinstance(first, (list, tuple)) and len(first) == 3 and first[0] == "id" and first[1] == ">"
            and isinstance(first[2], int) and not isinstance(first[2], bool)):
        return first[2]
    return None


def mentions_active(domain):
    return any(isinstance(item, (list, tuple)) and len(item) == 3 and item[0] == "active" for item in domain)


def name_search_ids(store, model, name, operator="ilike", domain=()):
    """Ids whose name (or the model's other name-search fields) matches, like ``_name_search``."""
    spec = store.models[model]
    fields = spec.name_search_fields or ("display_name",)
    join = "&" if operator in NEGATIVE else "|"
    name_domain = [join] * (len(fields) - 1) + [(fname, operator, name) for fname in fields]
    if not name and operator in ("ilike", "like"):
        name_domain = []
    return [row["id"] for row in search_rows(store, model, ["&", *_as_and(domain), *_as_and(name_domain)])]


def compile_domain(store, model, domain):
    """A predicate ``row -> bool`` for ``domain`` on ``model``."""
    tree = _parse(domain)
    _check_fields(store, model, tree)
    return _compile(store, model, tree)


def normalize_leaf(leaf):
    """``expression.normalize_leaf``: ``<>`` is ``!=``, ``in``/``not in`` a boolean is
    ``=``/``!=``, ``=``/``!=`` a list is ``in``/``not in``. Only valid leaves are touched."""
    left, operator, right = leaf
    if operator not in LEAF_OPERATORS:
        return leaf
    if operator == "<>":
        operator = "!="
    if isinstance(right, bool) and operator in ("in", "not in"):
        operator = "=" if operator == "in" else "!="
    if isinstance(right, (list, tuple)) and operator in ("=", "!="):
        operator = "in" if operator == "=" else "not in"
    return left, operator, right


def _as_and(domain):
    """A domain as one prefix term (so it can be combined), TRUE_LEAF when empty."""
    domain = list(domain)
    if not domain:
        return [TRUE_LEAF]
    return ["&"] * (_count_terms(domain) - 1) + domain


def _count_terms(domain):
    return len(_parse(domain)[1]) if domain else 0


def _parse(domain):
    if not isinstance(domain, (list, tuple)):  # ``normalize_domain``'s assertion
        raise AssertionError("Domains to normalize must have a 'domain' form: a list or tuple of domain components")
    items, position, terms = list(domain), 0, []
    while position < len(items):
        term, position = _parse_term(items, position, domain)
        terms.append(term)
    return ("and", terms)


def _parse_term(items, position, domain):
    if position >= len(items):
        raise ValueError(f"Domain {list(domain)!r} is syntactically not correct.")
    item = items[position]
    if item in ("&", "|"):
        left, position = _parse_term(items, position + 1, domain)
        right, position = _parse_term(items, position, domain)
        return ("and" if item == "&" else "or", [left, right]), position
    if item == "!":
        operand, position = _parse_term(items, position + 1, domain)
        return ("not", operand), position
    if isinstance(item, (list, tuple)):
        if tuple(item) in (TRUE_LEAF, FALSE_LEAF):
            return ("const", tuple(item) == TRUE_LEAF), position + 1
        return ("leaf", tuple(item)), position + 1
    raise ValueError(f"Invalid leaf {item}")


def _compile(store, model, node):
    kind, arg = node
    if kind == "const":
        return lambda row: arg
    if kind == "leaf":
        return _compile_leaf(store, model, arg)
    if kind == "not":
        inner = _compile(store, model, arg)
        return lambda row: not inner(row)
    parts = [_compile(store, model, child) for child in arg]
    if kind == "and":
        return lambda row: all(part(row) for part in parts)
    return lambda row: any(part(row) for part in parts)


def _check_fields(store, model, node):
    """``_anyfy_leaves``: every leaf has three parts and names a field, dotted paths included."""
    kind, arg = node
    if kind == "leaf":
        _leaf_field(store, model, arg)
    elif kind == "not":
        _check_fields(store, model, arg)
    elif kind in ("and", "or"):
        for child in arg:
            _check_fields(store, model, child)


def _leaf_field(store, model, leaf):
    if len(leaf) != 3:
        raise ValueError(f"not enough values to unpack (expected 3, got {len(leaf)})" if len(leaf) < 3 else "too many values to unpack (expected 3)")
    left, operator, right = leaf
    if not isinstance(left, str):
        raise AttributeError(f"'{type(left).__name__}' object has no attribute 'split'")
    fname, _, rest = left.partition(".")
    fdef = store.models[model].fields.get(fname)
    if fdef is None:
        raise ValueError(f"Invalid field {model}.{fname} in leaf {leaf}")
    if rest and fdef.type in RELATIONAL:
        _leaf_field(store, fdef.relation, (rest, operator, right))
    elif operator in ("any", "not any") and fdef.type in RELATIONAL and isinstance(right, (list, tuple)):
        _check_fields(store, fdef.relation, _parse(right))


def _compile_leaf(store, model, leaf):
    leaf = normalize_leaf(leaf)
    path, operator, value = leaf
    if operator not in OPERATORS:  # ``check_leaf``
        raise ValueError(f"Invalid leaf {leaf}")
    fname, _, rest = path.partition(".")
    fdef = store.models[model].fields[fname]
    search = None if rest or fdef.stored else SEARCHES.get((model, fname)) or SEARCHES.get(fname)
    if search is not None:  # a computed field searched through its search method (rules_mail.py)
        return compile_domain(store, model, search(store, model, operator, value))
    if rest or operator in ("any", "not any"):
        if fdef.type not in RELATIONAL:
            raise ValueError(f"Invalid leaf {list(leaf)!r}: {fname} is not relational")
        subdomain = [(rest, operator, value)] if rest else value
        return _compile_any(store, model, fdef, subdomain, negate=operator == "not any" and not rest)
    if fdef.type == "datetime" and value and isinstance(value, str) and len(value) == 10:
        value += " 23:59:59" if operator in (">", "<=") else " 00:00:00"
    if operator == "=?":
        if value is False or value is None:
            return lambda row: True
        operator = "="
    if operator in ("child_of", "parent_of"):
        operator, value = "in", _hierarchy(store, fdef.relation or model, value, operator)
    elif fdef.type in RELATIONAL and _is_name(value):
        positive = NEGATIVE.get(operator, operator)
        names = [value] if isinstance(value, str) else value
        ids = {found for name in names for found in name_search_ids(store, fdef.relation, name, positive)}
        operator, value = ("not in" if operator in NEGATIVE else "in"), list(ids)
    else:
        value = _column_value(fdef, operator, value, leaf)
    match = _matcher(fdef, operator, value)

    def predicate(row):
        return match(store.value(model, row, fname))

    return predicate


def _column_value(fdef, operator, value, leaf):
    """The right-hand side as ``__leaf_to_sql`` sends it to PostgreSQL."""
    if operator in ("in", "not in"):
        if fdef.type in X2MANY:
            return list(value) if isinstance(value, (list, tuple)) else [value]
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"Invalid domain term {leaf}")
        if fdef.name == "id":
            return list(value)
        return [v if v is False or v is None else to_column(fdef, v) for v in value]
    if operator in LIKE or operator in ("not like", "not ilike") or fdef.type in X2MANY:
        return value
    if operator in ("=", "!=") and (value is False or value is None):
        return value
    return to_column(fdef, value)


def _is_name(value):
    return isinstance(value, str) or (isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) for v in value))


def _compile_any(store, model, fdef, subdomain, *, negate):
    inner = compile_domain(store, fdef.relation, subdomain)
    table = store.tables[fdef.relation]

    def related_match(row):
        value = store.value(model, row, fdef.name)
        ids = value if fdef.type in X2MANY else ([value] if value else [])
        found = any(inner(table[i]) for i in ids if i in table)
        return found != negate

    return related_match


def _hierarchy(store, model, value, operator):
    """``child_of``: the ids and all their descendants; ``parent_of``: and their ancestors."""
    if _is_name(value):
        names = [value] if isinstance(value, str) else value
        roots = {found for name in names for found in name_search_ids(store, model, name, "ilike")}
    else:
        roots = set(value if isinstance(value, (list, tuple)) else [value]) - {False, None}
    if PARENT_FIELD not in store.models[model].fields:
        return list(roots)
    rows = store.tables[model].values()
    found, frontier = set(roots), set(roots)
    while frontier:
        if operator == "child_of":
            frontier = {row["id"] for row in rows if row.get(PARENT_FIELD) in frontier} - found
        else:
            frontier = {store.tables[model][i].get(PARENT_FIELD) for i in frontier if i in store.tables[model]} - {False, None} - found
        found |= frontier
    return list(found)


def _is_empty(value):
    return value is False or value is None or value == [] or value == ""


def _matcher(fdef, operator, value):
    """A test on one field's stored value."""
    if operator in ("=", "!="):
        if value is False or value is None:
            test = (lambda a: not a) if fdef.type == "boolean" else _is_empty
        elif fdef.type in X2MANY:
            test = lambda a: value in a  # noqa: E731
        elif fdef.type == "boolean":
            test = lambda a: bool(a) == bool(value)  # noqa: E731
        else:
            test = lambda a: not _is_empty(a) and a == value  # noqa: E731
        return test if operator == "=" else (lambda a: not test(a))
    if operator in ("in", "not in"):
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        wants_empty = any(v is False or v is None for v in values)
        wanted = {v for v in values if v is not False and v is not None}

        def in_test(a):
            if _is_empty(a):
                return wants_empty
            if fdef.type in X2MANY:
                return bool(wanted.intersection(a))
            return a in wanted

        return in_test if operator == "in" else (lambda a: not in_test(a))
    if operator in COMPARE:
        compare = COMPARE[operator]

        def compare_test(a):
            if (_is_empty(a) and fdef.type not in ("integer", "float", "monetary", "boolean")) or value is False or value is None:
                return False
            try:
                return compare(a, value)
            except TypeError:
                raise ValueError(f"Cannot compare {fdef.name} ({fdef.type}) with {value!r}") from None

        return compare_test
    positive = NEGATIVE.get(operator, operator)
    wrap = positive in ("like", "ilike")
    text = "" if value is None or value is False else str(value)  # pycompat.to_text
    if wrap and not text:  # ``LIKE '%%' OR IS NULL`` is every row; ``NOT LIKE '%%' OR IS NULL`` the unset ones
        return (lambda a: True) if operator == positive else _is_empty
    pattern = _like_regex(text, wrap=wrap, ignore_case=positive in ("ilike", "=ilike"))

    def like_test(a):
        return not _is_empty(a) and pattern.fullmatch(str(a)) is not None

    return like_test if operator == positive else (lambda a: not like_test(a))


def _like_regex(value, *, wrap, ignore_case):
    """SQL LIKE pattern -> regex: ``%`` any run, ``_`` one character, ``\\`` escapes."""
    if wrap:
        value = f"%{value}%"
    parts, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars, "\\")))
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))
