"""How Odoo 17 reads the values in a domain: table tests citing ``odoo/osv/expression.py``.

Fixed records on an empty sandbox: contacts (Acme > Alice, Bob; Eve alone, no email), tasks
whose deadlines (datetimes) straddle 10 March 2024, and opportunities with revenues.

Odoo 17 (what the sandbox announces) and 19 differ on date-only strings compared with a
datetime field. 17 (``expression.parse``, "OTHER FIELDS") appends " 23:59:59" for ``>`` and
``<=`` and " 00:00:00" for every other operator, ``=`` included, and reads the date in UTC.
19 (``odoo/orm/domains.py _optimize_type_datetime``) only rewrites ``< <= > >= in not in``,
turns ``> day`` into ``>= next day`` (the same rows), and takes the day in the user's
timezone before converting it to UTC. 19 also rejects none of the leaves 17 normalises.
"""

import pytest

CONTACTS = [("Acme", None, {"is_company": True, "email": "info@acme.example"}), ("Alice", "Acme", {"email": "alice@acme.example"}),
            ("Bob", "Acme", {"email": "bob@bob.example"}), ("Eve", None, {})]
DEADLINES = {"midnight": "2024-03-10 00:00:00", "morning": "2024-03-10 09:30:00", "last second": "2024-03-10 23:59:59",
             "next day": "2024-03-11 00:00:00", "none": False}
REVENUES = {"small": 500, "large": 1500, "nothing": 0}


@pytest.fixture
def records(odoo_empty):
    ids = {}
    for name, parent, values in CONTACTS:
        ids[name] = odoo_empty.call("res.partner", "create", {"name": name, "parent_id": ids.get(parent, False), **values})
    for name, deadline in DEADLINES.items():
        odoo_empty.call("project.task", "create", {"name": name, "date_deadline": deadline})
    for name, revenue in REVENUES.items():
        odoo_empty.call("crm.lead", "create", {"name": name, "type": "opportunity", "expected_revenue": revenue})
    return ids


def names(odoo, model, domain, records):
    """Names found; partners among the contacts above (the empty database has its own)."""
    scope = [("id", "in", sorted(records.values()))] if model == "res.partner" else []
    return sorted(record["name"] for record in odoo.call(model, "search_read", [*scope, *domain], fields=["name"]))


DATETIMES = [
    # domain on project.task.date_deadline, tasks found, Odoo source
    ([("date_deadline", "=", "2024-03-10")], ["midnight"], "expression.parse: datetime with a 10-character string, '=' gets ' 00:00:00'"),
    ([("date_deadline", ">", "2024-03-10")], ["next day"], "expression.parse: '>' gets ' 23:59:59'"),
    ([("date_deadline", "<=", "2024-03-10")], ["last second", "midnight", "morning"], "expression.parse: '<=' gets ' 23:59:59'"),
    ([("date_deadline", ">=", "2024-03-10")], ["last second", "midnight", "morning", "next day"], "expression.parse: '>=' gets ' 00:00:00'"),
    ([("date_deadline", "<", "2024-03-10")], [], "expression.parse: '<' gets ' 00:00:00'"),
    ([("date_deadline", "!=", "2024-03-10")], ["last second", "morning", "next day", "none"], "__leaf_to_sql: '!=' a value also matches NULL"),
    ([("date_deadline", "in", ["2024-03-10", "2024-03-11"])], ["midnight", "next day"], "__leaf_to_sql: each value through Datetime.to_datetime (midnight)"),
    ([("date_deadline", "=", "2024-03-10 09:30")], ["morning"], "fields.Datetime.to_datetime: the format is cut to the string's length"),
    ([("date_deadline", ">", False)], [], "__leaf_to_sql: convert_to_column(False) is NULL, which compares with nothing"),
    ([("date_deadline", "=", False)], ["none"], "__leaf_to_sql: '=' False is IS NULL"),
]


@pytest.mark.parametrize("domain,expected,source", DATETIMES)
def test_datetimes_against_date_only_strings(odoo_empty, records, domain, expected, source):
    assert names(odoo_empty, "project.task", domain, records) == expected, source


NORMALISED = [
    # model, domain, names found, Odoo source
    ("res.partner", [("name", "<>", "Alice")], ["Acme", "Bob", "Eve"], "expression.normalize_leaf: '<>' is '!='"),
    ("res.partner", [("name", "=", ["Alice", "Bob"])], ["Alice", "Bob"], "expression.normalize_leaf: '=' a list is 'in'"),
    ("res.partner", [("name", "!=", ["Alice", "Bob"])], ["Acme", "Eve"], "expression.normalize_leaf: '!=' a list is 'not in'"),
    ("res.partner", [("is_company", "in", True)], ["Acme"], "expression.normalize_leaf: 'in' a boolean is '='"),
    ("res.partner", [("is_company", "not in", True)], ["Alice", "Bob", "Eve"], "expression.normalize_leaf: 'not in' a boolean is '!='"),
    ("res.partner", [("parent_id", "=", False)], ["Acme", "Eve"], "__leaf_to_sql: a many2one '=' False is IS NULL"),
    ("res.partner", [("parent_id", "!=", False)], ["Alice", "Bob"], "__leaf_to_sql: '!=' False is IS NOT NULL"),
    ("res.partner", [("parent_id", "in", [False])], ["Acme", "Eve"], "__leaf_to_sql: False in the list adds OR IS NULL"),
    ("res.partner", [("parent_id", "=", "Acme")], ["Alice", "Bob"], "expression.parse: a many2one against a string is a name_search"),
    ("res.partner", [("email", "ilike", "")], ["Acme", "Alice", "Bob", "Eve"], "__leaf_to_sql: ilike '' is '%%' OR IS NULL, every row"),
    ("res.partner", [("email", "ilike", False)], ["Acme", "Alice", "Bob", "Eve"], "__leaf_to_sql: pycompat.to_text(False) is '', so every row"),
    ("res.partner", [("email", "not ilike", "")], ["Eve"], "__leaf_to_sql: NOT ILIKE '%%' OR IS NULL, the rows without a value"),
    ("res.partner", [("email", "not ilike", "acme")], ["Bob", "Eve"], "__leaf_to_sql: a negative operator also matches NULL"),
    ("res.partner", [("email", "=like", "%@acme.example")], ["Acme", "Alice"], "__leaf_to_sql: =like takes the pattern as given"),
    ("crm.lead", [("expected_revenue", ">", "1000")], ["large"], "__leaf_to_sql: Float.convert_to_column('1000') is 1000.0"),
    ("crm.lead", [("expected_revenue", ">", False)], ["large", "small"], "__leaf_to_sql: Monetary.convert_to_column(False) is 0.0"),
    ("crm.lead", [("expected_revenue", "in", ["500", 1500])], ["large", "small"], "__leaf_to_sql: each value of 'in' is converted"),
]


@pytest.mark.parametrize("model,domain,expected,source", NORMALISED)
def test_values_are_normalised_as_odoo_does(odoo_empty, records, model, domain, expected, source):
    assert names(odoo_empty, model, domain, records) == expected, source


def test_x2many_in_a_single_id(odoo_empty, records):
    """expression.parse, one2many: ``ids2 = [right]`` when the value is not a list."""
    assert names(odoo_empty, "res.partner", [("child_ids", "in", records["Alice"])], records) == ["Acme"]


def test_a_date_field_compares_the_date_of_a_datetime_string(odoo_empty, records):
    """fields.Date.to_date: ``value[:10]``, so the time is dropped before comparing."""
    [task] = odoo_empty.call("project.task", "search", [("name", "=", "midnight")])
    activity = odoo_empty.call("mail.activity", "create", {"res_model_id": odoo_empty.call("ir.model", "search", [("model", "=", "project.task")])[0],
                                                           "res_id": task, "summary": "Due", "date_deadline": "2024-03-10"})
    assert odoo_empty.call("mail.activity", "search", [("date_deadline", "<=", "2024-03-10 08:00:00")]) == [activity]
    assert odoo_empty.call("mail.activity", "search", [("date_deadline", "<", "2024-03-10 23:00:00")]) == []


REFUSED = [
    # domain, last line of the fault, Odoo source
    ([("name", "in", "Alice")], "ValueError: Invalid domain term ('name', 'in', 'Alice')", "__leaf_to_sql: 'in' needs a list (Must not happen)"),
    ([("parent_id", "in", 5)], "ValueError: Invalid domain term ('parent_id', 'in', 5)", "__leaf_to_sql: a many2one 'in' an int"),
    ([("name", "IN", ["Alice"])], "ValueError: Invalid leaf ('name', 'IN', ['Alice'])", "expression.is_leaf: operators are lower-case"),
    ([("name", "equals", "x"), ("nope", "=", 1)], "ValueError: Invalid field res.partner.nope in leaf ('nope', '=', 1)", "expression._anyfy_leaves checks every field before any operator"),
    ([("parent_id.nope", "=", 1)], "ValueError: Invalid field res.partner.nope in leaf ('nope', '=', 1)", "expression._anyfy_leaves follows the path"),
    ([("date_deadline", "<", "10/03/2024")], "ValueError: time data '10/03/2024 00:00:00' does not match format '%Y-%m-%d %H:%M:%S'", "expression.parse appends the time; Datetime.to_datetime refuses it"),
    ([("expected_revenue", ">", "lots")], "ValueError: could not convert string to float: 'lots'", "Float.convert_to_column: float(value)"),
    ("name = Alice", "AssertionError: Domains to normalize must have a 'domain' form: a list or tuple of domain components", "expression.normalize_domain"),
]


@pytest.mark.parametrize("domain,message,source", REFUSED)
def test_domains_odoo_refuses(odoo_empty, records, domain, message, source):
    model = "crm.lead" if "expected_revenue" in str(domain) else "project.task" if "date_deadline" in str(domain) else "res.partner"
    with pytest.raises(Exception) as fault:
        odoo_empty.call(model, "search", domain)
    assert fault.value.faultCode == 1, source
    assert fault.value.faultString.strip().splitlines()[-1] == message, source
