import json

import pytest
from django.test import Client
from django.urls import reverse

from actions import services
from actions.models import ActionStatus
from actions.types import ActionType

from .protocols import protocol_for


@pytest.fixture
def pending(org):
    return services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")


def _post(client, name, action, payload):
    return client.post(reverse(name, args=[action.pk]), json.dumps(payload), content_type="application/json")


def test_list_is_scoped_to_the_organisation(client, approver, outsider, pending, other_org):
    services.propose(other_org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    client.force_login(approver)
    body = client.get(reverse("api-actions")).json()
    assert [row["id"] for row in body["results"]] == [str(pending.pk)]
    client.force_login(outsider)
    assert client.get(reverse("api-action", args=[pending.pk])).status_code == 404


def test_detail_carries_the_protocol(client, approver, pending):
    client.force_login(approver)
    body = client.get(reverse("api-action", args=[pending.pk])).json()
    assert body["protocol"]["operation"]["inputs"]["to"] == ["billing@customer.example"]
    assert body["protocol_hash"] == pending.protocol_hash


def test_approve_and_the_second_attempt_is_a_conflict(client, approver, pending):
    client.force_login(approver)
    response = _post(client, "api-approve", pending, {"comment": "ok", "protocol_hash": pending.protocol_hash})
    assert response.status_code == 200 and response.json()["status"] == ActionStatus.APPROVED
    again = _post(client, "api-approve", pending, {"protocol_hash": pending.protocol_hash})
    assert again.status_code == 409
    assert again.json()["detail"] == "This action is already approved."
    assert again.json()["status"] == ActionStatus.APPROVED and again.json()["protocol_hash"] == pending.protocol_hash


def test_reject_requires_a_reason(client, approver, pending):
    client.force_login(approver)
    assert _post(client, "api-reject", pending, {"protocol_hash": pending.protocol_hash}).status_code == 400
    response = _post(client, "api-reject", pending, {"reason": "Paid yesterday", "protocol_hash": pending.protocol_hash})
    assert response.json()["status"] == ActionStatus.REJECTED


@pytest.mark.parametrize("name, payload", [("api-approve", {"comment": "ok"}), ("api-reject", {"reason": "No"}),
                                           ("api-approve", {"protocol_hash": ""})])
def test_deciding_needs_the_hash_of_the_version_reviewed(client, approver, pending, name, payload):
    client.force_login(approver)
    response = _post(client, name, pending, payload)
    assert response.status_code == 400
    assert response.json()["detail"] == ("Send the protocol_hash of the version you reviewed (GET /api/actions/<id>/ "
                                         "shows it); nothing was decided.")
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING_APPROVAL and not pending.approvals.exists()


def test_a_hash_of_another_version_is_a_conflict(client, approver, pending):
    client.force_login(approver)
    response = _post(client, "api-approve", pending, {"protocol_hash": "0" * 64})
    assert response.status_code == 409 and "edited after you saw it" in response.json()["detail"]
    assert response.json()["status"] == ActionStatus.PENDING_APPROVAL
    assert response.json()["protocol_hash"] == pending.protocol_hash
    pending.refresh_from_db()
    assert not pending.approvals.exists()


def test_viewer_cannot_approve(client, viewer, pending):
    client.force_login(viewer)
    response = _post(client, "api-approve", pending, {})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == ActionStatus.PENDING_APPROVAL


def test_other_organisation_cannot_approve(client, outsider, pending):
    client.force_login(outsider)
    assert _post(client, "api-approve", pending, {}).status_code == 404


def test_session_posts_need_csrf(approver, pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(approver)
    assert _post(client, "api-approve", pending, {}).status_code == 403


def test_anonymous_gets_nothing(client, pending):
    for name in ("api-actions", "api-audit-events"):
        response = client.get(reverse(name))
        assert response.status_code == 401 and "results" not in response.json()


def test_audit_events_and_metrics(client, approver, pending):
    client.force_login(approver)
    events = client.get(reverse("api-audit-events")).json()["results"]
    assert [e["event_type"] for e in events] == ["guardrail_decision", "created"]
    metrics = client.get(reverse("api-queue-metrics")).json()
    assert metrics["pending"] == 1 and metrics["by_status"]["pending_approval"] == 1
    assert metrics["oldest_pending_age_seconds"] >= 0


def test_schema_describes_the_endpoints(client, approver):
    client.force_login(approver)
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/api/actions/{id}/approve/" in schema and "/api/audit-events/" in schema
    assert "/api/actions/{id}/edit/" in schema and "/api/analyses/run/" in schema and "/api/plans/{id}/" in schema


def test_lists_come_in_pages(client, approver, org, pending):
    for _ in range(2):
        services.propose(org, protocol_for(ActionType.NOTE_ON_RECORD), source="analyzer")
    client.force_login(approver)
    body = client.get(reverse("api-actions"), {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["previous"] is None
    assert client.get(body["next"]).json()["next"] is None


def test_a_bad_filter_is_refused_not_ignored(client, approver, pending):
    client.force_login(approver)
    response = client.get(reverse("api-actions"), {"risk": "enormous"})
    assert response.status_code == 400
    assert response.json() == {"detail": 'risk: "enormous" is not a valid choice.',
                               "errors": {"risk": ['"enormous" is not a valid choice.']}}

