from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from actions import guardrails, services
from actions.models import ActionStatus, Channel, GuardrailPolicy, LedgerStatus, OutboundRecord
from actions.types import ActionType
from audit.models import ActionEvent, EventType
from audit.services import Actor, verify_chain

from .protocols import protocol_for


def _policy(org, **changes):
    policy = guardrails.policy_for(org)
    GuardrailPolicy.objects.filter(pk=policy.pk).update(**changes)
    return guardrails.policy_for(org)


def test_defaults_are_conservative(org):
    policy = guardrails.policy_for(org)
    assert not policy.auto_execute_internal
    assert (policy.max_recipients_per_email, policy.emails_per_hour, policy.sms_per_day) == (10, 100, 50)
    assert (policy.max_records_per_bulk, policy.max_amount_without_approval, policy.expiry_hours) == (10, 0, 24)
    assert policy.weekends_off and str(policy.business_hours_start) == "09:00:00"


def test_outside_messages_always_wait_for_a_human(org):
    _policy(org, auto_execute_internal=True)
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    assert action.status == ActionStatus.PENDING_APPROVAL
    assert action.guardrail_decision["decision"] == "require_approval"
    assert "outside the company" in " ".join(action.guardrail_decision["reasons"])


def test_declared_risk_below_the_floor_is_raised_and_said(org):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS, risk_level="low"),
                              source="analyzer")
    assert action.risk_level == "high"
    assert action.parsed.risk_level == "high"
    assert "Risk raised from low to high" in action.guardrail_decision["reasons"][0]


def test_declared_risk_is_never_lowered(org):
    action = services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD, risk_level="critical"), source="analyzer")
    assert action.risk_level == "critical"


def test_low_risk_internal_action_waits_while_auto_execution_is_off(org):
    action = services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD, risk_level="low",
                                                estimated_impact=None), source="analyzer")
    assert action.status == ActionStatus.PENDING_APPROVAL
    assert "turned off" in action.guardrail_decision["reasons"][-1]


def test_low_risk_internal_action_runs_by_itself_when_enabled(org, django_capture_on_commit_callbacks):
    _policy(org, auto_execute_internal=True)
    with django_capture_on_commit_callbacks() as callbacks:
        action = services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD, risk_level="low",
                                                    estimated_impact=None), source="analyzer")
    assert action.status == ActionStatus.APPROVED
    assert not action.requires_approval and not action.parsed.requires_approval
    assert len(callbacks) == 1  # enqueued for execution after commit
    events = list(ActionEvent.objects.filter(action_id=action.pk).values_list("event_type", flat=True))
    assert events == [EventType.CREATED, EventType.GUARDRAIL_DECISION, EventType.APPROVED]


def test_amount_above_the_limit_needs_approval_even_with_auto_execution(org):
    _policy(org, auto_execute_internal=True)
    action = services.propose(org, protocol_for(ActionType.CREATE_COLLECTION_TASK, risk_level="low",
                                                metadata={"amount": 1250.0}), source="analyzer")
    assert action.status == ActionStatus.PENDING_APPROVAL
    assert "1250" in action.guardrail_decision["reasons"][-1]


@pytest.mark.parametrize("switch, action_type", [
    ("may_send_email", ActionType.SEND_INVOICE_REMINDER),
    ("may_send_sms", ActionType.SEND_INVOICE_REMINDER_SMS),
    ("may_create_tasks", ActionType.CREATE_STAFF_TASK),
    ("may_move_deal_stages", ActionType.ADVANCE_DEAL_STAGE),
])
def test_turned_off_capability_denies_with_reason(org, switch, action_type):
    _policy(org, **{switch: False})
    action = services.propose(org, protocol_for(action_type), source="analyzer")
    assert action.status == ActionStatus.DENIED
    assert "turned off" in action.status_reason
    assert verify_chain(org).ok


def test_too_many_recipients_are_denied(org):
    _policy(org, max_recipients_per_email=1)
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER)
    document["operation"]["inputs"]["cc"] = ["boss@customer.example"]
    document["external_effects"].append({"effect_type": "email", "recipient": "boss@customer.example"})
    action = services.propose(org, document, source="analyzer")
    assert action.status == ActionStatus.DENIED
    assert "2 recipients exceed the limit of 1" in action.status_reason


def test_too_many_records_are_denied(org):
    _policy(org, max_records_per_bulk=2)
    document = protocol_for(ActionType.NOTE_ON_RECORD)
    document["affected_records"]["odoo_ids"] = [1, 2, 3]
    action = services.propose(org, document, source="analyzer")
    assert action.status == ActionStatus.DENIED
    assert "3 records exceed the limit of 2" in action.status_reason


def test_expiry_is_capped_by_the_policy(org):
    _policy(org, expiry_hours=2)
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER)
    action = services.propose(org, document, source="analyzer")
    assert action.expires_at == action.parsed.created_at + timedelta(hours=2)


def test_policy_changes_are_audited_with_before_and_after(org, admin_member):
    policy = guardrails.policy_for(org)
    guardrails.policy_update(policy, actor=Actor.for_user(admin_member), emails_per_hour=20, may_send_sms=False)
    event = ActionEvent.objects.get(organization=org, event_type=EventType.POLICY_CHANGED)
    assert event.data["changes"] == {"emails_per_hour": {"before": 100, "after": 20},
                                     "may_send_sms": {"before": True, "after": False}}
    assert event.actor.startswith(f"user:{admin_member.pk}")


def test_policy_update_refuses_unknown_settings_and_bad_values(org, admin_member):
    policy = guardrails.policy_for(org)
    with pytest.raises(ValueError, match="Not policy settings: organization"):
        guardrails.policy_update(policy, actor=Actor.for_user(admin_member), organization=None)
    with pytest.raises(ValidationError):
        guardrails.policy_update(policy, actor=Actor.for_user(admin_member), on_rate_limit="explode")
    assert not ActionEvent.objects.filter(event_type=EventType.POLICY_CHANGED).exists()


def test_rate_limit_reports_when_the_next_slot_frees(org):
    policy = _policy(org, emails_per_hour=2)
    now = timezone.now()
    assert guardrails.rate_limit_until(policy, Channel.EMAIL, now) is None
    for minutes_ago in (50, 10):
        action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
        record = OutboundRecord.objects.create(organization=org, action=action, key=f"k{minutes_ago}",
                                               channel=Channel.EMAIL, status=LedgerStatus.SENT)
        OutboundRecord.objects.filter(pk=record.pk).update(created_at=now - timedelta(minutes=minutes_ago))
    until = guardrails.rate_limit_until(policy, Channel.EMAIL, now)
    assert until == now - timedelta(minutes=50) + timedelta(hours=1)
    assert guardrails.rate_limit_until(policy, Channel.SMS, now) is None
    OutboundRecord.objects.filter(key="k50").update(status=LedgerStatus.NOT_SENT)
    assert guardrails.rate_limit_until(policy, Channel.EMAIL, now) is None


def test_what_claude_wrote_or_chose_never_runs_by_itself(org):
    _policy(org, auto_execute_internal=True)
    document = protocol_for(ActionType.NOTE_ON_RECORD, risk_level="low", estimated_impact=None)
    document["metadata"] = {**document["metadata"], "written_by": "claude"}
    action = services.propose(org, document, source="analyzer")
    assert action.status == ActionStatus.PENDING_APPROVAL and action.requires_approval
    assert action.guardrail_decision["reasons"][-1] == "Claude wrote or chose this action, so a person approves it."


def test_a_type_claude_chose_keeps_the_stricter_floor_of_the_rules_type(org):
    document = protocol_for(ActionType.SCHEDULE_DEAL_CALL, risk_level="low")
    document["metadata"] = {**document["metadata"], "written_by": "claude",
                            "rules_action_type": ActionType.SEND_INVOICE_REMINDER_SMS.value}
    action = services.propose(org, document, source="analyzer")
    assert action.risk_level == "high"
    assert action.guardrail_decision["reasons"][0] == (
        "Risk raised from low to high, the minimum for send invoice reminder sms.")
