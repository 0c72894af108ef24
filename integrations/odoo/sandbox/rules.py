"""The few business rules of Odoo 17 that AIOM's safety checks depend on.

- crm.lead: a new lead lands in the first stage; changing ``stage_id`` stamps
  ``date_last_stage_update`` (this is how "stalled deals" are found), a won stage sets the
  probability to 100.
- project.task: a sub-task without a project takes its parent's project.
- mail.activity: the document it points at must exist; deadline defaults to today and the
  assignee to the caller.
- mail.message: dated now and authored by the caller's partner.
"""

from .errors import MissingError


def prepare_create(env, model, vals):
    """Values Odoo would derive on create, added to ``vals`` (explicit values win)."""
    store = env.store
    if model == "crm.lead":
        if not vals.get("stage_id"):
            stages = sorted(store.tables["crm.stage"].values(), key=lambda row: (row.get("sequence", 1), row["id"]))
            vals["stage_id"] = next((row["id"] for row in stages if not row.get("fold")), False)
        vals.setdefault("date_last_stage_update", store.now())
        for fname, value in _won_values(env, vals).items():
            vals.setdefault(fname, value)
    elif model == "project.task":
        if vals.get("parent_id") and not vals.get("project_id"):
            parent = store.row("project.task", vals["parent_id"])
            vals["project_id"] = parent.get("project_id", False) if parent else False
    elif model == "mail.activity":
        vals.setdefault("date_deadline", store.clock().date().isoformat())
        vals.setdefault("user_id", env.uid)
        target_model = store.row("ir.model", vals.get("res_model_id")) if vals.get("res_model_id") else None
        if target_model and vals.get("res_id") and store.row(target_model["model"], vals["res_id"]) is None:
            raise MissingError(record_missing_message(target_model["model"], [vals["res_id"]], env.uid))
    elif model == "mail.message":
        vals.setdefault("date", store.now())
        vals.setdefault("author_id", env.user_partner_id())
    return vals


def prepare_write(env, model, row, changes):
    """Values a write triggers in Odoo (recomputed stored fields), unless written explicitly."""
    if model == "crm.lead" and "stage_id" in changes and changes["stage_id"] != row.get("stage_id"):
        derived = {"date_last_stage_update": env.store.now(), **_won_values(env, changes)}
        return {**derived, **changes}
    return changes


def _won_values(env, vals):
    stage = env.store.row("crm.stage", vals.get("stage_id")) if vals.get("stage_id") else None
    if stage and stage.get("is_won"):
        return {"probability": 100.0, "date_closed": env.store.now()}
    return {}


def record_missing_message(model, ids, uid):
    records = ", ".join(str(i) for i in ids[:6])
    return f"Record does not exist or has been deleted.\n(Record: {model}({records},), User: {uid})"
