"""The audit trail: append-only, hash-chained per organisation.

The database itself refuses UPDATE, DELETE and TRUNCATE on events (triggers created by a
migration), and every event's hash covers its fields plus the previous event's hash, so an
edit made around the triggers is found by `manage.py audit_verify`.
"""

from django.db import models

GENESIS_HASH = "0" * 64


class EventType(models.TextChoices):
    CREATED = "created", "Created"
    GUARDRAIL_DECISION = "guardrail_decision", "Guardrail decision"
    NOTIFIED = "notified", "Notified"
    EDITED = "edited", "Edited"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    EXECUTING = "executing", "Executing"
    REVALIDATION_FAILED = "revalidation_failed", "Revalidation failed"
    DEFERRED = "deferred", "Deferred"
    EXECUTED = "executed", "Executed"
    FAILED = "failed", "Failed"
    OUTCOME_UNKNOWN = "outcome_unknown", "Outcome unknown"
    POLICY_CHANGED = "policy_changed", "Policy changed"
    DENIED = "denied", "Denied"
    BLOCKED = "blocked", "Blocked"
    REQUEUED = "requeued", "Requeued"
    TOKEN_REFUSED = "token_refused", "Token refused"
    UNDONE = "undone", "Undone before sending"
    SUPERSEDED = "superseded", "Superseded"


class ActorType(models.TextChoices):
    HUMAN = "human"
    AI = "ai"
    SYSTEM = "system"


class ActionEvent(models.Model):
    organization = models.ForeignKey("aiom.Organization", on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    action_id = models.UUIDField(null=True, blank=True, db_index=True)
    event_type = models.CharField(max_length=32, choices=EventType.choices)
    actor = models.CharField(max_length=200)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["organization", "seq"]
        constraints = [models.UniqueConstraint(fields=["organization", "seq"], name="one_event_per_seq")]
        indexes = [models.Index(fields=["organization", "created_at"]), models.Index(fields=["organization", "event_type"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event_type} by {self.actor}"


class ChainHead(models.Model):
    """The newest event of each organisation's chain: the lock appenders queue on, and a
    cross-check that catches events removed from the tail."""

    organization = models.OneToOneField("aiom.Organization", on_delete=models.PROTECT, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(auto_now=True)
