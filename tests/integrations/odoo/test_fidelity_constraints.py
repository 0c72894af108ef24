"""The sandbox refuses what Odoo 17 refuses, with Odoo's exception, fault code and words.

Every row names the Odoo file and function (odoo/odoo 17.0) the refusal comes from. A refused
call changes nothing: the record count and the record stay as they were.
"""

import xmlrpc.client

import pytest
import requests


def fault_of(call):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value


def _model_id(odoo, model):
    return odoo.call("ir.model", "search", [["model", "=", model]])[0]


def _project(odoo):
    return odoo.call("project.project", "search", [["name", "=", "Internal Operations"]])[0]


def _private_task(odoo):
    return odoo.call("project.task", "create", {"name": "Private to-do"})


def _posted_invoice(odoo):
    return odoo.call("account.move", "search", [["move_type", "=", "out_invoice"], ["state", "=", "posted"]], limit=1)[0]


SQL = "The operation cannot be completed: "

# source in Odoo, model, values (or a function of the session giving them), fault code, words
REFUSED_CREATES = [
    ("crm/models/crm_lead.py _sql_constraints check_probability", "crm.lead",
     {"name": "Sure thing", "probability": 100.5}, 2,
     SQL + "The probability of closing the deal should be between 0% and 100%!"),
    ("crm/models/crm_lead.py _sql_constraints check_probability", "crm.lead",
     {"name": "Hopeless", "probability": -1}, 2,
     SQL + "The probability of closing the deal should be between 0% and 100%!"),
    ("account/models/account_move.py AccountMove.create", "account.move",
     {"move_type": "out_invoice", "state": "posted"}, 2,
     "You cannot create a move already in the posted state. Please create a draft move and post it after."),
    ("project/models/project_task.py _sql_constraints private_task_has_no_parent", "project.task",
     lambda odoo: {"name": "Sub-task of a private task", "parent_id": _private_task(odoo)}, 2,
     SQL + "A private task cannot have a parent."),
    ("base/models/res_partner.py _sql_constraints check_name", "res.partner",
     {"email": "nameless@example.com"}, 2, SQL + "Contacts require a name"),
    ("mail/models/mail_activity.py _sql_constraints check_res_id_is_set", "mail.activity",
     lambda odoo: {"res_model_id": _model_id(odoo, "crm.lead"), "res_id": 0, "summary": "Nowhere"}, 2,
     SQL + "Activities have to be linked to records with a not null res_id."),
    ("mail/models/mail_activity.py _compute_res_name on a deleted record", "mail.activity",
     lambda odoo: {"res_model_id": _model_id(odoo, "crm.lead"), "res_id": 999999, "summary": "Ghost"}, 2,
     "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)"),
    ("mail/models/mail_activity.py create: message_subscribe exists on mail.thread models only", "mail.activity",
     lambda odoo: {"res_model_id": _model_id(odoo, "res.currency"), "res_id": 1, "summary": "Not a document"}, 1,
     "AttributeError: 'res.currency' object has no attribute 'message_subscribe'"),
]


@pytest.mark.parametrize("source,model,values,code,words", REFUSED_CREATES, ids=[row[0] for row in REFUSED_CREATES])
def test_a_create_odoo_refuses_faults_and_creates_nothing(odoo, source, model, values, code, words):
    values = values(odoo) if callable(values) else values
    before = odoo.call(model, "search_count", [], context={"active_test": False})
    fault = fault_of(lambda: odoo.call(model, "create", values))
    assert fault.faultCode == code
    assert words in fault.faultString
    assert odoo.call(model, "search_count", [], context={"active_test": False}) == before


def _lead(odoo):
    return odoo.call("crm.lead", "create", {"name": "Probable deal", "probability": 40})


def _sub_task(odoo):
    parent = odoo.call("project.task", "create", {"name": "Move office", "project_id": _project(odoo)})
    return odoo.call("project.task", "create", {"name": "Book movers", "parent_id": parent})


def _task_loop(odoo):
    child = _sub_task(odoo)
    [parent] = odoo.call("project.task", "read", [child], fields=["parent_id"])
    return parent["parent_id"][0], {"parent_id": child}


def _partner_loop(odoo):
    company = odoo.call("res.partner", "create", {"name": "Loop NV", "is_company": True})
    person = odoo.call("res.partner", "create", {"name": "Ann Loop", "parent_id": company})
    return company, {"parent_id": person}


def _draft(odoo):
    sales = odoo.call("account.journal", "search", [["type", "=", "sale"]], limit=1)[0]
    return odoo.call("account.move", "create", {"move_type": "out_invoice", "partner_id": 3, "journal_id": sales})


def _journal_change(odoo, move_id):
    [move] = odoo.call("account.move", "read", [move_id], fields=["journal_id"])
    other = odoo.call("account.journal", "search", [["id", "!=", move["journal_id"][0]]], limit=1)[0]
    return move_id, {"journal_id": other}


def _posted_once_draft(odoo):
    move_id = _draft(odoo)
    odoo.call("account.move", "write", [move_id], {"state": "posted"})
    odoo.call("account.move", "write", [move_id], {"state": "draft"})
    return _journal_change(odoo, move_id)


# source, model, function of the session giving (record id, values), fault code, words
REFUSED_WRITES = [
    ("crm/models/crm_lead.py _sql_constraints check_probability", "crm.lead",
     lambda odoo: (_lead(odoo), {"probability": 150}), 2,
     SQL + "The probability of closing the deal should be between 0% and 100%!"),
    ("account/models/account_move.py AccountMove.write: posted_before and journal_id", "account.move",
     lambda odoo: _journal_change(odoo, _posted_invoice(odoo)), 2,
     "You cannot edit the journal of an account move if it has been posted once."),
    ("account/models/account_move.py AccountMove.write: reset to draft, still posted once", "account.move",
     _posted_once_draft, 2, "You cannot edit the journal of an account move if it has been posted once."),
    ("project/models/project_task.py _check_parent_id", "project.task", _task_loop, 2,
     "Error! You cannot create a recursive hierarchy of tasks."),
    ("project/models/project_task.py _sql_constraints private_task_has_no_parent", "project.task",
     lambda odoo: (_sub_task(odoo), {"project_id": False}), 2, SQL + "A private task cannot have a parent."),
    ("base/models/res_partner.py _check_parent_id", "res.partner", _partner_loop, 2,
     "You cannot create recursive Partner hierarchies."),
    ("base/models/res_partner.py _sql_constraints check_name", "res.partner",
     lambda odoo: (odoo.call("res.partner", "create", {"name": "Soon nameless"}), {"name": False}), 2,
     SQL + "Contacts require a name"),
]


@pytest.mark.parametrize("source,model,target,code,words", REFUSED_WRITES, ids=[row[0] for row in REFUSED_WRITES])
def test_a_write_odoo_refuses_faults_and_changes_nothing(odoo, source, model, target, code, words):
    record_id, values = target(odoo)
    fields = list(values)
    before = odoo.call(model, "read", [record_id], fields=fields)
    fault = fault_of(lambda: odoo.call(model, "write", [record_id], values))
    assert (fault.faultCode, fault.faultString) == (code, words)
    assert odoo.call(model, "read", [record_id], fields=fields) == before


ACCEPTED_WRITES = [
    ("probability at its bounds", "crm.lead", lambda odoo: (_lead(odoo), {"probability": 100.0})),
    ("probability at its bounds", "crm.lead", lambda odoo: (_lead(odoo), {"probability": 0.0})),
    ("a draft never posted changes journal", "account.move",
     lambda odoo: _journal_change(odoo, _draft(odoo))),
    ("an empty name is still a name", "res.partner",
     lambda odoo: (odoo.call("res.partner", "create", {"name": "Blank"}), {"name": ""})),
]


@pytest.mark.parametrize("case,model,target", ACCEPTED_WRITES, ids=[row[0] for row in ACCEPTED_WRITES])
def test_what_odoo_accepts_is_written(odoo, case, model, target):
    record_id, values = target(odoo)
    assert odoo.call(model, "write", [record_id], values) is True
    [record] = odoo.call(model, "read", [record_id], fields=list(values))
    assert all((record[fname][0] if isinstance(record[fname], list) else record[fname]) == value
               for fname, value in values.items())


class TestPostedEntries:
    """account/models/account_move.py ``unlink`` deletes the lines first, and
    account_move_line.py ``_unlink_except_posted`` refuses for a posted entry."""

    def test_a_posted_invoice_cannot_be_deleted(self, odoo):
        move_id = _posted_invoice(odoo)
        fault = fault_of(lambda: odoo.call("account.move", "unlink", [move_id]))
        assert (fault.faultCode, fault.faultString) == (2, "You cannot delete an item linked to a posted entry.")
        assert odoo.call("account.move", "search_count", [["id", "=", move_id]]) == 1

    def test_one_posted_entry_among_drafts_refuses_them_all(self, odoo):
        draft = _draft(odoo)
        posted = _posted_invoice(odoo)
        fault_of(lambda: odoo.call("account.move", "unlink", [draft, posted]))
        assert odoo.call("account.move", "search_count", [["id", "in", [draft, posted]]]) == 2

    @pytest.mark.parametrize("state", ["draft", "cancel"])
    def test_draft_and_cancelled_entries_can_be_deleted(self, odoo, state):
        move_id = _draft(odoo)
        odoo.call("account.move", "write", [move_id], {"state": state})
        assert odoo.call("account.move", "unlink", [move_id]) is True
        assert odoo.call("account.move", "search_count", [["id", "=", move_id]]) == 0

    def test_posting_marks_the_entry_as_posted_once(self, odoo):
        move_id = _draft(odoo)
        assert odoo.call("account.move", "read", [move_id], fields=["posted_before"])[0]["posted_before"] is False
        odoo.call("account.move", "write", [move_id], {"state": "posted"})
        assert odoo.call("account.move", "read", [move_id], fields=["posted_before"])[0]["posted_before"] is True

    def test_json2_answers_the_refusal_as_a_user_error(self, odoo, odoo_sandbox):
        move_id = _posted_invoice(odoo)
        response = requests.post(f"{odoo_sandbox.url}/json/2/account.move/unlink", json={"ids": [move_id]},
                                 headers={"Authorization": f"bearer {odoo_sandbox.api_key}"}, timeout=10)
        assert response.status_code == 422
        body = response.json()
        assert (body["name"], body["message"]) == ("odoo.exceptions.UserError", "You cannot delete an item linked to a posted entry.")
