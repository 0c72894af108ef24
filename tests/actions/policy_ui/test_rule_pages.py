"""The rules pages: admins only, scoped to the organisation, CSRF on every POST, names escaped,
and a rule tried against the last 30 days before it is saved."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from actions import guardrails
from actions.policy import store
from actions.policy.models import ChangeStatus, PolicyChange, PolicyRule, RuleStatus

from tests.aiom.test_operator_pages import _policy_form_data

from ..admin_pages import staff
from .conftest import SMS_ON_SUNDAY

RULES = reverse("dashboard:policy-rules")
NEW = reverse("dashboard:policy-rule-new")


def _rule(org, user, **fields):
    return store.create_rule(org, **{"name": "No SMS on Sunday", "definition": SMS_ON_SUNDAY, "actor_user": user,
                                     **fields})


def _form(**fields):
    """The editor as an admin fills it in: refuse invoice reminders, as a dry run."""
    return {"name": "Hold reminders", "description": "", "action_types": ["send_invoice_reminder"],
            "effect": "deny", "reason": "We are changing banks", "approver_kind": "anyone", "approver_count": "1",
            "approver_quorum": "any", "mode": "dry_run", **fields}


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_people_who_are_not_admins_are_refused(client, org, admin_member, role, request):
    rule = _rule(org, admin_member)
    client.force_login(request.getfixturevalue(role))

    for url in (RULES, NEW, reverse("dashboard:policy-rule-edit", args=[rule.pk]),
                reverse("dashboard:policy-changes")):
        assert client.get(url).status_code == 403
    assert client.post(reverse("dashboard:policy-rule-archive", args=[rule.pk])).status_code == 403
    assert client.post(NEW, _form(save="1")).status_code == 403
    assert PolicyRule.objects.get().status == RuleStatus.ACTIVE and PolicyRule.objects.count() == 1


def test_the_rules_link_is_shown_to_admins_only(client, admin_member, approver):
    client.force_login(admin_member)
    assert f'href="{RULES}"' in client.get(reverse("dashboard:guardrails")).content.decode()
    client.force_login(approver)
    assert f'href="{RULES}"' not in client.get(reverse("dashboard:approvals")).content.decode()


def test_another_organisations_rule_is_not_found(client, org, other_org, admin_member, outsider):
    theirs = _rule(other_org, outsider)
    client.force_login(admin_member)

    assert client.get(reverse("dashboard:policy-rule-edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("dashboard:policy-rule-archive", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("dashboard:policy-rule-mode", args=[theirs.pk]), {"mode": "enforce"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == RuleStatus.ACTIVE and theirs.mode == "dry_run"


def test_a_post_without_the_csrf_token_is_refused(org, admin_member):
    rule = _rule(org, admin_member)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_member)

    assert browser.post(reverse("dashboard:policy-rule-archive", args=[rule.pk])).status_code == 403
    rule.refresh_from_db()
    assert rule.status == RuleStatus.ACTIVE


def test_the_list_shows_each_rule_in_words_with_its_mode_and_escapes_names(client, org, admin_member):
    _rule(org, admin_member, name="<script>alert(1)</script>")
    old = _rule(org, admin_member, name="Old rule")
    store.set_mode(old, "enforce", actor_user=admin_member)
    client.force_login(admin_member)

    page = client.get(RULES).content.decode()

    assert "<script>alert(1)</script>" not in page and escape("<script>alert(1)</script>") in page
    assert escape("When an SMS is sent on Sunday: refuse (Never SMS on Sundays).") in page
    assert "Dry run" in page and "Enforced" in page and "version 2" in page
    assert "Archived versions (1)" in page


def test_the_backtest_shows_what_the_rule_would_have_done_without_saving(client, org, admin_member, make_action):
    reminders = [make_action("send_invoice_reminder"), make_action("send_invoice_reminder")]
    make_action("create_collection_task")
    client.force_login(admin_member)

    page = client.post(NEW, _form(test="1")).content.decode()

    assert not PolicyRule.objects.exists()
    assert "Tried against the last 30 days" in page
    assert "this rule would have applied to 2 of them" in page
    assert '<span class="bar-label">Refused</span>' in page and '<span class="bar-count">2</span>' in page
    assert '<span class="bar-label">Not concerned</span>' in page and '<span class="bar-count">1</span>' in page
    for action in reminders:
        assert reverse("dashboard:action", args=[action.pk]) in page
    assert escape("When a send invoice reminder is proposed: refuse (We are changing banks).") in page


def test_saving_shows_the_same_backtest_and_stores_a_dry_run(client, org, admin_member, make_action):
    make_action("send_invoice_reminder")
    client.force_login(admin_member)

    page = client.post(NEW, _form(save="1")).content.decode()

    rule = PolicyRule.objects.get()
    assert (rule.name, rule.mode, rule.version, rule.created_by) == ("Hold reminders", "dry_run", 1, admin_member)
    assert "Rule saved" in page and "this rule would have applied to 1 of them" in page
    assert guardrails.policy_for(org).rules_version == 1


def test_saving_with_a_second_admin_waits_for_them(client, org, admin_member, second_admin, two_admins_needed):
    client.force_login(admin_member)

    page = client.post(NEW, _form(save="1")).content.decode()

    assert "Waiting for a second admin" in page and not PolicyRule.objects.exists()
    change = PolicyChange.objects.get()
    changes_page = client.get(reverse("dashboard:policy-changes")).content.decode()
    assert "Withdraw" in changes_page and reverse("dashboard:policy-change-confirm", args=[change.pk]) not in changes_page

    client.force_login(second_admin)
    assert reverse("dashboard:policy-change-confirm", args=[change.pk]) in client.get(
        reverse("dashboard:policy-changes")).content.decode()
    client.post(reverse("dashboard:policy-change-confirm", args=[change.pk]))
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED and PolicyRule.objects.get().created_by == admin_member


def test_the_requester_confirming_their_own_change_is_refused(client, org, admin_member, two_admins_needed):
    client.force_login(admin_member)
    client.post(NEW, _form(save="1"))
    change = PolicyChange.objects.get()

    assert client.post(reverse("dashboard:policy-change-confirm", args=[change.pk])).status_code == 403
    assert not PolicyRule.objects.exists()


def test_form_errors_are_in_plain_words(client, admin_member):
    client.force_login(admin_member)

    page = client.post(NEW, _form(reason="", partner_countries="Germany", amount_over="100",
                                  amount_at_most="50", test="1")).content.decode()

    assert "A deny rule needs a reason people will read" in page
    assert "Use two-letter country codes such as DE or FR." in page
    assert not PolicyRule.objects.exists()
    page = client.post(NEW, _form(effect="require_approval", approver_kind="team", approver_team="",
                                  test="1")).content.decode()
    assert "Name the team whose people approve." in page


def test_editing_adds_a_version_and_a_stale_form_is_refused(client, org, admin_member):
    rule = _rule(org, admin_member)
    client.force_login(admin_member)
    edit = reverse("dashboard:policy-rule-edit", args=[rule.pk])
    assert escape("No SMS on Sunday") in client.get(edit).content.decode()

    client.post(edit, _form(save="1"))
    again = client.post(edit, _form(name="Stale", save="1")).content.decode()

    assert "changed since this was asked" in again
    assert list(PolicyRule.objects.order_by("version").values_list("version", "status")) == [
        (1, RuleStatus.ARCHIVED), (2, RuleStatus.ACTIVE)]


def test_mode_archive_and_move_buttons(client, org, admin_member):
    first, second = _rule(org, admin_member), _rule(org, admin_member, name="Second")
    client.force_login(admin_member)

    client.post(reverse("dashboard:policy-rule-mode", args=[first.pk]), {"mode": "enforce"})
    client.post(reverse("dashboard:policy-rule-move", args=[second.pk]), {"direction": "up"})
    client.post(reverse("dashboard:policy-rule-archive", args=[second.pk]))

    assert list(PolicyRule.objects.filter(status=RuleStatus.ACTIVE).values_list("name", "mode", "version")) == [
        ("No SMS on Sunday", "enforce", 2)]


def test_guardrail_settings_wait_for_a_second_admin(client, org, admin_member, two_admins_needed):
    client.force_login(admin_member)
    data = _policy_form_data(org)
    data.pop("policy_changes_need_second_admin")  # unticked: turn it off

    response = client.post(reverse("dashboard:guardrails"), data, follow=True)

    assert "Waiting for a second admin" in response.content.decode()
    assert guardrails.policy_for(org).policy_changes_need_second_admin
    assert "→ off" in PolicyChange.objects.get().summary


def test_the_admin_lists_rules_and_archives_through_the_store(client, org, admin_member):
    rule = _rule(org, admin_member)
    staff(admin_member, "view_policyrule", "change_policyrule")
    client.force_login(admin_member)

    listing = client.get(reverse("admin:actions_policyrule_changelist")).content.decode()
    assert "No SMS on Sunday" in listing
    client.post(reverse("admin:actions_policyrule_changelist"),
                {"action": "archive_selected", "_selected_action": [str(rule.pk)]}, follow=True)

    rule.refresh_from_db()
    assert rule.status == RuleStatus.ARCHIVED and guardrails.policy_for(org).rules_version == 2
