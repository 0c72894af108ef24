import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions import services
from actions.models import Action, ActionStatus
from actions.types import ActionType
from audit.models import ActionEvent

from .protocols import protocol_for


@pytest.fixture
def pending(org):
    return services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")


def _approve(client, action, **data):
    return client.post(reverse("dashboard:approve", args=[action.pk]),
                       {"protocol_hash": action.protocol_hash, **data})


def test_queue_shows_the_diff_the_recipient_and_the_exact_message(client, approver, pending):
    client.force_login(approver)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert pending.title in page
    assert "billing@customer.example" in page
    assert "Our invoice INV/2025/0042 of 1,250.00 EUR is 14 days overdue." in page
    assert "payment status is still not paid" in page
    assert "expires in" in page
    assert 'action="%s"' % reverse("dashboard:approve", args=[pending.pk]) in page


def test_navigation_badge_counts_pending(client, approver, pending):
    client.force_login(approver)
    assert b'aria-label="1 pending"' in client.get(reverse("dashboard:overview")).content


def test_approver_approves_from_the_dashboard(client, approver, pending):
    client.force_login(approver)
    response = _approve(client, pending, comment="Fine")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ActionStatus.APPROVED
    follow = client.get(response["Location"])
    assert "Approved" in follow.content.decode()


def test_approval_of_an_edited_version_is_refused(client, approver, pending):
    client.force_login(approver)
    response = _approve(client, pending, protocol_hash="0" * 64)
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING_APPROVAL
    assert "edited after you saw it" in client.get(response["Location"]).content.decode()


def test_second_approval_is_told_it_was_already_decided(client, approver, second_approver, pending):
    client.force_login(approver)
    _approve(client, pending)
    other = Client()
    other.force_login(second_approver)
    response = _approve(other, pending)
    assert "already approved" in other.get(response["Location"]).content.decode()
    assert pending.approvals.count() == 1


def test_reject_needs_a_reason(client, approver, pending):
    client.force_login(approver)
    url = reverse("dashboard:reject", args=[pending.pk])
    response = client.post(url, {"protocol_hash": pending.protocol_hash, "reason": ""})
    assert "Say why you reject it" in client.get(response["Location"]).content.decode()
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING_APPROVAL
    client.post(url, {"protocol_hash": pending.protocol_hash, "reason": "Customer paid by phone"})
    pending.refresh_from_db()
    assert pending.status == ActionStatus.REJECTED and pending.status_reason == "Customer paid by phone"


def test_viewer_sees_the_queue_but_cannot_decide(client, viewer, pending):
    client.force_login(viewer)
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert pending.title in page and "can see the queue but not approve or reject" in page
    assert reverse("dashboard:approve", args=[pending.pk]) not in page
    assert _approve(client, pending).status_code == 403
    assert client.post(reverse("dashboard:reject", args=[pending.pk]),
                       {"protocol_hash": pending.protocol_hash, "reason": "no"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING_APPROVAL


def test_other_organisations_actions_are_not_found(client, outsider, pending):
    client.force_login(outsider)
    assert client.get(reverse("dashboard:action", args=[pending.pk])).status_code == 404
    assert _approve(client, pending).status_code == 404
    assert pending.title not in client.get(reverse("dashboard:approvals")).content.decode()
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING_APPROVAL


def test_get_never_decides(client, approver, pending):
    client.force_login(approver)
    assert client.get(reverse("dashboard:approve", args=[pending.pk])).status_code == 405
    assert client.head(reverse("dashboard:reject", args=[pending.pk])).status_code == 405
    assert ActionEvent.objects.filter(action_id=pending.pk).count() == 2


def test_posts_need_a_csrf_token(approver, pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(approver)
    assert _approve(client, pending).status_code == 403
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING_APPROVAL


def test_hostile_text_is_escaped(client, approver, org):
    document = protocol_for(ActionType.SEND_INVOICE_REMINDER, title="Remind <script>alert(1)</script> Ltd",
                            reasoning="Partner <img src=x onerror=alert(2)> is 14 days overdue.")
    document["operation"]["inputs"]["body"] = "Dear <script>alert(3)</script>,"
    services.propose(org, document, source="analyzer")
    client.force_login(approver)
    for url in (reverse("dashboard:approvals"), reverse("dashboard:history")):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_detail_shows_timeline_and_protocol(client, approver, pending):
    client.force_login(approver)
    page = client.get(reverse("dashboard:action", args=[pending.pk])).content.decode()
    assert "Created" in page and "Guardrail decision" in page
    assert pending.protocol_hash[:13] in page


def test_queue_query_count_does_not_grow_with_the_queue(client, approver, org):
    client.force_login(approver)

    def queries_for_queue():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard:approvals")).status_code == 200
        return len(captured)

    for _ in range(3):
        services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    few = queries_for_queue()
    for _ in range(30):
        services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    assert Action.objects.filter(status=ActionStatus.PENDING_APPROVAL).count() == 33
    assert queries_for_queue() == few


def test_filters_narrow_the_queue(client, approver, org):
    services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    note = services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD), source="assistant")
    client.force_login(approver)
    page = client.get(reverse("dashboard:approvals"), {"source": "assistant"}).content.decode()
    assert note.title in page and "Send invoice reminder" not in page


def test_history_names_action_types_in_words(client, approver, pending, second_approver):
    services.reject(pending, second_approver, reason="Not now", protocol_hash=pending.protocol_hash)
    client.force_login(approver)
    page = client.get(reverse("dashboard:history")).content.decode()
    assert '<td data-label="Type">send invoice reminder</td>' in page
    assert "send_invoice_reminder<" not in page
