"""The overview shows what the last analysis found; people can start one and read its plan."""

import re

import redis
from django.conf import settings
from django.urls import reverse

from analyzers.models import Analysis
from analyzers.services import run_analysis
from integrations.odoo.sandbox.demo import FACTS

from .demo_day import TODAY


def test_overview_shows_figures_charts_alerts_and_the_plan(client, approver, connected_org):
    analysis = run_analysis(connected_org, as_of=TODAY)
    client.force_login(approver)
    page = client.get(reverse("dashboard:overview")).content.decode()
    financial = analysis.metrics["financial"]
    assert f"{financial['overdue']['count']} invoices" in page
    assert page.count('class="bar age-') == 5
    assert page.count('class="bar pipeline"') == len(analysis.metrics["sales"]["pipeline_by_stage"])
    assert "Open alerts" in page and "Receivables by age" in page
    assert analysis.summary in page
    plan_url = reverse("dashboard:plan", args=[analysis.plan.pk])
    assert plan_url in page
    plan = client.get(plan_url).content.decode()
    assert "Staff tasks" in plan and analysis.plan.summary in plan
    assert FACTS["overdue_residual"] == financial["overdue"]["residual"]


def test_plan_of_another_organisation_is_not_found(client, outsider, connected_org):
    analysis = run_analysis(connected_org, as_of=TODAY)
    client.force_login(outsider)
    assert client.get(reverse("dashboard:plan", args=[analysis.plan.pk])).status_code == 404


def test_without_an_analysis_the_overview_says_so(client, approver, org):
    client.force_login(approver)
    page = client.get(reverse("dashboard:overview")).content.decode()
    assert "No analysis yet" in page and 'class="bar' not in page


def test_run_now_queues_an_analysis_for_approvers_only(client, approver, viewer, org):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    client.force_login(viewer)
    assert client.post(reverse("dashboard:run-analysis")).status_code == 403
    assert broker.llen("celery") == 0
    client.force_login(approver)
    assert client.get(reverse("dashboard:run-analysis")).status_code == 405
    response = client.post(reverse("dashboard:run-analysis"), follow=True)
    assert "Analysis started" in response.content.decode()
    queued = broker.lrange("celery", 0, -1)
    assert len(queued) == 1 and b"aiom.analyzers.run" in queued[0]
    broker.delete("celery")
    assert not Analysis.objects.exists()


def test_failed_analysis_is_shown_with_its_reason(client, approver, org):
    from integrations.models import OdooConnection
    from tests.integrations.servers import free_port

    OdooConnection.objects.create(organization=org, url=f"http://127.0.0.1:{free_port()}", database="x",
                                  username="x", secret="x", timeout=1)
    run_analysis(org, as_of=TODAY)
    client.force_login(approver)
    page = client.get(reverse("dashboard:overview")).content.decode()
    assert "Failed" in page and re.search(r"(unreachable|refused)", page, re.I)


def test_every_chart_bar_fits_inside_its_drawing(client, approver, connected_org):
    run_analysis(connected_org, as_of=TODAY)
    client.force_login(approver)
    page = client.get(reverse("dashboard:overview")).content.decode()
    charts = re.findall(r'<svg viewBox="0 0 (\d+) (\d+)"(.*?)</svg>', page, re.S)
    assert len(charts) == 2  # receivables by age, pipeline by stage
    for width, height, body in charts:
        rects = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', body)
        assert rects
        for x, y, w, h in rects:
            assert float(x) + float(w) <= float(width) and float(y) + float(h) <= float(height)


def test_thresholds_come_from_the_settings(connected_org, settings):
    settings.AIOM_DEAL_STALLED_DAYS = 21
    settings.AIOM_RUNWAY_LOW_DAYS = 400
    analysis = run_analysis(connected_org, as_of=TODAY)
    sales = analysis.metrics["sales"]
    assert sales["stalled_after_days"] == 21 and sales["stalled"] == FACTS["opportunities_stalled_21_days"]
    assert analysis.findings.filter(kind="cash_runway_low").count() == 1
