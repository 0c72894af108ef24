"""Rules written and edited in the Django admin go through the same services as the dashboard:
validated, versioned, audited; a bad definition saves nothing."""

import json

from django.urls import reverse

from actions.policy.models import PolicyRule
from audit.models import ActionEvent
from tests.actions.admin_pages import staff

GOOD = {"when": {"channels": ["sms"], "weekdays": [6]},
        "then": {"effect": "deny", "reason": "We never text customers on Sundays."}}


def _add(client, org, definition, name="No Sunday texts"):
    return client.post(reverse("admin:actions_policyrule_add"), {
        "organization": org.pk, "name": name, "description": "", "definition": json.dumps(definition),
        "mode": "enforce"}, follow=True)


def test_an_admin_adds_and_edits_a_rule_in_the_admin(client, org, admin_member):
    client.force_login(staff(admin_member, "add_policyrule", "change_policyrule", "view_policyrule"))
    page = _add(client, org, GOOD)
    assert "Rule added." in page.content.decode()
    rule = PolicyRule.objects.get(organization=org)
    assert (rule.version, rule.mode) == (1, "enforce")

    edited = {**GOOD, "then": {**GOOD["then"], "reason": "No texts on Sundays, ever."}}
    page = client.post(reverse("admin:actions_policyrule_change", args=[rule.pk]), {
        "name": "No Sunday texts", "description": "", "definition": json.dumps(edited), "mode": "enforce"},
        follow=True)
    assert "Saved as a new version." in page.content.decode()
    versions = list(PolicyRule.objects.filter(organization=org).order_by("version").values_list("version", "status"))
    assert versions == [(1, "archived"), (2, "active")]
    assert ActionEvent.objects.filter(organization=org, event_type="policy_changed").count() == 2


def test_a_bad_definition_is_refused_in_words_and_saves_nothing(client, org, admin_member):
    client.force_login(staff(admin_member, "add_policyrule", "change_policyrule", "view_policyrule"))
    page = _add(client, org, {"when": {}, "then": {"effect": "deny"}})
    assert "reason" in page.content.decode()
    assert not PolicyRule.objects.exists()


def test_staff_who_are_not_the_organisations_admins_add_nothing(client, org, approver):
    client.force_login(staff(approver, "add_policyrule", "change_policyrule", "view_policyrule"))
    _add(client, org, GOOD)
    assert not PolicyRule.objects.exists()


def test_archived_versions_stay_read_only(client, org, admin_member):
    from actions.policy import store
    rule = store.create_rule(org, name="Old", definition=GOOD, actor_user=admin_member)
    store.archive_rule(rule, actor_user=admin_member)
    client.force_login(staff(admin_member, "add_policyrule", "change_policyrule", "view_policyrule"))
    page = client.get(reverse("admin:actions_policyrule_change", args=[rule.pk]))
    assert page.status_code == 200 and 'name="definition"' not in page.content.decode()
