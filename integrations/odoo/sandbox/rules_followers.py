"""Followers, creation and tracking messages, the caller's activities and the company, as Odoo 17
does them (odoo/odoo 17.0, addons/mail/models/mail_thread.py unless said).

- ``create`` (``MailThread.create``): the caller's partner follows the new record unless
  ``mail_create_nosubscribe``; ``_message_auto_subscribe_followers`` adds the partner of a
  ``user_id`` (project.task: of each of ``user_ids``); then, unless ``mail_create_nolog``, the
  "… created" message: ``_message_log_batch`` (subtype Note, ``<p>Contact created</p>``) or, for a
  model with a ``_creation_subtype`` (project.task ``mt_task_new``, customer invoices
  ``mt_invoice_created``), ``message_post`` of ``<div summary="o_mail_notification">…``.
  ``tracking_disable`` skips all of it. Both are ``notification`` messages authored by the caller,
  never ``email``: readers of customers' replies (``message_type = email``) do not see them.
- ``write``: a change of a field in ``schema_followers.TRACKED`` logs one ``notification`` per
  record with a ``mail.tracking.value`` per changed field (``_message_track``), posted with the
  model's ``_track_subtype`` when it has one (crm_lead.py, project_task.py, account_move.py),
  unless ``tracking_disable`` or ``mail_notrack``; a new ``user_id`` follows (``_message_auto_subscribe``).
  Odoo 17 and 19 agree on this; 19 also stores ``field_info`` for removed fields (not served).
- ``message_subscribe``/``message_unsubscribe``; ``message_post`` of a comment makes its author
  (the caller) follow unless ``mail_post_autofollow_author_skip``; a new activity makes its
  assignee follow the document (mail_activity.py ``create``/``write``).
- Inverses of the mixin fields (mail_activity_mixin.py, 17.0): ``activity_ids`` takes x2many
  commands, ``activity_user_id``/``activity_type_id``/``activity_summary`` are related to the
  first activity with ``readonly=False`` and write it (19: ``activity_user_id`` is a readonly
  compute); ``message_partner_ids`` subscribes/unsubscribes (``_inverse_message_partner_ids``).
- res_company.py ``create``: a company without a partner gets one; name/email/phone are written
  through to that partner.
"""

from . import domain, rules_mail
from .errors import ValidationError
from .schema import SEARCHES
from .schema_followers import MAIN_COMPANY, SUBTYPES, TRACKED
from .store import COMPUTED
from .values import foreign_key_error

RELATED_TO_FIRST = {"activity_user_id": "user_id", "activity_type_id": "activity_type_id", "activity_summary": "summary"}
FOLLOW_TWICE = "The operation cannot be completed: Error, a partner cannot follow twice the same object."
#: account_move.py ``_creation_message`` for invoices (``is_invoice(include_receipts=True)``).
MOVE_CREATED = {"out_invoice": "Invoice Created", "out_refund": "Credit Note Created", "in_invoice": "Vendor Bill Created",
                "in_refund": "Refund Created", "out_receipt": "Sales Receipt Created", "in_receipt": "Purchase Receipt Created"}


def caller(store):
    """The uid of the call being served (methods.py sets it; calls are serialised)."""
    return getattr(store, "caller_uid", None)


def caller_partner(store):
    user = store.row("res.users", caller(store)) if caller(store) else None
    return (user or {}).get("partner_id", False)


# --- computes and searches ------------------------------------------------------------------------
def followers_of(store, model, res_id):
    return sorted((f for f in store.tables["mail.followers"].values() if f.get("res_model") == model and f.get("res_id") == res_id),
                  key=lambda f: f["id"])


def _partners(store, model, row):
    return [f["partner_id"] for f in followers_of(store, model, row["id"]) if f.get("partner_id")]


def _my_deadline(store, model, row):
    """``_compute_my_activity_date_deadline``: the caller's first activity in deadline order."""
    mine = [a for a in rules_mail.activities_of(store, model, row["id"]) if a.get("user_id") == caller(store)]
    return mine[0].get("date_deadline", False) if mine else False


COMPUTED.update({
    "message_follower_ids": lambda store, model, row: [f["id"] for f in followers_of(store, model, row["id"])],
    "message_partner_ids": _partners,
    "message_is_follower": lambda store, model, row: caller_partner(store) in _partners(store, model, row),
})
COMPUTED["my_activity_date_deadline"] = _my_deadline
# ``_rec_name`` is a many2one on these two: the display name is the linked record's.
COMPUTED[("mail.followers", "display_name")] = lambda store, model, row: store.display_name("res.partner", row.get("partner_id")) or ""
COMPUTED[("mail.tracking.value", "display_name")] = lambda store, model, row: store.display_name("ir.model.fields", row.get("field_id")) or ""


def _followed(store, model, leaf):
    match = domain.compile_domain(store, "mail.followers", [("res_model", "=", model), leaf])
    return sorted({f["res_id"] for f in store.tables["mail.followers"].values() if match(f)})


def _search_partners(store, model, operator, value):
    """``_search_message_partner_ids``: a negative operator becomes ``not in`` the positive match."""
    negative = {"!=": "=", "not in": "in", "not ilike": "ilike", "not like": "like"}
    if operator in negative:
        return [("id", "not in", _followed(store, model, ("partner_id", negative[operator], value)))]
    return [("id", "in", _followed(store, model, ("partner_id", operator, value)))]


def _search_is_follower(store, model, operator, value):
    ids = _followed(store, model, ("partner_id", "=", caller_partner(store)))
    positive = (operator == "=" and value) or (operator == "!=" and not value)
    return [("id", "in" if positive else "not in", ids)]


def _search_my_deadline(store, model, operator, value):
    match = domain.compile_domain(store, "mail.activity", [("date_deadline", operator, value), ("user_id", "=", caller(store))])
    ids = {a["res_id"] for a in store.tables["mail.activity"].values()
           if a.get("active", True) and store.value("mail.activity", a, "res_model") == model and match(a)}
    return [("id", "in", sorted(ids))]


SEARCHES.update({"message_partner_ids": _search_partners, "message_is_follower": _search_is_follower,
                 "my_activity_date_deadline": _search_my_deadline})


# --- subscriptions --------------------------------------------------------------------------------
def default_subtypes(store):
    """``mail.message.subtype.default_subtypes``: the sandbox's only default subtype is Discussions."""
    found = store.ref("mail.mt_comment")
    return [found[1]] if found else []


def subscribe(env, model, res_ids, partner_ids, subtype_ids=None):
    """``_message_subscribe``: new followers get the given or default subtypes; existing ones keep
    theirs unless subtypes are given (``existing_policy='force'``)."""
    store = env.store
    partner_ids = [pid for pid in dict.fromkeys(partner_ids or []) if pid]
    if store.missing("res.partner", partner_ids):
        raise foreign_key_error(store, "mail.followers", "partner_id")
    subtypes = list(subtype_ids) if subtype_ids is not None else default_subtypes(store)
    for res_id in res_ids:
        existing = {f.get("partner_id"): f for f in followers_of(store, model, res_id)}
        for pid in partner_ids:
            if pid in existing:
                if subtype_ids is not None:
                    store.update("mail.followers", existing[pid]["id"], {"subtype_ids": subtypes})
                continue
            store.insert("mail.followers", {"res_model": model, "res_id": res_id, "partner_id": pid, "subtype_ids": subtypes})
    return True


def unsubscribe(env, model, res_ids, partner_ids):
    for res_id in res_ids:
        for follower in followers_of(env.store, model, res_id):
            if follower.get("partner_id") in (partner_ids or []):
                env.store.delete("mail.followers", follower["id"])
    return True


def autofollow_author(env, model, res_id, message_id):
    """``message_post``: the caller follows what they post, unless it is a notification."""
    message = env.store.row("mail.message", message_id)
    partner = env.user_partner_id()
    if (message and message.get("message_type") not in ("notification", "user_notification") and partner
            and message.get("author_id") == partner and not env.context.get("mail_post_autofollow_author_skip")):
        subscribe(env, model, [res_id], [partner])


def _user_partners(store, model, values):
    """``_message_auto_subscribe_followers``: the partner of ``user_id`` (project.task: ``user_ids``)."""
    users = [values["user_id"]] if values.get("user_id") and "user_id" in store.models[model].fields else []
    if model == "project.task":
        users += store.row(model, values["id"]).get("user_ids", []) if values.get("id") else []
    partners = []
    for uid in users:
        user = store.row("res.users", uid)
        if user and user.get("active", True) and user.get("partner_id"):
            partners.append(user["partner_id"])
    return partners


# --- create, write, unlink ------------------------------------------------------------------------
def prepare_create(env, model, vals):
    store = env.store
    if model == "mail.followers":
        if any(f.get("partner_id") == vals.get("partner_id") for f in followers_of(store, vals.get("res_model"), vals.get("res_id"))):
            raise ValidationError(FOLLOW_TWICE)
    elif model == "res.company":
        found = store.ref("base.EUR")
        vals.setdefault("currency_id", found[1] if found else False)
        if not vals.get("partner_id"):
            vals["partner_id"] = store.insert("res.partner", {
                "name": vals.get("name") or False, "is_company": True, "email": vals.get("email") or False,
                "phone": vals.get("phone") or False, "country_id": vals.get("country_id") or False})
    return vals


def after_create(env, model, record_id, vals):
    store, context = env.store, env.context
    if model == "mail.activity":
        _follow_activity(env, store.row(model, record_id))
    elif model == "res.company":
        store.update("res.partner", store.row(model, record_id)["partner_id"], {"company_id": record_id})
    if not store.models[model].mail_thread or context.get("tracking_disable"):
        return
    partners = [] if context.get("mail_create_nosubscribe") else [env.user_partner_id()]
    subscribe(env, model, [record_id], partners + _user_partners(store, model, {**vals, "id": record_id}))
    if not context.get("mail_create_nolog"):
        _log_creation(env, model, store.row(model, record_id))


def _log_creation(env, model, row):
    """``_creation_subtype`` / ``_creation_message`` of the models that override them."""
    name = next((r["name"] for r in env.store.tables["ir.model"].values() if r["model"] == model), model)
    text, subtype = f"{name} created", None
    if model == "project.task":
        text, subtype = "Task created", "project.mt_task_new"
    elif model == "account.move" and row.get("move_type", "entry") in MOVE_CREATED:
        text = MOVE_CREATED[row["move_type"]]
        subtype = "account.mt_invoice_created" if row["move_type"] in ("out_invoice", "out_receipt") else None
    if subtype:
        _log(env, model, row["id"], f'<div summary="o_mail_notification"><p>{text}</p></div>', subtype)
    else:
        _log(env, model, row["id"], text, "mail.mt_note")


def _log(env, model, res_id, body, subtype_xmlid, tracking=()):
    """``_message_log`` / ``message_post`` of a system notification by the caller."""
    found = env.store.ref(subtype_xmlid) or env.store.ref("mail.mt_note")
    message_id = env.records("mail.message")._create_one({
        "model": model, "res_id": res_id, "body": body, "message_type": "notification", "subtype_id": found[1],
        "author_id": env.user_partner_id()})
    for values in tracking:
        env.store.insert("mail.tracking.value", {**values, "mail_message_id": message_id})
    return message_id


def prepare_write(env, model, row, changes):
    if model == "res.company":
        synced = {f: changes[f] for f in ("name", "email", "phone", "country_id") if f in changes}
        partner = row.get("partner_id")
        if synced and partner and env.store.row("res.partner", partner) is not None:
            env.store.update("res.partner", partner, synced)
    return changes


def after_write(env, model, before, vals):
    store, context = env.store, env.context
    after = store.row(model, before["id"])
    if model == "mail.activity" and "user_id" in vals:
        _follow_activity(env, after)
    if not store.models[model].mail_thread or context.get("tracking_disable"):
        return
    if "user_id" in vals or (model == "project.task" and "user_ids" in vals):
        subscribe(env, model, [before["id"]], _user_partners(store, model, {**vals, "id": before["id"]}))
    if model in TRACKED and not context.get("mail_notrack"):
        _track(env, model, before, after)


def _follow_activity(env, activity):
    user = env.store.row("res.users", activity.get("user_id")) if activity and activity.get("user_id") else None
    model = env.store.value("mail.activity", activity, "res_model") if activity else False
    if user and user.get("partner_id") and model and env.store.models[model].mail_thread and activity.get("res_id"):
        if env.store.row(model, activity["res_id"]) is not None:
            subscribe(env, model, [activity["res_id"]], [user["partner_id"]])


def _track(env, model, before, after):
    store = env.store
    changed = [f for f in TRACKED[model] if store.value(model, before, f) != store.value(model, after, f)]
    if not changed:
        return
    values = [tracking_values(store, model, f, store.value(model, before, f), store.value(model, after, f), after)
              for f in changed]
    _log(env, model, after["id"], "", track_subtype(store, model, changed, after) or "mail.mt_note", values)


def track_subtype(store, model, changed, row):
    """``_track_subtype`` of crm_lead.py, project_task.py and account_move.py (the branches served)."""
    if model == "crm.lead":
        if "stage_id" in changed and row.get("probability") == 100 and row.get("stage_id"):
            return "crm.mt_lead_won"
        if "stage_id" in changed:
            return "crm.mt_lead_stage"
        if "active" in changed:
            return "crm.mt_lead_restored" if row.get("active", True) else "crm.mt_lead_lost"
    if model == "project.task" and "stage_id" in changed:
        return "project.mt_task_stage"
    if model == "account.move" and "state" in changed and row.get("state") == "posted" \
            and row.get("move_type") in ("out_invoice", "out_refund", "out_receipt"):
        return "account.mt_invoice_validated"
    return None


def tracking_values(store, model, fname, old, new, row):
    """mail_tracking_value.py ``_create_tracking_values``: the typed columns per field type."""
    fdef = store.models[model].fields[fname]
    values, kind = {"field_id": field_id(store, model, fname)}, fdef.type
    if kind in ("integer", "float", "char", "text", "datetime"):
        values.update({f"old_value_{kind}": old, f"new_value_{kind}": new})
    elif kind == "monetary":
        values.update({"currency_id": row.get("currency_id", False), "old_value_float": old, "new_value_float": new})
    elif kind == "date":
        values.update({"old_value_datetime": f"{old} 00:00:00" if old else False,
                       "new_value_datetime": f"{new} 00:00:00" if new else False})
    elif kind == "boolean":
        values.update({"old_value_integer": int(bool(old)), "new_value_integer": int(bool(new))})
    elif kind == "selection":
        labels = dict(fdef.selection)
        values.update({"old_value_char": labels.get(old, old) if old else "", "new_value_char": labels.get(new, "") if new else ""})
    elif kind == "many2one":
        values.update({"old_value_integer": old or 0, "new_value_integer": new or 0,
                       "old_value_char": store.display_name(fdef.relation, old) or "" if old else "",
                       "new_value_char": store.display_name(fdef.relation, new) or "" if new else ""})
    else:  # x2many
        values.update({"old_value_char": ", ".join(store.display_name(fdef.relation, i) or "" for i in old or []),
                       "new_value_char": ", ".join(store.display_name(fdef.relation, i) or "" for i in new or [])})
    return values


def field_id(store, model, fname):
    """The ``ir.model.fields`` row of a field (seeded by ``seed_fields``; added if missing)."""
    for row in store.tables["ir.model.fields"].values():
        if row["model"] == model and row["name"] == fname:
            return row["id"]
    return _insert_field(store, model, fname, _model_ids(store).get(model, False))


def _model_ids(store):
    return {row["model"]: row["id"] for row in store.tables["ir.model"].values()}


def _insert_field(store, model, fname, model_id):
    fdef = store.models[model].fields[fname]
    return store.insert("ir.model.fields", {"name": fname, "model": model, "model_id": model_id, "field_description": fdef.string,
                                            "ttype": fdef.type, "relation": fdef.relation or False})


def unlink(env, model, rows):
    """``MailThread.unlink`` drops the followers; deleting a message drops its tracking values."""
    ids = {row["id"] for row in rows}
    for follower in list(env.store.tables["mail.followers"].values()):
        if follower.get("res_model") == model and follower.get("res_id") in ids:
            env.store.delete("mail.followers", follower["id"])
    if model == "mail.message":
        for value in list(env.store.tables["mail.tracking.value"].values()):
            if value.get("mail_message_id") in ids:
                env.store.delete("mail.tracking.value", value["id"])


# --- inverses of the mixin fields -----------------------------------------------------------------
def write_inverse(env, model, record_id, vals):
    """What writing a computed mixin field does (only fields marked ``writable``)."""
    spec = env.store.models[model]
    for fname, value in vals.items():
        fdef = spec.fields.get(fname)
        if fdef is None or not fdef.writable:
            continue
        if fname == "activity_ids":
            env.records(model)._apply_x2many(record_id, fdef, value)
        elif fname == "message_partner_ids":
            before = _partners(env.store, model, {"id": record_id})
            after = _apply_ids(before, value)
            subscribe(env, model, [record_id], [p for p in after if p not in before])
            unsubscribe(env, model, [record_id], [p for p in before if p not in after])
        elif fname == "message_follower_ids":
            _follower_commands(env, model, record_id, value)
        else:  # related to the first activity (``_inverse_related`` writes ``first(record.activity_ids)``)
            first = rules_mail.activities_of(env.store, model, record_id)[:1]
            if first:
                env.records("mail.activity", [first[0]["id"]]).write({RELATED_TO_FIRST[fname]: value})


def _apply_ids(current, commands):
    ids = list(current)
    if commands and all(isinstance(c, int) and not isinstance(c, bool) for c in commands):
        return list(dict.fromkeys(commands))
    for command in commands or []:
        code, target, payload = (list(command) + [None, None])[:3]
        if code == 4 and target not in ids:
            ids.append(target)
        elif code == 3:
            ids = [i for i in ids if i != target]
        elif code == 5:
            ids = []
        elif code == 6:
            ids = list(dict.fromkeys(payload or []))
        elif code not in (3, 4, 5, 6):
            raise ValueError(f"Invalid x2many command {command!r} for message_partner_ids")
    return ids


def _follower_commands(env, model, record_id, commands):
    followers = env.records("mail.followers")
    for command in commands or []:
        code, target, payload = (list(command) + [None, None])[:3]
        if code == 0:
            followers._create_one({**(payload or {}), "res_model": model, "res_id": record_id})
        elif code == 1:
            env.records("mail.followers", [target]).write(payload or {})
        elif code in (2, 3):
            env.records("mail.followers", [target]).unlink()
        elif code == 5:
            for follower in followers_of(env.store, model, record_id):
                env.store.delete("mail.followers", follower["id"])
        else:
            raise ValueError(f"Invalid x2many command {command!r} for {model}.message_follower_ids")


# --- seeding --------------------------------------------------------------------------------------
def seed(store, xmlid, *, company_name, company_partner, currency):
    """The company (id 1, ``base.main_company``), the subtypes and ``ir.model.fields``."""
    company = store.insert("res.company", {"name": company_name, "partner_id": company_partner, "currency_id": currency,
                                           "email": store.row("res.partner", company_partner).get("email", False),
                                           "sequence": 0, "active": True})
    assert company == MAIN_COMPANY
    xmlid("base", "main_company", "res.company", company)
    store.update("res.partner", company_partner, {"company_id": company})
    for module, name, label, model in SUBTYPES:
        xmlid(module, name, "mail.message.subtype", store.insert("mail.message.subtype", {"name": label, "internal": False}))
    model_ids = _model_ids(store)
    for model, spec in store.models.items():
        for fname in spec.fields:
            _insert_field(store, model, fname, model_ids.get(model, False))
