"""People recover actions on real services: a failed one retried, an unknown outcome resolved,
an approved one cancelled before it starts. Each sends at most once."""

import pytest
from django.utils import timezone

from actions import execution, lifecycle, services, sweeper
from actions.models import Action, ActionStatus, LedgerStatus, OutboundRecord
from aiom.errors import Conflict
from audit.models import ActionEvent, EventType
from audit.services import verify_chain
from integrations.models import OdooConnection
from tests.integrations.servers import free_port

from .actions import reminder


def _approved(org, approver, document):
    return services.approve(services.propose(org, document, source="analyzer"), approver)


def _fail_while_odoo_is_down(org, action, settings):
    """Run every attempt against an Odoo nobody answers at, until the executor gives up."""
    settings.ODOO_RETRIES = 0
    connection = OdooConnection.objects.get(organization=org)
    OdooConnection.objects.filter(pk=connection.pk).update(url=f"http://127.0.0.1:{free_port()}")
    outcomes = []
    for _ in range(execution.MAX_ATTEMPTS):
        action.refresh_from_db()
        outcomes.append(execution.execute(action.pk, now=action.not_before or timezone.now()).status)
    assert outcomes == ["retrying", "retrying", ActionStatus.FAILED]
    OdooConnection.objects.filter(pk=connection.pk).update(url=connection.url)  # Odoo is back
    action.refresh_from_db()
    return action


def _notes_about(odoo, invoice, action):
    return odoo.search_read("mail.message", [("model", "=", "account.move"), ("res_id", "=", invoice["id"]),
                                             ("body", "ilike", f"AIOM-REF:{action.pk}")], ["id"])


def test_a_retry_after_an_odoo_outage_executes_once(connected_org, approver, smtp, odoo, overdue_invoice, settings):
    action = _fail_while_odoo_is_down(connected_org, _approved(connected_org, approver, reminder(overdue_invoice)),
                                      settings)
    assert "Gave up after 3 attempts" in action.status_reason and smtp.received == []
    approved_hash = action.protocol_hash

    retried = services.retry_failed(action, user=approver)
    assert retried.status == ActionStatus.APPROVED and retried.protocol_hash == approved_hash
    event = ActionEvent.objects.filter(action_id=action.pk).last()
    assert event.event_type == EventType.REQUEUED and event.actor.startswith(f"user:{approver.pk} ")

    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert services.execute(action.pk).status == ActionStatus.EXECUTED  # a second delivery finds nothing to do
    assert len(smtp.received) == 1 and len(_notes_about(odoo, overdue_invoice, action)) == 1
    with pytest.raises(lifecycle.InvalidTransition, match="Only a failed action can be retried"):
        services.retry_failed(Action.objects.get(pk=action.pk), user=approver)
    assert verify_chain(connected_org).ok


def test_a_retry_when_odoo_changed_meanwhile_comes_back_for_approval_as_a_new_revision(
        connected_org, approver, smtp, sandbox, overdue_invoice, settings):
    document = reminder(overdue_invoice)
    for check in document["revalidation_plan"]["checks"]:
        if check["check_id"] == "amount":
            check["severity_on_fail"] = "require_reapproval"
    action = _fail_while_odoo_is_down(connected_org, _approved(connected_org, approver, document), settings)
    approved_hash = action.protocol_hash
    with sandbox.store.transaction():  # a part payment arrived during the outage
        sandbox.store.update("account.move", overdue_invoice["id"], {"amount_residual": 10.0})

    assert services.retry_failed(action, user=approver).protocol_hash == approved_hash
    assert services.execute(action.pk).status == ActionStatus.PENDING_APPROVAL
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING_APPROVAL and action.revision == 2
    assert action.protocol_hash != approved_hash
    assert smtp.received == []
    with pytest.raises(Conflict, match="edited after you saw it"):  # the old approval does not carry over
        services.approve(action, approver, protocol_hash=approved_hash)


def _outcome_unknown(org, approver, smtp, invoice):
    action = _approved(org, approver, reminder(invoice))
    smtp.drop_at_data = True  # the line goes dead mid-send: AIOM cannot tell whether it left
    assert services.execute(action.pk).status == ActionStatus.OUTCOME_UNKNOWN
    smtp.drop_at_data = False
    action.refresh_from_db()
    return action


def test_resolved_as_not_sent_then_retried_sends_exactly_one_email(connected_org, approver, smtp, overdue_invoice):
    action = _outcome_unknown(connected_org, approver, smtp, overdue_invoice)
    resolved = services.resolve_outcome_unknown(action, user=approver, sent=False, note="Not in the customer's inbox")
    assert resolved.status == ActionStatus.FAILED and resolved.status_reason == "Not in the customer's inbox"
    assert OutboundRecord.objects.get(action=action).status == LedgerStatus.NOT_SENT
    assert services.execute(action.pk).status == ActionStatus.FAILED  # not sent again until someone asks
    assert smtp.received == []

    services.retry_failed(resolved, user=approver)
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    sweeper.sweep(now=timezone.now())
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert len(smtp.received) == 1
    assert OutboundRecord.objects.get(action=action).status == LedgerStatus.SENT


def test_resolved_as_sent_never_sends(connected_org, approver, smtp, overdue_invoice):
    action = _outcome_unknown(connected_org, approver, smtp, overdue_invoice)
    resolved = services.resolve_outcome_unknown(action, user=approver, sent=True, note="The customer replied to it")
    assert resolved.status == ActionStatus.EXECUTED
    assert OutboundRecord.objects.get(action=action).status == LedgerStatus.SENT
    with pytest.raises(lifecycle.InvalidTransition, match="Only a failed action can be retried"):
        services.retry_failed(resolved, user=approver)
    sweeper.sweep(now=timezone.now())
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    assert smtp.received == []
    event = ActionEvent.objects.filter(action_id=action.pk).last()
    assert event.event_type == EventType.EXECUTED and event.data["resolved_as"] == "sent"


def test_an_approved_action_cancelled_before_it_starts_never_runs(connected_org, approver, smtp, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    cancelled = services.cancel_approved(action, user=approver, reason="The customer called: paid today")
    assert cancelled.status == ActionStatus.CANCELLED
    assert services.execute(action.pk).status == ActionStatus.CANCELLED
    sweeper.sweep(now=timezone.now())
    assert smtp.received == []
    event = ActionEvent.objects.filter(action_id=action.pk).last()
    assert (event.event_type, event.data["reason"]) == (EventType.CANCELLED, "The customer called: paid today")


def test_an_action_that_started_cannot_be_cancelled(connected_org, approver, smtp, overdue_invoice):
    action = _approved(connected_org, approver, reminder(overdue_invoice))
    claimed = execution._claim(action.pk, timezone.now())  # a worker took it
    with pytest.raises(lifecycle.InvalidTransition, match="approved action that has not started"):
        services.cancel_approved(claimed, user=approver, reason="Too late")
    stale = Action.objects.get(pk=action.pk)
    stale.status = ActionStatus.APPROVED  # what a page opened before the claim still shows
    with pytest.raises(lifecycle.StaleTransition, match="already executing"):
        services.cancel_approved(stale, user=approver, reason="Too late")
    assert Action.objects.get(pk=action.pk).status == ActionStatus.EXECUTING
