"""Dates as people type them in a command, read against a given `today` (never the clock), so
the same words on the same day always give the same date.

`parse_date` answers None when the words are not a date at all, so the caller may keep them as
ordinary text, and raises `InvalidDate` when they have the shape of a date that does not exist
(31/02/2026): reading such words as text would silently lose what the person meant.

Forms: 2026-12-15, 15/12/2026 and 15.12.2026 (day first, year optional), 15 Dec, Dec 15,
15 December 2026, December 15, 2026, today, tomorrow, friday / next friday / this friday (the
first one after today), in 3 days, in 2 weeks, next week (Monday of next week). A day and month
without a year mean this year, or next year once the day has passed.
"""

import re
from datetime import date, timedelta

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"),
        ]
    )
    for name in names
}
#: "in N days" further ahead than this is a typo, not a plan.
MAX_DAYS_AHEAD = 3660

_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.])(\d{1,2})(?:\2(\d{4}))?")
_DAY_MONTH = re.compile(rf"(\d{{1,2}}){_ORDINAL}(?: of)? ([a-z]+)\.?(?:,? (\d{{4}}))?")
_MONTH_DAY = re.compile(rf"([a-z]+)\.? (\d{{1,2}}){_ORDINAL}(?:,? (\d{{4}}))?")
_IN = re.compile(r"in (\d+|a|an|one) (days?|weeks?)")
_WEEKDAY = re.compile(r"(?:(?:next|this) )?([a-z]+)")


class InvalidDate(ValueError):
    """Words shaped like a date that does not exist; `text` is what was typed."""

    def __init__(self, text: str, reason: str = "is not a real date"):
        self.text = text
        super().__init__(f"“{text}” {reason}.")


def parse_date(text: str, today: date) -> date | None:
    """The date `text` names, None if it names none; InvalidDate if it names an impossible one."""
    words = " ".join(text.lower().split()).rstrip(",")
    if words == "today":
        return today
    if words == "tomorrow":
        return today + timedelta(days=1)
    if words == "next week":
        return today + timedelta(days=7 - today.weekday())
    if match := _ISO.fullmatch(words):
        return _exact(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_FIRST.fullmatch(words):
        return _day_month(text, today, int(match[1]), int(match[3]), match[4])
    if (match := _DAY_MONTH.fullmatch(words)) and match[2] in MONTHS:
        return _day_month(text, today, int(match[1]), MONTHS[match[2]], match[3])
    if (match := _MONTH_DAY.fullmatch(words)) and match[1] in MONTHS:
        return _day_month(text, today, int(match[2]), MONTHS[match[1]], match[3])
    if match := _IN.fullmatch(words):
        count = 1 if match[1] in ("a", "an", "one") else int(match[1])
        days = count * (7 if match[2].startswith("week") else 1)
        if days > MAX_DAYS_AHEAD:
            raise InvalidDate(text, "is too far ahead")
        return today + timedelta(days=days)
    if (match := _WEEKDAY.fullmatch(words)) and match[1] in WEEKDAYS:
        # The first such weekday strictly after today: on a Friday, "friday" is a week away.
        return today + timedelta(days=(WEEKDAYS[match[1]] - today.weekday() - 1) % 7 + 1)
    return None


def _exact(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidDate(text) from None


def _day_month(text: str, today: date, day: int, month: int, year: str | None) -> date:
    if year is not None:
        return _exact(text, int(year), month, day)
    try:
        this_year = date(today.year, month, day)
    except ValueError:  # 29 February of a common year: next year may have one
        this_year = None
    if this_year is not None and this_year >= today:
        return this_year
    return _exact(text, today.year + 1, month, day)
