"""Follow-ups run against the Odoo sandbox (its invoices are dated from today) with the
organisation's sequences on and sending hours that do not depend on when the suite runs."""

import datetime

import pytest

from actions.models import GuardrailPolicy

EMMA = 37  # Emma Claes: one invoice a few days overdue, a plain email address


@pytest.fixture
def chasing_org(connected_org):
    GuardrailPolicy.objects.filter(organization=connected_org).update(
        follow_up_sequences=True, business_hours_start=datetime.time(0, 0),
        business_hours_end=datetime.time(23, 59, 59), weekends_off=False)
    return connected_org


@pytest.fixture
def add_invoice(odoo):
    """Another posted invoice for a customer: add_invoice(partner_id, days_overdue, total, residual=None)."""
    template = odoo.search_read("account.move", [("move_type", "=", "out_invoice"), ("state", "=", "posted")],
                                ["journal_id", "currency_id"], limit=1)[0]
    made = []

    def add(partner_id: int, days_overdue: int, total: float, residual: float | None = None) -> dict:
        due = datetime.date.today() - datetime.timedelta(days=days_overdue)
        residual = total if residual is None else residual
        number = 9100 + len(made)
        invoice_id = odoo.create("account.move", {  # a draft, posted below: Odoo refuses to create it posted
            "move_type": "out_invoice", "partner_id": partner_id,
            "payment_state": "partial" if residual < total else "not_paid", "journal_id": template["journal_id"][0],
            "currency_id": template["currency_id"][0], "name": f"INV/T/{number}",
            "invoice_date": (due - datetime.timedelta(days=30)).isoformat(), "date": due.isoformat(),
            "invoice_date_due": due.isoformat(), "amount_untaxed": total, "amount_total": total,
            "amount_residual": residual})
        odoo.write("account.move", [invoice_id], {"state": "posted"})
        made.append(invoice_id)
        return {"id": invoice_id, "name": f"INV/T/{number}"}
    return add
