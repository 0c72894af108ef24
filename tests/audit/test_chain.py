"""The audit trail is one unbroken hash chain per organisation, even under concurrent writers."""

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.hashing import event_hash
from audit.models import GENESIS_HASH, ActionEvent, ChainHead
from audit.services import AI, SYSTEM, Actor, append_event, verify_chain
from tests.actions.concurrency import run_together


def chain(organization) -> list[ActionEvent]:
    return list(ActionEvent.objects.filter(organization=organization).order_by("seq"))


def assert_linked(events: list[ActionEvent]) -> None:
    assert [event.seq for event in events] == list(range(1, len(events) + 1))
    assert [event.prev_hash for event in events] == [GENESIS_HASH] + [event.hash for event in events[:-1]]


def test_events_form_a_chain_that_verifies(org):
    action_id = uuid.uuid4()
    append_event(org, event_type="created", actor=AI, action_id=action_id, data={"title": "Remind"})
    append_event(org, event_type="notified", data={"channels": ["email"]})
    append_event(org, event_type="approved", actor=Actor("user:3 alice", "human"), action_id=action_id)

    events = chain(org)
    assert_linked(events)
    assert [(e.event_type, e.actor, e.actor_type) for e in events] == [
        ("created", "ai_coo", "ai"), ("notified", "system", "system"), ("approved", "user:3 alice", "human")]
    assert events[0].action_id == action_id and events[1].action_id is None
    head = ChainHead.objects.get(organization=org)
    assert (head.seq, head.hash) == (3, events[-1].hash)
    report = verify_chain(org)
    assert report.ok and report.events_checked == 3
    assert str(report) == "acme: chain intact (3 events)"


def test_the_hash_covers_every_field_and_the_previous_hash(org):
    append_event(org, event_type="created", data={"n": 1})
    event = chain(org)[0]
    fields = {"organization_id": org.pk, "seq": 1, "action_id": None, "event_type": "created", "actor": "system",
              "actor_type": "system", "data": {"n": 1}, "created_at": event.created_at, "prev_hash": GENESIS_HASH}
    assert event.hash == event_hash(**fields)
    for name, other in [("seq", 2), ("event_type", "approved"), ("actor", "ai_coo"), ("data", {"n": 2}),
                        ("prev_hash", "f" * 64), ("action_id", uuid.uuid4()),
                        ("created_at", datetime(2020, 1, 1, tzinfo=timezone.utc))]:
        assert event_hash(**{**fields, name: other}) != event.hash, name


def test_data_is_stored_as_json_the_database_gives_back_unchanged(org):
    action_id = uuid.uuid4()
    append_event(org, event_type="executed", data={
        "on": date(2025, 6, 2), "amount": Decimal("1250.50"), "action": action_id, "big": 1e16, "zero": -0.0,
        "smtp": "550 refused\x00"})
    event = ActionEvent.objects.get(organization=org)
    assert event.data == {"on": "2025-06-02", "amount": "1250.50", "action": str(action_id),
                          "big": 10**16, "zero": 0, "smtp": "550 refused\ufffd"}
    assert verify_chain(org).ok


def test_events_written_in_a_rolled_back_transaction_leave_no_trace(org):
    append_event(org, event_type="created")
    with pytest.raises(RuntimeError), transaction.atomic():
        append_event(org, event_type="approved")
        raise RuntimeError("the change this event records failed")
    append_event(org, event_type="rejected")
    assert [e.event_type for e in chain(org)] == ["created", "rejected"]
    assert_linked(chain(org))
    assert verify_chain(org).ok


def test_each_organisation_has_its_own_chain(org, other_org):
    for index in range(6):
        append_event(org if index % 2 else other_org, event_type="notified", data={"index": index})
    for organization in (org, other_org):
        events = chain(organization)
        assert len(events) == 3
        assert_linked(events)
        assert verify_chain(organization).ok


def test_an_organisation_without_events_verifies_empty(org):
    report = verify_chain(org)
    assert report.ok and report.events_checked == 0


json_data = st.dictionaries(
    st.text(max_size=10),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
        max_leaves=8,
    ),
    max_size=5,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_data)
def test_any_json_data_reads_back_with_the_same_hash(org, data):
    """Whatever JSON an event carries, the database must give back what was hashed."""
    with transaction.atomic():
        append_event(org, event_type="notified", data=data)
        report = verify_chain(org)
        transaction.set_rollback(True)  # each example starts from an empty chain
    assert report.ok, report


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(org, other_org):
    def writer(number):
        def write():
            for index in range(250):
                append_event(org, event_type="notified", actor=SYSTEM, data={"writer": number, "index": index})
        return write

    outcomes = run_together(*[writer(number) for number in range(4)])
    assert outcomes == [None] * 4
    events = chain(org)
    assert len(events) == 1000
    assert_linked(events)
    assert sorted((e.data["writer"], e.data["index"]) for e in events) == [(w, i) for w in range(4) for i in range(250)]
    assert verify_chain(org).ok
