"""Changing a sequence and its levels, as an administrator does from the sequence page.

The whole change is one transaction with the sequence locked, so the engine never plans from a
half-saved list of levels. Levels are renumbered in the order given. A follow-up's `level` is an
index into the levels: when levels are removed, open follow-ups past the new end are moved to
it (every level sent), so none points at a level that no longer exists."""

from django.db import transaction

from aiom.errors import ApplicationError, NotAllowed
from aiom.models import Membership, Role

from .models import FollowUp, FollowUpStatus, Level, LevelChannel, OffsetFrom, Sequence

SEQUENCE_FIELDS = ("name", "active", "tolerance", "weekdays_only")
LEVEL_FIELDS = ("name", "offset_days", "offset_from", "channel", "wording", "risk_level", "list_invoices",
                "collection_wording")
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
    """Save the sequence's settings (`data`: name, active, tolerance, weekdays_only) and its levels
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
        for name in SEQUENCE_FIELDS:
            setattr(locked, name, data[name])
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
        for follow_up in FollowUp.objects.select_for_update().filter(
                sequence=locked, status__in=[FollowUpStatus.ACTIVE, FollowUpStatus.PAUSED]):
            _renumber(follow_up, moved, len(levels))
    return locked


def _renumber(follow_up: FollowUp, moved: dict, count: int) -> None:
    """Keep an open follow-up's progress on the same levels after they moved: when each kept level
    was done follows it to its new position, and the next level is the one after the last done
    (a level added before it is not sent late; removed levels are forgotten)."""
    sent = {str(new): follow_up.sent[str(old)] for old, new in moved.values() if str(old) in follow_up.sent}
    level = max((int(position) for position in sent), default=-1) + 1 if sent else min(follow_up.level, count)
    if (sent, level) != (follow_up.sent, follow_up.level):
        follow_up.sent, follow_up.level = sent, min(level, count)
        follow_up.save(update_fields=["sent", "level", "updated_at"])
