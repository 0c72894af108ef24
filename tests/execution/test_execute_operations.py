"""Each safe operation does its one thing in Odoo (the sandbox, over sockets), and only that."""

import pytest

from actions import services
from actions.models import ActionStatus, ScheduledFollowUp
from actions.types import ActionType
from tests.actions.protocols import protocol_for
from tests.integrations.servers import HttpTestServer


def _run(org, approver, document):
    action = services.approve(services.propose(org, document, source="analyzer"), approver)
    outcome = services.execute(action.pk)
    action.refresh_from_db()
    return action, outcome


def _retarget(document, model, record_id, checks=None):
    document["affected_records"] = {"odoo_model": model, "odoo_ids": [record_id]}
    document["revalidation_plan"] = {"checks": checks or [
        {"check_id": "exists", "predicate": {"type": "odoo_record_exists", "model": model, "id": record_id}}]}
    return document


@pytest.fixture
def project_and_user(odoo):
    project = odoo.search_read("project.project", [], ["name"], limit=1, order="id asc")[0]
    user = odoo.search_read("res.users", [("login", "!=", "admin")], ["name"], limit=1, order="id asc")[0]
    return project["id"], user["id"]


@pytest.fixture
def lead(odoo):
    return odoo.search_read("crm.lead", [("type", "=", "opportunity"), ("stage_id.is_won", "=", False)],
                            ["name", "stage_id"], limit=1, order="id asc")[0]


def test_staff_task_with_subtasks_is_created_once(connected_org, approver, odoo, project_and_user):
    project_id, user_id = project_and_user
    document = _retarget(protocol_for(ActionType.CREATE_STAFF_TASK), "project.project", project_id)
    document["operation"]["inputs"].update(project_id=project_id, assignee_user_ids=[user_id],
                                           description="Amount <b>due</b>: 1,250.00 EUR",
                                           subtasks=[{"name": "Check the bank"}, {"name": "Call the customer"}])
    action, outcome = _run(connected_org, approver, document)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail
    task_id = action.result["external_ids"]["project.task"]
    task = odoo.read("project.task", [task_id], ["name", "project_id", "user_ids", "child_ids", "description"])[0]
    assert task["name"] == "Call the customer about INV/2025/0042"
    assert task["project_id"][0] == project_id and task["user_ids"] == [user_id]
    assert f"AIOM-REF:{action.pk}" in task["description"]
    assert "<p>Amount &lt;b&gt;due&lt;/b&gt;: 1,250.00 EUR</p>" in task["description"]
    children = odoo.read("project.task", task["child_ids"], ["name", "parent_id"])
    assert sorted(c["name"] for c in children) == ["Call the customer", "Check the bank"]
    assert odoo.search_count("project.task", [("description", "ilike", f"AIOM-REF:{action.pk}")]) == 3


def test_retry_after_a_crash_finds_the_task_instead_of_creating_another(connected_org, approver, odoo,
                                                                        project_and_user):
    from datetime import timedelta

    from django.utils import timezone

    from actions import execution, sweeper
    from actions.models import OutboundRecord

    project_id, _ = project_and_user
    document = _retarget(protocol_for(ActionType.CREATE_STAFF_TASK), "project.project", project_id)
    document["operation"]["inputs"].update(project_id=project_id, subtasks=[], assignee_user_ids=[])
    action = services.approve(services.propose(connected_org, document, source="analyzer"), approver)
    # A worker created the task in Odoo, then died before recording it:
    claimed = execution._claim(action.pk, timezone.now())
    OutboundRecord.objects.create(organization=connected_org, action=claimed, key=f"{action.pk}:create_odoo_task",
                                  channel="odoo")
    odoo.create("project.task", {"name": "Call the customer about INV/2025/0042", "project_id": project_id,
                                 "description": f"<p><small>AIOM-REF:{action.pk}</small></p>"})
    sweeper.sweep(now=timezone.now() + timedelta(seconds=execution.lease_seconds() + 1))
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert odoo.search_count("project.task", [("description", "ilike", f"AIOM-REF:{action.pk}")]) == 1
    action.refresh_from_db()
    assert "found from an earlier attempt" in action.result["summary"]


def test_stage_moves_only_from_the_expected_stage(connected_org, approver, odoo, lead):
    stages = odoo.search_read("crm.stage", [("is_won", "=", False)], ["name"], order="sequence asc, id asc")
    current = lead["stage_id"][0]
    target = next(stage["id"] for stage in stages if stage["id"] != current)
    document = _retarget(protocol_for(ActionType.ADVANCE_DEAL_STAGE), "crm.lead", lead["id"])
    document["operation"]["inputs"].update(record_id=lead["id"], expected_stage_id=current, new_stage_id=target)
    document["proposed_changes"][0].update(record_id=lead["id"], before=current, after=target)
    action, outcome = _run(connected_org, approver, document)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail
    assert odoo.read("crm.lead", [lead["id"]], ["stage_id"])[0]["stage_id"][0] == target

    # The same move proposed again, now that the deal is elsewhere: refused, nothing written.
    again = _retarget(protocol_for(ActionType.ADVANCE_DEAL_STAGE), "crm.lead", lead["id"])
    again["operation"]["inputs"].update(record_id=lead["id"], expected_stage_id=current,
                                        new_stage_id=next(s["id"] for s in stages if s["id"] not in (current, target)))
    action, outcome = _run(connected_org, approver, again)
    assert action.status == ActionStatus.FAILED
    assert f"is in stage {target}, not the expected {current}; nothing was changed" in action.error
    assert odoo.read("crm.lead", [lead["id"]], ["stage_id"])[0]["stage_id"][0] == target


def test_moved_deal_comes_back_for_approval_with_the_new_stage(connected_org, approver, odoo, sandbox, lead):
    stages = [s["id"] for s in odoo.search_read("crm.stage", [("is_won", "=", False)], ["name"], order="id asc")]
    current = lead["stage_id"][0]
    elsewhere, target = [s for s in stages if s != current][:2]
    document = _retarget(protocol_for(ActionType.ADVANCE_DEAL_STAGE), "crm.lead", lead["id"], checks=[
        {"check_id": "still-in-stage", "severity_on_fail": "require_reapproval",
         "predicate": {"type": "odoo_field_in", "model": "crm.lead", "id": lead["id"], "field": "stage_id",
                       "allowed": [current]}}])
    document["operation"]["inputs"].update(record_id=lead["id"], expected_stage_id=current, new_stage_id=target)
    document["proposed_changes"][0].update(record_id=lead["id"], before=current, after=target)
    odoo.write("crm.lead", [lead["id"]], {"stage_id": elsewhere})
    action, outcome = _run(connected_org, approver, document)
    assert action.status == ActionStatus.PENDING_APPROVAL and action.revision == 2
    revised = action.parsed
    assert revised.operation.inputs.expected_stage_id == elsewhere
    assert revised.proposed_changes[0].before == elsewhere
    assert odoo.read("crm.lead", [lead["id"]], ["stage_id"])[0]["stage_id"][0] == elsewhere
    assert services.approve(action, approver).status == ActionStatus.APPROVED
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert odoo.read("crm.lead", [lead["id"]], ["stage_id"])[0]["stage_id"][0] == target


def test_call_activity_is_scheduled_on_the_deal(connected_org, approver, odoo, lead):
    document = _retarget(protocol_for(ActionType.SCHEDULE_DEAL_CALL), "crm.lead", lead["id"])
    document["operation"]["inputs"].update(record_id=lead["id"])
    action, outcome = _run(connected_org, approver, document)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail
    activity = odoo.read("mail.activity", [action.result["external_ids"]["mail.activity"]],
                         ["res_model", "res_id", "activity_type_id", "summary"])[0]
    assert (activity["res_model"], activity["res_id"]) == ("crm.lead", lead["id"])
    assert activity["activity_type_id"][0] == odoo.xmlid_to_res_id("mail.mail_activity_data_call")
    assert activity["summary"] == "Call about the stalled proposal"


def test_internal_note_lands_in_the_chatter_escaped(connected_org, approver, odoo, lead):
    document = _retarget(protocol_for(ActionType.NOTE_ON_RECORD), "crm.lead", lead["id"])
    document["operation"]["inputs"].update(model="crm.lead", record_id=lead["id"],
                                           body="Customer said <script>x()</script> on the phone.")
    action, outcome = _run(connected_org, approver, document)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail
    message = odoo.read("mail.message", [action.result["external_ids"]["mail.message"]], ["body", "model", "res_id"])[0]
    assert (message["model"], message["res_id"]) == ("crm.lead", lead["id"])
    assert "Customer said &lt;script&gt;x()&lt;/script&gt; on the phone." in message["body"]
    assert "<script>" not in message["body"] and "&amp;lt;" not in message["body"]


def test_follow_up_is_scheduled_inside_aiom(connected_org, approver):
    action, outcome = _run(connected_org, approver, protocol_for(ActionType.SCHEDULE_NEXT_FOLLOW_UP))
    assert outcome.status == ActionStatus.EXECUTED
    follow_up = ScheduledFollowUp.objects.get(action=action)
    assert follow_up.channel == "email" and follow_up.reason == "No answer to the reminder yet."


def test_sms_goes_through_the_gateway_once_with_its_idempotency_key(connected_org, approver, odoo, settings,
                                                                     overdue_invoice):
    with HttpTestServer() as gateway:
        gateway.answer(200, {"id": "sms-1", "status": "queued"})
        settings.SMS_SERVER_URL, settings.SMS_SERVER_API_KEY = gateway.url, "sms-secret"
        settings.SMS_DEFAULT_FROM = "+3212345678"
        document = _retarget(protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS), "account.move",
                             overdue_invoice["id"])
        document["operation"]["inputs"].update(related_id=overdue_invoice["id"])
        action, outcome = _run(connected_org, approver, document)
        assert outcome.status == ActionStatus.EXECUTED, outcome.detail
        assert len(gateway.requests) == 1
        request = gateway.requests[0]
        assert request.headers["Idempotency-Key"] == str(action.pk)
        assert request.json()["message"] == document["operation"]["inputs"]["body"]
    assert action.result["external_ids"]["sms"] == "sms-1"
    assert odoo.search_count("mail.message", [("model", "=", "account.move"), ("res_id", "=", overdue_invoice["id"]),
                                              ("body", "ilike", "SMS sent by AIOM")]) == 1


def test_sms_gateway_down_is_retried_then_fails_without_sending(connected_org, approver, settings, overdue_invoice):
    from actions import execution
    from tests.integrations.servers import free_port

    settings.SMS_SERVER_URL, settings.SMS_SERVER_API_KEY = f"http://127.0.0.1:{free_port()}", "k"
    document = _retarget(protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS), "account.move", overdue_invoice["id"])
    action = services.approve(services.propose(connected_org, document, source="analyzer"), approver)
    statuses = []
    for _ in range(execution.MAX_ATTEMPTS):
        action.refresh_from_db()
        statuses.append(execution.execute(action.pk, now=action.not_before).status)
    assert statuses == ["retrying", "retrying", ActionStatus.FAILED]
    action.refresh_from_db()
    assert "unreachable" in action.error
