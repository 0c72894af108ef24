"""The Action Protocol refuses anything an approver could be misled by, with errors that say where."""

import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import call_command

from actions import types
from actions.types import ActionType
from actions.protocol import ActionProtocol, ProtocolError, build_idempotency_key, parse_protocol

from .protocols import EMAIL, PHONE, changed, protocol_for

ALL_TYPES = list(ActionType)
EMAIL_PATH = "operation.send_email.inputs"
QUIET_HOURS = "revalidation_plan.checks.3.predicate"  # the quiet-hours check of a message protocol


def errors_of(document) -> list[str]:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(document)
    return caught.value.errors


def assert_refused(document, path: str, reason: str = "") -> None:
    """`document` is refused with an error at `path` whose text mentions `reason`."""
    errors = errors_of(document)
    assert any(error.startswith(f"{path}: ") and reason.lower() in error.lower() for error in errors), errors


def email_protocol(**inputs) -> dict:
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER)
    document["operation"]["inputs"].update(inputs)
    return document


# -- valid documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("action_type", ALL_TYPES)
def test_every_action_type_validates_and_round_trips(action_type):
    protocol = parse_protocol(protocol_for(action_type))
    assert protocol.safe_operation == types.action_type(action_type).operation
    again = parse_protocol(protocol.canonical_json())
    assert again == protocol
    assert again.protocol_hash == protocol.protocol_hash
    assert again.canonical_json() == protocol.canonical_json()


@pytest.mark.parametrize("action_type", ALL_TYPES)
def test_rollback_strategy_is_derived_and_a_wrong_one_refused(action_type):
    document = protocol_for(action_type)
    derived = parse_protocol(document).rollback_strategy
    assert derived is not None
    assert parse_protocol({**document, "rollback_strategy": derived.value}).rollback_strategy == derived
    wrong = "manual" if derived.value != "manual" else "delete_record"
    errors = errors_of({**document, "rollback_strategy": wrong})
    assert any("rollback_strategy must be" in error and derived.value in error for error in errors), errors


def test_parse_accepts_bytes_and_an_already_validated_protocol():
    protocol = parse_protocol(protocol_for())
    assert parse_protocol(protocol.canonical_json().encode()) == protocol
    assert parse_protocol(protocol) is protocol


# -- the hash binds approvals to exactly what was shown -------------------------------------------


@pytest.mark.parametrize("changes", [
    {"title": "Another title for the reminder"},
    {"risk_level": "high"},
    {"operation.inputs.subject": "A different subject", "external_effects.0.subject": "A different subject"},
    {"operation.inputs.body": "A different body."},
    {"operation.inputs.to.0": "someone.else@customer.example",
     "external_effects.0.recipient": "someone.else@customer.example"},
    {"external_effects.0.preview": "Another preview"},
    {"affected_records.odoo_ids": [43]},
    {"expires_at": "2099-01-01T00:00:00+00:00"},
    {"revalidation_plan.checks.0.severity_on_fail": "require_reapproval"},
    {"metadata": {"analyzer": "sales"}},
])
def test_hash_changes_when_a_meaningful_field_changes(changes):
    document = protocol_for()
    edited = document
    for path, value in changes.items():
        edited = changed(edited, path, value)
    assert parse_protocol(edited).protocol_hash != parse_protocol(document).protocol_hash


def test_hash_ignores_key_order_and_json_formatting():
    document = protocol_for()
    reordered = json.dumps(dict(reversed(list(document.items()))), indent=4)
    assert parse_protocol(reordered).protocol_hash == parse_protocol(document).protocol_hash


def test_revise_gives_a_new_validated_revision_with_a_new_hash():
    original = parse_protocol(protocol_for())
    revised = original.revise(operation={"inputs": {"body": "A friendlier reminder, please pay soon."}})
    assert revised.operation.inputs.body == "A friendlier reminder, please pay soon."
    assert revised.operation.inputs.subject == original.operation.inputs.subject
    assert revised.protocol_hash != original.protocol_hash
    with pytest.raises(ProtocolError) as caught:
        original.revise(operation={"inputs": {"subject": "Hi\nBcc: x@evil.example"}})
    assert caught.value.errors[0].startswith(f"{EMAIL_PATH}.subject: ")


# -- consistency between the parts ----------------------------------------------------------------


def test_safe_operation_must_be_the_one_of_the_action_type():
    errors = errors_of(protocol_for(ActionType.SEND_INVOICE_REMINDER, safe_operation="send_sms"))
    assert any("safe_operation 'send_sms' does not match action_type 'send_invoice_reminder'" in e for e in errors), errors


def test_operation_type_must_equal_safe_operation():
    sms = protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS)
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER, operation=sms["operation"],
                            external_effects=sms["external_effects"])
    errors = errors_of(document)
    assert any("operation.type 'send_sms' must equal safe_operation 'send_email'" in e for e in errors), errors


def test_unknown_action_type_names_the_field():
    assert_refused({**protocol_for(), "action_type": "wire_money_abroad"}, "action_type", "input should be")


def test_unknown_operation_type_is_refused():
    document = changed(protocol_for(), "operation.type", "odoo_unlink")
    assert_refused(document, "operation", "does not match any of the expected tags")


def test_unknown_fields_are_refused_not_ignored():
    assert_refused(email_protocol(bcc=["spy@evil.example"]), "operation.send_email.inputs.bcc", "extra")
    assert_refused(protocol_for(execute_raw="unlink"), "execute_raw", "extra")


def test_expiry_must_come_after_creation():
    document = protocol_for()
    earlier = (datetime.fromisoformat(document["created_at"]) - timedelta(minutes=1)).isoformat()
    for expires_at in (earlier, document["created_at"]):
        errors = errors_of({**document, "expires_at": expires_at})
        assert any("expires_at must be after created_at" in error for error in errors), errors


def test_naive_datetimes_are_refused():
    assert_refused(protocol_for(created_at="2025-06-01T10:00:00"), "created_at", "timezone")


# -- human text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("field, value, reason", [
    ("title", "", "at least 1 character"),
    ("title", "x" * 256, "at most 255"),
    ("title", "Remind\r\nBcc: x@evil.example", "line breaks"),
    ("expected_effect", "too short", "at least 10"),
    ("expected_effect", "x" * 501, "at most 500"),
    ("reasoning", "Because it is late.", "at least 20"),
    ("reasoning", "x" * 1001, "at most 1000"),
])
def test_human_text_limits(field, value, reason):
    assert_refused(protocol_for(**{field: value}), field, reason)


def test_text_at_the_limits_is_accepted():
    protocol = parse_protocol(protocol_for(title="x" * 255, expected_effect="x" * 10, reasoning="y" * 1000))
    assert len(protocol.title) == 255


def test_padding_does_not_count_towards_minimum_lengths():
    assert_refused(protocol_for(expected_effect="   short   "), "expected_effect", "at least 10")


# -- email, SMS and other operation inputs ------------------------------------------------------


def test_email_subject_with_crlf_header_injection_is_refused():
    document = email_protocol(subject="Hi\r\nBcc: x@evil.example")
    document["external_effects"][0]["subject"] = "Hi"
    assert_refused(document, f"{EMAIL_PATH}.subject", "line breaks")


def test_external_effect_subject_with_line_break_is_refused():
    document = changed(protocol_for(), "external_effects.0.subject", "Hi\nBcc: x@evil.example")
    assert_refused(document, "external_effects.0.subject", "line breaks")


@pytest.mark.parametrize("character", ["\x0b", "\x1b", "\u200b", "\u202e", "\u2028", "\x85"],
                         ids=["vertical-tab", "escape", "zero-width-space", "right-to-left-override",
                              "line-separator", "next-line"])
def test_subject_and_title_with_control_or_invisible_characters_are_refused_before_approval(character):
    """Refused when proposed or edited, not only when the email is sent after someone approved it."""
    subject = f"Invoice INV/2025/0042{character} is overdue"
    document = email_protocol(subject=subject)
    document["external_effects"][0]["subject"] = "Invoice INV/2025/0042 is overdue"
    assert_refused(document, f"{EMAIL_PATH}.subject", "control or invisible characters")
    assert_refused({**protocol_for(), "title": subject}, "title", "control or invisible characters")


@pytest.mark.parametrize("subject, reason", [("", "at least 1"), ("s" * 256, "at most 255")])
def test_email_subject_length(subject, reason):
    assert_refused(email_protocol(subject=subject), f"{EMAIL_PATH}.subject", reason)


def test_eleven_email_recipients_are_refused():
    recipients = [f"person{i}@customer.example" for i in range(11)]
    document = email_protocol(to=recipients)
    document["external_effects"] = [{"effect_type": "email", "recipient": r} for r in recipients]
    assert_refused(document, f"{EMAIL_PATH}.to", "at most 10")


def test_to_and_cc_together_are_limited_to_ten():
    to = [f"to{i}@customer.example" for i in range(6)]
    cc = [f"cc{i}@customer.example" for i in range(5)]
    document = email_protocol(to=to, cc=cc)
    document["external_effects"] = [{"effect_type": "email", "recipient": r} for r in to + cc]
    assert_refused(document, EMAIL_PATH, "at most 10 recipients")


def test_email_needs_a_recipient_and_a_body():
    assert_refused(email_protocol(to=[]), f"{EMAIL_PATH}.to", "at least 1")
    assert_refused(email_protocol(body="   \n "), EMAIL_PATH, "body must not be blank")


@pytest.mark.parametrize("address", ["not-an-email", "a@", "@customer.example", "a b@customer.example",
                                     "billing@customer.example\r\nBcc: x@evil.example"])
def test_bad_email_addresses_are_refused(address):
    document = email_protocol(to=[address])
    document["external_effects"][0]["recipient"] = address
    assert_refused(document, f"{EMAIL_PATH}.to.0", "email")


def sms_protocol(**inputs) -> dict:
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS)
    document["operation"]["inputs"].update(inputs)
    if "to" in inputs:
        document["external_effects"][0]["recipient"] = inputs["to"]
    return document


def test_sms_body_is_limited_to_640_characters():
    assert parse_protocol(sms_protocol(body="x" * 640)).operation.inputs.body == "x" * 640
    assert_refused(sms_protocol(body="x" * 641), "operation.send_sms.inputs.body", "at most 640")


@pytest.mark.parametrize("number", ["0470123456", "+0470123456", "+32 470 12 34 56", "+32470123456789012", "+123"])
def test_sms_number_must_be_e164(number):
    assert_refused(sms_protocol(to=number), "operation.send_sms.inputs.to", "pattern")


@pytest.mark.parametrize("path, value", [
    ("operation.inputs.record_id", 0),
    ("operation.inputs.record_id", -5),
    ("operation.inputs.new_stage_id", 2**31),
    ("affected_records.odoo_ids.0", 0),
])
def test_odoo_ids_must_be_positive(path, value):
    document = changed(protocol_for(ActionType.ADVANCE_DEAL_STAGE), path, value)
    errors = errors_of(document)
    expected = path.replace("operation.", "operation.update_odoo_stage.")
    assert any(error.startswith(expected + ": ") for error in errors), errors


def test_stage_update_must_move_the_record():
    document = changed(protocol_for(ActionType.ADVANCE_DEAL_STAGE), "operation.inputs.new_stage_id", 2)
    assert_refused(document, "operation.update_odoo_stage.inputs", "must differ")


def test_quiet_hours_needs_a_real_time_zone():
    document = changed(protocol_for(), f"{QUIET_HOURS}.timezone", "Mars/Olympus_Mons")
    assert_refused(document, f"{QUIET_HOURS}.quiet_hours_ok.timezone", "unknown time zone")


@pytest.mark.parametrize("start", ["09:00:00+02:00", 0])
def test_quiet_hours_are_local_times(start):
    """A window with an offset would be in two time zones at once (and cannot be compared)."""
    document = changed(protocol_for(), f"{QUIET_HOURS}.start", start)
    assert_refused(document, f"{QUIET_HOURS}.quiet_hours_ok.start", "local time")


def test_quiet_hours_window_must_not_be_empty():
    document = changed(protocol_for(), f"{QUIET_HOURS}.start", "17:00:00")
    assert_refused(document, f"{QUIET_HOURS}.quiet_hours_ok", "start must be before end")


def test_revalidation_check_ids_must_be_unique():
    document = protocol_for()
    checks = document["revalidation_plan"]["checks"]
    checks[1]["check_id"] = checks[0]["check_id"]
    assert_refused(document, "revalidation_plan.checks", "unique")


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_in_changes_are_refused(value):
    """NaN has no JSON form: accepting it would make the protocol impossible to hash or store."""
    document = changed(protocol_for(ActionType.ADVANCE_DEAL_STAGE), "proposed_changes.0.after", value)
    errors = errors_of(document)
    assert errors and all(error.startswith("proposed_changes.0.after") for error in errors), errors


@pytest.mark.parametrize("path, value, where", [
    ("title", "Remind\x00", "title"),
    ("operation.inputs.body", "Hello\x00there", f"{EMAIL_PATH}.body"),
    ("metadata", {"note\x00": "x"}, "metadata"),
    ("proposed_changes", [{"model": "crm.lead", "field": "name", "after": ["a\x00"], "change_type": "set"}],
     "proposed_changes.0.after"),
])
def test_nul_characters_are_refused_where_they_are(path, value, where):
    """PostgreSQL cannot store NUL: it must be a clear refusal here, not a database error later."""
    assert_refused(changed(protocol_for(), path, value), where, "NUL")


# -- approvers see exactly who will be contacted ------------------------------------------------


def test_effects_listing_an_extra_recipient_are_refused():
    document = protocol_for()
    document["external_effects"].append({"effect_type": "email", "recipient": "boss@customer.example"})
    assert any("external_effects must list exactly the recipients" in e for e in errors_of(document))


def test_effects_missing_a_recipient_are_refused():
    document = email_protocol(cc=["accounting@customer.example"])
    errors = errors_of(document)
    assert any("external_effects must list exactly" in e and "accounting@customer.example" in e for e in errors), errors


def test_effects_that_hide_the_recipients_are_refused():
    assert any("external_effects" in e for e in errors_of(protocol_for(external_effects=[])))


def test_effect_recipients_compare_without_case_for_email():
    document = changed(protocol_for(), "external_effects.0.recipient", EMAIL.upper())
    assert parse_protocol(document).external_effects[0].recipient == EMAIL.upper()


def test_sms_effect_must_name_the_same_number():
    document = changed(protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS), "external_effects.0.recipient", "+32470999999")
    assert any("external_effects must list exactly" in e and PHONE in e for e in errors_of(document))


@pytest.mark.parametrize("action_type", [t for t in ALL_TYPES if not types.action_type(t).external])
def test_internal_operations_contact_nobody(action_type):
    document = protocol_for(action_type, external_effects=[{"effect_type": "email", "recipient": EMAIL}])
    assert any("contacts nobody: external_effects must be empty" in e for e in errors_of(document))


# -- error form and untrusted input -------------------------------------------------------------


def test_errors_read_as_field_path_and_reason():
    document = email_protocol(subject="s" * 256, to=["nope"])
    document["external_effects"][0]["recipient"] = "nope"
    errors = errors_of(document)
    assert f"{EMAIL_PATH}.subject: String should have at most 255 characters" in errors
    assert any(e.startswith(f"{EMAIL_PATH}.to.0: value is not a valid email address") for e in errors), errors


@pytest.mark.parametrize("raw", ['{"version": "1.1",', "not json", "", b"\xff\xfe", "[1, 2]", "null"])
def test_text_that_is_not_a_json_object_gives_a_protocol_error(raw):
    assert errors_of(raw)


@pytest.mark.parametrize("value", [None, [], 42, "", object()])
def test_values_that_are_not_objects_give_a_protocol_error(value):
    errors = errors_of(value)
    assert errors and errors[0].startswith("(action): ")


def test_protocol_error_message_lists_every_error():
    error = pytest.raises(ProtocolError, parse_protocol, {"version": "1.1"}).value
    assert len(error.errors) > 5
    assert all(message in error.message for message in error.errors)
    assert error.extra == {"errors": error.errors}


# -- idempotency keys and expiry ----------------------------------------------------------------

AT = datetime(2025, 6, 2, 10, 30, tzinfo=timezone.utc)


def key(**changes) -> str:
    arguments = {"org": "acme", "action_type": ActionType.SEND_INVOICE_REMINDER, "target_model": "account.move",
                 "target_id": 42, "at": AT, **changes}
    return build_idempotency_key(**arguments)


def test_idempotency_key_is_the_same_within_a_window():
    assert key() == key(at=AT.replace(hour=0, minute=0)) == key(at=AT.replace(hour=23, minute=59))
    assert key(window=timedelta(hours=4)) == key(window=timedelta(hours=4), at=AT + timedelta(minutes=80))


def test_idempotency_key_differs_across_windows_targets_types_and_organisations():
    keys = {
        key(),
        key(at=AT + timedelta(days=1)),
        key(window=timedelta(hours=4), at=AT + timedelta(hours=2)),
        key(target_id=43),
        key(target_model="sale.order"),
        key(action_type=ActionType.SEND_INVOICE_REMINDER_SMS),
        key(org="globex"),
    }
    assert len(keys) == 7


def test_idempotency_key_is_a_valid_protocol_key():
    document = protocol_for(idempotency_key=key(org="acme corp/eu", target_model="account.move"))
    assert parse_protocol(document).idempotency_key.startswith("acme-corp-eu:send_invoice_reminder:account.move:42:")


@pytest.mark.parametrize("window", [timedelta(0), timedelta(seconds=-60), timedelta(seconds=30)])
def test_idempotency_key_refuses_windows_it_cannot_tell_apart(window):
    """Keys name the window's start to the minute: two 30-second windows would share a key."""
    with pytest.raises(ValueError, match="at least a minute"):
        key(window=window)


def test_is_expired_from_expires_at():
    protocol = parse_protocol(protocol_for())
    assert not protocol.is_expired()
    assert protocol.is_expired(protocol.expires_at)
    assert not protocol.is_expired(protocol.expires_at - timedelta(seconds=1))


# -- the published schema -----------------------------------------------------------------------


def test_protocol_schema_command_prints_every_action_type():
    out = io.StringIO()
    call_command("protocol_schema", stdout=out)
    schema = json.loads(out.getvalue())
    assert set(schema["$defs"]["ActionType"]["enum"]) == {t.value for t in ActionType}
    assert schema["title"] == ActionProtocol.__name__
    assert "safe_operation" in schema["required"]
