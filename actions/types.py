"""The registry: one entry per safe operation and one per action type, read by everyone.

Everything AIOM knows about a kind of action lives here — which operation runs it, its risk
floor, the guardrail switch it needs, whether it reaches people outside, how it could be
undone, whether it may run by itself, what a person may edit, whether a draft has a subject and
how long its body may be, the function that performs it and the recommender's builder. The
protocol, guardrails, forms, templates, executor, recommender and the drafting rules ask this
module instead of keeping tables of their own, so adding an action type is one `register()`
call (plus its operation, if it needs a new one). See docs/architecture.md.

Handlers and builders are named by dotted path and imported when first used: the registry
stays a leaf that the protocol can import, and actions never import the analyzers.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Callable, Literal

from django.utils.module_loading import import_string
from pydantic import create_model

from .fields import OUTSIDE_CHANNELS, Channel, RiskLevel, RollbackStrategy, Strict
from .inputs import (
    CreateCalendarEventInputs,
    CreateInternalNoteInputs,
    CreateOdooExpenseInputs,
    CreateOdooTaskInputs,
    LogOdooActivityInputs,
    ScheduleFollowUpInputs,
    SendEmailInputs,
    SendSmsInputs,
    UpdateOdooStageInputs,
)
from integrations.channels import SMS_MAX_CHARS

# ---------------------------------------------------------------------------------------------
# Approvals by risk


@dataclass(frozen=True)
class RiskRule:
    approvals: int
    #: An approval link alone is not a strong enough factor: the approver must be logged in.
    link_needs_login: bool
    #: Approvers are also told by SMS, not only by email.
    notify_by_sms: bool
    #: Approved one at a time, after reading each, unless the organisation allows it in bulk.
    bulk_only_if_allowed: bool
    #: The person who asked for it (`created_by` user:<id>) may approve it too.
    proposer_may_approve: bool = True


RISK_RULES: dict[RiskLevel, RiskRule] = {
    RiskLevel.LOW: RiskRule(approvals=1, link_needs_login=False, notify_by_sms=False, bulk_only_if_allowed=False),
    RiskLevel.MEDIUM: RiskRule(approvals=1, link_needs_login=False, notify_by_sms=False, bulk_only_if_allowed=False),
    RiskLevel.HIGH: RiskRule(approvals=1, link_needs_login=True, notify_by_sms=True, bulk_only_if_allowed=True,
                              proposer_may_approve=False),
    RiskLevel.CRITICAL: RiskRule(approvals=2, link_needs_login=True, notify_by_sms=True, bulk_only_if_allowed=True,
                                 proposer_may_approve=False),
}
LOGIN_REQUIRED_RISKS = frozenset(risk for risk, rule in RISK_RULES.items() if rule.link_needs_login)
SMS_NOTIFY_RISKS = frozenset(risk for risk, rule in RISK_RULES.items() if rule.notify_by_sms)


def approvals_required(risk_level: str) -> int:
    """How many different people must approve an action of this risk."""
    return RISK_RULES[RiskLevel(risk_level)].approvals


# ---------------------------------------------------------------------------------------------
# Safe operations: the only ways anything touches the outside world.


class SafeOperation(StrEnum):
    SEND_EMAIL = "send_email"
    SEND_SMS = "send_sms"
    CREATE_ODOO_TASK = "create_odoo_task"
    UPDATE_ODOO_STAGE = "update_odoo_stage"
    LOG_ODOO_ACTIVITY = "log_odoo_activity"
    CREATE_INTERNAL_NOTE = "create_internal_note"
    SCHEDULE_FOLLOW_UP = "schedule_follow_up"
    CREATE_ODOO_EXPENSE = "create_odoo_expense"
    CREATE_CALENDAR_EVENT = "create_calendar_event"


#: Longest body AIOM writes for an internal text.
NOTE_BODY_LIMIT = 5000
Subject = Literal["required", "optional", "none"]


@dataclass(frozen=True)
class OperationSpec:
    name: SafeOperation
    inputs: type[Strict]
    channel: Channel
    rollback: RollbackStrategy
    #: Dotted path of the function that performs it: handler(context, inputs) -> Result.
    handler: str
    #: (policy switch, what it allows in words); None: always allowed.
    capability: tuple[str, str] | None = None
    #: May run without approval when the organisation lets low-risk internal actions run.
    auto_executable: bool = False
    #: Inputs a person may change before approving; recipients, amounts and targets never.
    editable: tuple[str, ...] = ()
    #: Whether a message has a subject line (an email) or is one body (an SMS); tasks and
    #: activities have a title.
    subject: Subject = "none"
    #: Longest body AIOM writes for it (the inputs' own limits may be larger): one SMS, a
    #: readable email, a note.
    body_limit: int = NOTE_BODY_LIMIT

    @property
    def external(self) -> bool:
        return self.channel in OUTSIDE_CHANNELS

    @property
    def perform(self) -> Callable:
        return _resolve(self.handler)

    @property
    def model(self) -> type[Strict]:
        """The protocol's `operation` object for this operation: `{type, inputs}`."""
        return _operation_model(self)


OPERATIONS: dict[SafeOperation, OperationSpec] = {spec.name: spec for spec in (
    OperationSpec(SafeOperation.SEND_EMAIL, SendEmailInputs, Channel.EMAIL, RollbackStrategy.NOT_POSSIBLE,
                  "actions.operations.send_email", capability=("may_send_email", "Sending email"),
                  editable=("subject", "body"), subject="required", body_limit=2000),
    OperationSpec(SafeOperation.SEND_SMS, SendSmsInputs, Channel.SMS, RollbackStrategy.NOT_POSSIBLE,
                  "actions.operations.send_sms", capability=("may_send_sms", "Sending SMS"),
                  editable=("body",), body_limit=SMS_MAX_CHARS),
    OperationSpec(SafeOperation.CREATE_ODOO_TASK, CreateOdooTaskInputs, Channel.ODOO, RollbackStrategy.DELETE_RECORD,
                  "actions.operations.create_odoo_task", capability=("may_create_tasks", "Creating Odoo tasks"),
                  auto_executable=True, editable=("name", "description", "date_deadline"), subject="optional"),
    OperationSpec(SafeOperation.UPDATE_ODOO_STAGE, UpdateOdooStageInputs, Channel.ODOO,
                  RollbackStrategy.RESTORE_PREVIOUS, "actions.operations.update_odoo_stage",
                  capability=("may_move_deal_stages", "Moving deal stages")),
    OperationSpec(SafeOperation.LOG_ODOO_ACTIVITY, LogOdooActivityInputs, Channel.ODOO,
                  RollbackStrategy.DELETE_RECORD, "actions.operations.log_odoo_activity", auto_executable=True,
                  editable=("summary", "note", "date_deadline"), subject="optional"),
    OperationSpec(SafeOperation.CREATE_INTERNAL_NOTE, CreateInternalNoteInputs, Channel.ODOO, RollbackStrategy.MANUAL,
                  "actions.operations.create_internal_note", auto_executable=True, editable=("body",)),
    OperationSpec(SafeOperation.SCHEDULE_FOLLOW_UP, ScheduleFollowUpInputs, Channel.INTERNAL,
                  RollbackStrategy.DELETE_RECORD, "actions.operations.schedule_follow_up", auto_executable=True,
                  editable=("follow_up_at", "reason"), subject="optional"),
    # Money leaves only when someone in Odoo submits, approves and pays it: the draft is internal.
    OperationSpec(SafeOperation.CREATE_ODOO_EXPENSE, CreateOdooExpenseInputs, Channel.ODOO,
                  RollbackStrategy.DELETE_RECORD, "actions.operations.create_odoo_expense",
                  capability=("may_create_expenses", "Recording draft expenses"),
                  editable=("name", "description", "date")),
    # A meeting is an Odoo event, but its invitation is an email to people outside: the email
    # channel makes it external (always approved by a person), subject to the email switch, the
    # emails-per-hour limit, the outreach window and the customer's contact budget, and the
    # outbound record keeps the invitation to one send. The invitation cannot be unsent: a
    # person cancels the meeting if it must not happen.
    OperationSpec(SafeOperation.CREATE_CALENDAR_EVENT, CreateCalendarEventInputs, Channel.EMAIL,
                  RollbackStrategy.MANUAL, "actions.meetings.create_calendar_event",
                  capability=("may_send_email", "Sending email"), editable=("name", "description"),
                  subject="required", body_limit=2000),
)}


# ---------------------------------------------------------------------------------------------
# Action types


class ActionType(StrEnum):
    """Names of the built-in types, for code that names one; the registry decides what exists."""

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
    # What people ask the assistant for.
    CREATE_REQUESTED_TASK = "create_requested_task"
    SCHEDULE_CALL = "schedule_call"
    EMAIL_CUSTOMER = "email_customer"
    RECORD_EXPENSE = "record_expense"
    # The levels of follow-up sequences (followups/).
    SEND_DUNNING_EMAIL = "send_dunning_email"
    SEND_DUNNING_SMS = "send_dunning_sms"
    CREATE_DUNNING_TASK = "create_dunning_task"
    THANK_FOR_PAYMENT = "thank_for_payment"
    # Meetings (actions/meetings.py).
    SCHEDULE_MEETING = "schedule_meeting"


@dataclass(frozen=True)
class ActionTypeSpec:
    name: str
    operation: SafeOperation
    #: The lowest risk it can carry: guardrails raise a lower declared risk to this.
    risk_floor: RiskLevel
    #: What people call it (filters, reasons).
    label: str
    #: Dotted path of the analyzers' builder: builder(finding, intent, ctx) -> (inputs, effects,
    #: changes, checks). None: the recommender never proposes it.
    builder: str | None = None
    #: For messages the recommender titles "<prefix>: <finding>".
    title_prefix: str | None = None
    #: For outside messages, the template that lays out their facts and prose (`analyzers.messages`).
    message_template: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "name", str(self.name))  # a plain name, also for built-in ones

    @property
    def op(self) -> OperationSpec:
        return OPERATIONS[self.operation]

    @property
    def external(self) -> bool:
        return self.op.external

    @property
    def subject(self) -> Subject:
        return self.op.subject

    @property
    def body_limit(self) -> int:
        return self.op.body_limit


ACTION_TYPES: dict[str, ActionTypeSpec] = {}


class UnknownActionType(LookupError):
    pass


def register(spec: ActionTypeSpec) -> ActionTypeSpec:
    """Add an action type; its name must be new and its operation known."""
    if spec.name in ACTION_TYPES:
        raise ValueError(f"action type {spec.name!r} is already registered")
    if spec.operation not in OPERATIONS:
        raise ValueError(f"action type {spec.name!r} names an unknown operation {spec.operation!r}")
    if not spec.name.replace("_", "").isalnum() or not spec.name.islower() or len(spec.name) > 40:
        raise ValueError(f"action type names are lower_case_words of at most 40 characters, not {spec.name!r}")
    ACTION_TYPES[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    ACTION_TYPES.pop(name, None)


def action_type(name: str) -> ActionTypeSpec:
    try:
        return ACTION_TYPES[str(name)]
    except KeyError:
        raise UnknownActionType(f"unknown action type {name!r}") from None


def action_type_choices() -> list[tuple[str, str]]:
    return [(name, spec.label) for name, spec in ACTION_TYPES.items()]


#: Operations whose protocol must be at least v1.2 (they did not exist before it).
SINCE_V12 = frozenset({SafeOperation.CREATE_CALENDAR_EVENT})

_EMAIL, _SMS = SafeOperation.SEND_EMAIL, SafeOperation.SEND_SMS
for _spec in (
    ActionTypeSpec(ActionType.SEND_INVOICE_REMINDER, _EMAIL, RiskLevel.MEDIUM, "send invoice reminder",
                   builder="analyzers.builders.email", title_prefix="Email reminder",
                   message_template="emails/invoice_reminder"),
    ActionTypeSpec(ActionType.SEND_INVOICE_REMINDER_SMS, _SMS, RiskLevel.HIGH, "send invoice reminder sms",
                   builder="analyzers.builders.sms", title_prefix="SMS reminder",
                   message_template="messages/invoice_reminder_sms.txt"),
    ActionTypeSpec(ActionType.FOLLOW_UP_STALLED_DEAL, _EMAIL, RiskLevel.MEDIUM, "follow up stalled deal",
                   builder="analyzers.builders.email", title_prefix="Follow-up email",
                   message_template="emails/deal_follow_up"),
    ActionTypeSpec(ActionType.SCHEDULE_DEAL_CALL, SafeOperation.LOG_ODOO_ACTIVITY, RiskLevel.LOW,
                   "schedule deal call", builder="analyzers.builders.activity"),
    ActionTypeSpec(ActionType.ADVANCE_DEAL_STAGE, SafeOperation.UPDATE_ODOO_STAGE, RiskLevel.MEDIUM,
                   "advance deal stage"),
    ActionTypeSpec(ActionType.CREATE_COLLECTION_TASK, SafeOperation.CREATE_ODOO_TASK, RiskLevel.LOW,
                   "create collection task", builder="analyzers.builders.task"),
    # Work assigned to people for the whole company (cash runway): someone should agree to it.
    ActionTypeSpec(ActionType.CREATE_STAFF_TASK, SafeOperation.CREATE_ODOO_TASK, RiskLevel.MEDIUM,
                   "create staff task", builder="analyzers.builders.task"),
    ActionTypeSpec(ActionType.NOTE_OVERDUE_TASK, SafeOperation.CREATE_INTERNAL_NOTE, RiskLevel.LOW,
                   "note overdue task", builder="analyzers.builders.note"),
    ActionTypeSpec(ActionType.NOTE_ON_RECORD, SafeOperation.CREATE_INTERNAL_NOTE, RiskLevel.LOW,
                   "note on record", builder="analyzers.builders.note"),
    ActionTypeSpec(ActionType.SCHEDULE_NEXT_FOLLOW_UP, SafeOperation.SCHEDULE_FOLLOW_UP, RiskLevel.LOW,
                   "schedule next follow up"),
    ActionTypeSpec(ActionType.CREATE_REQUESTED_TASK, SafeOperation.CREATE_ODOO_TASK, RiskLevel.LOW,
                   "create task on request"),
    ActionTypeSpec(ActionType.SCHEDULE_CALL, SafeOperation.LOG_ODOO_ACTIVITY, RiskLevel.LOW, "schedule call"),
    ActionTypeSpec(ActionType.EMAIL_CUSTOMER, _EMAIL, RiskLevel.MEDIUM, "email a customer", title_prefix="Email",
                   message_template="emails/customer_message"),
    ActionTypeSpec(ActionType.RECORD_EXPENSE, SafeOperation.CREATE_ODOO_EXPENSE, RiskLevel.MEDIUM,
                   "record draft expense"),
    ActionTypeSpec(ActionType.SEND_DUNNING_EMAIL, _EMAIL, RiskLevel.MEDIUM, "follow-up email about invoices",
                   message_template="emails/dunning"),
    ActionTypeSpec(ActionType.SEND_DUNNING_SMS, _SMS, RiskLevel.HIGH, "follow-up sms about invoices",
                   message_template="messages/dunning_sms.txt"),
    ActionTypeSpec(ActionType.CREATE_DUNNING_TASK, SafeOperation.CREATE_ODOO_TASK, RiskLevel.LOW,
                   "follow-up collection task"),
    ActionTypeSpec(ActionType.THANK_FOR_PAYMENT, _EMAIL, RiskLevel.MEDIUM, "thank you for your payment",
                   message_template="emails/payment_thanks"),
    ActionTypeSpec(ActionType.SCHEDULE_MEETING, SafeOperation.CREATE_CALENDAR_EVENT, RiskLevel.MEDIUM,
                   "book a meeting", builder="analyzers.builders.meeting", title_prefix="Book a call"),
):
    register(_spec)


# ---------------------------------------------------------------------------------------------


@cache
def _resolve(path: str) -> Callable:
    return import_string(path)


@cache
def _operation_model(spec: OperationSpec) -> type[Strict]:
    name = "".join(part.capitalize() for part in spec.name.value.split("_")) + "Operation"
    return create_model(name, __base__=Strict, type=(Literal[spec.name], ...), inputs=(spec.inputs, ...))
