"""Protocol v1.2: what AIOM writes now; v1.1 documents (everything stored before) still validate,
and only v1.2 may book a meeting."""

from datetime import datetime, timedelta

import pytest

from actions import services
from actions.protocol import PROTOCOL_VERSION, ActionProtocol, ProtocolError, parse_protocol, protocol_json_schema
from tests.actions.protocols import changed, protocol_for


def test_a_stored_v11_document_still_validates(org):
    document = protocol_for("send_invoice_reminder")
    assert document["version"] == "1.1"
    action = services.propose(org, document, source="analyzer")
    assert action.protocol["version"] == "1.1" and parse_protocol(action.protocol).version == "1.1"


def test_new_documents_are_v12():
    document = protocol_for("send_invoice_reminder")
    del document["version"]
    assert PROTOCOL_VERSION == "1.2" and parse_protocol(document).version == "1.2"
    assert ActionProtocol.model_fields["version"].default == "1.2"


def test_a_meeting_needs_v12():
    assert parse_protocol(protocol_for("schedule_meeting")).version == "1.2"
    with pytest.raises(ProtocolError, match="needs protocol version 1.2"):
        parse_protocol(protocol_for("schedule_meeting", version="1.1"))


def test_a_slot_check_needs_v12():
    document = protocol_for("send_invoice_reminder")
    document["revalidation_plan"]["checks"].append({"check_id": "slot", "predicate": {
        "type": "calendar_slot_free", "organizer_user_id": 2, "start": "2030-01-07T09:00:00+00:00",
        "stop": "2030-01-07T09:30:00+00:00"}})
    with pytest.raises(ProtocolError, match="calendar_slot_free checks need protocol version 1.2"):
        parse_protocol(document)
    assert parse_protocol({**document, "version": "1.2"}).version == "1.2"


@pytest.mark.parametrize("version", ["1.0", "1.3", "2"])
def test_other_versions_are_refused(version):
    with pytest.raises(ProtocolError, match="version"):
        parse_protocol(protocol_for("send_invoice_reminder", version=version))


def test_the_schema_describes_both_versions_and_meetings():
    schema = protocol_json_schema()
    assert schema["properties"]["version"]["enum"] == ["1.1", "1.2"]
    assert "schedule_meeting" in schema["$defs"]["ActionType"]["enum"]
    assert "CalendarSlotFree" in schema["$defs"] and "v1.2" in schema["description"]


@pytest.mark.parametrize("path, value, reason", [
    ("operation.inputs.videocall_url", "http://meet.example.com/x", "https:// link"),
    ("operation.inputs.partner_ids", [], "at least 1"),
    ("operation.inputs.candidate_slots", [{"start": "2030-01-01T10:00:00+00:00",
                                           "stop": "2030-01-01T10:30:00+00:00"}] * 4, "at most 3"),
    ("operation.inputs.timezone", "Mars/Olympus", "unknown time zone"),
    ("external_effects", [], "exactly the recipients"),
])
def test_a_meeting_is_refused_when_it_could_mislead(path, value, reason):
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(changed(protocol_for("schedule_meeting"), path, value))
    assert any(reason.lower() in error.lower() for error in caught.value.errors), caught.value.errors


def test_a_meeting_time_must_be_one_of_the_offered_times():
    document = protocol_for("schedule_meeting")
    inputs = document["operation"]["inputs"]
    inputs["start"] = inputs["candidate_slots"][1]["start"]
    inputs["stop"] = (datetime.fromisoformat(inputs["start"]) + timedelta(minutes=45)).isoformat()
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(document)
    assert any("one of the candidate slots" in error for error in caught.value.errors), caught.value.errors
    inputs["stop"] = inputs["candidate_slots"][1]["stop"]
    assert parse_protocol(document).operation.inputs.start.isoformat() == inputs["candidate_slots"][1]["start"]
