"""A meeting from proposal to the customer's inbox: the approver picks a time, approves, and the
event lands in the organiser's Odoo calendar with one invitation (AIOM's, not Odoo's)."""

from zoneinfo import ZoneInfo
from datetime import date

import icalendar
import pytest

from actions import editing, services
from actions.models import Action, ActionStatus, LedgerStatus, OutboundRecord
from actions.policy.models import MeetingInvitation
from actions.slots import odoo_datetime
from analyzers.services import run_analysis

from .conftest import ZONE, meeting_protocol, times


def _ics(received):
    [part] = [part for part in received.message.walk() if part.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def _events(odoo, action):
    return odoo.search_read("calendar.event", [("description", "ilike", f"AIOM-REF:{action.pk}")],
                            ["name", "start", "stop", "user_id", "partner_ids", "attendee_ids", "videocall_location"])


def test_picked_time_is_booked_in_odoo_and_the_customer_gets_one_invitation(meeting_org, approver, smtp, odoo, deal):
    slots = times()
    action = services.propose(meeting_org, meeting_protocol(deal, slots=slots), source="analyzer")
    assert action.status == ActionStatus.PENDING_APPROVAL  # it emails a customer: a person decides
    action = editing.pick_slot(action, approver, slot=2, protocol_hash=action.protocol_hash)
    assert action.revision == 2
    inputs = action.parsed.operation.inputs
    assert (inputs.start.isoformat(), inputs.stop.isoformat()) == (slots[2]["start"], slots[2]["stop"])
    check = next(c.predicate for c in action.parsed.revalidation_plan.checks if c.check_id == "slot-free")
    assert check.start == inputs.start  # what is re-checked follows the pick
    action = services.approve(action, approver)

    outcome = services.execute(action.pk)
    assert outcome.status == ActionStatus.EXECUTED, outcome.detail

    [event] = _events(odoo, action)
    assert (event["start"], event["stop"]) == (odoo_datetime(inputs.start), odoo_datetime(inputs.stop))
    assert event["user_id"][0] == deal["organizer"] and event["partner_ids"] == [deal["partner"]["id"]]
    assert len(event["attendee_ids"]) == 1 and event["videocall_location"] == "https://meet.example.com/aiom-call"
    assert odoo.search_count("mail.mail", [("model", "=", "calendar.event"), ("res_id", "=", event["id"])]) == 0

    [mail] = smtp.received
    assert mail.rcpt_tos == [deal["partner"]["email"]]
    assert str(mail.message["Subject"]).strip().startswith("Invitation: Call about")
    calendar = _ics(mail)
    [vevent] = calendar.walk("VEVENT")
    invitation = MeetingInvitation.objects.get(action=action)
    assert str(vevent["UID"]) == invitation.uid == f"aiom-{action.pk}@aiom.local"
    assert vevent["SEQUENCE"] == 0 and invitation.odoo_event_id == event["id"]
    assert str(vevent["ORGANIZER"]) == "mailto:aiom@localhost"
    [attendee] = [vevent["ATTENDEE"]] if not isinstance(vevent["ATTENDEE"], list) else vevent["ATTENDEE"]
    assert str(attendee) == f"mailto:{deal['partner']['email']}" and attendee.params["RSVP"] == "TRUE"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [ZONE]
    start = vevent.decoded("DTSTART")
    assert str(start.tzinfo) == ZONE and start == inputs.start
    assert action.__class__.objects.get(pk=action.pk).result["details"]["uid"] == invitation.uid
    assert OutboundRecord.objects.get(action=action).status == LedgerStatus.SENT

    again = services.execute(action.pk)  # nothing is booked or sent twice
    assert "not claimable" in again.detail and len(smtp.received) == 1 and len(_events(odoo, action)) == 1


def test_a_time_taken_since_approval_blocks_the_meeting_with_the_reason(meeting_org, approver, smtp, odoo, deal):
    slots = times()
    action = services.approve(services.propose(meeting_org, meeting_protocol(deal, slots=slots), source="analyzer"),
                              approver)
    odoo.create("calendar.event", {"name": "Dentist", "user_id": deal["organizer"], "show_as": "busy",
                                   "start": odoo_datetime(action.parsed.operation.inputs.start),
                                   "stop": odoo_datetime(action.parsed.operation.inputs.stop)},
                context={"no_mail_to_attendees": True})

    outcome = services.execute(action.pk)
    action.refresh_from_db()
    assert outcome.status == action.status == ActionStatus.BLOCKED
    assert "is no longer free" in action.status_reason and ZONE in action.status_reason
    assert smtp.received == [] and _events(odoo, action) == []


def test_hostile_deal_text_is_neutralised_in_the_invitation(meeting_org, approver, smtp, deal):
    hostile = "Pay now at https://evil.example/pay IBAN BE71096123456769"
    document = meeting_protocol(deal, name=f"Call about shelving {hostile}",
                                description=f"Next step.\nUrgent: {hostile}")
    action = services.approve(services.propose(meeting_org, document, source="analyzer"), approver)
    assert services.execute(action.pk).status == ActionStatus.EXECUTED
    [mail] = smtp.received
    text = mail.message.get_body(("plain",)).get_content()
    html = mail.message.get_body(("html",)).get_content()
    ics = _ics(mail).to_ical().decode()
    for shown in (mail.message["Subject"], text, html, ics):
        assert "evil.example" not in shown and "BE71096123456769" not in shown.replace(" ", "")
    assert "Call about shelving" in text and "Next step." in text


def test_only_an_offered_time_can_be_picked(meeting_org, approver, deal):
    action = services.propose(meeting_org, meeting_protocol(deal), source="analyzer")
    with pytest.raises(Exception, match="Choose one of the times offered"):
        editing.pick_slot(action, approver, slot=5, protocol_hash=action.protocol_hash)
    with pytest.raises(Exception, match="cannot be edited: start"):
        editing.edit(action, approver, inputs={"start": "2030-01-01T10:00:00+00:00"}, protocol_hash=action.protocol_hash)


def test_a_stalled_deal_gets_a_call_booked_with_three_free_times(meeting_org, approver, client, odoo):
    run_analysis(meeting_org, as_of=date.today())  # the sandbox's demo company is seeded for today
    meetings = list(Action.objects.filter(organization=meeting_org, action_type="schedule_meeting"))
    assert meetings
    action = meetings[0]
    protocol = action.parsed
    inputs = protocol.operation.inputs
    assert protocol.version == "1.2" and len(inputs.candidate_slots) == 3
    lead = odoo.read("crm.lead", [action.target_id], ["partner_id", "user_id"])[0]
    partner = odoo.read("res.partner", [lead["partner_id"][0]], ["email"])[0]
    assert inputs.attendee_emails == [partner["email"]] and inputs.organizer_user_id == lead["user_id"][0]
    assert "slot-free" in {check.check_id for check in protocol.revalidation_plan.checks}

    client.force_login(approver)
    page = client.get(f"/dashboard/actions/{action.pk}/")
    assert "When should the meeting be?" in page.content.decode()
    response = client.post(f"/dashboard/actions/{action.pk}/meeting-time/",
                           {"slot": "1", "protocol_hash": action.protocol_hash})
    assert response.status_code == 302
    action.refresh_from_db()
    picked = action.parsed.operation.inputs
    assert (picked.start, picked.stop) == (inputs.candidate_slots[1].start, inputs.candidate_slots[1].stop)
    assert "(chosen)" in client.get(f"/dashboard/actions/{action.pk}/").content.decode()
    shown = {change.field: change.after for change in action.parsed.proposed_changes if change.model == "calendar.event"}
    local = picked.start.astimezone(ZoneInfo(picked.timezone))
    assert shown["start"] == f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({picked.timezone})"  # local, in words
