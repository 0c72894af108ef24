"""Writing policy rules: the only writer of `PolicyRule`.

A rule is never changed in place: an edit archives the row in use and adds version + 1 with the
same key, so an action stamped with a rule's version still names the rule as it was. Every change
runs with the organisation's guardrail policy row locked, raises its `rules_version` in the same
transaction, is audited in words (before → after), and, once committed, re-judges the actions in
flight (`inflight.retighten`).
"""

import uuid

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from pydantic import ValidationError

from aiom.errors import ApplicationError, Conflict
from audit.models import EventType
from audit.services import Actor, append_event

from ..models import GuardrailPolicy
from . import inflight
from .models import PolicyRule, RuleStatus
from .rules import Mode, RuleDefinition, parse_rule
from .wording import describe, mode_label, plain_errors

__all__ = ["archive_rule", "create_rule", "describe", "edit_rule", "move_rule", "set_mode", "validated"]


def validated(definition) -> RuleDefinition:
    """The definition parsed, or an ApplicationError listing what is wrong, field by field."""
    try:
        return parse_rule(definition)
    except ValidationError as exc:
        errors = [f"{label}: {message}" if label else message for _, label, message in plain_errors(exc)]
        raise ApplicationError("The rule is not complete: " + " ".join(_sentence(e) for e in errors),
                               extra={"errors": errors}) from exc


def _sentence(text: str) -> str:
    return text if text.endswith(".") else text + "."


def _mode(mode) -> str:
    try:
        return Mode(mode).value
    except ValueError:
        raise ApplicationError("Choose whether the rule starts as a dry run or is enforced.") from None


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the rule a name people will recognise.")
    if len(name) > 100:
        raise ApplicationError("A rule's name is at most 100 characters.")
    return name


def _description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 300:
        raise ApplicationError("A rule's description is at most 300 characters.")
    return description


def create_rule(organization, *, name: str, description: str = "", definition, mode=Mode.DRY_RUN,
                actor_user, requested_by=None) -> PolicyRule:
    """A new rule, version 1, placed after the rules in use. `requested_by`: who asked for it,
    when a second admin (`actor_user`) confirmed it."""
    parsed, name, description, mode = validated(definition), _name(name), _description(description), _mode(mode)
    with transaction.atomic():
        policy = _locked_policy(organization)
        last = (PolicyRule.objects.filter(organization=organization, status=RuleStatus.ACTIVE)
                .aggregate(last=Max("position"))["last"])
        rule = PolicyRule.objects.create(
            organization=organization, key=uuid.uuid4(), version=1, name=name, description=description,
            definition=parsed.model_dump(mode="json"), mode=mode, position=0 if last is None else last + 1,
            created_by=requested_by or actor_user)
        _changed(policy, rule, actor_user, "created", {"": ("—", _in_words(rule))}, requested_by)
    return rule


def edit_rule(rule: PolicyRule, *, name: str | None = None, description: str | None = None, definition=None,
              mode=None, actor_user, requested_by=None, change: str = "edited") -> PolicyRule:
    """The new version of `rule` (or `rule` itself when nothing changes). `rule` is the version
    the person saw: if the rule changed since, the edit is refused rather than undoing the other."""
    fields = {"name": rule.name if name is None else _name(name),
              "description": rule.description if description is None else _description(description),
              "definition": rule.definition if definition is None else validated(definition).model_dump(mode="json"),
              "mode": rule.mode if mode is None else _mode(mode)}
    with transaction.atomic():
        policy = _locked_policy(rule.organization)
        current = _current(rule)
        if all(getattr(current, field) == value for field, value in fields.items()):
            return current
        current.status, current.archived_at = RuleStatus.ARCHIVED, timezone.now()
        current.save(update_fields=["status", "archived_at"])
        new = PolicyRule.objects.create(organization=current.organization, key=current.key,
                                        version=current.version + 1, position=current.position,
                                        created_by=requested_by or actor_user, **fields)
        _changed(policy, new, actor_user, change, _differences(current, new), requested_by)
    return new


def set_mode(rule: PolicyRule, mode, *, actor_user, requested_by=None) -> PolicyRule:
    """Dry run ↔ enforced: a new version, so what a rule did can be told from what it only logged."""
    mode = _mode(mode)
    change = "enforced" if mode == Mode.ENFORCE else "switched to dry run"
    return edit_rule(rule, mode=mode, actor_user=actor_user, requested_by=requested_by, change=change)


def archive_rule(rule: PolicyRule, *, actor_user, requested_by=None) -> PolicyRule:
    """Retire a rule: its row in use is archived (kept, never deleted); no new version."""
    with transaction.atomic():
        policy = _locked_policy(rule.organization)
        current = _current(rule)
        current.status, current.archived_at = RuleStatus.ARCHIVED, timezone.now()
        current.save(update_fields=["status", "archived_at"])
        _changed(policy, current, actor_user, "archived", {"": (_in_words(current), "archived: no longer used")},
                 requested_by)
    return current


def move_rule(rule: PolicyRule, direction: str, *, actor_user) -> PolicyRule:
    """Swap the rule with its neighbour in the list ("up" or "down"). Display order only:
    precedence is by effect, so no new version."""
    if direction not in ("up", "down"):
        raise ApplicationError("A rule moves up or down.")
    with transaction.atomic():
        policy = _locked_policy(rule.organization)
        current = _current(rule)
        in_use = list(PolicyRule.objects.select_for_update().filter(organization=current.organization,
                                                                    status=RuleStatus.ACTIVE))
        index = next(i for i, row in enumerate(in_use) if row.pk == current.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(in_use):
            return current
        before = ", ".join(row.name for row in in_use)
        in_use[index], in_use[other] = in_use[other], in_use[index]
        for position, row in enumerate(in_use):
            if row.position != position:
                PolicyRule.objects.filter(pk=row.pk).update(position=position)
        _changed(policy, current, actor_user, f"moved {direction}",
                 {"order of the rules": (before, ", ".join(row.name for row in in_use))}, None)
        current.refresh_from_db()
    return current


# ---------------------------------------------------------------------------------------------


def _locked_policy(organization) -> GuardrailPolicy:
    GuardrailPolicy.objects.get_or_create(organization=organization)
    return GuardrailPolicy.objects.select_for_update(no_key=True).get(organization=organization)


def _current(rule: PolicyRule) -> PolicyRule:
    """The version in use of `rule`'s key, locked, provided it is the version the caller saw."""
    current = (PolicyRule.objects.select_for_update()
               .filter(organization=rule.organization_id, key=rule.key, status=RuleStatus.ACTIVE).first())
    if current is None:
        raise Conflict(f"The rule “{rule.name}” is archived: it can no longer be changed.")
    if current.version != rule.version:
        raise Conflict(f"The rule “{rule.name}” changed since this was asked (it is now at version "
                       f"{current.version}); look at it again and make the change anew.")
    return current


def _in_words(rule: PolicyRule) -> str:
    return f"{describe(rule.definition)} ({mode_label(rule.mode)})"


def _differences(old: PolicyRule, new: PolicyRule) -> dict[str, tuple[str, str]]:
    changes = {}
    if old.name != new.name:
        changes["name"] = (old.name, new.name)
    if old.description != new.description:
        changes["description"] = (old.description or "—", new.description or "—")
    if old.definition != new.definition:
        changes["what it does"] = (describe(old.definition), describe(new.definition))
    if old.mode != new.mode:
        changes["mode"] = (mode_label(old.mode), mode_label(new.mode))
    return changes


def _changed(policy: GuardrailPolicy, rule: PolicyRule, actor_user, change: str,
             differences: dict[str, tuple[str, str]], requested_by) -> None:
    """Raise the rules version, audit the change in words, re-judge in-flight actions after commit."""
    GuardrailPolicy.objects.filter(pk=policy.pk).update(rules_version=F("rules_version") + 1)
    head = f"Rule “{rule.name}” (version {rule.version})"
    data = {"rule": rule.name, "rule_key": str(rule.key), "version": rule.version, "change": change,
            "before": " · ".join(before for before, _ in differences.values()),
            "after": " · ".join(after for _, after in differences.values()),
            "changes": {f"{head}, {what}" if what else head: {"before": before, "after": after}
                        for what, (before, after) in differences.items()}}
    if requested_by is not None:
        data["requested_by"] = f"user:{requested_by.pk} {requested_by.get_username()}"
    append_event(rule.organization, event_type=EventType.POLICY_CHANGED, actor=Actor.for_user(actor_user), data=data)
    organization = rule.organization
    transaction.on_commit(lambda: inflight.retighten(organization))
