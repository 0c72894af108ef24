"""The company's lock dates (odoo/odoo 17.0, addons/account/models/account_move.py ``write``,
``_check_fiscalyear_lock_date``) and style filtering of Html fields (odoo/tools/mail.py
``html_sanitize`` with ``sanitize_style``)."""

import xmlrpc.client

import pytest

LOCKED = "You cannot add/modify entries prior to and inclusive of the lock date 03/31/2026."


def fault_of(call):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value


@pytest.fixture
def locked(odoo):
    odoo.call("res.company", "write", [1], {"fiscalyear_lock_date": "2026-03-31"})


def move(odoo, day, **values):
    return odoo.call("account.move", "create", {"move_type": "out_invoice", "date": day, **values})


# what is written to a move dated ``day`` (posted first when ``posted``), refused or not
WRITES = [
    ("2026-03-15", False, {"state": "posted"}, True),    # posting into the locked period
    ("2026-04-15", False, {"state": "posted"}, False),
    ("2026-04-15", True, {"date": "2026-03-30"}, True),  # moving a posted entry into it
    ("2026-03-15", False, {"ref": "draft edits stay free"}, False),
    ("2026-04-15", False, {"date": "2026-03-01"}, False),  # a draft may be dated anywhere
]


@pytest.mark.parametrize("day,posted,values,refused", WRITES)
def test_entries_in_the_locked_period_are_refused(odoo, locked, day, posted, values, refused):
    record = move(odoo, day)
    if posted:
        odoo.call("account.move", "write", [record], {"state": "posted"})
    if refused:
        fault = fault_of(lambda: odoo.call("account.move", "write", [record], values))
        assert (fault.faultCode, fault.faultString) == (2, LOCKED)
    else:
        assert odoo.call("account.move", "write", [record], values) is True


def test_a_posted_entry_in_the_locked_period_cannot_go_back_to_draft(odoo):
    record = move(odoo, "2026-03-15")
    odoo.call("account.move", "write", [record], {"state": "posted"})
    odoo.call("res.company", "write", [1], {"fiscalyear_lock_date": "2026-03-31"})
    fault = fault_of(lambda: odoo.call("account.move", "write", [record], {"state": "draft"}))
    assert fault.faultString == LOCKED
    assert odoo.call("account.move", "read", [record], fields=["state"])[0]["state"] == "posted"


def test_the_journal_entries_lock_date_does_not_bind_the_adviser(odoo):
    """``_get_user_fiscal_lock_date``: advisers (the admin) only see the fiscal year lock."""
    odoo.call("res.company", "write", [1], {"period_lock_date": "2026-03-31"})
    record = move(odoo, "2026-03-15")
    assert odoo.call("account.move", "write", [record], {"state": "posted"}) is True


# model, field, written, stored — sanitize_style=True on mail_message.py body and
# mail_activity.py note; fields.Html defaults to sanitize_style=False (style kept as given)
STYLES = [
    ("mail.message", "body", '<p style="color: red; position: fixed; font-weight: bold">Hi</p>',
     '<p style="color:red; font-weight:bold">Hi</p>'),
    ("mail.message", "body", '<p style="position: fixed">Hi</p>', "<p>Hi</p>"),
    ("crm.lead", "description", '<p style="position: fixed">Hi</p>', '<p style="position: fixed">Hi</p>'),
]


@pytest.mark.parametrize("model,fname,written,stored", STYLES)
def test_styles_are_filtered_where_the_field_asks(odoo, model, fname, written, stored):
    lead = odoo.call("crm.lead", "create", {"name": "Styled deal"})
    if model == "mail.message":
        record = odoo.call("crm.lead", "message_post", [lead], body=written, body_is_html=True)
    else:
        record = lead
        odoo.call(model, "write", [lead], {fname: written})
    assert odoo.call(model, "read", [record], fields=[fname])[0][fname] == stored
