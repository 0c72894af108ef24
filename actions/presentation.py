"""How an action reads to the person deciding on it: the diff, who is contacted, what is
checked again. One place, used by the dashboard, the admin and approval emails, so every
channel shows the same thing."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timeuntil

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

    def checks(self):
        return checks(self.protocol)

    def expires_in(self):
        return expires_in(self.action.expires_at)

    def approvals_so_far(self):
        return [a for a in self.action.approvals.all()
                if a.protocol_hash == self.action.protocol_hash and a.decision == "approve"]
