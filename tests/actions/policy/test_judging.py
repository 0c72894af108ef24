"""Rules deciding real proposals, approvals and executions: the issue's two example rules, dry
runs, auto-execution only where the guardrails allow it, and tightening of actions in flight."""

from datetime import datetime, timezone as utc

import pytest
import time_machine

from actions import services
from actions.models import ActionStatus
from actions.policy import inflight, store
from actions.policy.models import PartnerFacts
from actions.guardrails import policy_update
from audit.services import SYSTEM
from tests.actions.protocols import PARTNER_ID, protocol_for

#: A Sunday and the Monday after it, at 10:00 in Brussels.
SUNDAY = datetime(2026, 12, 6, 9, 0, tzinfo=utc.utc)
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=utc.utc)

DE_OVER_5000 = {"when": {"action_types": ["send_invoice_reminder", "send_dunning_email"],
                         "partner_countries": ["DE"], "amount_over": "5000"},
                "then": {"effect": "require_approval", "approvers": [{"count": 2}]}}
NO_SMS_ON_SUNDAY = {"when": {"channels": ["sms"], "weekdays": [6]},
                    "then": {"effect": "deny", "reason": "We never text customers on Sundays."}}


def rule(org, user, definition, mode="enforce", name="Rule"):
    return store.create_rule(org, name=name, definition=definition, mode=mode, actor_user=user)


def reminder(org, amount, **overrides):
    return services.propose(org, protocol_for("send_invoice_reminder", metadata={"amount": amount}, **overrides),
                            source="analyzer")


@pytest.fixture
def german_customer(org):
    return PartnerFacts.objects.create(organization=org, partner_id=PARTNER_ID, country_code="DE", tags=[],
                                       refreshed_at=datetime.now(utc.utc))


def test_big_german_reminders_need_two_approvers(org, admin_member, approver, second_approver, german_customer):
    rule(org, admin_member, DE_OVER_5000, name="Big reminders to Germany")
    small, big = reminder(org, 4000), reminder(org, 6000)

    assert 'Rule "Big reminders to Germany" requires two approvers.' in big.guardrail_decision["reasons"]
    assert big.guardrail_decision["policy"]["matched"][0]["version"] == 1
    assert not small.guardrail_decision["policy"]["matched"]

    assert services.approve(small, approver).status == ActionStatus.APPROVED
    assert services.approve(big, approver).status == ActionStatus.PENDING_APPROVAL
    assert services.approve(big, second_approver).status == ActionStatus.APPROVED


def test_same_rule_leaves_other_countries_alone(org, admin_member, approver):
    PartnerFacts.objects.create(organization=org, partner_id=PARTNER_ID, country_code="BE", tags=[],
                                refreshed_at=datetime.now(utc.utc))
    rule(org, admin_member, DE_OVER_5000)
    assert services.approve(reminder(org, 6000), approver).status == ActionStatus.APPROVED


def test_never_sms_on_sundays(org, admin_member):
    rule(org, admin_member, NO_SMS_ON_SUNDAY, name="No Sunday texts")
    with time_machine.travel(SUNDAY, tick=False):
        sunday = services.propose(org, protocol_for("send_invoice_reminder_sms"), source="analyzer")
        email = reminder(org, 100)
    with time_machine.travel(MONDAY, tick=False):
        monday = services.propose(org, protocol_for("send_invoice_reminder_sms"), source="analyzer")

    assert sunday.status == ActionStatus.DENIED
    assert "We never text customers on Sundays." in sunday.status_reason
    assert email.status == ActionStatus.PENDING_APPROVAL
    assert monday.status == ActionStatus.PENDING_APPROVAL


def test_dry_run_records_what_it_would_have_done(org, admin_member, approver, german_customer, client):
    rule(org, admin_member, DE_OVER_5000, mode="dry_run", name="Trial")
    action = reminder(org, 6000)

    policy = action.guardrail_decision["policy"]
    assert policy["matched"] == []
    assert policy["dry_run"][0]["sentence"] == 'Rule "Trial" would have required two approvers.'
    client.force_login(approver)
    page = client.get(f"/dashboard/actions/{action.pk}/").content.decode()
    assert "would have required two approvers" in page
    assert services.approve(action, approver).status == ActionStatus.APPROVED  # not applied


def test_auto_execute_rule_runs_internal_work_but_never_loosens(org, admin_member):
    rule(org, admin_member, {"when": {"action_types": ["create_staff_task"]}, "then": {"effect": "auto_execute"}})
    no_money = {"time_saved_hours": 1}
    task = services.propose(org, protocol_for("create_staff_task", estimated_impact=no_money), source="analyzer")
    assert task.status == ActionStatus.APPROVED
    assert task.guardrail_decision["decision"] == "auto_execute"

    rule(org, admin_member, {"when": {"action_types": ["send_invoice_reminder"]}, "then": {"effect": "auto_execute"}})
    assert reminder(org, 0).status == ActionStatus.PENDING_APPROVAL  # outside messages: not allowed here

    claude = services.propose(org, protocol_for("create_staff_task", metadata={"written_by": "claude"},
                                                estimated_impact=no_money), source="analyzer")
    assert claude.status == ActionStatus.PENDING_APPROVAL
    costly = services.propose(org, protocol_for("create_staff_task"), source="analyzer")
    assert costly.status == ActionStatus.PENDING_APPROVAL  # an amount above the limit still needs a person


def test_auto_execute_of_messages_only_when_the_organisation_allows_it(org, admin_member):
    from actions.guardrails import policy_for
    policy_update(policy_for(org), actor=SYSTEM, allow_external_auto_execute=True, max_amount_without_approval=10000,
                  send_delay_seconds=120)
    rule(org, admin_member, {"when": {"action_types": ["send_invoice_reminder"]}, "then": {"effect": "auto_execute"}})
    action = reminder(org, 100)
    assert action.status == ActionStatus.APPROVED
    assert action.not_before is not None  # it still waits the send delay, so it can be undone


def test_deny_beats_auto_execute_whatever_the_order(org, admin_member):
    rule(org, admin_member, {"when": {"action_types": ["create_staff_task"]}, "then": {"effect": "auto_execute"}})
    rule(org, admin_member, {"when": {"action_types": ["create_staff_task"]},
                             "then": {"effect": "deny", "reason": "No staff tasks this month."}})
    assert services.propose(org, protocol_for("create_staff_task"), source="analyzer").status == ActionStatus.DENIED


def test_an_edit_tightens_waiting_actions_and_never_loosens_them(org, admin_member, approver, second_approver,
                                                                 german_customer):
    action = reminder(org, 6000)
    first = rule(org, admin_member, DE_OVER_5000, name="Two for Germany")
    assert inflight.retighten(org) == 1
    action.refresh_from_db()
    assert action.guardrail_decision["policy"]["approvers"] == [
        {"kind": "anyone", "role": None, "team": None, "users": [], "count": 2, "quorum": "any"}]

    store.archive_rule(first, actor_user=admin_member)  # loosening: the action keeps what it needed
    inflight.retighten(org)
    assert services.approve(action, approver).status == ActionStatus.PENDING_APPROVAL
    assert services.approve(action, second_approver).status == ActionStatus.APPROVED


def test_a_new_deny_rule_ends_a_waiting_action(org, admin_member):
    action = services.propose(org, protocol_for("send_invoice_reminder_sms"), source="analyzer")
    rule(org, admin_member, {"when": {"channels": ["sms"]}, "then": {"effect": "deny", "reason": "No SMS at all."}})
    inflight.retighten(org)
    action.refresh_from_db()
    assert action.status == ActionStatus.DENIED
    assert "No SMS at all." in action.status_reason


def test_rule_added_after_approval_counts_at_execution(org, admin_member, approver, second_approver,
                                                       german_customer, settings):
    action = reminder(org, 6000)
    services.approve(action, approver)
    rule(org, admin_member, DE_OVER_5000)

    services.execute(action.pk)
    action.refresh_from_db()
    assert action.status == ActionStatus.PENDING_APPROVAL
    assert "needs" in action.status_reason.lower()
    assert services.approve(action, second_approver).status == ActionStatus.APPROVED


def test_expiry_and_extra_checks_from_a_rule(org, admin_member, german_customer):
    rule(org, admin_member, {"when": {"action_types": ["note_on_record"]},
                             "then": {"effect": "require_approval", "expiry_hours": 2,
                                      "add_checks": ["quiet_hours"], "raise_risk_to": "high"}})
    action = services.propose(org, protocol_for("note_on_record"), source="analyzer")
    assert (action.expires_at - action.created_at).total_seconds() <= 2 * 3600 + 1
    assert action.risk_level == "high"
    assert any(check["check_id"] == "policy-quiet-hours" for check in action.protocol["revalidation_plan"]["checks"])


FINANCE_OR_TWO = {"when": {"action_types": ["send_invoice_reminder"], "amount_over": "10000"},
                  "then": {"effect": "require_approval", "approvers_match": "any",
                           "approvers": [{"kind": "team", "team": "finance"}, {"count": 2}]}}


@pytest.fixture
def finance_member(org):
    from aiom.models import Membership
    from tests.conftest import _member
    user = _member(org, "fiona", "approver")
    Membership.objects.filter(user=user, organization=org).update(teams=["finance"])
    return user


def test_a_finance_approver_or_two_approvers(org, admin_member, approver, second_approver, finance_member):
    rule(org, admin_member, FINANCE_OR_TWO, name="Large reminders")
    by_finance, by_two = reminder(org, 12000), reminder(org, 12000)
    assert 'Rule "Large reminders" requires one person from the finance team or two approvers.' in \
        by_finance.guardrail_decision["reasons"]

    assert services.approve(by_finance, finance_member).status == ActionStatus.APPROVED

    waiting = services.approve(by_two, approver)
    assert waiting.status == ActionStatus.PENDING_APPROVAL
    from actions.policy.approvers import progress
    assert progress(waiting).missing == ("an approver from the finance team or one more approver",)
    assert services.approve(by_two, second_approver).status == ActionStatus.APPROVED


def test_the_editor_writes_this_or_that(org, admin_member):
    from actions.policy.rule_forms import RuleForm
    from actions.policy.store import describe
    form = RuleForm({"name": "Large reminders", "action_types": ["send_invoice_reminder"], "amount_over": "10000",
                     "effect": "require_approval", "approver_kind": "team", "approver_team": "Finance",
                     "approver_count": "1", "approver_or_count": "2", "mode": "enforce"}, organization=org)
    assert form.is_valid(), form.errors
    assert form.definition.then.approvers_match == "any"
    assert describe(form.definition).endswith("require someone from the finance team or 2 approvers.")


def test_the_first_approver_is_told_what_is_still_missing(org, admin_member, approver, finance_member, client):
    rule(org, admin_member, {"when": {"action_types": ["send_invoice_reminder"]},
                             "then": {"effect": "require_approval",
                                      "approvers": [{"kind": "team", "team": "finance"}]}})
    action = reminder(org, 100)
    client.force_login(approver)
    page = client.post(f"/dashboard/actions/{action.pk}/approve/", {"protocol_hash": action.protocol_hash},
                       follow=True).content.decode()
    assert "Your approval is recorded. Still needs an approver from the finance team." in page


def test_after_a_rule_change_the_rules_are_read_once_for_every_waiting_action(org, admin_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    for _ in range(3):
        reminder(org, 100)
    rule(org, admin_member, {"when": {"channels": ["email"]}, "then": {"effect": "require_approval",
                                                                    "approvers": [{"count": 2}]}})
    with CaptureQueriesContext(connection) as queries:
        assert inflight.retighten(org) == 3
    reads = [q["sql"] for q in queries.captured_queries
             if 'FROM "actions_policyrule"' in q["sql"] or 'FROM "actions_guardrailpolicy"' in q["sql"]]
    assert len(reads) == 2  # the rules and the policy, once each
