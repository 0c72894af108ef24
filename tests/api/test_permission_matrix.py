"""Who may do what over the API, as one table: each representative endpoint × role (viewer,
approver, admin) × whose object (the caller's organisation or another's) × how the caller
signs in (browser session with its CSRF token, read token, decide token).

The rules the table follows: another organisation's object is not found (404, so ids cannot be
probed) and another organisation named in X-AIOM-Org is not found either; a read token may not
POST (403) whatever else holds; a viewer may read but not decide (403); an approver or admin
deciding their own organisation's pending action succeeds. Without valid credentials (none, a
revoked token, an expired token) everything is 401. A success shows its effect (the action's
status, the ids listed, the queued run); a refusal leaves the database and the queue as they
were."""

import base64
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import Action, ActionStatus, Approval
from actions.types import ActionType
from aiom import api_tokens
from aiom.models import ApiToken
from analyzers.models import Analysis
from audit.models import ActionEvent
from tests.actions.protocols import protocol_for

ROLES = ("viewer", "approver", "admin")
WHERE = ("own", "other")
AUTHS = ("session", "read", "decide")
OTHER_ORG = {"HTTP_X_AIOM_ORG": "globex"}  # an organisation the caller is not a member of


class World:
    """Two organisations with the same objects: a pending reminder, a pending note, an
    approved task and an analysis each; the caller belongs to the first only."""

    def __init__(self, org, other_org, users, second_approver, outsider):
        self.org, self.other_org, self.users = org, other_org, users
        self.objects = {organization.slug: self._objects(organization, approver)
                        for organization, approver in ((org, second_approver), (other_org, outsider))}
        self.broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    @staticmethod
    def _objects(organization, approver) -> dict:
        reminder, note, task = (services.propose(organization, protocol_for(kind), source="analyzer")
                                for kind in (ActionType.SEND_INVOICE_REMINDER, ActionType.NOTE_ON_RECORD,
                                             ActionType.CREATE_STAFF_TASK))
        approved = services.approve(task, approver, protocol_hash=task.protocol_hash)
        analysis = Analysis.objects.create(organization=organization, as_of=date(2025, 6, 1), status="succeeded",
                                           summary=f"Analysis of {organization.name}")
        return {"reminder": reminder, "note": note, "approved": approved, "analysis": analysis}

    def target(self, where: str, name: str):
        return self.objects["acme" if where == "own" else "globex"][name]

    def client(self, role: str, auth: str) -> Client:
        user = self.users[role]
        if auth == "session":
            browser = Client(enforce_csrf_checks=True)
            browser.force_login(user)
            browser.get(reverse("login"))  # the page sets the CSRF cookie, as a browser gets it
            browser.defaults["HTTP_X_CSRFTOKEN"] = browser.cookies["csrftoken"].value
            return browser
        _, secret = api_tokens.create_token(user, name=f"{role} {auth}", scope=auth, expires_in_days=None)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def queued_runs(self) -> list[bytes]:
        """The analysis runs queued for either organisation (Celery protocol 2 on Redis)."""
        ids = ([self.org.pk], [self.other_org.pk])
        return [raw for raw in self.broker.lrange("celery", 0, -1)
                if json.loads(raw)["headers"]["task"] == "aiom.analyzers.run"
                and json.loads(base64.b64decode(json.loads(raw)["body"]))[0] in ids]

    def state(self, *, events: bool = True) -> tuple:
        """Everything a request could change: actions, decisions, the audit trail, the queue."""
        return (sorted(Action.objects.values_list("pk", "status", "protocol_hash", "revision")),
                Approval.objects.count(), ActionEvent.objects.count() if events else None, len(self.queued_runs()))

    def forget_queued_runs(self) -> None:
        for raw in self.queued_runs():
            self.broker.lrem("celery", 1, raw)


@pytest.fixture
def world(org, other_org, viewer, approver, admin_member, second_approver, outsider):
    world = World(org, other_org, {"viewer": viewer, "approver": approver, "admin": admin_member},
                  second_approver, outsider)
    yield world
    world.forget_queued_runs()
    world.broker.close()


def _status(pk) -> str:
    return Action.objects.get(pk=pk).status


def _ids(response) -> set[str]:
    return {str(row["id"]) for row in response.json()["results"]}


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode()


@dataclass(frozen=True)
class Endpoint:
    """One row group of the table. `send(client, world, where)` makes the request; `effect`
    checks what a success did (for `where`, "own" or "other")."""

    name: str
    method: str
    send: Callable
    effect: Callable
    decides: bool = True  # a viewer is refused
    success: int = 200
    other: str = "404"  # "404", or "left out" for the bulk endpoints (per-row answer)
    needs_odoo: bool = False  # the success talks to Odoo (the sandbox)
    read_only: bool = False  # a POST that changes nothing (GETs never do)
    records_event: bool = False  # a success appends an audit event even when it decides nothing


def _post(path: str, body: dict, **headers):
    return lambda client: client.post(path, json.dumps(body), content_type="application/json", **headers)


def _on_action(url_name: str, target: str, body: Callable):
    def send(client, world, where):
        action = world.target(where, target)
        return _post(reverse(url_name, args=[action.pk]), body(action))(client)
    return send


def _bulk(url_name: str):
    def send(client, world, where):
        note = world.target(where, "note")
        items = [{"id": str(note.pk), "protocol_hash": note.protocol_hash}]
        return _post(reverse(url_name), {"actions": items})(client)
    return send


def _in_org(method: str, url_name: str, body: dict | None = None, **query):
    """A request about the organisation as a whole: "other" names the other one in X-AIOM-Org."""
    def send(client, world, where):
        headers = OTHER_ORG if where == "other" else {}
        if method == "GET":
            return client.get(reverse(url_name), query, **headers)
        return _post(reverse(url_name), body or {}, **headers)(client)
    return send


def _listed_actions(world, response, where):
    own = world.objects["acme"]
    assert _ids(response) == {str(own[name].pk) for name in ("reminder", "note", "approved")}


def _approved(world, response, where):
    assert response.json()["status"] == ActionStatus.APPROVED == _status(world.target(where, "reminder").pk)


def _rejected(world, response, where):
    assert response.json()["status"] == ActionStatus.REJECTED == _status(world.target(where, "reminder").pk)


def _edited(world, response, where):
    action = Action.objects.get(pk=world.target(where, "reminder").pk)
    assert response.json()["revision"] == action.revision == 2
    assert action.parsed.operation.inputs.subject == "A gentle reminder"


def _cancelled(world, response, where):
    assert response.json()["status"] == ActionStatus.CANCELLED == _status(world.target(where, "approved").pk)


def _bulk_row(world, response, where, *, outcome: str, status: str):
    note = world.target(where, "note")
    assert [(row["id"], row["outcome"]) for row in response.json()["results"]] == [(str(note.pk), outcome)]
    assert _status(note.pk) == status


def _bulk_effect(outcome: str, status: str, *, recorded: bool):
    def effect(world, response, where):
        if where == "other":  # not theirs: left out, nothing decided
            _bulk_row(world, response, where, outcome="left_out", status=ActionStatus.PENDING_APPROVAL)
        else:
            _bulk_row(world, response, where, outcome=outcome, status=status)
        if recorded:  # the batch is one event in the caller's own trail, whatever it approved
            batch = ActionEvent.objects.filter(organization=world.org, data__bulk=True).get()
            note = world.target(where, "note")
            assert [row["id"] for row in batch.data["approved" if where == "own" else "skipped"]] == [str(note.pk)]
    return effect


def _audit(world, response, where):
    events = response.json()["results"]
    own = {str(action.pk) for name, action in world.objects["acme"].items() if name != "analysis"}
    assert events and {event["action_id"] for event in events} == own


def _audit_csv(world, response, where):
    assert response["Content-Type"].startswith("text/csv")
    text = _csv(response)
    assert all(str(world.objects["acme"][name].pk) in text for name in ("reminder", "note", "approved"))
    assert not any(str(world.objects["globex"][name].pk) in text for name in ("reminder", "note", "approved"))


def _analyses(world, response, where):
    assert _ids(response) == {str(world.objects["acme"]["analysis"].pk)}


def _run_queued(world, response, where):
    assert response.json()["detail"].startswith("Analysis started")
    runs = world.queued_runs()
    assert [json.loads(base64.b64decode(json.loads(raw)["body"]))[0] for raw in runs] == [[world.org.pk]]


def _health(world, response, where):
    body = response.json()
    assert body["kind"] == "answer" and body["tool"] == "health_check" and body["action"] is None
    assert {check["name"]: check["ok"] for check in body["checks"]}["Odoo"] is True


def _task_proposed(world, response, where):
    body = response.json()
    action = Action.objects.get(pk=body["action"]["id"])
    assert body["kind"] == "proposed" and action.organization == world.org and action.source == "assistant"
    assert action.status == ActionStatus.PENDING_APPROVAL


def _shown(world, response, where):
    assert response.json()["id"] == str(world.target(where, "reminder").pk)


ENDPOINTS = [
    Endpoint("list actions", "GET", _in_org("GET", "api-actions"), _listed_actions, decides=False),
    Endpoint("action detail", "GET", lambda client, world, where: client.get(
        reverse("api-action", args=[world.target(where, "reminder").pk])), _shown, decides=False),
    Endpoint("approve", "POST", _on_action("api-approve", "reminder", lambda a: {"protocol_hash": a.protocol_hash}),
             _approved),
    Endpoint("reject", "POST", _on_action("api-reject", "reminder", lambda a: {
        "protocol_hash": a.protocol_hash, "reason": "Paid yesterday"}), _rejected),
    Endpoint("edit", "POST", _on_action("api-edit", "reminder", lambda a: {
        "protocol_hash": a.protocol_hash, "changes": {"subject": "A gentle reminder"}}), _edited),
    Endpoint("cancel", "POST", _on_action("api-cancel", "approved", lambda a: {"reason": "Not this week"}),
             _cancelled),
    Endpoint("bulk-approve", "POST", _bulk("api-bulk-approve"),
             _bulk_effect("will_execute", ActionStatus.APPROVED, recorded=True), other="left out", needs_odoo=True,
             records_event=True),
    Endpoint("preflight", "POST", _bulk("api-preflight"),
             _bulk_effect("will_execute", ActionStatus.PENDING_APPROVAL, recorded=False), other="left out",
             needs_odoo=True, read_only=True),
    Endpoint("audit events", "GET", _in_org("GET", "api-audit-events", page_size=200), _audit, decides=False),
    Endpoint("audit csv", "GET", _in_org("GET", "api-audit-events", format="csv"), _audit_csv, decides=False),
    Endpoint("analyses", "GET", _in_org("GET", "api-analyses"), _analyses, decides=False),
    Endpoint("run analysis", "POST", _in_org("POST", "api-run-analysis"), _run_queued, success=202),
    Endpoint("assistant health check", "POST", _in_org("POST", "api-assistant-propose", {"text": "health check"}),
             _health, decides=False, needs_odoo=True, read_only=True),
    Endpoint("assistant create task", "POST", _in_org("POST", "api-assistant-propose",
                                                      {"text": "create task: Count the chairs"}),
             _task_proposed, needs_odoo=True),
]


def expected_status(endpoint: Endpoint, role: str, where: str, auth: str) -> int:
    """The rules, in the order the API applies them."""
    if endpoint.method == "POST" and auth == "read":
        return 403  # the token's scope is checked before anything is looked up
    if where == "other" and endpoint.other == "404":
        return 404  # looked up within the caller's organisation before the role is checked
    if endpoint.decides and role == "viewer":
        return 403
    return endpoint.success


MATRIX = [pytest.param(endpoint, role, where, auth, id=f"{endpoint.name}-{role}-{where}-{auth}")
          for endpoint in ENDPOINTS for role in ROLES for where in WHERE for auth in AUTHS]


@pytest.mark.parametrize("endpoint, role, where, auth", MATRIX)
def test_permission_matrix(world, endpoint, role, where, auth, request):
    expected = expected_status(endpoint, role, where, auth)
    succeeds = expected == endpoint.success
    if endpoint.needs_odoo and succeeds and where == "own":
        request.getfixturevalue("connected_org")
    client = world.client(role, auth)
    events = not (succeeds and endpoint.records_event)  # the bulk approval's batch event is its effect's to check
    before = world.state(events=events)

    response = endpoint.send(client, world, where)

    assert response.status_code == expected, response.content[:500]
    if succeeds:
        endpoint.effect(world, response, where)
    else:
        assert response.json()["detail"]
    if not succeeds or where == "other" or endpoint.method == "GET" or endpoint.read_only:
        assert world.state(events=events) == before, "a refusal or a read changed something"


@pytest.mark.parametrize("credentials", ["anonymous", "revoked", "expired"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_without_valid_credentials_everything_is_401(world, endpoint, credentials):
    client = Client()
    if credentials != "anonymous":
        token, secret = api_tokens.create_token(world.users["admin"], name=credentials, scope="decide",
                                                expires_in_days=30)
        if credentials == "revoked":
            api_tokens.revoke_token(world.users["admin"], token.pk)
        else:
            ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    before = world.state()

    response = endpoint.send(client, world, "own")

    assert response.status_code == 401
    detail = response.json()["detail"]
    assert credentials in detail if credentials != "anonymous" else detail  # "This API token has been revoked; …"
    assert world.state() == before


POSTS = [endpoint for endpoint in ENDPOINTS if endpoint.method == "POST"]


@pytest.mark.parametrize("endpoint", POSTS, ids=[endpoint.name for endpoint in POSTS])
def test_a_session_post_without_its_csrf_token_is_refused(world, endpoint):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["admin"])
    before = world.state()

    response = endpoint.send(browser, world, "own")

    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert world.state() == before
