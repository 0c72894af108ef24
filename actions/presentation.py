"""How an action reads to the person deciding on it: the diff, who is contacted, what is
checked again. One place, used by the dashboard, the admin and approval emails, so every
channel shows the same thing."""

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timeuntil

from .inputs import SendEmailInputs
from .models import Action
from .protocol import ActionProtocol


@dataclass(frozen=True)
class ChangeRow:
    record: str
    field: str
    before: str
    after: str
    change_type: str


@dataclass(frozen=True)
class ContactRow:
    channel: str
    recipient: str
    subject: str
    message: str


def show_value(value) -> str:
    """Odoo values as a person reads them: many2one pairs by name, empty as a dash."""
    if value in (None, False, "", []):
        return "—"
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
        return value[1]
    if isinstance(value, list):
        return ", ".join(show_value(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changes(protocol: ActionProtocol) -> list[ChangeRow]:
    return [ChangeRow(record=f"{change.model} #{change.record_id}" if change.record_id else f"new {change.model}",
                      field=change.field, before=show_value(change.before), after=show_value(change.after),
                      change_type=change.change_type)
            for change in protocol.proposed_changes]


def contacts(protocol: ActionProtocol) -> list[ContactRow]:
    """Who will be contacted, with the exact message the operation will send."""
    inputs = protocol.operation.inputs
    body = getattr(inputs, "body", "") if protocol.is_external else ""
    return [ContactRow(channel=effect.effect_type, recipient=effect.recipient,
                       subject=effect.subject or getattr(inputs, "subject", "") or "",
                       message=body or effect.preview)
            for effect in protocol.external_effects]


def recipient_domains(protocol: ActionProtocol) -> list[str]:
    """The domains an email goes to, in order, when there are several (a reminder to acme.com
    that also goes to another domain deserves a second look); empty otherwise."""
    inputs = protocol.operation.inputs
    if not isinstance(inputs, SendEmailInputs):
        return []
    domains = list(dict.fromkeys(str(address).rpartition("@")[2].lower() for address in [*inputs.to, *inputs.cc]))
    return domains if len(domains) > 1 else []


def content_flags(protocol: ActionProtocol) -> list[str]:
    """What was cleaned out of Odoo text before it was written into this action, in words
    ("partner name: a link removed"); set when the action was written."""
    flags = protocol.metadata.get("content_flags")
    return [str(flag) for flag in flags] if isinstance(flags, list) else []


def describe_predicate(predicate) -> str:
    kind = predicate.type
    if kind == "odoo_record_exists":
        return f"{predicate.model} #{predicate.id} still exists"
    if kind == "odoo_field_equals":
        return f"{predicate.model} #{predicate.id}: {predicate.field} is still {show_value(predicate.expected)}"
    if kind == "odoo_field_in":
        return (f"{predicate.model} #{predicate.id}: {predicate.field} is one of "
                f"{', '.join(show_value(value) for value in predicate.allowed)}")
    if kind == "no_duplicate_action_in_window":
        return f"no other {predicate.channel} to this partner in the last {predicate.hours} h"
    days = "every day" if predicate.weekends else "Monday to Friday"
    return (f"sent between {predicate.start:%H:%M} and {predicate.end:%H:%M} {predicate.timezone}, {days} "
            "(otherwise it waits)")


def checks(protocol: ActionProtocol) -> list[tuple[str, str]]:
    """(description, what happens if it fails)."""
    outcome = {"block": "stops the action", "require_reapproval": "asks you again"}
    return [(describe_predicate(check.predicate), outcome[check.severity_on_fail.value])
            for check in protocol.revalidation_plan.checks]


def expires_in(expires_at: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if expires_at <= now:
        return "expired"
    return f"expires in {timeuntil(expires_at, now, depth=1)}"


@dataclass
class ActionCard:
    """One action, ready for a template."""

    action: Action
    protocol: ActionProtocol

    @classmethod
    def of(cls, action: Action) -> "ActionCard":
        return cls(action, action.parsed)

    def changes(self):
        return changes(self.protocol)

    def contacts(self):
        return contacts(self.protocol)

    def recipient_domains(self):
        return recipient_domains(self.protocol)

    def content_flags(self):
        return content_flags(self.protocol)

    def checks(self):
        return checks(self.protocol)

    def expires_in(self):
        return expires_in(self.action.expires_at)

    def approvals_so_far(self):
        return [a for a in self.action.approvals.all()
                if a.protocol_hash == self.action.protocol_hash and a.decision == "approve"]

    def written_by_claude(self) -> bool:
        return self.protocol.metadata.get("written_by") == "claude"

    def rules_draft_diff(self) -> list[tuple[str, str]]:
        """(mark, line) from the rules' draft to the message as it stands: "-" only in the rules'
        draft, "+" only in this message, " " in both. Empty when the rules wrote it."""
        rules_text = self.protocol.metadata.get("rules_body")
        body = getattr(self.protocol.operation.inputs, "body", None)
        if not self.written_by_claude() or not isinstance(rules_text, str) or body is None:
            return []
        return [(line[0], line[2:]) for line in difflib.ndiff(rules_text.splitlines(), body.splitlines())
                if not line.startswith("?")]

    def edit_warnings(self) -> list[str]:
        return [str(warning) for warning in self.protocol.metadata.get("edit_warnings") or []]
