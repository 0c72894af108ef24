"""The activity mixin's writable fields, the caller's deadline, partner types and the company,
held against Odoo 17 (odoo/odoo 17.0: addons/mail/models/mail_activity_mixin.py,
odoo/addons/base/models/res_partner.py, res_company.py)."""

import pytest

# field, readonly — mail_activity_mixin.py 17.0: activity_ids is a plain one2many; activity_user_id,
# activity_type_id and activity_summary are related to activity_ids with readonly=False (19 makes
# activity_user_id a readonly compute); the others are computes without inverse.
READONLY = [("activity_ids", False), ("activity_user_id", False), ("activity_type_id", False), ("activity_summary", False),
            ("activity_state", True), ("activity_date_deadline", True), ("my_activity_date_deadline", True),
            ("activity_type_icon", True), ("activity_exception_decoration", True), ("message_is_follower", True),
            ("message_follower_ids", False), ("message_partner_ids", False)]


@pytest.fixture
def lead(odoo):
    return odoo.call("crm.lead", "create", {"name": "Activity fields deal"}, context={"mail_create_nolog": True})


def activity(odoo, lead, **values):
    model_id = odoo.call("ir.model", "search", [["model", "=", "crm.lead"]])[0]
    return odoo.call("mail.activity", "create", {"res_model_id": model_id, "res_id": lead, **values})


@pytest.mark.parametrize("fname,readonly", READONLY, ids=[row[0] for row in READONLY])
def test_fields_get_says_which_mixin_fields_are_writable(odoo, fname, readonly):
    assert odoo.call("crm.lead", "fields_get", [fname], attributes=["readonly"])[fname]["readonly"] is readonly


def test_my_activity_deadline_is_the_callers_earliest(odoo, lead, user):
    """``_compute_my_activity_date_deadline`` depends on the caller (``depends_context('uid')``)."""
    sofia, _ = user("sofia")
    activity(odoo, lead, summary="Sofia's call", date_deadline="2026-04-01", user_id=sofia)
    [read] = odoo.call("crm.lead", "read", [lead], fields=["my_activity_date_deadline", "activity_date_deadline"])
    assert read["my_activity_date_deadline"] is False and read["activity_date_deadline"] == "2026-04-01"
    activity(odoo, lead, summary="Mine later", date_deadline="2026-04-20", user_id=odoo.uid)
    activity(odoo, lead, summary="Mine sooner", date_deadline="2026-04-10", user_id=odoo.uid)
    assert odoo.call("crm.lead", "read", [lead], fields=["my_activity_date_deadline"])[0]["my_activity_date_deadline"] == "2026-04-10"
    assert lead in odoo.call("crm.lead", "search", [["my_activity_date_deadline", "<=", "2026-04-10"]])
    assert lead not in odoo.call("crm.lead", "search", [["my_activity_date_deadline", "<", "2026-04-10"]])


def test_writing_the_summary_or_assignee_writes_the_next_activity(odoo, lead, user):
    """``_inverse_related`` writes the first activity (deadline order); with none, nothing happens."""
    lena, _ = user("lena")
    odoo.call("crm.lead", "write", [lead], {"activity_summary": "Nobody to write to"})
    assert odoo.call("crm.lead", "read", [lead], fields=["activity_summary"])[0]["activity_summary"] is False
    later = activity(odoo, lead, summary="Later", date_deadline="2026-05-02")
    sooner = activity(odoo, lead, summary="Sooner", date_deadline="2026-05-01")
    odoo.call("crm.lead", "write", [lead], {"activity_summary": "Call back", "activity_user_id": lena})
    rows = {row["id"]: row for row in odoo.call("mail.activity", "read", [sooner, later], fields=["summary", "user_id"])}
    assert (rows[sooner]["summary"], rows[sooner]["user_id"][0]) == ("Call back", lena)
    assert (rows[later]["summary"], rows[later]["user_id"][0]) == ("Later", odoo.uid)


def test_activity_ids_take_commands(odoo, lead):
    model_id = odoo.call("ir.model", "search", [["model", "=", "crm.lead"]])[0]
    odoo.call("crm.lead", "write", [lead], {"activity_ids": [(0, 0, {"res_model_id": model_id, "summary": "From a command",
                                                                      "date_deadline": "2026-05-03"})]})
    [created] = odoo.call("crm.lead", "read", [lead], fields=["activity_ids"])[0]["activity_ids"]
    assert odoo.call("mail.activity", "read", [created], fields=["res_id", "summary"])[0] == \
        {"id": created, "res_id": lead, "summary": "From a command"}
    odoo.call("crm.lead", "write", [lead], {"activity_ids": [(2, created)]})
    assert odoo.call("crm.lead", "read", [lead], fields=["activity_ids"])[0]["activity_ids"] == []


def test_partner_address_types(odoo):
    """res_partner.py ``type``: contact by default; 17.0 dropped the ``private`` type."""
    described = odoo.call("res.partner", "fields_get", ["type"], attributes=["selection", "type"])["type"]
    assert described == {"type": "selection", "selection": [["contact", "Contact"], ["invoice", "Invoice Address"],
                                                            ["delivery", "Delivery Address"], ["other", "Other Address"]]}
    company = odoo.call("res.partner", "create", {"name": "Typed BV", "is_company": True})
    delivery = odoo.call("res.partner", "create", {"name": "Warehouse", "parent_id": company, "type": "delivery"})
    rows = odoo.call("res.partner", "read", [company, delivery], fields=["type"])
    assert [row["type"] for row in rows] == ["contact", "delivery"]


def test_the_company(odoo):
    """res_company.py: the demo company, its partner and currency; records point at it."""
    [company] = odoo.call("res.company", "search_read", [], fields=["name", "partner_id", "currency_id", "country_id", "email"])
    assert (company["id"], company["name"], company["currency_id"][1]) == (1, "Lumen Works BV", "EUR")
    assert company["partner_id"][1] == "Lumen Works BV"
    assert odoo.call("res.users", "read", [odoo.uid], fields=["company_id"])[0]["company_id"] == [1, "Lumen Works BV"]
    invoice = odoo.call("account.move", "search", [["move_type", "=", "out_invoice"]], limit=1)
    assert odoo.call("account.move", "read", invoice, fields=["company_id"])[0]["company_id"][0] == 1
    assert odoo.call("ir.model.data", "search_read", [["module", "=", "base"], ["name", "=", "main_company"]],
                     fields=["res_id"])[0]["res_id"] == 1


def test_a_new_company_gets_its_partner(odoo):
    """res_company.py ``create``: a partner named after the company; name and email follow it."""
    new = odoo.call("res.company", "create", {"name": "Second Works", "email": "hello@second.example"})
    [company] = odoo.call("res.company", "read", [new], fields=["partner_id", "currency_id"])
    assert company["currency_id"][1] == "EUR"
    odoo.call("res.company", "write", [new], {"name": "Second Works BV"})
    partner = odoo.call("res.partner", "read", [company["partner_id"][0]], fields=["name", "email", "is_company", "company_id"])[0]
    assert (partner["name"], partner["email"], partner["is_company"], partner["company_id"][0]) == \
        ("Second Works BV", "hello@second.example", True, new)
