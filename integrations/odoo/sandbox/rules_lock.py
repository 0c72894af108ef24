"""Accounting lock dates on the company, as Odoo 17 applies them to journal entries
(odoo/odoo 17.0, addons/account/models/account_move.py ``write`` and
``_check_fiscalyear_lock_date``; res_company.py ``_get_user_fiscal_lock_date``).

- res.company ``fiscalyear_lock_date`` binds everyone, ``period_lock_date`` everyone but
  advisers (``account.group_account_manager``; in the sandbox the admin, who is one);
  ``tax_lock_date`` is stored only (it guards tax lines, which the sandbox has none of).
- ``write`` refuses, with a UserError, changing the name or date of a posted entry dated on or
  before the lock date, taking a posted entry there back to draft/cancel, and posting or
  re-dating an entry into the locked period. Odoo's ``action_post`` would instead move an
  invoice's accounting date past the lock (``_get_accounting_date``); the sandbox posts by
  ``write`` only.
- Odoo 18 replaced these fields with ``sale_lock_date``, ``purchase_lock_date``,
  ``hard_lock_date`` and the exceptions model (account_lock_exception.py), with other words;
  the sandbox announces 17.0 and follows it.
"""

from datetime import date

from .errors import UserError

ADVISER = "You cannot add/modify entries prior to and inclusive of the lock date %s."
USER = ("You cannot add/modify entries prior to and inclusive of the lock date %s. "
        "Check the company settings or ask someone with the 'Adviser' role")


def check_write(env, row, changes):
    """Refuse ``changes`` to the account.move ``row`` that touch the locked period."""
    merged = {**row, **changes}
    if row.get("state") == "posted":
        renamed = "name" in changes and changes["name"] != row.get("name")
        redated = "date" in changes and changes["date"] != row.get("date")
        unposted = "state" in changes and changes["state"] != "posted"
        if renamed or redated or unposted:
            _check(env, row)
    if ("date" in changes or "state" in changes) and merged.get("state") == "posted":
        _check(env, merged)


def _check(env, move):
    """``_check_fiscalyear_lock_date`` for one move (its date against its company's lock)."""
    store = env.store
    company = store.row("res.company", move.get("company_id") or 1) or {}
    adviser = _is_adviser(env)
    dates = [company.get("fiscalyear_lock_date")] + ([] if adviser else [company.get("period_lock_date")])
    lock = max((d for d in dates if d), default=None)
    if lock and move.get("date") and move["date"] <= lock:
        raise UserError((ADVISER if adviser else USER) % _format_date(lock))


def _is_adviser(env):
    found = env.store.ref("base.user_admin")
    return bool(found) and found[1] == env.uid


def _format_date(value):
    """odoo/tools/misc.py ``format_date`` in en_US (the sandbox's only language): MM/DD/YYYY."""
    return date.fromisoformat(value).strftime("%m/%d/%Y")
