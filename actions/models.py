"""Actions: one validated ActionProtocol each, and the decisions made on it."""

import uuid

from django.conf import settings
from django.db import models

from .protocol import ActionType, RiskLevel, SafeOperation, Source


class ActionStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    APPROVED = "approved", "Approved"
    EXECUTING = "executing", "Executing"
    EXECUTED = "executed", "Executed"
    FAILED = "failed", "Failed"
    OUTCOME_UNKNOWN = "outcome_unknown", "Outcome unknown"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    DENIED = "denied", "Denied by guardrails"
    BLOCKED = "blocked", "Blocked by revalidation"


class Action(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, help_text="= protocol.action_id")
    organization = models.ForeignKey("aiom.Organization", on_delete=models.PROTECT, related_name="actions")
    protocol = models.JSONField(help_text="The whole ActionProtocol, as validated.")
    protocol_hash = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(default=1)
    action_type = models.CharField(max_length=40, choices=[(t.value, t.value) for t in ActionType])
    safe_operation = models.CharField(max_length=40, choices=[(o.value, o.value) for o in SafeOperation])
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PENDING_APPROVAL)
    status_reason = models.TextField(blank=True)
    risk_level = models.CharField(max_length=10, choices=[(r.value, r.value) for r in RiskLevel])
    requires_approval = models.BooleanField(default=True)
    idempotency_key = models.CharField(max_length=200)
    parameters_fingerprint = models.CharField(max_length=64)
    source = models.CharField(max_length=20, choices=[(s.value, s.value) for s in Source])
    created_by = models.CharField(max_length=40)
    title = models.CharField(max_length=255)
    target_model = models.CharField(max_length=64)
    target_id = models.PositiveIntegerField()
    partner_id = models.PositiveIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField()
    not_before = models.DateTimeField(null=True, blank=True, help_text="Deferred until (quiet hours, rate limits).")
    attempts = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="one_action_per_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["organization", "target_model", "target_id"]),
        ]
        permissions = [("decide_action", "Can approve or reject actions in the admin")]

    def __str__(self) -> str:
        return f"{self.title} [{self.status}]"

    @property
    def parsed(self):
        from .protocol import ActionProtocol

        return ActionProtocol.model_validate(self.protocol)


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class Approval(models.Model):
    """One person's decision on one revision (protocol_hash) of an action."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    protocol_hash = models.CharField(max_length=64)
    comment = models.TextField(blank=True)
    channel = models.CharField(max_length=20, default="dashboard")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["action", "user", "protocol_hash"], name="one_decision_per_user_and_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.decision}d {self.action_id}"
