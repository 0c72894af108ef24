"""What each safe operation takes: typed, bounded inputs, validated again before it runs.

Recipients, ids and amounts in here come from Odoo's structured fields (never from text);
the registry (`types.py`) says which of these fields a person may edit.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, EmailStr, Field, StringConstraints, field_validator, model_validator

from integrations.channels import EMAIL_MAX_RECIPIENTS, SMS_MAX_CHARS

from .fields import (E164, OdooId, OdooModel, SingleLine, Strict, Subject, TimeZoneName, known_timezone,
                     no_line_breaks)

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


#: Longest meeting AIOM books, and how many times the approver may choose from.
MEETING_MAX_HOURS = 8
MEETING_MAX_CANDIDATES = 3
MEETING_MAX_ATTENDEES = 20


def https_link(value: str | None) -> str | None:
    """A video link people click in an invitation: https only, one line, no credentials."""
    if value is None:
        return value
    no_line_breaks(value)
    if not value.startswith("https://") or " " in value or "@" in value.split("/", 3)[2]:
        raise ValueError("must be an https:// link without spaces or credentials")
    return value


class MeetingSlot(Strict):
    """One time the meeting could take place (aware datetimes; stored in UTC by Odoo)."""

    start: AwareDatetime
    stop: AwareDatetime

    @model_validator(mode="after")
    def _sensible(self):
        if self.stop <= self.start:
            raise ValueError("stop must be after start")
        if (self.stop - self.start).total_seconds() > MEETING_MAX_HOURS * 3600:
            raise ValueError(f"a meeting lasts at most {MEETING_MAX_HOURS} hours")
        return self


class CreateCalendarEventInputs(Strict):
    """A meeting in the organiser's Odoo calendar and one invitation (iCalendar REQUEST) to the
    people outside. Attendees are Odoo partners (`partner_ids`); `attendee_emails` are the
    addresses the invitation goes to, from those partners' structured email field."""

    name: SingleLine
    organizer_user_id: OdooId = Field(description="the Odoo user (res.users) whose calendar holds it")
    partner_ids: list[OdooId] = Field(min_length=1, max_length=MEETING_MAX_ATTENDEES)
    attendee_emails: list[EmailStr] = Field(min_length=1, max_length=EMAIL_MAX_RECIPIENTS)
    start: AwareDatetime
    stop: AwareDatetime
    timezone: TimeZoneName = Field(description="the organisation's time zone, shown in the invitation")
    description: Annotated[str, Field(max_length=5000)] = ""
    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)] = ""
    videocall_url: Annotated[str, StringConstraints(max_length=500)] | None = None
    partner_id: OdooId | None = Field(None, description="the customer the meeting is with")
    related_model: OdooModel | None = None
    related_id: OdooId | None = None
    candidate_slots: list[MeetingSlot] = Field(default_factory=list, max_length=MEETING_MAX_CANDIDATES,
                                               description="times the approver may choose from")

    _known_zone = field_validator("timezone")(known_timezone)
    _one_line_location = field_validator("location")(no_line_breaks)
    _https = field_validator("videocall_url")(https_link)

    @model_validator(mode="after")
    def _consistent(self):
        MeetingSlot(start=self.start, stop=self.stop)  # the same rules as a candidate
        if len(set(self.partner_ids)) != len(self.partner_ids):
            raise ValueError("each attendee may be listed once")
        if len({address.lower() for address in self.attendee_emails}) != len(self.attendee_emails):
            raise ValueError("each invitation address may be listed once")
        if (self.related_model is None) != (self.related_id is None):
            raise ValueError("related_model and related_id go together")
        if self.candidate_slots and (self.start, self.stop) not in [(s.start, s.stop) for s in self.candidate_slots]:
            raise ValueError("start and stop must be one of the candidate slots")
        return self

    # What the email limits count (guardrails read `to` and `cc` of every email-channel operation).
    @property
    def to(self) -> list[str]:
        return list(self.attendee_emails)

    @property
    def cc(self) -> list[str]:
        return []
