"""The assistant over the API (token and session) and in the dashboard."""

import json

from django.test import Client
from django.urls import reverse

from actions.models import Action
from aiom import api_tokens


def _propose(client, payload, **extra):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(reverse("api-assistant-propose"), body, content_type="application/json", **extra)


def test_a_decide_token_proposes_and_the_answer_carries_the_action(connected_org, approver):
    _, secret = api_tokens.create_token(approver, name="bot", scope="decide", expires_in_days=None)
    response = _propose(Client(), {"text": "create task: Order new badges due 2026-12-20"},
                        HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "proposed" and body["action"]["status"] == "pending_approval"
    action = Action.objects.get(pk=body["action"]["id"])
    assert action.created_by == f"user:{approver.pk}" and action.source == "assistant"
    assert body["action"]["protocol_hash"] == action.protocol_hash


def test_a_read_token_cannot_use_the_assistant(connected_org, approver):
    _, secret = api_tokens.create_token(approver, name="reader", scope="read", expires_in_days=None)
    response = _propose(Client(), {"text": "health check"}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403


def test_bad_input_is_a_400_in_words(connected_org, approver, client):
    client.force_login(approver)
    assert _propose(client, "{not json").status_code == 400
    for payload in ({}, {"text": 42}, {"text": ""}, {"text": "x" * 1001}, ["text"]):
        response = _propose(client, payload)
        assert response.status_code == 400, payload
        assert response.json()["detail"]
    assert not Action.objects.exists()


def test_answers_choices_and_not_understood(connected_org, approver, client):
    client.force_login(approver)
    choose = _propose(client, {"text": "call Verhoeven"}).json()
    assert choose["kind"] == "choose" and all(c["text"].startswith("call #") for c in choose["choices"])
    unknown = _propose(client, {"text": "dance"}).json()
    assert unknown["kind"] == "not_understood" and unknown["suggestions"]
    missing = _propose(client, {"text": "call Nobody Industries"})
    assert missing.status_code == 404 and "no customer called" in missing.json()["detail"]


def test_a_viewer_is_refused_actions_with_403(connected_org, viewer, client):
    client.force_login(viewer)
    response = _propose(client, {"text": "create task: Count the chairs"})
    assert response.status_code == 403 and "approver" in response.json()["detail"]


def test_suggestions_come_from_odoo(connected_org, approver, client):
    client.force_login(approver)
    results = client.get(reverse("api-assistant-suggest"), {"q": "kinetic"}).json()["results"]
    assert {"kind": "customer", "id": 18, "name": "Kinetic Labs GmbH"} in results
    assert any(row["kind"] == "deal" and "Kinetic" in row["name"] for row in results)
    assert client.get(reverse("api-assistant-suggest"), {"q": "k"}).json() == {"results": []}


def test_suggestions_survive_odoo_being_down(org, approver, client, settings):
    from integrations.models import OdooConnection
    OdooConnection.objects.create(organization=org, url="http://127.0.0.1:9", database="x", username="x",
                                  secret="x", protocol="xmlrpc", timeout=1)
    client.force_login(approver)
    assert client.get(reverse("api-assistant-suggest"), {"q": "kinetic"}).json() == {"results": []}


def test_the_dashboard_page_proposes_and_escapes_odoo_names(connected_org, approver, client):
    client.force_login(approver)
    page = client.get(reverse("dashboard:assistant")).content.decode()
    assert "create task:" in page and 'name="csrfmiddlewaretoken"' in page
    choose = client.post(reverse("dashboard:assistant"), {"text": "call Bright"}).content.decode()
    assert "Which one?" in choose and "Brightline Logistics NV" in choose
    assert "<script>alert(1)</script>" not in choose and 'value="call #36"' in choose
    answer = client.post(reverse("dashboard:assistant"), {"text": "call #36"}).content.decode()
    assert "Proposed" in answer and "<script>" not in answer
    assert Action.objects.filter(organization=connected_org, action_type="schedule_call").count() == 1


def test_the_dashboard_page_shows_errors_in_words(connected_org, approver, client):
    client.force_login(approver)
    page = client.post(reverse("dashboard:assistant"), {"text": "call Nobody Industries"}, follow=True)
    assert "no customer called" in page.content.decode()


def test_the_card_names_who_asked(connected_org, approver, client):
    client.force_login(approver)
    client.post(reverse("dashboard:assistant"), {"text": "create task: Order new badges"})
    page = client.get(reverse("dashboard:approvals")).content.decode()
    assert "Task: Order new badges" in page and "asked for by alice" in page


def test_a_huge_body_is_a_400_in_words(connected_org, approver, client):
    client.force_login(approver)
    response = _propose(client, {"text": "x" * 3_000_000})
    assert response.status_code == 400 and "too large" in response.json()["detail"]
    assert not Action.objects.exists()
