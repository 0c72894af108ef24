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

from . import content, notifications
from .models import Action, ActionStatus
from .permissions import ensure_can_decide
from .protocol import ActionProtocol
from .services import lock_pending
from .types import SafeOperation, action_type


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
        notifications.notify_pending(locked)  # after the commit: fresh links, bound to the new revision
    locked.refresh_from_db()
    return locked


def _edit_warnings(before: dict, changed: dict) -> list[str]:
    """People may write anything, but what their edit brings in that the text did not have (a
    number, a link, an address, bank details) is pointed out to whoever approves it."""
    return [f"{name}: {detail}" for name, value in changed.items()
            if isinstance(value, str) and isinstance(before.get(name) or "", str)
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
    if protocol.safe_operation == SafeOperation.CREATE_ODOO_TASK and "name" in changed:
        updates["proposed_changes"] = [
            {**change.model_dump(mode="json"), "after": changed["name"]}
            if change.change_type == "create" and change.field == "name" else change.model_dump(mode="json")
            for change in protocol.proposed_changes]
    return updates
