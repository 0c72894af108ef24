"""Records that no longer exist, repeated ids and ids that are not ids, as Odoo treats them.

Each row names the Odoo 17 source it follows. read() skips deleted records (a search() then a
read() from a client is not one transaction, so a concurrent deletion must not fail a list
view), unlink() of a deleted record is a no-op, write() of one is MissingError.

Odoo 17 (what the sandbox announces) and 19 agree on all of this; they differ in how JSON-2
(19 only) reports it: the HTTP status of the exception (MissingError 404) and a body of
``{name, message, arguments, context, debug}``, and records returned by a method become their
ids (``web_json_2_rpc``: ``if isinstance(result, BaseModel): result = result.ids``).
"""

import pytest

from .rpc_clients import Json2, JsonRpc, RpcError, XmlRpc, WebSession

MISSING = "Record does not exist or has been deleted."


@pytest.fixture(params=[XmlRpc, JsonRpc, WebSession], ids=lambda cls: cls.label)
def rpc(request, odoo_sandbox):
    client = request.param(odoo_sandbox)
    if isinstance(client, WebSession):
        client.login()
    return client


@pytest.fixture
def here_and_gone(odoo):
    """Two partners' ids: one that exists, one that existed and was deleted."""
    here = odoo.call("res.partner", "create", {"name": "Still here"})
    gone = odoo.call("res.partner", "create", {"name": "Deleted since"})
    odoo.call("res.partner", "unlink", [gone])
    return {"H": here, "G": gone}


READS = [
    # ids (H exists, G deleted), fields, ids of the dicts returned, Odoo source
    ("H G", ["name"], "H", "odoo/models.py BaseModel._read_format: missing records have their vals empty, and are left out"),
    ("G", ["name"], "", "odoo/addons/base/tests/test_orm.py test_access_deleted_records: read() should skip deleted records"),
    ("G H H G", ["name"], "H H", "odoo/models.py BaseModel.browse keeps the ids as given; _read_format has one dict per record"),
    ("H G", [], "H", "odoo/models.py BaseModel.check_field_access_rights: no fields is every field; the missing record is still skipped"),
    ("H G", ["id"], "H G", "odoo/models.py BaseModel._read_format: reading only 'id' fetches nothing, so nothing is missing"),
]


@pytest.mark.parametrize("ids,fields,expected,source", READS)
def test_read_skips_deleted_records_in_the_order_given(rpc, here_and_gone, ids, fields, expected, source):
    records = rpc.call("res.partner", "read", [here_and_gone[key] for key in ids.split()], fields)
    assert [record["id"] for record in records] == [here_and_gone[key] for key in expected.split()], source
    if fields == ["name"]:
        assert {record["name"] for record in records} <= {"Still here"}


WRITES = [
    # method, arguments after the ids, what comes back, Odoo source
    ("unlink", (), True, "odoo/models.py BaseModel.check_access_rule: no need to warn about deleting an already deleted record"),
    ("write", ({"name": "x"},), MISSING, "odoo/models.py Field.__get__ -> _fetch_field: MissingError 'Record does not exist or has been deleted.'"),
    ("action_archive", (), MISSING, "odoo/models.py BaseModel.action_archive writes active=False, so MissingError too"),
]


@pytest.mark.parametrize("method,args,expected,source", WRITES)
def test_changing_a_deleted_record(rpc, here_and_gone, method, args, expected, source):
    if expected is True:
        assert rpc.call("res.partner", method, [here_and_gone["G"]], *args) is True, source
        return
    with pytest.raises(RpcError) as caught:
        rpc.call("res.partner", method, [here_and_gone["G"]], *args)
    assert caught.value.code == (2 if isinstance(rpc, XmlRpc) else 200), source
    assert caught.value.text.startswith(MISSING)
    assert f"res.partner({here_and_gone['G']},)" in caught.value.text


def test_unlink_of_a_mix_deletes_what_exists(odoo, here_and_gone):
    """odoo/models.py BaseModel.unlink: the deleted id is ignored, the other one goes."""
    assert odoo.call("res.partner", "unlink", [here_and_gone["G"], here_and_gone["H"]]) is True
    assert odoo.call("res.partner", "search", [["id", "in", list(here_and_gone.values())]]) == []


JSON2 = [
    # method, body, status, body returned or error name, Odoo source
    ("read", {"ids": "H G", "fields": ["name"]}, 200, [{"id": "H", "name": "Still here"}], "addons/rpc/controllers/json2.py web_json_2_rpc returns read()'s list"),
    ("read", {"ids": "G", "fields": ["name"]}, 200, [], "odoo/models.py BaseModel._read_format skips the missing record"),
    ("unlink", {"ids": "G"}, 200, True, "odoo/models.py BaseModel.check_access_rule: unlinking a deleted record is a no-op"),
    ("write", {"ids": "G", "vals": {"name": "x"}}, 404, "odoo.exceptions.MissingError", "odoo/exceptions.py MissingError.http_status = 404"),
    ("search", {"domain": [["id", "=", "H"]]}, 200, ["H"], "json2.py: a recordset answers as its ids"),
    ("create", {"vals_list": {"name": "One"}}, 200, "ids", "odoo/models.py create is model_create_multi: a dict gives a recordset, hence [id]"),
    ("create", {"vals_list": [{"name": "One"}, {"name": "Two"}]}, 200, "ids", "json2.py: records as their ids"),
]


def _with_ids(value, ids):
    """The table's H/G replaced by the partners' ids ("ids": "H G" is a list of them)."""
    if isinstance(value, dict):
        return {key: [ids[k] for k in item.split()] if key == "ids" else ids[item] if key == "id" else _with_ids(item, ids)
                for key, item in value.items()}
    if isinstance(value, list):
        return [ids[item] if isinstance(item, str) and item in ids else _with_ids(item, ids) for item in value]
    return value


@pytest.mark.parametrize("method,body,status,expected,source", JSON2)
def test_json2_answers_missing_records_and_record_results(odoo_sandbox, here_and_gone, method, body, status, expected, source):
    response = Json2(odoo_sandbox).post("res.partner", method, _with_ids(body, here_and_gone))
    assert response.status_code == status, source
    if status != 200:
        assert response.json()["name"] == expected
        assert response.json()["message"].startswith(MISSING)
    elif expected == "ids":
        ids = response.json()
        count = len(body["vals_list"]) if isinstance(body["vals_list"], list) else 1
        assert len(ids) == count and all(isinstance(i, int) for i in ids), source
    else:
        assert response.json() == _with_ids(expected, here_and_gone), source


def test_execute_kw_create_answers_an_id_or_a_list_like_odoo_17(odoo):
    """odoo/api.py _call_kw_model_create: ``result.id if isinstance(args[0], Mapping) else result.ids``."""
    assert isinstance(odoo.call("res.partner", "create", {"name": "One"}), int)
    assert len(odoo.call("res.partner", "create", [{"name": "One"}, {"name": "Two"}])) == 2


BAD_IDS = [
    # ids given to read, what Odoo says, Odoo source
    ("abc", 'invalid input syntax for type integer: "a"', "odoo/models.py BaseModel.browse takes a string as its characters; PostgreSQL refuses them"),
    (["7", 1], 'invalid input syntax for type integer: "7"', "PostgreSQL: WHERE id IN ('7', ...) with a text id"),
    (1.5, "'float' object is not iterable", "odoo/models.py BaseModel.browse: tuple(ids)"),
    (True, "'bool' object is not iterable", "odoo/models.py BaseModel.browse: a bool is not the int it is checked against"),
]


@pytest.mark.parametrize("ids,message,source", BAD_IDS)
def test_ids_that_are_not_ids_are_refused_with_the_database_error(odoo, ids, message, source):
    with pytest.raises(RpcError) as caught:
        XmlRpc(odoo.handle).call("res.partner", "read", ids, ["name"])
    assert caught.value.code == 1, source
    assert caught.value.text.strip().endswith(message)


def test_a_single_id_is_accepted_where_a_list_is_expected(odoo, here_and_gone):
    """odoo/models.py BaseModel.browse: ``elif ids.__class__ is int: ids = (ids,)``."""
    assert odoo.call("res.partner", "read", here_and_gone["H"], ["name"]) == [{"id": here_and_gone["H"], "name": "Still here"}]
