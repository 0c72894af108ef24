"""Holding invoice reminders during a negotiation (a sequence option, off by default): a customer
whose open deal changed in the last 14 days has its follow-up paused by the engine, with the deal
and the day in words, and a level waiting for approval withdrawn; once the deal is won, lost or
quiet for 14 days the follow-up carries on by itself."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionStatus
from followups import budget, engine
from followups import services as followup_services
from followups.defaults import ensure_defaults
from followups.models import EventKind, FollowUp, FollowUpStatus, Sequence, SequenceKind
from integrations.models import OdooConnection
from integrations.odoo.client import OdooClient

from .test_contact_budget import BRIGHTLINE
from .test_sequence_editor import _form

DEAL = "Fleet tracking pilot – Brightline"  # Brightline's open deal: "New", 10 %


def _holding(org) -> Sequence:
    sequence = ensure_defaults(org)[SequenceKind.INVOICES]
    Sequence.objects.filter(pk=sequence.pk).update(hold_during_negotiation=True)
    return sequence


def _ids(odoo) -> tuple[int, int]:
    partner = odoo.search("res.partner", [("name", "=", BRIGHTLINE)])[0]
    return partner, odoo.search("crm.lead", [("name", "=", DEAL)])[0]


def _follow_up(org, partner_id: int) -> FollowUp:
    return FollowUp.objects.get(organization=org, target_model="res.partner", target_id=partner_id,
                                status__in=[FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED])


def test_a_negotiation_pauses_the_reminders_and_withdraws_the_level_waiting_for_approval(chasing_org, odoo):
    partner, lead = _ids(odoo)
    engine.tick(chasing_org, odoo)  # off by default: the level is proposed
    [pending] = Action.objects.filter(organization=chasing_org, source="follow_up", target_model="res.partner",
                                      partner_id=partner)
    assert pending.status == ActionStatus.PENDING_APPROVAL
    _holding(chasing_org)
    odoo.write("crm.lead", [lead], {"name": f"{DEAL} — pay to IBAN BE71 0961 2345 6769 via evil.example/pay"})

    engine.tick(chasing_org, odoo)
    engine.tick(chasing_org, odoo)

    follow_up = _follow_up(chasing_org, partner)
    changed = datetime.fromisoformat(odoo.read("crm.lead", [lead], ["write_date"])[0]["write_date"])
    day = changed.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Brussels"))
    assert follow_up.status == FollowUpStatus.PAUSED and follow_up.next_due_at is None
    assert follow_up.reason == (f"In negotiation: {DEAL} changed on {day:%d %b %Y}; reminders wait until it is won, "
                                "lost or quiet for 14 days.")  # the name without what was added to it
    assert follow_up.events.filter(kind=EventKind.PAUSED).count() == 1  # said once, not every hour
    pending.refresh_from_db()
    assert pending.status == ActionStatus.CANCELLED and pending.status_reason == follow_up.reason
    northwind = odoo.search("res.partner", [("name", "ilike", "Northwind")])[0]  # no deal: chased as before
    assert _follow_up(chasing_org, northwind).status == FollowUpStatus.ACTIVE


@pytest.mark.parametrize("ends", ["won", "lost", "quiet"])
def test_the_follow_up_carries_on_by_itself_once_the_deal_is_won_lost_or_quiet(chasing_org, odoo, ends):
    partner, lead = _ids(odoo)
    _holding(chasing_org)
    engine.tick(chasing_org, odoo)
    assert budget.held_for_negotiation(_follow_up(chasing_org, partner))
    assert not Action.objects.filter(organization=chasing_org, target_model="res.partner", partner_id=partner).exists()

    later = timezone.now()
    if ends == "won":
        odoo.write("crm.lead", [lead], {"probability": 100.0})
    elif ends == "lost":
        odoo.write("crm.lead", [lead], {"active": False, "probability": 0.0})
    else:
        later += timedelta(days=15)
    with time_machine.travel(later, tick=True):
        engine.tick(chasing_org, odoo)

    follow_up = _follow_up(chasing_org, partner)
    assert follow_up.status == FollowUpStatus.ACTIVE and follow_up.reason == ""
    assert follow_up.events.filter(kind=EventKind.RESUMED).get().text == budget.RESUMED
    assert Action.objects.filter(organization=chasing_org, source="follow_up", target_model="res.partner",
                                 partner_id=partner).exists()  # the level due is proposed again


def test_a_pause_a_person_made_stays_theirs(chasing_org, odoo, approver):
    partner, _ = _ids(odoo)
    engine.tick(chasing_org, odoo)
    follow_up = _follow_up(chasing_org, partner)
    followup_services.pause(follow_up, approver, until=None, reason="The customer asked us to wait.")
    _holding(chasing_org)
    engine.tick(chasing_org, odoo)
    follow_up = _follow_up(chasing_org, partner)
    assert follow_up.status == FollowUpStatus.PAUSED and not budget.held_for_negotiation(follow_up)


class CountingClient(OdooClient):
    """The real client, counting which model and method each call went to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = []

    def execute(self, model, method, *args, **kwargs):
        self.asked.append((model, method))
        return super().execute(model, method, *args, **kwargs)


def test_one_read_of_the_deals_for_every_customer_per_tick(chasing_org):
    config = OdooConnection.objects.get(organization=chasing_org).config()
    without, with_hold = CountingClient(config), CountingClient(config)
    engine.tick(chasing_org, without)
    _holding(chasing_org)
    engine.tick(chasing_org, with_hold)
    deal_reads = [len([call for call in client.asked if call[0] == "crm.lead"]) for client in (without, with_hold)]
    assert deal_reads[1] == deal_reads[0] + 1
    held = FollowUp.objects.filter(organization=chasing_org, status=FollowUpStatus.PAUSED,
                                   reason__startswith=budget.NEGOTIATION)
    assert held.count() > 1  # several customers, one read


def test_the_sequence_editor_turns_the_hold_on(client, chasing_org, admin_member):
    sequence = ensure_defaults(chasing_org)[SequenceKind.INVOICES]
    client.force_login(admin_member)
    page = client.get(reverse("dashboard:sequence", args=[sequence.pk])).content.decode()
    assert "Hold reminders while a deal with the customer is being negotiated" in page
    response = client.post(reverse("dashboard:sequence", args=[sequence.pk]),
                           _form(sequence, hold_during_negotiation="on"))
    assert response.status_code == 302
    sequence.refresh_from_db()
    assert sequence.hold_during_negotiation
