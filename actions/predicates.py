"""Revalidation predicates: what must still be true when an action runs, as protocol objects.

`revalidation.py` checks them against live Odoo and the outreach state; `presentation.py`
words them for approvers.
"""

from datetime import time
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import AwareDatetime, Field, StringConstraints, field_validator, model_validator

from .fields import JsonScalar, JsonValue, OdooField, OdooId, OdooModel, Strict, TimeZoneName, known_timezone


class OdooRecordExists(Strict):
    type: Literal["odoo_record_exists"]
    model: OdooModel
    id: OdooId


class OdooFieldEquals(Strict):
    type: Literal["odoo_field_equals"]
    model: OdooModel
    id: OdooId
    field: OdooField
    expected: JsonValue


class OdooFieldIn(Strict):
    type: Literal["odoo_field_in"]
    model: OdooModel
    id: OdooId
    field: OdooField
    allowed: list[JsonScalar] = Field(min_length=1, max_length=50)


class NoDuplicateActionInWindow(Strict):
    type: Literal["no_duplicate_action_in_window"]
    partner_id: OdooId
    channel: Literal["email", "sms"]
    hours: int = Field(gt=0, le=24 * 30)


class QuietHoursOk(Strict):
    type: Literal["quiet_hours_ok"]
    timezone: TimeZoneName
    start: time = Field(description="start of the allowed sending window, local time")
    end: time = Field(description="end of the allowed sending window, local time")
    weekends: bool = Field(False, description="whether sending is allowed on Saturday and Sunday")

    _known_tz = field_validator("timezone")(known_timezone)

    @field_validator("start", "end")
    @classmethod
    def _local_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("must be a local time without a UTC offset (the time zone is given separately)")
        return value

    @model_validator(mode="after")
    def _window(self):
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class CalendarSlotFree(Strict):
    """The organiser's Odoo calendar has nothing busy in [start, stop] (with the usual buffers):
    a meeting is not booked over something added since it was approved (Protocol v1.2)."""

    type: Literal["calendar_slot_free"]
    organizer_user_id: OdooId
    start: AwareDatetime
    stop: AwareDatetime

    @model_validator(mode="after")
    def _order(self):
        if self.stop <= self.start:
            raise ValueError("stop must be after start")
        return self


#: Predicate types a v1.1 document may not use.
SINCE_V12_PREDICATES = frozenset({"calendar_slot_free"})

Predicate = Annotated[
    Union[OdooRecordExists, OdooFieldEquals, OdooFieldIn, NoDuplicateActionInWindow, QuietHoursOk, CalendarSlotFree],
    Field(discriminator="type"),
]


class Severity(StrEnum):
    BLOCK = "block"
    REQUIRE_REAPPROVAL = "require_reapproval"


class RevalidationCheck(Strict):
    check_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_\-]{1,64}$")]
    predicate: Predicate
    severity_on_fail: Severity = Severity.BLOCK


class RevalidationPlan(Strict):
    #: Room for a follow-up message's two checks per invoice (25 invoices) and its own.
    checks: list[RevalidationCheck] = Field(default_factory=list, max_length=60)

    @field_validator("checks")
    @classmethod
    def _unique_ids(cls, checks):
        ids = [check.check_id for check in checks]
        if len(ids) != len(set(ids)):
            raise ValueError("check_id values must be unique")
        return checks
