"""Policy rules judged against an action's facts: every condition, precedence by effect, dry runs,
unknown facts decided the strict way, a stamped verdict never loosened, and the checks a rule adds."""

import uuid
from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from actions.fields import Channel, RiskLevel
from actions.models import GuardrailPolicy
from actions.policy.evaluate import RuleMatch, Verdict, checks_for, evaluate, judge, matches, tightened
from actions.policy.facts import Facts, facts_for
from actions.policy.models import PartnerFacts, PolicyRule
from actions.policy.rules import Effect, When
from actions.protocol import parse_protocol
from actions.types import ActionType

from ..protocols import PARTNER_ID, protocol_for

BRUSSELS = ZoneInfo("Europe/Brussels")
WEDNESDAY_10 = datetime(2026, 6, 3, 10, 0, tzinfo=BRUSSELS)
DENY, REQUIRE, AUTO = Effect.DENY, Effect.REQUIRE_APPROVAL, Effect.AUTO_EXECUTE


def facts(**changes) -> Facts:
    """An email reminder of 1,250 to a Belgian VIP customer, 14 days overdue, on a Wednesday at 10:00."""
    base = dict(action_type="send_invoice_reminder", risk_level=RiskLevel.MEDIUM, channel=Channel.EMAIL,
                source="analyzer", amount=Decimal("1250"), partner_id=PARTNER_ID, partner_country="BE",
                partner_tags=frozenset({"vip"}), recipient_domains=frozenset({"billing.customer.example"}),
                local_time=WEDNESDAY_10, days_overdue=14)
    return Facts(**{**base, **changes})


def at(hour, minute=0, day=3) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=BRUSSELS)


CONDITIONS = [
    # (conditions, facts changed, matches)
    ({"action_types": ["send_invoice_reminder"]}, {}, True),
    ({"action_types": ["send_invoice_reminder_sms", "note_on_record"]}, {}, False),
    ({"risk_levels": ["medium", "high"]}, {}, True),
    ({"risk_levels": ["high"]}, {}, False),
    ({"amount_over": "1000"}, {}, True),
    ({"amount_over": "1250"}, {}, False),  # over, not at
    ({"amount_at_most": "1250"}, {}, True),
    ({"amount_at_most": "1249.99"}, {}, False),
    ({"amount_over": "1000", "amount_at_most": "2000"}, {}, True),
    ({"amount_over": "5000"}, {"amount": Decimal("5000.01")}, True),
    ({"partner_ids": [PARTNER_ID, 99]}, {}, True),
    ({"partner_ids": [99]}, {}, False),
    ({"partner_ids": [99]}, {"partner_id": None, "partner_country": "", "partner_tags": frozenset()}, False),
    ({"partner_tags": ["VIP", "slow payer"]}, {}, True),
    ({"partner_tags": ["slow payer"]}, {}, False),
    ({"partner_countries": ["DE", "BE"]}, {}, True),
    ({"partner_countries": ["DE"]}, {}, False),
    ({"partner_countries": ["DE"]}, {"partner_country": ""}, False),  # known to have no country
    ({"recipient_domains": ["customer.example"]}, {}, True),  # a sub-domain counts
    ({"recipient_domains": ["billing.customer.example"]}, {}, True),
    ({"recipient_domains": ["other.example"]}, {}, False),
    ({"recipient_domains": ["customer.example"]}, {"recipient_domains": frozenset({"notcustomer.example"})}, False),
    ({"recipient_domains": ["customer.example"]}, {"recipient_domains": frozenset(), "channel": Channel.SMS}, False),
    ({"channels": ["email"]}, {}, True),
    ({"channels": ["sms", "odoo"]}, {}, False),
    ({"sources": ["analyzer", "follow_up"]}, {}, True),
    ({"sources": ["assistant"]}, {}, False),
    ({"weekdays": [2]}, {}, True),  # Wednesday
    ({"weekdays": [0, 1, 3, 4]}, {}, False),
    ({"weekdays": [6]}, {"local_time": at(9, day=7)}, True),  # Sunday
    ({"time_from": "09:00", "time_to": "17:00"}, {}, True),
    ({"time_from": "09:00", "time_to": "10:00"}, {}, False),  # the end is not in the window
    ({"time_from": "10:00", "time_to": "11:00"}, {}, True),  # the start is
    ({"time_from": "22:00", "time_to": "06:00"}, {"local_time": at(23, 30)}, True),  # wraps midnight
    ({"time_from": "22:00", "time_to": "06:00"}, {"local_time": at(5, 59)}, True),
    ({"time_from": "22:00", "time_to": "06:00"}, {"local_time": at(6, 0)}, False),
    ({"time_from": "22:00", "time_to": "06:00"}, {}, False),
    ({"days_overdue_at_least": 14}, {}, True),
    ({"days_overdue_at_least": 15}, {}, False),
    ({"days_overdue_at_most": 14}, {}, True),
    ({"days_overdue_at_most": 13}, {}, False),
    ({"days_overdue_at_least": 7, "days_overdue_at_most": 30}, {}, True),
    ({}, {}, True),  # no condition: every action
    ({"channels": ["email"], "partner_countries": ["DE"]}, {}, False),  # all conditions must hold
]


@pytest.mark.parametrize("conditions, changes, expected", CONDITIONS)
@pytest.mark.parametrize("effect", [DENY, REQUIRE, AUTO])
def test_each_condition(conditions, changes, expected, effect):
    assert matches(When.model_validate(conditions), facts(**changes), effect=effect) is expected


UNKNOWN = [
    ({"partner_countries": ["DE"]}, {"partner_country": None}),
    ({"partner_tags": ["vip"]}, {"partner_tags": None}),
    ({"amount_over": "100"}, {"amount": None}),
    ({"amount_at_most": "100"}, {"amount": None}),
    ({"days_overdue_at_least": 30}, {"days_overdue": None}),
    ({"days_overdue_at_most": 3}, {"days_overdue": None}),
]


@pytest.mark.parametrize("conditions, changes", UNKNOWN)
@pytest.mark.parametrize("effect, expected", [(DENY, True), (REQUIRE, True), (AUTO, False)])
def test_a_condition_on_an_unknown_fact_is_decided_the_strict_way(conditions, changes, effect, expected):
    assert matches(When.model_validate(conditions), facts(**changes), effect=effect) is expected


# ---------------------------------------------------------------------------------------------
# Several rules


def rule(org, name, then, when=None, *, mode="enforce", position=0) -> PolicyRule:
    return PolicyRule.objects.create(organization=org, key=uuid.uuid4(), name=name, mode=mode, position=position,
                                     definition={"when": when or {}, "then": then})


DENY_THEN = {"effect": "deny", "reason": "We do not chase this customer."}
REQUIRE_THEN = {"effect": "require_approval", "approvers": [{"kind": "team", "team": "finance"}], "expiry_hours": 8}
AUTO_THEN = {"effect": "auto_execute", "expiry_hours": 48}


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_the_strongest_effect_wins_whatever_the_order(org, order):
    rules = [rule(org, "Auto", AUTO_THEN), rule(org, "Needs finance", REQUIRE_THEN), rule(org, "Never", DENY_THEN)]
    verdict = evaluate([rules[i] for i in order], facts(), rules_version=4)
    assert verdict.effect == DENY
    assert verdict.deny_reasons == ("We do not chase this customer.",)
    assert {match.name for match in verdict.matched} == {"Auto", "Needs finance", "Never"}
    assert verdict.approvers == ({"kind": "team", "role": None, "team": "finance", "users": [], "count": 1,
                                  "quorum": "any"},)
    assert verdict.expiry_hours == 8 and verdict.rules_version == 4

    without_deny = evaluate([rules[i] for i in order if i != 2], facts(), rules_version=4)
    assert without_deny.effect == REQUIRE and without_deny.deny_reasons == ()
    assert evaluate([rules[0]], facts(), rules_version=4).effect == AUTO


def test_dry_run_rules_are_recorded_and_never_applied(org):
    rules = [rule(org, "Trying a refusal", DENY_THEN, mode="dry_run"), rule(org, "Needs finance", REQUIRE_THEN)]
    verdict = evaluate(rules, facts(), rules_version=1)
    assert verdict.effect == REQUIRE and verdict.deny_reasons == ()
    assert [match.name for match in verdict.dry_run] == ["Trying a refusal"]
    assert [match.name for match in verdict.matched] == ["Needs finance"]
    assert verdict.sentences() == ['Rule "Needs finance" requires one person from the finance team.',
                                   'Rule "Trying a refusal" would have refused this: We do not chase this customer.']
    assert evaluate(rules[:1], facts(), rules_version=1).effect is None


def test_modifiers_combine_strictly(org):
    rules = [rule(org, "A", {"effect": "auto_execute", "expiry_hours": 12, "add_checks": ["target_exists"],
                             "raise_risk_to": "high"}),
             rule(org, "B", {"effect": "require_approval", "expiry_hours": 6,
                             "add_checks": ["quiet_hours", "target_exists"], "raise_risk_to": "medium"})]
    verdict = evaluate(rules, facts(), rules_version=1)
    assert verdict.effect == REQUIRE and verdict.expiry_hours == 6 and verdict.raise_risk_to == "high"
    assert verdict.add_checks == ("target_exists", "quiet_hours")


def test_a_verdict_survives_its_json_form(org):
    rules = [rule(org, "Never", DENY_THEN), rule(org, "Needs finance", REQUIRE_THEN),
             rule(org, "Dry", AUTO_THEN, mode="dry_run")]
    verdict = evaluate(rules, facts(), rules_version=3)
    stamped = verdict.as_dict()
    assert Verdict.from_dict(stamped) == verdict
    assert [(m["rule_id"], m["key"], m["version"], m["name"], m["mode"], m["effect"]) for m in stamped["matched"]] == [
        (rules[0].pk, str(rules[0].key), 1, "Never", "enforce", "deny"),
        (rules[1].pk, str(rules[1].key), 1, "Needs finance", "enforce", "require_approval")]
    assert stamped["dry_run"][0]["mode"] == "dry_run"


def test_judge_reads_only_the_active_rules_of_the_organisation(org, other_org, django_assert_num_queries):
    rule(org, "Ours", REQUIRE_THEN)
    rule(other_org, "Theirs", DENY_THEN)
    PolicyRule.objects.create(organization=org, key=uuid.uuid4(), name="Old", mode="enforce", status="archived",
                              definition={"then": DENY_THEN})
    policy = GuardrailPolicy.objects.select_related("organization").get(organization=org)
    protocol = parse_protocol(protocol_for())
    with django_assert_num_queries(2):
        verdict = judge(org, protocol, at=WEDNESDAY_10, policy=policy)
    assert [match.name for match in verdict.matched] == ["Ours"] and verdict.effect == REQUIRE


# ---------------------------------------------------------------------------------------------
# Concrete rules people write


BIG_DE_REMINDERS = {"when": {"action_types": ["send_invoice_reminder", "send_dunning_email"],
                             "partner_countries": ["DE"], "amount_over": "5000"},
                    "then": {"effect": "require_approval", "approvers": [{"kind": "anyone", "count": 2}]}}


@pytest.mark.parametrize("country, amount, expected", [
    ("DE", 6000.0, REQUIRE), ("DE", 5000.0, None), ("BE", 6000.0, None), (None, 6000.0, REQUIRE)])
def test_reminders_to_customers_in_germany_over_5000_need_two_approvers(org, country, amount, expected):
    if country:
        PartnerFacts.objects.create(organization=org, partner_id=PARTNER_ID, country_code=country, tags=[],
                                    refreshed_at=WEDNESDAY_10)
    PolicyRule.objects.create(organization=org, key=uuid.uuid4(), name="Big DE reminders", mode="enforce",
                              definition=BIG_DE_REMINDERS)
    protocol = parse_protocol(protocol_for(estimated_impact={"revenue_change": amount}))
    verdict = judge(org, protocol, at=WEDNESDAY_10)
    assert verdict.effect == expected
    if expected:
        assert verdict.approvers == ({"kind": "anyone", "role": None, "team": None, "users": [], "count": 2,
                                      "quorum": "any"},)
        assert verdict.matched[0].sentence() == 'Rule "Big DE reminders" requires two approvers.'


NO_SMS_ON_SUNDAYS = {"when": {"channels": ["sms"], "weekdays": [6]},
                     "then": {"effect": "deny", "reason": "We never text customers on Sundays."}}


@pytest.mark.parametrize("action_type, moment, denied", [
    (ActionType.SEND_INVOICE_REMINDER_SMS, datetime(2026, 6, 7, 10, 0, tzinfo=BRUSSELS), True),
    (ActionType.SEND_INVOICE_REMINDER_SMS, datetime(2026, 6, 6, 23, 59, tzinfo=BRUSSELS), False),  # Saturday
    (ActionType.SEND_INVOICE_REMINDER, datetime(2026, 6, 7, 10, 0, tzinfo=BRUSSELS), False),  # an email
    # 22:30 UTC on Saturday is already Sunday in Brussels; 22:30 UTC on Sunday is Monday.
    (ActionType.SEND_INVOICE_REMINDER_SMS, datetime(2026, 6, 6, 22, 30, tzinfo=timezone.utc), True),
    (ActionType.SEND_INVOICE_REMINDER_SMS, datetime(2026, 6, 7, 22, 30, tzinfo=timezone.utc), False),
])
def test_never_sms_on_sundays_in_the_organisations_time(org, action_type, moment, denied):
    PolicyRule.objects.create(organization=org, key=uuid.uuid4(), name="No SMS on Sundays", mode="enforce",
                              definition=NO_SMS_ON_SUNDAYS)
    verdict = judge(org, parse_protocol(protocol_for(action_type)), at=moment)
    assert (verdict.effect == DENY) is denied
    if denied:
        assert verdict.deny_reasons == ("We never text customers on Sundays.",)
        assert verdict.matched[0].sentence() == 'Rule "No SMS on Sundays" refuses this: We never text customers on Sundays.'


def test_facts_of_a_real_action(org, make_action):
    action = make_action(metadata={"days_overdue": [3, 40]},  # one per invoice chased
                         estimated_impact={"revenue_change": -900.0})
    unknown = facts_for(org, action.parsed, at=WEDNESDAY_10)
    assert (unknown.partner_id, unknown.partner_country, unknown.partner_tags) == (PARTNER_ID, None, None)

    PartnerFacts.objects.create(organization=org, partner_id=PARTNER_ID, country_code="DE", tags=["vip", "slow payer"],
                                refreshed_at=WEDNESDAY_10)
    found = facts_for(org, action.parsed, at=datetime(2026, 6, 3, 8, 0, tzinfo=timezone.utc))
    assert (found.partner_country, found.partner_tags) == ("DE", frozenset({"vip", "slow payer"}))
    assert (found.amount, found.days_overdue, found.channel) == (Decimal("900.0"), 40, Channel.EMAIL)
    assert found.recipient_domains == frozenset({"customer.example"})
    assert found.local_time.hour == 10  # Brussels summer time

    note = facts_for(org, make_action(ActionType.CREATE_STAFF_TASK).parsed, at=WEDNESDAY_10)
    assert (note.partner_id, note.partner_country, note.partner_tags) == (None, "", frozenset())  # no partner at all


def test_risk_is_judged_as_the_guardrails_will_see_it(org):
    declared_low = parse_protocol(protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS, risk_level="low"))
    assert facts_for(org, declared_low, at=WEDNESDAY_10).risk_level == RiskLevel.HIGH  # the type's floor


# ---------------------------------------------------------------------------------------------
# A stamped verdict and a fresh one


def verdict(effect, *, approvers=(), expiry=None, checks=(), risk=None, reasons=(), version=1, name="R") -> Verdict:
    if effect is None:
        return Verdict(rules_version=version)
    match = RuleMatch(rule_id=1, key=str(uuid.uuid5(uuid.NAMESPACE_URL, name)), version=1, name=name, mode="enforce",
                      effect=effect, reason=reasons[0] if reasons else "", approvers=tuple(approvers),
                      expiry_hours=expiry, add_checks=tuple(checks), raise_risk_to=risk)
    return Verdict(rules_version=version, matched=(match,), effect=effect, deny_reasons=tuple(reasons),
                   approvers=tuple(approvers), expiry_hours=expiry, add_checks=tuple(checks), raise_risk_to=risk)


FINANCE = {"kind": "team", "role": None, "team": "finance", "users": [], "count": 1, "quorum": "any"}
TWO = {"kind": "anyone", "role": None, "team": None, "users": [], "count": 2, "quorum": "any"}


@pytest.mark.parametrize("stamped, fresh, effect", [
    (None, AUTO, AUTO),  # nothing was stamped: the fresh verdict stands
    ("none", AUTO, AUTO),
    (AUTO, AUTO, AUTO),
    (AUTO, None, None),  # the rule letting it run is gone: the guardrails decide again
    (AUTO, REQUIRE, REQUIRE),
    (REQUIRE, AUTO, REQUIRE),
    (REQUIRE, None, REQUIRE),
    (DENY, AUTO, DENY),
    (AUTO, DENY, DENY),
    (DENY, None, DENY),
    (None, REQUIRE, REQUIRE),
])
def test_tightened_never_loosens_the_effect(stamped, fresh, effect):
    old = None if stamped is None else verdict(None if stamped == "none" else stamped, name="old",
                                               reasons=("Old reason.",) if stamped == DENY else ()).as_dict()
    new = verdict(fresh, name="new", version=2, reasons=("New reason.",) if fresh == DENY else ())
    merged = tightened(old, new)
    assert merged.effect == effect and merged.rules_version == 2
    if effect == DENY:
        assert merged.deny_reasons == (("New reason.",) if fresh == DENY else ("Old reason.",))


def test_tightened_keeps_every_approver_the_shorter_expiry_all_checks_the_higher_risk():
    old = verdict(REQUIRE, approvers=[FINANCE], expiry=24, checks=["target_exists"], risk="high", name="old")
    new = verdict(REQUIRE, approvers=[TWO, FINANCE], expiry=48, checks=["quiet_hours"], risk="medium", name="new",
                  version=5)
    merged = tightened(old.as_dict(), new)
    assert merged.approvers == (FINANCE, TWO)
    assert (merged.expiry_hours, merged.add_checks, merged.raise_risk_to) == (24, ("target_exists", "quiet_hours"),
                                                                            "high")
    assert {match.name for match in merged.matched} == {"old", "new"}
    dry = Verdict(rules_version=5, dry_run=verdict(DENY, reasons=("x",), name="dry").matched)
    assert tightened(old.as_dict(), dry).dry_run == dry.dry_run


# ---------------------------------------------------------------------------------------------
# Checks a rule adds


def test_added_checks_are_valid_protocol_checks(org):
    policy = GuardrailPolicy.objects.select_related("organization").get(organization=org)
    bare = parse_protocol(protocol_for(ActionType.SEND_INVOICE_REMINDER_SMS, revalidation_plan={"checks": []},
                                       metadata={"payment_state": "not_paid"}))
    checks = checks_for(bare, ["target_exists", "target_unchanged", "quiet_hours", "no_recent_contact"], policy=policy)
    revised = bare.revise(revalidation_plan={"checks": checks})
    assert [(check.check_id, check.predicate.type) for check in revised.revalidation_plan.checks] == [
        ("policy-target-exists", "odoo_record_exists"), ("policy-target-unchanged", "odoo_field_equals"),
        ("policy-quiet-hours", "quiet_hours_ok"), ("policy-no-recent-contact", "no_duplicate_action_in_window")]
    unchanged, quiet, recent = (check.predicate for check in revised.revalidation_plan.checks[1:])
    assert (unchanged.model, unchanged.id, unchanged.field, unchanged.expected) == ("account.move", 42,
                                                                                   "payment_state", "not_paid")
    assert (quiet.timezone, str(quiet.start), str(quiet.end), quiet.weekends) == ("Europe/Brussels", "09:00:00",
                                                                                  "17:00:00", False)
    assert (recent.partner_id, recent.channel, recent.hours) == (PARTNER_ID, "sms", 6)


def test_checks_the_protocol_already_has_are_not_added_twice(org):
    policy = GuardrailPolicy.objects.get(organization=org)
    reminder = parse_protocol(protocol_for())  # has target, payment state, recent contact and quiet hours checks
    assert checks_for(reminder, ["target_exists", "quiet_hours", "no_recent_contact"], policy=policy) == []
    stage = parse_protocol(protocol_for(ActionType.ADVANCE_DEAL_STAGE))  # already checks stage_id
    assert checks_for(stage, ["target_unchanged"], policy=policy) == []


def test_checks_that_do_not_apply_are_left_out(org):
    policy = GuardrailPolicy.objects.get(organization=org)
    task = parse_protocol(protocol_for(ActionType.CREATE_COLLECTION_TASK))
    assert checks_for(task, ["no_recent_contact", "target_unchanged"], policy=policy) == []  # internal, no state known
    stage = parse_protocol(protocol_for(ActionType.ADVANCE_DEAL_STAGE, revalidation_plan={"checks": []}))
    [check] = checks_for(stage, ["target_unchanged"])
    assert check["predicate"] == {"type": "odoo_field_equals", "model": "crm.lead", "id": 11, "field": "stage_id",
                                  "expected": 2}
