"""Every API operation fuzzed from the OpenAPI schema the API serves (/api/schema/), with
schemathesis: valid and invalid parameters and bodies, as an approver with a decide token in an
organisation that has actions, an analysis with findings and a plan, and an Odoo (the sandbox)
for the assistant. Whatever arrives, the API must not fail (no 5xx) and must answer only what
its schema promises: a documented status, the documented content type, a body of the
documented shape. Each operation is tried a second time with the ids of real objects (and the
current protocol_hash), so the deciding code runs on fuzzed input too, not only the 404s.

Bounded and repeatable: a fixed seed, derandomised generation, a few examples per operation,
no shrinking and no example database. The problems it found are pinned by the tests at the end."""

import base64
import copy
import itertools
import json
import re

import pytest
import redis
import schemathesis
from celery import current_app
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from actions import services
from actions.models import Action, ActionStatus
from actions.types import ActionType
from aiom import api_tokens
from aiom.urls import urlpatterns
from analyzers.api import QUEUE_DOWN
from analyzers.services import run_analysis
from tests.actions.protocols import protocol_for
from tests.integrations.servers import free_port

from . import conforms

#: What every response is held to.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
RUN_TASK = "aiom.analyzers.run"


def _schema_document() -> dict:
    """The document /api/schema/ serves (a test below checks that),
    built without a request: test collection runs before the test environment allows any host."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_dict(_schema_document(), config=schemathesis.Config.from_dict({
    "seed": 24,
    "generation": {"max-examples": 25, "deterministic": True, "no-shrink": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
}))


#: The operations that read Odoo (the assistant) or show what an analysis of it found.
ODOO_PATHS = r"^/api/(analyses|findings|alerts|plans|assistant)/"


def _acting(organization, approver, **objects):
    """The decide token the fuzz sends, and what it may name by id."""
    _, secret = api_tokens.create_token(approver, name="fuzz", scope="decide", expires_in_days=None)
    # The requests go through the WSGI application in this thread, inside the test's transaction:
    # like Django's test client, keep the request signals from closing that connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    yield {"headers": {"Authorization": f"Bearer {secret}"}, "org": organization, **objects}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    for raw in _queued_runs(broker, organization.pk):  # no worker runs them; another test's worker must not
        broker.lrem("celery", 1, raw)
    broker.close()


@pytest.fixture
def with_actions(org, approver, second_approver, settings):
    """Pending actions of three kinds and an approved one."""
    settings.ODOO_URL = ""  # no Odoo: the pre-flight's checks find it unreachable, nothing leaves the machine
    reminder, task, note, approved = (
        services.propose(org, protocol_for(kind), source="analyzer")
        for kind in (ActionType.SEND_INVOICE_REMINDER, ActionType.CREATE_COLLECTION_TASK, ActionType.NOTE_ON_RECORD,
                     ActionType.CREATE_STAFF_TASK))
    services.approve(approved, second_approver, protocol_hash=approved.protocol_hash)
    yield from _acting(org, approver, actions=itertools.cycle([reminder.pk, task.pk, approved.pk, note.pk]))


@pytest.fixture
def with_odoo(connected_org, approver, settings):
    """The sandbox's demo company analysed once: findings, alerts, a plan, proposed actions."""
    settings.ANTHROPIC_API_KEY = ""  # the assistant and the analysis write without Claude: nothing leaves the machine
    analysis = run_analysis(connected_org)
    yield from _acting(connected_org, approver, analysis=analysis.pk, plan=analysis.plan.pk)


def _queued_runs(broker, organization_id: int) -> list[bytes]:
    """The analysis runs queued for this organisation (Celery protocol 2 on Redis)."""
    return [raw for raw in broker.lrange("celery", 0, -1)
            if json.loads(raw)["headers"]["task"] == RUN_TASK
            and json.loads(base64.b64decode(json.loads(raw)["body"]))[0] == [organization_id]]


def _send(case, world):
    response = case.call(headers=world["headers"], base_url="http://testserver", app=APP)
    case.validate_response(response, checks=CHECKS, headers=world["headers"])


def _with_real_objects(case, world):
    """The same request about the organisation's own objects: a real id in the path, the
    current protocol_hash of each action named in the body."""
    path = case.path
    body = copy.deepcopy(case.body) if isinstance(case.body, dict | list) else case.body
    parameters = dict(case.path_parameters or {})
    action_id = next(world["actions"]) if "actions" in world else None
    if path.startswith("/api/actions/{id}/"):
        parameters["id"] = str(action_id)
    elif path.startswith("/api/analyses/{id}/"):
        parameters["id"] = world["analysis"]
    elif path.startswith("/api/plans/{id}/"):
        parameters["id"] = world["plan"]
    current = dict(Action.objects.filter(organization=world["org"]).values_list("pk", "protocol_hash"))
    if isinstance(body, dict) and "protocol_hash" in body and action_id in current:
        body["protocol_hash"] = current[action_id]
    if isinstance(body, dict) and isinstance(body.get("actions"), list):
        for item, pk in zip(body["actions"], itertools.cycle(current)):
            if isinstance(item, dict):
                item.update(id=str(pk), protocol_hash=current[pk])
    if parameters == (case.path_parameters or {}) and body == case.body:
        return None
    return case.operation.Case(path_parameters=parameters, query=case.query, headers=case.headers, body=body,
                               media_type=case.media_type)


def _fuzz(case, world):
    _send(case, world)
    real = _with_real_objects(case, world)
    if real is not None:
        _send(real, world)


FUZZ_SETTINGS = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SCHEMA.exclude(path_regex=ODOO_PATHS).parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_as_its_schema_says(case, with_actions):
    _fuzz(case, with_actions)


@SCHEMA.include(path_regex=ODOO_PATHS).parametrize()
@FUZZ_SETTINGS
def test_every_odoo_operation_answers_as_its_schema_says(case, with_odoo):
    _fuzz(case, with_odoo)


def test_the_fuzzed_schema_is_the_served_one_and_names_every_endpoint(client, approver):
    client.force_login(approver)
    served = client.get(reverse("api-schema"), {"format": "json"})
    assert served.status_code == 200
    assert json.loads(served.content) == SCHEMA.raw_schema
    routes = {"/" + re.sub(r"<\w+:(\w+)>", lambda m: "{id}" if m[1] == "pk" else "{" + m[1] + "}",
                           str(pattern.pattern)) for pattern in urlpatterns
              if str(pattern.pattern).startswith("api/") and pattern.name not in ("api-schema", "api-docs")}
    assert routes == set(SCHEMA.raw_schema["paths"])


# --- what the fuzz does not reach: the analysis queue, hostile bodies and headers -----------

@pytest.fixture
def decider(approver):
    _, secret = api_tokens.create_token(approver, name="hostile", scope="decide", expires_in_days=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def pending(org):
    return services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")


@pytest.fixture
def broker_unreachable(monkeypatch):
    """This process's Celery app sends to a port nobody listens on (Celery reads
    CELERY_BROKER_URL from the environment first); its cached connection pools are dropped so
    the next send connects anew, and restored afterwards."""
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    monkeypatch.setattr(current_app, "_pool", None)
    monkeypatch.setattr(current_app.amqp, "_producer_pool", None)


def test_run_now_with_the_broker_down_answers_503_at_once(decider, org, broker_unreachable):
    """No broker, no worker: the request does not wait for one; the hourly run still comes."""
    response = decider.post(reverse("api-run-analysis"))
    assert response.status_code == 503
    assert conforms(decider, response, "/api/analyses/run/", "post")["detail"] == QUEUE_DOWN


@pytest.mark.parametrize("name", ["api-approve", "api-reject", "api-edit", "api-cancel", "api-resolve"])
@pytest.mark.parametrize("body", ["{not json", '{"protocol_hash": ', "null", "[]", '"text"', "42",
                                  '{"protocol_hash": 42, "reason": ["x"], "changes": "all", "sent": "maybe"}',
                                  '{"protocol_hash": {"$ne": null}, "comment": {"a": 1}}', '{"\\u0000": "\\ud800"}'])
def test_a_malformed_or_mistyped_body_is_a_400_in_words(decider, pending, name, body):
    response = decider.post(reverse(name, args=[pending.pk]), body, content_type="application/json")
    assert response.status_code == 400
    path = f"/api/actions/{{id}}/{name.removeprefix('api-')}/"
    assert conforms(decider, response, path, "post")["detail"]
    assert Action.objects.get(pk=pending.pk).protocol_hash == pending.protocol_hash
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.PENDING_APPROVAL


TOO_LONG = json.dumps({"actions": [{"id": "x"}] * 2000, "text": "x" * 1001})


@pytest.mark.parametrize("name", ["api-preflight", "api-bulk-approve", "api-assistant-propose"])
@pytest.mark.parametrize("body", ["{not json", "null", "[]", '{"actions": "all", "text": 42}',
                                  '{"actions": [{"id": ["x"], "protocol_hash": null}], "text": ["health check"]}',
                                  TOO_LONG],
                         ids=["malformed", "null", "list", "wrong-types", "nested-wrong-types", "too-long"])
def test_a_malformed_bulk_or_assistant_body_is_a_400_in_words(decider, pending, name, body):
    response = decider.post(reverse(name), body, content_type="application/json")
    assert response.status_code == 400
    paths = {"api-preflight": "/api/actions/preflight/", "api-bulk-approve": "/api/actions/bulk-approve/",
             "api-assistant-propose": "/api/assistant/propose/"}
    assert conforms(decider, response, paths[name], "post")["detail"]
    assert list(Action.objects.values_list("pk", "status")) == [(pending.pk, ActionStatus.PENDING_APPROVAL)]


def test_a_body_that_is_not_json_is_refused_in_words(decider, pending):
    response = decider.post(reverse("api-approve", args=[pending.pk]), "protocol_hash", content_type="text/plain")
    assert response.status_code == 415 and "Unsupported media type" in response.json()["detail"]
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.PENDING_APPROVAL


@pytest.mark.parametrize("organization", ["99999999999999999999", "0", "-1", "globex", "acme'--", "x" * 500],
                         ids=["huge-number", "zero", "negative", "another", "quote", "long"])
def test_an_unknown_organisation_header_is_a_404_in_words(decider, pending, organization):
    response = decider.get(reverse("api-actions"), HTTP_X_AIOM_ORG=organization)
    assert response.status_code == 404
    assert "not a member of an organisation" in conforms(decider, response, "/api/actions/")["detail"]


@pytest.mark.parametrize("name, path", [("api-approve", "/api/actions/{id}/approve/"),
                                        ("api-assistant-propose", "/api/assistant/propose/")])
def test_a_body_over_the_upload_limit_is_a_400_in_words(decider, pending, name, path):
    body = json.dumps({"protocol_hash": pending.protocol_hash, "text": "x" * 3_000_000})
    response = decider.post(path.format(id=pending.pk), body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "too large" in conforms(decider, response, path, "post")["detail"]
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.PENDING_APPROVAL


# --- what the fuzz found once, kept so it stays fixed ---

def test_a_superscript_digit_as_organisation_is_a_404(decider, pending):
    response = decider.get(reverse("api-actions"), HTTP_X_AIOM_ORG="²")
    assert response.status_code == 404
    assert "not a member of an organisation" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/actions/{id}/approve/", "/api/actions/{id}/reject/", "/api/actions/{id}/edit/",
                                  "/api/actions/{id}/resolve/", "/api/actions/{id}/cancel/", "/api/actions/preflight/",
                                  "/api/actions/bulk-approve/", "/api/assistant/propose/"])
def test_an_unsupported_media_type_is_documented(decider, pending, path):
    response = decider.post(path.format(id=pending.pk), "reason=x", content_type="text/plain")
    assert response.status_code == 415 and "Unsupported media type" in response.json()["detail"]
    conforms(decider, response, path, "post")
    assert Action.objects.get(pk=pending.pk).status == ActionStatus.PENDING_APPROVAL


@pytest.mark.parametrize("path", ["/api/actions/not-an-id/", "/api/actions/null,null/approve/",
                                  "/api/actions/E3E70682-C209-4CAC-A29F-6FBED82C07CD/", "/api/analyses/-1/",
                                  "/api/plans/first/"])
def test_a_malformed_id_is_a_json_404(decider, path):
    response = decider.post(path, "{}", content_type="application/json") if "approve" in path else decider.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json()["detail"]
