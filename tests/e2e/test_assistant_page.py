"""The assistant in Chromium: names from Odoo are offered while typing a command, choosing one
completes it, and the answer shows on the page; the token page shows a new token once."""

from actions.models import Action

from .pages import log_in


def test_suggestions_complete_a_name_and_the_command_proposes(live_server, browser, screenshot, connected_org,
                                                               approver):
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "alice", "pw-alice")
    page.goto(live_server.url + "/dashboard/assistant/")
    page.fill("#command", "")
    page.type("#command", "draft email to kinet")
    suggestion = page.locator("#suggestions button", has_text="Kinetic Labs GmbH (customer)")
    suggestion.wait_for()
    screenshot(page, "phone-assistant-suggestions")
    suggestion.click()
    assert page.input_value("#command") == "draft email to Kinetic Labs GmbH "
    page.type("#command", "about the migration timeline")
    page.click("text=Go")
    page.locator(".answer-proposed").wait_for()
    assert "waits for approval" in page.inner_text(".answer")
    screenshot(page, "phone-assistant-proposed")
    action = Action.objects.get(organization=connected_org)
    assert action.action_type == "email_customer" and action.created_by == f"user:{approver.pk}"


def test_a_new_token_is_shown_once(live_server, browser, connected_org, approver):
    page = browser.new_page()
    log_in(page, live_server, "alice", "pw-alice")
    page.goto(live_server.url + "/dashboard/api-tokens/")
    page.fill("#id_name", "month-end script")
    page.select_option("#id_scope", "decide")
    page.click("text=Create token")
    secret = page.input_value("input.secret")
    assert secret.startswith("aiom_")
    page.goto(live_server.url + "/dashboard/api-tokens/")
    assert secret not in page.content() and "month-end script" in page.content()
