"""The audit trail over the API filters like the dashboard timeline and exports the same CSV."""

import csv
import io
import re
import uuid

import pytest
from django.urls import reverse

from actions import services
from actions.types import ActionType
from audit.models import ActionEvent, EventType
from audit.services import SYSTEM, Actor, append_event
from tests.actions.protocols import protocol_for

from . import conforms

EVENTS = "/api/audit-events/"


@pytest.fixture
def trail(org, other_org, approver):
    """Two actions' events, a policy change, a formula-looking actor, and another organisation's event."""
    reminder = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    deal = services.propose(org, protocol_for(ActionType.FOLLOW_UP_STALLED_DEAL), source="analyzer")
    services.approve(deal, approver, protocol_hash=deal.protocol_hash)
    append_event(org, event_type=EventType.POLICY_CHANGED, actor=Actor("user:1 alice", "human"),
                 data={"changes": {"emails_per_hour": {"before": 100, "after": 20}}})
    append_event(org, event_type=EventType.EXPIRED, actor=Actor('=HYPERLINK("http://evil.example")', "human"),
                 data={"reason": "nobody decided"})
    append_event(other_org, event_type=EventType.EXPIRED, actor=SYSTEM, data={"reason": "globex secret"})
    return {"reminder": reminder, "deal": deal}


def _seqs(body) -> list[int]:
    return [row["seq"] for row in body["results"]]


def _dashboard_seqs(client, query) -> list[int]:
    page = client.get(reverse("dashboard:audit"), query).content.decode()
    return [int(seq) for seq in re.findall(r'<td data-label="#">(\d+)</td>', page)]


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("query", [
    {}, {"event_type": "expired"}, {"actor_type": "human"}, {"actor_type": "system"}, {"q": "deal"}, {"q": "#11"},
    {"q": "42"}, {"since": "2000-01-01"}, {"until": "2000-01-01"}, {"event_type": "approved", "q": "deal"},
])
def test_filters_keep_what_the_dashboard_timeline_keeps(client, viewer, trail, query):
    client.force_login(viewer)
    body = conforms(client, client.get(reverse("api-audit-events"), query), EVENTS)
    assert _seqs(body) == _dashboard_seqs(client, query)
    assert body["count"] == len(body["results"])
    assert all("globex" not in str(row["data"]) for row in body["results"])


def test_a_search_finds_the_events_of_the_actions_it_names(client, viewer, trail):
    """"#11" is the deal's Odoo id: only the actions' own search knows that, as in the dashboard."""
    client.force_login(viewer)
    body = conforms(client, client.get(reverse("api-audit-events"), {"q": "#11"}), EVENTS)
    assert body["results"] and {row["action_id"] for row in body["results"]} == {str(trail["deal"].pk)}


def test_filter_by_action_id(client, viewer, trail):
    client.force_login(viewer)
    body = conforms(client, client.get(reverse("api-audit-events"), {"action_id": str(trail["reminder"].pk)}), EVENTS)
    assert [row["event_type"] for row in body["results"]] == ["guardrail_decision", "created"]


@pytest.mark.parametrize("query, field, words", [
    ({"event_type": "exploded"}, "event_type", "Select a valid choice. exploded is not one of the available choices."),
    ({"actor_type": "robot"}, "actor_type", "Select a valid choice."),
    ({"action_id": "12"}, "action_id", "Enter a valid UUID."),
    ({"since": "last week"}, "since", "Enter a valid date."),
    ({"until": "2025-13-01"}, "until", "Enter a valid date."),
    ({"q": "x" * 101}, "q", "Ensure this value has at most 100 characters"),
])
def test_a_bad_filter_is_a_400_in_words(client, viewer, trail, query, field, words):
    client.force_login(viewer)
    for extra in ({}, {"format": "csv"}):
        response = client.get(reverse("api-audit-events"), {**query, **extra})
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        body = conforms(client, response, EVENTS)
        assert words in body["detail"] and body["detail"].startswith(f"{field}: ")
        assert any(words in message for message in body["errors"][field])


def test_csv_is_the_dashboard_export(client, viewer, trail):
    client.force_login(viewer)
    for query in ({}, {"event_type": "expired"}, {"q": "deal"}):
        response = client.get(reverse("api-audit-events"), {**query, "format": "csv"})
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        assert re.fullmatch(r'attachment; filename="aiom-audit-acme-\d{8}-\d{4}\.csv"', response["Content-Disposition"])
        assert _csv(response) == _csv(client.get(reverse("dashboard:audit-export"), query))
    rows = list(csv.DictReader(io.StringIO(_csv(client.get(reverse("api-audit-events"),
                                                           {"format": "csv", "event_type": "expired"})))))
    assert [row["event_type"] for row in rows] == ["expired"]
    assert rows[0]["actor"] == '\'=HYPERLINK("http://evil.example")'
    everything = list(csv.DictReader(io.StringIO(_csv(client.get(reverse("api-audit-events"), {"format": "csv"})))))
    assert [int(row["seq"]) for row in everything] == list(range(1, len(everything) + 1))
    assert len(everything) == ActionEvent.objects.filter(organization=trail["deal"].organization).count()


def test_csv_by_accept_header_and_json_by_format(client, viewer, trail):
    client.force_login(viewer)
    by_header = client.get(reverse("api-audit-events"), headers={"Accept": "text/csv"})
    assert by_header["Content-Type"].startswith("text/csv") and _csv(by_header).startswith("seq,created_at,")
    as_json = client.get(reverse("api-audit-events"), {"format": "json", "event_type": "expired"})
    assert as_json["Content-Type"] == "application/json"
    assert [row["event_type"] for row in conforms(client, as_json, EVENTS)["results"]] == ["expired"]
    assert client.get(reverse("api-audit-events"), {"format": "xml"}).status_code == 404


def test_pages_and_the_page_size_cap(client, viewer, org):
    for number in range(205):
        append_event(org, event_type=EventType.POLICY_CHANGED, actor=SYSTEM, data={"n": number})
    client.force_login(viewer)
    capped = conforms(client, client.get(reverse("api-audit-events"), {"page_size": 500}), EVENTS)
    assert capped["count"] == 205 and len(capped["results"]) == 200 and capped["results"][0]["seq"] == 205
    assert "page=2" in capped["next"] and capped["previous"] is None
    last = conforms(client, client.get(capped["next"]), EVENTS)
    assert _seqs(last) == [5, 4, 3, 2, 1] and last["next"] is None
    default = conforms(client, client.get(reverse("api-audit-events")), EVENTS)
    assert len(default["results"]) == 50
    assert client.get(reverse("api-audit-events"), {"page_size": "-1"}).status_code == 400


def test_another_organisations_action_id_finds_nothing(client, outsider, trail):
    client.force_login(outsider)
    body = conforms(client, client.get(reverse("api-audit-events"), {"action_id": str(trail["deal"].pk)}), EVENTS)
    assert body["count"] == 0
    assert conforms(client, client.get(reverse("api-audit-events"), {"action_id": str(uuid.uuid4())}),
                    EVENTS)["count"] == 0
    rows = _csv(client.get(reverse("api-audit-events"), {"format": "csv"}))
    assert "globex secret" in rows and "emails_per_hour" not in rows
