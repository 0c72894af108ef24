"""A second admin: while the organisation asks for one, changes to the rules and the guardrails
are only asked for, and apply when another admin confirms them."""

import pytest
from django.contrib.auth import get_user_model

from actions import guardrails
from actions.policy import changes, store
from actions.policy.models import ChangeStatus, PolicyChange, PolicyRule, RuleStatus
from aiom.errors import Conflict, NotAllowed
from aiom.models import Membership, Role
from audit.models import ActionEvent, EventType
from audit.services import Actor

from .conftest import BIG_GERMAN_REMINDERS, SMS_ON_SUNDAY

NEW_RULE = {"name": "No SMS on Sunday", "description": "", "definition": SMS_ON_SUNDAY, "mode": "enforce"}


def _events(org):
    return list(ActionEvent.objects.filter(organization=org, event_type=EventType.POLICY_CHANGED).order_by("seq"))


def test_without_a_second_admin_a_change_applies_at_once(org, admin_member):
    outcome, rule = changes.request_or_apply(org, admin_member, changes.RULE_CREATE, NEW_RULE)

    assert outcome == "applied" and rule.mode == "enforce" and not PolicyChange.objects.exists()


def test_a_requested_rule_waits_and_its_requester_cannot_confirm_it(org, admin_member, second_admin,
                                                                    two_admins_needed):
    outcome, change = changes.request_or_apply(org, admin_member, changes.RULE_CREATE, NEW_RULE)

    assert outcome == "requested" and change.status == ChangeStatus.PENDING and not PolicyRule.objects.exists()
    assert change.summary == ("New rule “No SMS on Sunday”: When an SMS is sent on Sunday: refuse "
                              "(Never SMS on Sundays). (Enforced)")
    assert guardrails.policy_for(org).rules_version == 0
    assert _events(org)[-1].data["changes"] == {f"Change “{change.summary}”": {
        "before": "—", "after": "waiting for a second admin"}}
    with pytest.raises(NotAllowed, match="another admin must confirm"):
        changes.confirm(change, admin_member)
    assert not PolicyRule.objects.exists()


def test_a_second_admin_confirms_and_the_change_applies(org, admin_member, second_admin, two_admins_needed):
    _, change = changes.request_or_apply(org, admin_member, changes.RULE_CREATE, NEW_RULE)

    rule = changes.confirm(change, second_admin)

    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeStatus.APPLIED, second_admin)
    assert rule.created_by == admin_member and rule.mode == "enforce"
    assert guardrails.policy_for(org).rules_version == 1
    applied = [event for event in _events(org) if event.data.get("change") == "created"][0]
    assert applied.actor == f"user:{second_admin.pk} grace"
    assert applied.data["requested_by"] == f"user:{admin_member.pk} ada"
    with pytest.raises(Conflict, match="no longer waiting"):
        changes.confirm(change, second_admin)


def test_a_declined_change_changes_nothing(org, admin_member, second_admin, two_admins_needed):
    _, change = changes.request_or_apply(org, admin_member, changes.RULE_CREATE, NEW_RULE)

    with pytest.raises(NotAllowed, match="withdraw it instead"):
        changes.decline(change, admin_member)
    changes.decline(change, second_admin, "Not on Sundays only: every day")

    change.refresh_from_db()
    assert (change.status, change.note) == (ChangeStatus.DECLINED, "Not on Sundays only: every day")
    assert not PolicyRule.objects.exists()
    assert list(_events(org)[-1].data["changes"].values()) == [
        {"before": "waiting for a second admin", "after": "declined: Not on Sundays only: every day"}]


def test_only_the_requester_withdraws(org, admin_member, second_admin, two_admins_needed):
    _, change = changes.request_or_apply(org, admin_member, changes.RULE_CREATE, NEW_RULE)

    with pytest.raises(NotAllowed, match="Only the admin who asked"):
        changes.withdraw(change, second_admin)
    changes.withdraw(change, admin_member)

    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN and not PolicyRule.objects.exists()


def test_an_edit_confirmed_after_the_rule_changed_again_is_refused(org, admin_member, second_admin):
    rule = store.create_rule(org, name="Big German reminders", definition=BIG_GERMAN_REMINDERS,
                             actor_user=admin_member)
    guardrails.policy_update(guardrails.policy_for(org), actor=Actor.for_user(admin_member),
                             policy_changes_need_second_admin=True)
    _, first = changes.request_or_apply(org, admin_member, changes.RULE_EDIT, {"rule_id": rule.pk, "name": "One"})
    _, second = changes.request_or_apply(org, admin_member, changes.RULE_MODE, {"rule_id": rule.pk,
                                                                                 "mode": "enforce"})
    changes.confirm(first, second_admin)

    with pytest.raises(Conflict, match="changed since this was asked"):
        changes.confirm(second, second_admin)

    second.refresh_from_db()
    assert second.status == ChangeStatus.PENDING
    assert list(PolicyRule.objects.filter(status=RuleStatus.ACTIVE).values_list("name", "mode", "version")) == [
        ("One", "dry_run", 2)]


def test_turning_the_second_admin_off_needs_the_second_admin(org, admin_member, second_admin, two_admins_needed):
    outcome, change = changes.request_or_apply(org, admin_member, changes.SETTINGS,
                                               {"changes": {"policy_changes_need_second_admin": False}})

    assert outcome == "requested" and guardrails.policy_for(org).policy_changes_need_second_admin
    assert "→ off" in change.summary
    changes.confirm(change, second_admin)
    assert not guardrails.policy_for(org).policy_changes_need_second_admin

    # Off now: turning it on again applies at once.
    outcome, _ = changes.request_or_apply(org, admin_member, changes.SETTINGS,
                                          {"changes": {"policy_changes_need_second_admin": True}})
    assert outcome == "applied" and guardrails.policy_for(org).policy_changes_need_second_admin


def test_a_settings_change_confirmed_after_the_settings_moved_is_refused(org, admin_member, second_admin,
                                                                        two_admins_needed):
    _, first = changes.request_or_apply(org, admin_member, changes.SETTINGS, {"changes": {"emails_per_hour": 20}})
    _, second = changes.request_or_apply(org, admin_member, changes.SETTINGS, {"changes": {"emails_per_hour": 30}})
    changes.confirm(first, second_admin)

    with pytest.raises(Conflict, match="guardrails changed since"):
        changes.confirm(second, second_admin)
    assert guardrails.policy_for(org).emails_per_hour == 20


def test_only_admins_ask_for_changes(org, approver, two_admins_needed):
    with pytest.raises(NotAllowed):
        changes.request_or_apply(org, approver, changes.RULE_CREATE, NEW_RULE)
    assert not PolicyChange.objects.exists()


def test_an_admin_of_another_organisation_cannot_confirm(org, other_org, admin_member, two_admins_needed):
    stranger = Membership.objects.create(user=get_user_model().objects.create_user("mallory"),
                                         organization=other_org, role=Role.ADMIN).user
    _, change = changes.request_or_apply(org, admin_member, changes.RULE_CREATE, NEW_RULE)

    with pytest.raises(NotAllowed):
        changes.confirm(change, stranger)
    assert not PolicyRule.objects.exists()
