"""Rule versions: an edit archives the version in use and adds the next; every change raises
the rules version and lands in the audit trail in words; nothing invalid is ever stored."""

import pytest

from actions import guardrails
from actions.models import Action, ActionStatus
from actions.policy import store
from actions.policy.models import PolicyRule, RuleStatus
from aiom.errors import ApplicationError, Conflict
from audit.models import ActionEvent, EventType
from audit.services import verify_chain

from .conftest import BIG_GERMAN_REMINDERS, SMS_ON_SUNDAY


def _events(org):
    return list(ActionEvent.objects.filter(organization=org, event_type=EventType.POLICY_CHANGED).order_by("seq"))


def _create(org, user, **fields):
    return store.create_rule(org, **{"name": "No SMS on Sunday", "definition": SMS_ON_SUNDAY, "actor_user": user,
                                     **fields})


def test_a_new_rule_starts_as_a_dry_run_at_version_one_and_is_audited_in_words(org, admin_member):
    rule = _create(org, admin_member)

    assert (rule.version, rule.status, rule.mode, rule.created_by) == (1, RuleStatus.ACTIVE, "dry_run", admin_member)
    assert rule.definition["then"] == {"effect": "deny", "reason": "Never SMS on Sundays", "approvers": [],
                                       "approvers_match": "all", "expiry_hours": None, "add_checks": [],
                                       "raise_risk_to": None}
    assert guardrails.policy_for(org).rules_version == 1
    [event] = _events(org)
    assert event.actor == f"user:{admin_member.pk} ada"
    assert event.data["rule"] == "No SMS on Sunday" and event.data["version"] == 1
    assert event.data["change"] == "created" and event.data["rule_key"] == str(rule.key)
    assert event.data["after"] == "When an SMS is sent on Sunday: refuse (Never SMS on Sundays). (Dry run)"
    assert verify_chain(org).ok


def test_an_edit_archives_the_old_version_and_adds_the_next_with_the_same_key(org, admin_member):
    first = _create(org, admin_member)

    second = store.edit_rule(first, definition=BIG_GERMAN_REMINDERS, name="Big German reminders",
                             actor_user=admin_member)

    first.refresh_from_db()
    assert first.status == RuleStatus.ARCHIVED and first.archived_at is not None
    assert first.definition["when"]["channels"] == ["sms"]  # the old version is kept as it was
    assert (second.key, second.version, second.status) == (first.key, 2, RuleStatus.ACTIVE)
    assert PolicyRule.objects.filter(key=first.key).count() == 2
    assert guardrails.policy_for(org).rules_version == 2
    event = _events(org)[-1]
    assert event.data["change"] == "edited" and event.data["version"] == 2
    head = "Rule “Big German reminders” (version 2)"
    assert event.data["changes"][f"{head}, name"] == {"before": "No SMS on Sunday", "after": "Big German reminders"}
    assert event.data["changes"][f"{head}, what it does"] == {
        "before": "When an SMS is sent on Sunday: refuse (Never SMS on Sundays).",
        "after": "When a send invoice reminder goes to a customer in DE and the amount is over 5,000: "
                 "require 2 approvers."}


def test_an_edit_that_changes_nothing_changes_nothing(org, admin_member):
    rule = _create(org, admin_member)

    same = store.edit_rule(rule, name="No SMS on Sunday", definition=SMS_ON_SUNDAY, actor_user=admin_member)

    assert same.pk == rule.pk and PolicyRule.objects.count() == 1
    assert guardrails.policy_for(org).rules_version == 1 and len(_events(org)) == 1


def test_switching_to_enforce_is_a_new_version_said_in_words(org, admin_member):
    rule = _create(org, admin_member)

    enforced = store.set_mode(rule, "enforce", actor_user=admin_member)

    assert (enforced.version, enforced.mode) == (2, "enforce")
    event = _events(org)[-1]
    assert event.data["change"] == "enforced"
    assert event.data["changes"] == {"Rule “No SMS on Sunday” (version 2), mode": {"before": "Dry run",
                                                                                  "after": "Enforced"}}


def test_archiving_keeps_the_row_and_stops_further_changes(org, admin_member):
    rule = _create(org, admin_member)

    store.archive_rule(rule, actor_user=admin_member)

    rule.refresh_from_db()
    assert rule.status == RuleStatus.ARCHIVED and PolicyRule.objects.filter(pk=rule.pk).exists()
    assert guardrails.policy_for(org).rules_version == 2
    assert _events(org)[-1].data["after"] == "archived: no longer used"
    with pytest.raises(Conflict, match="archived"):
        store.edit_rule(rule, name="Again", actor_user=admin_member)


def test_an_edit_of_a_version_no_longer_in_use_is_refused(org, admin_member):
    first = _create(org, admin_member)
    store.edit_rule(first, name="Renamed", actor_user=admin_member)

    with pytest.raises(Conflict, match="changed since this was asked"):
        store.edit_rule(first, name="Something else", actor_user=admin_member)
    assert list(PolicyRule.objects.filter(status=RuleStatus.ACTIVE).values_list("name", flat=True)) == ["Renamed"]


def test_an_invalid_definition_is_refused_field_by_field_and_nothing_is_saved(org, admin_member):
    bad = {"when": {"amount_over": "-5", "partner_countries": ["Germany"]}, "then": {"effect": "deny"}}

    with pytest.raises(ApplicationError) as refused:
        _create(org, admin_member, definition=bad)

    assert "Amount over: Must be at least 0." in refused.value.message
    assert "Countries: Use two-letter country codes such as DE or FR." in refused.value.message
    assert "A deny rule needs a reason people will read." in refused.value.message
    assert not PolicyRule.objects.exists() and not _events(org)
    assert guardrails.policy_for(org).rules_version == 0


def test_moving_changes_only_the_order(org, admin_member):
    first = _create(org, admin_member)
    second = _create(org, admin_member, name="Big German reminders", definition=BIG_GERMAN_REMINDERS)

    store.move_rule(second, "up", actor_user=admin_member)

    in_order = list(PolicyRule.objects.filter(status=RuleStatus.ACTIVE).values_list("name", "version"))
    assert in_order == [("Big German reminders", 1), ("No SMS on Sunday", 1)]
    assert _events(org)[-1].data["changes"]["Rule “Big German reminders” (version 1), order of the rules"] == {
        "before": "No SMS on Sunday, Big German reminders", "after": "Big German reminders, No SMS on Sunday"}
    store.move_rule(first.__class__.objects.get(pk=first.pk), "down", actor_user=admin_member)  # already last
    assert PolicyRule.objects.count() == 2


def test_an_enforced_rule_reaches_actions_already_waiting(org, admin_member, make_action, django_capture_on_commit_callbacks):
    waiting = make_action("send_invoice_reminder")
    assert waiting.status == ActionStatus.PENDING_APPROVAL
    refuse = {"when": {"action_types": ["send_invoice_reminder"]}, "then": {"effect": "deny", "reason": "Paused"}}

    with django_capture_on_commit_callbacks(execute=True):
        _create(org, admin_member, name="Pause reminders", definition=refuse, mode="enforce")

    assert Action.objects.get(pk=waiting.pk).status == ActionStatus.DENIED


@pytest.mark.parametrize("definition, sentence", [
    (BIG_GERMAN_REMINDERS, "When a send invoice reminder goes to a customer in DE and the amount is over 5,000: "
                           "require 2 approvers."),
    (SMS_ON_SUNDAY, "When an SMS is sent on Sunday: refuse (Never SMS on Sundays)."),
    ({"when": {"action_types": ["create_collection_task"], "days_overdue_at_least": 30},
      "then": {"effect": "auto_execute", "expiry_hours": 12}},
     "When a create collection task is proposed and the invoice is at least 30 days overdue: run automatically "
     "and expire after 12 hours."),
    ({"when": {"recipient_domains": ["bigcorp.example"]},
      "then": {"effect": "require_approval", "approvers": [{"kind": "team", "team": "finance"}]}},
     "When any action is proposed and a recipient's address is at bigcorp.example: require someone from the "
     "finance team."),
])
def test_a_rule_reads_as_one_sentence(definition, sentence):
    assert store.describe(definition) == sentence
