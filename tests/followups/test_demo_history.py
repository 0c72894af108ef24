"""The demo starts with example history, so its effectiveness report shows levels done and
what they achieved on the first visit; the history says it is an example and is seeded once."""

from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from aiom.models import Organization
from followups import demo_history, engine, outcomes
from followups.models import FollowUp, LevelOutcome

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_example_history_once(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert "five months of example history" in capsys.readouterr().out
    organization = Organization.objects.get(slug="demo")
    rows = outcomes.report(organization)
    invoice_rows = [row for row in rows if row["kind"] == "invoices"]
    deal_rows = [row for row in rows if row["kind"] == "deals"]
    # Every invoice level was done at least once, and each row says how much of it is an example.
    assert [row["level"] for row in invoice_rows] == [1, 2, 3, 4, 5, 6][:len(invoice_rows)] and len(invoice_rows) >= 4
    assert all(row["example_history"] == row["sent"] > 0 for row in rows)
    assert sum(row["paid_within_30_days"] for row in invoice_rows) > 0
    assert sum(row["paid_in_part"] for row in invoice_rows) > 0
    assert deal_rows and sum(row["deal_moved"] for row in deal_rows) > 0
    # Seeded once: the second seed_demo added nothing.
    total = LevelOutcome.objects.filter(follow_up__organization=organization).count()
    assert demo_history.seed(organization) == 0
    assert LevelOutcome.objects.filter(follow_up__organization=organization).count() == total
    assert not FollowUp.objects.filter(organization=organization, status__in=["active", "paused"]).exists()
    assert all("example history" in reason for reason in
               FollowUp.objects.filter(organization=organization).values_list("reason", flat=True))


def test_the_report_page_marks_example_history(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    client.force_login(get_user_model().objects.get(username="viewer"))
    page = client.get("/dashboard/follow-ups/report/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "example history the demo starts with" in text and "<svg" in text
    assert "Courtesy reminder" in text and "Follow-up email" in text


def test_example_history_is_left_alone_by_the_engine_watch(connected_org, odoo):
    """The hourly watch reads Odoo only for real levels: example rows keep their figures."""
    written = demo_history.seed(connected_org)
    before = list(LevelOutcome.objects.filter(seeded=True).order_by("pk").values_list("paid_amount", "paid_in_full_at"))
    engine.tick(connected_org, odoo, now=datetime.now(timezone.utc))
    after = list(LevelOutcome.objects.filter(seeded=True).order_by("pk").values_list("paid_amount", "paid_in_full_at"))
    assert written == len(before) > 0 and before == after
