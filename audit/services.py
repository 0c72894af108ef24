"""Writing and verifying the audit trail.

`append_event` is the only writer. It runs inside the caller's transaction (so an event
exists exactly when the change it records does) and serialises appenders per organisation
on the chain head row, so concurrent writers never fork the chain. Inside `batched_appends`
the events wait and are chained at the end of the transaction, so that lock is held only
from then until commit.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
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
    fields = {
        "organization_id": organization.pk,
        "action_id": action_id,
        "event_type": str(event_type),
        "actor": actor.label,
        "actor_type": str(actor.type),
        "data": normalize_data(data),
        "created_at": timezone.now(),
    }
    batches = getattr(_local, "batches", None)
    if batches:  # written by `batched_appends` just before its transaction commits
        event = ActionEvent(**fields)
        marker = _Marker()
        transaction.on_commit(marker)  # dropped by Django if an inner savepoint rolls back
        batches[-1].append((organization, event, marker))
        return event
    event = ActionEvent(**fields)
    with transaction.atomic():
        _write(organization, [event])
    return event


class _Marker:
    def __call__(self) -> None:
        """Nothing to do after commit: only its presence in the commit hooks matters."""


_local = threading.local()


@contextmanager
def batched_appends():
    """A transaction whose audit events are chained together at its very end. The chain head
    serialises every writer of an organisation until commit; taking it last, for one insert,
    keeps that wait to the commit itself instead of the whole transaction. An event queued in a
    savepoint that rolled back is left out, so an event still exists exactly when its change does."""
    batches = _local.__dict__.setdefault("batches", [])
    with transaction.atomic():
        batches.append([])
        try:
            yield
        finally:
            pending = batches.pop()
        hooks = {id(hook) for _, hook, _ in connection.run_on_commit}
        chains: dict[int, tuple] = {}
        for organization, event, marker in pending:
            if id(marker) in hooks:
                chains.setdefault(organization.pk, (organization, []))[1].append(event)
        for organization, events in chains.values():
            _write(organization, events)


def _write(organization, events: list[ActionEvent]) -> None:
    """Chain `events` after the organisation's head, holding the head row until commit."""
    head = ChainHead.objects.select_for_update().filter(organization=organization).first()
    if head is None:
        ChainHead.objects.bulk_create([ChainHead(organization=organization)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().get(organization=organization)
    seq, previous, now = head.seq, head.hash, timezone.now()
    for event in events:  # stamped under the lock: the chain's order is also the order in time
        seq += 1
        event.seq, event.prev_hash, event.created_at = seq, previous, now
        event.hash = previous = event_hash(
            organization_id=event.organization_id, seq=event.seq, action_id=event.action_id,
            event_type=event.event_type, actor=event.actor, actor_type=event.actor_type, data=event.data,
            created_at=event.created_at, prev_hash=event.prev_hash)
    ActionEvent.objects.bulk_create(events)
    ChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=previous, updated_at=events[-1].created_at)


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
