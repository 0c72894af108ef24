"""Claude may move a follow-up's next level within the days its sequence allows, with the reason
in the history, on the follow-up's page and on the level's action; without flex or without
Claude nothing is asked, and an answer that cannot be used leaves the rules' day with the reason
why. Emma (on a copy of the default sequence allowing 5 days, every day of the week) is chased
on the Odoo sandbox; the real anthropic SDK talks to an httpx2 mock transport playing the API."""

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import services
from actions.models import Action
from followups import engine, timing
from followups.defaults import ensure_defaults
from followups.models import EventKind, FollowUp, Level, OffsetFrom, PartnerOverride, Sequence, SequenceKind
from tests.integrations.claude_api import FakeAnthropicApi, api_error, message, tool_use

from .conftest import EMMA
from .test_sequence_editor import _form, _post, _said

BRUSSELS = ZoneInfo("Europe/Brussels")  # the organisation's zone (tests/conftest.py)
FIRM = 2  # the default sequence's firm reminder: 15 days after the due date, Emma's next level after one tick
REASON = "The customer usually pays a few days after a reminder; a later firm reminder avoids crossing a payment."


@pytest.fixture
def claude(claude_settings):
    claude_settings.ANTHROPIC_MAX_RETRIES = 0


def _emma_on(org, *, flex: int) -> Sequence:
    """Emma on a copy of the default invoice sequence allowing `flex` days, on any day of the week."""
    sequence = Sequence.objects.create(organization=org, kind=SequenceKind.INVOICES, name="Unpaid invoices, flexible",
                                       timing_flex_days=flex, weekdays_only=False)
    for level in ensure_defaults(org)[SequenceKind.INVOICES].levels.all():
        level.pk, level.sequence = None, sequence
        level.save()
    PartnerOverride.objects.create(organization=org, partner_id=EMMA, sequence=sequence)
    return sequence


@pytest.fixture
def flexible(chasing_org):
    return _emma_on(chasing_org, flex=5)


def _emma(org) -> FollowUp:
    return FollowUp.objects.get(organization=org, target_id=EMMA, status__in=["active", "paused"])


def _anchor(follow_up) -> date:
    return date.fromisoformat(min(invoice["due"] for invoice in follow_up.invoices))


def _next_day(follow_up) -> date:
    return follow_up.next_due_at.astimezone(BRUSSELS).date()


def _on(day: date) -> datetime:
    """Mid-morning of `day`, never before now (the friendly reminder went out now)."""
    return max(datetime.combine(day, time(10), tzinfo=BRUSSELS), timezone.now() + timedelta(minutes=1))


def _friendly_approved(org, odoo, api, approver) -> FollowUp:
    """The first tick proposes the friendly reminder (Claude is not asked for the level a follow-up
    starts at, nor while it waits); an approver approves it. The firm reminder comes next."""
    engine.tick(org, odoo, model_client=api.client())
    follow_up = _emma(org)
    assert follow_up.level == FIRM and api.requests == []
    action = follow_up.last_action
    services.approve(action, approver, protocol_hash=action.protocol_hash)
    return follow_up


def _firm_proposed(org, follow_up) -> Action:
    return Action.objects.get(organization=org, source="follow_up", partner_id=EMMA,
                              protocol__metadata__follow_up_id=follow_up.pk, protocol__metadata__level=FIRM)


def _timing_events(follow_up) -> list[str]:
    return list(follow_up.events.filter(kind=EventKind.TIMING).values_list("text", flat=True))


def test_claude_moves_the_next_level_within_the_bounds_and_says_why(claude, flexible, odoo, approver, client):
    api = FakeAnthropicApi(message(tool_use({"offset_days": 18, "reason": REASON}, timing.TOOL_NAME)))
    org = flexible.organization
    follow_up = _friendly_approved(org, odoo, api, approver)
    anchor = _anchor(follow_up)

    engine.tick(org, odoo, now=_on(anchor + timedelta(days=10)), model_client=api.client())  # its earliest day

    follow_up = _emma(org)
    assert _next_day(follow_up) == anchor + timedelta(days=18)  # the rules said 15
    [request] = api.requests
    sent = api.sent()
    assert sent["tool_choice"] == {"type": "tool", "name": timing.TOOL_NAME}
    facts = json.loads(sent["messages"][0]["content"].split("<follow_up_facts>")[1].split("</follow_up_facts>")[0])
    assert facts["next_level"]["allowed_offset_days"] == {"lowest": 10, "highest": 20}
    assert facts["next_level"]["default_offset_days"] == 15 and facts["earlier_levels_proposed"] == 1
    assert [i["days_overdue"] for i in facts["invoices_chased"]] == [i["days_overdue"] for i in follow_up.invoices]
    assert "Emma" not in request.content.decode() and "Claes" not in request.content.decode()  # no names
    assert _timing_events(follow_up) == [
        f"Firm reminder: 18 days after the due date instead of 15, suggested by Claude: {REASON}"]
    client.force_login(approver)
    page = client.get(reverse("dashboard:followup", args=[follow_up.pk])).content.decode()
    assert f"(suggested by Claude: {REASON})" in page

    engine.tick(org, odoo, now=_on(anchor + timedelta(days=11)), model_client=api.client())
    assert len(api.requests) == 1, "asked once for the level"
    engine.tick(org, odoo, now=_on(anchor + timedelta(days=18)), model_client=api.client())

    firm = _firm_proposed(org, follow_up)
    assert firm.protocol["reasoning"].endswith(
        f"firm reminder, 18 days after the due date instead of 15, suggested by Claude: {REASON}")
    assert len(api.requests) == 1  # the SMS level after it cannot come before day 25


UNUSABLE = {
    "outside the bounds": (message(tool_use({"offset_days": 30, "reason": "Much later."}, timing.TOOL_NAME)),
                           "it chose 30 days, outside the 10 to 20 this sequence allows"),
    "not a whole number": (message(tool_use({"offset_days": 12.5, "reason": "Sooner."}, timing.TOOL_NAME)),
                           "its answer was invalid: offset_days: Input should be a valid integer"),
    "a number as text": (message(tool_use({"offset_days": "12", "reason": "Sooner."}, timing.TOOL_NAME)),
                         "offset_days: Input should be a valid integer"),
    "markup in the reason": (message(tool_use({"offset_days": 12, "reason": "<script>alert('hi')</script>"},
                                              timing.TOOL_NAME)), "its reason held markup"),
    "a link in the reason": (message(tool_use({"offset_days": 12, "reason": "See https://evil.example/why now"},
                                              timing.TOOL_NAME)), "its reason held a link or an address"),
    "an overlong reason": (message(tool_use({"offset_days": 12, "reason": "Late. " * 1000}, timing.TOOL_NAME)),
                           "reason: String should have at most 300 characters"),
    "no reason": (message(tool_use({"offset_days": 12}, timing.TOOL_NAME)), "reason: Field required"),
    "overloaded": (api_error(529, "overloaded_error", "Overloaded"), "Claude answered HTTP 529 (overloaded)"),
    "text instead of the tool": (message({"type": "text", "text": "I would send it on day 12."},
                                         stop_reason="end_turn"),
                                 f"Claude answered in text instead of calling {timing.TOOL_NAME}"),
}


@pytest.mark.parametrize("case", UNUSABLE)
def test_an_answer_that_cannot_be_used_leaves_the_rules_day_with_the_reason(claude, flexible, odoo, approver, client,
                                                                            case):
    answer, why = UNUSABLE[case]
    api = FakeAnthropicApi(answer)
    org = flexible.organization
    follow_up = _friendly_approved(org, odoo, api, approver)
    anchor = _anchor(follow_up)

    engine.tick(org, odoo, now=_on(anchor + timedelta(days=10)), model_client=api.client())

    follow_up = _emma(org)
    assert _next_day(follow_up) == anchor + timedelta(days=15)
    assert len(api.requests) == 1
    [said] = _timing_events(follow_up)
    assert said.startswith("Firm reminder: 15 days after the due date, as the sequence says. "
                           "Claude's suggestion was not used: ") and why in said
    assert "<script>" not in said and "evil.example" not in said and len(said) <= 500
    assert follow_up.timing[str(FIRM)] | {"reason": ""} == {
        "level_id": follow_up.sequence.levels.get(position=FIRM).pk, "offset_days": 15, "default": 15,
        "reason": "", "by": "rules"}
    client.force_login(approver)
    page = client.get(reverse("dashboard:followup", args=[follow_up.pk])).content.decode()
    assert "suggested by Claude" not in page and "<script>alert" not in page

    engine.tick(org, odoo, now=_on(anchor + timedelta(days=15)), model_client=api.client())

    assert len(api.requests) == 1, "the decision is kept: Claude is not asked again"
    firm = _firm_proposed(org, follow_up)  # nothing lost: the level goes on the rules' day
    assert firm.protocol["reasoning"].endswith("firm reminder, +15 days from the due date.")


@pytest.mark.parametrize(("flex", "configured"), [(0, True), (5, False)], ids=["no flex", "no Claude key"])
def test_without_flex_or_without_claude_nothing_is_asked(request, chasing_org, odoo, approver, flex, configured):
    if configured:
        request.getfixturevalue("claude")
    _emma_on(chasing_org, flex=flex)
    api = FakeAnthropicApi(message(tool_use({"offset_days": 18, "reason": REASON}, timing.TOOL_NAME)))
    follow_up = _friendly_approved(chasing_org, odoo, api, approver)
    anchor = _anchor(follow_up)

    for day in (10, 12, 15):
        engine.tick(chasing_org, odoo, now=_on(anchor + timedelta(days=day)), model_client=api.client())

    assert api.requests == []
    follow_up = _emma(chasing_org)
    assert follow_up.timing == {} and _timing_events(follow_up) == []
    assert _firm_proposed(chasing_org, follow_up).protocol["reasoning"].endswith("+15 days from the due date.")


def test_a_level_moves_only_on_its_own_side_of_the_day_it_counts_from():
    def level(offset, offset_from=OffsetFrom.DUE_DATE):
        return Level(position=1, name="A level", offset_days=offset, offset_from=offset_from)

    assert timing.bounds(level(3), 5) == (1, 8)  # a reminder after the due date stays after it
    assert timing.bounds(level(-3), 5) == (-8, -1)  # a courtesy note stays before it
    assert timing.bounds(level(0), 5) == (0, 5)
    assert timing.bounds(level(2, OffsetFrom.PREVIOUS), 5) == (0, 7)  # never before the previous level
    assert timing.bounds(level(362), 5) == (357, 365)


def test_an_admin_sets_the_days_claude_may_move_a_level(client, admin_member, org):
    sequence = ensure_defaults(org)[SequenceKind.INVOICES]
    client.force_login(admin_member)

    response = _post(client, sequence, _form(sequence, timing_flex_days="15"))
    assert "Claude may move a level by 0 to 14 days." in _said(response)
    sequence.refresh_from_db()
    assert sequence.timing_flex_days == 0

    response = _post(client, sequence, _form(sequence, timing_flex_days="4"))
    assert "Sequence saved" in _said(response)
    sequence.refresh_from_db()
    assert sequence.timing_flex_days == 4

    _post(client, sequence, _form(sequence, timing_flex_days=""))  # left empty: never
    sequence.refresh_from_db()
    assert sequence.timing_flex_days == 0
