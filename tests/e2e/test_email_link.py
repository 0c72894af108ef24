"""An approver follows the link in their approval email: the page shows what will happen, and
only pressing the button decides. Loading the page alone (as mail scanners do) changes nothing."""

import re

import requests

from actions import services
from actions.models import Action, ActionStatus
from actions.types import ActionType
from audit.models import ActionEvent
from integrations.outbox import OutboxMessage
from tests.actions.protocols import protocol_for
from tests.processes import wait_until

from .pages import log_in


def test_approve_from_the_link_in_the_outbox(live_server, browser, screenshot, org, approver, django_user_model,
                                            settings, start_worker):
    settings.DEBUG = True  # the demo: the outbox page is in the navigation
    start_worker(concurrency=1, EMAIL_BACKEND="integrations.email.OutboxBackend", APP_URL=live_server.url)
    action = services.propose(org, protocol_for(ActionType.SEND_INVOICE_REMINDER), source="analyzer")
    wait_until(lambda: OutboxMessage.objects.filter(subject__contains=action.title).exists(), timeout=30,
               what="the worker to put the approval request in the outbox")

    page = browser.new_page()
    log_in(page, live_server, "alice", "pw-alice")
    page.goto(f"{live_server.url}/dashboard/outbox/")
    mail = page.locator("article", has_text=action.title).first
    approve_link = next(href for href in mail.locator("pre a").evaluate_all("links => links.map(a => a.href)")
                        if re.search(r"/approvals/email/[^/]+/$", href) and "approve" in mail.inner_text().lower())
    screenshot(page, "outbox")

    # A mail scanner (no cookies) fetches the link first: it sees the page, nothing is decided.
    events_before = ActionEvent.objects.filter(action_id=action.pk).count()
    for fetch in (requests.get, requests.head) * 3:
        assert fetch(approve_link, timeout=10).status_code == 200
    assert Action.objects.get(pk=action.pk).status == ActionStatus.PENDING_APPROVAL
    assert ActionEvent.objects.filter(action_id=action.pk).count() == events_before

    page.goto(approve_link)
    assert "billing@customer.example" in page.inner_text("main")
    screenshot(page, "email-link-confirmation")
    page.click("button.approve")
    page.wait_for_load_state()
    # Approved (the worker then takes it on; this organisation has no Odoo, so it fails there).
    assert ActionEvent.objects.filter(action_id=action.pk, event_type="approved").exists()
    assert action.approvals.get().channel == "email"
    screenshot(page, "email-link-done")

    page.goto(approve_link)  # the link was single-use
    assert "already" in page.inner_text("main").lower() or "used" in page.inner_text("main").lower()
