"""Meetings on the Odoo sandbox held against Odoo 17's calendar module
(addons/calendar/models/calendar_event.py, calendar_attendee.py; crm/models/calendar.py)."""

from datetime import datetime, timedelta, timezone

import pytest

from integrations.odoo.errors import OdooValidationError

EVENT_FIELDS = ["name", "start", "stop", "duration", "user_id", "partner_ids", "attendee_ids", "show_as", "privacy",
                "location", "videocall_location", "description", "res_model", "res_id", "opportunity_id", "active"]
NO_MAIL = {"no_mail_to_attendees": True}


def moment(days, hour=10):
    day = datetime.now(timezone.utc).replace(tzinfo=None, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return day.replace(hour=hour).strftime("%Y-%m-%d %H:%M:%S")


def partner(odoo, name):
    [partner_id] = odoo.search("res.partner", [("name", "=", name)])
    return partner_id


def admin_partner(odoo):
    [user] = odoo.search_read("res.users", [("login", "=", "admin")], ["partner_id"])
    return user["partner_id"][0]


def invitations(odoo, event_id):
    return odoo.search_read("mail.mail", [("model", "=", "calendar.event"), ("res_id", "=", event_id)],
                            ["subject", "recipient_ids", "email_from", "state"], order="id asc")


def attendees(odoo, event_id):
    return odoo.search_read("calendar.attendee", [("event_id", "=", event_id)], ["partner_id", "state", "email", "common_name"],
                            order="id asc")


def create_meeting(odoo, context=None, **values):
    values = {"name": "Cold chain audit kick-off", "start": moment(3), "stop": moment(3, 11), **values}
    return odoo.create("calendar.event", values, context=context)


def test_a_meeting_reads_back_as_the_meeting_feature_creates_it(odoo):
    camille, bram = partner(odoo, "Camille Dubois"), partner(odoo, "Bram de Vries")
    [lead] = odoo.search("crm.lead", [("name", "=", "Cold chain audit – Polder Foods")])
    [sofia] = odoo.search("res.users", [("login", "=", "sofia")])
    event_id = create_meeting(odoo, context=NO_MAIL, user_id=sofia, partner_ids=[(6, 0, [camille, bram])],
                              description="<p>Agenda: sites in scope</p>", location="Zwolle warehouse",
                              videocall_location="https://meet.example/abc", res_model="crm.lead", res_id=lead,
                              opportunity_id=lead)

    [event] = odoo.read("calendar.event", [event_id], EVENT_FIELDS)
    assert event == {
        "id": event_id, "name": "Cold chain audit kick-off", "start": moment(3), "stop": moment(3, 11), "duration": 1.0,
        "user_id": [sofia, "Sofia Janssens"], "partner_ids": [camille, bram], "attendee_ids": event["attendee_ids"],
        "show_as": "busy", "privacy": "public", "location": "Zwolle warehouse", "videocall_location": "https://meet.example/abc",
        "description": "<p>Agenda: sites in scope</p>", "res_model": "crm.lead", "res_id": lead,
        "opportunity_id": [lead, "Cold chain audit – Polder Foods"], "active": True,
    }
    assert [a["partner_id"][0] for a in attendees(odoo, event_id)] == [camille, bram]
    assert sorted(event["attendee_ids"]) == [a["id"] for a in attendees(odoo, event_id)]


def test_the_organiser_defaults_to_the_caller_and_is_the_only_attendee_by_default(odoo):
    """``user_id`` default and ``_default_partners``; the caller's own attendee is accepted."""
    event_id = create_meeting(odoo)
    [event] = odoo.read("calendar.event", [event_id], ["user_id", "partner_ids"])
    assert event["user_id"][1] == "Mitchell Admin"
    assert event["partner_ids"] == [admin_partner(odoo)]
    assert [(a["partner_id"][0], a["state"]) for a in attendees(odoo, event_id)] == [(admin_partner(odoo), "accepted")]
    assert invitations(odoo, event_id) == []  # nobody to invite but the caller


def test_duration_and_stop_follow_each_other_like_odoo(odoo):
    """``_compute_duration`` (hours) and ``_compute_stop``: moving ``start`` keeps the duration."""
    event_id = create_meeting(odoo, context=NO_MAIL, start=moment(2, 9), stop=moment(2, 10)[:14] + "45:00")
    assert odoo.read("calendar.event", [event_id], ["duration"])[0]["duration"] == 1.75
    odoo.write("calendar.event", [event_id], {"start": moment(4, 14)}, context=NO_MAIL)
    [event] = odoo.read("calendar.event", [event_id], ["stop", "duration"])
    assert event == {"id": event_id, "stop": moment(4, 15)[:14] + "45:00", "duration": 1.75}
    only_start = odoo.create("calendar.event", {"name": "Call", "start": moment(5, 9)}, context=NO_MAIL)
    assert odoo.read("calendar.event", [only_start], ["stop", "duration"])[0]["stop"] == moment(5, 10)


def test_a_meeting_ending_before_it_starts_is_refused_with_odoos_message(odoo):
    with pytest.raises(OdooValidationError) as refused:
        create_meeting(odoo, start=moment(3, 11), stop=moment(3, 10))
    assert "The ending date and time cannot be earlier than the starting date and time." in str(refused.value)
    assert odoo.search("calendar.event", [("name", "=", "Cold chain audit kick-off")]) == []
    event_id = create_meeting(odoo, context=NO_MAIL)
    with pytest.raises(OdooValidationError):
        odoo.write("calendar.event", [event_id], {"stop": moment(2)})
    assert odoo.read("calendar.event", [event_id], ["stop"])[0]["stop"] == moment(3, 11)


def test_busy_meetings_of_a_user_between_two_datetimes(odoo):
    """The free/busy search of the meeting feature: the demo's admin meetings, ``start desc``."""
    [admin] = odoo.search("res.users", [("login", "=", "admin")])
    found = odoo.search_read("calendar.event", [("user_id", "=", admin), ("show_as", "=", "busy"),
                                                ("start", "<", moment(8, 0)), ("stop", ">", moment(0, 0))],
                             ["name", "start", "stop"])
    assert [e["name"] for e in found] == ["Lab rollout review – Kinetic Labs", "Lunch with Dubois & Fils", "Weekly planning"]
    by_partner = odoo.search("calendar.event", [("partner_ids", "in", [partner(odoo, "Camille Dubois")])])
    assert len(by_partner) == 1


def test_odoo_invites_every_attendee_but_the_caller_unless_told_not_to(odoo):
    """``create`` → ``_send_invitation_emails`` → ``_send_mail_to_attendees``; the context key
    ``no_mail_to_attendees`` suppresses it (``dont_notify`` does not)."""
    camille, bram = partner(odoo, "Camille Dubois"), partner(odoo, "Bram de Vries")
    invited = create_meeting(odoo, partner_ids=[(6, 0, [admin_partner(odoo), camille, bram])], context={"dont_notify": True})
    mails = invitations(odoo, invited)
    assert [(m["subject"], m["recipient_ids"]) for m in mails] == [
        ("Invitation to Cold chain audit kick-off", [camille]), ("Invitation to Cold chain audit kick-off", [bram])]
    assert mails[0]["email_from"] == '"Mitchell Admin" <admin@lumenworks.example>'
    notifications = odoo.search_count("mail.message", [("model", "=", "calendar.event"), ("res_id", "=", invited),
                                                       ("message_type", "=", "user_notification")])
    assert notifications == 2

    quiet = create_meeting(odoo, partner_ids=[(6, 0, [camille, bram])], context=NO_MAIL)
    assert invitations(odoo, quiet) == []
    past = create_meeting(odoo, partner_ids=[(6, 0, [camille])], start=moment(-2), stop=moment(-2, 11))
    assert invitations(odoo, past) == []  # only future meetings are announced on create


def test_adding_an_attendee_invites_only_the_new_one(odoo):
    """``write`` of ``partner_ids``: ``_attendees_values`` adds/removes attendees, the new ones are invited."""
    camille, bram, femke = partner(odoo, "Camille Dubois"), partner(odoo, "Bram de Vries"), partner(odoo, "Femke Visser")
    event_id = create_meeting(odoo, partner_ids=[(6, 0, [camille])], context=NO_MAIL)
    odoo.write("calendar.event", [event_id], {"partner_ids": [(4, bram)]})
    assert [m["recipient_ids"] for m in invitations(odoo, event_id)] == [[bram]]
    odoo.write("calendar.event", [event_id], {"partner_ids": [(3, camille), (4, femke)]}, context=NO_MAIL)
    assert [a["partner_id"][0] for a in attendees(odoo, event_id)] == [bram, femke]
    assert odoo.read("calendar.event", [event_id], ["partner_ids"])[0]["partner_ids"] == [bram, femke]
    assert len(invitations(odoo, event_id)) == 1
    odoo.write("calendar.event", [event_id], {"start": moment(6), "stop": moment(6, 11)})
    assert [m["subject"] for m in invitations(odoo, event_id)][1:] == ["Cold chain audit kick-off: Date updated"] * 2


def test_attendees_carry_the_partner_email_and_are_deleted_with_the_meeting(odoo):
    camille = partner(odoo, "Camille Dubois")
    event_id = create_meeting(odoo, partner_ids=[(4, camille)], context=NO_MAIL)
    [attendee] = attendees(odoo, event_id)
    assert attendee == {"id": attendee["id"], "partner_id": [camille, "Dubois & Fils SA, Camille Dubois"],
                        "state": "needsAction", "email": "camille@dubois-fils.example", "common_name": "Camille Dubois"}
    odoo.write("calendar.attendee", [attendee["id"]], {"state": "accepted"})
    assert attendees(odoo, event_id)[0]["state"] == "accepted"
    odoo.execute("calendar.event", "unlink", [event_id])
    assert odoo.search("calendar.attendee", [("event_id", "=", event_id)]) == []


def test_a_meeting_on_an_opportunity_is_logged_in_its_chatter(odoo):
    """crm/models/calendar.py ``create``: ``log_meeting`` when the event has no activity."""
    [lead] = odoo.search("crm.lead", [("name", "=", "Solar monitoring – Helios")])
    event_id = create_meeting(odoo, context=NO_MAIL, opportunity_id=lead, name="Pilot scope")
    [message] = odoo.search_read("mail.message", [("model", "=", "crm.lead"), ("res_id", "=", lead)], ["body"], limit=1)
    assert "Meeting scheduled at" in message["body"] and "Pilot scope" in message["body"]
    assert f'data-oe-id="{event_id}"' in message["body"]


def test_a_meeting_from_a_document_context_schedules_a_meeting_activity(odoo):
    """``create`` with ``default_res_model`` in the context and ``res_model_id``/``res_id``: a
    "Meeting" activity on the lead, following the event (``_sync_activities``)."""
    [lead] = odoo.search("crm.lead", [("name", "=", "Booking engine – Silverleaf Hotels")])
    event_id = create_meeting(odoo, context={**NO_MAIL, "default_res_model": "crm.lead"}, name="Demo booking engine",
                              res_model_id=odoo.model_id("crm.lead"), res_id=lead, start=moment(4), stop=moment(4, 11))
    [activity] = odoo.search_read("mail.activity", [("calendar_event_id", "=", event_id)],
                                  ["res_id", "summary", "date_deadline", "activity_type_id"])
    assert (activity["res_id"], activity["summary"], activity["date_deadline"]) == (lead, "Demo booking engine", moment(4)[:10])
    assert activity["activity_type_id"][1] == "Meeting"
    assert odoo.read("calendar.event", [event_id], ["res_model"])[0]["res_model"] == "crm.lead"


def test_fields_get_describes_the_meeting_fields(odoo):
    fields = odoo.execute("calendar.event", "fields_get", attributes=["type", "string", "relation", "required"])
    assert fields["partner_ids"] == {"type": "many2many", "string": "Attendees", "relation": "res.partner", "required": False}
    assert fields["attendee_ids"]["relation"] == "calendar.attendee"
    assert fields["name"] == {"type": "char", "string": "Meeting Subject", "required": True}
    assert fields["description"]["type"] == "html"
    assert fields["opportunity_id"]["relation"] == "crm.lead"
    assert {fields[f]["type"] for f in ("start", "stop")} == {"datetime"}
    states = odoo.execute("calendar.attendee", "fields_get", ["state"], attributes=["selection"])["state"]["selection"]
    assert [key for key, _ in states] == ["needsAction", "tentative", "declined", "accepted"]
