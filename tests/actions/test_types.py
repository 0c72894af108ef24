"""The registry is whole and consistent: every built-in type is registered, every entry's
handler and builder exist, and a wrong entry is refused when it is registered."""

import pytest

from actions import types
from actions.fields import RiskLevel
from actions.protocol import parse_protocol

from .protocols import protocol_for


def test_every_built_in_type_is_registered_once():
    assert sorted(types.ACTION_TYPES) == sorted(member.value for member in types.ActionType)
    assert all(isinstance(name, str) and type(name) is str for name in types.ACTION_TYPES)


@pytest.mark.parametrize("name", list(types.ACTION_TYPES))
def test_each_entry_can_be_run_and_built(name):
    spec = types.action_type(name)
    assert callable(spec.op.perform)
    if spec.builder is not None:
        from django.utils.module_loading import import_string

        assert callable(import_string(spec.builder))
    protocol = parse_protocol(protocol_for(name))
    assert protocol.spec is spec and protocol.safe_operation == spec.operation
    assert protocol.rollback_strategy == spec.op.rollback


def test_outside_messages_are_the_email_and_sms_operations():
    external = {name for name, spec in types.ACTION_TYPES.items() if spec.external}
    assert external == {"send_invoice_reminder", "send_invoice_reminder_sms", "follow_up_stalled_deal", "email_customer",
                        "send_dunning_email", "send_dunning_sms", "thank_for_payment", "schedule_meeting"}
    assert not any(types.OPERATIONS[op].auto_executable for op in (types.SafeOperation.SEND_EMAIL,
                                                                  types.SafeOperation.SEND_SMS))


def test_approvals_by_risk():
    assert [types.approvals_required(risk) for risk in RiskLevel] == [1, 1, 1, 2]
    assert types.LOGIN_REQUIRED_RISKS == {RiskLevel.HIGH, RiskLevel.CRITICAL}


@pytest.mark.parametrize("spec, complaint", [
    (types.ActionTypeSpec("send_invoice_reminder", types.SafeOperation.SEND_EMAIL, RiskLevel.LOW, "again"),
     "already registered"),
    (types.ActionTypeSpec("Shout Loudly", types.SafeOperation.SEND_EMAIL, RiskLevel.LOW, "bad name"),
     "lower_case_words"),
    (types.ActionTypeSpec("teleport", "teleport", RiskLevel.LOW, "no such operation"), "unknown operation"),
])
def test_a_wrong_entry_is_refused(spec, complaint):
    with pytest.raises(ValueError, match=complaint):
        types.register(spec)
    assert types.ACTION_TYPES.get(spec.name) is not spec


def test_an_unknown_name_is_a_clear_lookup_error():
    with pytest.raises(types.UnknownActionType, match="unknown action type 'teleport'"):
        types.action_type("teleport")
