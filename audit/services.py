"""Writing and verifying the audit trail.

`append_event` is the only writer. It runs inside the caller's transaction (so an event
exists exactly when the change it records does) and serialises appenders per organisation
on the chain head row, so concurrent writers never fork the chain.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .hashing import event_hash, normalize_data
from .models import GENESIS_HASH, ActionEvent, ActorType, ChainHead


@dataclass(frozen=True)
class Actor:
    """Who did something: `user:<id> <username>`, `ai_coo`, or `system`."""

    label: str
    type: str

    @classmethod
    def for_user(cls, user) -> "Actor":
        return cls(f"user:{user.pk} {user.get_username()}", ActorType.HUMAN)


SYSTEM = Actor("system", ActorType.SYSTEM)
AI = Actor("ai_coo", ActorType.AI)


def append_event(organization, *, event_type: str, actor: Actor = SYSTEM, action_id=None,
                 data: dict | None = None) -> ActionEvent:
    with transaction.atomic():
        ChainHead.objects.bulk_create([ChainHead(organization=organization)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().get(organization=organization)
        fields = {
            "organization_id": organization.pk,
            "seq": head.seq + 1,
            "action_id": action_id,
            "event_type": str(event_type),
            "actor": actor.label,
            "actor_type": str(actor.type),
            "data": normalize_data(data),
            "created_at": timezone.now(),
            "prev_hash": head.hash,
        }
        event = ActionEvent.objects.create(**fields, hash=event_hash(**fields))
        ChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash, updated_at=event.created_at)
    return event


@dataclass(frozen=True)
class ChainReport:
    organization_slug: str
    ok: bool
    events_checked: int
    broken_seq: int | None = None
    broken_event_id: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"{self.organization_slug}: chain intact ({self.events_checked} events)"
        where = f"event #{self.broken_seq} (id {self.broken_event_id})" if self.broken_seq else "chain head"
        return f"{self.organization_slug}: BROKEN at {where}: {self.reason}"


def verify_chain(organization) -> ChainReport:
    """Recompute the organisation's chain and name the first event that does not hold."""
    previous_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    events = ActionEvent.objects.filter(organization=organization).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        broken = _first_fault(event, expected_seq, previous_hash)
        if broken:
            return ChainReport(organization.slug, False, checked, event.seq, event.pk, broken)
        previous_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = ChainHead.objects.filter(organization=organization).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (checked, previous_hash):
        return ChainReport(organization.slug, False, checked, None, None,
                           f"chain head says {head_seq} events ending in {head_hash[:12]}…, "
                           f"the table holds {checked} ending in {previous_hash[:12]}… (events removed?)")
    return ChainReport(organization.slug, True, checked)


def _first_fault(event: ActionEvent, expected_seq: int, previous_hash: str) -> str:
    if event.seq != expected_seq:
        return f"expected seq {expected_seq}, found {event.seq} (an event is missing)"
    if event.prev_hash != previous_hash:
        return "prev_hash does not match the previous event's hash"
    recomputed = event_hash(
        organization_id=event.organization_id, seq=event.seq, action_id=event.action_id,
        event_type=event.event_type, actor=event.actor, actor_type=event.actor_type,
        data=event.data, created_at=event.created_at, prev_hash=event.prev_hash,
    )
    if recomputed != event.hash:
        return "contents do not match the stored hash (the event was edited)"
    return ""
