"""The few business rules of Odoo 17 that AIOM's safety checks depend on.

- crm.lead: a new lead lands in the first stage; changing ``stage_id`` stamps
  ``date_last_stage_update`` (this is how "stalled deals" are found), a won stage sets the
  probability to 100.
- project.task: a sub-task without a project takes its parent's project.
- mail.activity, archiving a mail.thread record: rules_mail.py; every Html value is stored
  sanitised (sanitize.py).
- mail.message: dated now and authored by the caller's partner, ``email_from`` its address.
- followers, creation and tracking messages, the mixin's inverses, res.company: rules_followers.py.
- SQL and Python constraints, refusals to change or delete posted entries: rules_constraints.py;
  the company's lock dates: rules_lock.py.
- hr.employee, product.product, hr.expense: the computes and constraints of Odoo 17 listed
  below, each citing where Odoo does it (odoo/odoo 17.0).
- calendar.event, calendar.attendee (attendees, invitation mail), res.country,
  res.partner.category: rules_calendar.py, run before and after the row is written.
"""

from . import rules_calendar, rules_constraints, rules_followers, rules_lock, rules_mail, schema_files
from .errors import ValidationError
from .store import COMPUTED


def prepare_create(env, model, vals):
    """Values Odoo would derive on create, added to ``vals`` (explicit values win)."""
    store = env.store
    rules_mail.sanitize_html_fields(store, model, vals)
    vals = rules_followers.prepare_create(env, model, vals)
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
        rules_mail.prepare_activity(env, vals)
    elif model == "mail.message":
        vals.setdefault("date", store.now())
        vals.setdefault("author_id", env.user_partner_id())
        # mail/models/mail_message.py default_get -> mail.thread._message_compute_author: the
        # author's formatted address (message_post computes it the same way).
        vals.setdefault("email_from", rules_mail.email_formatted(store, vals.get("author_id")))
    elif model == "hr.employee":
        _prepare_employee(env, vals)
    elif model == "product.product":
        _sanitize_product_create(vals)
    elif model == "hr.expense":
        _prepare_expense(env, vals)
    elif model == "ir.attachment":
        vals = schema_files.prepare_attachment(vals, creating=True)
    elif model in CALENDAR_MODELS:
        vals = rules_calendar.prepare_create(env, model, vals)
    rules_constraints.check_create(env, model, vals)
    return vals


def prepare_write(env, model, row, changes):
    """Values a write triggers in Odoo, checked against its constraints."""
    changes = rules_mail.sanitize_html_fields(env.store, model, dict(changes))
    changes = rules_followers.prepare_write(env, model, row, changes)
    if model == "account.move":
        rules_lock.check_write(env, row, changes)
    rules_mail.archive_thread(env, model, row, changes)
    return rules_constraints.check_write(env, model, row, _derived_on_write(env, model, row, changes))


def check_unlink(env, model, rows):
    """Refuse to delete ``rows`` as Odoo would (before anything is deleted), then cascade."""
    rules_constraints.check_unlink(env, model, rows)
    rules_followers.unlink(env, model, rows)
    if model == "calendar.event":
        rules_calendar.unlink_events(env, {row["id"] for row in rows})


def after_create(env, model, record_id, vals):
    """What ``create`` does once the record and its x2many are stored (``vals``: as given)."""
    rules_calendar.after_create(env, model, record_id, vals)
    rules_followers.after_create(env, model, record_id, vals)


def after_write(env, model, before, vals):
    """What ``write`` does once one record (``before``: its row before) is updated."""
    rules_calendar.after_write(env, model, before, vals)
    rules_followers.after_write(env, model, before, vals)


def _derived_on_write(env, model, row, changes):
    """Recomputed stored fields, unless written explicitly."""
    if model == "mail.activity":
        return rules_mail.prepare_activity(env, changes, row)
    if model == "crm.lead" and "stage_id" in changes and changes["stage_id"] != row.get("stage_id"):
        derived = {"date_last_stage_update": env.store.now(), **_won_values(env, changes)}
        return {**derived, **changes}
    if model == "hr.employee":
        return _employee_write(env, row, changes)
    if model == "product.product":
        return _sanitize_product_write(row, changes)
    if model == "hr.expense":
        return _expense_write(env, row, changes)
    if model == "ir.attachment":
        return schema_files.prepare_attachment(changes, creating=False)
    if model in CALENDAR_MODELS:
        return rules_calendar.write_changes(env, model, row, changes)
    return changes


CALENDAR_MODELS = ("calendar.event", "calendar.attendee", "res.country", "res.partner.category")


def _won_values(env, vals):
    stage = env.store.row("crm.stage", vals.get("stage_id")) if vals.get("stage_id") else None
    if stage and stage.get("is_won"):
        return {"probability": 100.0, "date_closed": env.store.now()}
    return {}


def record_missing_message(model, ids, uid):
    records = ", ".join(str(i) for i in ids[:6])
    return f"Record does not exist or has been deleted.\n(Record: {model}({records},), User: {uid})"


def _product_display_name(store, model, row):
    """product/models/product_product.py ``_compute_display_name``: ``[code] name``."""
    name = row.get("name") or ""
    return f"[{row['default_code']}] {name}" if row.get("default_code") else name


# Registered beside the rules that read it (an expense's default name) in store.py's table.
COMPUTED[("product.product", "display_name")] = _product_display_name
COMPUTED[("account.move", "invoice_pdf_report_id")] = schema_files.invoice_pdf_report


# --- hr.employee ---------------------------------------------------------------------------------
USER_UNIQUE = "A user cannot be linked to multiple employees in the same company."


def _prepare_employee(env, vals):
    """hr/models/hr_employee.py ``create``: a linked user gives the employee its partner as work
    contact (``_sync_user``) and its name when none is given; an employee still without a work
    contact gets a new partner (``_create_work_contacts``)."""
    store = env.store
    user = store.row("res.users", vals["user_id"]) if vals.get("user_id") else None
    if user is not None:
        _check_user_unique(store, vals["user_id"], None)
        vals["work_contact_id"] = user.get("partner_id") or vals.get("work_contact_id", False)
        vals.setdefault("name", user.get("name", False))
    given = dict(vals)
    if not vals.get("work_contact_id"):
        vals["work_contact_id"] = store.insert("res.partner", {"name": vals.get("name") or False, "email": vals.get("work_email") or False})
        given.pop("work_email", None)  # already on the new contact
    _sync_work_email(store, vals, given)


def _employee_write(env, row, changes):
    """hr_employee.py ``write``: a new user brings its partner as work contact (``_sync_user``)."""
    store = env.store
    changes = dict(changes)
    if changes.get("user_id") and changes["user_id"] != row.get("user_id"):
        _check_user_unique(store, changes["user_id"], row["id"])
        user = store.row("res.users", changes["user_id"])
        changes["work_contact_id"] = user.get("partner_id") or row.get("work_contact_id", False)
    if "work_email" in changes or "work_contact_id" in changes:
        merged = {**row, **changes}
        _sync_work_email(store, merged, changes)
        for fname in ("work_email", "work_contact_id"):
            if merged.get(fname) != row.get(fname):
                changes[fname] = merged.get(fname, False)
    return changes


def _sync_work_email(store, values, given):
    """hr/models/hr_employee_base.py: ``work_email`` is computed from the work contact
    (``_compute_work_contact_details``); when given it is written to the contact, or a contact
    is created for it (``_inverse_work_contact_details``)."""
    contact = store.row("res.partner", values.get("work_contact_id")) if values.get("work_contact_id") else None
    if "work_email" not in given:
        if contact is not None:
            values["work_email"] = contact.get("email", False)
    elif contact is not None:
        if contact.get("email", False) != (given["work_email"] or False):
            store.update("res.partner", contact["id"], {"email": given["work_email"] or False})
    else:
        values["work_contact_id"] = store.insert("res.partner", {"name": values.get("name") or False, "email": given["work_email"] or False})


def _check_user_unique(store, user_id, own_id):
    """hr_employee.py ``_sql_constraints`` ``user_uniq`` (``unique (user_id, company_id)``), as
    odoo/service/model.py ``_as_validation_error`` words a violated SQL constraint."""
    if any(other.get("user_id") == user_id and other["id"] != own_id for other in store.tables["hr.employee"].values()):
        raise ValidationError(f"The operation cannot be completed: {USER_UNIQUE}")


# --- product.product -----------------------------------------------------------------------------
def _sanitize_product_create(vals):
    """product/models/product_template.py ``_sanitize_vals`` keeps ``type`` and ``detailed_type``
    in step; ``detailed_type`` defaults to consumable and ``type`` is computed from it
    (``_compute_type``). hr_expense/models/product_template.py ``_compute_can_be_expensed`` only
    clears ``can_be_expensed`` for types other than consu/service, which the sandbox lacks."""
    if "type" in vals and "detailed_type" not in vals:
        vals["detailed_type"] = vals["type"]
    vals.setdefault("detailed_type", "consu")
    vals.setdefault("type", vals["detailed_type"])


def _sanitize_product_write(row, changes):
    changes = dict(changes)
    if "type" in changes and "detailed_type" not in changes and changes["type"] != row.get("type"):
        changes["detailed_type"] = changes["type"]
    if "detailed_type" in changes and "type" not in changes:
        changes["type"] = changes["detailed_type"]
    return changes


# --- hr.expense ----------------------------------------------------------------------------------
def _prepare_expense(env, vals):
    """An expense as hr_expense/models/hr_expense.py creates it (Odoo 17).

    - ``employee_id`` left out: ``_default_employee_id`` (and the precomputed
      ``_compute_employee_id``) take the caller's employee. When the caller has none, a user with
      expense-approver rights (the API's admin) gets no default and the required column faults
      as odoo/service/model.py ``_as_validation_error`` words it; a plain user would get "The
      current user has no related employee. Please, create one." An explicit ``False`` faults too.
    - ``product_id`` is only restricted by its field domain ``[('can_be_expensed', '=', True)]``,
      which Odoo applies in the UI and never checks on create/write: a product that cannot be
      expensed is accepted over RPC, so the sandbox does not refuse it either.
    - ``state`` given by the caller is ignored: ``state`` is computed, stored and readonly without
      precompute, so odoo/models.py ``BaseModel.create`` does not protect it ("protect editable
      computed fields and precomputed fields against (re)computation") and ``_compute_state``
      recomputes it from ``sheet_id`` (none here): ``draft``. A later ``write`` of ``state`` is
      stored as given, because 17's ``BaseModel.write`` checks no readonly flag and nothing
      recomputes ``state`` until ``sheet_id`` changes (see ``_expense_write``).
    - ``date``: ``fields.Date.context_today`` (the context's, else the user's timezone).
    - ``name``: ``_compute_name`` falls back on the product's display name.
    - ``currency_id``: the company currency (field default; ``_compute_currency_id``).
    """
    store = env.store
    if "employee_id" not in vals:
        vals["employee_id"] = _caller_employee(env)
    vals.setdefault("date", _context_today(env))
    product = store.row("product.product", vals["product_id"]) if vals.get("product_id") else None
    if not vals.get("name") and product is not None:
        vals["name"] = store.display_name("product.product", product["id"])
    if "currency_id" not in vals:
        found = store.ref("base.EUR")
        vals["currency_id"] = found[1] if found else False
    vals["state"] = "draft"
    vals.update(_expense_amounts(vals, set(vals), product, creating=True))


def _expense_write(env, row, changes):
    """Amounts recomputed as on create; ``state`` is stored as written (see ``_prepare_expense``)."""
    store = env.store
    merged = {**row, **changes}
    product = store.row("product.product", merged["product_id"]) if merged.get("product_id") else None
    derived = _expense_amounts(merged, set(changes), product, creating=False)
    if "product_id" in changes and not merged.get("name") and product is not None:
        derived["name"] = store.display_name("product.product", product["id"])
    return {**changes, **derived}


def _expense_amounts(values, given, product, *, creating):
    """hr_expense.py amounts in one currency (the sandbox has no rates, so the company amount
    equals the expense-currency amount, as in ``_compute_total_amount``'s mono-currency branch):

    - ``total_amount_currency`` is what the employee enters; for a product with a cost it is
      ``cost × quantity`` (``_compute_total_amount_currency``, taxes included);
    - ``total_amount`` follows it (``_compute_total_amount``), and when ``total_amount`` itself is
      given, ``_inverse_total_amount`` copies it back to ``total_amount_currency``;
    - ``price_unit`` is the product's cost, else ``total_amount / quantity``
      (``_compute_price_unit``; ``_inverse_total_amount`` when the total is given).
    """
    out = {}
    quantity = values.get("quantity") or 0.0
    cost = (product or {}).get("standard_price") or 0.0
    if "total_amount" in given:
        out["total_amount_currency"] = values["total_amount"]
    elif "total_amount_currency" in given:
        out["total_amount"] = values["total_amount_currency"]
    elif cost and (creating or given & {"product_id", "quantity"}):
        price = values["price_unit"] if "price_unit" in given else cost
        out["total_amount_currency"] = out["total_amount"] = round(price * quantity, 2)
    elif creating:
        out["total_amount_currency"] = out["total_amount"] = 0.0
    if "price_unit" not in given and (creating or given & {"product_id", "quantity", "total_amount", "total_amount_currency"}):
        total = out.get("total_amount", values.get("total_amount") or 0.0)
        if cost and "total_amount" not in given:
            out["price_unit"] = cost
        else:
            out["price_unit"] = round(total / quantity, 2) if quantity else 0.0
    return out


def _caller_employee(env):
    """``res.users.employee_id``: the caller's active employee (in its company), else none."""
    for employee in sorted(env.store.tables["hr.employee"].values(), key=lambda row: row["id"]):
        if employee.get("user_id") == env.uid and employee.get("active", True):
            return employee["id"]
    return False


def _context_today(env):
    """``fields.Date.context_today``: today in the context's timezone, else the user's, else UTC."""
    return rules_mail.context_today(env)
