"""The behaviour of Odoo 17's mail module behind schema_mail.py (odoo/odoo 17.0, addons/mail/models).

- The mixin fields are computed from the rows of ``mail.message`` and ``mail.activity``
  (registered in store.py's COMPUTED) and searched the way their search methods do
  (registered in schema.SEARCHES): mail_activity_mixin.py ``_search_activity_*``.
- ``mail.activity``: create/write rules of mail_activity.py, and ``action_feedback`` /
  ``action_done`` (``_action_done``): the "done" message in the document's chatter, then the
  activity deleted (archived when its type keeps done activities); the first message's id is
  returned, False when none was posted.
- ``message_post``: mail_thread.py's argument checks and how it builds the message; the body is
  stored as the Html field keeps it (sanitize.py).

Odoo 19 (master) keeps these ``message_post`` checks, their words and ``body_is_html``; its
"done" template differs (``oi`` icons, the summary without the type name, call history).
Odoo 16 has no ``body_is_html``: it keeps a string body as HTML and refuses the parameter.
"""

from datetime import date, timezone
from email.utils import getaddresses
from html import escape
from zoneinfo import ZoneInfo

from . import domain
from .errors import MissingError, UserError, ValidationError
from .sanitize import html_sanitize
from .schema import SEARCHES
from .store import COMPUTED

RES_ID_NOT_SET = "The operation cannot be completed: Activities have to be linked to records with a not null res_id."
NOT_SUPPORTED = "Those values are not supported when posting or notifying: "
#: mail_thread.py ``_get_message_create_valid_field_names`` (the ones the sandbox has).
MESSAGE_CREATE_FIELDS = frozenset(
    "attachment_ids author_id body create_date date email_from mail_activity_type_id message_type model partner_ids "
    "res_id subject subtype_id".split()
)
#: mail_thread.py ``_get_notify_valid_parameters``.
NOTIFY_PARAMETERS = frozenset(
    "force_email_company force_email_lang force_send mail_auto_delete model_description notify_author "
    "resend_existing scheduled_date send_after_commit skip_existing subtitles".split()
)


# --- the mixins -----------------------------------------------------------------------------------
def _messages(store, model, row):
    """mail_thread.py ``message_ids``: domain ``message_type != user_notification``, order id desc."""
    return sorted((m["id"] for m in store.tables["mail.message"].values()
                   if m.get("model") == model and m.get("res_id") == row["id"] and m.get("message_type") != "user_notification"),
                  reverse=True)


def activities_of(store, model, record_id, *, archived=False):
    """The activity rows of one record in ``mail.activity``'s order (date_deadline, id)."""
    rows = [a for a in store.tables["mail.activity"].values()
            if a.get("res_id") == record_id and _res_model(store, a) == model and (archived or a.get("active", True))]
    return sorted(rows, key=lambda a: (a.get("date_deadline") or "", a["id"]))


def _res_model(store, activity):
    target = store.row("ir.model", activity.get("res_model_id")) if activity.get("res_model_id") else None
    return target["model"] if target else False


def activity_state(store, activity):
    """mail_activity.py ``_compute_state_from_date``: the deadline against the assignee's today."""
    if not activity.get("active", True):
        return "done"
    if not activity.get("date_deadline"):
        return False
    user = store.row("res.users", activity.get("user_id")) if activity.get("user_id") else None
    today = local_today(store, (user or {}).get("tz"))
    days = (date.fromisoformat(activity["date_deadline"]) - today).days
    return "today" if days == 0 else "overdue" if days < 0 else "planned"


def local_today(store, tz):
    """Today in ``tz`` (an IANA name), else the server's (UTC) date."""
    now = store.clock().replace(tzinfo=timezone.utc)
    try:
        return now.astimezone(ZoneInfo(tz)).date() if tz else now.date()
    except (ValueError, KeyError, OSError):
        return now.date()


def context_today(env):
    """``fields.Date.context_today``: today in the context's timezone, else the user's, else UTC."""
    user = env.store.row("res.users", env.uid) or {}
    return local_today(env.store, env.context.get("tz") or user.get("tz")).isoformat()


def _first(store, model, row, fname, default=False):
    rows = activities_of(store, model, row["id"])
    return rows[0].get(fname, default) if rows else default


def _mixin_state(store, model, row):
    """mail_activity_mixin.py ``_compute_activity_state``: overdue before today before planned."""
    states = {activity_state(store, a) for a in activities_of(store, model, row["id"])}
    return next((state for state in ("overdue", "today", "planned") if state in states), False)


def _exception(store, model, row, *, icon):
    """``_compute_activity_exception_type``: a ``danger`` type wins over a ``warning`` one."""
    found = False
    for activity in activities_of(store, model, row["id"]):
        kind = store.row("mail.activity.type", activity.get("activity_type_id")) if activity.get("activity_type_id") else None
        if kind and kind.get("decoration_type") == "danger":
            found = kind
            break
        if kind and kind.get("decoration_type") == "warning":
            found = kind
    return (found.get("icon", False) if icon else found["decoration_type"]) if found else False


def _type_icon(store, model, row):
    kind = _first(store, model, row, "activity_type_id")
    return store.row("mail.activity.type", kind).get("icon", False) if kind else False


COMPUTED.update({
    "message_ids": _messages,
    "activity_ids": lambda store, model, row: [a["id"] for a in activities_of(store, model, row["id"])],
    "activity_state": _mixin_state,
    "activity_user_id": lambda store, model, row: _first(store, model, row, "user_id"),
    "activity_type_id": lambda store, model, row: _first(store, model, row, "activity_type_id"),
    "activity_type_icon": _type_icon,
    "activity_date_deadline": lambda store, model, row: _first(store, model, row, "date_deadline"),
    "activity_summary": lambda store, model, row: _first(store, model, row, "summary"),
    "activity_exception_decoration": lambda store, model, row: _exception(store, model, row, icon=False),
    "activity_exception_icon": lambda store, model, row: _exception(store, model, row, icon=True),
    ("mail.activity", "state"): lambda store, model, row: activity_state(store, row),
})


def _search_state(store, model, operator, value):
    """``_search_activity_state``: =, !=, in, not in; any other operator fails as in Odoo 17."""
    states = {"overdue", "today", "planned", False}
    if operator == "=":
        wanted = {value}
    elif operator == "!=":
        wanted = states - {value}
    elif operator in ("in", "not in"):
        wanted = set(value) if operator == "in" else states - set(value)
    else:
        raise UnboundLocalError("cannot access local variable 'search_states' where it is not associated with a value")
    ids = [row["id"] for row in store.tables[model].values() if _mixin_state(store, model, row) in wanted]
    return [("id", "in", ids)]


def _search_user(store, model, operator, value):
    """``_search_activity_user_id``: any activity of the record, done (archived) ones included."""
    if isinstance(value, bool) and ((operator == "=" and not value) or (operator == "!=" and value)):
        return [("activity_ids", "=", False)]
    match = domain.compile_domain(store, "mail.activity", [("user_id", operator, value)])
    ids = {a["res_id"] for a in store.tables["mail.activity"].values() if _res_model(store, a) == model and match(a)}
    return [("id", "in", sorted(ids))]


def _search_deadline(store, model, operator, value):
    if operator == "=" and not value:
        return [("activity_ids", "=", False)]
    return [("activity_ids.date_deadline", operator, value)]


SEARCHES.update({
    "activity_state": _search_state,
    "activity_user_id": _search_user,
    "activity_type_id": lambda store, model, operator, value: [("activity_ids.activity_type_id", operator, value)],
    "activity_summary": lambda store, model, operator, value: [("activity_ids.summary", operator, value)],
    "activity_date_deadline": _search_deadline,
    "activity_exception_decoration": lambda store, model, operator, value: [
        ("activity_ids.activity_type_id.decoration_type", operator, value)],
    ("mail.activity", "state"): lambda store, model, operator, value: [],  # 17: "cannot be searched", leaf dropped
})


# --- mail.activity --------------------------------------------------------------------------------
def prepare_activity(env, vals, row=None):
    """Create (``row`` None) or write values of an activity with what Odoo adds or refuses."""
    store = env.store
    if row is None:
        vals.setdefault("date_deadline", context_today(env))
        vals.setdefault("user_id", env.uid)
    merged = {**(row or {}), **vals}
    if row is None or {"res_model_id", "res_id"} & set(vals):
        target = store.row("ir.model", merged.get("res_model_id")) if merged.get("res_model_id") else None
        if target is not None:  # without a model the required field faults first
            vals["res_name"] = _document_name(env, target["model"], merged.get("res_id"))
    if "active" in vals and row is not None and vals["active"] != row.get("active", True):
        vals["date_done"] = False if vals["active"] else (row.get("date_done") or store.clock().date().isoformat())
    return vals


def _document_name(env, model, res_id):
    """``check_res_id_is_set``, then ``create``'s ``message_subscribe`` on the document (only
    mail.thread models have it), then ``_compute_res_name``, which faults for a missing record."""
    store = env.store
    if not res_id:
        raise ValidationError(RES_ID_NOT_SET)
    if not store.models[model].mail_thread:
        raise AttributeError(f"'{model}' object has no attribute 'message_subscribe'")
    if store.row(model, res_id) is None:
        raise MissingError(f"Record does not exist or has been deleted.\n(Record: {model}({res_id},), User: {env.uid})")
    return store.display_name(model, res_id)


def archive_thread(env, model, row, changes):
    """mail_activity_mixin.py ``write``: archiving a record deletes its open activities."""
    if env.store.models[model].mail_thread and changes.get("active") is False and row.get("active", True):
        for activity in activities_of(env.store, model, row["id"]):
            env.store.delete("mail.activity", activity["id"])


def action_feedback(records, feedback=False, attachment_ids=None):
    """mail_activity.py ``action_feedback`` → ``_action_done``; ``action_done`` calls it without feedback."""
    store, env = records.env.store, records.env
    if feedback and not isinstance(feedback, str):
        raise AttributeError(f"'{type(feedback).__name__}' object has no attribute 'split'")
    messages = []
    for activity in records._existing_rows():
        model = _res_model(store, activity)
        if model and activity.get("res_id"):  # ``_classify_by_model``; a deleted document faults in message_post
            body = done_body(store, activity, feedback, display_assignee=activity.get("user_id") != env.uid)
            document = env.records(model, [activity["res_id"]])
            messages.append(document.message_post(
                body=body, body_is_html=True, message_type="notification", subtype_xmlid="mail.mt_activities",
                author_id=env.user_partner_id(), mail_activity_type_id=activity.get("activity_type_id") or False,
                attachment_ids=attachment_ids))
        kind = store.row("mail.activity.type", activity.get("activity_type_id")) if activity.get("activity_type_id") else None
        if kind and kind.get("keep_done"):
            store.update("mail.activity", activity["id"], prepare_activity(env, {"active": False}, activity))
        else:
            store.delete("mail.activity", activity["id"])
    return messages[0] if messages else False


def done_body(store, activity, feedback, *, display_assignee):
    """The ``mail.message_activity_done`` template (data/mail_templates_chatter.xml, 17.0)."""
    kind = store.row("mail.activity.type", activity.get("activity_type_id")) if activity.get("activity_type_id") else {}
    title = f'<span class="fa {escape(kind.get("icon") or "")} fa-fw"></span><span>{escape(kind.get("name") or "")}</span> done'
    if display_assignee:
        user = store.row("res.users", activity.get("user_id")) or {}
        title += f" (originally assigned to <span>{escape(user.get('name') or '')}</span>)"
    if activity.get("summary"):
        title += f"<span>: </span><span>{escape(activity['summary'])}</span>"
    parts = [f"<p>{title}</p>"]
    if activity.get("note") and activity["note"] != "<p><br></p>":
        parts.append(f'<div class="o_mail_note_title fw-bold">Original note:</div><div>{activity["note"]}</div>')
    if feedback:
        lines = "<br>".join(escape(line) for line in feedback.split("\n"))
        parts.append(f'<div><div class="fw-bold">Feedback:</div>{lines}</div>')
    return f"<div>{''.join(parts)}</div>"


# --- message_post ---------------------------------------------------------------------------------
def message_post(records, *, body="", subject=None, message_type="notification", email_from=None, author_id=None,
                 subtype_xmlid=None, subtype_id=False, partner_ids=None, attachments=None, attachment_ids=None,
                 body_is_html=False, **kwargs):
    """mail_thread.py ``message_post`` as far as the stored message goes; returns its id."""
    store = records.env.store
    if len(records.ids) != 1:
        raise ValueError(f"Expected singleton: {records!r}")
    forbidden = [name for name in kwargs if name in ("model", "res_id", "subtype")]
    if forbidden:
        raise ValueError(NOT_SUPPORTED + ", ".join(forbidden))
    if message_type == "user_notification":
        raise ValueError("Use message_notify to send a notification to an user.")
    if attachments and not (_list_of(attachments, (list, tuple)) and all(len(a) in (2, 3) for a in attachments)):
        raise ValueError(f"Posting a message should receive attachments as a list of list or tuples (received {attachment_ids!r})")
    if attachment_ids and not _list_of(attachment_ids, int):
        raise ValueError(f"Posting a message should receive attachments records as a list of IDs (received {attachment_ids!r})")
    if partner_ids and not _list_of(partner_ids, int):
        raise ValueError(f"Posting a message should receive partners as a list of IDs (received {partner_ids!r})")
    fields = store.models["mail.message"].fields
    msg_kwargs = {key: value for key, value in kwargs.items() if key in fields}
    unsupported = [key for key in msg_kwargs if key not in MESSAGE_CREATE_FIELDS]
    unsupported += [key for key in kwargs if key not in fields and key not in NOTIFY_PARAMETERS]
    records._existing_rows()
    author_id, email_from = _author(records.env, author_id, email_from)
    if subtype_xmlid:
        found = store.ref(subtype_xmlid) if "." in subtype_xmlid else None
        subtype_id = found[1] if found else False  # ``_xmlid_to_res_id`` does not raise by default
    if not subtype_id:
        subtype_id = store.ref("mail.mt_note")[1]
    if unsupported:  # ``_message_create`` and ``_notify_thread`` refuse them, in the same transaction
        raise ValueError(NOT_SUPPORTED + ", ".join(unsupported))
    values = {
        **msg_kwargs,
        "author_id": author_id,
        "email_from": email_from,
        "model": records.model,
        "res_id": records.ids[0],
        "body": message_body(body, body_is_html),
        "message_type": message_type,
        "subject": subject or False,
        "subtype_id": subtype_id,
        "partner_ids": [(6, 0, list(partner_ids or []))],
    }
    return records.env.records("mail.message")._create_one(values)


def message_body(body, body_is_html):
    """``escape(body)``: a str is text (escaped, line breaks kept) unless ``body_is_html`` (17.0+);
    the Html field then sanitises either (sanitize.py)."""
    return str(body) if body_is_html else escape(str(body))


def _author(env, author_id, email_from):
    """``_message_compute_author``: the caller's partner by default; no sender address is a UserError."""
    store = env.store
    if author_id is None:
        if email_from:
            author_id = _partner_by_email(store, email_from)
        else:
            author_id = env.user_partner_id()
            email_from = email_formatted(store, author_id)
    if email_from is None and author_id:
        email_from = email_formatted(store, author_id)
    if not email_from:
        raise UserError("Unable to send message, please configure the sender's email address.")
    return author_id or False, email_from


def _partner_by_email(store, email_from):
    addresses = {address.lower() for _, address in getaddresses([email_from]) if "@" in address}
    for partner in sorted(store.tables["res.partner"].values(), key=lambda row: row["id"]):
        if (partner.get("email") or "").lower() in addresses:
            return partner["id"]
    return False


def email_formatted(store, partner_id):
    """res.partner ``email_formatted``: ``"Name" <address>`` (Odoo's ``formataddr`` always quotes)."""
    partner = store.row("res.partner", partner_id) if partner_id else None
    if not partner or not partner.get("email"):
        return False
    addresses = [address for _, address in getaddresses([partner["email"]]) if "@" in address]
    if not addresses:
        return partner["email"]
    name = (partner.get("name") or "False").replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}" <{",".join(addresses)}>'


def _list_of(values, kind):
    """odoo/tools/misc.py ``is_list_of``."""
    return isinstance(values, (list, tuple)) and all(isinstance(value, kind) for value in values)


#: Html fields declared ``sanitize_style=True`` (mail_message.py ``body``, mail_activity.py ``note``).
SANITIZE_STYLE = frozenset({("mail.message", "body"), ("mail.activity", "note")})


def sanitize_html_fields(store, model, vals):
    """fields.Html ``convert_to_cache``: every Html value is stored sanitised."""
    fields = store.models[model].fields
    for fname, value in vals.items():
        if fname in fields and fields[fname].type == "html" and isinstance(value, str):
            vals[fname] = html_sanitize(value, sanitize_style=(model, fname) in SANITIZE_STYLE)
    return vals

