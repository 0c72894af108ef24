"""An approver's day, in a real browser: see a pending reminder, read what it will do,
approve it and watch a real worker execute it; reject another with a reason."""

from actions import services
from actions.models import Action, ActionStatus
from tests.execution.actions import reminder
from tests.processes import wait_until
from tests.reliability.support import message_ids

from .pages import log_in


def _overdue_invoices(odoo, count):
    invoices = odoo.search_read("account.move", [
        ("move_type", "=", "out_invoice"), ("state", "=", "posted"), ("payment_state", "=", "not_paid"),
        ("invoice_date_due", "<", "2100-01-01"), ("partner_id.email", "!=", False),
    ], ["name", "partner_id", "amount_residual"], order="invoice_date_due asc", limit=count)
    partners = {p["id"]: p for p in odoo.read("res.partner", [i["partner_id"][0] for i in invoices],
                                               ["email", "phone", "name"])}
    return [{**invoice, "partner": partners[invoice["partner_id"][0]]} for invoice in invoices]


def test_approve_and_reject_in_the_browser(live_server, browser, screenshot, connected_org, odoo, approver,
                                           start_worker, smtp_server):
    first, second = _overdue_invoices(odoo, 2)
    to_approve = services.propose(connected_org, reminder(first, title=f"Remind {first['partner']['name']}"),
                                  source="analyzer")
    to_reject = services.propose(connected_org, reminder(second, title=f"Remind {second['partner']['name']}"),
                                 source="analyzer")
    start_worker(concurrency=1)

    page = browser.new_page()
    log_in(page, live_server, "alice", "pw-alice")
    page.click("text=Approvals")
    card = page.locator(f"#action-{to_approve.pk}")
    assert card.locator("td.after").count() == 0  # a reminder changes no Odoo field, it sends a message
    assert first["partner"]["email"] in card.inner_text()
    assert to_approve.parsed.operation.inputs.subject in card.inner_text()
    card.locator("summary").click()
    assert "payment status is still not paid" in card.inner_text()
    screenshot(page, "approvals")

    card.locator("button.approve").click()
    page.wait_for_selector(".messages >> text=Approved")
    wait_until(lambda: Action.objects.get(pk=to_approve.pk).status == ActionStatus.EXECUTED, timeout=30,
               what="the worker to execute the approved reminder")
    assert message_ids(smtp_server) == {f"<{to_approve.pk}@aiom.local>": 1}  # the reminder, once

    page.goto(f"{live_server.url}/dashboard/actions/{to_approve.pk}/")
    assert "Executed" in page.inner_text(".status")
    assert f"Emailed {first['partner']['email']}" in page.inner_text("main")
    screenshot(page, "executed-action")

    page.goto(f"{live_server.url}/dashboard/approvals/")
    other = page.locator(f"#action-{to_reject.pk}")
    other.locator("textarea[name=reason]").fill("Customer promised to pay on Friday")
    other.locator("button.reject").click()
    page.wait_for_selector(".messages >> text=Rejected")
    rejected = Action.objects.get(pk=to_reject.pk)
    assert rejected.status == ActionStatus.REJECTED and rejected.status_reason == "Customer promised to pay on Friday"
    assert message_ids(smtp_server) == {f"<{to_approve.pk}@aiom.local>": 1}  # nothing for the rejected one

    page.goto(f"{live_server.url}/dashboard/")
    screenshot(page, "overview")
