"""What a change to the follow-up settings did, in words, for the audit trail.

A sequence edited (its settings, a level changed, added, removed or moved) and a customer's own
settings saved or removed each append one "policy changed" event, in the transaction of the
change, whose `changes` map a plain label to its value before and after: the audit timeline
shows them as "label: before → after"."""

from decimal import Decimal

from django.db import models

from audit.models import EventType
from audit.services import Actor, append_event

from .models import Level, Sequence
from .selectors import level_in_words

NOTHING = "—"
#: Labels people know (the editor's); any other setting speaks with its model field's name.
LABELS = {"tolerance": "tolerance (per invoice)", "weekdays_only": "working days only",
          "thank_you": "thank-you email", "offset_days": "offset (days)", "offset_from": "counted from",
          "risk_level": "risk", "list_invoices": "list each invoice", "collection_wording": "may speak of collection",
          "timing_flex_days": "days earlier or later Claude may suggest",
          "hold_during_negotiation": "hold while a deal is being negotiated"}


def label(model, name: str) -> str:
    return LABELS.get(name) or str(model._meta.get_field(name).verbose_name)


def in_words(model, name: str, value) -> str:
    """A setting's value as the editor shows it: choices by their label, yes/no, amounts to the cent."""
    field = model._meta.get_field(name)
    if value is None or value == "":
        return NOTHING
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, models.DecimalField):
        return f"{Decimal(str(value)):.{field.decimal_places}f}"
    return str(value)


def snapshot(sequence: Sequence, fields: tuple, level_fields: tuple) -> dict:
    """The sequence's settings and its levels in order, read from the database now."""
    current = Sequence.objects.get(pk=sequence.pk)
    return {"settings": {name: getattr(current, name) for name in fields},
            "levels": [(level.pk, {name: getattr(level, name) for name in level_fields})
                       for level in current.levels.order_by("position")]}


def _level_words(sequence: Sequence, position: int, fields: dict) -> str:
    return level_in_words(Level(sequence=sequence, position=position, **fields))


def sequence_changes(sequence: Sequence, before: dict, after: dict) -> dict:
    """label → {"before", "after"} for every setting and level that differs; a level is named by
    its number and name (after the change; before it, for one removed)."""
    head = f"Sequence “{after['settings'].get('name', sequence.name)}”"
    changes = {}

    def add(what: str, old: str, new: str) -> None:
        key, copy = f"{head}: {what}", 2
        while key in changes:  # two levels of the same name
            key, copy = f"{head}: {what} ({copy})", copy + 1
        changes[key] = {"before": old, "after": new}

    for name, old in before["settings"].items():
        if old != after["settings"][name]:
            add(label(Sequence, name), in_words(Sequence, name, old), in_words(Sequence, name, after["settings"][name]))
    old_levels, new_levels = dict(before["levels"]), dict(after["levels"])
    for position, (pk, fields) in enumerate(before["levels"]):
        if pk not in new_levels:
            add(f"level {position + 1} “{fields['name']}”", _level_words(sequence, position, fields), "removed")
    for position, (pk, fields) in enumerate(after["levels"]):
        if pk not in old_levels:
            words = _level_words(sequence, position, fields)
            add(f"level {position + 1} “{fields['name']}”", NOTHING, f"added: {words}")
            continue
        for name, old in old_levels[pk].items():
            if old != fields[name]:
                add(f"level {position + 1} “{old_levels[pk]['name']}”, {label(Level, name)}",
                    in_words(Level, name, old), in_words(Level, name, fields[name]))
    kept_before = [fields["name"] for pk, fields in before["levels"] if pk in new_levels]
    kept_after = [fields["name"] for pk, fields in after["levels"] if pk in old_levels]
    if kept_before != kept_after:
        add("order of the levels", _numbered(kept_before), _numbered(kept_after))
    return changes


def _numbered(names: list[str]) -> str:
    return ", ".join(f"{number}. {name}" for number, name in enumerate(names, start=1))


def record(organization, user, changes: dict, **about) -> None:
    """One audit event for the changes (none when nothing changed), by `user`."""
    if changes:
        append_event(organization, event_type=EventType.POLICY_CHANGED, actor=Actor.for_user(user),
                     data={**about, "changes": changes})
