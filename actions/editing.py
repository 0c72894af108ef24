"""Editing a pending action before approval: a new, validated revision of its wording or task
fields. Recipients, amounts and targets come from Odoo and are never editable (the registry
says what is, per operation); approvals and links for the old text stop applying, the approvers
get fresh links, and what the edit brought in (a number, a link, bank details) is pointed out.
"""

from django.db import transaction
from django.utils import timezone

from aiom.errors import ApplicationError
from audit.models import EventType
from audit.services import Actor, append_event

from . import content, notifications, slots
from .models import Action, ActionStatus
from .permissions import ensure_can_decide
from .policy import autonomy
from .protocol import ActionProtocol
from .services import lock_pending
from .types import SafeOperation, action_type


#: A meeting's time, changed only to one of its candidates (`pick_slot`): no text to warn about.
MEETING_TIMES = ("start", "stop")


def editable_inputs(action: Action) -> tuple[str, ...]:
    """What a person may change before approving (the registry's word for its type)."""
    return action_type(action.action_type).op.editable


def edit(action: Action, user, *, inputs: dict, protocol_hash: str) -> Action:
    """Make a new revision of a pending action with edited wording or task fields.

    The revision is validated whole, its diff and external effects follow the edit, and the
    old hash stops working: approvals and email links for the old text no longer apply.
    """
    ensure_can_decide(user, action.organization)
    unknown = set(inputs) - set(editable_inputs(action))
    if unknown:
        raise ApplicationError(f"These cannot be edited: {', '.join(sorted(unknown))}.", {"fields": sorted(unknown)})
    return _new_revision(action, user, inputs, protocol_hash)


def pick_slot(action: Action, user, *, slot: int, protocol_hash: str) -> Action:
    """A meeting's time set to one of its candidate times (`slot`, counted from 0): a new
    revision like any edit. Only the candidates are allowed — the times that were checked
    against the organiser's calendar — so the time itself is not an editable input."""
    ensure_can_decide(user, action.organization)
    inputs = action.parsed.operation.inputs
    candidates = list(getattr(inputs, "candidate_slots", []) or [])
    if not 0 <= slot < len(candidates):
        raise ApplicationError("Choose one of the times offered for this meeting.", {"fields": ["slot"]})
    chosen = candidates[slot].model_dump(mode="json")
    return _new_revision(action, user, {"start": chosen["start"], "stop": chosen["stop"]}, protocol_hash)


def _new_revision(action: Action, user, inputs: dict, protocol_hash: str) -> Action:
    with transaction.atomic():
        locked = lock_pending(action, protocol_hash)
        current = locked.parsed
        before = current.operation.inputs.model_dump(mode="json")
        changed = {name: value for name, value in inputs.items() if before.get(name) != value}
        if not changed:
            return locked
        warnings = _edit_warnings(before, changed)
        extra = {"metadata": {"edit_warnings": [*current.metadata.get("edit_warnings", []), *warnings]}} \
            if warnings else {}
        revised = current.revise(operation={"inputs": changed}, **_mirrors(current, changed), **extra)
        Action.objects.filter(pk=locked.pk, status=ActionStatus.PENDING_APPROVAL,
                              protocol_hash=locked.protocol_hash).update(
            protocol=revised.model_dump(mode="json"), protocol_hash=revised.protocol_hash,
            revision=locked.revision + 1, updated_at=timezone.now())
        append_event(locked.organization, event_type=EventType.EDITED, actor=Actor.for_user(user),
                     action_id=locked.pk,
                     data={"changes": {name: {"before": before.get(name), "after": value}
                                       for name, value in revised.operation.inputs.model_dump(mode="json").items()
                                       if name in changed},
                           "previous_hash": locked.protocol_hash, "protocol_hash": revised.protocol_hash,
                           "revision": locked.revision + 1, "warnings": warnings})
        autonomy.record_edited(locked)  # a changed word ends the class's streak (and any grant)
        notifications.notify_pending(locked)  # after the commit: fresh links, bound to the new revision
    locked.refresh_from_db()
    return locked


def _edit_warnings(before: dict, changed: dict) -> list[str]:
    """People may write anything, but what their edit brings in that the text did not have (a
    number, a link, an address, bank details) is pointed out to whoever approves it."""
    return [f"{name}: {detail}" for name, value in changed.items()
            if isinstance(value, str) and isinstance(before.get(name) or "", str) and name not in MEETING_TIMES
            for detail in content.added_details(before.get(name) or "", value)]


def _mirrors(protocol: ActionProtocol, changed: dict) -> dict:
    """What approvers see must follow the edit: effects' subject/preview and the task diff."""
    updates = {}
    if protocol.is_external and ({"subject", "body"} & set(changed)):
        effects = [effect.model_dump(mode="json") for effect in protocol.external_effects]
        for effect in effects:
            if "subject" in changed and effect["effect_type"] == "email":
                effect["subject"] = changed["subject"]
            if "body" in changed:
                effect["preview"] = changed["body"][:1000]
        updates["external_effects"] = effects
    if protocol.safe_operation == SafeOperation.CREATE_CALENDAR_EVENT and {"start", "stop"} & set(changed):
        times = {name: changed[name] for name in MEETING_TIMES if name in changed}
        updates["revalidation_plan"] = {"checks": [
            {**check.model_dump(mode="json"), "predicate": {**check.predicate.model_dump(mode="json"), **times}}
            if check.predicate.type == "calendar_slot_free" else check.model_dump(mode="json")
            for check in protocol.revalidation_plan.checks]}
        zone = protocol.operation.inputs.timezone
        updates["proposed_changes"] = [
            {**change.model_dump(mode="json"), "after": slots.when_words(changed[change.field], zone)}
            if change.model == "calendar.event" and change.field in changed else change.model_dump(mode="json")
            for change in protocol.proposed_changes]
    if protocol.safe_operation == SafeOperation.CREATE_ODOO_TASK and "name" in changed:
        updates["proposed_changes"] = [
            {**change.model_dump(mode="json"), "after": changed["name"]}
            if change.change_type == "create" and change.field == "name" else change.model_dump(mode="json")
            for change in protocol.proposed_changes]
    return updates
