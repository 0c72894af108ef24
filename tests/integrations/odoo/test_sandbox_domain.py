"""Domains over XML-RPC against a small fixed set of contacts: domain -> expected names.

Hierarchy: Acme > {Alice, Bob}; Globex > Carol > Frank. Dave is archived. Eve stands alone.
"""

import pytest

from integrations.odoo.sandbox.server import start_in_thread

from .sessions import XmlRpcSession

CONTACTS = [
    # name, parent, values
    ("Acme", None, {"is_company": True, "email": "info@acme.example", "phone": "+3211", "city": "Brussels"}),
    ("Alice", "Acme", {"email": "alice@acme.example", "tz": "Europe/Paris"}),
    ("Bob", "Acme", {"phone": "+3222"}),
    ("Globex", None, {"is_company": True, "email": "sales@globex.example", "city": "Paris"}),
    ("Carol", "Globex", {"email": "carol@GLOBEX.example", "phone": "+3333"}),
    ("Dave", None, {"email": "dave@x.example", "active": False}),
    ("Eve", None, {"city": "St_Louis"}),
    ("Frank", "Carol", {"email": "frank@globex.example", "city": "StXLouis"}),
]
ACTIVE = ["Acme", "Alice", "Bob", "Globex", "Carol", "Eve", "Frank"]


def everyone_but(*names):
    return [name for name in ACTIVE if name not in names]


CASES = [
    ([], ACTIVE),
    ([(1, "=", 1)], ACTIVE),
    ([(0, "=", 1)], []),
    ([("is_company", "=", True)], ["Acme", "Globex"]),
    ([("email", "=", False)], ["Bob", "Eve"]),
    ([("email", "!=", False)], everyone_but("Bob", "Eve")),
    ([("phone", "!=", "+3222")], everyone_but("Bob")),
    ([("email", "ilike", "ACME")], ["Acme", "Alice"]),
    ([("email", "like", "ACME")], []),
    ([("email", "like", "GLOBEX")], ["Carol"]),
    ([("email", "not ilike", "acme")], everyone_but("Acme", "Alice")),
    ([("email", "=like", "%@acme.example")], ["Acme", "Alice"]),
    ([("email", "=ilike", "carol@globex.example")], ["Carol"]),
    ([("city", "=like", "St_Louis")], ["Eve", "Frank"]),
    ([("city", "=like", "St\\_Louis")], ["Eve"]),
    ([("name", "in", ["Alice", "Bob", "Zed"])], ["Alice", "Bob"]),
    ([("name", "not in", ["Alice"])], everyone_but("Alice")),
    ([("id", "in", [])], []),
    ([("id", "not in", [])], ACTIVE),
    ([("parent_id", "in", [False])], ["Acme", "Globex", "Eve"]),
    ([("parent_id", "not in", ["@Acme"])], everyone_but("Alice", "Bob")),
    ([("parent_id", "!=", "@Acme")], everyone_but("Alice", "Bob")),
    ([("parent_id", "=", False), ("is_company", "=", False)], ["Eve"]),
    (["|", ("name", "=", "Alice"), ("name", "=", "Bob")], ["Alice", "Bob"]),
    (["!", ("is_company", "=", True)], everyone_but("Acme", "Globex")),
    (["&", "|", ("name", "=", "Alice"), ("name", "=", "Carol"), ("email", "ilike", "globex")], ["Carol"]),
    ([("name", "=", "Alice"), "|", ("email", "=", False), ("phone", "=", False)], ["Alice"]),
    ([("name", ">", "C")], ["Globex", "Carol", "Eve", "Frank"]),
    ([("name", "<=", "Bob")], ["Acme", "Alice", "Bob"]),
    ([("email", "=?", False)], ACTIVE),
    ([("email", "=?", "alice@acme.example")], ["Alice"]),
    ([("parent_id", "=", "Acme")], ["Alice", "Bob"]),
    ([("parent_id", "ilike", "glob")], ["Carol", "Frank"]),
    ([("parent_id.name", "=", "Globex")], ["Carol"]),
    ([("parent_id.parent_id.name", "=", "Globex")], ["Frank"]),
    ([("parent_id.email", "not ilike", "acme")], ["Carol", "Frank"]),
    ([("parent_id", "child_of", "@Globex")], ["Carol", "Frank"]),
    ([("id", "child_of", "@Globex")], ["Globex", "Carol", "Frank"]),
    ([("id", "parent_of", "@Frank")], ["Globex", "Carol", "Frank"]),
    ([("child_ids", "any", [("name", "=", "Alice")])], ["Acme"]),
    ([("child_ids", "not any", [])], ["Alice", "Bob", "Eve", "Frank"]),
    ([("child_ids", "=", "@Alice")], ["Acme"]),
    ([("child_ids", "in", ["@Alice", "@Carol"])], ["Acme", "Globex"]),
    ([("active", "=", False)], ["Dave"]),
    ([("active", "in", [True, False])], [*ACTIVE, "Dave"]),
]


@pytest.fixture(scope="module")
def contacts():
    handle = start_in_thread(seed="empty")
    session = XmlRpcSession(handle)
    ids = {}
    for name, parent, values in CONTACTS:
        ids[name] = session.call("res.partner", "create", {"name": name, "parent_id": ids[parent] if parent else False, **values})
    yield session, ids
    handle.stop()


def _resolve(value, ids):
    """'@Name' in a case stands for that contact's id (ids are only known once created)."""
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    return value


@pytest.mark.parametrize("domain,expected", CASES, ids=[repr(case[0]) for case in CASES])
def test_domain(contacts, domain, expected):
    session, ids = contacts
    resolved = [term if isinstance(term, str) else [term[0], term[1], _resolve(term[2], ids)] for term in domain]
    found = session.call("res.partner", "search", [("id", "in", list(ids.values())), *resolved])
    names = {record_id: name for name, record_id in ids.items()}
    assert sorted(names[record_id] for record_id in found) == sorted(expected)


KEYSET_DOMAINS = [[], [("email", "!=", False)], ["|", ("is_company", "=", True), ("city", "=", "Paris")],
                  [("active", "in", [True, False])]]


@pytest.mark.parametrize("domain", KEYSET_DOMAINS, ids=[repr(domain) for domain in KEYSET_DOMAINS])
def test_pages_by_id_match_one_whole_search(contacts, domain):
    """Paging after the last id seen (what the client does for `id asc`) gives exactly the rows of
    one whole search, archived rows left out unless asked for, however the pages fall."""
    session, ids = contacts
    mine = [("id", "in", list(ids.values()))]
    whole = session.call("res.partner", "search", [*mine, *domain], order="id asc")
    for size in (1, 2, 3):
        paged, last = [], 0
        while True:
            page = session.call("res.partner", "search", [("id", ">", last), *mine, *domain], order="id asc",
                                limit=size)
            paged += page
            if len(page) < size:
                break
            last = page[-1]
        assert paged == whole and len(whole) >= 2
        assert session.call("res.partner", "search", [*mine, *domain], order="id", offset=1, limit=size) == \
            whole[1:1 + size]
