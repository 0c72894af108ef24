"""The safe operations: the only ways AIOM changes anything outside itself.

No raw create/write/unlink is exposed. Each operation validates its typed inputs again, does
one well-defined thing, and is safe to retry: Odoo creates carry a reference to the action
(`AIOM-REF:<action id>`) and a retry looks for it before creating again; writes are absolute.
Email and SMS are sent at most once — the executor's outbound record guards them — and then
leave a note on the related Odoo record.
"""

import base64
import binascii
import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.conf import settings

from integrations import email as email_integration
from integrations import sms as sms_integration
from integrations.errors import ExternalError
from integrations.odoo.client import OdooClient

from . import types
from .inputs import (
    EMAIL_ATTACHMENTS_MAX_BYTES,
    CreateInternalNoteInputs,
    CreateOdooExpenseInputs,
    CreateOdooTaskInputs,
    LogOdooActivityInputs,
    ScheduleFollowUpInputs,
    SendEmailInputs,
    SendSmsInputs,
    UpdateOdooStageInputs,
)
from .models import ScheduledFollowUp
from .protocol import ActionProtocol

ACTIVITY_TYPE_XMLIDS = {
    "call": "mail.mail_activity_data_call",
    "todo": "mail.mail_activity_data_todo",
    "email": "mail.mail_activity_data_email",
    "meeting": "mail.mail_activity_data_meeting",
}


class OperationRefused(ExternalError):
    """The operation's own re-check against Odoo failed (e.g. the deal is not in the expected
    stage): nothing was changed, and trying again would meet the same state."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


@dataclass
class Context:
    organization: object
    action_id: object
    protocol: ActionProtocol
    odoo: OdooClient
    retrying: bool
    now: datetime

    @property
    def reference(self) -> str:
        return f"AIOM-REF:{self.action_id}"


@dataclass
class Result:
    summary: str
    external_ids: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    duration_ms: float = 0.0

    def as_dict(self) -> dict:
        return {"summary": self.summary, "external_ids": self.external_ids, "details": self.details,
                "warnings": self.warnings, "duration_ms": self.duration_ms,
                "external_id": next(iter(self.external_ids.values()), "")}


def perform(context: Context) -> Result:
    started = time.monotonic()
    operation = context.protocol.operation
    handler = types.OPERATIONS[operation.type].perform
    result = handler(context, type(operation.inputs).model_validate(operation.inputs.model_dump()))
    result.duration_ms = round((time.monotonic() - started) * 1000, 1)
    return result


# ---------------------------------------------------------------------------------------------
# Odoo operations


def _find_by_reference(context: Context, model: str, domain: list) -> int | None:
    """On a retry, the record an earlier attempt may already have created."""
    if not context.retrying:
        return None
    ids = context.odoo.search(model, domain, limit=1)
    return ids[0] if ids else None


def create_odoo_task(context: Context, inputs: CreateOdooTaskInputs) -> Result:
    odoo, ref = context.odoo, context.reference
    description = _html_paragraphs(inputs.description) + f"<p><small>{escape(ref)}</small></p>"
    task_id = _find_by_reference(context, "project.task", [("description", "ilike", ref), ("parent_id", "=", False)])
    reused = task_id is not None
    if task_id is None:
        task_id = odoo.create("project.task", _task_values(inputs, description))
    subtask_ids = []
    for index, subtask in enumerate(inputs.subtasks):
        sub_ref = f"{ref}/{index}"
        existing = _find_by_reference(context, "project.task", [("description", "ilike", sub_ref)])
        subtask_ids.append(existing or odoo.create("project.task", {
            **_task_values(subtask, _html_paragraphs(subtask.description) + f"<p><small>{escape(sub_ref)}</small></p>"),
            "project_id": inputs.project_id, "parent_id": task_id}))
    return Result(f"Created Odoo task #{task_id} “{inputs.name}”" +
                  (f" with {len(subtask_ids)} sub-tasks" if subtask_ids else "") + ("" if not reused else " (found from an earlier attempt)"),
                  external_ids={"project.task": task_id, "subtasks": subtask_ids})


def _html_paragraphs(text: str) -> str:
    """Plain text for an Odoo HTML field: escaped, one paragraph per line."""
    return "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())


def _task_values(task, description: str) -> dict:
    values = {"name": task.name, "description": description}
    if getattr(task, "project_id", None):
        values["project_id"] = task.project_id
    if task.assignee_user_ids:
        values["user_ids"] = [(6, 0, list(task.assignee_user_ids))]
    if task.date_deadline:
        values["date_deadline"] = task.date_deadline.isoformat()
    if getattr(task, "priority", None):
        values["priority"] = task.priority
    if getattr(task, "partner_id", None):
        values["partner_id"] = task.partner_id
    return values


def update_odoo_stage(context: Context, inputs: UpdateOdooStageInputs) -> Result:
    odoo = context.odoo
    current = _stage_of(odoo, inputs.model, inputs.record_id)
    if current == inputs.new_stage_id:
        return Result(f"{inputs.model} #{inputs.record_id} is already in stage {inputs.new_stage_id}",
                      external_ids={inputs.model: inputs.record_id})
    if current != inputs.expected_stage_id:
        raise OperationRefused(f"{inputs.model} #{inputs.record_id} is in stage {current}, not the expected "
                               f"{inputs.expected_stage_id}; nothing was changed.")
    odoo.write(inputs.model, [inputs.record_id], {"stage_id": inputs.new_stage_id})
    after = _stage_of(odoo, inputs.model, inputs.record_id)
    if after != inputs.new_stage_id:
        raise OperationRefused(f"Odoo accepted the stage change but {inputs.model} #{inputs.record_id} is in stage "
                               f"{after}.")
    return Result(f"Moved {inputs.model} #{inputs.record_id} from stage {inputs.expected_stage_id} to "
                  f"{inputs.new_stage_id}", external_ids={inputs.model: inputs.record_id},
                  details={"before": inputs.expected_stage_id, "after": after})


def _stage_of(odoo: OdooClient, model: str, record_id: int) -> int | None:
    rows = odoo.read(model, [record_id], ["stage_id"])
    stage = rows[0]["stage_id"] if rows else False
    return stage[0] if stage else None


def log_odoo_activity(context: Context, inputs: LogOdooActivityInputs) -> Result:
    odoo, ref = context.odoo, context.reference
    note = f"{note_html(inputs.note)}<p><small>{escape(ref)}</small></p>"
    activity_id = _find_by_reference(context, "mail.activity", [
        ("res_model", "=", inputs.model), ("res_id", "=", inputs.record_id), ("note", "ilike", ref)])
    if activity_id is None:
        values = {
            "res_model_id": odoo.model_id(inputs.model),
            "res_id": inputs.record_id,
            "activity_type_id": odoo.xmlid_to_res_id(ACTIVITY_TYPE_XMLIDS[inputs.activity_type]),
            "summary": inputs.summary,
            "note": note,
            "date_deadline": inputs.date_deadline.isoformat(),
        }
        if inputs.user_id:
            values["user_id"] = inputs.user_id
        activity_id = odoo.create("mail.activity", values)
    return Result(f"Scheduled a {inputs.activity_type} activity “{inputs.summary}” on {inputs.model} "
                  f"#{inputs.record_id} for {inputs.date_deadline}", external_ids={"mail.activity": activity_id})


def create_odoo_expense(context: Context, inputs: CreateOdooExpenseInputs) -> Result:
    """A draft expense for the employee; Odoo keeps it in draft until someone submits it there."""
    odoo, ref = context.odoo, context.reference
    expense_id = _find_by_reference(context, "hr.expense", [("description", "ilike", ref)])
    reused = expense_id is not None
    if expense_id is None:
        description = f"{inputs.description.strip()}\n\n{ref}".strip()
        expense_id = odoo.create("hr.expense", {
            "name": inputs.name, "employee_id": inputs.employee_id, "product_id": inputs.product_id,
            "total_amount_currency": inputs.total_amount, "currency_id": inputs.currency_id,
            "date": inputs.date.isoformat(), "description": description})
    state = odoo.read("hr.expense", [expense_id], ["state"])[0]["state"]
    return Result(f"Recorded draft expense #{expense_id} “{inputs.name}” of {inputs.total_amount:,.2f}"
                  + (" (found from an earlier attempt)" if reused else ""),
                  external_ids={"hr.expense": expense_id}, details={"state": state})


def create_internal_note(context: Context, inputs: CreateInternalNoteInputs) -> Result:
    message_id = _post_note(context, inputs.model, inputs.record_id, inputs.body)
    return Result(f"Posted an internal note on {inputs.model} #{inputs.record_id}",
                  external_ids={"mail.message": message_id})


def _post_note(context: Context, model: str, record_id: int, text: str) -> int:
    odoo, ref = context.odoo, context.reference
    existing = _find_by_reference(context, "mail.message", [
        ("model", "=", model), ("res_id", "=", record_id), ("body", "ilike", ref)])
    if existing:
        return existing
    return odoo.message_post(model, record_id, note_html(f"{text.strip()}\n\n{ref}"), html=True)


def note_html(text: str) -> str:
    """Plain text as the HTML of an Odoo note: every character escaped, a paragraph per block
    between blank lines, a line break per single newline. Odoo keeps such a body as HTML (the
    client marks it for 17+, which would escape a plain string and run its lines together), so the
    note reads as it was written and no part of the text can become markup."""
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    return "".join("<p>" + "<br>".join(escape(line.strip()) for line in block.strip().split("\n")) + "</p>"
                   for block in blocks if block.strip())


# ---------------------------------------------------------------------------------------------
# Internal


def schedule_follow_up(context: Context, inputs: ScheduleFollowUpInputs) -> Result:
    follow_up, _ = ScheduledFollowUp.objects.get_or_create(
        action_id=context.action_id,
        defaults={"organization": context.organization, "due_at": inputs.follow_up_at, "channel": inputs.channel,
                  "reason": inputs.reason, "partner_id": inputs.partner_id,
                  "related_model": inputs.related_model or "", "related_id": inputs.related_id})
    return Result(f"Follow-up scheduled for {inputs.follow_up_at:%Y-%m-%d %H:%M} ({inputs.channel})",
                  external_ids={"follow_up": follow_up.pk})


# ---------------------------------------------------------------------------------------------
# Outside messages


def send_email(context: Context, inputs: SendEmailInputs) -> Result:
    protocol = context.protocol
    files = _attachments(context.odoo, inputs.attachments) if inputs.attachments else []
    subject, text, html = email_integration.render_email("emails/action_message", {
        "subject": inputs.subject, "body": inputs.body, "company_name": context.organization.name})
    receipt = email_integration.send_email(
        to=list(inputs.to), cc=list(inputs.cc), subject=subject, text_body=text, html_body=html,
        message_id=f"<{context.action_id}@{settings.AIOM_MESSAGE_ID_DOMAIN}>",
        headers={"X-AIOM-Action": str(context.action_id)}, organization_id=context.organization.pk,
        attachments=files)
    result = Result(f"Emailed {', '.join(inputs.to)}: “{inputs.subject}”",
                    external_ids={"email": receipt.provider_id or receipt.message_id})
    attached = f"\n\nAttached: {', '.join(name for name, _, _ in files)}" if files else ""
    _note_after_send(context, result, inputs.related_model, inputs.related_id,
                     f"Email sent by AIOM to {', '.join(inputs.to)}: {inputs.subject}\n\n{inputs.body}{attached}")
    result.details["action_type"] = protocol.action_type
    if files:
        result.details["attachments"] = [{"name": name, "bytes": len(content),
                                          "sha1": hashlib.sha1(content).hexdigest()} for name, content, _ in files]
    return result


def _attachments(odoo: OdooClient, attachments) -> list[tuple[str, bytes, str]]:
    """The approved PDFs, read from Odoo now: each must still be there, a PDF, with the bytes
    whose sha1 was approved (Odoo's `checksum` is the sha1 of the raw file), and all of them
    within the size limit. Anything else refuses the email: nothing is sent."""
    rows = {row["id"]: row for row in odoo.read("ir.attachment", [a.attachment_id for a in attachments],
                                                 ["datas", "mimetype"])}
    files, total = [], 0
    for attachment in attachments:
        row = rows.get(attachment.attachment_id)
        if row is None:
            raise OperationRefused(f"The PDF “{attachment.name}” is no longer in Odoo; nothing was sent.")
        try:
            content = base64.b64decode(row.get("datas") or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            content = b""
        if hashlib.sha1(content).hexdigest() != attachment.checksum:
            raise OperationRefused(f"The PDF “{attachment.name}” in Odoo is not the one approved (its content "
                                   "changed); nothing was sent.")
        if row.get("mimetype") != "application/pdf" or not content.startswith(b"%PDF-"):
            raise OperationRefused(f"“{attachment.name}” in Odoo is not a PDF; nothing was sent.")
        total += len(content)
        files.append((attachment.name, content, "application/pdf"))
    if total > EMAIL_ATTACHMENTS_MAX_BYTES:
        raise OperationRefused(f"The PDFs come to {total / 2**20:.1f} MB, more than the "
                               f"{EMAIL_ATTACHMENTS_MAX_BYTES // 2**20} MB an email may carry; nothing was sent.")
    return files


def send_sms(context: Context, inputs: SendSmsInputs) -> Result:
    receipt = sms_integration.sms_gateway_from_settings().send(
        to=inputs.to, body=inputs.body, idempotency_key=str(context.action_id),
        organization_id=context.organization.pk)
    result = Result(f"Sent an SMS to {inputs.to}", external_ids={"sms": receipt.provider_id},
                    details={"status": receipt.status})
    _note_after_send(context, result, inputs.related_model, inputs.related_id,
                     f"SMS sent by AIOM to {inputs.to}:\n\n{inputs.body}")
    return result


def _note_after_send(context: Context, result: Result, model: str | None, record_id: int | None, text: str) -> None:
    """The message is out; a failing chatter note must not make it look unsent."""
    if not (model and record_id):
        return
    try:
        result.external_ids["mail.message"] = _post_note(context, model, record_id, text)
    except Exception as exc:  # noqa: BLE001 - recorded as a warning on the executed action
        result.warnings.append(f"The message was sent, but the note on {model} #{record_id} failed: "
                               f"{exc.message if isinstance(exc, ExternalError) else exc}")
