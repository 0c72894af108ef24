"""Changing a sequence and its levels, as an administrator does from the sequence page.

The whole change is one transaction with the sequence locked, so the engine never plans from a
half-saved list of levels. Levels are renumbered in the order given, or one level swaps places
with its neighbour (`move_level`). Every change lands in the audit trail in words (`changes`).

A follow-up's `level` is an index into the levels and `sent` maps positions to when each was
done, so when levels move or go, every open follow-up is renumbered (`_renumber`): nothing it
has had is sent again, wherever that level moved."""

from django.db import transaction

from aiom.errors import ApplicationError, Conflict, NotAllowed
from aiom.models import Membership, Role

from . import changes
from .models import FollowUp, FollowUpStatus, Level, LevelChannel, OffsetFrom, Sequence

SEQUENCE_FIELDS = ("name", "active", "tolerance", "weekdays_only", "timing_flex_days", "hold_during_negotiation")
LEVEL_FIELDS = ("name", "offset_days", "offset_from", "channel", "wording", "risk_level", "list_invoices",
                "attach_invoices", "collection_wording")
RISKS = ("low", "medium", "high", "critical")
#: The least risk a level that writes to the customer may carry: approval follows the risk.
LEAST_RISK = {LevelChannel.EMAIL: "medium", LevelChannel.SMS: "high"}
CHANNEL_NAMES = {LevelChannel.EMAIL: "An email level", LevelChannel.SMS: "An SMS level"}
#: Past this the positions of the levels being saved are parked while they are renumbered.
PARKED = 10_000


def level_problems(levels: list[dict]) -> list[str]:
    """What is wrong with these levels (in the order they will run), in words; empty when fine."""
    if not levels:
        return ["A sequence needs at least one level."]
    problems = []
    if levels[0]["offset_from"] == OffsetFrom.PREVIOUS:
        problems.append(f"The first level (“{levels[0]['name']}”) cannot count from the previous level: "
                        "there is none. Count it from the due date.")
    for number, level in enumerate(levels, start=1):
        if not -60 <= level["offset_days"] <= 365:
            problems.append(f"Level {number} (“{level['name']}”): the offset runs from −60 to 365 days.")
        least = LEAST_RISK.get(level["channel"])
        if least and RISKS.index(level["risk_level"]) < RISKS.index(least):
            problems.append(f"Level {number} (“{level['name']}”): {CHANNEL_NAMES[level['channel']].lower()} "
                            f"writes to the customer, so its risk is at least {least}.")
    return problems


def can_edit(user, organization) -> bool:
    return Membership.objects.filter(user=user, organization=organization, role=Role.ADMIN).exists()


def save_sequence(sequence: Sequence, user, data: dict, levels: list[dict]) -> Sequence:
    """Save the sequence's settings (`data`: name, active, tolerance, weekdays_only, timing_flex_days
    — 0 when left out) and its levels
    (`levels`, in order: each a dict of the level's fields, with "id" for a level kept and None for
    a new one; levels not listed are removed). Returns the saved sequence.

    Raises NotAllowed unless `user` administers the sequence's organisation, and ApplicationError
    (nothing saved) when the levels do not make a sequence."""
    if not can_edit(user, sequence.organization_id):
        raise NotAllowed("Only an administrator of the organisation may change its sequences.")
    problems = level_problems(levels)
    if problems:
        raise ApplicationError(" ".join(problems))
    with transaction.atomic():
        locked = Sequence.objects.select_for_update().get(pk=sequence.pk)
        before = changes.snapshot(locked, SEQUENCE_FIELDS, LEVEL_FIELDS)
        for name in SEQUENCE_FIELDS:
            setattr(locked, name, (data.get(name) or 0) if name == "timing_flex_days"
                    else bool(data.get(name)) if name == "hold_during_negotiation" else data[name])
        locked.save()
        existing = {level.pk: level for level in locked.levels.all()}
        kept = [level["id"] for level in levels if level.get("id")]
        unknown = set(kept) - set(existing)
        if unknown or len(kept) != len(set(kept)):
            raise ApplicationError("A level listed is not one of this sequence's; reload the page and try again.")
        locked.levels.exclude(pk__in=kept).delete()
        for parked, pk in enumerate(kept):  # out of the way of the positions they move to
            Level.objects.filter(pk=pk).update(position=PARKED + parked)
        for position, fields in enumerate(levels):
            values = {name: fields[name] for name in LEVEL_FIELDS} | {"position": position}
            if fields.get("id"):
                locked.levels.filter(pk=fields["id"]).update(**values)
            else:
                locked.levels.create(**values)
        moved = {pk: (existing[pk].position, position) for position, pk in
                 ((position, fields.get("id")) for position, fields in enumerate(levels)) if pk}
        _after_change(locked, user, before, moved, len(existing), len(levels))
    return locked


def move_level(sequence: Sequence, user, level_id: int, *, up: bool, position: int | None = None) -> Level:
    """Swap one level with the one before it (`up`) or after it, in one transaction with the
    sequence locked; open follow-ups keep the levels they have had (`_renumber`). `position`: where
    the page showed the level; when it has moved since, nothing happens (Conflict), so a second
    click or a stale page never moves a level twice.

    Raises NotAllowed unless `user` administers the organisation, ApplicationError when the level is
    not the sequence's, is already first or last, or the new order breaks a rule of the levels."""
    if not can_edit(user, sequence.organization_id):
        raise NotAllowed("Only an administrator of the organisation may change its sequences.")
    with transaction.atomic():
        locked = Sequence.objects.select_for_update().get(pk=sequence.pk)
        levels = list(locked.levels.order_by("position"))
        index = next((index for index, level in enumerate(levels) if level.pk == level_id), None)
        if index is None:
            raise ApplicationError("This level is not one of this sequence's; reload the page and try again.")
        if position is not None and levels[index].position != position:
            raise Conflict("The levels were changed meanwhile; look at their order again before moving one.")
        other = index - 1 if up else index + 1
        if not 0 <= other < len(levels):
            raise ApplicationError(f"“{levels[index].name}” is already the {'first' if up else 'last'} level.")
        order = list(levels)
        order[index], order[other] = order[other], order[index]
        problems = level_problems([{name: getattr(level, name) for name in LEVEL_FIELDS} for level in order])
        if problems:
            raise ApplicationError(" ".join(problems) + " Nothing was moved.")
        before = changes.snapshot(locked, SEQUENCE_FIELDS, LEVEL_FIELDS)
        mine, theirs = levels[index], levels[other]
        Level.objects.filter(pk=mine.pk).update(position=PARKED)  # out of the way: positions are unique
        Level.objects.filter(pk=theirs.pk).update(position=mine.position)
        Level.objects.filter(pk=mine.pk).update(position=theirs.position)
        moved = {level.pk: (level.position, level.position) for level in levels}
        moved |= {mine.pk: (mine.position, theirs.position), theirs.pk: (theirs.position, mine.position)}
        locked.save(update_fields=["updated_at"])
        _after_change(locked, user, before, moved, len(levels), len(levels))
    return Level.objects.get(pk=mine.pk)


def _after_change(sequence: Sequence, user, before: dict, moved: dict, old_count: int, count: int) -> None:
    """Within the change's transaction: renumber the open follow-ups, audit what changed."""
    for follow_up in FollowUp.objects.select_for_update().filter(
            sequence=sequence, status__in=[FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED]):
        _renumber(follow_up, moved, old_count, count)
    after = changes.snapshot(sequence, SEQUENCE_FIELDS, LEVEL_FIELDS)
    changes.record(sequence.organization, user, changes.sequence_changes(sequence, before, after),
                   sequence_id=sequence.pk)


def _renumber(follow_up: FollowUp, moved: dict, old_count: int, count: int) -> None:
    """Keep an open follow-up's progress on the same levels after they moved (`moved`: level id →
    (old position, new position), for the levels kept).

    The levels it is past — done (in `sent`, which follows them to their new positions) or passed
    over — stay behind it wherever they move, and it goes on with the level after the last of
    them: nothing it has had is sent again, a level moved or added before one it has had is not
    sent late, and removed levels are forgotten. A follow-up that had every level stays at the end."""
    past = {old: new for old, new in moved.values() if old < follow_up.level or str(old) in follow_up.sent}
    sent = {str(past[int(old)]): at for old, at in follow_up.sent.items() if int(old) in past}
    level = count if follow_up.level >= old_count else max(past.values(), default=-1) + 1
    if (sent, level) != (follow_up.sent, follow_up.level):
        follow_up.sent, follow_up.level = sent, min(level, count)
        follow_up.save(update_fields=["sent", "level", "updated_at"])
