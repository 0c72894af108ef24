"""A rule tried on the last 30 days: what it would have done to each action proposed then, judged
in the organisation's local time, and what became of those actions."""

from datetime import datetime, timedelta, timezone

import pytest

from actions.models import Action
from actions.policy.backtest import backtest
from actions.policy.models import PartnerFacts
from actions.policy.rules import parse_rule
from actions.types import ActionType
from followups import delivery
from followups.models import FollowUp, LevelOutcome, Sequence, SequenceKind

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
BIG_REMINDERS = parse_rule({"when": {"action_types": ["send_invoice_reminder"], "amount_over": "1000"},
                            "then": {"effect": "require_approval", "approvers": [{"kind": "anyone", "count": 2}]}})


@pytest.fixture
def seeded(make_action, org, other_org):
    """Reminders and an SMS of the last weeks, decided in different ways."""

    def add(days_ago, status, *, amount=1250.0, action_type=ActionType.SEND_INVOICE_REMINDER, organization=None):
        action = make_action(action_type, organization=organization, estimated_impact={"revenue_change": amount})
        Action.objects.filter(pk=action.pk).update(created_at=NOW - timedelta(days=days_ago), status=status)
        return Action.objects.get(pk=action.pk)

    return {
        "approved": add(2, "executed"),
        "rejected": add(5, "rejected"),
        "small": add(1, "failed", amount=500.0),
        "sms": add(3, "pending_approval", action_type=ActionType.SEND_INVOICE_REMINDER_SMS),
        "paid": add(10, "executed", amount=2000.0),
        "bounced": add(12, "executed", amount=1500.0),
        "old": add(31, "rejected"),
        "elsewhere": add(2, "rejected", organization=other_org),
    }


def _outcomes(org, seeded):
    sequence = Sequence.objects.create(organization=org, kind=SequenceKind.INVOICES, name="Unpaid invoices")
    follow_up = FollowUp.objects.create(organization=org, sequence=sequence, target_model="res.partner", target_id=7,
                                        partner_id=7)
    for name, paid in (("paid", True), ("bounced", False)):
        LevelOutcome.objects.create(follow_up=follow_up, action=seeded[name], sequence_name=sequence.name,
                                    level_position=1, level_name="Reminder", channel="email",
                                    action_type="send_invoice_reminder", sent_at=NOW - timedelta(days=9),
                                    amount_at_send=2000, paid_amount=2000 if paid else 0,
                                    paid_in_full_at=NOW - timedelta(days=4) if paid else None)
    delivery.record(org, source="smtp2go", event_id="evt-1", kind="bounce_hard", address="billing@customer.example",
                    occurred_at=NOW - timedelta(days=11), action=seeded["bounced"], now=NOW)


def test_counts_examples_and_outcomes(org, seeded):
    _outcomes(org, seeded)
    result = backtest(org, BIG_REMINDERS, now=NOW)

    assert (result.days, result.total) == (30, 6)  # not the one of 31 days ago, not the other organisation's
    assert result.counts == {"deny": 0, "require_approval": 4, "auto_execute": 0, "no_match": 2}
    newest_first = [seeded[name].pk for name in ("approved", "rejected", "paid", "bounced")]
    assert [example.action_id for example in result.examples["require_approval"]] == [str(pk) for pk in newest_first]
    assert [example.action_id for example in result.examples["no_match"]] == [str(seeded["small"].pk),
                                                                            str(seeded["sms"].pk)]
    first = result.examples["require_approval"][0]
    assert (first.title, first.status, first.effect, first.created_at) == (
        seeded["approved"].title, "executed", "require_approval", NOW - timedelta(days=2))
    assert result.examples["no_match"][0].effect is None
    assert result.outcomes == {
        "approved": {"deny": 0, "require_approval": 3, "auto_execute": 0, "no_match": 0},
        "rejected": {"deny": 0, "require_approval": 1, "auto_execute": 0, "no_match": 0},
        "failed": {"deny": 0, "require_approval": 0, "auto_execute": 0, "no_match": 1},
        "paid": {"deny": 0, "require_approval": 1, "auto_execute": 0, "no_match": 0},
        "bounced": {"deny": 0, "require_approval": 1, "auto_execute": 0, "no_match": 0},
    }
    assert result.summary() == [
        "In the last 30 days 6 actions were proposed; this rule would have applied to 4 of them.",
        "4 actions would have been sent for approval.",
        "Of the actions it would have applied to, 3 were approved.",
        "Of the actions it would have applied to, 1 was rejected.",
        "Of the actions it would have applied to, 1 was paid in full.",
        "Of the actions it would have applied to, 1 was bounced.",
    ]


def test_at_most_five_examples_per_effect(org, make_action):
    for day in range(7):
        action = make_action()
        Action.objects.filter(pk=action.pk).update(created_at=NOW - timedelta(days=day, hours=1))
    result = backtest(org, BIG_REMINDERS, now=NOW)
    assert result.counts["require_approval"] == 7 and len(result.examples["require_approval"]) == 5
    assert result.examples["require_approval"][0].created_at == NOW - timedelta(hours=1)


def test_actions_are_judged_in_local_time_with_partner_facts_known_now(org, make_action):
    PartnerFacts.objects.create(organization=org, partner_id=7, country_code="DE", tags=[], refreshed_at=NOW)
    no_sms_on_sundays = parse_rule({"when": {"channels": ["sms"], "weekdays": [6], "partner_countries": ["DE"]},
                                    "then": {"effect": "deny", "reason": "No texts on Sundays."}})
    moments = {"saturday_night_utc": datetime(2026, 6, 6, 22, 30, tzinfo=timezone.utc),  # Sunday 00:30 in Brussels
               "sunday_night_utc": datetime(2026, 6, 7, 22, 30, tzinfo=timezone.utc)}  # Monday 00:30
    made = {}
    for name, moment in moments.items():
        action = make_action(ActionType.SEND_INVOICE_REMINDER_SMS)
        Action.objects.filter(pk=action.pk).update(created_at=moment)
        made[name] = str(action.pk)
    result = backtest(org, no_sms_on_sundays, now=NOW)
    assert result.counts == {"deny": 1, "require_approval": 0, "auto_execute": 0, "no_match": 1}
    assert result.examples["deny"][0].action_id == made["saturday_night_utc"]
    assert result.summary()[1] == "1 action would have been refused."


def test_nothing_to_try_on(org):
    result = backtest(org, BIG_REMINDERS, now=NOW)
    assert (result.total, result.outcomes) == (0, {})
    assert result.counts == {"deny": 0, "require_approval": 0, "auto_execute": 0, "no_match": 0}
    assert result.summary() == ["No actions were proposed in the last 30 days, so there is nothing to try this rule on."]


def test_the_backtest_reads_a_fixed_number_of_times(org, make_action, django_assert_num_queries):
    for _ in range(4):
        make_action()
    with django_assert_num_queries(5):  # policy, actions, partner facts, follow-up outcomes and delivery events
        backtest(org, BIG_REMINDERS)
