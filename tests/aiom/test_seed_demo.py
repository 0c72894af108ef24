import io
from datetime import time

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from actions import guardrails
from aiom.models import Membership, Organization
from audit.models import ActionEvent, EventType


def _seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_the_people_and_prints_their_logins():
    output = _seed()
    organization = Organization.objects.get(slug="demo")
    roles = dict(Membership.objects.filter(organization=organization).values_list("user__username", "role"))
    assert roles == {"admin": "admin", "approver": "approver", "viewer": "viewer"}
    assert "approver / aiom-approver-demo" in output


@pytest.mark.django_db
def test_demo_sends_at_any_hour_and_seeding_twice_changes_nothing():
    _seed()
    _seed()
    policy = guardrails.policy_for(Organization.objects.get(slug="demo"))
    assert (policy.business_hours_start, policy.business_hours_end, policy.weekends_off) == (time(0), time(23, 59),
                                                                                           False)
    assert policy.payment_instructions.startswith("Bank transfer to Demo Company, IBAN BE68")
    assert ActionEvent.objects.filter(event_type=EventType.POLICY_CHANGED).count() == 1
    assert Membership.objects.count() == 3


@pytest.mark.django_db
def test_with_an_odoo_url_the_first_analysis_is_queued():
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    output = _seed("--odoo-url", "http://127.0.0.1:8069")
    queued = broker.lrange("celery", 0, -1)
    broker.delete("celery")
    assert len(queued) == 1 and b"aiom.analyzers.run" in queued[0]
    assert "first analysis runs" in output


@pytest.mark.django_db
def test_seed_demo_refuses_published_passwords_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="published passwords"):
        call_command("seed_demo", stdout=io.StringIO())
