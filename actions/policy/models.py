"""Stored policy: rule versions, delegations, earned-autonomy tracks, policy changes waiting for a
second admin, the partner facts rules read, and meeting invitations. Imported by
`actions.models` so Django registers them in the `actions` app."""

from django.conf import settings
from django.db import models


class RuleStatus(models.TextChoices):
    ACTIVE = "active", "In use"
    #: Replaced by a newer version or retired: kept, never edited, so an action's stamp still
    #: names the rule as it was.
    ARCHIVED = "archived", "Archived"


class PolicyRule(models.Model):
    """One version of one rule. Editing a rule archives this row and adds version + 1 with the
    same `key`; `actions.policy.store` is the only writer."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="policy_rules")
    key = models.UUIDField(help_text="The same for every version of one rule.")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    #: A `actions.policy.rules.RuleDefinition`, as JSON.
    definition = models.JSONField()
    mode = models.CharField(max_length=10, choices=[("enforce", "Enforced"), ("dry_run", "Dry run (log only)")],
                            default="dry_run")
    status = models.CharField(max_length=10, choices=RuleStatus.choices, default=RuleStatus.ACTIVE)
    position = models.PositiveIntegerField(default=0, help_text="Display order only: precedence is by effect.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key", "version"], name="one_row_per_rule_version"),
            models.UniqueConstraint(fields=["organization", "key"], condition=models.Q(status="active"),
                                    name="one_active_version_per_rule"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="policy_rules_in_use")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class Delegation(models.Model):
    """While `delegator` is away (from `starts_on` to `ends_on`, both included, in the
    organisation's dates), `delegate` may give the approvals asked of them by name."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="delegations")
    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~models.Q(delegator=models.F("delegate")), name="delegation_to_someone_else"),
        ]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts_on}–{self.ends_on})"


class AutonomyStatus(models.TextChoices):
    COUNTING = "counting", "Counting approvals"
    SUGGESTED = "suggested", "Suggested: waiting for an admin"
    ACTIVE = "active", "Runs automatically"
    DECLINED = "declined", "Declined by an admin"
    DEMOTED = "demoted", "Back to approval"


class AutonomyTrack(models.Model):
    """One class of actions (type, message template, risk) and how it has earned — or lost —
    running without approval. `actions.policy.autonomy` is the only writer."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="autonomy_tracks")
    action_type = models.CharField(max_length=40)
    template = models.CharField(max_length=80, blank=True)
    risk_level = models.CharField(max_length=10)
    streak = models.PositiveIntegerField(default=0, help_text="Approvals in a row without an edit or a failure.")
    status = models.CharField(max_length=10, choices=AutonomyStatus.choices, default=AutonomyStatus.COUNTING)
    suggested_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    active_until = models.DateTimeField(null=True, blank=True)
    last_change = models.CharField(max_length=300, blank=True, help_text="Why the status last changed, in words.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "action_type", "template", "risk_level"],
                                               name="one_autonomy_track_per_class")]

    def __str__(self) -> str:
        return f"{self.action_type}/{self.template or '-'}/{self.risk_level}: {self.status}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second admin"
    APPLIED = "applied", "Applied"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PolicyChange(models.Model):
    """A change to the policy (settings or rules) that waits for a second admin, when the
    organisation asks for that."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="policy_changes")
    kind = models.CharField(max_length=20, help_text="settings, rule_create, rule_edit, rule_archive")
    summary = models.CharField(max_length=500)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.summary} ({self.status})"


class PartnerFacts(models.Model):
    """What rules may ask of a partner (country, tags), as last read from Odoo by an analysis.
    A rule asking about a partner AIOM knows nothing of decides the strict way."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    partner_id = models.PositiveIntegerField()
    country_code = models.CharField(max_length=2, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Contact tag names, lower case.")
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "partner_id"], name="one_facts_row_per_partner")]


class MeetingInvitation(models.Model):
    """The iCalendar identity of one meeting: its UID stays, its SEQUENCE rises with each change
    sent to the attendees."""

    organization = models.ForeignKey("aiom.Organization", on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    odoo_event_id = models.PositiveIntegerField(null=True, blank=True)
    action = models.ForeignKey("actions.Action", on_delete=models.PROTECT, related_name="meeting_invitations")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.uid} (sequence {self.sequence})"
