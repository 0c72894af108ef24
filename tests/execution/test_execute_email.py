"""An approved reminder runs once, only while it is still true, and everything is recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from actions import execution, guardrails, services, sweeper
from actions.models import (ActionStatus, ExecutionLog, GuardrailPolicy, LedgerStatus, Notice, OutboundRecord,
                            OutreachState)
from audit.models import ActionEvent, EventType
from audit.services import verify_chain

from .actions import reminder


def _approved(org, approver, document):
    action = services.propose(org, document, source="analyzer")
    return services.approve(action, approver)


def test_approved_reminder_sends_exactly_the_approved_email_once(connected_org, approver, smtp, odoo, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    outcome = services.execute(action.pk)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail

    assert len(smtp.received) == 1
    mail = smtp.received[0].message
    inputs = action.parsed.operation.inputs
    assert mail["Subject"] == inputs.subject
    assert mail["Message-ID"] == f"<{action.pk}@aiom.local>"
    assert smtp.received[0].rcpt_tos == [overdue_invoice["partner"]["email"]]
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == inputs.body
    assert "still open" in mail.get_body(("html",)).get_content()

    notes = odoo.search_read("mail.message", [("model", "=", "account.move"), ("res_id", "=", overdue_invoice["id"]),
                                              ("body", "ilike", f"AIOM-REF:{action.pk}")], ["body"])
    assert len(notes) == 1 and "Email sent by AIOM" in notes[0]["body"]

    action.refresh_from_db()
    assert action.executed_at and action.result["external_ids"]["mail.message"] == notes[0]["id"]
    assert OutboundRecord.objects.get(action=action).status == LedgerStatus.SENT
    assert OutreachState.objects.get(organization=connected_org, partner_id=overdue_invoice["partner"]["id"],
                                     channel="email").last_action_id == action.pk
    log = ExecutionLog.objects.get(action=action)
    assert log.outcome == "executed" and [s["step"] for s in log.steps] == [
        "claim", "guardrails", "revalidate", "ledger", "operation", "record"]
    events = list(ActionEvent.objects.filter(action_id=action.pk).values_list("event_type", flat=True))
    assert events[-2:] == [EventType.EXECUTING, EventType.EXECUTED]
    assert verify_chain(connected_org).ok
    [notice] = Notice.objects.filter(user=approver, action=action)  # the approver hears how it ended
    assert (notice.level, notice.text) == ("success", f"Executed: {action.title}")


def test_running_it_again_sends_nothing(connected_org, approver, smtp, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    again = services.execute(action.pk)
    assert again.status == ActionStatus.EXECUTED and "not claimable" in again.detail
    assert len(smtp.received) == 1


def test_invoice_paid_since_proposal_blocks_the_reminder(connected_org, approver, smtp, sandbox, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    with sandbox.store.transaction():
        sandbox.store.update("account.move", overdue_invoice["id"], {"payment_state": "paid", "amount_residual": 0.0})
    outcome = services.execute(action.pk)
    action.refresh_from_db()
    assert action.status == ActionStatus.BLOCKED
    assert "The invoice was paid in the meantime." in action.status_reason
    assert smtp.received == []
    event = ActionEvent.objects.filter(action_id=action.pk).last()
    assert event.event_type == EventType.REVALIDATION_FAILED
    assert {c["check_id"]: c["ok"] for c in event.data["checks"]}["unpaid"] is False
    assert outcome.status == ActionStatus.BLOCKED


def test_deleted_invoice_blocks(connected_org, approver, smtp, sandbox, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    with sandbox.store.transaction():
        sandbox.store.delete("account.move", overdue_invoice["id"])
    assert services.execute(action.pk).status == ActionStatus.BLOCKED
    action.refresh_from_db()
    assert "no longer exists" in action.status_reason
    assert smtp.received == []


def test_outside_sending_hours_defers_instead_of_failing(connected_org, approver, smtp, overdue_invoice):
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    last_monday = today - timedelta(days=today.weekday() or 7)
    monday_evening = last_monday + timedelta(hours=20)  # after the 09:00–17:00 UTC window
    window = {"type": "quiet_hours_ok", "timezone": "UTC", "weekends": False, "start": "09:00", "end": "17:00"}
    action = _approved(connected_org, approver, reminder(overdue_invoice, checks=[
        {"check_id": "hours", "predicate": window}]))
    outcome = execution.execute(action.pk, now=monday_evening)
    action.refresh_from_db()
    assert outcome.status == "deferred" and "it waits until 09:00 on Tue" in outcome.detail
    assert action.status == ActionStatus.APPROVED
    assert action.not_before == last_monday + timedelta(days=1, hours=9)
    assert smtp.received == []
    assert execution.execute(action.pk, now=monday_evening).status == ActionStatus.APPROVED  # not due: not claimed
    assert execution.execute(action.pk, now=action.not_before).status == ActionStatus.EXECUTED
    assert len(smtp.received) == 1


def test_partner_contacted_recently_defers_the_second_reminder(connected_org, approver, smtp, overdue_invoice):
    first = _approved(connected_org, approver, reminder(overdue_invoice, checks=[]))
    assert services.execute(first.pk).status == ActionStatus.EXECUTED
    second = _approved(connected_org, approver, reminder(overdue_invoice, checks=[]))
    outcome = services.execute(second.pk)
    second.refresh_from_db()
    assert outcome.status == "deferred" and "outreach window" in outcome.detail
    assert second.not_before > timezone.now() + timedelta(hours=3)
    assert len(smtp.received) == 1


@pytest.mark.parametrize("behaviour, status", [("defer", ActionStatus.APPROVED), ("deny", ActionStatus.DENIED)])
def test_rate_limit_defers_or_denies_per_policy(connected_org, approver, smtp, overdue_invoice, behaviour, status):
    policy = guardrails.policy_for(connected_org)
    GuardrailPolicy.objects.filter(pk=policy.pk).update(emails_per_hour=1, on_rate_limit=behaviour,
                                                        email_window_hours=0)
    first = _approved(connected_org, approver, reminder(overdue_invoice, checks=[]))
    services.execute(first.pk)
    second = _approved(connected_org, approver, reminder(overdue_invoice, checks=[]))
    services.execute(second.pk)
    second.refresh_from_db()
    assert second.status == status
    assert "limit of 1 emails per hour is reached" in second.status_reason
    assert len(smtp.received) == 1


def test_expired_before_running_expires(connected_org, approver, smtp, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    later = action.expires_at + timedelta(minutes=1)
    assert execution.execute(action.pk, now=later).status == ActionStatus.EXPIRED
    assert smtp.received == []


def test_smtp_down_retries_then_fails_and_a_manual_retry_sends_once(connected_org, approver, smtp, overdue_invoice,
                                                                  settings):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    settings.EMAIL_PORT = smtp.port + 1 if smtp.port < 65535 else smtp.port - 1  # nobody listens there
    outcomes = []
    for _ in range(execution.MAX_ATTEMPTS):
        action.refresh_from_db()
        outcomes.append(execution.execute(action.pk, now=action.not_before or timezone.now()).status)
    assert outcomes == ["retrying", "retrying", ActionStatus.FAILED]
    action.refresh_from_db()
    assert "Gave up after 3 attempts" in action.status_reason and "SMTP server unreachable" in action.error
    assert OutboundRecord.objects.get(action=action).status == LedgerStatus.NOT_SENT
    assert smtp.received == []

    settings.EMAIL_PORT = smtp.port
    services.retry_failed(action, user=approver)
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert len(smtp.received) == 1
    assert list(Notice.objects.filter(user=approver, action=action).order_by("pk").values_list("level", flat=True)) == [
        "error", "success"]  # failed, then executed after the retry


def test_worker_lost_mid_send_becomes_outcome_unknown_and_is_never_resent(connected_org, approver, smtp,
                                                                          overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    # What a worker killed between "about to send" and "sent" leaves behind:
    claimed = execution._claim(action.pk, timezone.now())
    OutboundRecord.objects.create(organization=connected_org, action=claimed, key=f"{action.pk}:send_email",
                                  channel="email", partner_id=claimed.partner_id)
    report = sweeper.sweep(now=timezone.now() + timedelta(seconds=execution.lease_seconds() + 1))
    assert report.unknown == 1
    action.refresh_from_db()
    assert action.status == ActionStatus.OUTCOME_UNKNOWN
    assert services.execute(action.pk).status == ActionStatus.OUTCOME_UNKNOWN
    assert smtp.received == []

    services.resolve_outcome_unknown(action, user=approver, sent=False, note="Customer did not get it")
    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED


def test_worker_lost_before_sending_is_run_again_by_the_sweeper(connected_org, approver, smtp, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    execution._claim(action.pk, timezone.now())  # claimed, then the worker died: no outbound record
    report = sweeper.sweep(now=timezone.now() + timedelta(seconds=execution.lease_seconds() + 1))
    assert report.released == 1 and report.due == [action.pk]
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert len(smtp.received) == 1


def test_connection_lost_mid_send_is_never_retried(connected_org, approver, smtp, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    smtp.drop_at_data = True  # the server may have taken the message before the line went dead
    outcome = services.execute(action.pk)
    action.refresh_from_db()
    assert outcome.status == ActionStatus.OUTCOME_UNKNOWN
    assert action.status == ActionStatus.OUTCOME_UNKNOWN and "SMTP connection lost" in action.error
    smtp.drop_at_data = False
    sweeper.sweep(now=timezone.now() + timedelta(hours=1))
    assert services.execute(action.pk).status == ActionStatus.OUTCOME_UNKNOWN
    assert smtp.received == []
