"""An admin writes "reminders to customers in DE over 5,000 need two approvers" and "never SMS
on Sundays" in the dashboard on a phone, sees the backtest, runs the first dry, enforces it, and
watches it decide on the approvals page."""

from datetime import datetime, timedelta, timezone as utc

from actions import services
from actions.models import Action
from actions.policy.models import PartnerFacts, PolicyRule
from tests.actions.protocols import PARTNER_ID, protocol_for

from .pages import log_in

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def _reminder(org, amount, title):
    return services.propose(org, protocol_for("send_invoice_reminder", metadata={"amount": amount}, title=title),
                            source="analyzer")


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _write_german_rule(page, live_server):
    page.goto(f"{live_server.url}/dashboard/policy/rules/new/")
    page.fill("#id_name", "Big reminders to Germany")
    page.check("#id_all_invoice_reminders")
    page.fill("#id_partner_countries", "DE")
    page.fill("#id_amount_over", "5000")
    page.check("input[name=effect][value=require_approval]")
    page.check("input[name=approver_kind][value=anyone]")
    page.fill("#id_approver_count", "2")
    page.check("input[name=mode][value=dry_run]")


def test_write_backtest_dry_run_and_enforce_a_rule(live_server, browser, screenshot, org, admin_member, approver):
    PartnerFacts.objects.create(organization=org, partner_id=PARTNER_ID, country_code="DE", tags=[],
                                refreshed_at=datetime.now(utc.utc))
    history = [_reminder(org, amount, f"Past reminder {amount}") for amount in (6000, 7000, 300)]
    Action.objects.filter(pk__in=[a.pk for a in history]).update(created_at=datetime.now(utc.utc) - timedelta(days=3))

    page = browser.new_page()
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "ada", "pw-ada")
    _write_german_rule(page, live_server)
    page.click("button[name=test]")
    page.wait_for_selector("section.backtest")
    backtest = page.locator("section.backtest").inner_text()
    assert "Needs approval" in backtest and "2" in backtest
    assert page.locator("section.backtest a", has_text="Past reminder 6000").count() == 1
    assert page.locator("section.backtest a", has_text="Past reminder 300").count() == 0
    assert _width(page) <= PHONE["width"]
    screenshot(page, "phone-rule-backtest")
    assert not PolicyRule.objects.exists()  # testing saves nothing

    page.click("button[name=save]")
    page.wait_for_selector("text=Dry run")
    rule = PolicyRule.objects.get()
    assert rule.mode == "dry_run"

    dry = _reminder(org, 8000, "Remind Müller GmbH")
    page.goto(f"{live_server.url}/dashboard/approvals/")
    card = page.locator(f"#action-{dry.pk}")
    assert "would have required two approvers" in card.inner_text()

    page.goto(f"{live_server.url}/dashboard/policy/rules/")
    page.click("button:has-text('Enforce')")
    page.wait_for_selector(".pill.mode-enforce")
    enforced = _reminder(org, 9000, "Remind Schmidt AG")
    page.goto(f"{live_server.url}/dashboard/approvals/")
    text = page.locator(f"#action-{enforced.pk}").inner_text()
    assert "requires two approvers" in text
    assert "Needs 2 approvers" in text
    page.set_viewport_size(DESKTOP)
    assert _width(page) <= DESKTOP["width"]
    screenshot(page, "desktop-approvals-with-rule")

    services.approve(enforced, approver)
    enforced.refresh_from_db()
    assert enforced.status == "pending_approval"  # one of two

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/policy/rules/new/")
    page.fill("#id_name", "No Sunday texts")
    page.check("input[name=channels][value=sms]")
    page.check("input[name=weekdays][value='6']")
    page.check("input[name=effect][value=deny]")
    page.fill("#id_reason", "We never text customers on Sundays.")
    page.check("input[name=mode][value=enforce]")
    page.click("button[name=save]")
    page.wait_for_selector("text=No Sunday texts")
    page.goto(f"{live_server.url}/dashboard/policy/rules/")
    assert "Sunday" in page.locator(".policy-rule", has_text="No Sunday texts").inner_text()
    assert _width(page) <= PHONE["width"]
    screenshot(page, "phone-rules")
