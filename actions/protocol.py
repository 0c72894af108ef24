"""Action Protocol v1.1: the one, strict shape of everything AIOM proposes to do.

An action says exactly what will change (before → after), who will be contacted, and which
preconditions must still hold at execution. It is validated whole at the edge (recommender,
LLM output, API, edits) and stored whole; its SHA-256 over canonical JSON (`protocol_hash`)
is what approvals and approval tokens bind to.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    FiniteFloat,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from aiom.errors import ApplicationError
from aiom.timezones import known_timezones

PROTOCOL_VERSION = "1.1"


class ActionType(StrEnum):
    SEND_INVOICE_REMINDER = "send_invoice_reminder"
    SEND_INVOICE_REMINDER_SMS = "send_invoice_reminder_sms"
    FOLLOW_UP_STALLED_DEAL = "follow_up_stalled_deal"
    SCHEDULE_DEAL_CALL = "schedule_deal_call"
    ADVANCE_DEAL_STAGE = "advance_deal_stage"
    CREATE_COLLECTION_TASK = "create_collection_task"
    CREATE_STAFF_TASK = "create_staff_task"
    NOTE_OVERDUE_TASK = "note_overdue_task"
    NOTE_ON_RECORD = "note_on_record"
    SCHEDULE_NEXT_FOLLOW_UP = "schedule_next_follow_up"


class SafeOperation(StrEnum):
    SEND_EMAIL = "send_email"
    SEND_SMS = "send_sms"
    CREATE_ODOO_TASK = "create_odoo_task"
    UPDATE_ODOO_STAGE = "update_odoo_stage"
    LOG_ODOO_ACTIVITY = "log_odoo_activity"
    CREATE_INTERNAL_NOTE = "create_internal_note"
    SCHEDULE_FOLLOW_UP = "schedule_follow_up"


#: The one table: each action type runs through exactly one safe operation.
OPERATION_FOR_ACTION: dict[ActionType, SafeOperation] = {
    ActionType.SEND_INVOICE_REMINDER: SafeOperation.SEND_EMAIL,
    ActionType.SEND_INVOICE_REMINDER_SMS: SafeOperation.SEND_SMS,
    ActionType.FOLLOW_UP_STALLED_DEAL: SafeOperation.SEND_EMAIL,
    ActionType.SCHEDULE_DEAL_CALL: SafeOperation.LOG_ODOO_ACTIVITY,
    ActionType.ADVANCE_DEAL_STAGE: SafeOperation.UPDATE_ODOO_STAGE,
    ActionType.CREATE_COLLECTION_TASK: SafeOperation.CREATE_ODOO_TASK,
    ActionType.CREATE_STAFF_TASK: SafeOperation.CREATE_ODOO_TASK,
    ActionType.NOTE_OVERDUE_TASK: SafeOperation.CREATE_INTERNAL_NOTE,
    ActionType.NOTE_ON_RECORD: SafeOperation.CREATE_INTERNAL_NOTE,
    ActionType.SCHEDULE_NEXT_FOLLOW_UP: SafeOperation.SCHEDULE_FOLLOW_UP,
}


class RollbackStrategy(StrEnum):
    DELETE_RECORD = "delete_record"
    RESTORE_PREVIOUS = "restore_previous"
    MANUAL = "manual"
    NOT_POSSIBLE = "not_possible"


#: How each operation could be undone; the protocol's `rollback_strategy` must agree.
ROLLBACK_FOR_OPERATION: dict[SafeOperation, RollbackStrategy] = {
    SafeOperation.SEND_EMAIL: RollbackStrategy.NOT_POSSIBLE,
    SafeOperation.SEND_SMS: RollbackStrategy.NOT_POSSIBLE,
    SafeOperation.CREATE_ODOO_TASK: RollbackStrategy.DELETE_RECORD,
    SafeOperation.UPDATE_ODOO_STAGE: RollbackStrategy.RESTORE_PREVIOUS,
    SafeOperation.LOG_ODOO_ACTIVITY: RollbackStrategy.DELETE_RECORD,
    SafeOperation.CREATE_INTERNAL_NOTE: RollbackStrategy.MANUAL,
    SafeOperation.SCHEDULE_FOLLOW_UP: RollbackStrategy.DELETE_RECORD,
}

EXTERNAL_OPERATIONS = frozenset({SafeOperation.SEND_EMAIL, SafeOperation.SEND_SMS})


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)

    @classmethod
    def highest(cls, *levels: "RiskLevel") -> "RiskLevel":
        return max((cls(level) for level in levels), key=lambda level: level.rank)


class Source(StrEnum):
    ANALYZER = "analyzer"
    FOLLOW_UP = "follow_up"
    ASSISTANT = "assistant"
    DASHBOARD = "dashboard"
    API = "api"


# ---------------------------------------------------------------------------------------------
# Field types


def _no_line_breaks(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must not contain line breaks (CR or LF)")
    return value


def _known_timezone(value: str) -> str:
    if value not in known_timezones():
        raise ValueError(f"unknown time zone {value!r}")
    return value


OdooId = Annotated[int, Field(gt=0, le=2**31 - 1)]
OdooModel = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$", max_length=64)]
OdooField = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
SingleLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Subject = Annotated[SingleLine, Field(description="1–255 characters, no CR/LF")]
E164 = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
TimeZoneName = Annotated[str, Field(max_length=64, description="IANA time zone, e.g. Europe/Brussels")]
#: JSON values a change or predicate may carry (Odoo's: scalars, many2one pairs, id lists).
#: NaN and infinities have no JSON form: they could be neither hashed nor stored.
JsonScalar = Union[None, bool, int, FiniteFloat, str]
JsonValue = Union[JsonScalar, list[JsonScalar]]


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    @field_validator("*")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        """NUL has no place in text, and PostgreSQL cannot store it: refuse it here, by field."""
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


# ---------------------------------------------------------------------------------------------
# Operations: the only ways anything touches the outside world.


class SendEmailInputs(_Strict):
    to: list[EmailStr] = Field(min_length=1, max_length=10)
    cc: list[EmailStr] = Field(default_factory=list, max_length=10)
    subject: Subject
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None

    _subject_single_line = field_validator("subject")(_no_line_breaks)

    @model_validator(mode="after")
    def _limit_recipients(self):
        if len(self.to) + len(self.cc) > 10:
            raise ValueError("at most 10 recipients in to and cc together")
        if not self.body.strip():
            raise ValueError("body must not be blank")
        return self


class SendSmsInputs(_Strict):
    to: E164
    body: Annotated[str, StringConstraints(min_length=1, max_length=640)]
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None


class SubTask(_Strict):
    name: SingleLine
    description: Annotated[str, Field(max_length=10000)] = ""
    assignee_user_ids: list[OdooId] = Field(default_factory=list, max_length=10)
    date_deadline: date | None = None


class CreateOdooTaskInputs(_Strict):
    project_id: OdooId
    name: SingleLine
    description: Annotated[str, Field(max_length=10000)] = ""
    assignee_user_ids: list[OdooId] = Field(default_factory=list, max_length=10)
    date_deadline: date | None = None
    priority: Literal["0", "1"] = "0"
    subtasks: list[SubTask] = Field(default_factory=list, max_length=20)
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None


class UpdateOdooStageInputs(_Strict):
    model: Literal["crm.lead", "project.task"]
    record_id: OdooId
    expected_stage_id: OdooId = Field(description="the stage the record must still be in")
    new_stage_id: OdooId

    @model_validator(mode="after")
    def _moves(self):
        if self.expected_stage_id == self.new_stage_id:
            raise ValueError("new_stage_id must differ from expected_stage_id")
        return self


class LogOdooActivityInputs(_Strict):
    model: OdooModel
    record_id: OdooId
    activity_type: Literal["call", "todo", "email", "meeting"]
    summary: SingleLine
    note: Annotated[str, Field(max_length=5000)] = ""
    date_deadline: date
    user_id: OdooId | None = None


class CreateInternalNoteInputs(_Strict):
    model: OdooModel
    record_id: OdooId
    body: Annotated[str, StringConstraints(min_length=1, max_length=10000)]


class ScheduleFollowUpInputs(_Strict):
    follow_up_at: AwareDatetime
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    channel: Literal["email", "sms", "call", "internal"] = "internal"
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None


class SendEmailOperation(_Strict):
    type: Literal[SafeOperation.SEND_EMAIL]
    inputs: SendEmailInputs


class SendSmsOperation(_Strict):
    type: Literal[SafeOperation.SEND_SMS]
    inputs: SendSmsInputs


class CreateOdooTaskOperation(_Strict):
    type: Literal[SafeOperation.CREATE_ODOO_TASK]
    inputs: CreateOdooTaskInputs


class UpdateOdooStageOperation(_Strict):
    type: Literal[SafeOperation.UPDATE_ODOO_STAGE]
    inputs: UpdateOdooStageInputs


class LogOdooActivityOperation(_Strict):
    type: Literal[SafeOperation.LOG_ODOO_ACTIVITY]
    inputs: LogOdooActivityInputs


class CreateInternalNoteOperation(_Strict):
    type: Literal[SafeOperation.CREATE_INTERNAL_NOTE]
    inputs: CreateInternalNoteInputs


class ScheduleFollowUpOperation(_Strict):
    type: Literal[SafeOperation.SCHEDULE_FOLLOW_UP]
    inputs: ScheduleFollowUpInputs


Operation = Annotated[
    Union[
        SendEmailOperation,
        SendSmsOperation,
        CreateOdooTaskOperation,
        UpdateOdooStageOperation,
        LogOdooActivityOperation,
        CreateInternalNoteOperation,
        ScheduleFollowUpOperation,
    ],
    Field(discriminator="type"),
]


# ---------------------------------------------------------------------------------------------
# Revalidation: what must still be true when the action runs.


class OdooRecordExists(_Strict):
    type: Literal["odoo_record_exists"]
    model: OdooModel
    id: OdooId


class OdooFieldEquals(_Strict):
    type: Literal["odoo_field_equals"]
    model: OdooModel
    id: OdooId
    field: OdooField
    expected: JsonValue


class OdooFieldIn(_Strict):
    type: Literal["odoo_field_in"]
    model: OdooModel
    id: OdooId
    field: OdooField
    allowed: list[JsonScalar] = Field(min_length=1, max_length=50)


class NoDuplicateActionInWindow(_Strict):
    type: Literal["no_duplicate_action_in_window"]
    partner_id: OdooId
    channel: Literal["email", "sms"]
    hours: int = Field(gt=0, le=24 * 30)


class QuietHoursOk(_Strict):
    type: Literal["quiet_hours_ok"]
    timezone: TimeZoneName
    start: time = Field(description="start of the allowed sending window, local time")
    end: time = Field(description="end of the allowed sending window, local time")
    weekends: bool = Field(False, description="whether sending is allowed on Saturday and Sunday")

    _known_tz = field_validator("timezone")(_known_timezone)

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


Predicate = Annotated[
    Union[OdooRecordExists, OdooFieldEquals, OdooFieldIn, NoDuplicateActionInWindow, QuietHoursOk],
    Field(discriminator="type"),
]


class Severity(StrEnum):
    BLOCK = "block"
    REQUIRE_REAPPROVAL = "require_reapproval"


class RevalidationCheck(_Strict):
    check_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_\-]{1,64}$")]
    predicate: Predicate
    severity_on_fail: Severity = Severity.BLOCK


class RevalidationPlan(_Strict):
    checks: list[RevalidationCheck] = Field(default_factory=list, max_length=20)

    @field_validator("checks")
    @classmethod
    def _unique_ids(cls, checks):
        ids = [check.check_id for check in checks]
        if len(ids) != len(set(ids)):
            raise ValueError("check_id values must be unique")
        return checks


# ---------------------------------------------------------------------------------------------
# What approvers see


class ProposedChange(_Strict):
    model: OdooModel
    record_id: OdooId | None = Field(None, description="None for a record still to be created")
    field: OdooField
    before: JsonValue = None
    after: JsonValue = None
    change_type: Literal["set", "create", "append", "delete"]


class ExternalEffect(_Strict):
    effect_type: Literal["email", "sms"]
    recipient: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    recipient_partner_id: OdooId | None = None
    subject: Subject | None = None
    preview: Annotated[str, Field(max_length=1000)] = ""

    _subject_single_line = field_validator("subject")(lambda v: v if v is None else _no_line_breaks(v))


class AffectedRecords(_Strict):
    odoo_model: OdooModel
    odoo_ids: list[OdooId] = Field(min_length=1, max_length=100)
    description: Annotated[str, Field(max_length=500)] = ""


class EstimatedImpact(_Strict):
    revenue_change: float | None = Field(None, allow_inf_nan=False)
    cash_runway_change_days: float | None = Field(None, allow_inf_nan=False)
    time_saved_hours: float | None = Field(None, ge=0, le=10000, allow_inf_nan=False)
    risk_reduction_score: int | None = Field(None, ge=0, le=100)


Metadata = dict[Annotated[str, StringConstraints(max_length=64)], JsonValue]


class ActionProtocol(_Strict):
    version: Literal["1.1"] = PROTOCOL_VERSION
    action_id: UUID
    action_type: ActionType
    safe_operation: SafeOperation
    operation: Operation
    risk_level: RiskLevel
    requires_approval: bool = True
    title: SingleLine
    expected_effect: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)]
    reasoning: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=1000)]
    proposed_changes: list[ProposedChange] = Field(default_factory=list, max_length=50)
    revalidation_plan: RevalidationPlan = Field(default_factory=RevalidationPlan)
    external_effects: list[ExternalEffect] = Field(default_factory=list, max_length=10)
    affected_records: AffectedRecords
    estimated_impact: EstimatedImpact | None = None
    rollback_strategy: RollbackStrategy | None = None
    idempotency_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{8,200}$")]
    created_at: AwareDatetime
    expires_at: AwareDatetime
    created_by: Annotated[str, StringConstraints(pattern=r"^(ai_coo|system|user:[0-9]{1,12})$")]
    source: Source
    analysis_id: Annotated[str, Field(max_length=64)] | None = None
    finding_id: Annotated[str, Field(max_length=64)] | None = None
    metadata: Metadata = Field(default_factory=dict, max_length=50)

    _title_single_line = field_validator("title")(_no_line_breaks)

    @model_validator(mode="before")
    @classmethod
    def _derive_rollback(cls, data: Any) -> Any:
        """Fill `rollback_strategy` from the operation when the author left it out."""
        if isinstance(data, dict) and data.get("rollback_strategy") is None:
            operation = data.get("safe_operation")
            if operation in SafeOperation.__members__.values():
                data = {**data, "rollback_strategy": ROLLBACK_FOR_OPERATION[SafeOperation(operation)]}
        return data

    @model_validator(mode="after")
    def _consistent(self):
        expected = OPERATION_FOR_ACTION[self.action_type]
        if self.safe_operation != expected:
            raise ValueError(
                f"safe_operation {self.safe_operation.value!r} does not match action_type "
                f"{self.action_type.value!r}, which runs through {expected.value!r}"
            )
        if self.operation.type != self.safe_operation:
            raise ValueError(
                f"operation.type {self.operation.type.value!r} must equal safe_operation {self.safe_operation.value!r}"
            )
        if self.rollback_strategy != ROLLBACK_FOR_OPERATION[self.safe_operation]:
            raise ValueError(
                f"rollback_strategy must be {ROLLBACK_FOR_OPERATION[self.safe_operation].value!r} "
                f"for {self.safe_operation.value!r}"
            )
        if self.expires_at <= self.created_at:
            raise ValueError("expires_at must be after created_at")
        self._check_external_effects()
        return self

    def _check_external_effects(self) -> None:
        """Approvers must see exactly who will be contacted: effects mirror the operation."""
        inputs = self.operation.inputs
        if self.safe_operation == SafeOperation.SEND_EMAIL:
            expected = {("email", address.lower()) for address in [*inputs.to, *inputs.cc]}
        elif self.safe_operation == SafeOperation.SEND_SMS:
            expected = {("sms", inputs.to)}
        else:
            expected = set()
        shown = {(effect.effect_type, effect.recipient.lower() if effect.effect_type == "email" else effect.recipient)
                 for effect in self.external_effects}
        if shown != expected:
            if not expected:
                raise ValueError(f"{self.safe_operation.value!r} contacts nobody: external_effects must be empty")
            raise ValueError(
                "external_effects must list exactly the recipients of the operation "
                f"(operation: {sorted(r for _, r in expected)}, shown: {sorted(r for _, r in shown)})"
            )

    # -- helpers --------------------------------------------------------------------------

    @property
    def is_external(self) -> bool:
        return self.safe_operation in EXTERNAL_OPERATIONS

    def canonical_json(self) -> str:
        return canonical_json(self.model_dump(mode="json"))

    @property
    def protocol_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @property
    def parameters_fingerprint(self) -> str:
        """What an idempotency key promises: same key must mean the same thing to do."""
        substance = {
            "action_type": self.action_type.value,
            "operation": self.operation.model_dump(mode="json"),
            "affected_records": self.affected_records.model_dump(mode="json"),
        }
        return hashlib.sha256(canonical_json(substance).encode("utf-8")).hexdigest()

    def is_expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(timezone.utc)) >= self.expires_at

    def revise(self, **changes: Any) -> "ActionProtocol":
        """A new validated revision with `changes` applied (nested dicts merge)."""
        data = _deep_merge(self.model_dump(mode="json"), changes)
        return parse_protocol(data)


# ---------------------------------------------------------------------------------------------
# Helpers


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal data always gives equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _deep_merge(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ProtocolError(ApplicationError):
    """An action that does not satisfy the protocol; `errors` lists 'field.path: reason'."""

    def __init__(self, errors: list[str]):
        super().__init__("Invalid action: " + "; ".join(errors), {"errors": errors})
        self.errors = errors


def readable_errors(exc: ValidationError) -> list[str]:
    messages = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "(action)"
        reason = error["msg"].removeprefix("Value error, ")
        messages.append(f"{path}: {reason}")
    return messages


def parse_protocol(data: dict | str | bytes | ActionProtocol) -> ActionProtocol:
    """Validate untrusted input into an ActionProtocol, or raise ProtocolError."""
    if isinstance(data, ActionProtocol):
        return data
    try:
        if isinstance(data, (str, bytes)):
            return ActionProtocol.model_validate_json(data)
        if not isinstance(data, dict):
            raise ProtocolError([f"(action): expected a JSON object, got {type(data).__name__}"])
        return ActionProtocol.model_validate(data)
    except ValidationError as exc:
        raise ProtocolError(readable_errors(exc)) from None


_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def build_idempotency_key(
    *, org: str, action_type: ActionType | str, target_model: str, target_id: int,
    window: timedelta = timedelta(days=1), at: datetime | None = None,
) -> str:
    """Deterministic key for 'this action on this target in this time window'.

    Re-running an analysis inside the same window proposes the same key, so `propose()`
    returns the existing action instead of a duplicate.
    """
    if window < timedelta(minutes=1):
        raise ValueError("window must be at least a minute (keys name the window's start to the minute)")
    moment = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    seconds = int(window.total_seconds())
    bucket_start = datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, tz=timezone.utc)
    parts = [org, str(ActionType(action_type).value), target_model, str(int(target_id)),
             bucket_start.strftime("%Y%m%dT%H%M")]
    return ":".join(_KEY_UNSAFE.sub("-", part) for part in parts)


def protocol_json_schema() -> dict:
    return ActionProtocol.model_json_schema()
