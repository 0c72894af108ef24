"""Revalidation: are the action's preconditions still true, right before it runs?

Each predicate of the revalidation plan is checked against live Odoo and AIOM's outreach
state. Failures are severity-aware: `block` ends the action, `require_reapproval` sends it
back to a human with the new state in its diff, and quiet hours defer an outside message to
the next allowed time instead of failing it. A meeting's time taken in the organiser's calendar
since approval (`calendar_slot_free`) blocks it with the reason: the approver picks or proposes
another time on a new action, rather than AIOM choosing one nobody agreed to.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from integrations.odoo.errors import OdooMissingError

from . import slots
from .models import LedgerStatus, OutboundRecord, OutreachState
from .predicates import (
    CalendarSlotFree,
    NoDuplicateActionInWindow,
    OdooFieldEquals,
    OdooFieldIn,
    OdooRecordExists,
    QuietHoursOk,
    Severity,
)
from .describe import VALUE_WORDS, currency_of, field_label, record_noun, show_value
from .protocol import ActionProtocol, parse_protocol


class OdooReader(Protocol):
    def read(self, model: str, ids: list[int], fields: list[str]) -> list[dict]: ...


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    ok: bool
    severity: Severity
    summary: str
    observed: Any = None
    defer_until: datetime | None = None

    def as_dict(self) -> dict:
        return {"check_id": self.check_id, "ok": self.ok, "severity": self.severity.value,
                "summary": self.summary, "observed": self.observed,
                "defer_until": self.defer_until.isoformat() if self.defer_until else None}


@dataclass(frozen=True)
class Verdict:
    results: tuple[CheckResult, ...]

    @property
    def failures(self) -> list[CheckResult]:
        return [result for result in self.results if not result.ok]

    @property
    def defer_until(self) -> datetime | None:
        """Set when the only thing wrong is the time of day: try again then."""
        failures = self.failures
        if failures and all(result.defer_until for result in failures):
            return max(result.defer_until for result in failures)
        return None

    @property
    def blocking(self) -> list[CheckResult]:
        return [r for r in self.failures if r.defer_until is None and r.severity == Severity.BLOCK]

    @property
    def needs_reapproval(self) -> list[CheckResult]:
        return [r for r in self.failures if r.defer_until is None and r.severity == Severity.REQUIRE_REAPPROVAL]

    def summary(self) -> str:
        return " ".join(result.summary for result in self.failures) or "All checks passed."


def revalidate(protocol: ActionProtocol, *, organization, odoo: OdooReader, now: datetime,
               action_id=None) -> Verdict:
    reads = _OdooCache(odoo)
    currency = currency_of(protocol)
    results = []
    for check in protocol.revalidation_plan.checks:
        predicate = check.predicate
        if isinstance(predicate, OdooRecordExists):
            result = _record_exists(reads, predicate)
        elif isinstance(predicate, (OdooFieldEquals, OdooFieldIn)):
            result = _field_matches(reads, predicate, currency)
        elif isinstance(predicate, NoDuplicateActionInWindow):
            result = _no_recent_outreach(organization, predicate, now, action_id)
        elif isinstance(predicate, CalendarSlotFree):
            result = _slot_free(odoo, predicate, protocol, action_id)
        else:
            result = _quiet_hours(predicate, now)
        ok, summary, observed, defer_until = result
        results.append(CheckResult(check.check_id, ok, check.severity_on_fail, summary, observed, defer_until))
    return Verdict(tuple(results))


class _OdooCache:
    """Reads each record once per revalidation, with all the fields its checks need."""

    def __init__(self, odoo: OdooReader):
        self.odoo = odoo
        self.records: dict[tuple[str, int], dict | None] = {}

    def get(self, model: str, record_id: int, field: str) -> dict | None:
        key = (model, record_id)
        if key not in self.records or (self.records[key] is not None and field not in self.records[key]):
            try:
                rows = self.odoo.read(model, [record_id], [field, "display_name"])
            except OdooMissingError:
                rows = []
            self.records[key] = {**(self.records.get(key) or {}), **rows[0]} if rows else None
        return self.records[key]


def _record_exists(reads: _OdooCache, predicate: OdooRecordExists):
    record = reads.get(predicate.model, predicate.id, "display_name")
    if record is None:
        return False, _gone(predicate.model, predicate.id), None, None
    return True, f"{record.get('display_name') or _the(predicate.model).capitalize()} still exists.", True, None


def _field_matches(reads: _OdooCache, predicate: OdooFieldEquals | OdooFieldIn, currency: str = ""):
    record = reads.get(predicate.model, predicate.id, predicate.field)
    if record is None:
        return False, _gone(predicate.model, predicate.id), None, None
    raw = record.get(predicate.field)
    observed = comparable(raw)
    wanted = [predicate.expected] if isinstance(predicate, OdooFieldEquals) else predicate.allowed
    ok = any(same_value(observed, comparable(value)) for value in wanted)
    field = predicate.field
    now = show_value(raw, field=field, currency=currency)
    if ok:
        name = record.get("display_name") or _the(predicate.model).capitalize()
        return True, f"{name}: {field_label(field).lower()} is still {now}.", observed, None
    was = " or ".join(show_value(value, field=field, currency=currency) for value in wanted)
    return False, _changed(predicate.model, field, observed, now, was), observed, None


def _the(model: str) -> str:
    return f"the {record_noun(model)}"


def _gone(model: str, record_id: int) -> str:
    return f"{_the(model).capitalize()} (#{record_id}) no longer exists in Odoo."


def _changed(model: str, field: str, observed, now: str, was: str) -> str:
    """What changed in Odoo since the proposal, as a person would say it."""
    the = _the(model).capitalize()
    if field == "payment_state" and observed in ("paid", "in_payment"):
        return f"{the} was paid in the meantime."
    if field == "payment_state" and observed in VALUE_WORDS["payment_state"]:
        return f"{the} is now {now} (it was {was})."
    if field == "amount_residual":
        return f"The amount due changed in the meantime: now {now} instead of {was}."
    if field == "stage_id":
        return f"{the} moved to another stage in the meantime (now {now})."
    return f"{the}'s {field_label(field).lower()} changed in the meantime: now {now} instead of {was}."


def comparable(value: Any) -> Any:
    """Odoo's shapes reduced for comparison: many2one pairs to their id, empty to None."""
    if value is False:
        return None
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
        return value[0]
    return value


def same_value(observed: Any, expected: Any) -> bool:
    if isinstance(observed, bool) or isinstance(expected, bool):
        return observed is expected  # JSON true is not 1
    if isinstance(observed, (int, float)) and isinstance(expected, (int, float)) \
            and not isinstance(observed, bool) and not isinstance(expected, bool):
        return abs(float(observed) - float(expected)) < 0.005  # monetary precision
    if isinstance(observed, list) and isinstance(expected, list):
        return sorted(map(str, observed)) == sorted(map(str, expected))
    return observed == expected


def recent_outreach(organization, *, partner_id: int, channel: str, since: datetime, exclude_action=None):
    """The latest contact of this partner on this channel since `since` (sent, or in flight)."""
    in_flight = (OutboundRecord.objects
                 .filter(organization=organization, partner_id=partner_id, channel=channel, created_at__gt=since)
                 .exclude(status=LedgerStatus.NOT_SENT))
    if exclude_action is not None:
        in_flight = in_flight.exclude(action_id=exclude_action)
    latest_flight = in_flight.order_by("-created_at").values_list("created_at", flat=True).first()
    latest_sent = (OutreachState.objects
                   .filter(organization=organization, partner_id=partner_id, channel=channel, last_sent_at__gt=since)
                   .order_by("-last_sent_at").values_list("last_sent_at", flat=True).first())
    return max(filter(None, [latest_flight, latest_sent]), default=None)


def _no_recent_outreach(organization, predicate: NoDuplicateActionInWindow, now: datetime, action_id):
    since = now - timedelta(hours=predicate.hours)
    last = recent_outreach(organization, partner_id=predicate.partner_id, channel=predicate.channel,
                           since=since, exclude_action=action_id)
    channel = "an email" if predicate.channel == "email" else "an SMS"
    if last is None:
        return True, f"Nobody sent this customer {channel} in the last {predicate.hours} h.", None, None
    return (False, f"This customer already got {channel} at {last:%Y-%m-%d %H:%M} UTC "
                   f"(less than {predicate.hours} h ago).", last.isoformat(), None)


def _slot_free(odoo, predicate: CalendarSlotFree, protocol: ActionProtocol, action_id):
    """Nothing busy in the organiser's calendar around the meeting's time; the meeting itself
    (booked by an earlier attempt of this action) does not count."""
    reference = f"AIOM-REF:{action_id}" if action_id else ""
    zone = getattr(protocol.operation.inputs, "timezone", "UTC")
    start, stop = predicate.start.astimezone(ZoneInfo(zone)), predicate.stop.astimezone(ZoneInfo(zone))
    when = f"{start:%a %Y-%m-%d %H:%M}–{stop:%H:%M} ({zone})"
    if slots.still_free(odoo, predicate.organizer_user_id, predicate.start, predicate.stop,
                        exclude_reference=reference):
        return True, f"The slot {when} is still free in the organiser's calendar.", None, None
    return False, f"The slot {when} is no longer free in the organiser's calendar.", "busy", None


def _quiet_hours(predicate: QuietHoursOk, now: datetime):
    next_allowed = next_allowed_time(now, zone=predicate.timezone, start=predicate.start, end=predicate.end,
                                     weekends=predicate.weekends)
    if next_allowed <= now:
        return True, "Inside the sending hours.", None, None
    local = next_allowed.astimezone(ZoneInfo(predicate.timezone))
    return (False, f"Outside sending hours: it waits until {local:%H:%M} on {local:%a %Y-%m-%d} "
                   f"({predicate.timezone}).", None, next_allowed)


def next_allowed_time(now: datetime, *, zone: str, start, end, weekends: bool) -> datetime:
    """`now` if it falls inside the window, else the start of the next allowed window."""
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    for days_ahead in range(0, 8):
        day = (local + timedelta(days=days_ahead)).date()
        if not weekends and day.weekday() >= 5:
            continue
        window_start = datetime.combine(day, start, tzinfo=tz)
        window_end = datetime.combine(day, end, tzinfo=tz)
        if local < window_end:
            return now if local >= window_start else window_start.astimezone(now.tzinfo)
    raise AssertionError("a week always has an allowed window")  # unreachable: start < end is validated


def channel_of(protocol: ActionProtocol) -> str:
    return protocol.spec.op.channel


def revision_for_observed_state(protocol: ActionProtocol, failures: list[CheckResult]) -> ActionProtocol | None:
    """The protocol rewritten around what Odoo holds now, for a human to approve again.

    Field checks expect the observed value, the diff's `before` shows it, and a stage move
    expects the stage the record is in now. None when the action no longer makes sense
    (the record is gone, or it already reached the target stage).
    """
    data = protocol.model_dump(mode="json")
    checks = {check["check_id"]: check for check in data["revalidation_plan"]["checks"]}
    for failure in failures:
        predicate = checks[failure.check_id]["predicate"]
        if failure.observed is None or predicate["type"] not in ("odoo_field_equals", "odoo_field_in"):
            return None
        if predicate["type"] == "odoo_field_equals":
            predicate["expected"] = failure.observed
        else:
            predicate["allowed"] = [failure.observed]
        for change in data["proposed_changes"]:
            if (change["model"], change["record_id"], change["field"]) == (predicate["model"], predicate["id"],
                                                                           predicate["field"]):
                change["before"] = failure.observed
        inputs = data["operation"]["inputs"]
        if data["safe_operation"] == "update_odoo_stage" and predicate["field"] == "stage_id" \
                and (inputs["model"], inputs["record_id"]) == (predicate["model"], predicate["id"]):
            if failure.observed == inputs["new_stage_id"]:
                return None
            inputs["expected_stage_id"] = failure.observed
    data["metadata"] = {**data["metadata"], "revised_after": "revalidation"}
    return parse_protocol(data)
