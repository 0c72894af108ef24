"""What Odoo 17 does when meetings, attendees, partner tags and countries are written (odoo/odoo 17.0).

calendar.event (addons/calendar/models/calendar_event.py):

- ``create``: ``user_id`` defaults to the caller (also when the quick-create filter names another
  user); ``partner_ids`` defaults to the caller's partner (``_default_partners``); unless
  ``attendee_ids`` is given, one ``calendar.attendee`` per partner is created from the
  ``partner_ids`` commands (``_attendees_values``: (6,0,ids), (4,id), (3,id)/(2,id), a bare list of
  ids meaning (6,0,ids); (0,...), (1,...) and (5,) create or remove no attendee).
- ``stop``/``duration``: ``_compute_stop`` (start + duration, 1 hour when unset, rounded to the
  minute, minus one second for all-day events) and ``_compute_duration`` (hours, 2 decimals);
  changing ``start`` keeps the duration and moves ``stop``. ``_check_closing_date`` refuses a
  ``stop`` before ``start`` with Odoo's ValidationError.
- Invitation mail: ``create`` calls ``attendee_ids._send_invitation_emails()`` for events that
  start in the future; ``write`` of ``partner_ids`` sends the invitation to the attendees it
  added, and a ``write`` of a future ``start`` sends "Date updated" to the attendees already there.
  Both end in calendar_attendee.py ``_send_mail_to_attendees``, which sends nothing when the
  context holds **``no_mail_to_attendees``** (or the ``calendar.block_mail`` system parameter is
  set, which the sandbox has not). ``dont_notify`` only skips alarms: it does NOT stop the
  invitations. Each attendee with an email, except the caller's own partner
  (``_should_notify_attendee``), gets ``message_notify``: a ``user_notification`` message on the
  event and an outgoing ``mail.mail`` (a real server sends it after commit and, being a
  notification with ``auto_delete``, deletes it; the sandbox sends nothing and keeps it).
- Linked document: when the context names a document model (``default_res_model`` or
  ``active_model``) and ``res_model_id``/``res_id`` are set, a "Meeting" activity is created on
  the document and kept in step with the event (``_sync_activities``: summary, note, deadline,
  user); addons/crm/models/calendar.py then logs "Meeting scheduled at …" on ``opportunity_id``
  only when the event has no activity (``log_meeting``). Odoo 19 creates the activity from
  ``res_model_id`` alone.

calendar.attendee (calendar_attendee.py ``create``): the caller's own attendee is ``accepted``
unless a state is given; ``common_name`` is the partner's name, else the email. Deleting an
event deletes its attendees (``ondelete='cascade'``).

res.country (base/models/res_country.py): ``code`` upper-cased, name and code unique.
res.partner.category (base/models/res_partner.py): display name "Parent / Child",
``_check_parent_id`` ("You can not create recursive tags.").
"""

from datetime import datetime, timedelta, timezone
from html import escape
from zoneinfo import ZoneInfo

from . import rules_mail
from .errors import ValidationError
from .rules_constraints import SQL_REFUSAL, _check_recursion
from .store import COMPUTED
from .values import DATETIME_FORMAT

CLOSING_DATE = ("The ending date and time cannot be earlier than the starting date and time.\n"
                "Meeting \u201c{name}\u201d starts at {start} and ends at {stop}")
CLOSING_DAY = ("The ending date cannot be earlier than the starting date.\n"
               "Meeting \u201c{name}\u201d starts on {start} and ends on {stop}")
TAG_RECURSION = "You can not create recursive tags."
COUNTRY_UNIQUE = {"name": "The name of the country must be unique!", "code": "The code of the country must be unique!"}
#: mail templates calendar_template_meeting_invitation / _changedate (calendar/data/mail_template_data.xml)
SUBJECTS = {"invitation": "Invitation to {name}", "changedate": "{name}: Date updated"}
NO_MAIL = "no_mail_to_attendees"


# --- create / write values ---------------------------------------------------------------------
def prepare_create(env, model, vals):
    if model == "calendar.event":
        vals.setdefault("user_id", env.uid)
        _event_times(vals, {}, vals)
        _event_document(env, vals, vals)
        _check_event(vals)
    elif model == "calendar.attendee":
        vals["common_name"] = _common_name(env.store, vals.get("partner_id"))
    elif model == "res.country":
        _country(env, None, vals)
    elif model == "res.partner.category":
        _check_recursion(env.store, model, None, vals.get("parent_id"), TAG_RECURSION)
    return vals


def write_changes(env, model, row, changes):
    changes = dict(changes)
    if model == "calendar.event":
        _event_times(changes, row, {**row, **changes})
        _event_document(env, changes, {**row, **changes})
        _check_event({**row, **changes})
    elif model == "calendar.attendee" and "partner_id" in changes:
        changes["common_name"] = _common_name(env.store, changes["partner_id"])
    elif model == "res.country":
        _country(env, row, changes)
    elif model == "res.partner.category" and "parent_id" in changes:
        _check_recursion(env.store, model, row["id"], changes["parent_id"], TAG_RECURSION)
    return changes


def _event_times(changes, row, merged):
    """``_compute_stop`` / ``_compute_duration`` / ``_compute_dates`` on the values being written."""
    start = _dt(merged.get("start"))
    if start and "stop" not in changes and ({"start", "duration"} & set(changes) or not row):
        stop = start + timedelta(minutes=round((merged.get("duration") or 1.0) * 60))
        if merged.get("allday"):
            stop -= timedelta(seconds=1)
        changes["stop"] = merged["stop"] = stop.strftime(DATETIME_FORMAT)
    elif "duration" not in changes and {"start", "stop"} & set(changes):
        stop = _dt(merged.get("stop"))
        changes["duration"] = merged["duration"] = round((stop - start).total_seconds() / 3600, 2) if start and stop else 0.0
    if not row and "duration" not in changes:
        changes["duration"] = 1.0 if start else 0.0
    if {"start", "stop", "allday"} & set(changes):
        allday = merged.get("allday") and merged.get("start") and merged.get("stop")
        changes["start_date"] = merged["start"][:10] if allday else False
        changes["stop_date"] = merged["stop"][:10] if allday else False


def _event_document(env, changes, merged):
    """``res_model`` is stored ``related='res_model_id.model'``: it follows ``res_model_id``."""
    if changes.get("res_model_id") and "res_model" not in changes:
        changes["res_model"] = env.store.row("ir.model", changes["res_model_id"])["model"]


def _check_event(values):
    """``_check_closing_date``."""
    start, stop = values.get("start"), values.get("stop")
    if not values.get("allday") and start and stop and stop < start:
        raise ValidationError(CLOSING_DATE.format(name=values.get("name"), start=start, stop=stop))
    if values.get("allday") and values.get("start_date") and values.get("stop_date") and values["stop_date"] < values["start_date"]:
        raise ValidationError(CLOSING_DAY.format(name=values.get("name"), start=values["start_date"], stop=values["stop_date"]))


def _country(env, row, changes):
    if changes.get("code"):
        changes["code"] = changes["code"].upper()
    for fname, message in COUNTRY_UNIQUE.items():
        value = changes.get(fname)
        if value and any(other.get(fname) == value and (row is None or other["id"] != row["id"])
                         for other in env.store.tables["res.country"].values()):
            raise ValidationError(SQL_REFUSAL.format(message))


def _common_name(store, partner_id):
    partner = store.row("res.partner", partner_id) if partner_id else None
    return (partner.get("name") or partner.get("email") or False) if partner else False


# --- after create / write -----------------------------------------------------------------------
def after_create(env, model, record_id, vals):
    """What ``create`` does once the row and its x2many exist; ``vals`` are the caller's values."""
    store = env.store
    if model == "calendar.attendee":
        row = store.row(model, record_id)
        if "state" not in vals and row.get("partner_id") == env.user_partner_id():
            store.update(model, record_id, {"state": "accepted"})
    if model != "calendar.event":
        return
    commands = vals.get("partner_ids")
    if "partner_ids" not in vals:
        commands = [(4, env.user_partner_id())] if env.user_partner_id() else []
        store.update(model, record_id, {"partner_ids": [pid for _, pid in commands]})
    if not vals.get("attendee_ids"):
        _apply_attendees(env, record_id, commands, previous=[])
    event = store.row(model, record_id)
    if not vals.get("activity_ids"):
        _meeting_activity(env, event)
    _sync_activities(env, store.row(model, record_id), vals)
    event = store.row(model, record_id)
    if event.get("opportunity_id") and not store.value(model, event, "activity_ids"):
        _log_meeting(env, event)
    if event["start"] > store.now():
        notify(env, _attendees(store, record_id), "invitation")


def after_write(env, model, before, vals):
    """``write``'s attendees, activities and mails for one event (``before``: its row before)."""
    if model != "calendar.event":
        return
    store = env.store
    event_id = before["id"]
    previous = set(_attendees(store, event_id))
    if "partner_ids" in vals:
        _apply_attendees(env, event_id, vals["partner_ids"], previous=before.get("partner_ids") or [])
    event = store.row(model, event_id)
    _sync_activities(env, event, vals)
    current = set(_attendees(store, event_id)) if event.get("active", True) else set()
    if "partner_ids" in vals:
        notify(env, sorted(current - previous), "invitation")
    if "start" in vals and not env.context.get("is_calendar_event_new") and event.get("start") and event["start"] >= store.now():
        notify(env, sorted(current & previous), "changedate")


def unlink_events(env, ids):
    """Attendees are ``ondelete='cascade'`` on their event."""
    for attendee in list(env.store.tables["calendar.attendee"].values()):
        if attendee.get("event_id") in ids:
            env.store.delete("calendar.attendee", attendee["id"])


def attendees_values(commands, current):
    """``_attendees_values``: (partner ids whose attendee goes, partner ids that get one)."""
    removed, added = [], []
    if commands and isinstance(commands[0], int):
        commands = [(6, 0, commands)]
    for command in commands or []:
        op = command[0]
        if op in (2, 3):
            removed.append(command[1])
        elif op == 6:
            removed += sorted(set(current) - set(command[2]))
            added += [pid for pid in dict.fromkeys(command[2]) if pid not in current]
        elif op == 4 and command[1] not in current:
            added.append(command[1])
    return removed, added


def _apply_attendees(env, event_id, commands, *, previous):
    removed, added = attendees_values(commands, previous)
    for attendee in list(env.store.tables["calendar.attendee"].values()):
        if attendee.get("event_id") == event_id and attendee.get("partner_id") in removed:
            env.store.delete("calendar.attendee", attendee["id"])
    for partner_id in added:
        env.records("calendar.attendee")._create_one({"event_id": event_id, "partner_id": partner_id})


def _attendees(store, event_id):
    return sorted(a["id"] for a in store.tables["calendar.attendee"].values() if a.get("event_id") == event_id)


# --- the linked document --------------------------------------------------------------------------
def _meeting_activity(env, event):
    """``create``: a "Meeting" activity on the document, when the context names its model."""
    store = env.store
    model_name = env.context.get("default_res_model") or (
        env.context.get("active_model") if env.context.get("active_model") != "calendar.event" else None)
    kinds = sorted((t for t in store.tables["mail.activity.type"].values() if t.get("category") == "meeting" and t.get("active", True)),
                   key=lambda t: (t.get("sequence", 10), t["id"]))
    if not (model_name in store.models and store.models[model_name].mail_thread and kinds):
        return
    if not event.get("res_model_id") or not event.get("res_id"):
        return
    values = {"res_model_id": event["res_model_id"], "res_id": event["res_id"], "activity_type_id": kinds[0]["id"],
              "calendar_event_id": event["id"]}
    if event.get("user_id"):
        values["user_id"] = event["user_id"]
    env.records("mail.activity")._create_one(values)


def _sync_activities(env, event, fields):
    """``_sync_activities``: the event's activities follow its name, description, start and user."""
    store = env.store
    activities = [a for a in store.tables["mail.activity"].values() if a.get("calendar_event_id") == event["id"]]
    changes = {}
    if "name" in fields:
        changes["summary"] = event.get("name") or False
    if "description" in fields:
        changes["note"] = event.get("description") or False
    if "start" in fields and event.get("start"):
        deadline = _dt(event["start"])
        if env.context.get("tz") and not event.get("allday"):
            deadline = deadline.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(env.context["tz"]))
        changes["date_deadline"] = deadline.date().isoformat()
    if "user_id" in fields:
        changes["user_id"] = event.get("user_id") or False
    for activity in activities if changes else ():
        store.update("mail.activity", activity["id"], changes)


def _log_meeting(env, event):
    """crm_lead.py ``log_meeting``: a note in the opportunity's chatter linking the meeting."""
    store = env.store
    user = store.row("res.users", env.uid) or {}
    local = _dt(event["start"]).replace(tzinfo=timezone.utc)
    try:
        local = local.astimezone(ZoneInfo(env.context.get("tz") or user.get("tz") or "UTC"))
    except (KeyError, ValueError):
        pass
    link = f'<a href="#" data-oe-model="calendar.event" data-oe-id="{event["id"]}">{escape(event.get("name") or "")}</a>'
    body = (f"<p>Meeting scheduled at <time datetime='{event['start']}+00:00'>{local.strftime(DATETIME_FORMAT)}</time>"
            f"<br/>Subject: {link}<br/>{_duration_text(event.get('duration'))}<p>")
    env.records("crm.lead", [event["opportunity_id"]]).message_post(body=body, body_is_html=True)


def _duration_text(hours):
    """``ir.qweb.field.duration`` in hours, as ``log_meeting`` writes it."""
    if not hours:
        return "unknown"
    minutes = round(hours * 60)
    parts = []
    if minutes // 60:
        parts.append(f"{minutes // 60} hour{'s' if minutes // 60 > 1 else ''}")
    if minutes % 60:
        parts.append(f"{minutes % 60} minute{'s' if minutes % 60 > 1 else ''}")
    return " ".join(parts)


# --- invitation mail ------------------------------------------------------------------------------
def notify(env, attendee_ids, template):
    """``_send_mail_to_attendees``: one notification (message + mail) per attendee to tell."""
    store = env.store
    if env.context.get(NO_MAIL):
        return
    for attendee_id in attendee_ids:
        attendee = store.row("calendar.attendee", attendee_id)
        partner = store.row("res.partner", attendee.get("partner_id")) or {}
        if not partner.get("email") or attendee["partner_id"] == env.user_partner_id():
            continue
        event = store.row("calendar.event", attendee["event_id"])
        organiser = store.row("res.users", event.get("user_id")) if event.get("user_id") else None
        author = (organiser or {}).get("partner_id") or env.user_partner_id()
        email_from = rules_mail.email_formatted(store, author) or rules_mail.email_formatted(store, env.user_partner_id())
        subject = SUBJECTS[template].format(name=event.get("name") or "")
        body = _mail_body(store, event, attendee, template)
        message = {"model": "calendar.event", "res_id": event["id"], "subject": subject, "body": body,
                   "message_type": "user_notification", "subtype_id": store.ref("mail.mt_note")[1], "author_id": author,
                   "email_from": email_from, "partner_ids": [attendee["partner_id"]], "date": store.now()}
        message_id = store.insert("mail.message", message)
        store.insert("mail.mail", {"mail_message_id": message_id, "subject": subject, "body_html": body, "email_from": email_from,
                                   "recipient_ids": [attendee["partner_id"]], "model": "calendar.event", "res_id": event["id"],
                                   "state": "outgoing", "is_notification": True, "auto_delete": True})


def _mail_body(store, event, attendee, template):
    intro = "You have been invited" if template == "invitation" else "The date of the meeting has been updated"
    organiser = store.display_name("res.users", event["user_id"]) if event.get("user_id") else ""
    lines = [f"<p>Hello {escape(attendee.get('common_name') or '')},</p>",
             f"<p>{intro} by {escape(organiser or '')} to the {escape(event.get('name') or '')} meeting.</p>",
             f"<p>When: {event.get('start')} (UTC)</p>"]
    if event.get("location"):
        lines.append(f"<p>Where: {escape(event['location'])}</p>")
    if event.get("videocall_location"):
        lines.append(f"<p>Join: {escape(event['videocall_location'])}</p>")
    return "<div>" + "".join(lines) + "</div>"


def _dt(value):
    return datetime.strptime(value, DATETIME_FORMAT) if value else None


def _tag_display_name(store, model, row):
    """res_partner.py ``PartnerCategory._compute_display_name``: "Parent / Child"."""
    names, seen = [], set()
    while row is not None and row["id"] not in seen:
        seen.add(row["id"])
        names.append(row.get("name") or "")
        row = store.row(model, row.get("parent_id")) if row.get("parent_id") else None
    return " / ".join(reversed(names))


COMPUTED[("res.partner.category", "display_name")] = _tag_display_name
