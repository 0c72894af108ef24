from datetime import datetime, time, timezone

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from actions.checks import timeouts_nest
from actions.dispatch import max_countdown
from actions.execution import backoff_seconds
from actions.types import ActionType
from actions.protocol import parse_protocol
from actions.revalidation import CheckResult, comparable, next_allowed_time, revision_for_observed_state, same_value
from actions.predicates import Severity

from .protocols import protocol_for

UTC = timezone.utc
WINDOW = {"zone": "Europe/Brussels", "start": time(9), "end": time(17), "weekends": False}


def test_inside_business_hours_sends_now():
    monday_noon_brussels = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert next_allowed_time(monday_noon_brussels, **WINDOW) == monday_noon_brussels


def test_evening_defers_to_next_morning_local_time():
    monday_evening = datetime(2026, 11, 23, 18, 30, tzinfo=UTC)  # 19:30 in Brussels
    assert next_allowed_time(monday_evening, **WINDOW) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_weekend_defers_to_monday_unless_weekends_are_allowed():
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert next_allowed_time(saturday, **WINDOW) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert next_allowed_time(saturday, **{**WINDOW, "weekends": True}) == saturday


def test_early_morning_waits_for_opening_across_dst():
    # 29 March 2026: Brussels moves to UTC+2; 09:00 local is 07:00 UTC on Monday 30 March.
    sunday_night = datetime(2026, 3, 29, 23, 0, tzinfo=UTC)
    assert next_allowed_time(sunday_night, **WINDOW) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("observed, expected, same", [
    ([2, "Qualified"], 2, True),
    ([3, "Proposition"], 2, False),
    (False, None, True),
    (1250.004, 1250.0, True),
    (1250.01, 1250.0, False),
    ("not_paid", "not_paid", True),
    ("paid", "not_paid", False),
    ([4, 2], [2, 4], True),
    (True, 1, False),
])
def test_odoo_values_compare_as_people_mean_them(observed, expected, same):
    assert same_value(comparable(observed), comparable(expected)) is same


def _stage_failure(observed):
    return CheckResult("still-in-stage", False, Severity.REQUIRE_REAPPROVAL, "moved", observed=observed)


def test_deal_moved_elsewhere_gives_a_revision_expecting_the_new_stage():
    protocol = parse_protocol(protocol_for(ActionType.ADVANCE_DEAL_STAGE))
    revised = revision_for_observed_state(protocol, [_stage_failure(5)])
    assert revised.operation.inputs.expected_stage_id == 5
    assert revised.proposed_changes[0].before == 5
    check = revised.revalidation_plan.checks[1].predicate
    assert check.allowed == [5]
    assert revised.protocol_hash != protocol.protocol_hash


def test_deal_already_in_target_stage_has_no_revision():
    protocol = parse_protocol(protocol_for(ActionType.ADVANCE_DEAL_STAGE))
    assert revision_for_observed_state(protocol, [_stage_failure(3)]) is None


def test_vanished_record_has_no_revision():
    protocol = parse_protocol(protocol_for(ActionType.ADVANCE_DEAL_STAGE))
    assert revision_for_observed_state(protocol, [_stage_failure(None)]) is None


def test_timeouts_nest_in_the_default_configuration():
    assert timeouts_nest(None) == []


def test_a_retry_delay_beyond_the_visibility_timeout_is_refused(settings):
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
    settings.AIOM_RETRY_MAX_SECONDS = 300
    assert [error.id for error in timeouts_nest(None)] == ["aiom.E004"]
    with pytest.raises(SystemCheckError, match="AIOM_RETRY_MAX_SECONDS"):
        call_command("check")


def test_socket_timeouts_must_fire_before_the_task_limit(settings):
    settings.ODOO_TIMEOUT = 200
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 120
    assert "ODOO_TIMEOUT" in timeouts_nest(None)[0].msg


def test_claudes_timeout_counts_only_when_claude_is_configured(settings):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 120
    settings.ANTHROPIC_TIMEOUT, settings.ANTHROPIC_MAX_RETRIES = 300, 2
    settings.ANTHROPIC_API_KEY = ""
    assert timeouts_nest(None) == []
    call_command("check")
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    assert "ANTHROPIC_TIMEOUT (900s)" in timeouts_nest(None)[0].msg
    settings.ANTHROPIC_TIMEOUT = 45  # three tries of 45 s: longer than the task may run
    assert "(135s)" in timeouts_nest(None)[0].msg
    settings.ANTHROPIC_TIMEOUT = 30
    assert timeouts_nest(None) == []


def test_backoff_grows_and_stays_capped_below_visibility(settings):
    settings.AIOM_RETRY_BASE_SECONDS = 10
    settings.AIOM_RETRY_MAX_SECONDS = 300
    samples = {attempt: [backoff_seconds(attempt) for _ in range(200)] for attempt in (1, 2, 3, 10)}
    assert all(5 <= s <= 10 for s in samples[1])
    assert max(samples[3]) > max(samples[1])
    assert all(s <= 300 for s in samples[10])
    assert max_countdown() < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
