"""Booking a meeting: the `create_calendar_event` operation.

The event goes into the organiser's Odoo calendar with Odoo's own invitation mail turned off
(the context key `no_mail_to_attendees`, as Odoo's calendar reads it), and AIOM sends the one
invitation itself: an email built from facts with an iCalendar REQUEST (RFC 5546) that mail
clients show as "Accept / Decline". The executor's outbound record keeps that email to one
send; the event is found again by its reference (`AIOM-REF:<action id>`) so a retry never
books twice. The invitation's UID is stored (`MeetingInvitation`) and stays the same when the
meeting is sent again with a change (`metadata.meeting_uid`), while its SEQUENCE rises — that is
how calendars know the new invitation replaces the old one.
"""

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import date as date_filter

from integrations import email as email_integration

from .content import neutralise
from .inputs import CreateCalendarEventInputs
from .operations import Context, OperationRefused, Result, _note_after_send
from .policy.models import MeetingInvitation
from .slots import odoo_datetime

#: Odoo's context key that stops calendar.event from mailing its attendees an invitation.
NO_ODOO_INVITATION = {"no_mail_to_attendees": True}
TEMPLATE = "emails/meeting_invitation"
ICS_FILE_NAME = "invite.ics"
ICS_MIMETYPE = "text/calendar; method=REQUEST; charset=UTF-8"


def create_calendar_event(context: Context, inputs: CreateCalendarEventInputs) -> Result:
    invitation = _invitation(context)
    event_id, reused = _event(context, inputs, invitation)
    ics = invitation_ics(inputs, uid=invitation.uid, sequence=invitation.sequence,
                         organizer=_sender_address(), stamp=context.now)
    subject, text, html = email_integration.render_email(TEMPLATE, invitation_context(context, inputs))
    receipt = email_integration.send_email(
        to=list(inputs.attendee_emails), subject=subject, text_body=text, html_body=html,
        message_id=f"<{context.action_id}@{settings.AIOM_MESSAGE_ID_DOMAIN}>",
        headers={"X-AIOM-Action": str(context.action_id)}, organization_id=context.organization.pk,
        attachments=[(ICS_FILE_NAME, ics, ICS_MIMETYPE)])
    when = _local(inputs.start, inputs.timezone)
    earlier = " (event found from an earlier attempt)" if reused else ""
    result = Result(f"Booked “{inputs.name}” on {when:%Y-%m-%d %H:%M} ({inputs.timezone}) and sent the invitation "
                    f"to {', '.join(inputs.attendee_emails)}{earlier}",
                    external_ids={"calendar.event": event_id, "email": receipt.provider_id or receipt.message_id},
                    details={"uid": invitation.uid, "sequence": invitation.sequence,
                             "start": inputs.start.isoformat(), "stop": inputs.stop.isoformat()})
    _note_after_send(context, result, inputs.related_model, inputs.related_id,
                     f"Meeting booked by AIOM: {inputs.name}, {when:%Y-%m-%d %H:%M} ({inputs.timezone}). "
                     f"Invitation sent to {', '.join(inputs.attendee_emails)}.")
    return result


# ---------------------------------------------------------------------------------------------
# The invitation's identity and the Odoo event


def invitation_uid(action_id) -> str:
    return f"aiom-{action_id}@{settings.AIOM_MESSAGE_ID_DOMAIN}"


def _invitation(context: Context) -> MeetingInvitation:
    """This action's invitation: new, or — when it reschedules an earlier meeting — that
    meeting's, with its SEQUENCE raised once for this action (a retry does not raise it again)."""
    earlier = context.protocol.metadata.get("meeting_uid")
    with transaction.atomic():
        if isinstance(earlier, str) and earlier:
            invitation = (MeetingInvitation.objects.select_for_update()
                          .filter(organization=context.organization, uid=earlier).first())
            if invitation is None:
                raise OperationRefused("The meeting this one replaces is not known to AIOM; nothing was sent.")
            if invitation.action_id != context.action_id:
                invitation.sequence += 1
                invitation.action_id = context.action_id
                invitation.save(update_fields=["sequence", "action", "updated_at"])
            return invitation
        invitation, _ = MeetingInvitation.objects.get_or_create(
            uid=invitation_uid(context.action_id),
            defaults={"organization": context.organization, "action_id": context.action_id})
        return invitation


def _event(context: Context, inputs: CreateCalendarEventInputs, invitation: MeetingInvitation) -> tuple[int, bool]:
    """The Odoo event, created once: the one this invitation already has (moved to the new time
    when rescheduled), else one an earlier attempt created (found by its reference), else new."""
    odoo, ref = context.odoo, context.reference
    values = event_values(inputs, ref)
    if inputs.related_model and inputs.related_id:
        values["res_model_id"] = odoo.model_id(inputs.related_model)
    event_id = invitation.odoo_event_id
    if event_id and odoo.search("calendar.event", [("id", "=", event_id)], limit=1):
        odoo.write("calendar.event", [event_id], {key: values[key] for key in ("name", "start", "stop")},
                   context=NO_ODOO_INVITATION)
        return event_id, True
    found = odoo.search("calendar.event", [("description", "ilike", ref)], limit=1)
    reused = bool(found)
    event_id = found[0] if found else odoo.create("calendar.event", values, context=NO_ODOO_INVITATION)
    MeetingInvitation.objects.filter(pk=invitation.pk).update(odoo_event_id=event_id)
    invitation.odoo_event_id = event_id
    return event_id, reused


def event_values(inputs: CreateCalendarEventInputs, reference: str) -> dict:
    values = {
        "name": inputs.name,
        "start": odoo_datetime(inputs.start),
        "stop": odoo_datetime(inputs.stop),
        "user_id": inputs.organizer_user_id,
        "partner_ids": [(6, 0, list(inputs.partner_ids))],
        "description": _html(inputs.description) + f"<p><small>{escape(reference)}</small></p>",
        "show_as": "busy",
    }
    if inputs.location:
        values["location"] = inputs.location
    if inputs.videocall_url:
        values["videocall_location"] = inputs.videocall_url
    if inputs.related_model and inputs.related_id:
        values["res_id"] = inputs.related_id
        if inputs.related_model == "crm.lead":
            values["opportunity_id"] = inputs.related_id
    return values


def _html(text: str) -> str:
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


# ---------------------------------------------------------------------------------------------
# What the attendees receive


def _sender_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def clean_text(text: str) -> str:
    """Odoo text (a deal's name or description) fit for an invitation: each line neutralised,
    as every other email does with Odoo free text."""
    lines = (neutralise(line).text for line in str(text or "").splitlines())
    return "\n".join(line for line in lines if line.strip())


def invitation_context(context: Context, inputs: CreateCalendarEventInputs) -> dict:
    start, stop = _local(inputs.start, inputs.timezone), _local(inputs.stop, inputs.timezone)
    minutes = int((inputs.stop - inputs.start).total_seconds() // 60)
    return {
        "company_name": context.organization.name,
        "title": clean_text(inputs.name) or "Meeting",
        "day": date_filter(start, "l j F Y"),
        "start_time": f"{start:%H:%M}", "stop_time": f"{stop:%H:%M}", "zone": inputs.timezone,
        "minutes": minutes,
        "location": clean_text(inputs.location),
        "videocall_url": inputs.videocall_url or "",
        "description": clean_text(inputs.description),
    }


def invitation_ics(inputs: CreateCalendarEventInputs, *, uid: str, sequence: int, organizer: str,
                   stamp: datetime) -> bytes:
    """An iCalendar REQUEST for the meeting: times in the organisation's zone with its VTIMEZONE,
    the sender as ORGANIZER, each attendee asked to reply (RSVP)."""
    zone = ZoneInfo(inputs.timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//AIOM//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", inputs.start.astimezone(zone))
    event.add("dtend", inputs.stop.astimezone(zone))
    event.add("summary", clean_text(inputs.name) or "Meeting")
    if description := clean_text(inputs.description):
        event.add("description", description)
    location = clean_text(inputs.location) or (inputs.videocall_url or "")
    if location:
        event.add("location", location)
    if inputs.videocall_url:
        event.add("url", inputs.videocall_url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer_address = icalendar.vCalAddress(f"mailto:{organizer}")
    event.add("organizer", organizer_address)
    for address in inputs.attendee_emails:
        attendee = icalendar.vCalAddress(f"mailto:{address}")
        attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = icalendar.vText("NEEDS-ACTION")
        attendee.params["RSVP"] = icalendar.vText("TRUE")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones(first_date=(inputs.start - timedelta(days=1)).date())
    return calendar.to_ical()


def time_choices(protocol) -> list[dict]:
    """A pending meeting's offered times, for the approver to choose from (the chosen one marked)."""
    inputs = protocol.operation.inputs
    if not isinstance(inputs, CreateCalendarEventInputs):
        return []
    choices = []
    for index, slot in enumerate(inputs.candidate_slots):
        start, stop = _local(slot.start, inputs.timezone), _local(slot.stop, inputs.timezone)
        choices.append({"index": index, "chosen": (slot.start, slot.stop) == (inputs.start, inputs.stop),
                        "label": f"{date_filter(start, 'D j M Y')}, {start:%H:%M}–{stop:%H:%M} ({inputs.timezone})"})
    return choices
