"""The invitation's calendar part, as a mail client reads it: a REQUEST with a stable UID, a
SEQUENCE that rises when the meeting is sent again with a change, the sender as organiser, each
attendee asked to reply, and the time in the organisation's zone with its VTIMEZONE."""

from datetime import datetime, timezone

import icalendar

from actions import services
from actions.meetings import invitation_ics
from actions.models import ActionStatus, GuardrailPolicy
from actions.policy.models import MeetingInvitation
from actions.inputs import CreateCalendarEventInputs
from tests.actions.protocols import protocol_for

from .conftest import meeting_protocol, times


def _inputs(**changes):
    return CreateCalendarEventInputs.model_validate({**protocol_for("schedule_meeting")["operation"]["inputs"],
                                                     **changes})


def test_the_calendar_part_says_who_when_and_asks_for_a_reply():
    inputs = _inputs(attendee_emails=["ann@customer.example", "bob@customer.example"], partner_ids=[7, 8],
                     location="Rue de la Loi 16, Brussels")
    stamp = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    calendar = icalendar.Calendar.from_ical(invitation_ics(inputs, uid="aiom-x@aiom.local", sequence=2,
                                                           organizer="aiom@example.com", stamp=stamp))
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert (str(event["UID"]), event["SEQUENCE"]) == ("aiom-x@aiom.local", 2)
    assert str(event["ORGANIZER"]) == "mailto:aiom@example.com"
    assert [(str(a), a.params["RSVP"]) for a in event["ATTENDEE"]] == [
        ("mailto:ann@customer.example", "TRUE"), ("mailto:bob@customer.example", "TRUE")]
    assert str(event["SUMMARY"]) == inputs.name and str(event["LOCATION"]) == "Rue de la Loi 16, Brussels"
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Brussels" and start == inputs.start
    assert event.decoded("DTEND") == inputs.stop
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]


def test_sending_the_meeting_again_with_a_new_time_keeps_its_uid_and_raises_its_sequence(
        meeting_org, approver, smtp, odoo, deal):
    first = services.approve(services.propose(meeting_org, meeting_protocol(deal), source="analyzer"), approver)
    assert services.execute(first.pk).status == ActionStatus.EXECUTED
    uid = MeetingInvitation.objects.get(action=first).uid

    # A second message to the same customer the same day: the organisation allows it here.
    GuardrailPolicy.objects.filter(organization=meeting_org).update(email_window_hours=0)
    later = times(days_ahead=6)
    document = meeting_protocol(deal, slots=later)
    document["metadata"]["meeting_uid"] = uid
    moved = services.approve(services.propose(meeting_org, document, source="analyzer"), approver)
    assert services.execute(moved.pk).status == ActionStatus.EXECUTED, moved.status_reason

    sent = [icalendar.Calendar.from_ical(next(p for p in mail.message.walk()
                                              if p.get_content_type() == "text/calendar").get_payload(decode=True))
            for mail in smtp.received]
    events = [calendar.walk("VEVENT")[0] for calendar in sent]
    assert [str(event["UID"]) for event in events] == [uid, uid]
    assert [event["SEQUENCE"] for event in events] == [0, 1]
    invitation = MeetingInvitation.objects.get(uid=uid)
    assert invitation.sequence == 1 and invitation.action_id == moved.pk
    [event] = odoo.read("calendar.event", [invitation.odoo_event_id], ["start"])
    assert event["start"] == datetime.fromisoformat(later[0]["start"]).strftime("%Y-%m-%d %H:%M:%S")
    assert odoo.search_count("mail.mail", [("model", "=", "calendar.event")]) == 0
