"""Sending hours in the customer's own time zone (Odoo's `tz` on the customer): invoice levels and
deal follow-ups both keep the organisation's hours in that zone, the card says whose zone it is,
and anything in `tz` that is not a real zone leaves the organisation's."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from actions import services
from actions.models import Action, ActionStatus, GuardrailPolicy
from analyzers.builders import outreach_checks
from followups import engine

from .conftest import EMMA
from .test_contact_budget import BRIGHTLINE

NEW_YORK, TOKYO = "America/New_York", "Asia/Tokyo"


@pytest.fixture
def office_hours(chasing_org):
    """09:00 to 17:00 every day, in Brussels unless the customer's zone says otherwise."""
    GuardrailPolicy.objects.filter(organization=chasing_org).update(
        business_hours_start=time(9, 0), business_hours_end=time(17, 0), weekends_off=False)
    return chasing_org


def _partner_id(odoo, name: str) -> int:
    return odoo.search("res.partner", [("name", "=", name)])[0]


def _hours_check(action: Action) -> dict:
    [check] = [check for check in action.protocol["revalidation_plan"]["checks"]
               if check["predicate"]["type"] == "quiet_hours_ok"]
    return check


def _message(org, partner_id: int, model: str = "res.partner") -> Action:
    return Action.objects.get(organization=org, source="follow_up", partner_id=partner_id, target_model=model,
                              safe_operation__in=["send_email", "send_sms"])


def test_a_customer_where_it_is_night_waits_while_one_where_it_is_day_gets_it(office_hours, odoo, approver, smtp,
                                                                             client):
    brightline = _partner_id(odoo, BRIGHTLINE)
    odoo.write("res.partner", [brightline], {"tz": NEW_YORK})
    odoo.write("res.partner", [EMMA], {"tz": TOKYO})
    noon_in_new_york = datetime.combine(timezone.now().astimezone(ZoneInfo(NEW_YORK)).date(), time(12, 0),
                                        ZoneInfo(NEW_YORK))  # evening in Brussels, the middle of the night in Tokyo
    with time_machine.travel(noon_in_new_york, tick=True):
        engine.tick(office_hours, odoo)
        day, night = _message(office_hours, brightline), _message(office_hours, EMMA)
        deal = _message(office_hours, brightline, "crm.lead")
        assert _hours_check(day)["check_id"] == "customer-hours"
        assert _hours_check(day)["predicate"]["timezone"] == NEW_YORK
        assert _hours_check(deal)["predicate"]["timezone"] == NEW_YORK  # the deal follow-up too
        assert _hours_check(night)["predicate"]["timezone"] == TOKYO

        client.force_login(approver)
        page = client.get(reverse("dashboard:approvals")).content.decode()
        assert escape("Sent only between 09:00 and 17:00 in the customer's time zone, America/New_York, every day") \
            in page
        assert escape("Sent only between 09:00 and 17:00 in the customer's time zone, Asia/Tokyo, every day") in page

        for action in (day, night):
            services.approve(action, approver, protocol_hash=action.protocol_hash)
        assert services.execute(day.pk).status == ActionStatus.EXECUTED
        outcome = services.execute(night.pk)

    assert outcome.status == "deferred" and outcome.detail.endswith("(Asia/Tokyo).")
    night.refresh_from_db()
    assert night.status == ActionStatus.APPROVED
    assert night.not_before.astimezone(ZoneInfo(TOKYO)).time() == time(9, 0)
    assert night.not_before - noon_in_new_york < timedelta(hours=12)
    assert [mail.rcpt_tos for mail in smtp.received] == [day.parsed.operation.inputs.to]


@pytest.mark.parametrize("hostile", ["Mars/Olympus", "<script>alert(1)</script>", "Europe/" + "x" * 493])
def test_a_time_zone_odoo_holds_that_is_not_one_leaves_the_organisations(office_hours, odoo, approver, client, hostile):
    odoo.write("res.partner", [EMMA], {"tz": hostile})
    engine.tick(office_hours, odoo)
    emma = _message(office_hours, EMMA)
    assert _hours_check(emma) == {"check_id": "business-hours", "severity_on_fail": "block", "predicate": {
        "type": "quiet_hours_ok", "timezone": "Europe/Brussels", "start": "09:00:00", "end": "17:00:00",
        "weekends": True}}
    client.force_login(approver)
    page = client.get(reverse("dashboard:action", args=[emma.pk])).content.decode()
    assert "Sent only between 09:00 and 17:00 Europe/Brussels, every day" in page
    assert "<script>alert(1)" not in page and "Mars/Olympus" not in page and "x" * 50 not in page


def test_a_customer_in_the_organisations_zone_keeps_the_organisations_check(office_hours):
    policy = GuardrailPolicy.objects.get(organization=office_hours)
    same, other, none = (outreach_checks(7, "sms", policy, timezone=zone)[-1] for zone in
                         ("Europe/Brussels", NEW_YORK, None))
    assert same == none and same["check_id"] == "business-hours" and same["predicate"]["timezone"] == "Europe/Brussels"
    assert other["check_id"] == "customer-hours" and other["predicate"]["timezone"] == NEW_YORK
