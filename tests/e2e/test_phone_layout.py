"""Every dashboard page on a phone (390 px) and a desktop (1280 px), in Chromium: nothing wider
than the screen, a menu that folds on the phone and opens by touch or keyboard, tables read as
labelled rows. Screenshots of each page at both widths land in test-artifacts/."""

from datetime import date, timedelta

import pytest

from actions import services
from actions.models import Action, ActionStatus, GuardrailPolicy, Notice, NoticeLevel
from actions.policy import delegation, store
from aiom.models import Membership, Role
from analyzers.services import run_analysis
from followups import engine
from followups import services as followup_services
from followups.models import FollowUp
from integrations.outbox import Channel, OutboxMessage

from .pages import log_in

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
NAV = ["Overview", "Approvals", "Follow-ups", "Assistant", "History", "Notices", "Audit", "Health", "Outbox",
       "Guardrails", "Rules", "Autonomy"]
LONG_WORD = "https://billing.customer.example/portal/invoices/" + "INV2025000421234567890" * 4


@pytest.fixture
def busy_org(connected_org, odoo, django_user_model):
    """The demo company after an analysis: pending actions, a plan, alerts, a rejection with a long
    unbroken reason, a notice, an outbox message, follow-ups (one with a promise to pay, one paused
    with a long unbroken reason); and an admin who sees every page."""
    analysis = run_analysis(connected_org)
    admin = django_user_model.objects.create_user("ada", "ada@example.com", "pw-ada", is_staff=True,
                                                  is_superuser=True)
    Membership.objects.create(user=admin, organization=connected_org, role=Role.ADMIN)
    pending = list(Action.objects.filter(organization=connected_org, status=ActionStatus.PENDING_APPROVAL))
    assert len(pending) >= 3, "the analysis should leave actions waiting for approval"
    services.reject(pending[-1], admin, reason=f"Already settled, see {LONG_WORD}")
    Notice.objects.create(user=admin, organization=connected_org, action=pending[-1], level=NoticeLevel.WARNING,
                          text=f"Rejected: already settled, see {LONG_WORD}")
    OutboxMessage.objects.create(organization=connected_org, channel=Channel.EMAIL, recipients=["billing@customer.example"],
                                 subject="Invoice reminder", body=f"Pay here: {LONG_WORD}\n")
    with_changes = next((action for action in pending[:-1] if action.protocol.get("proposed_changes")), pending[0])
    GuardrailPolicy.objects.filter(organization=connected_org).update(follow_up_sequences=True)
    engine.tick(connected_org, odoo)
    promised, paused = FollowUp.objects.filter(organization=connected_org, target_model="res.partner",
                                               last_action__status=ActionStatus.PENDING_APPROVAL).order_by("pk")[:2]
    followup_services.promise(promised, admin, promised_date=date.today() + timedelta(days=10), amount="100")
    followup_services.pause(paused, admin, until=None, reason=f"Asked to wait, see {LONG_WORD}")
    store.create_rule(connected_org, name=f"Two for big reminders {LONG_WORD[:30]}", actor_user=admin, definition={
        "when": {"action_types": ["send_invoice_reminder"], "amount_over": "5000", "recipient_domains": ["customer.example"]},
        "then": {"effect": "require_approval", "approvers": [{"count": 2}]}})
    stand_in = django_user_model.objects.create_user("lee", "lee@example.com", "pw-lee")
    Membership.objects.create(user=stand_in, organization=connected_org, role=Role.APPROVER)
    delegation.delegate(connected_org, delegator=admin, delegate=stand_in, starts_on=date.today(),
                        ends_on=date.today() + timedelta(days=7), reason=f"Holiday, see {LONG_WORD}", actor=admin)
    meeting = Action.objects.filter(organization=connected_org, action_type="schedule_meeting").first()
    return {"plan": analysis.plan.pk, "action": with_changes.pk, "follow_up": promised.pk,
            "meeting": meeting.pk if meeting else with_changes.pk,
            "paused_follow_up": paused.pk, "sequence": promised.sequence_id}


def _pages(busy_org):
    return {"overview": "/dashboard/", "approvals": "/dashboard/approvals/",
            "action": f"/dashboard/actions/{busy_org['action']}/", "plan": f"/dashboard/plans/{busy_org['plan']}/",
            "history": "/dashboard/history/", "audit": "/dashboard/audit/", "health": "/dashboard/health/",
            "notices": "/dashboard/notices/", "outbox": "/dashboard/outbox/", "follow-ups": "/dashboard/follow-ups/",
            "follow-up": f"/dashboard/follow-ups/{busy_org['follow_up']}/",
            "follow-up-paused": f"/dashboard/follow-ups/{busy_org['paused_follow_up']}/",
            "sequence": f"/dashboard/follow-ups/sequences/{busy_org['sequence']}/",
            "follow-up-report": "/dashboard/follow-ups/report/",
            "guardrails": "/dashboard/settings/guardrails/", "assistant": "/dashboard/assistant/",
            "api-tokens": "/dashboard/api-tokens/", "api-docs": "/api/docs/",
            "rules": "/dashboard/policy/rules/", "new-rule": "/dashboard/policy/rules/new/",
            "policy-changes": "/dashboard/policy/changes/", "delegations": "/dashboard/delegations/",
            "autonomy": "/dashboard/autonomy/", "meeting": f"/dashboard/actions/{busy_org['meeting']}/"}


def _page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _nav_link(page, name):
    return page.locator("nav[aria-label=Main] a", has_text=name)


def test_every_page_fits_a_phone_and_a_desktop(live_server, browser, screenshot, busy_org):
    page = browser.new_page()
    log_in(page, live_server, "ada", "pw-ada")
    for name, path in _pages(busy_org).items():
        page.set_viewport_size(PHONE)
        page.goto(live_server.url + path)
        width, screen = _page_width(page)
        assert width <= screen, f"{name} is {width} px wide on a {screen} px phone"
        assert page.locator(".menu-button").is_visible() and not _nav_link(page, "Overview").is_visible()
        screenshot(page, f"phone-{name}")
        page.click(".menu-button")
        for link in NAV:
            assert _nav_link(page, link).is_visible(), f"{link} cannot be reached on the phone ({name})"
        assert _page_width(page)[0] <= screen
        screenshot(page, f"phone-{name}-menu")

        page.set_viewport_size(DESKTOP)
        page.goto(live_server.url + path)
        width, screen = _page_width(page)
        assert width <= screen, f"{name} is {width} px wide on a {screen} px screen"
        assert not page.locator(".menu-button").is_visible()
        assert all(_nav_link(page, link).is_visible() for link in NAV)
        screenshot(page, f"desktop-{name}")


def test_the_phone_menu_opens_from_the_keyboard(live_server, browser, busy_org):
    page = browser.new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "ada", "pw-ada")
    page.keyboard.press("Tab")  # past the brand link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "menu-toggle"
    assert page.locator("#menu-toggle").get_attribute("aria-controls") == "menu"
    assert not _nav_link(page, "History").is_visible()
    page.keyboard.press("Space")
    assert _nav_link(page, "History").is_visible()
    page.keyboard.press("Space")
    assert not _nav_link(page, "History").is_visible()


def test_tables_become_labelled_rows_on_a_phone(live_server, browser, busy_org):
    page = browser.new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "ada", "pw-ada")
    page.goto(f"{live_server.url}/dashboard/history/")
    row = page.locator("table.stack tbody tr").first
    cells = row.locator("td")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert len({round(box["x"]) for box in boxes}) == 1  # one cell under the other, not side by side
    labels = page.evaluate("""[...document.querySelector('table.stack tbody tr').cells]
                              .map(cell => getComputedStyle(cell, '::before').content)""")
    assert labels == ['"Action"', '"Type"', '"Risk"', '"Status"', '"Why"', '"Updated"']
    assert LONG_WORD[:40] in page.inner_text("table.stack")

    page.set_viewport_size(DESKTOP)
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    assert len({round(box["y"]) for box in boxes}) == 1  # a plain table row again
