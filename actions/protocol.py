"""Action Protocol v1.2: the one, strict shape of everything AIOM proposes to do.

An action says exactly what will change (before → after), who will be contacted, and which
preconditions must still hold at execution. It is validated whole at the edge (recommender,
LLM output, API, edits) and stored whole; its SHA-256 over canonical JSON (`protocol_hash`)
is what approvals and approval tokens bind to. What each action type may be — its operation,
rollback, who it may reach — comes from the registry (`types.py`); this module holds the
envelope and checks an action against its registry entry. See docs/architecture.md.

Versions: 1.2 added meetings (`create_calendar_event`, the `calendar_slot_free` predicate) and
is what AIOM writes; a v1.1 document (every action stored before) still validates as it is,
unless it names something only 1.2 has.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from aiom.errors import ApplicationError
from aiom.text import canonical_json

from . import types
from .fields import (
    JsonValue,
    OdooField,
    OdooId,
    OdooModel,
    RiskLevel,
    RollbackStrategy,
    SingleLine,
    Source,
    Strict,
    Subject,
    no_line_breaks,
)
from .predicates import SINCE_V12_PREDICATES, RevalidationPlan
from .types import SafeOperation

PROTOCOL_VERSION = "1.2"
#: Every version a document may declare; what a version may contain is checked in `_consistent`.
PROTOCOL_VERSIONS = ("1.1", "1.2")

Operation = Annotated[
    Union[tuple(spec.model for spec in types.OPERATIONS.values())],
    Field(discriminator="type"),
]


def _registered_action_type(value: str) -> str:
    if value not in types.ACTION_TYPES:
        raise ValueError(f"Input should be a registered action type ({', '.join(types.ACTION_TYPES)}), "
                         f"not {value!r}")
    return value


#: An action type's name, checked against the registry when validated (registered types only).
ActionTypeName = Annotated[str, AfterValidator(_registered_action_type), WithJsonSchema({"type": "string"})]


# ---------------------------------------------------------------------------------------------
# What approvers see


class ProposedChange(Strict):
    model: OdooModel
    record_id: OdooId | None = Field(None, description="None for a record still to be created")
    field: OdooField
    before: JsonValue = None
    after: JsonValue = None
    change_type: Literal["set", "create", "append", "delete"]


class ExternalEffect(Strict):
    effect_type: Literal["email", "sms"]
    recipient: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    recipient_partner_id: OdooId | None = None
    subject: Subject | None = None
    preview: Annotated[str, Field(max_length=1000)] = ""

    _subject_single_line = field_validator("subject")(lambda v: v if v is None else no_line_breaks(v))


class AffectedRecords(Strict):
    odoo_model: OdooModel
    odoo_ids: list[OdooId] = Field(min_length=1, max_length=100)
    description: Annotated[str, Field(max_length=500)] = ""


class EstimatedImpact(Strict):
    revenue_change: float | None = Field(None, allow_inf_nan=False)
    cash_runway_change_days: float | None = Field(None, allow_inf_nan=False)
    time_saved_hours: float | None = Field(None, ge=0, le=10000, allow_inf_nan=False)
    risk_reduction_score: int | None = Field(None, ge=0, le=100)


Metadata = dict[Annotated[str, StringConstraints(max_length=64)], JsonValue]


class ActionProtocol(Strict):
    version: Literal["1.1", "1.2"] = PROTOCOL_VERSION
    action_id: UUID
    action_type: ActionTypeName
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

    _title_single_line = field_validator("title")(no_line_breaks)

    @model_validator(mode="before")
    @classmethod
    def _derive_rollback(cls, data: Any) -> Any:
        """Fill `rollback_strategy` from the operation when the author left it out."""
        if isinstance(data, dict) and data.get("rollback_strategy") is None:
            operation = data.get("safe_operation")
            if isinstance(operation, str) and operation in types.OPERATIONS:
                data = {**data, "rollback_strategy": types.OPERATIONS[SafeOperation(operation)].rollback}
        return data

    @model_validator(mode="after")
    def _consistent(self):
        expected = self.spec.operation
        if self.safe_operation != expected:
            raise ValueError(
                f"safe_operation {self.safe_operation.value!r} does not match action_type "
                f"{self.action_type!r}, which runs through {expected.value!r}"
            )
        if self.operation.type != self.safe_operation:
            raise ValueError(
                f"operation.type {self.operation.type.value!r} must equal safe_operation {self.safe_operation.value!r}"
            )
        if self.rollback_strategy != self.spec.op.rollback:
            raise ValueError(
                f"rollback_strategy must be {self.spec.op.rollback.value!r} "
                f"for {self.safe_operation.value!r}"
            )
        if self.expires_at <= self.created_at:
            raise ValueError("expires_at must be after created_at")
        self._check_version()
        self._check_external_effects()
        return self

    def _check_version(self) -> None:
        """A v1.1 document cannot carry what only v1.2 defines: meetings and slot checks."""
        if self.version != "1.1":
            return
        if self.safe_operation in types.SINCE_V12:
            raise ValueError(f"{self.safe_operation.value!r} needs protocol version 1.2 (this document says 1.1)")
        if any(check.predicate.type in SINCE_V12_PREDICATES for check in self.revalidation_plan.checks):
            raise ValueError("calendar_slot_free checks need protocol version 1.2 (this document says 1.1)")

    def _check_external_effects(self) -> None:
        """Approvers must see exactly who will be contacted: effects mirror the operation."""
        inputs = self.operation.inputs
        if self.safe_operation == SafeOperation.SEND_EMAIL:
            expected = {("email", address.lower()) for address in [*inputs.to, *inputs.cc]}
        elif self.safe_operation == SafeOperation.SEND_SMS:
            expected = {("sms", inputs.to)}
        elif self.safe_operation == SafeOperation.CREATE_CALENDAR_EVENT:
            expected = {("email", address.lower()) for address in inputs.attendee_emails}
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
    def spec(self) -> types.ActionTypeSpec:
        """The registry's entry for this action's type."""
        return types.action_type(self.action_type)

    @property
    def is_external(self) -> bool:
        return self.spec.external

    def canonical_json(self) -> str:
        return canonical_json(self.model_dump(mode="json"))

    @property
    def protocol_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @property
    def parameters_fingerprint(self) -> str:
        """What an idempotency key promises: same key must mean the same thing to do."""
        substance = {
            "action_type": self.action_type,
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
    *, org: str, action_type: str, target_model: str, target_id: int,
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
    parts = [org, types.action_type(action_type).name, target_model, str(int(target_id)),
             bucket_start.strftime("%Y%m%dT%H%M")]
    return ":".join(_KEY_UNSAFE.sub("-", part) for part in parts)


def protocol_json_schema() -> dict:
    """The JSON schema (Action Protocol v1.2, which also describes v1.1 documents), with the
    action types registered now."""
    schema = ActionProtocol.model_json_schema()
    schema["$defs"]["ActionType"] = {"title": "ActionType", "type": "string",
                                     "enum": [str(name) for name in types.ACTION_TYPES]}
    schema["properties"]["action_type"] = {"$ref": "#/$defs/ActionType"}
    schema["description"] = (f"Action Protocol v{PROTOCOL_VERSION}. Version 1.1 documents remain valid; "
                             f"{', '.join(sorted(op.value for op in types.SINCE_V12))} and calendar_slot_free "
                             "checks need version 1.2.")
    return schema
