"""The "… created" and tracking messages Odoo 17 logs in the chatter (odoo/odoo 17.0,
addons/mail/models/mail_thread.py ``create`` and ``_message_track``; mail_tracking_value.py)."""

import pytest

MESSAGE_FIELDS = ["body", "message_type", "subtype_id", "author_id", "tracking_value_ids"]
VALUE_FIELDS = ["field_id", "old_value_char", "new_value_char", "old_value_integer", "new_value_integer",
                "old_value_datetime", "new_value_datetime", "old_value_float", "new_value_float"]

# model, values, body, subtype — ``_creation_message`` / ``_creation_subtype``
CREATED = [
    ("res.partner", {"name": "Log test"}, "<p>Contact created</p>", "Note"),
    ("crm.lead", {"name": "Log deal"}, "<p>Lead/Opportunity created</p>", "Note"),
    ("project.task", {"name": "Log task"}, '<div summary="o_mail_notification"><p>Task created</p></div>', "Task Created"),  # project_task.py
    ("account.move", {"move_type": "out_invoice"}, '<div summary="o_mail_notification"><p>Invoice Created</p></div>',
     "Invoice Created"),  # account_move.py, customer invoices only
    ("account.move", {"move_type": "in_invoice"}, "<p>Vendor Bill Created</p>", "Note"),
]


def thread(odoo, model, record_id):
    return odoo.call("mail.message", "search_read", [["model", "=", model], ["res_id", "=", record_id]], fields=MESSAGE_FIELDS)


def values_of(odoo, message):
    rows = odoo.call("mail.tracking.value", "read", message["tracking_value_ids"], fields=VALUE_FIELDS)
    return {row["field_id"][1]: row for row in rows}


@pytest.mark.parametrize("model,values,body,subtype", CREATED, ids=[f"{r[0]}-{r[1].get('move_type', '')}" for r in CREATED])
def test_a_new_record_says_it_was_created(odoo, admin_partner, model, values, body, subtype):
    record = odoo.call(model, "create", values)
    [message] = thread(odoo, model, record)
    assert (message["body"], message["message_type"], message["subtype_id"][1]) == (body, "notification", subtype)
    assert message["author_id"][0] == admin_partner
    assert odoo.call(model, "read", [record], fields=["message_ids"])[0]["message_ids"] == [message["id"]]


@pytest.mark.parametrize("context", [{"mail_create_nolog": True}, {"tracking_disable": True}])
def test_no_creation_message_when_asked(odoo, context):
    lead = odoo.call("crm.lead", "create", {"name": "Silent deal"}, context=context)
    assert thread(odoo, "crm.lead", lead) == []


def test_a_stage_change_is_tracked(odoo):
    """crm_lead.py: ``stage_id`` has ``tracking=True``; ``_track_subtype`` answers "Stage Changed"."""
    stages = odoo.call("crm.stage", "search_read", [], fields=["name"], order="sequence")
    lead = odoo.call("crm.lead", "create", {"name": "Tracked deal"})
    odoo.call("crm.lead", "write", [lead], {"stage_id": stages[1]["id"]})
    newest = thread(odoo, "crm.lead", lead)[0]
    assert (newest["body"], newest["message_type"], newest["subtype_id"][1]) == ("", "notification", "Stage Changed")
    value = values_of(odoo, newest)["Stage"]
    assert (value["old_value_char"], value["new_value_char"]) == (stages[0]["name"], stages[1]["name"])
    assert (value["old_value_integer"], value["new_value_integer"]) == (stages[0]["id"], stages[1]["id"])


def test_a_won_stage_and_a_new_salesperson_in_one_message(odoo, user):
    sofia, _ = user("sofia")
    won = odoo.call("crm.stage", "search", [["is_won", "=", True]])[0]
    lead = odoo.call("crm.lead", "create", {"name": "Won deal"})
    odoo.call("crm.lead", "write", [lead], {"stage_id": won, "user_id": sofia})
    newest = thread(odoo, "crm.lead", lead)[0]
    assert newest["subtype_id"][1] == "Opportunity Won"
    tracked = values_of(odoo, newest)
    assert set(tracked) == {"Stage", "Salesperson"}
    assert (tracked["Salesperson"]["old_value_char"], tracked["Salesperson"]["new_value_char"]) == ("", "Sofia Janssens")


def test_posting_an_invoice_tracks_the_state(odoo):
    """account_move.py ``state`` ``tracking=True``; a posted customer invoice is "Validated"."""
    move = odoo.call("account.move", "create", {"move_type": "out_invoice"})
    odoo.call("account.move", "write", [move], {"state": "posted"})
    newest = thread(odoo, "account.move", move)[0]
    assert newest["subtype_id"][1] == "Validated"
    state = values_of(odoo, newest)["Status"]
    assert (state["old_value_char"], state["new_value_char"]) == ("Draft", "Posted")  # selection: the labels


def test_a_task_deadline_and_stage_are_tracked(odoo):
    """project_task.py: ``stage_id`` → "Stage Changed"; a datetime keeps its value."""
    stage = odoo.call("project.task.type", "search", [], limit=1)[0]
    task = odoo.call("project.task", "create", {"name": "Tracked task"})
    odoo.call("project.task", "write", [task], {"stage_id": stage, "date_deadline": "2026-05-01 09:00:00"})
    newest = thread(odoo, "project.task", task)[0]
    assert newest["subtype_id"][1] == "Stage Changed"
    assert values_of(odoo, newest)["Deadline"]["new_value_datetime"] == "2026-05-01 09:00:00"


@pytest.mark.parametrize("context", [{"mail_notrack": True}, {"tracking_disable": True}])
def test_no_tracking_when_asked(odoo, context):
    lead = odoo.call("crm.lead", "create", {"name": "Untracked deal"}, context={"mail_create_nolog": True})
    stage = odoo.call("crm.stage", "search", [], order="sequence desc", limit=1)[0]
    odoo.call("crm.lead", "write", [lead], {"stage_id": stage}, context=context)
    assert thread(odoo, "crm.lead", lead) == []


def test_fields_without_tracking_log_nothing(odoo):
    lead = odoo.call("crm.lead", "create", {"name": "Quiet edits"}, context={"mail_create_nolog": True})
    odoo.call("crm.lead", "write", [lead], {"probability": 40.0, "date_deadline": "2026-06-30"})
    assert thread(odoo, "crm.lead", lead) == []


def test_system_messages_are_not_customer_replies(odoo):
    """Readers of customers' replies look for ``email`` messages by the customer: creation and
    tracking messages are notifications by the user and never match."""
    partner = odoo.call("res.partner", "create", {"name": "Replying customer", "email": "buyer@replying.example"})
    lead = odoo.call("crm.lead", "create", {"name": "Reply deal", "partner_id": partner})
    odoo.call("crm.lead", "write", [lead], {"partner_id": False})
    assert odoo.call("mail.message", "search_count", [["model", "in", ["crm.lead", "res.partner"]],
                                                      ["res_id", "in", [lead, partner]], ["message_type", "=", "email"]]) == 0
    assert odoo.call("mail.message", "search_count", [["author_id", "=", partner]]) == 0
