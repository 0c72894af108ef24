"""A connected organisation whose messages may go out at any hour (as tests/followups'
`chasing_org`), a stalled deal whose customer has an email, and a meeting about it."""

import datetime

import pytest

from actions.models import GuardrailPolicy
from tests.actions.protocols import protocol_for

ZONE = "Europe/Brussels"


@pytest.fixture
def meeting_org(connected_org):
    GuardrailPolicy.objects.filter(organization=connected_org).update(
        business_hours_start=datetime.time(0, 0), business_hours_end=datetime.time(23, 59, 59), weekends_off=False,
        timezone=ZONE)
    return connected_org


@pytest.fixture
def deal(odoo):
    """An open opportunity with a salesperson and a customer who has an email address."""
    lead = odoo.search_read("crm.lead", [("type", "=", "opportunity"), ("user_id", "!=", False),
                                         ("partner_id.email", "!=", False)], ["name", "partner_id", "user_id"],
                            order="id asc", limit=1)[0]
    partner = odoo.read("res.partner", [lead["partner_id"][0]], ["name", "email"])[0]
    return {**lead, "partner": partner, "organizer": lead["user_id"][0]}


def times(days_ahead: int = 3, hour: int = 10, count: int = 3) -> list[dict]:
    """`count` half-hour times, one a day from `days_ahead` days on, at `hour`:00 UTC."""
    base = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days_ahead)).replace(
        hour=hour, minute=0, second=0, microsecond=0)
    return [{"start": (base + datetime.timedelta(days=day)).isoformat(),
             "stop": (base + datetime.timedelta(days=day, minutes=30)).isoformat()} for day in range(count)]


def meeting_protocol(deal: dict, *, name: str | None = None, description: str = "Where the proposal stands.",
                     slots: list[dict] | None = None, **inputs) -> dict:
    """A schedule_meeting protocol for `deal`, aimed at the sandbox's real records."""
    slots = slots or times()
    partner = deal["partner"]
    document = protocol_for("schedule_meeting")
    document["operation"]["inputs"] = {
        "name": name or f"Call about {deal['name']}", "organizer_user_id": deal["organizer"],
        "partner_ids": [partner["id"]], "attendee_emails": [partner["email"]],
        "start": slots[0]["start"], "stop": slots[0]["stop"], "timezone": ZONE, "description": description,
        "videocall_url": "https://meet.example.com/aiom-call", "partner_id": partner["id"],
        "related_model": "crm.lead", "related_id": deal["id"], "candidate_slots": slots, **inputs}
    document["external_effects"] = [{"effect_type": "email", "recipient": partner["email"],
                                     "recipient_partner_id": partner["id"], "subject": "Meeting invitation"}]
    document["affected_records"] = {"odoo_model": "crm.lead", "odoo_ids": [deal["id"]]}
    document["revalidation_plan"] = {"checks": [
        {"check_id": "exists", "predicate": {"type": "odoo_record_exists", "model": "crm.lead", "id": deal["id"]}},
        {"check_id": "slot-free", "predicate": {"type": "calendar_slot_free", "organizer_user_id": deal["organizer"],
                                                "start": slots[0]["start"], "stop": slots[0]["stop"]}},
    ]}
    return document
