"""The sequences every organisation starts with; people edit them from there."""

from django.db import transaction

from .models import Level, LevelChannel, OffsetFrom, Sequence, SequenceKind, Wording

E, S, T, C = LevelChannel.EMAIL, LevelChannel.SMS, LevelChannel.TASK, LevelChannel.CALL
DUE, PREVIOUS = OffsetFrom.DUE_DATE, OffsetFrom.PREVIOUS

#: (name, offset, from, channel, wording, risk, collection wording allowed)
INVOICE_LEVELS = [
    ("Courtesy reminder", -3, DUE, E, Wording.COURTESY, "medium", False),
    ("Friendly reminder", 3, DUE, E, Wording.FRIENDLY, "medium", False),
    ("Firm reminder", 15, DUE, E, Wording.FIRM, "medium", False),
    ("Reminder by SMS", 30, DUE, S, Wording.FIRM, "high", False),
    ("Collection call", 30, DUE, T, Wording.FIRM, "low", True),
    ("Final notice", 45, DUE, E, Wording.FINAL, "high", True),
]
DEAL_LEVELS = [
    ("Follow-up email", 0, PREVIOUS, E, Wording.FRIENDLY, "medium", False),
    ("Call", 5, PREVIOUS, C, Wording.FRIENDLY, "low", False),
    ("Last follow-up", 10, PREVIOUS, E, Wording.FRIENDLY, "medium", False),
]


def ensure_defaults(organization) -> dict[str, Sequence]:
    """The organisation's default sequence of each kind, created the first time."""
    found = {}
    with transaction.atomic():
        for kind, name, levels in ((SequenceKind.INVOICES, "Unpaid invoices", INVOICE_LEVELS),
                                   (SequenceKind.DEALS, "Stalled deals", DEAL_LEVELS)):
            sequence = Sequence.objects.filter(organization=organization, kind=kind, is_default=True).first()
            if sequence is None:
                sequence = Sequence.objects.create(organization=organization, kind=kind, name=name, is_default=True)
                Level.objects.bulk_create([
                    Level(sequence=sequence, position=position, name=level_name, offset_days=offset,
                          offset_from=offset_from, channel=channel, wording=wording, risk_level=risk,
                          collection_wording=collection)
                    for position, (level_name, offset, offset_from, channel, wording, risk, collection)
                    in enumerate(levels)])
            found[kind] = sequence
    return found
