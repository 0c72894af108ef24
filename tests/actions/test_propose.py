"""propose(): the one way actions come into being, validated, deduplicated and audited."""

import pytest

from actions.models import Action, ActionStatus
from actions.protocol import ProtocolError, parse_protocol
from actions.services import IdempotencyConflict, propose
from aiom.errors import Conflict
from audit.models import ActionEvent
from audit.services import verify_chain

from .concurrency import run_together
from .protocols import changed, protocol_for


def event_types(action) -> list[str]:
    return list(ActionEvent.objects.filter(action_id=action.pk).order_by("seq").values_list("event_type", flat=True))


def test_propose_stores_the_validated_protocol_pending_approval(org):
    document = protocol_for(requires_approval=False)
    action = propose(org, document, source="analyzer")

    stored = Action.objects.get(pk=action.pk)
    assert str(stored.pk) == document["action_id"]
    assert stored.status == ActionStatus.PENDING_APPROVAL
    assert stored.requires_approval is True and stored.protocol["requires_approval"] is True
    assert stored.protocol_hash == parse_protocol(stored.protocol).protocol_hash
    assert stored.parsed.operation.inputs.subject == document["operation"]["inputs"]["subject"]
    assert (stored.target_model, stored.target_id, stored.partner_id) == ("account.move", 42, 7)
    assert (stored.source, stored.created_by, stored.idempotency_key) == ("analyzer", "ai_coo", document["idempotency_key"])
    assert event_types(stored) == ["created", "guardrail_decision"]
    created = ActionEvent.objects.get(action_id=stored.pk, event_type="created")
    assert (created.actor, created.actor_type) == ("ai_coo", "ai")
    assert created.data["protocol_hash"] == stored.protocol_hash
    assert verify_chain(org).ok


def test_proposal_by_a_person_is_attributed_to_them(org):
    action = propose(org, protocol_for(created_by="user:12", source="dashboard"), source="dashboard")
    created = ActionEvent.objects.get(action_id=action.pk, event_type="created")
    assert (created.actor, created.actor_type) == ("user:12", "human")


def test_proposing_the_same_protocol_twice_returns_the_same_action(org):
    document = protocol_for()
    first = propose(org, document, source="analyzer")
    events = ActionEvent.objects.count()
    again = propose(org, document, source="analyzer")
    assert again.pk == first.pk
    assert Action.objects.count() == 1
    assert ActionEvent.objects.count() == events


def test_same_key_with_different_parameters_is_refused_and_nothing_stored(org):
    document = protocol_for()
    first = propose(org, document, source="analyzer")
    events = ActionEvent.objects.count()
    other = changed(changed(document, "action_id", "8a6e0804-2bd7-4ca1-bb3b-0a4c0a6a0c1e"),
                    "operation.inputs.body", "A completely different message.")
    with pytest.raises(IdempotencyConflict) as refused:
        propose(org, other, source="analyzer")
    assert refused.value.extra == {"existing_action_id": str(first.pk)}
    assert list(Action.objects.values_list("pk", flat=True)) == [first.pk]
    assert ActionEvent.objects.count() == events
    assert Action.objects.get(pk=first.pk).parsed.operation.inputs.body == document["operation"]["inputs"]["body"]


def test_the_same_key_is_free_in_another_organisation(org, other_org):
    document = protocol_for()
    propose(org, document, source="analyzer")
    elsewhere = propose(other_org, {**document, "action_id": "8a6e0804-2bd7-4ca1-bb3b-0a4c0a6a0c1e"}, source="analyzer")
    assert elsewhere.organization == other_org
    assert verify_chain(other_org).ok and verify_chain(other_org).events_checked == 2


def test_reusing_an_action_id_for_another_action_is_a_conflict(org):
    document = protocol_for()
    propose(org, document, source="analyzer")
    with pytest.raises(Conflict, match="is already used by another action"):
        propose(org, protocol_for(action_id=document["action_id"]), source="analyzer")
    assert Action.objects.count() == 1


@pytest.mark.parametrize("document", [
    protocol_for(title="Remind\r\nBcc: x@evil.example"),
    protocol_for(safe_operation="send_sms"),
    changed(protocol_for(), "operation.inputs.body", "Hello\x00there"),
    '{"version": "1.1", "action_type": ',
    {},
])
def test_invalid_protocol_is_refused_and_nothing_stored(org, document):
    with pytest.raises(ProtocolError):
        propose(org, document, source="analyzer")
    assert not Action.objects.exists()
    assert not ActionEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_proposals_with_the_same_key_store_one_action(org):
    document = protocol_for()
    outcomes = run_together(*[lambda: propose(org, document, source="analyzer")] * 4)
    assert all(isinstance(outcome, Action) for outcome in outcomes), outcomes
    assert {outcome.pk for outcome in outcomes} == {Action.objects.get().pk}
    assert event_types(Action.objects.get()) == ["created", "guardrail_decision"]
    assert verify_chain(org).ok
