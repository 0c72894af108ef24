"""Draft expenses, employees, expense categories and chatter threads on the Odoo sandbox, over
real sockets with AIOM's client, held against what Odoo 17 does. Each rule test names the
Odoo source (odoo/odoo 17.0) it follows."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from integrations.odoo.client import OdooClient
from integrations.odoo.config import OdooConfig
from integrations.odoo.errors import OdooValidationError
from integrations.odoo.sandbox.schema_hr import EXPENSE_STATES

EXPENSE_FIELDS = ["name", "employee_id", "product_id", "total_amount_currency", "total_amount", "price_unit",
                  "quantity", "currency_id", "date", "state", "payment_mode", "description"]
NOT_SET = "- Create/update: a mandatory field is not set."


def client_for(handle, protocol="xmlrpc"):
    config = OdooConfig(url=handle.url, db=handle.db, username=handle.login, secret=handle.api_key, protocol=protocol,
                        timeout=10)
    return OdooClient(config, sleep=lambda seconds: None)


@pytest.fixture
def empty_odoo(odoo_sandbox_empty):
    with client_for(odoo_sandbox_empty) as client:
        yield client


def employee(odoo, name):
    [employee_id] = odoo.search("hr.employee", [("name", "=", name)])
    return employee_id


def category(odoo, code):
    [product_id] = odoo.search("product.product", [("default_code", "=", code)])
    return product_id


def today_in(zone):
    return datetime.now(ZoneInfo(zone)).date().isoformat()


def create_expense(odoo, **values):
    values = {"name": "Taxi to Brightline", "employee_id": employee(odoo, "Sofia Janssens"),
              "product_id": category(odoo, "TRAVEL"), "total_amount_currency": 23.0, **values}
    expense_id = odoo.create("hr.expense", values)
    return odoo.read("hr.expense", [expense_id], EXPENSE_FIELDS)[0]


# --- creating a draft expense -------------------------------------------------------------------

def test_a_draft_expense_reads_back_as_entered_with_odoo_defaults(odoo):
    sofia, meals = employee(odoo, "Sofia Janssens"), category(odoo, "MEALS")
    [eur] = odoo.search("res.currency", [("name", "=", "EUR")])
    expense_id = odoo.create("hr.expense", {"name": "Client lunch – Polder Foods", "employee_id": sofia,
                                            "product_id": meals, "total_amount_currency": 86.40, "date": "2025-03-10"})

    [expense] = odoo.read("hr.expense", [expense_id], EXPENSE_FIELDS)
    assert expense == {
        "id": expense_id, "name": "Client lunch – Polder Foods", "employee_id": [sofia, "Sofia Janssens"],
        "product_id": [meals, "[MEALS] Meals"], "date": "2025-03-10", "description": False,
        # hr_expense.py: mono-currency _compute_total_amount copies the amount entered; price_unit
        # is total / quantity for a category without a cost (_compute_price_unit)
        "total_amount_currency": 86.4, "total_amount": 86.4, "price_unit": 86.4, "quantity": 1.0,
        "currency_id": [eur, "EUR"], "state": "draft", "payment_mode": "own_account",
    }
    assert odoo.search("hr.expense", [("state", "=", "draft"), ("employee_id", "=", sofia)]) == [expense_id]


def test_the_date_defaults_to_today_in_the_context_or_user_timezone(odoo):
    """hr_expense.py ``date = fields.Date(default=fields.Date.context_today)``: the context's
    timezone, else the user's (the admin is in Europe/Brussels)."""
    before = {zone: today_in(zone) for zone in ("Europe/Brussels", "Pacific/Kiritimati")}
    brussels = create_expense(odoo)
    kiritimati_id = odoo.create("hr.expense", {"name": "Parking", "employee_id": brussels["employee_id"][0],
                                               "total_amount_currency": 4.5}, context={"tz": "Pacific/Kiritimati"})
    after = {zone: today_in(zone) for zone in before}

    assert brussels["date"] in {before["Europe/Brussels"], after["Europe/Brussels"]}
    assert odoo.read("hr.expense", [kiritimati_id], ["date"])[0]["date"] in {before["Pacific/Kiritimati"],
                                                                           after["Pacific/Kiritimati"]}


def test_a_category_with_a_cost_prices_the_quantity(odoo):
    """hr_expense.py ``_compute_total_amount_currency``: cost × quantity for a product with a
    ``standard_price`` (Mileage: 0.43 per km); ``_compute_name`` names it after the product."""
    expense_id = odoo.create("hr.expense", {"employee_id": employee(odoo, "Marc Dubreuil"),
                                            "product_id": category(odoo, "MIL"), "quantity": 120})
    [expense] = odoo.read("hr.expense", [expense_id], ["name", "price_unit", "total_amount_currency", "total_amount"])
    assert expense == {"id": expense_id, "name": "[MIL] Mileage", "price_unit": 0.43,
                       "total_amount_currency": 51.6, "total_amount": 51.6}


def test_changing_either_total_keeps_both_in_step(odoo):
    """hr_expense.py: ``_compute_total_amount`` follows ``total_amount_currency``;
    ``_inverse_total_amount`` copies a written ``total_amount`` back (one currency)."""
    expense = create_expense(odoo, total_amount_currency=40.0)
    odoo.write("hr.expense", [expense["id"]], {"total_amount_currency": 55.0})
    assert odoo.read("hr.expense", [expense["id"]], ["total_amount", "price_unit"])[0] == {
        "id": expense["id"], "total_amount": 55.0, "price_unit": 55.0}
    odoo.write("hr.expense", [expense["id"]], {"total_amount": 61.25})
    assert odoo.read("hr.expense", [expense["id"]], ["total_amount_currency"])[0]["total_amount_currency"] == 61.25


# --- the employee -------------------------------------------------------------------------------

def test_an_expense_with_no_employee_is_refused_like_a_missing_required_field(odoo, sandbox):
    """hr_expense.py ``employee_id`` is ``required=True``; odoo/service/model.py
    ``_as_validation_error`` words the NOT NULL violation."""
    with pytest.raises(OdooValidationError) as refused:
        odoo.create("hr.expense", {"name": "Hotel in Ghent", "employee_id": False, "total_amount_currency": 140.0})
    assert NOT_SET in refused.value.message
    assert "Model: Expense (hr.expense)\nField: Employee (employee_id)" in refused.value.message
    assert sandbox.store.tables["hr.expense"] == {}


def test_left_out_the_employee_is_the_callers_own(odoo):
    """hr_expense.py ``_default_employee_id`` / ``_compute_employee_id``: ``env.user.employee_id``."""
    expense_id = odoo.create("hr.expense", {"name": "Train to Antwerp", "total_amount_currency": 18.6})
    assert odoo.read("hr.expense", [expense_id], ["employee_id"])[0]["employee_id"] == [
        employee(odoo, "Mitchell Admin"), "Mitchell Admin"]


def test_a_caller_without_an_employee_gets_the_missing_field_fault(empty_odoo):
    """hr_expense.py ``_default_employee_id``: no employee and expense-approver rights (the admin)
    means no default, so the required column faults."""
    assert empty_odoo.search_count("hr.employee", []) == 0
    with pytest.raises(OdooValidationError) as refused:
        empty_odoo.create("hr.expense", {"name": "Taxi", "total_amount_currency": 20.0})
    assert NOT_SET in refused.value.message and "Field: Employee (employee_id)" in refused.value.message


def test_an_employee_for_a_user_takes_the_users_contact_and_name(odoo, sandbox):
    """hr_employee.py ``create`` → ``_sync_user``; one employee per user (``user_uniq``)."""
    [lena] = odoo.search("res.users", [("login", "=", "lena")])
    partner = odoo.read("res.users", [lena], ["partner_id", "email"])[0]
    partners_before = len(sandbox.store.tables["res.partner"])
    employee_id = odoo.create("hr.employee", {"user_id": lena})

    [created] = odoo.read("hr.employee", [employee_id], ["name", "work_contact_id", "work_email"])
    assert (created["name"], created["work_contact_id"][0], created["work_email"]) == (
        "Lena Vogel", partner["partner_id"][0], partner["email"])
    assert len(sandbox.store.tables["res.partner"]) == partners_before
    with pytest.raises(OdooValidationError) as refused:
        odoo.create("hr.employee", {"name": "Lena again", "user_id": lena})
    assert refused.value.message == ("The operation cannot be completed: "
                                     "A user cannot be linked to multiple employees in the same company.")


def test_an_employee_without_a_user_gets_a_work_contact(odoo):
    """hr_employee.py ``create`` → ``_create_work_contacts`` (hr_employee_base.py)."""
    employee_id = odoo.create("hr.employee", {"name": "Jan Peeters", "work_email": "jan@lumenworks.example"})
    contact = odoo.read("hr.employee", [employee_id], ["work_contact_id"])[0]["work_contact_id"]
    assert odoo.read("res.partner", [contact[0]], ["name", "email"])[0] == {
        "id": contact[0], "name": "Jan Peeters", "email": "jan@lumenworks.example"}


# --- what the API may and may not set -----------------------------------------------------------

def test_a_state_given_on_create_is_recomputed_to_draft(odoo):
    """hr_expense.py ``state``: ``compute='_compute_state', store=True, readonly=True`` without
    precompute, which odoo/models.py ``BaseModel.create`` does not protect, so ``_compute_state``
    runs and, with no ``sheet_id``, answers ``draft``."""
    for state in ("approved", "done", "reported"):
        assert create_expense(odoo, state=state)["state"] == "draft"


def test_a_state_written_later_is_stored_as_odoo_17_stores_it(odoo):
    """Odoo 17's ``BaseModel.write`` checks no readonly flag and ``_compute_state`` only reruns when
    ``sheet_id`` changes: a written state sticks. AIOM must never write it; Odoo won't stop it."""
    expense = create_expense(odoo)
    odoo.write("hr.expense", [expense["id"]], {"state": "approved"})
    assert odoo.read("hr.expense", [expense["id"]], ["state"])[0]["state"] == "approved"


def test_a_product_that_cannot_be_expensed_is_not_refused(odoo):
    """hr_expense.py ``product_id`` only carries ``domain=[('can_be_expensed', '=', True)]``, which
    Odoo applies in the UI and never checks on create: AIOM has to check it itself."""
    consulting = category(odoo, "CONSULT")
    assert odoo.read("product.product", [consulting], ["can_be_expensed"])[0]["can_be_expensed"] is False
    assert create_expense(odoo, product_id=consulting)["product_id"] == [consulting, "[CONSULT] Consulting day"]


# --- schema and demo data ------------------------------------------------------------------------

def test_fields_get_describes_the_fields_with_odoo_17_types(odoo):
    attributes = ["type", "required", "readonly", "relation", "selection"]
    expense = odoo.execute("hr.expense", "fields_get", attributes=attributes)
    assert {name: expense[name]["type"] for name in EXPENSE_FIELDS} == {
        "name": "char", "employee_id": "many2one", "product_id": "many2one", "total_amount_currency": "monetary",
        "total_amount": "monetary", "price_unit": "monetary", "quantity": "float", "currency_id": "many2one",
        "date": "date", "state": "selection", "payment_mode": "selection", "description": "text"}
    assert (expense["employee_id"]["relation"], expense["product_id"]["relation"]) == ("hr.employee", "product.product")
    assert [name for name in EXPENSE_FIELDS if expense[name]["required"]] == [
        "name", "employee_id", "price_unit", "quantity", "currency_id"]
    assert expense["state"]["selection"] == [list(option) for option in EXPENSE_STATES]
    assert [key for key, _ in expense["state"]["selection"]] == ["draft", "reported", "submitted", "approved", "done",
                                                                  "refused"]
    assert expense["state"]["readonly"] and not expense["total_amount_currency"]["readonly"]
    assert expense["payment_mode"]["selection"] == [["own_account", "Employee (to reimburse)"],
                                                    ["company_account", "Company"]]

    product = odoo.execute("product.product", "fields_get", ["can_be_expensed", "standard_price", "detailed_type"],
                           attributes=["type"])
    assert {name: info["type"] for name, info in product.items()} == {
        "can_be_expensed": "boolean", "standard_price": "float", "detailed_type": "selection"}
    staff = odoo.execute("hr.employee", "fields_get", ["user_id", "work_contact_id"], attributes=["relation"])
    assert (staff["user_id"]["relation"], staff["work_contact_id"]["relation"]) == ("res.users", "res.partner")


def test_the_expense_categories_are_the_products_that_can_be_expensed(odoo):
    categories = odoo.search_read("product.product", [("can_be_expensed", "=", True)], ["default_code", "name"])
    # product.product default order: priority desc, default_code, name, id
    assert [(row["default_code"], row["name"]) for row in categories] == [
        ("MEALS", "Meals"), ("MIL", "Mileage"), ("OFFICE", "Office supplies"), ("TRAVEL", "Travel")]
    assert odoo.search_count("product.product", []) == 5
    assert odoo.search_count("hr.expense", []) == 0


def test_the_empty_database_knows_the_models_but_holds_no_staff_or_categories(empty_odoo):
    for model in ("hr.employee", "product.product", "hr.expense"):
        assert empty_odoo.search_count(model, []) == 0
    assert empty_odoo.model_id("hr.expense")
    assert empty_odoo.search_count("mail.activity.type", []) == 5


# --- chatter threads ----------------------------------------------------------------------------

THREAD_FIELDS = ["date", "message_type", "subtype_id", "author_id", "email_from", "subject", "body"]


def thread(odoo, model, record_id):
    return odoo.search_read("mail.message", [("model", "=", model), ("res_id", "=", record_id)], THREAD_FIELDS)


def test_a_deal_thread_lists_customer_emails_and_notes_newest_first(odoo):
    [deal] = odoo.search("crm.lead", [("name", "=", "Cold chain audit – Polder Foods")])
    messages = thread(odoo, "crm.lead", deal)

    # mail.message _order = 'id desc'; the thread was written in date order
    assert [m["id"] for m in messages] == sorted((m["id"] for m in messages), reverse=True)
    assert [m["date"] for m in messages] == sorted((m["date"] for m in messages), reverse=True)
    assert [(m["message_type"], m["subtype_id"][1]) for m in messages] == [
        ("email", "Discussions"), ("comment", "Note"), ("email", "Discussions")]
    newest, note, first = messages
    assert newest["author_id"][1] == "Polder Foods BV, Bram de Vries"
    assert newest["email_from"] == '"Bram de Vries" <bram@polderfoods.example>'
    assert newest["subject"] == "Re: Cold chain audit – sites in scope"
    assert "<p>Could you send the revised quote including the Zwolle site by Wednesday?</p>" in newest["body"]
    assert note["subject"] is False and note["author_id"][1] == "Lumen Works BV, Sofia Janssens"


def test_every_deal_thread_holds_an_open_customer_question(odoo):
    names = ["Cold chain audit – Polder Foods", "Solar monitoring – Helios", "Booking engine – Silverleaf Hotels"]
    deals = odoo.search_read("crm.lead", [("name", "in", names)], ["name"])
    assert len(deals) == 3
    for deal in deals:
        emails = [m for m in thread(odoo, "crm.lead", deal["id"]) if m["message_type"] == "email"]
        assert emails and "?" in emails[0]["body"], deal["name"]


def test_an_overdue_invoice_thread_quotes_the_invoice_number(odoo):
    [invoice] = odoo.search_read("account.move", [
        ("partner_id.name", "=", "Brightline Logistics NV"), ("move_type", "=", "out_invoice"),
        ("payment_state", "=", "not_paid")], ["name"])
    note, email = thread(odoo, "account.move", invoice["id"])
    assert (email["message_type"], email["subject"]) == ("email", f"Invoice {invoice['name']}")
    assert f"cannot book invoice {invoice['name']}" in email["body"] and "Could you send" in email["body"]
    assert note["subtype_id"][1] == "Note" and note["author_id"][1] == "Lumen Works BV, Marc Dubreuil"


def test_a_note_posted_by_aiom_is_authored_and_addressed_as_odoo_does(odoo):
    """mail.thread ``message_post`` → ``_message_compute_author``: the caller's partner, ``email_from``
    its formatted address."""
    [deal] = odoo.search("crm.lead", [("name", "=", "Booking engine – Silverleaf Hotels")])
    message_id = odoo.message_post("crm.lead", deal, "Timeline sent to Grace.")
    [posted] = odoo.read("mail.message", [message_id], ["author_id", "email_from"])
    assert posted["author_id"][1] == "Lumen Works BV, Mitchell Admin"
    assert posted["email_from"] == '"Mitchell Admin" <admin@lumenworks.example>'
    assert thread(odoo, "crm.lead", deal)[0]["id"] == message_id


# --- JSON-2 -------------------------------------------------------------------------------------

def test_a_draft_expense_over_json2(sandbox):
    with client_for(sandbox, "json2") as odoo:
        expense = create_expense(odoo, name="Printer paper", product_id=category(odoo, "OFFICE"),
                                 total_amount_currency=31.9, state="approved")
        assert (expense["state"], expense["total_amount"], expense["product_id"][1]) == (
            "draft", 31.9, "[OFFICE] Office supplies")
        with pytest.raises(OdooValidationError) as refused:
            odoo.create("hr.expense", {"name": "Hotel", "employee_id": False})
        assert "Field: Employee (employee_id)" in refused.value.message
