"""The approval queue works each revision's card out once and reads everything else live: the
page costs the same queries however long the queue is, and a cached card never shows one
person's buttons to another, an old revision, or another organisation's action."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import editing, guardrails, services
from actions.card_content import card_cache_key
from actions.models import Action, ActionStatus
from actions.types import ActionType
from audit.services import SYSTEM

from .protocols import protocol_for


def _queue(client) -> str:
    response = client.get(reverse("dashboard:approvals"))
    assert response.status_code == 200
    return response.content.decode()


def _queries_for_queue(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        _queue(client)
    return len(captured)


def _more_pending(action: Action, count: int) -> None:
    """`count` more pending actions like `action` (copies of its row, each with its own id)."""
    Action.objects.bulk_create([
        Action(**{**{f.attname: getattr(action, f.attname) for f in Action._meta.concrete_fields},
                  "id": uuid.uuid4(), "idempotency_key": f"copy-{n}"})
        for n in range(count)])


def test_queue_costs_the_same_queries_for_10_and_1000_pending(client, approver, org):
    kinds = [ActionType.SEND_INVOICE_REMINDER, ActionType.NOTE_ON_RECORD, ActionType.ADVANCE_DEAL_STAGE,
             ActionType.CREATE_COLLECTION_TASK, ActionType.SEND_INVOICE_REMINDER_SMS]
    proposed = [services.propose(org, protocol_for(kinds[n % len(kinds)]), source="analyzer") for n in range(10)]
    client.force_login(approver)
    ten = _queries_for_queue(client)
    _more_pending(proposed[0], 990)
    assert Action.objects.filter(organization=org, status=ActionStatus.PENDING_APPROVAL).count() == 1000
    page = _queue(client)
    assert "(1000)" in page and page.count('class="approve"') == 20
    assert _queries_for_queue(client) == ten


def test_a_card_cached_for_an_approver_shows_a_viewer_no_buttons(client, approver, viewer, org):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    client.force_login(approver)
    assert f'action="{reverse("dashboard:approve", args=[action.pk])}"' in _queue(client)
    assert cache.get(card_cache_key(action)) is not None

    client.force_login(viewer)
    page = _queue(client)
    assert "Our invoice INV/2025/0042 of 1,250.00 EUR is 14 days overdue." in page
    assert reverse("dashboard:approve", args=[action.pk]) not in page
    assert 'name="selected"' not in page and "Reason for rejecting" not in page


def test_decisions_so_far_are_read_live_on_a_cached_card(client, approver, second_approver, org):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER, risk_level="critical"),
                              source="analyzer")
    client.force_login(second_approver)
    assert "Approved so far by" not in _queue(client)
    services.approve(action, approver)
    assert "Approved so far by alice." in _queue(client)


def test_an_edited_action_shows_its_new_revision(client, approver, org):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    client.force_login(approver)
    assert "14 days overdue." in _queue(client)
    edited = editing.edit(action, approver, inputs={"body": "Hello again, a gentle reminder."},
                          protocol_hash=action.protocol_hash)
    page = _queue(client)
    assert "Hello again, a gentle reminder." in page and "14 days overdue." not in page
    assert f'name="protocol_hash" value="{edited.protocol_hash}"' in page


def test_a_card_of_one_organisation_never_appears_for_another(client, approver, outsider, org, other_org):
    ours = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER, title="Chase Westpoint"),
                            source="analyzer")
    theirs = services.propose(other_org, protocol_for(ActionType.NOTE_ON_RECORD, title="Note for Globex"),
                              source="analyzer")
    client.force_login(approver)
    assert "Chase Westpoint" in _queue(client)
    client.force_login(outsider)
    page = _queue(client)
    assert "Note for Globex" in page
    assert "Chase Westpoint" not in page and str(ours.pk) not in page
    assert card_cache_key(ours) != card_cache_key(theirs)


def test_the_contact_budget_on_a_cached_card_follows_the_guardrails_as_they_are_now(client, approver, org):
    services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    policy = guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM, contact_cap_messages=3)
    client.force_login(approver)
    assert "At most 3 messages" in _queue(client)
    guardrails.policy_update(policy, actor=SYSTEM, contact_cap_messages=1)
    page = _queue(client)
    assert "At most 1 message " in page and "At most 3 messages" not in page


def test_a_foreign_value_under_a_cards_key_is_ignored(client, approver, org):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    cache.set(card_cache_key(action), "<script>alert(1)</script>")
    client.force_login(approver)
    page = _queue(client)
    assert "<script>alert(1)</script>" not in page
    assert "Our invoice INV/2025/0042 of 1,250.00 EUR is 14 days overdue." in page


def test_card_links_are_the_urls_django_would_build():
    from actions.card_content import action_url, record_url

    pk = uuid.uuid4()
    for name in ("dashboard:action", "dashboard:approve", "dashboard:reject", "dashboard:edit", "dashboard:undo"):
        assert action_url(name, pk) == reverse(name, args=[pk])
    for model in ("account.move", "res.partner", "crm.lead", "x_custom.model_2", "naïve.model", "a model"):
        assert record_url(model, 42) == reverse("dashboard:record", args=[model, 42])
