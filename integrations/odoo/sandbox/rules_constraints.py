"""Constraints and refusals of the business models the sandbox serves (odoo/odoo 17.0).

A violated ``_sql_constraints`` entry reaches an RPC caller as odoo/service/model.py
``_as_validation_error`` words it: ValidationError "The operation cannot be completed: <message>"
(fault 2). Python constraints (``@api.constrains``) and ``write``/``unlink`` refusals raise
their own ValidationError or UserError.

- crm.lead (addons/crm/models/crm_lead.py): ``check_probability``, 0 to 100.
- account.move (addons/account/models/account_move.py): ``create`` refuses a move already
  posted; ``write`` refuses a new journal on a move posted once (``posted_before``); deleting a
  posted move deletes its lines first, which account_move_line.py ``_unlink_except_posted``
  refuses. Lock dates and hash chains are not served, so their checks never fire here.
- project.task (addons/project/models/project_task.py): ``private_task_has_no_parent`` and
  ``_check_parent_id`` (no recursive hierarchy).
- res.partner (odoo/addons/base/models/res_partner.py): ``check_name`` (every partner here is
  a contact, so a name is required) and ``_check_parent_id``.
"""

from .errors import UserError, ValidationError

SQL_REFUSAL = "The operation cannot be completed: {}"
PROBABILITY = "The probability of closing the deal should be between 0% and 100%!"
POSTED_CREATE = "You cannot create a move already in the posted state. Please create a draft move and post it after."
POSTED_JOURNAL = "You cannot edit the journal of an account move if it has been posted once."
POSTED_UNLINK = "You cannot delete an item linked to a posted entry."
PRIVATE_TASK = "A private task cannot have a parent."
TASK_RECURSION = "Error! You cannot create a recursive hierarchy of tasks."
PARTNER_NAME = "Contacts require a name"
PARTNER_RECURSION = "You cannot create recursive Partner hierarchies."


def check_create(env, model, vals):
    """Refuse ``vals`` (defaults and derived values included) as Odoo would on create."""
    if model == "account.move" and vals.get("state") == "posted":
        raise UserError(POSTED_CREATE)
    _check_values(env, model, None, vals)


def check_write(env, model, row, changes):
    """Refuse ``changes`` to ``row`` as Odoo would on write; a move being posted is posted once."""
    if model == "account.move":
        if "journal_id" in changes and changes["journal_id"] != row.get("journal_id") and _posted_once(row):
            raise UserError(POSTED_JOURNAL)
        if changes.get("state") == "posted":
            changes = {**changes, "posted_before": True}
    _check_values(env, model, row, {**row, **changes})
    return changes


def check_unlink(env, model, rows):
    if model == "account.move" and any(row.get("state") == "posted" for row in rows):
        raise UserError(POSTED_UNLINK)


def _check_values(env, model, row, values):
    own_id = row["id"] if row else None
    if model == "crm.lead" and not 0 <= (values.get("probability") or 0.0) <= 100:
        raise ValidationError(SQL_REFUSAL.format(PROBABILITY))
    if model == "project.task":
        if values.get("parent_id") and not values.get("project_id"):
            raise ValidationError(SQL_REFUSAL.format(PRIVATE_TASK))
        _check_recursion(env.store, model, own_id, values.get("parent_id"), TASK_RECURSION)
    if model == "res.partner":
        if values.get("name") is None or values.get("name") is False:
            raise ValidationError(SQL_REFUSAL.format(PARTNER_NAME))
        _check_recursion(env.store, model, own_id, values.get("parent_id"), PARTNER_RECURSION)


def _posted_once(row):
    return bool(row.get("posted_before")) or row.get("state") == "posted"


def _check_recursion(store, model, own_id, parent_id, message):
    """``_check_recursion``: following ``parent_id`` from the new parent never comes back."""
    seen = set()
    while parent_id and own_id is not None:
        if parent_id == own_id or parent_id in seen:
            raise ValidationError(message)
        seen.add(parent_id)
        parent = store.row(model, parent_id)
        parent_id = parent.get("parent_id") if parent else False
