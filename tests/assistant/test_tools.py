"""Each assistant command, end to end against the Odoo sandbox: typed text → a proposal through
`propose()` → approval → the executor → the result in Odoo (or at the mail server); and the
read-only answers."""

import pytest

from actions import services
from actions.models import Action, ActionStatus
from aiom.errors import ApplicationError, NotAllowed
from assistant.services import handle


def _invoice(odoo, partner_id: int, payment_state: str) -> dict:
    """The demo's invoices are dated from today (their numbers from their year): found, not named."""
    return odoo.search_read("account.move", [("partner_id", "=", partner_id), ("move_type", "=", "out_invoice"),
                                             ("state", "=", "posted"), ("payment_state", "=", payment_state)],
                            ["name"], order="id asc", limit=1)[0]


@pytest.fixture
def any_hour(connected_org):
    """Sending hours that do not depend on when the suite runs (messages check them when sent)."""
    import datetime

    from actions.models import GuardrailPolicy

    GuardrailPolicy.objects.filter(organization=connected_org).update(
        business_hours_start=datetime.time(0, 0), business_hours_end=datetime.time(23, 59, 59), weekends_off=False)
    return connected_org


@pytest.fixture
def emmas_invoice(odoo):
    return _invoice(odoo, 37, "not_paid")  # Emma Claes: overdue, with an email address


def _execute(action, approver):
    approved = services.approve(action, approver, protocol_hash=action.protocol_hash)
    outcome = services.execute(approved.pk)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail
    return Action.objects.get(pk=action.pk)


def test_create_task_on_a_deal_becomes_a_task_with_its_deal(connected_org, approver, odoo):
    answer = handle(connected_org, approver, "create task: Send the revised quote due 2026-12-18 for Sofia "
                                             "on deal ERP rollout")
    assert answer.kind == "proposed", answer.message
    action = answer.action
    assert (action.status, action.source, action.created_by) == (ActionStatus.PENDING_APPROVAL, "assistant",
                                                                  f"user:{approver.pk}")
    assert (action.target_model, action.target_id) == ("crm.lead", 18)
    done = _execute(action, approver)
    task = odoo.read("project.task", [done.result["external_ids"]["project.task"]],
                     ["name", "date_deadline", "user_ids", "partner_id", "description", "project_id"])[0]
    assert task["name"] == "Send the revised quote"
    assert str(task["date_deadline"]).startswith("2026-12-18")
    assert task["user_ids"] == [3]  # Sofia Janssens
    assert task["partner_id"][0] == 8  # the deal's customer
    assert "ERP rollout" in task["description"]


def test_the_same_command_twice_is_one_action(connected_org, approver):
    first = handle(connected_org, approver, "create task: Check stock levels")
    again = handle(connected_org, approver, "Create task:   check stock levels.")
    assert again.action.pk == first.action.pk
    assert Action.objects.filter(organization=connected_org).count() == 1


def test_note_on_an_invoice_lands_in_its_chatter(connected_org, approver, odoo, emmas_invoice):
    answer = handle(connected_org, approver, f"note on invoice {emmas_invoice['name']}: Customer called, pays Friday")
    done = _execute(answer.action, approver)
    message = odoo.read("mail.message", [done.result["external_ids"]["mail.message"]], ["body", "model", "res_id"])[0]
    assert (message["model"], message["res_id"]) == ("account.move", emmas_invoice["id"])
    assert "Customer called, pays Friday" in message["body"]


def test_call_schedules_a_call_activity_on_the_customer(connected_org, approver, odoo):
    answer = handle(connected_org, approver, "call Helios Solar on 2026-12-09")
    done = _execute(answer.action, approver)
    activity = odoo.read("mail.activity", [done.result["external_ids"]["mail.activity"]],
                         ["res_model", "res_id", "date_deadline", "summary"])[0]
    assert (activity["res_model"], activity["res_id"]) == ("res.partner", 16)
    assert str(activity["date_deadline"]) == "2026-12-09" and activity["summary"] == "Call Helios Solar BV"


def test_remind_sends_the_same_safe_reminder_an_analysis_would(any_hour, connected_org, approver, smtp,
                                                                emmas_invoice):
    answer = handle(connected_org, approver, f"remind Emma Claes about {emmas_invoice['name']}")
    assert answer.kind == "proposed", answer.message
    action = answer.action
    inputs = action.parsed.operation.inputs
    assert inputs.to == ["emma.claes@mail.example"] and emmas_invoice["name"] in inputs.body
    assert action.protocol["metadata"]["requested"]
    checks = {check["check_id"] for check in action.protocol["revalidation_plan"]["checks"]}
    assert {"still-unpaid", "amount-unchanged", "no-recent-contact", "business-hours"} <= checks
    _execute(action, approver)
    assert [m.rcpt_tos for m in smtp.received] == [["emma.claes@mail.example"]]


def test_remind_about_another_customers_invoice_is_not_found(connected_org, approver, emmas_invoice):
    with pytest.raises(ApplicationError, match="no invoice called"):
        handle(connected_org, approver, f"remind Helios Solar about {emmas_invoice['name']}")
    assert not Action.objects.exists()


def test_remind_about_a_paid_invoice_says_so(connected_org, approver, odoo):
    paid = _invoice(odoo, 8, "paid")  # Dubois & Fils SA
    with pytest.raises(ApplicationError, match="not open in Odoo"):
        handle(connected_org, approver, f"remind Dubois & Fils SA about {paid['name']}")


def test_draft_email_uses_the_template_and_reaches_the_mail_server(any_hour, connected_org, approver, smtp):
    answer = handle(connected_org, approver, "draft email to Kinetic Labs about the migration timeline")
    action = answer.action
    inputs = action.parsed.operation.inputs
    assert inputs.to == ["info@kineticlabs.example"]
    assert inputs.subject == "the migration timeline"
    assert "Dear Kinetic Labs GmbH" in inputs.body and "About: the migration timeline" in inputs.body
    _execute(action, approver)
    assert smtp.received[0].message["Subject"] == "the migration timeline"


def test_a_name_that_fits_several_records_asks_which(connected_org, approver):
    answer = handle(connected_org, approver, "call Verhoeven")
    assert answer.kind == "choose" and not Action.objects.exists()
    labels = [choice["label"] for choice in answer.choices]
    assert any("Atelier Verhoeven" in label for label in labels) and any("Joris" in label for label in labels)
    chosen = handle(connected_org, approver, answer.choices[0]["text"])
    assert chosen.kind == "proposed" and chosen.action.target_id in (14, 15)


def test_an_unknown_name_is_a_clear_error(connected_org, approver):
    with pytest.raises(ApplicationError, match="no customer called “Nobody Industries”"):
        handle(connected_org, approver, "call Nobody Industries")


def test_unknown_commands_list_what_is_understood(connected_org, approver):
    answer = handle(connected_org, approver, "make me a sandwich")
    assert answer.kind == "not_understood" and any("create task" in s for s in answer.suggestions)


def test_a_viewer_may_ask_questions_but_not_for_actions(connected_org, viewer):
    with pytest.raises(NotAllowed):
        handle(connected_org, viewer, "create task: Count the chairs")
    assert handle(connected_org, viewer, "health check").kind == "answer"


def test_summarize_reads_the_records_thread(connected_org, approver, odoo):
    odoo.execute("mail.message", "create", {"model": "crm.lead", "res_id": 19, "message_type": "email",
                                            "author_id": 17, "body": "<p>Thanks for the proposal. Could you send "
                                            "the SLA terms?</p><p>We sign next week.</p>"})
    answer = handle(connected_org, approver, "summarize deal Support contract")
    assert answer.kind == "answer" and not Action.objects.exists()
    summary = answer.summary
    assert summary["messages"] >= 1 and summary["written_by"] == "extract"
    assert "Could you send the SLA terms?" in summary["open_questions"]
    assert any("Femke Visser (customer)" in point and "Thanks for the proposal." in point
               for point in summary["key_points"])


def test_health_check_answers_at_once_for_each_part(connected_org, approver):
    answer = handle(connected_org, approver, "health check")
    names = [check["name"] for check in answer.checks]
    assert names == ["Odoo", "Database", "Message broker", "Workers", "Email", "SMS", "Claude"]
    by_name = {check["name"]: check for check in answer.checks}
    assert by_name["Odoo"]["ok"] and by_name["Database"]["ok"]
    assert by_name["Workers"]["ok"] is False  # no worker runs in this test
    assert "Workers" in answer.message


def test_own_high_risk_proposal_needs_someone_else(connected_org, approver, second_approver):
    answer = handle(connected_org, approver, "create task: Renegotiate the lease")
    action = Action.objects.get(pk=answer.action.pk)
    action.risk_level = "high"
    action.save(update_fields=["risk_level"])
    with pytest.raises(NotAllowed, match="someone else"):
        services.approve(action, approver, protocol_hash=action.protocol_hash)
    assert services.approve(action, second_approver, protocol_hash=action.protocol_hash).status == ActionStatus.APPROVED


def test_summaries_of_the_demo_threads_read_like_notes_of_a_colleague(connected_org, approver):
    cold_chain = handle(connected_org, approver, "summarize deal Cold chain audit").summary
    assert cold_chain["open_questions"] == [
        "Could you send the revised quote including the Zwolle site by Wednesday?",
        "Also, does the price include the on-site training for our shift leads?"]
    assert " · Lumen Works BV, Sofia Janssens (note): Called Bram" in cold_chain["key_points"][1]
    # The customer's question was answered from the chatter: nothing is open.
    solar = handle(connected_org, approver, "summarize deal Solar monitoring").summary
    assert solar["open_questions"] == [] and "(message): SMA is supported today." in solar["key_points"][1]
