"""Meetings, partner tags and countries, as Odoo 17's calendar, crm and base modules serve them.

Merged into ``schema.MODELS``; the rules (attendees, invitation mail, durations) are in
rules_calendar.py. Sources (odoo/odoo 17.0):

- ``res.country`` (odoo/addons/base/models/res_country.py): ``name`` and ``code`` are required,
  ``code`` is stored upper-case (``create``/``write``), order ``name``.
- ``res.partner.category`` (odoo/addons/base/models/res_partner.py, "Partner Tags"): ``name``,
  ``color``, ``parent_id`` (a tree: ``_check_parent_id`` refuses loops), ``active``; its display
  name is the path "Parent / Child". ``res.partner`` gains ``category_id`` (many2many "Tags") and
  ``country_id`` (many2one "Country"): see ``PARTNER_FIELDS``.
- ``calendar.event`` (addons/calendar/models/calendar_event.py): ``_order = "start desc"``,
  ``_inherit = ["mail.thread"]`` (no activity mixin: its ``activity_ids`` are the activities
  whose ``calendar_event_id`` is the event). ``stop`` and ``duration`` compute each other
  (``_compute_stop``, ``_compute_duration``); ``start_date``/``stop_date`` are set for all-day
  events only (``_compute_dates``). ``res_model`` is ``related='res_model_id.model', store=True``:
  the sandbox stores it as a readonly char so that, as in Odoo, a value given on create is kept
  (``create`` protects it) but only ``res_model_id`` links the event to a document. ``privacy``
  is ``default='public', required=True`` in 17.0 (17.2+/18 drop both and fall back on the
  organiser's default privacy). ``opportunity_id`` comes from addons/crm/models/calendar.py.
  Recurrence, alarms, tags (``categ_ids``) and the Discuss video channel are not served.
- ``calendar.attendee`` (addons/calendar/models/calendar_attendee.py): ``_rec_name =
  'common_name'``, ``_order = 'create_date ASC'``; ``email``/``phone`` are related to the partner.
- ``mail.mail`` (addons/mail/models/mail_mail.py): the outgoing emails. In Odoo it ``_inherits``
  mail.message; here the message's ``model``/``res_id``/``subject`` are copied onto the row.
  ``mail.activity`` gains ``calendar_event_id`` (addons/calendar/models/mail_activity.py).
"""

COUNTRIES = [("be", "Belgium", "BE"), ("de", "Germany", "DE"), ("nl", "Netherlands", "NL"),
             ("fr", "France", "FR"), ("uk", "United Kingdom", "GB"), ("us", "United States", "US")]
#: calendar_attendee.py STATE_SELECTION (17.0 labels).
ATTENDEE_STATES = [("needsAction", "Needs Action"), ("tentative", "Maybe"), ("declined", "No"), ("accepted", "Yes")]
PRIVACY = [("public", "Public"), ("private", "Private"), ("confidential", "Only internal users")]
SHOW_AS = [("free", "Available"), ("busy", "Busy")]
MAIL_STATES = [("outgoing", "Outgoing"), ("sent", "Sent"), ("received", "Received"), ("exception", "Delivery Failed"),
               ("cancel", "Cancelled")]
#: mail.activity mixin fields calendar.event does not have (it inherits mail.thread only).
ACTIVITY_MIXIN = ("activity_state", "activity_user_id", "activity_type_id", "activity_type_icon", "activity_date_deadline",
                  "my_activity_date_deadline", "activity_summary", "activity_exception_decoration", "activity_exception_icon")


def calendar_models(schema):
    """The models keyed by name; ``schema`` is schema.py, passed in as for ``schema_hr``."""
    s = schema
    event = s._model(
        "calendar.event",
        "Calendar Event",
        order="start desc",
        mail_thread=True,
        name=s.char("Meeting Subject", required=True),
        description=s.html("Description"),
        user_id=s.many2one("res.users", "Organizer"),
        partner_id=s.many2one("res.partner", "Scheduled by", related="user_id.partner_id"),
        location=s.char("Location"),
        videocall_location=s.char("Meeting URL"),
        privacy=s.selection("Privacy", PRIVACY, required=True, default="public"),
        show_as=s.selection("Show as", SHOW_AS, required=True, default="busy"),
        active=s.active(),
        start=s.datetime("Start", required=True),
        stop=s.datetime("Stop", required=True),
        allday=s.boolean("All Day", default=False),
        start_date=s.date("Start Date", readonly=True),
        stop_date=s.date("End Date", readonly=True),
        duration=s.floating("Duration"),
        res_id=s.Field("many2one_reference", "Document ID"),
        res_model_id=s.many2one("ir.model", "Document Model"),
        res_model=s.char("Document Model Name", readonly=True),
        attendee_ids=s.one2many("calendar.attendee", "event_id", "Participant"),
        partner_ids=s.many2many("res.partner", "Attendees"),
        opportunity_id=s.many2one("crm.lead", "Opportunity"),
    )
    for fname in ACTIVITY_MIXIN:
        del event.fields[fname]
    event.fields["activity_ids"] = s._named(s.one2many("mail.activity", "calendar_event_id", "Activities"), "activity_ids")
    models = [
        s._model("res.country", "Country", order="name", name=s.char("Country Name", required=True),
                 code=s.char("Country Code", required=True)),
        s._model("res.partner.category", "Partner Tags", order="name", name=s.char("Tag Name", required=True),
                 color=s.integer("Color"), parent_id=s.many2one("res.partner.category", "Parent Category"),
                 child_ids=s.one2many("res.partner.category", "parent_id", "Child Tags"), active=s.active()),
        event,
        s._model(
            "calendar.attendee",
            "Calendar Attendee Information",
            order="create_date ASC",
            rec_name="common_name",
            event_id=s.many2one("calendar.event", "Meeting linked", required=True),
            partner_id=s.many2one("res.partner", "Attendee", required=True, readonly=True),
            email=s.char("Email", related="partner_id.email"),
            phone=s.char("Phone", related="partner_id.phone"),
            common_name=s.char("Common name", readonly=True),
            state=s.selection("Status", ATTENDEE_STATES, default="needsAction"),
            availability=s.selection("Available/Busy", SHOW_AS, readonly=True),
        ),
        s._model(
            "mail.mail",
            "Outgoing Mails",
            order="id desc",
            rec_name="subject",
            mail_message_id=s.many2one("mail.message", "Message", required=True),
            subject=s.char("Subject"),
            body_html=s.text("Text Contents"),
            email_from=s.char("From"),
            email_to=s.text("To"),
            recipient_ids=s.many2many("res.partner", "To (Partners)"),
            model=s.char("Related Document Model"),
            res_id=s.Field("many2one_reference", "Related Document ID"),
            state=s.selection("Status", MAIL_STATES, default="outgoing"),
            is_notification=s.boolean("Notification Email", default=False),
            auto_delete=s.boolean("Auto Delete", default=True),
        ),
    ]
    return {model.name: model for model in models}


def extra_fields(schema):
    """(model, field name) -> field that calendar, crm and base add to models defined elsewhere."""
    s = schema
    return {
        ("res.partner", "country_id"): s.many2one("res.country", "Country"),
        ("res.partner", "category_id"): s.many2many("res.partner.category", "Tags"),
        ("mail.activity", "calendar_event_id"): s.many2one("calendar.event", "Calendar Meeting"),
    }


def extend(schema, models):
    """Add ``extra_fields`` to the models already in ``models``."""
    for (model, fname), fdef in extra_fields(schema).items():
        models[model].fields[fname] = schema._named(fdef, fname)
