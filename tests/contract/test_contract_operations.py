"""Each safe operation AIOM performs in Odoo, run through the operation code the executor calls,
on records the suite creates; then read back as an Odoo user would see them."""

from datetime import date, timedelta

import pytest

from actions.operations import OperationRefused, perform

from .conftest import TAG, context_for


@pytest.fixture
def partner(created):
    return created.create("res.partner", {"name": "Customer", "email": "contract@example.com"})


def test_an_internal_note_lands_in_the_chatter(contract_odoo, created, partner):
    context = context_for(contract_odoo, "note_on_record", {"model": "res.partner", "record_id": partner,
                                                            "body": "Checked by AIOM.\nSecond line <b>not bold</b>"})

    result = perform(context)
    message_id = result.external_ids["mail.message"]
    created.add("mail.message", message_id)

    (message,) = contract_odoo.read("mail.message", [message_id], ["model", "res_id", "body", "message_type"])
    assert (message["model"], message["res_id"], message["message_type"]) == ("res.partner", partner, "comment")
    assert "Checked by AIOM." in message["body"] and context.reference in message["body"]
    assert "<b>" not in message["body"]  # the text stays text


def test_a_retried_note_is_not_posted_twice(contract_odoo, created, partner):
    inputs = {"model": "res.partner", "record_id": partner, "body": "Only once."}
    context = context_for(contract_odoo, "note_on_record", inputs)
    first = perform(context)
    created.add("mail.message", first.external_ids["mail.message"])

    again = perform(context_for(contract_odoo, "note_on_record", inputs, retrying=True,
                                action_id=str(context.action_id)))

    assert again.external_ids == first.external_ids
    assert contract_odoo.search_count("mail.message", [("model", "=", "res.partner"), ("res_id", "=", partner),
                                                       ("body", "ilike", context.reference)]) == 1


def test_an_activity_is_scheduled_on_the_record(contract_odoo, created, partner):
    deadline = date.today() + timedelta(days=3)
    created.watch("mail.activity", "summary")
    context = context_for(contract_odoo, "schedule_deal_call", {
        "model": "res.partner", "record_id": partner, "activity_type": "call",
        "summary": f"{TAG} Call back", "note": "About the open quote.", "date_deadline": deadline.isoformat()})

    result = perform(context)
    activity_id = result.external_ids["mail.activity"]
    created.add("mail.activity", activity_id)

    (activity,) = contract_odoo.read("mail.activity", [activity_id],
                                     ["res_model", "res_id", "summary", "date_deadline", "activity_type_id", "note"])
    assert (activity["res_model"], activity["res_id"]) == ("res.partner", partner)
    assert activity["summary"] == f"{TAG} Call back"
    assert activity["date_deadline"] == deadline.isoformat()
    assert activity["activity_type_id"][0] == contract_odoo.xmlid_to_res_id("mail.mail_activity_data_call")
    assert context.reference in activity["note"]


def test_a_task_with_a_subtask_is_created_once(contract_odoo, created, needs):
    needs("project.project", "project.task", app="Project")
    project = created.create("project.project", {"name": "Project"})
    created.watch("project.task")
    inputs = {"project_id": project, "name": f"{TAG} Call the customer", "description": "Ask about the invoice.",
              "priority": "1", "date_deadline": (date.today() + timedelta(days=2)).isoformat(),
              "subtasks": [{"name": f"{TAG} Check the payment terms"}]}
    context = context_for(contract_odoo, "create_staff_task", inputs)

    first = perform(context)
    task_id, subtask_ids = first.external_ids["project.task"], first.external_ids["subtasks"]
    created.add("project.task", task_id, *subtask_ids)
    retried = perform(context_for(contract_odoo, "create_staff_task", inputs, retrying=True,
                                  action_id=str(context.action_id)))

    assert retried.external_ids == first.external_ids
    assert "found from an earlier attempt" in retried.summary
    tasks = contract_odoo.read("project.task", [task_id, *subtask_ids],
                               ["name", "project_id", "parent_id", "priority", "description"])
    assert [(t["name"], t["project_id"][0], t["parent_id"] and t["parent_id"][0]) for t in tasks] == [
        (f"{TAG} Call the customer", project, False), (f"{TAG} Check the payment terms", project, task_id)]
    assert tasks[0]["priority"] == "1" and "Ask about the invoice." in tasks[0]["description"]


def test_a_deal_moves_stage_only_from_the_expected_one(contract_odoo, created, needs):
    needs("crm.lead", "crm.stage", app="CRM")
    stages = contract_odoo.search("crm.stage", [("is_won", "=", False)], order="sequence, id", limit=3)
    if len(stages) < 3:
        pytest.skip("The CRM pipeline needs three stages that are not won for this check.")
    first, second, third = stages
    lead = created.create("crm.lead", {"name": "Deal", "type": "opportunity", "stage_id": first})

    def move(expected, new):
        return perform(context_for(contract_odoo, "advance_deal_stage", {
            "model": "crm.lead", "record_id": lead, "expected_stage_id": expected, "new_stage_id": new}))

    moved = move(first, second)
    again = move(first, second)
    with pytest.raises(OperationRefused, match="not the expected"):
        move(first, third)

    assert moved.details == {"before": first, "after": second}
    assert "already in stage" in again.summary
    assert contract_odoo.read("crm.lead", [lead], ["stage_id"])[0]["stage_id"][0] == second


def _company_currency(odoo, installed_models) -> int:
    if "res.company" in installed_models:
        (user,) = odoo.read("res.users", [odoo.uid], ["company_id"])
        (company,) = odoo.read("res.company", [user["company_id"][0]], ["currency_id"])
        return company["currency_id"][0]
    return odoo.search("res.currency", [], limit=1)[0]


def test_a_draft_expense_is_recorded(contract_odoo, created, needs, installed_models):
    needs("hr.expense", "hr.employee", app="Expenses")
    employees = contract_odoo.search("hr.employee", [], limit=1, order="id asc")
    products = contract_odoo.search("product.product", [("can_be_expensed", "=", True)], limit=1, order="id asc")
    if not employees or not products:
        pytest.skip("Recording an expense needs an employee and an expense category on this Odoo.")
    created.watch("hr.expense")
    context = context_for(contract_odoo, "record_expense", {
        "employee_id": employees[0], "product_id": products[0], "name": f"{TAG} Taxi", "total_amount": 42.5,
        "currency_id": _company_currency(contract_odoo, installed_models), "date": date.today().isoformat(),
        "description": "To the client."})

    result = perform(context)
    expense_id = result.external_ids["hr.expense"]
    created.add("hr.expense", expense_id)

    (expense,) = contract_odoo.read("hr.expense", [expense_id],
                                    ["name", "employee_id", "total_amount_currency", "state", "description"])
    assert result.details == {"state": "draft"} and expense["state"] == "draft"
    assert (expense["name"], expense["employee_id"][0]) == (f"{TAG} Taxi", employees[0])
    assert expense["total_amount_currency"] == 42.5
    assert context.reference in expense["description"]
