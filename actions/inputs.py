"""What each safe operation takes: typed, bounded inputs, validated again before it runs.

Recipients, ids and amounts in here come from Odoo's structured fields (never from text);
the registry (`types.py`) says which of these fields a person may edit.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, EmailStr, Field, StringConstraints, field_validator, model_validator

from integrations.channels import EMAIL_MAX_RECIPIENTS, SMS_MAX_CHARS

from .fields import E164, OdooId, OdooModel, SingleLine, Strict, Subject, no_line_breaks

#: Files one email may carry, and their size together (decoded), checked again when it is sent.
EMAIL_MAX_ATTACHMENTS = 10
EMAIL_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024


def pdf_file_name(value: str) -> str:
    """A name a mail client saves as it is: one line, no folder, a PDF. Names come from Odoo,
    where anyone who uploads a file chooses them; they are cleaned before they get here."""
    no_line_breaks(value)
    if "/" in value or "\\" in value:
        raise ValueError("must not contain path separators (/ or \\)")
    if value.startswith(".") or not value.lower().endswith(".pdf") or value != value.strip():
        raise ValueError("must be a file name ending in .pdf, without leading dots or surrounding spaces")
    return value


class EmailAttachment(Strict):
    """An Odoo attachment (`ir.attachment`) the email carries: read when it is sent, and sent only
    if its bytes still have the sha1 `checksum` that was approved."""

    attachment_id: OdooId
    name: Annotated[str, StringConstraints(min_length=5, max_length=100)]
    checksum: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]

    _file_name = field_validator("name")(pdf_file_name)


class SendEmailInputs(Strict):
    to: list[EmailStr] = Field(min_length=1, max_length=EMAIL_MAX_RECIPIENTS)
    cc: list[EmailStr] = Field(default_factory=list, max_length=EMAIL_MAX_RECIPIENTS)
    subject: Subject
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    partner_id: OdooId | None = None
    related_model: OdooModel | None = None
    related_id: OdooId | None = None
    attachments: list[EmailAttachment] = Field(
        default_factory=list, max_length=EMAIL_MAX_ATTACHMENTS,
        description=f"PDFs from Odoo; at most {EMAIL_ATTACHMENTS_MAX_BYTES // 2**20} MB together when sent")

    _subject_single_line = field_validator("subject")(no_line_breaks)

    @model_validator(mode="after")
    def _limit_recipients(self):
        if len(self.to) + len(self.cc) > EMAIL_MAX_RECIPIENTS:
            raise ValueError(f"at most {EMAIL_MAX_RECIPIENTS} recipients in to and cc together")
        if not self.body.strip():
            raise ValueError("body must not be blank")
        files = [attachment.attachment_id for attachment in self.attachments]
        if len(files) != len(set(files)):
            raise ValueError("each attachment may be attached once")
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
