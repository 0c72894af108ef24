"""Approving several reminders at once on a phone: tick them in the queue, read the pre-flight
table (one invoice was paid meanwhile), approve the ones that pass."""

import re

from actions import services
from actions.models import Action, ActionStatus
from tests.execution.actions import reminder

from .pages import log_in

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
PLAIN_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+")


def _overdue_invoices(odoo, count):
    invoices = odoo.search_read("account.move", [
        ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "=", "not_paid"),
        ("invoice_date_due", "<", "2100-01-01"), ("partner_id.email", "!=", False),
    ], ["name", "partner_id", "amount_residual"], order="invoice_date_due asc")
    partners = {p["id"]: p for p in odoo.read("res.partner", [i["partner_id"][0] for i in invoices],
                                               ["email", "phone", "name"])}
    chosen = [{**invoice, "partner": partners[invoice["partner_id"][0]]} for invoice in invoices
              if PLAIN_EMAIL.fullmatch(partners[invoice["partner_id"][0]]["email"])]
    return chosen[:count]


def _width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_check_and_approve_several_on_a_phone(live_server, browser, screenshot, connected_org, odoo, approver):
    invoices = _overdue_invoices(odoo, 3)
    actions = [services.propose(connected_org, reminder(invoice, title=f"Remind {invoice['partner']['name']}"),
                                source="analyzer") for invoice in invoices]
    odoo.write("account.move", [invoices[1]["id"]], {"payment_state": "paid", "amount_residual": 0.0})

    page = browser.new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "alice", "pw-alice")
    page.goto(f"{live_server.url}/dashboard/approvals/")
    for action in actions:
        page.locator(f"#action-{action.pk} input[name=selected]").check()
    assert _width(page)[0] <= PHONE["width"]
    screenshot(page, "phone-approvals-selected")
    page.click("text=Check selected")
    page.wait_for_selector("table.preflight")
    width, screen = _width(page)
    assert width <= screen, f"the pre-flight page is {width} px wide on a {screen} px phone"
    blocked = page.locator("tr.outcome-will_be_blocked")
    assert blocked.count() == 1 and "The invoice was paid in the meantime." in blocked.inner_text()
    assert page.locator("tr.outcome-will_execute").count() == 2
    screenshot(page, "phone-preflight")
    page.set_viewport_size(DESKTOP)
    assert _width(page)[0] <= DESKTOP["width"]
    screenshot(page, "desktop-preflight")

    page.click("text=Approve the 2 that pass")
    page.wait_for_selector(".messages >> text=Approved 2 of 2 selected.")
    assert [Action.objects.get(pk=a.pk).status for a in actions] == [
        ActionStatus.APPROVED, ActionStatus.PENDING_APPROVAL, ActionStatus.APPROVED]
