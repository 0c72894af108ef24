"""When each level of a sequence falls due — pure functions of the sequence, what was sent and
the invoices' due dates, so the engine, the dashboard and the tests agree."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .models import OffsetFrom


@dataclass(frozen=True)
class LevelSpec:
    """What planning needs of a level (a `Level` row, or one being edited)."""

    position: int
    offset_days: int
    offset_from: str


def working_day(day: date) -> date:
    """The day itself, or the Monday after a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def due_date(levels: list, index: int, *, anchor: date, sent: dict, weekdays_only: bool,
             offsets: dict | None = None) -> date | None:
    """When level `index` falls due: `anchor` (the oldest due date chased) + offset, or the
    previous level's day + offset; None while the previous level has not been sent. `offsets`
    ({str(index): days}) replaces a level's own offset for this follow-up (followups/timing.py)."""
    level = levels[index]
    offset = (offsets or {}).get(str(index), level.offset_days)
    if level.offset_from == OffsetFrom.PREVIOUS and index > 0:
        previous = sent.get(str(index - 1))
        if previous is None:
            return None
        base = datetime.fromisoformat(previous).date()
    else:
        base = anchor
    day = base + timedelta(days=offset)
    return working_day(day) if weekdays_only else day


def starting_level(levels: list, *, anchor: date, today: date) -> int:
    """Where a new follow-up begins: at the latest level (counted from the due date) whose day has
    come, so a customer found 40 days late gets the level for 40 days, not a courtesy note;
    levels due on the same day start together (the first of them). Once the due date has passed,
    the levels meant for before it are past too: a customer a day late waits for the first
    level after the due date."""
    late = today >= anchor
    counted = [(index, level) for index, level in enumerate(levels)
               if level.offset_from == OffsetFrom.DUE_DATE and not (late and level.offset_days < 0)]
    passed = [level.offset_days for _, level in counted if anchor + timedelta(days=level.offset_days) <= today]
    if not passed:
        return counted[0][0] if counted else 0
    latest = max(passed)
    return next(index for index, level in counted if level.offset_days == latest)
