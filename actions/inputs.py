"""What each safe operation takes: typed, bounded inputs, validated again before it runs.

Recipients, ids and amounts in here come from Odoo's structured fields (never from text);
the registry (`types.py`) says which of these fields a person may edit.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, EmailStr, Field, StringConstraints, field_validator, model_validator

from integrations.channels import EMAIL_MAX_RECIPIENTS, SMS_MAX_CHARS

from .fields import E164, OdooId, OdooModel, SingleLine, Strict, Subject, no_line_breaks



class SendEmailInputs(Strict):
    to: list[EmailStr] = Field(min_length=1, max_length=EMAIL_MAX_RECIPIENTS)
    cc: list[EmailStr] = Field(default_factory=list, max_length=EMAIL_MAX_RECIPIENTS)
    subject: Subject
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None

    _subject_single_line = field_validator("subject")(no_line_breaks)

    @model_validator(mode="after")
    def _limit_recipients(self):
        if len(self.to) + len(self.cc) > EMAIL_MAX_RECIPIENTS:
            raise ValueError(f"at most {EMAIL_MAX_RECIPIENTS} recipients in to and cc together")
        if not self.body.strip():
            raise ValueError("body must not be blank")
        return self


class SendSmsInputs(Strict):
    to: E164
    body: Annotated[str, StringConstraints(min_length=1, max_length=SMS_MAX_CHARS)]
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None


class SubTask(Strict):
    name: SingleLine
    description: Annotated[str, Field(max_length=10000)] = ""
    assignee_user_ids: list[OdooId] = Field(default_factory=list, max_length=10)
    date_deadline: date | None = None


class CreateOdooTaskInputs(Strict):
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


class UpdateOdooStageInputs(Strict):
    model: Literal["crm.lead", "project.task"]
    record_id: OdooId
    expected_stage_id: OdooId = Field(description="the stage the record must still be in")
    new_stage_id: OdooId

    @model_validator(mode="after")
    def _moves(self):
        if self.expected_stage_id == self.new_stage_id:
            raise ValueError("new_stage_id must differ from expected_stage_id")
        return self


class LogOdooActivityInputs(Strict):
    model: OdooModel
    record_id: OdooId
    activity_type: Literal["call", "todo", "email", "meeting"]
    summary: SingleLine
    note: Annotated[str, Field(max_length=5000)] = ""
    date_deadline: date
    user_id: OdooId | None = None


class CreateInternalNoteInputs(Strict):
    model: OdooModel
    record_id: OdooId
    body: Annotated[str, StringConstraints(min_length=1, max_length=10000)]


class ScheduleFollowUpInputs(Strict):
    follow_up_at: AwareDatetime
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    channel: Literal["email", "sms", "call", "internal"] = "internal"
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None


class CreateOdooExpenseInputs(Strict):
    """A draft expense (`hr.expense`): submitting and approving it stay people's steps in Odoo."""

    employee_id: OdooId
    product_id: OdooId = Field(description="the expense category (a product that can be expensed)")
    name: SingleLine
    total_amount: float = Field(gt=0, le=1_000_000, allow_inf_nan=False, multiple_of=0.01)
    currency_id: OdooId
    date: date
    description: Annotated[str, Field(max_length=2000)] = ""
