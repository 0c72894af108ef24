"""The actions API lists what the dashboard lists, with the same filters, and decides and edits
through the same services: a refusal says why, and a conflict says where the action is now."""

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from django.urls import reverse
from django.utils import timezone as django_timezone

from actions import services
from actions.models import Action, ActionStatus
from actions.types import ActionType
from tests.actions.protocols import PARTNER_ID, changed, protocol_for

from . import conforms, dashboard_ids

LIST = "/api/actions/"
EDIT = "/api/actions/{id}/edit/"


def _propose(org, action_type=ActionType.SEND_INVOICE_REMINDER, *, source="analyzer", **overrides):
    return services.propose(org, protocol_for(action_type, **overrides), source=source)


def _post(client, name, action, payload):
    return client.post(reverse(name, args=[action.pk]), json.dumps(payload), content_type="application/json")


def _ids(body) -> set[str]:
    return {row["id"] for row in body["results"]}


@pytest.fixture
def mix(org, approver):
    """Actions of several types, risks, sources, records and statuses."""
    reminder = _propose(org, risk_level="high")
    deal = _propose(org, ActionType.FOLLOW_UP_STALLED_DEAL, source="dashboard")
    note = _propose(org, ActionType.NOTE_ON_RECORD, risk_level="low", source="assistant")
    other = services.propose(org, changed(changed(protocol_for(ActionType.SEND_INVOICE_REMINDER),
                                                  "operation.inputs.partner_id", 99),
                                          "external_effects.0.recipient_partner_id", 99), source="analyzer")
    task = _propose(org, ActionType.CREATE_COLLECTION_TASK)
    services.approve(task, approver, protocol_hash=task.protocol_hash)
    call = _propose(org, ActionType.SCHEDULE_DEAL_CALL)
    services.reject(call, approver, reason="Called already", protocol_hash=call.protocol_hash)
    return {"reminder": reminder, "deal": deal, "note": note, "other": other, "task": task, "call": call}


@pytest.mark.parametrize("query, expected", [
    ({}, {"reminder", "deal", "note", "other", "task", "call"}),
    ({"status": "pending_approval"}, {"reminder", "deal", "note", "other"}),
    ({"status": "rejected"}, {"call"}),
    ({"risk": "high"}, {"reminder"}),
    ({"risk_level": "low"}, {"note"}),
    ({"risk": "low", "risk_level": "low"}, {"note"}),
    ({"action_type": "follow_up_stalled_deal"}, {"deal"}),
    ({"source": "assistant"}, {"note"}),
    ({"partner": str(PARTNER_ID)}, {"reminder", "deal", "note"}),
    ({"partner": "99"}, {"other"}),
    ({"record": "account.move:42"}, {"reminder", "other", "task"}),
    ({"record": "crm.lead:11"}, {"deal", "call"}),
    ({"record": "res.partner:99"}, {"other"}),
    ({"record": "crm.lead:12"}, set()),
    ({"q": "deal"}, {"deal", "call"}),
    ({"q": "#11"}, {"deal", "call"}),
    ({"q": "deal", "status": "pending_approval", "source": "dashboard"}, {"deal"}),
    ({"risk": ""}, {"reminder", "deal", "note", "other", "task", "call"}),
])
def test_list_filters(client, viewer, mix, query, expected):
    client.force_login(viewer)
    body = conforms(client, client.get(reverse("api-actions"), query), LIST)
    assert _ids(body) == {str(mix[name].pk) for name in expected}
    assert body["count"] == len(expected)


def test_created_after_and_before_take_dates_and_moments(client, viewer, org):
    old, middle, new = (_propose(org) for _ in range(3))
    for action, day in ((old, 1), (middle, 2), (new, 3)):
        Action.objects.filter(pk=action.pk).update(created_at=datetime(2025, 3, day, 12, tzinfo=timezone.utc))
    client.force_login(viewer)

    def listed(**query):
        return _ids(conforms(client, client.get(reverse("api-actions"), query), LIST))

    assert listed(created_after="2025-03-02") == {str(middle.pk), str(new.pk)}
    assert listed(created_before="2025-03-02") == {str(old.pk)}
    assert listed(created_after="2025-03-02", created_before="2025-03-03") == {str(middle.pk)}
    assert listed(created_after="2025-03-02T12:00:00Z") == {str(middle.pk), str(new.pk)}
    assert listed(created_after="2025-03-02T13:00:00+01:00") == {str(middle.pk), str(new.pk)}
    assert listed(created_after="2025-03-02T12:00:01") == {str(new.pk)}


@pytest.mark.parametrize("query, field, words", [
    ({"status": "lost"}, "status", '"lost" is not a valid choice.'),
    ({"risk": "extreme"}, "risk", '"extreme" is not a valid choice.'),
    ({"action_type": "send_fax"}, "action_type", '"send_fax" is not a valid choice.'),
    ({"source": "gossip"}, "source", '"gossip" is not a valid choice.'),
    ({"partner": "seven"}, "partner", "A valid integer is required."),
    ({"partner": "0"}, "partner", "greater than or equal to 1"),
    ({"record": "account.move"}, "record", "Give the record as model:id, for example account.move:12."),
    ({"record": "account.move:0"}, "record", "Give the record as model:id"),
    ({"record": "Account Move:12"}, "record", "Give the record as model:id"),
    ({"created_after": "yesterday"}, "created_after", "Give a date (2025-03-12) or a date and time"),
    ({"created_before": "2025-02-30"}, "created_before", "Give a date (2025-03-12)"),
    ({"q": "x" * 101}, "q", "no more than 100 characters"),
    ({"risk": "low", "risk_level": "high"}, "non_field_errors", "risk and risk_level name different levels"),
    ({"created_after": "2025-03-02", "created_before": "2025-03-01"}, "non_field_errors",
     "created_after must be earlier than created_before."),
    ({"page_size": "0"}, "page_size", "page_size must be a whole number from 1 to 200."),
    ({"page_size": "ten"}, "page_size", "page_size must be a whole number from 1 to 200."),
])
def test_a_bad_filter_is_a_400_in_words(client, viewer, org, query, field, words):
    _propose(org)
    client.force_login(viewer)
    response = client.get(reverse("api-actions"), query)
    assert response.status_code == 400
    body = conforms(client, response, LIST)
    assert words in body["detail"] and field in body["errors"]
    assert any(words in message for message in body["errors"][field])


def test_pages_have_count_links_and_results(client, viewer, org):
    actions = [_propose(org) for _ in range(3)]
    client.force_login(viewer)
    first = conforms(client, client.get(reverse("api-actions"), {"page_size": 2}), LIST)
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert "page=2" in first["next"] and "page_size=2" in first["next"]
    second = conforms(client, client.get(first["next"]), LIST)
    assert second["next"] is None and second["previous"] and len(second["results"]) == 1
    assert _ids(first) | _ids(second) == {str(action.pk) for action in actions}
    beyond = client.get(reverse("api-actions"), {"page": 3, "page_size": 2})
    assert beyond.status_code == 404 and "There is no page 3" in conforms(client, beyond, LIST)["detail"]


def test_the_api_lists_what_the_dashboard_lists(client, approver, mix):
    """Same filters, same actions: the approval queue is the pending ones, history the rest."""
    client.force_login(approver)
    for query in ({}, {"risk": "high"}, {"action_type": "follow_up_stalled_deal"}, {"source": "dashboard"},
                  {"q": "deal"}, {"q": "42"}, {"q": "#11"}, {"risk": "medium", "q": "invoice"}):
        queue = dashboard_ids(client.get(reverse("dashboard:approvals"), query).content.decode())
        history = dashboard_ids(client.get(reverse("dashboard:history"), query).content.decode())
        listed = conforms(client, client.get(reverse("api-actions"), query), LIST)["results"]
        assert queue == {row["id"] for row in listed if row["status"] == ActionStatus.PENDING_APPROVAL}, query
        assert history == {row["id"] for row in listed if row["status"] != ActionStatus.PENDING_APPROVAL}, query
        assert queue or history or query == {"risk": "medium", "q": "invoice"}


def test_detail_carries_the_card(client, viewer, org, approver, second_approver):
    action = _propose(org, risk_level="critical")
    services.approve(action, approver, comment="fine by me", protocol_hash=action.protocol_hash)
    client.force_login(viewer)
    body = conforms(client, client.get(reverse("api-action", args=[action.pk])), "/api/actions/{id}/")
    card = body["card"]
    assert card["contacts"] == [{"channel": "email", "recipient": "billing@customer.example",
                                 "subject": "Invoice INV/2025/0042 is 14 days overdue",
                                 "message": action.parsed.operation.inputs.body}]
    assert [check["check"] for check in card["checks"]][0] == "Invoice #42 still exists in Odoo"
    assert card["editable_fields"] == ["subject", "body"]
    assert card["approvals_required"] == 2
    assert [(d["user"], d["decision"], d["comment"]) for d in card["decisions"]] == [("alice", "approve", "fine by me")]
    assert card["expires_in"].startswith("expires in") and card["send_delay_left"] is None


def test_edit_makes_a_new_revision_with_its_warnings(client, approver, org):
    action = _propose(org)
    client.force_login(approver)
    response = _post(client, "api-edit", action, {"protocol_hash": action.protocol_hash, "changes": {
        "subject": "A gentle reminder", "body": "Hello, please pay at https://pay.example/now"}})
    body = conforms(client, response, EDIT, "post")
    assert response.status_code == 200
    assert body["revision"] == 2 and body["protocol_hash"] != action.protocol_hash
    assert body["status"] == ActionStatus.PENDING_APPROVAL
    assert body["protocol"]["operation"]["inputs"]["subject"] == "A gentle reminder"
    assert body["card"]["contacts"][0]["subject"] == "A gentle reminder"
    assert any("https://pay.example/now" in warning for warning in body["card"]["edit_warnings"])
    action.refresh_from_db()
    assert action.protocol_hash == body["protocol_hash"]


def test_edit_of_a_task_deadline_is_checked_like_the_dashboard_form(client, approver, org):
    action = _propose(org, ActionType.CREATE_COLLECTION_TASK)
    client.force_login(approver)
    bad = _post(client, "api-edit", action, {"protocol_hash": action.protocol_hash,
                                             "changes": {"date_deadline": "next week"}})
    assert bad.status_code == 400
    assert conforms(client, bad, EDIT, "post")["errors"] == {"date_deadline": ["Enter a valid date."]}
    good = _post(client, "api-edit", action, {"protocol_hash": action.protocol_hash,
                                              "changes": {"date_deadline": "2031-01-31"}})
    assert conforms(client, good, EDIT, "post")["protocol"]["operation"]["inputs"]["date_deadline"] == "2031-01-31"


@pytest.mark.parametrize("payload, words", [
    ({"changes": {"to": "someone@else.example"}},
     "These cannot be edited: to. Only these may be edited: subject, body."),
    ({"changes": {"subject": "Hi\r\nBcc: x@evil.example"}}, "Invalid action"),
    ({"changes": {}}, "changes:"),
    ({"changes": {"subject": ["a", "list"]}}, "changes:"),
    ({"changes": {"subject": "x" * 256}}, "subject: Ensure this value has at most 255 characters"),
])
def test_a_refused_edit_is_a_400_and_changes_nothing(client, approver, org, payload, words):
    action = _propose(org)
    client.force_login(approver)
    response = _post(client, "api-edit", action, {"protocol_hash": action.protocol_hash, **payload})
    assert response.status_code == 400
    assert words in conforms(client, response, EDIT, "post")["detail"]
    assert Action.objects.get(pk=action.pk).protocol_hash == action.protocol_hash


def test_edit_with_a_stale_hash_is_a_conflict_with_the_current_state(client, approver, org):
    action = _propose(org)
    client.force_login(approver)
    first = _post(client, "api-edit", action, {"protocol_hash": action.protocol_hash, "changes": {"body": "One"}})
    current = first.json()["protocol_hash"]
    response = _post(client, "api-edit", action, {"protocol_hash": action.protocol_hash, "changes": {"body": "Two"}})
    assert response.status_code == 409
    body = conforms(client, response, EDIT, "post")
    assert "edited after you saw it" in body["detail"]
    assert body["status"] == ActionStatus.PENDING_APPROVAL and body["protocol_hash"] == current


@pytest.mark.parametrize("name, payload", [
    ("api-approve", {}), ("api-reject", {"reason": "No"}), ("api-edit", {"changes": {"body": "Later"}})])
def test_deciding_after_someone_else_did_is_a_conflict_with_the_current_state(client, approver, second_approver,
                                                                               org, name, payload):
    action = _propose(org)
    services.approve(action, second_approver, protocol_hash=action.protocol_hash)
    client.force_login(approver)
    response = _post(client, name, action, {"protocol_hash": action.protocol_hash, **payload})
    assert response.status_code == 409
    body = conforms(client, response, f"/api/actions/{{id}}/{name.removeprefix('api-')}/", "post")
    assert body["detail"] == "This action is already approved."
    assert body["status"] == ActionStatus.APPROVED and body["protocol_hash"] == action.protocol_hash


def test_an_expired_action_is_gone_and_says_so(client, approver, org):
    action = _propose(org)
    Action.objects.filter(pk=action.pk).update(expires_at=django_timezone.now() - timedelta(minutes=1))
    client.force_login(approver)
    response = _post(client, "api-approve", action, {"protocol_hash": action.protocol_hash})
    assert response.status_code == 410
    body = conforms(client, response, "/api/actions/{id}/approve/", "post")
    assert "expired" in body["detail"] and body["status"] == ActionStatus.EXPIRED


def test_recovery_on_the_wrong_status_says_where_the_action_is(client, approver, org):
    action = _propose(org)
    client.force_login(approver)
    response = _post(client, "api-retry", action, {})
    assert response.status_code == 409
    body = conforms(client, response, "/api/actions/{id}/retry/", "post")
    assert body["detail"] == "Only a failed action can be retried; this one is pending approval."
    assert body["status"] == ActionStatus.PENDING_APPROVAL and body["protocol_hash"] == action.protocol_hash


@pytest.mark.parametrize("name", ["api-approve", "api-reject", "api-edit", "api-retry", "api-cancel", "api-undo"])
def test_a_viewer_cannot_decide_or_edit(client, viewer, org, name):
    action = _propose(org)
    client.force_login(viewer)
    response = _post(client, name, action, {"protocol_hash": action.protocol_hash, "changes": {"body": "x"},
                                            "reason": "x"})
    assert response.status_code == 403
    assert conforms(client, response, f"/api/actions/{{id}}/{name.removeprefix('api-')}/", "post")["detail"]
    assert Action.objects.get(pk=action.pk).protocol_hash == action.protocol_hash


@pytest.mark.parametrize("name", ["api-action", "api-edit", "api-approve"])
def test_another_organisations_action_is_not_found(client, outsider, org, name):
    action = _propose(org)
    client.force_login(outsider)
    if name == "api-action":
        response = client.get(reverse(name, args=[action.pk]))
        path, method = "/api/actions/{id}/", "get"
    else:
        response = _post(client, name, action, {"protocol_hash": action.protocol_hash, "changes": {"body": "x"}})
        path, method = f"/api/actions/{{id}}/{name.removeprefix('api-')}/", "post"
    assert response.status_code == 404
    assert conforms(client, response, path, method)["detail"] == "No such action in your organisation."


def test_queue_metrics_and_bulk_answers_match_the_schema(client, approver, org):
    action = _propose(org, ActionType.NOTE_ON_RECORD)
    client.force_login(approver)
    metrics = conforms(client, client.get(reverse("api-queue-metrics")), "/api/queue/metrics/")
    assert metrics["pending"] == 1
    preflight = client.post(reverse("api-preflight"), json.dumps({"actions": [
        {"id": str(action.pk), "protocol_hash": action.protocol_hash},
        {"id": "not-an-id", "protocol_hash": "0" * 64}]}), content_type="application/json")
    rows = conforms(client, preflight, "/api/actions/preflight/", "post")["results"]
    assert rows[1] == {"id": "not-an-id", "outcome": "left_out", "reason": "Not found in your organisation."}


def test_schema_lists_every_route(client, viewer):
    client.force_login(viewer)
    schema = client.get(reverse("api-schema")).content.decode()
    for path in ("/api/actions/{id}/edit/", "/api/analyses/", "/api/analyses/run/", "/api/analyses/{id}/",
                 "/api/findings/", "/api/alerts/", "/api/plans/", "/api/plans/{id}/"):
        assert re.search(rf"^  {re.escape(path)}:$", schema, re.M), path
