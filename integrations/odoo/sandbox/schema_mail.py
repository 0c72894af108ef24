"""Chatter and activities as Odoo 17's mail module serves them (odoo/odoo 17.0, addons/mail).

Merged into ``schema.MODELS``; computes, search rules and write rules live in rules_mail.py.

- ``mail.message`` (models/mail_message.py): ``body`` is an Html field, so what is stored is
  sanitised (sanitize.py); ``mail_activity_type_id`` marks the message an activity left when done.
- ``mail.activity`` (models/mail_activity.py): ``res_id`` is not required but
  ``_sql_constraints`` ``check_res_id_is_set`` refuses 0; ``res_name`` is stored, computed
  once from the document's display name (``_compute_res_name`` depends on res_model/res_id
  only, so renaming the document later does not change it); ``state`` is computed against the
  assigned user's today (``_compute_state_from_date``) and, having no search method, cannot be
  searched (17's ``expression.py`` drops such a leaf, so it matches everything); done
  activities of a type with ``keep_done`` are archived (``active``, ``date_done``), the others
  deleted.
- ``mail.activity.type`` (models/mail_activity_type.py): ``summary``, ``default_user_id``,
  ``delay_count``/``delay_unit``/``delay_from`` and ``default_note`` are applied by the form's
  onchange (``mail.activity._onchange_activity_type_id``) only; a ``create`` over RPC keeps
  the field defaults (deadline today, assigned to the caller, no summary).
- The mixins every ``mail_thread`` model gets (models/mail_thread.py, mail_activity_mixin.py):
  ``message_ids`` (messages of the record, user notifications excluded) and the activity
  fields, all read from the rows above. Followers, creation and tracking messages and
  ``my_activity_date_deadline`` are in schema_followers.py / rules_followers.py.
"""

MESSAGE_TYPES = [
    ("email", "Email"),
    ("comment", "Comment"),
    ("notification", "System notification"),
    ("auto_comment", "Automated Targeted Notification"),
    ("user_notification", "User Specific Notification"),
]
ACTIVITY_CATEGORIES = [("default", "None"), ("upload_file", "Upload Document"), ("phonecall", "Phonecall"), ("meeting", "Meeting")]
ACTIVITY_STATES = [("overdue", "Overdue"), ("today", "Today"), ("planned", "Planned")]
DECORATIONS = [("warning", "Alert"), ("danger", "Error")]


def mail_models(schema):
    """The mail models keyed by name; ``schema`` is schema.py, passed in as for ``schema_hr``."""
    s = schema
    models = [
        s._model("mail.message.subtype", "Message subtypes", order="sequence, id", name=s.char("Message Type", required=True),
                 internal=s.boolean("Internal Only", default=False), sequence=s.integer("Sequence", default=1)),
        s._model(
            "mail.message",
            "Message",
            order="id desc",
            rec_name=None,
            subject=s.char("Subject"),
            body=s.html("Contents", default=""),
            model=s.char("Related Document Model"),
            res_id=s.Field("many2one_reference", "Related Document ID"),
            message_type=s.selection("Type", MESSAGE_TYPES, required=True, default="comment"),
            subtype_id=s.many2one("mail.message.subtype", "Subtype"),
            mail_activity_type_id=s.many2one("mail.activity.type", "Mail Activity Type"),
            author_id=s.many2one("res.partner", "Author"),
            email_from=s.char("From"),
            partner_ids=s.many2many("res.partner", "Recipients"),
            date=s.datetime("Date"),
        ),
        s._model(
            "mail.activity.type",
            "Activity Type",
            order="sequence, id",
            name=s.char("Name", required=True),
            summary=s.char("Default Summary"),
            category=s.selection("Action", ACTIVITY_CATEGORIES, default="default"),
            sequence=s.integer("Sequence", default=10),
            icon=s.char("Icon"),
            decoration_type=s.selection("Decoration Type", DECORATIONS),
            delay_count=s.integer("Schedule", default=0),
            delay_unit=s.selection("Delay units", [("days", "days"), ("weeks", "weeks"), ("months", "months")], required=True, default="days"),
            delay_from=s.selection("Delay Type", [("current_date", "after completion date"), ("previous_activity", "after previous activity deadline")],
                                   required=True, default="previous_activity"),
            default_user_id=s.many2one("res.users", "Default User"),
            default_note=s.html("Default Note"),
            keep_done=s.boolean("Keep Done", default=False),
            active=s.active(),
        ),
        s._model(
            "mail.activity",
            "Activity",
            order="date_deadline ASC, id ASC",
            rec_name="summary",
            res_model_id=s.many2one("ir.model", "Document Model", required=True),
            res_model=s.char("Related Document Model", related="res_model_id.model"),
            res_id=s.Field("many2one_reference", "Related Document ID"),
            res_name=s.char("Document Name", readonly=True),
            activity_type_id=s.many2one("mail.activity.type", "Activity Type"),
            activity_category=s.selection("Action", ACTIVITY_CATEGORIES, related="activity_type_id.category"),
            activity_decoration=s.selection("Decoration Type", DECORATIONS, related="activity_type_id.decoration_type"),
            icon=s.char("Icon", related="activity_type_id.icon"),
            summary=s.char("Summary"),
            note=s.html("Note"),
            date_deadline=s.date("Due Date", required=True),
            date_done=s.date("Done Date", readonly=True),
            automated=s.boolean("Automated activity", default=False, readonly=True),
            user_id=s.many2one("res.users", "Assigned to", required=True),
            state=s.selection("State", [*ACTIVITY_STATES, ("done", "Done")], compute=True, searchable=False),
            active=s.active(),
        ),
    ]
    return {model.name: model for model in models}


def mixin_fields(schema):
    """The fields ``mail.thread`` and ``mail.activity.mixin`` add to a business model."""
    s = schema
    return {
        "message_ids": s.one2many("mail.message", "res_id", "Messages", compute=True),
        "message_follower_ids": s.one2many("mail.followers", "res_id", "Followers", compute=True, writable=True),
        "message_partner_ids": s.many2many("res.partner", "Followers (Partners)", compute=True, writable=True),
        "message_is_follower": s.boolean("Is Follower", compute=True),
        "activity_ids": s.one2many("mail.activity", "res_id", "Activities", compute=True, writable=True),
        "activity_state": s.selection("Activity State", ACTIVITY_STATES, compute=True),
        # 17.0: related to activity_ids with readonly=False (19: activity_user_id is a readonly compute)
        "activity_user_id": s.many2one("res.users", "Responsible User", compute=True, writable=True),
        "activity_type_id": s.many2one("mail.activity.type", "Next Activity Type", compute=True, writable=True),
        "activity_type_icon": s.char("Activity Type Icon", compute=True),
        "activity_date_deadline": s.date("Next Activity Deadline", compute=True),
        "my_activity_date_deadline": s.date("My Activity Deadline", compute=True),
        "activity_summary": s.char("Next Activity Summary", compute=True, writable=True),
        "activity_exception_decoration": s.selection("Activity Exception Decoration", DECORATIONS, compute=True),
        "activity_exception_icon": s.char("Icon", compute=True),
    }
