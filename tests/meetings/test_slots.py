"""Offered meeting times avoid what a person would avoid: busy events and the 15 minutes around
them, weekends, the hours outside business hours, and anything sooner than a day ahead."""

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from actions import slots
from actions.guardrails import policy_for

BRUSSELS = ZoneInfo("Europe/Brussels")
#: A Thursday morning in Brussels.
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=BRUSSELS)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BRUSSELS)


def offer(busy=(), **overrides):
    options = {"zone": "Europe/Brussels", "day_start": time(9), "day_end": time(17), "weekends_off": True,
               "now": NOW, "duration": timedelta(minutes=30), "count": 3, **overrides}
    return [(start.astimezone(BRUSSELS), stop.astimezone(BRUSSELS)) for start, stop in slots.free_slots(busy, **options)]


def test_three_times_on_three_working_days_with_a_days_notice():
    offered = offer()
    # Thursday 8:00 + 24 h → Friday 9:00 is the first; Saturday and Sunday are skipped.
    assert [start for start, _ in offered] == [local(4, 9), local(7, 9), local(8, 9)]
    assert all(stop - start == timedelta(minutes=30) for start, stop in offered)


def test_busy_events_and_their_buffers_are_avoided():
    busy = [(local(4, 9), local(4, 10)), (local(7, 8, 50), local(7, 9, 20))]
    first, second, _ = offer(busy)
    assert first[0] == local(4, 10, 30)  # 10:00 would touch the buffer after the 9–10 meeting
    assert second[0] == local(7, 10)  # 9:30 would start only 10 minutes after a meeting


def test_business_hours_bound_the_whole_meeting():
    offered = offer(day_start=time(14), day_end=time(15), duration=timedelta(hours=1))
    assert [start for start, _ in offered] == [local(4, 14), local(7, 14), local(8, 14)]
    assert offer(day_start=time(14), day_end=time(14, 30), duration=timedelta(hours=1)) == []


def test_weekends_are_offered_when_the_organisation_works_them():
    assert [start for start, _ in offer(weekends_off=False)][:2] == [local(4, 9), local(5, 9)]


def test_notice_is_respected_within_the_day():
    offered = offer(now=datetime(2026, 12, 3, 12, 10, tzinfo=BRUSSELS))
    assert offered[0][0] == local(4, 12, 30)


def test_candidates_come_from_the_organisers_odoo_calendar(connected_org, odoo):
    organizer = odoo.search_read("crm.lead", [("user_id", "!=", False)], ["user_id"], limit=1)[0]["user_id"][0]
    now = datetime.now(timezone.utc)
    policy = policy_for(connected_org)
    first = slots.candidate_slots(odoo, policy, organizer, now=now)
    assert len(first) == 3
    start, stop = first[0]
    odoo.create("calendar.event", {"name": "Busy", "user_id": organizer, "show_as": "busy",
                                   "start": slots.odoo_datetime(start), "stop": slots.odoo_datetime(stop)},
                context={"no_mail_to_attendees": True})
    again = slots.candidate_slots(odoo, policy, organizer, now=now)
    assert first[0] not in again and all(not slots.overlaps(slot, [first[0]]) for slot in again)
    assert not slots.still_free(odoo, organizer, start, stop)
