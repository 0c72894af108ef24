"""Policy changes that wait for a second admin.

When an organisation turns on `policy_changes_need_second_admin`, a change to the guardrail
settings or to the rules is only *asked for* (a pending `PolicyChange`, audited); another admin
confirms it — then it is applied through the store or `guardrails.policy_update` — or declines
it; whoever asked may withdraw it. Nobody confirms their own change, and turning the setting off
is itself such a change while it is on. Views use `request_or_apply` and do not need to know
which of the two happens.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from aiom.errors import ApplicationError, Conflict, NotAllowed
from audit.models import EventType
from audit.services import Actor, append_event

from .. import guardrails, permissions
from ..models import GuardrailPolicy
from . import store
from .models import ChangeStatus, PolicyChange, PolicyRule
from .wording import mode_label

SETTINGS, RULE_CREATE, RULE_EDIT, RULE_ARCHIVE, RULE_MODE = (
    "settings", "rule_create", "rule_edit", "rule_archive", "rule_mode")
KINDS = (SETTINGS, RULE_CREATE, RULE_EDIT, RULE_ARCHIVE, RULE_MODE)
APPLIED, REQUESTED = "applied", "requested"


def needs_second_admin(organization) -> bool:
    return guardrails.policy_for(organization).policy_changes_need_second_admin


def ensure_admin(user, organization) -> None:
    permissions.ensure_admin(user, organization, refused="Only organisation admins can change the policy.")


def request_or_apply(organization, user, kind: str, payload: dict):
    """("applied", the rule or policy) — or ("requested", the PolicyChange) when a second admin
    must confirm. Payloads: settings {"changes": {field: value}}; rule_create {"name",
    "description", "definition", "mode"}; rule_edit {"rule_id", + the fields that change};
    rule_archive {"rule_id"}; rule_mode {"rule_id", "mode"}."""
    ensure_admin(user, organization)
    if kind not in KINDS:
        raise ApplicationError(f"Not a policy change: {kind}.")
    payload = _prepared(organization, kind, payload)
    if not needs_second_admin(organization):
        return APPLIED, _apply(organization, kind, payload, actor_user=user, requested_by=None)
    summary = _summary(organization, kind, payload)
    with transaction.atomic():
        change = PolicyChange.objects.create(organization=organization, kind=kind, summary=summary[:500],
                                             payload=payload, requested_by=user)
        _audit(change, user, "asked for", "waiting for a second admin")
    return REQUESTED, change


def confirm(change: PolicyChange, admin):
    """A second admin applies the change; returns what was changed (rule or policy)."""
    with transaction.atomic():
        locked = _pending(change)
        ensure_admin(admin, locked.organization)
        if locked.requested_by_id == admin.pk:
            raise NotAllowed("You asked for this change: another admin must confirm it.")
        result = _apply(locked.organization, locked.kind, locked.payload, actor_user=admin,
                        requested_by=locked.requested_by)
        _decided(locked, admin, ChangeStatus.APPLIED)
        _audit(locked, admin, "confirmed", "applied")
    return result


def decline(change: PolicyChange, admin, note: str = "") -> PolicyChange:
    with transaction.atomic():
        locked = _pending(change)
        ensure_admin(admin, locked.organization)
        if locked.requested_by_id == admin.pk:
            raise NotAllowed("You asked for this change: withdraw it instead of declining it.")
        _decided(locked, admin, ChangeStatus.DECLINED, note)
        _audit(locked, admin, "declined", "declined" + (f": {locked.note}" if locked.note else ""))
    return locked


def withdraw(change: PolicyChange, requester) -> PolicyChange:
    with transaction.atomic():
        locked = _pending(change)
        if locked.requested_by_id != requester.pk:
            raise NotAllowed("Only the admin who asked for this change can withdraw it.")
        _decided(locked, requester, ChangeStatus.WITHDRAWN)
        _audit(locked, requester, "withdrawn", "withdrawn")
    return locked


def pending(organization):
    return (PolicyChange.objects.filter(organization=organization, status=ChangeStatus.PENDING)
            .select_related("requested_by"))


# ---------------------------------------------------------------------------------------------


def _pending(change: PolicyChange) -> PolicyChange:
    locked = (PolicyChange.objects.select_for_update(of=("self",)).select_related("organization", "requested_by")
              .get(pk=change.pk))
    if locked.status != ChangeStatus.PENDING:
        raise Conflict(f"This change is no longer waiting: it was {locked.get_status_display().lower()}.")
    return locked


def _decided(change: PolicyChange, user, status: str, note: str = "") -> None:
    change.status, change.decided_by, change.decided_at = status, user, timezone.now()
    change.note = (note or "").strip()[:300]
    change.save(update_fields=["status", "decided_by", "decided_at", "note"])


def _audit(change: PolicyChange, user, what: str, after: str) -> None:
    before = "—" if what == "asked for" else "waiting for a second admin"
    append_event(change.organization, event_type=EventType.POLICY_CHANGED, actor=Actor.for_user(user),
                 data={"policy_change": change.pk, "kind": change.kind, "change": what, "summary": change.summary,
                       "changes": {f"Change “{change.summary}”": {"before": before, "after": after}}})


def _rule(organization, payload) -> PolicyRule:
    try:
        return PolicyRule.objects.get(organization=organization, pk=payload["rule_id"])
    except (PolicyRule.DoesNotExist, KeyError, TypeError, ValueError):
        raise ApplicationError("That rule does not exist in this organisation.") from None


def _prepared(organization, kind: str, payload: dict) -> dict:
    """The payload checked now (so nobody is asked to confirm something invalid) and stored as
    JSON, with the version of the rule it was asked against."""
    payload = dict(payload)
    if kind == SETTINGS:
        changes = payload.get("changes") or {}
        unknown = set(changes) - set(guardrails.EDITABLE_FIELDS)
        if unknown:
            raise ApplicationError(f"Not guardrail settings: {', '.join(sorted(unknown))}.")
        policy = guardrails.policy_for(organization)
        payload = {"changes": changes, "before": {name: getattr(policy, name) for name in changes}}
    elif kind in (RULE_CREATE, RULE_EDIT) and payload.get("definition") is not None:
        payload["definition"] = store.validated(payload["definition"]).model_dump(mode="json")
    if kind in (RULE_EDIT, RULE_ARCHIVE, RULE_MODE):
        rule = _rule(organization, payload)
        payload.update(rule_id=rule.pk, key=str(rule.key), version=rule.version, name=payload.get("name") or None)
        if kind != RULE_EDIT:
            payload.pop("name")
        payload["rule_name"] = rule.name
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def _apply(organization, kind: str, payload: dict, *, actor_user, requested_by):
    if kind == SETTINGS:
        policy = guardrails.policy_for(organization)
        changes = {name: GuardrailPolicy._meta.get_field(name).to_python(value)
                   for name, value in payload["changes"].items()}
        before = {name: GuardrailPolicy._meta.get_field(name).to_python(value)
                  for name, value in payload.get("before", {}).items()}
        moved = [name for name, value in before.items() if getattr(policy, name) != value]
        if requested_by is not None and moved:
            raise Conflict("The guardrails changed since this was asked (" + ", ".join(
                _verbose(name) for name in moved) + "); decline it and ask again.")
        return guardrails.policy_update(policy, actor=Actor.for_user(actor_user), **changes)
    if kind == RULE_CREATE:
        return store.create_rule(organization, name=payload["name"], description=payload.get("description", ""),
                                 definition=payload["definition"], mode=payload.get("mode") or "dry_run",
                                 actor_user=actor_user, requested_by=requested_by)
    rule = _rule(organization, payload)
    if requested_by is not None or "version" in payload:
        # The version it was asked against: a rule changed since is refused by the store.
        rule.version = payload.get("version", rule.version)
    if kind == RULE_EDIT:
        return store.edit_rule(rule, name=payload.get("name"), description=payload.get("description"),
                               definition=payload.get("definition"), mode=payload.get("mode"),
                               actor_user=actor_user, requested_by=requested_by)
    if kind == RULE_ARCHIVE:
        return store.archive_rule(rule, actor_user=actor_user, requested_by=requested_by)
    return store.set_mode(rule, payload["mode"], actor_user=actor_user, requested_by=requested_by)


def _verbose(name: str) -> str:
    return str(GuardrailPolicy._meta.get_field(name).verbose_name)


def _summary(organization, kind: str, payload: dict) -> str:
    if kind == SETTINGS:
        policy = guardrails.policy_for(organization)
        parts = [f"{_verbose(name)}: {_shown(getattr(policy, name))} → {_shown(value)}"
                 for name, value in payload["changes"].items()]
        return "Guardrails: " + ("; ".join(parts) or "nothing")
    if kind == RULE_CREATE:
        return (f"New rule “{payload['name']}”: {store.describe(payload['definition'])} "
                f"({mode_label(payload.get('mode') or 'dry_run')})")
    name = payload["rule_name"]
    if kind == RULE_ARCHIVE:
        return f"Archive the rule “{name}” (version {payload['version']})"
    if kind == RULE_MODE:
        return f"Switch the rule “{name}” (version {payload['version']}) to {mode_label(payload['mode']).lower()}"
    parts = []
    if payload.get("name") and payload["name"] != name:
        parts.append(f"rename it “{payload['name']}”")
    if payload.get("definition") is not None:
        parts.append(store.describe(payload["definition"]))
    if payload.get("mode"):
        parts.append(mode_label(payload["mode"]).lower())
    return f"Change the rule “{name}” (version {payload['version']}): " + " · ".join(parts or ["as it is"])


def _shown(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "—" if value in (None, "") else str(value)
