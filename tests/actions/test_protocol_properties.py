"""Whatever arrives (LLM output, API bodies, edited forms), validation answers with a
ProtocolError or a protocol that hashes and round-trips: never a crash of another kind."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from actions.types import ActionType
from actions.protocol import ActionProtocol, ProtocolError, parse_protocol

from .protocols import changed, protocol_for

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
documents = st.sampled_from([protocol_for(action_type) for action_type in ActionType])


def paths_of(value, prefix=()):
    """Every location in a document: dict keys and list positions, nested."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        yield prefix + (key,)
        yield from paths_of(child, prefix + (key,))


def substituted(document: dict) -> st.SearchStrategy:
    return st.builds(lambda path, value: changed(document, path, value),
                     st.sampled_from(list(paths_of(document))), json_values)


def assert_parses_or_refuses(data) -> None:
    try:
        protocol = parse_protocol(data)
    except ProtocolError as error:
        assert error.errors and all(": " in message for message in error.errors)
        return
    assert parse_protocol(protocol.canonical_json()).protocol_hash == protocol.protocol_hash


@FAST
@given(documents.flatmap(substituted))
def test_any_value_at_any_path_is_accepted_or_refused_cleanly(document):
    assert_parses_or_refuses(document)


#: Where a protocol carries free-form JSON (Odoo values, metadata): the likeliest place for odd values.
FREE_FORM_SLOTS = [("metadata", "days_overdue"), ("proposed_changes", 0, "before"), ("proposed_changes", 0, "after"),
                   ("revalidation_plan", "checks", 1, "predicate", "expected")]


@FAST
@given(st.sampled_from(FREE_FORM_SLOTS), scalars | st.lists(scalars, max_size=4))
def test_any_value_in_free_form_slots_is_accepted_or_refused_cleanly(slot, value):
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER, proposed_changes=[
        {"model": "account.move", "record_id": 42, "field": "payment_state", "change_type": "set"}])
    assert_parses_or_refuses(changed(document, slot, value))


@FAST
@given(documents, st.data())
def test_any_missing_field_is_accepted_or_refused_cleanly(document, data):
    path = data.draw(st.sampled_from(list(paths_of(document))))
    assert_parses_or_refuses(changed(document, path, delete=True))


@FAST
@given(st.dictionaries(st.text(max_size=20), json_values, max_size=8) | json_values)
def test_random_values_are_refused_cleanly(value):
    assert_parses_or_refuses(value)


@FAST
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_random_text_is_refused_cleanly(raw):
    assert_parses_or_refuses(raw)


@FAST
@given(documents.flatmap(substituted) | json_values)
def test_model_validate_raises_only_validation_errors(value):
    """Code that validates directly (not through parse_protocol) can rely on catching ValidationError."""
    try:
        protocol = ActionProtocol.model_validate(value)
    except ValidationError as error:
        assert error.errors()
    else:
        assert isinstance(protocol, ActionProtocol)
