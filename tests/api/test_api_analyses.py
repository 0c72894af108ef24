"""Analyses over the API, read from real runs against the Odoo sandbox (demo company, fixed
day): the runs with their counts and findings, alerts, plans, and "Run analysis now"."""

import base64
import json

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from analyzers.alerts import resolve_alert
from analyzers.models import Alert, Analysis, Finding
from analyzers.services import AGED_RECEIVABLES_ALERT, run_analysis
from integrations.models import OdooConnection
from integrations.odoo.sandbox.server import start_in_thread
from tests.analyzers.demo_day import TODAY
from tests.integrations.servers import free_port

from . import conforms


@pytest.fixture
def sandbox():
    handle = start_in_thread(seed="demo", today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture
def analysed(org, sandbox):
    """Two runs of the organisation's Odoo: the second finds the same facts, its actions already open."""
    OdooConnection.objects.create(organization=org, url=sandbox.url, database=sandbox.db, username=sandbox.login,
                                  secret=sandbox.api_key, protocol="xmlrpc", timeout=5)
    return run_analysis(org, as_of=TODAY), run_analysis(org, as_of=TODAY)


def _get(client, name, *args, **query):
    return client.get(reverse(name, args=args), query)


def test_runs_newest_first_with_their_counts(client, viewer, analysed):
    first, second = analysed
    client.force_login(viewer)
    body = conforms(client, _get(client, "api-analyses"), "/api/analyses/")
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk] and body["count"] == 2
    for row, analysis in zip(body["results"], (second, first)):
        assert row["status"] == "succeeded" and row["summary"] == analysis.summary
        assert row["plan"] == analysis.plan.pk
        assert row["counts"] == {"findings": analysis.findings.count(),
                                 **{name: len(analysis.proposals[name])
                                    for name in ("proposed", "existing", "skipped", "cancelled")}}
    assert body["results"][1]["counts"]["proposed"] > 0
    assert body["results"][0]["counts"]["proposed"] == 0
    assert body["results"][0]["counts"]["existing"] == body["results"][1]["counts"]["proposed"]


def test_one_run_with_its_findings(client, viewer, analysed):
    _, second = analysed
    client.force_login(viewer)
    body = conforms(client, _get(client, "api-analysis", second.pk), "/api/analyses/{id}/")
    assert {row["id"] for row in body["findings"]} == set(second.findings.values_list("pk", flat=True))
    assert body["metrics"]["financial"]["overdue"] == second.metrics["financial"]["overdue"]
    overdue = next(row for row in body["findings"] if row["kind"] == "invoice_overdue")
    assert overdue["target_model"] == "account.move" and overdue["facts"]


def test_a_failed_run_says_why_and_has_no_plan(client, viewer, org):
    OdooConnection.objects.create(organization=org, url=f"http://127.0.0.1:{free_port()}", database="x",
                                  username="x", secret="x", timeout=1)
    failed = run_analysis(org, as_of=TODAY)
    client.force_login(viewer)
    row = conforms(client, _get(client, "api-analyses"), "/api/analyses/")["results"][0]
    assert row["id"] == failed.pk and row["status"] == "failed" and row["plan"] is None
    assert row["error"].startswith("Odoo could not be read") and row["counts"]["findings"] == 0
    alerts = conforms(client, _get(client, "api-alerts"), "/api/alerts/")["results"]
    assert [alert["key"] for alert in alerts] == ["odoo_unreachable"]


def test_another_organisations_run_and_plan_are_not_found(client, outsider, analysed):
    _, second = analysed
    client.force_login(outsider)
    for name, pk, path in (("api-analysis", second.pk, "/api/analyses/{id}/"),
                           ("api-plan", second.plan.pk, "/api/plans/{id}/"),
                           ("api-analysis", 10**9, "/api/analyses/{id}/")):
        response = _get(client, name, pk)
        assert response.status_code == 404 and "in your organisation" in conforms(client, response, path)["detail"]
    assert conforms(client, _get(client, "api-analyses"), "/api/analyses/")["count"] == 0
    assert conforms(client, _get(client, "api-findings", analysis=second.pk), "/api/findings/")["count"] == 0


def test_findings_filter_by_analysis_kind_and_severity(client, viewer, analysed):
    first, second = analysed
    client.force_login(viewer)

    def listed(**query):
        body = conforms(client, _get(client, "api-findings", page_size=200, **query), "/api/findings/")
        return [row["id"] for row in body["results"]]

    everything = listed()
    assert len(everything) == Finding.objects.filter(analysis__in=analysed).count()
    assert set(everything[:second.findings.count()]) == set(second.findings.values_list("pk", flat=True))
    assert set(listed(analysis=first.pk)) == set(first.findings.values_list("pk", flat=True))
    overdue = set(second.findings.filter(kind="invoice_overdue").values_list("pk", flat=True))
    assert overdue and set(listed(analysis=second.pk, kind="invoice_overdue")) == overdue
    high = set(Finding.objects.filter(analysis__in=analysed, severity="high").values_list("pk", flat=True))
    assert set(listed(severity="high")) == high


@pytest.mark.parametrize("query, field", [({"kind": "invoice_lost"}, "kind"), ({"severity": "dire"}, "severity"),
                                          ({"analysis": "latest"}, "analysis"), ({"analysis": "0"}, "analysis")])
def test_a_bad_findings_filter_is_a_400(client, viewer, org, query, field):
    client.force_login(viewer)
    response = _get(client, "api-findings", **query)
    assert response.status_code == 400
    body = conforms(client, response, "/api/findings/")
    assert body["detail"].startswith(f"{field}: ") and field in body["errors"]


def test_alerts_open_by_default_and_all_on_request(client, viewer, analysed):
    org = analysed[0].organization
    open_keys = set(Alert.objects.filter(organization=org, resolved_at__isnull=True).values_list("key", flat=True))
    assert AGED_RECEIVABLES_ALERT in open_keys
    resolve_alert(org, key=AGED_RECEIVABLES_ALERT)
    client.force_login(viewer)
    shown = conforms(client, _get(client, "api-alerts"), "/api/alerts/")["results"]
    assert {alert["key"] for alert in shown} == open_keys - {AGED_RECEIVABLES_ALERT}
    assert all(alert["resolved_at"] is None for alert in shown)
    everything = conforms(client, _get(client, "api-alerts", all="1"), "/api/alerts/")["results"]
    assert {alert["key"] for alert in everything} == open_keys
    assert everything[-1]["key"] == AGED_RECEIVABLES_ALERT and everything[-1]["resolved_at"]
    response = _get(client, "api-alerts", all="maybe")
    assert response.status_code == 400 and "all: " in conforms(client, response, "/api/alerts/")["detail"]


def test_plans_with_their_tasks_timeline_and_actions(client, viewer, analysed):
    first, second = analysed
    client.force_login(viewer)
    plans = conforms(client, _get(client, "api-plans"), "/api/plans/")["results"]
    assert [(plan["id"], plan["analysis"]) for plan in plans] == [(second.plan.pk, second.pk),
                                                                  (first.plan.pk, first.pk)]
    body = conforms(client, _get(client, "api-plan", first.plan.pk), "/api/plans/{id}/")
    assert body["summary"] == first.plan.summary and body["as_of"] == TODAY.isoformat()
    assert body["staff_tasks"] == first.plan.staff_tasks and body["staff_tasks"]
    assert body["timeline"] == first.plan.timeline
    assert {action["id"] for action in body["actions"]} == set(first.plan.action_ids)
    assert all(action["status"] == "pending_approval" for action in body["actions"])


def _queued_runs(broker, organization_id: int) -> list[bytes]:
    """The `aiom.analyzers.run` messages waiting for this organisation (Celery protocol 2 on Redis)."""
    return [raw for raw in broker.lrange("celery", 0, -1)
            if json.loads(raw)["headers"]["task"] == "aiom.analyzers.run"
            and json.loads(base64.b64decode(json.loads(raw)["body"]))[0] == [organization_id]]


def test_run_now_queues_a_run_for_those_who_may_decide(client, viewer, approver, org):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.force_login(viewer)
    refused = client.post(reverse("api-run-analysis"))
    assert refused.status_code == 403
    assert conforms(client, refused, "/api/analyses/run/", "post")["detail"] == "Your role cannot start an analysis."
    assert _queued_runs(broker, org.pk) == []
    client.force_login(approver)
    assert client.get(reverse("api-run-analysis")).status_code == 405
    response = client.post(reverse("api-run-analysis"))
    assert response.status_code == 202
    assert conforms(client, response, "/api/analyses/run/", "post")["detail"].startswith("Analysis started")
    queued = _queued_runs(broker, org.pk)
    for raw in queued:
        broker.lrem("celery", 1, raw)
    assert len(queued) == 1
    assert not Analysis.objects.exists()  # the worker runs it, not the request


def test_anonymous_reads_nothing(client, analysed):
    for name in ("api-analyses", "api-findings", "api-alerts", "api-plans"):
        response = client.get(reverse(name))
        assert response.status_code == 401 and set(response.json()) == {"detail"}, name
    assert client.post(reverse("api-run-analysis")).status_code == 401
