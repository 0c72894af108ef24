"""When a meeting could take place: free times in the organiser's Odoo calendar.

Pure functions over busy periods, plus one Odoo read (`busy_periods`). A time is offered only
if it falls inside the organisation's business hours (GuardrailPolicy: hours, weekends, zone),
at least `MIN_NOTICE` ahead, and at least `BUFFER` away from anything busy in the organiser's
calendar — so nobody walks from one meeting straight into the next, and the customer gets a
day's notice. The same rule decides, at execution, whether the approved time is still free
(`slot_is_free`, the `calendar_slot_free` check).
"""

from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

#: How far ahead of now the first offered time is.
MIN_NOTICE = timedelta(hours=24)
#: Free time kept before and after each busy event.
BUFFER = timedelta(minutes=15)
#: Offered times start on this grid (local time): 9:00, 9:30, …
STEP = timedelta(minutes=30)
#: How far ahead candidates are looked for.
HORIZON = timedelta(days=21)
#: How long a booked call lasts unless said otherwise.
DEFAULT_DURATION = timedelta(minutes=30)
#: Odoo's datetime format (UTC, naive).
ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"

Period = tuple[datetime, datetime]


# ---------------------------------------------------------------------------------------------
# Pure


def overlaps(period: Period, busy: Iterable[Period], *, buffer: timedelta = BUFFER) -> bool:
    """Whether `period`, widened by `buffer` on both sides, touches any busy period."""
    start, stop = period[0] - buffer, period[1] + buffer
    return any(busy_start < stop and busy_stop > start for busy_start, busy_stop in busy)


def free_slots(busy: Iterable[Period], *, zone: str, day_start: time, day_end: time, weekends_off: bool,
               now: datetime, duration: timedelta, count: int = 3, per_day: int = 1,
               notice: timedelta = MIN_NOTICE, buffer: timedelta = BUFFER, step: timedelta = STEP,
               horizon: timedelta = HORIZON) -> list[Period]:
    """The first `count` free times of `duration` (aware, UTC), at most `per_day` a day so the
    customer can choose between days: inside business hours in `zone`, after `now + notice`,
    clear of `busy` by `buffer`."""
    busy = sorted(busy)
    tz = ZoneInfo(zone)
    earliest = now + notice
    found: list[Period] = []
    day = earliest.astimezone(tz).date()
    last_day = (now + horizon).astimezone(tz).date()
    while day <= last_day and len(found) < count:
        if not (weekends_off and day.weekday() >= 5):
            found += _free_on(day, busy, tz, day_start, day_end, earliest, duration, buffer, step)[:per_day]
        day += timedelta(days=1)
    return found[:count]


def _free_on(day: date, busy: list[Period], tz: ZoneInfo, day_start: time, day_end: time, earliest: datetime,
             duration: timedelta, buffer: timedelta, step: timedelta) -> list[Period]:
    slots = []
    opening = datetime.combine(day, day_start, tzinfo=tz)
    closing = datetime.combine(day, day_end, tzinfo=tz)
    start = opening
    while start + duration <= closing:
        stop = start + duration
        if start >= earliest and not overlaps((start, stop), busy, buffer=buffer):
            slots.append((start.astimezone(timezone.utc), stop.astimezone(timezone.utc)))
        start += step
    return slots


def within_business_hours(period: Period, *, zone: str, day_start: time, day_end: time, weekends_off: bool) -> bool:
    tz = ZoneInfo(zone)
    start, stop = period[0].astimezone(tz), period[1].astimezone(tz)
    if start.date() != stop.date() or (weekends_off and start.weekday() >= 5):
        return False
    return start.time() >= day_start and stop.time() <= day_end


def slot_is_free(busy: Iterable[Period], period: Period, *, buffer: timedelta = BUFFER) -> bool:
    return not overlaps(period, busy, buffer=buffer)


def odoo_datetime(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime(ODOO_DATETIME)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def when_words(moment: datetime | str, zone: str) -> str:
    """A meeting time as approvers read it: "Thu 3 Dec 2026, 09:00 (Europe/Brussels)"."""
    local = (datetime.fromisoformat(moment) if isinstance(moment, str) else moment).astimezone(ZoneInfo(zone))
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year}, {local:%H:%M} ({zone})"


def parse_odoo_datetime(value: str) -> datetime:
    return datetime.strptime(value, ODOO_DATETIME).replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------------------------------------
# Odoo


def busy_periods(odoo, organizer_user_id: int, start: datetime, stop: datetime, *,
                 exclude_reference: str = "") -> list[Period]:
    """The organiser's busy events overlapping [start, stop]: the events they organise and those
    they attend (their partner among the attendees), shown as busy. An event whose description
    carries `exclude_reference` is the meeting being booked itself (an earlier attempt made it)."""
    users = odoo.read("res.users", [organizer_user_id], ["partner_id"])
    partner = users[0]["partner_id"] if users else False
    partner_id = partner[0] if isinstance(partner, (list, tuple)) and partner else None
    whose = [("user_id", "=", organizer_user_id)]
    if partner_id:
        whose = ["|", ("user_id", "=", organizer_user_id), ("partner_ids", "in", [partner_id])]
    rows = odoo.search_read("calendar.event", [
        ("start", "<", odoo_datetime(stop)), ("stop", ">", odoo_datetime(start)), ("show_as", "=", "busy"), *whose,
    ], ["start", "stop", "description"], order="start asc")
    return [(parse_odoo_datetime(row["start"]), parse_odoo_datetime(row["stop"])) for row in rows
            if not (exclude_reference and exclude_reference in (row.get("description") or ""))]


def candidate_slots(odoo, policy, organizer_user_id: int, *, now: datetime, duration: timedelta = DEFAULT_DURATION,
                    count: int = 3) -> list[Period]:
    """Up to `count` times the organiser is free, one a day, within the policy's business hours."""
    busy = busy_periods(odoo, organizer_user_id, now, now + HORIZON + timedelta(days=1))
    return free_slots(busy, zone=policy.zone, day_start=policy.business_hours_start,
                      day_end=policy.business_hours_end, weekends_off=policy.weekends_off, now=now,
                      duration=duration, count=count)


def still_free(odoo, organizer_user_id: int, start: datetime, stop: datetime, *, exclude_reference: str = "") -> bool:
    """Whether nothing busy was put in the organiser's calendar around [start, stop]."""
    busy = busy_periods(odoo, organizer_user_id, start - BUFFER, stop + BUFFER, exclude_reference=exclude_reference)
    return slot_is_free(busy, (start, stop))
