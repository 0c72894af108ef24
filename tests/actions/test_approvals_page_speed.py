"""The approval queue draws what a revision says once and reuses it, and costs the same queries
however long the queue is: the pending count is read once for the badge and the heading, a new
revision is drawn afresh, and what changes without a new revision (decisions so far, the rules'
verdict, the send delay and its Undo, the CSRF token of the buttons) is always current."""

import re
from datetime import datetime, timezone as utc

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import editing, guardrails, services
from actions.card_content import card_cache_key
from actions.models import Action, ActionStatus, GuardrailPolicy
from actions.policy import inflight, store
from actions.policy.models import PartnerFacts
from actions.types import ActionType
from audit.services import SYSTEM

from .protocols import PARTNER_ID, protocol_for
from .test_approvals_page_cache import _more_pending

KINDS = [ActionType.SEND_INVOICE_REMINDER, ActionType.NOTE_ON_RECORD, ActionType.ADVANCE_DEAL_STAGE,
         ActionType.CREATE_COLLECTION_TASK, ActionType.SEND_INVOICE_REMINDER_SMS]
TWO_FOR_GERMANY = {"when": {"action_types": ["send_invoice_reminder"], "partner_countries": ["DE"],
                            "amount_over": "5000"},
                   "then": {"effect": "require_approval", "approvers": [{"count": 2}]}}
THREE_FOR_GERMANY = {"when": {"action_types": ["send_invoice_reminder"], "partner_countries": ["DE"]},
                     "then": {"effect": "require_approval", "approvers": [{"count": 3}]}}


def _queue(client, **params) -> tuple[str, list[str]]:
    """The page and the SQL it cost."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:approvals"), params)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured]


def _counts_of_pending(queries: list[str]) -> int:
    return sum(1 for sql in queries if sql.startswith("SELECT COUNT(*)") and '"actions_action"' in sql)


@pytest.fixture
def german_customer(org):
    return PartnerFacts.objects.create(organization=org, partner_id=PARTNER_ID, country_code="DE", tags=[],
                                       refreshed_at=datetime.now(utc.utc))


def test_10_and_60_pending_cost_the_same_queries_and_the_pending_count_is_read_once(client, approver, org):
    proposed = [services.propose(org, protocol_for(KINDS[n % len(KINDS)]), source="analyzer") for n in range(10)]
    client.force_login(approver)
    _queue(client)
    page, ten = _queue(client)
    assert "(10)" in page and 'aria-label="10 pending"' in page
    assert _counts_of_pending(ten) == 1

    _more_pending(proposed[0], 50)
    _queue(client)  # the copies' cards are drawn once …
    page, sixty = _queue(client)  # … and reused
    assert "(60)" in page and 'aria-label="60 pending"' in page and page.count('class="approve"') == 20
    assert len(sixty) == len(ten) and _counts_of_pending(sixty) == 1

    cache.clear()  # drawing every card anew reads nothing more from the database
    assert len(_queue(client)[1]) == len(ten)


def test_a_filtered_queue_counts_what_it_shows_and_the_badge_still_counts_everything(client, approver, org):
    services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER, risk_level="critical"), source="analyzer")
    services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD, risk_level="low"), source="analyzer")
    client.force_login(approver)
    page, queries = _queue(client, risk="critical")
    assert "(1)" in page and 'aria-label="2 pending"' in page
    assert _counts_of_pending(queries) == 2


def test_an_edit_is_drawn_afresh_and_escaped(client, approver, org):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    client.force_login(approver)
    assert "14 days overdue." in _queue(client)[0]
    assert "14 days overdue." in _queue(client)[0]  # the drawn card, reused
    drawn = cache.get(card_cache_key(action))

    edited = editing.edit(action, approver, inputs={"body": "Hello <b>again</b> & thanks."},
                          protocol_hash=action.protocol_hash)
    page, _ = _queue(client)
    assert "Hello &lt;b&gt;again&lt;/b&gt; &amp; thanks." in page and "<b>again</b>" not in page
    assert "14 days overdue." not in page
    assert f'name="protocol_hash" value="{edited.protocol_hash}"' in page
    assert action.protocol_hash not in page
    redrawn = cache.get(card_cache_key(edited))
    assert card_cache_key(edited) != card_cache_key(action) and redrawn.html != drawn.html
    assert "Hello &lt;b&gt;again&lt;/b&gt;" in redrawn.html["contacts"]


def test_decisions_and_the_rules_verdict_on_a_drawn_card_are_current(client, org, admin_member, approver,
                                                                      second_approver, german_customer):
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER, metadata={"amount": 6000}),
                              source="analyzer")
    client.force_login(second_approver)
    page, _ = _queue(client)
    assert "Policy rule:" not in page and "Dry run:" not in page

    store.create_rule(org, name="Two for Germany", definition=TWO_FOR_GERMANY, mode="enforce", actor_user=admin_member)
    store.create_rule(org, name="Trial", definition=THREE_FOR_GERMANY, mode="dry_run", actor_user=admin_member)
    inflight.retighten(org)
    assert Action.objects.get(pk=action.pk).protocol_hash == action.protocol_hash  # the same revision
    page, _ = _queue(client)
    assert '<strong>Policy rule:</strong> Rule &quot;Two for Germany&quot; requires two approvers.' in page
    assert "<strong>Dry run:</strong> Rule &quot;Trial&quot;" in page

    services.approve(Action.objects.get(pk=action.pk), approver)
    page, _ = _queue(client)
    assert "Approved so far by alice." in page and f'id="action-{action.pk}"' in page


def test_the_buttons_of_a_drawn_card_carry_each_viewers_own_csrf_token(approver, second_approver, org):
    action = services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    first = Client(enforce_csrf_checks=True)
    first.force_login(second_approver)
    _queue(first)  # the card is drawn for someone else first
    client = Client(enforce_csrf_checks=True)
    client.force_login(approver)
    page, _ = _queue(client)
    form = re.search(rf'<form method="post" action="{reverse("dashboard:approve", args=[action.pk])}">(.*?)</form>',
                     page, re.S).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(reverse("dashboard:approve", args=[action.pk]),
                           {"protocol_hash": action.protocol_hash, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == ActionStatus.APPROVED


def test_the_send_delay_and_undo_on_a_drawn_card_follow_the_approval(client, org, approver, viewer):
    guardrails.policy_update(guardrails.policy_for(org), actor=SYSTEM,
                             send_delay_seconds=GuardrailPolicy._meta.get_field("send_delay_seconds").default)
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    detail = reverse("dashboard:action", args=[action.pk])
    client.force_login(approver)
    page = client.get(detail).content.decode()
    assert ">Approve</button>" in page and "Sends in" not in page

    services.approve(action, approver)
    page = client.get(detail).content.decode()
    assert "14 days overdue." in page and "Sends in <span" in page and ">Undo</button>" in page
    assert ">Approve</button>" not in page
    client.force_login(viewer)
    page = client.get(detail).content.decode()
    assert "Sends in <span" in page and ">Undo</button>" not in page
